/**
 * `iotcop report RUN --reassess` on the built CLI: a scan of a loopback web server announcing
 * lighttpd/1.4.76 is stored with its evidence; judging it again gives the same findings; judging it
 * again with an OSV file that knows a (fictitious) lighttpd flaw gives a new failure, with nothing
 * rescanned (the web server is closed by then). Bad uses are one line, exit 2.
 */
import { describe, expect, it, beforeAll } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bannerServer, iotcop, tempDir } from '../api/loopback.js';
import { loopbackImport } from '../store/fixtures.js';
import type { Finding, ScanResult } from '../../src/model.js';

const OSV = {
  id: 'GHSA-xxxx-reassess', aliases: ['CVE-2099-1111'], summary: 'lighttpd test flaw', database_specific: { severity: 'HIGH' },
  affected: [{ package: { ecosystem: 'GIT-ish', name: 'lighttpd' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.4.60' }, { fixed: '1.4.77' }] }] }],
};

let dir: string;
let db: string;
let env: Record<string, string>;
let scanned: ScanResult;

function resultIn(out: string): ScanResult {
  const file = readdirSync(out).find((f) => f.endsWith('.json'));
  if (!file) throw new Error(`no JSON report in ${out}`);
  return JSON.parse(readFileSync(join(out, file), 'utf8')) as ScanResult;
}
const brief = (fs: Finding[]) => fs.map((f) => `${f.check}:${f.port ?? '-'}:${f.status}`);

beforeAll(async () => {
  dir = tempDir('iotcop-reassess-');
  db = join(dir, 'history.db');
  // an empty offline store: only the bundled data and --vuln-db count.
  env = { IOTCOP_DATA_DIR: join(dir, 'no-store'), NO_COLOR: '1' };
  const web = await bannerServer('lighttpd/1.4.76');
  try {
    const xml = loopbackImport(dir, 'web.xml', [{ port: web.port, service: 'http' }]);
    const out = join(dir, 'scan');
    const r = await iotcop(['scan', '--nmap-xml', xml, '--safety', 'safe', '--db', db, '--format', 'json', '--out', out, '--fail-on', 'never', '-q'], env);
    expect(r.code).toBe(0);
    scanned = resultIn(out);
  } finally {
    await web.close();
  }
  writeFileSync(join(dir, 'osv.json'), JSON.stringify(OSV));
});

describe('report --reassess', () => {
  it('judges the stored evidence again: with the same data, the same findings, and the report says so', async () => {
    expect(brief(scanned.findings)).toContain(`vulnerable-software:-:pass`);
    const out = join(dir, 'same');
    const r = await iotcop(['report', 'last', '--db', db, '--reassess', '--format', 'json,markdown,html', '--out', out], env);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/re-assessed from its stored evidence: \d+ jobs judged again, 0 kept as scanned; nothing was rescanned/);
    const again = resultIn(out);
    expect(again.findings).toEqual(scanned.findings);
    expect(again.devices).toEqual(scanned.devices);
    expect(again.summary).toEqual(scanned.summary);
    expect(again.run.reassessed).toMatchObject({ scannedWith: scanned.tool.version, keptJobs: 0 });
    expect(again.run.reassessed?.assessedJobs).toBeGreaterThan(3);
    const md = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.md'))!), 'utf8');
    expect(md).toMatch(/Judged again on .* from the evidence this scan stored, with today's vulnerability data and policies; nothing was rescanned/);
    const html = readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.html'))!), 'utf8');
    expect(html).toMatch(/<p class="notice"><bdi>Judged again on .* from the evidence this scan stored/);
  });

  it('with new vulnerability data (--vuln-db), the same evidence fails: nothing is rescanned', async () => {
    const out = join(dir, 'osv');
    const r = await iotcop(['report', 'last', '--db', db, '--reassess', '--vuln-db', join(dir, 'osv.json'), '--format', 'json', '--out', out], env);
    expect(r.code).toBe(0);
    const again = resultIn(out);
    const vuln = again.findings.filter((f) => f.check === 'vulnerable-software');
    expect(vuln.map((f) => [f.port, f.status])).toEqual([[scanned.devices[0]!.services[0]!.port, 'fail']]);
    expect(JSON.stringify(vuln[0])).toMatch(/CVE-2099-1111/);
    expect(again.run.vulnData?.vulnDbAdvisories).toBe(1);
    // everything else is judged as before
    const others = (fs: Finding[]) => brief(fs.filter((f) => f.check !== 'vulnerable-software'));
    expect(others(again.findings)).toEqual(others(scanned.findings));
    expect(again.summary.failingGuidelines).toContain('uk-cop-3');
    expect(scanned.summary.failingGuidelines).not.toContain('uk-cop-3');
  });

  it('a saved JSON file, --vuln-db without --reassess, and a run without evidence are one line, exit 2', async () => {
    const file = join(dir, 'scan', readdirSync(join(dir, 'scan')).find((f) => f.endsWith('.json'))!);
    const fromFile = await iotcop(['report', file, '--reassess'], env);
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr.trim()).toMatch(/^iotcop: .*\.json is a saved JSON result, which holds no evidence; --reassess needs a run from the history/);
    const noFlag = await iotcop(['report', 'last', '--db', db, '--vuln-db', join(dir, 'osv.json')], env);
    expect(noFlag.code).toBe(2);
    expect(noFlag.stderr.trim()).toBe('iotcop: --vuln-db only applies with --reassess (a stored report is shown as it was judged)');
    // a run saved without evidence (as `merge` and older versions store them)
    const bare = join(dir, 'bare.db');
    const merged = await iotcop(['merge', file, '--db', bare, '--allow-missing', '--format', 'json', '--out', join(dir, 'merged'), '-q', '--fail-on', 'never'], env);
    expect(merged.code).toBe(0);
    const none = await iotcop(['report', 'last', '--db', bare, '--reassess'], env);
    expect(none.code).toBe(2);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toMatch(/cannot be re-assessed: .*; scan again to judge it with today's data/);
  });
});
