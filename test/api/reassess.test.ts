/**
 * reassessRun (src/api/reassess.ts), pure: stored jobs judged again by today's probes and data.
 * The same data gives the same findings; new data gives new ones; what cannot be judged again is kept
 * as scanned and counted by reason; an assess that now throws is an error, never a pass.
 */
import softwareVersions from '../../src/probes/software-versions.js';
import { BUNDLED_VULN_DATA, type Advisory } from '../../src/probes/lib/versions.js';
import type { AnyProbe, ProbeMeta } from '../../src/probes/contract.js';
import type { RunInfo } from '../../src/model.js';
import { buildResult } from '../../src/report/build.js';
import { reassessRun } from '../../src/api/reassess.js';
import { EVIDENCE_FORMAT, type RunEvidence, type StoredJob } from '../../src/store/evidence.js';
import { device, fakeProbe, service } from '../scheduler/fake-probes.js';

const d = device('10.0.0.7', [service(80, 'http')]);
const STARTED = '2026-11-25T03:00:00.000Z';
const run: RunInfo = {
  id: 'run-1', startedAt: STARTED, finishedAt: '2026-11-25T03:01:00.000Z', durationMs: 60_000, targets: ['10.0.0.7'], autoTargets: false,
  options: { safety: 'credentials', exclude: [], allowPublic: false, maxHosts: 256, timeoutMs: 0, concurrency: 16, perHost: 2, revealCredentials: false, only: [], skip: [], failOn: 'high' },
  capabilities: { nmap: null, privileged: false, scanType: 'import', notices: [] }, partial: false,
};
const grabs = { grabs: [{ port: 80, kind: 'http-server', value: 'lighttpd/1.4.76' }] };
const gone = fakeProbe('gone-probe', { scope: 'host' });
const flaky = fakeProbe('flaky', { scope: 'host', assess: () => [{ check: 'flaky', status: 'warn', severity: 'low' }] });
const nowThrows = fakeProbe('flaky', { scope: 'host', assess: () => { throw new Error('format changed'); } });
const noEvidence = fakeProbe('big', { scope: 'host', assess: () => [{ check: 'big', status: 'fail', severity: 'high' }] });
const NOW = new Date(Date.parse(STARTED) + 1000);

function job(probe: AnyProbe, over: Partial<StoredJob>): StoredJob {
  return { jobId: `${probe.meta.id}@${d.address}`, probe: probe.meta.id, device: d.address, status: 'done', results: [], startedAt: STARTED, durationMs: 1000, connections: 1, ...over };
}

function stored(): { evidence: RunEvidence; result: ReturnType<typeof buildResult> } {
  const input = { device: d, devices: [d], now: NOW };
  const jobs: StoredJob[] = [
    job(softwareVersions, { evidence: grabs, results: softwareVersions.assess(grabs as never, input) }),
    job(gone, { evidence: { ok: true }, results: [{ check: 'gone-probe', status: 'pass' }] }),
    job(flaky, { evidence: null, results: flaky.assess(null, input) }),
    job(noEvidence, { evidenceOmitted: 'evidence larger than 512 KiB', results: noEvidence.assess(null, input) }),
    job(fakeProbe('down', { scope: 'host' }), { status: 'error', error: { kind: 'timeout', message: 'no answer' } }),
  ];
  const all = [softwareVersions, gone, flaky, noEvidence, fakeProbe('down', { scope: 'host' })];
  const result = buildResult({
    run, toolVersion: '0.1.0', devices: [d], outcomes: jobs, probes: new Map<string, ProbeMeta>(all.map((p) => [p.meta.id, p.meta])),
    skipped: [], errors: [], revealCredentials: false, safety: 'credentials', now: new Date(run.finishedAt),
  });
  return { evidence: { format: EVIDENCE_FORMAT, toolVersion: '0.1.0', jobs, configs: {} }, result };
}

const today = [softwareVersions, flaky, noEvidence, fakeProbe('down', { scope: 'host' })];
const info = { bundledAdvisories: BUNDLED_VULN_DATA.advisories.length };

describe('reassessRun', () => {
  it('the same data gives the same findings; what cannot be judged again is kept and counted', () => {
    const { evidence, result } = stored();
    const again = reassessRun({ stored: result, evidence, probes: today, vulnData: BUNDLED_VULN_DATA, vulnInfo: info, toolVersion: '0.2.0', now: new Date('2026-12-07T00:00:00Z') });
    // gone-probe's findings cannot be rebuilt without its catalogue entry; everything else is equal
    expect(again.findings).toEqual(result.findings.filter((f) => f.probe !== 'gone-probe'));
    expect(again.run.reassessed).toEqual({
      at: '2026-12-07T00:00:00.000Z', scannedWith: '0.1.0', assessedJobs: 2, keptJobs: 3,
      kept: { 'probe no longer in iotcop': 1, 'evidence not stored': 1, 'did not finish in the scan': 1 },
    });
    expect(again.tool.version).toBe('0.2.0');
    expect(again.findings.find((f) => f.check === 'big')?.status).toBe('fail'); // kept as scanned
  });

  it('new vulnerability data changes the judgement of the same evidence', () => {
    const { evidence, result } = stored();
    const extra: Advisory = { id: 'OSV-T', product: 'lighttpd', affected: [{ introduced: '1.4.60', fixed: '1.4.99' }], cves: ['CVE-2099-0001'], severity: 'critical', summary: 't', source: ['osv:t'] };
    const vulnData = { ...BUNDLED_VULN_DATA, advisories: [...BUNDLED_VULN_DATA.advisories, extra] };
    const before = result.findings.filter((f) => f.check === 'vulnerable-software').map((f) => [f.port ?? null, f.status]);
    const again = reassessRun({ stored: result, evidence, probes: today, vulnData, vulnInfo: { ...info, vulnDbAdvisories: 1 }, toolVersion: '0.2.0', now: new Date() });
    expect(before).toEqual([[null, 'pass']]);
    expect(again.findings.filter((f) => f.check === 'vulnerable-software').map((f) => [f.port ?? null, f.status, f.severity])).toEqual([[80, 'fail', 'critical']]);
    expect(again.run.vulnData).toEqual({ ...info, vulnDbAdvisories: 1 });
  });

  it('an assess that throws on the stored evidence is an error finding, not the old result and not a pass', () => {
    const { evidence, result } = stored();
    const again = reassessRun({ stored: result, evidence, probes: [softwareVersions, nowThrows], vulnData: BUNDLED_VULN_DATA, vulnInfo: info, toolVersion: '0.2.0', now: new Date() });
    expect(again.findings.filter((f) => f.probe === 'flaky').map((f) => f.status)).toEqual(['error']);
  });
});
