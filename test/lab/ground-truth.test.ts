import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CHECK_PROBES, PROBE_GUIDELINES, checkGroundTruth, countAuthAttempts, parseGroundTruth, validateGroundTruth,
} from './ground-truth.js';
import type { GroundTruth } from './ground-truth.js';
import type {
  DeviceResult, Finding, GuidelineId, GuidelineVerdict, ScanResult, Service, Verdict,
} from '../../src/report/model.js';
import { SCHEMA_VERSION } from '../../src/report/model.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const truthJson: unknown = JSON.parse(readFileSync(`${root}lab/ground-truth.json`, 'utf8'));

/** A scan result that reports exactly what the ground truth asks for. */
function perfectResult(truth: GroundTruth): ScanResult {
  let n = 0;
  const finding = (device: string, f: Partial<Finding> & Pick<Finding, 'check' | 'status'>): Finding => ({
    id: `f${n++}`, probe: CHECK_PROBES[f.check] ?? 'unknown', device, severity: 'high', confidence: 'high',
    title: f.check, description: 'd', remediation: 'r', guidelines: [], provisions: [], evidence: {}, ...f,
  });
  const findings: Finding[] = [];
  const devices: DeviceResult[] = truth.devices.map((d) => {
    for (const e of d.mustFind) {
      findings.push(finding(d.address, {
        check: e.check, status: e.status, port: e.port, transport: e.transport,
        ...(e.credential ? { credential: { ...e.credential, masked: false } } : {}),
      }));
    }
    const services: Service[] = d.openPorts.map((p) => ({ port: p.port, transport: p.transport, state: 'open', name: p.service }));
    const guidelines: GuidelineVerdict[] = Object.entries(d.verdicts)
      .map(([id, verdict]) => ({ id: id as GuidelineId, verdict: verdict as Verdict, findings: [] }));
    return {
      address: d.address, mac: d.mac, hostnames: [], name: d.name,
      identification: { type: 'unknown', confidence: 'low', sources: [] },
      services, guidelines,
      psti: { noUniversalDefaultPassword: 'not-tested', disclosurePolicy: 'unknown', supportPeriod: 'unknown' },
    };
  });
  const addressOf = new Map(truth.devices.map((d) => [d.name, d.address]));
  for (const r of truth.runFindings) {
    findings.push(finding('*', { check: r.check, status: r.status, evidence: { devices: r.devices.map((x) => addressOf.get(x) ?? x) } }));
  }
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'iotcop', version: '0.0.0-test' },
    run: {
      id: 'run-1', startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:01:00.000Z', durationMs: 60_000,
      targets: [truth.subnet], autoTargets: false,
      options: {
        safety: 'credentials', exclude: [], allowPublic: false, maxHosts: 256, timeoutMs: 600_000, concurrency: 16,
        perHost: 2, revealCredentials: true, only: [], skip: [], failOn: 'high',
      },
      capabilities: { nmap: null, privileged: true, scanType: 'connect', notices: [] },
      partial: false,
    },
    devices, findings, skipped: [], errors: [],
    summary: {
      devices: devices.length, services: 0,
      findings: { fail: 0, warn: 0, partial: 0, pass: 0, info: 0, not_applicable: 0, error: 0, not_tested: 0 },
      bySeverity: { critical: 0, high: 0, medium: 0, low: 0, info: 0 },
      failingGuidelines: [], worst: null,
    },
  };
}

const truth = parseGroundTruth(truthJson);
const device = (name: string) => {
  const d = truth.devices.find((x) => x.name === name);
  if (!d) throw new Error(`no device ${name} in the ground truth`);
  return d;
};

describe('lab/ground-truth.json', () => {
  it('validates against the schema and is consistent', () => {
    expect(validateGroundTruth(truth)).toEqual([]);
  });

  it('covers every persona the lab starts, at the addresses lab/lab uses', () => {
    expect(truth.devices.map((d) => `${d.name}=${d.address}`)).toEqual([
      'camera=10.231.0.10', 'router=10.231.0.11', 'hub=10.231.0.12', 'secure=10.231.0.13', 'printer=10.231.0.14',
      'nas=10.231.0.15', 'silent=10.231.0.16', 'trap-anyweb=10.231.0.20', 'trap-anytelnet=10.231.0.21', 'trap-lockout=10.231.0.22',
      'homebridge=10.231.0.23', 'nodered=10.231.0.24', 'transmission=10.231.0.25',
      'web-hikvision-isapi=10.231.0.30', 'web-dahua-rpc2=10.231.0.31', 'web-tp-link-cookie=10.231.0.32', 'web-synology-dsm=10.231.0.33',
      'web-openwrt-luci=10.231.0.34', 'web-zyxel-encrypted=10.231.0.35', 'web-reolink-json=10.231.0.36', 'web-asus-router=10.231.0.37',
      'web-fail-open=10.231.0.38', 'web-unknown-login=10.231.0.39', 'legacy-tls=10.231.0.40',
    ]);
    expect(device('silent').openPorts).toEqual([]);
    expect(device('secure').mustNotFind).toContainEqual(expect.objectContaining({ status: 'fail' }));
  });

  it('names only checks some registered probe reports (the map comes from the probes\' meta)', () => {
    expect(Object.keys(CHECK_PROBES).length).toBeGreaterThan(40);
    expect(CHECK_PROBES['tls-weak-cipher']).toBe('tls-configuration');
    expect(PROBE_GUIDELINES['ftp-anonymous']).toEqual([8, 5]);
    const used = [
      ...truth.devices.flatMap((d) => [...d.mustFind.map((e) => e.check), ...d.mustNotFind.flatMap((r) => (r.check ? [r.check] : []))]),
      ...truth.runFindings.map((r) => r.check),
    ];
    expect(used.filter((c) => !(c in CHECK_PROBES))).toEqual([]);
  });

  it('rejects a malformed file and an unknown check id', () => {
    const broken = structuredClone(truthJson) as { devices: { mac: string }[] };
    broken.devices[0]!.mac = 'not-a-mac';
    expect(() => parseGroundTruth(broken)).toThrow(/MAC/);
    const unknown = structuredClone(truth);
    unknown.devices[0]!.mustFind.push({ check: 'telnet-is-scary', status: 'fail' });
    expect(validateGroundTruth(unknown)).toEqual([expect.stringContaining('unknown check id telnet-is-scary')]);
  });
});

describe('checkGroundTruth', () => {
  it('finds nothing wrong with a result that reports exactly the ground truth', () => {
    expect(checkGroundTruth(perfectResult(truth), truth)).toEqual([]);
  });

  it('fails when a probe stops reporting an expected finding', () => {
    const result = perfectResult(truth);
    result.findings = result.findings.filter((f) => !(f.device === '10.231.0.10' && f.check === 'telnet-default-credentials'));
    expect(checkGroundTruth(result, truth)).toEqual([
      'camera (10.231.0.10): expected finding missing: telnet-default-credentials fail on 23/tcp (found no telnet-default-credentials result)',
    ]);
  });

  it('says what was found instead when the status is wrong', () => {
    const result = perfectResult(truth);
    const f = result.findings.find((x) => x.device === '10.231.0.15' && x.check === 'tls-certificate-expired')!;
    f.status = 'pass';
    expect(checkGroundTruth(result, truth)).toEqual([
      'nas (10.231.0.15): expected finding missing: tls-certificate-expired fail on 443/tcp (found tls-certificate-expired pass on 443/tcp)',
    ]);
  });

  it('fails when anything fails on the well-configured device', () => {
    const result = perfectResult(truth);
    result.findings.push({ ...result.findings[0]!, id: 'extra', device: '10.231.0.13', check: 'tls-weak-cipher', status: 'fail', port: 443, transport: 'tcp', title: 'Weak TLS cipher offered' });
    const v = checkGroundTruth(result, truth);
    expect(v).toContain('secure (10.231.0.13): forbidden finding: tls-weak-cipher fail on 443/tcp "Weak TLS cipher offered" (rule: no any check fail)');
    expect(v).toContain('secure (10.231.0.13): forbidden finding: tls-weak-cipher fail on 443/tcp "Weak TLS cipher offered" (rule: no tls-weak-cipher fail/warn)');
  });

  it('fails when a trap is reported as a default credential', () => {
    const result = perfectResult(truth);
    result.findings.push({ ...result.findings[0]!, id: 'fp', device: '10.231.0.20', check: 'http-default-credentials', status: 'fail', port: 80, transport: 'tcp', title: 'HTTP accepts a default credential' });
    expect(checkGroundTruth(result, truth)).toEqual([
      expect.stringMatching(/^trap-anyweb \(10\.231\.0\.20\): forbidden finding: http-default-credentials fail on 80\/tcp/),
    ]);
  });

  it('checks the credential a default-credential finding names', () => {
    const result = perfectResult(truth);
    const f = result.findings.find((x) => x.device === '10.231.0.11' && x.check === 'ssh-default-credentials')!;
    f.credential = { username: 'admin', password: 'admin', masked: false };
    expect(checkGroundTruth(result, truth)).toEqual(['router (10.231.0.11): ssh-default-credentials on 22/tcp names the wrong password for admin']);
    f.credential = { username: 'ad***', password: '12***', masked: true };
    expect(checkGroundTruth(result, truth)).toEqual(['router (10.231.0.11): ssh-default-credentials on 22/tcp names user ad***, expected admin']);
    f.credential = { username: 'admin', password: '12***', masked: true };
    expect(checkGroundTruth(result, truth)).toEqual([]);
  });

  it('reports missing and unexpected ports, a wrong MAC, a missing device and a wrong verdict', () => {
    const result = perfectResult(truth);
    const printer = result.devices.find((d) => d.address === '10.231.0.14')!;
    printer.services = printer.services.filter((s) => s.port !== 161);
    printer.services.push({ port: 631, transport: 'tcp', state: 'open', name: 'ipp' });
    printer.mac = '3C:D9:2B:00:00:00';
    const camera = result.devices.find((d) => d.address === '10.231.0.10')!;
    camera.guidelines = camera.guidelines.map((g) => (g.id === 'uk-cop-1' ? { ...g, verdict: 'pass' } : g));
    result.devices = result.devices.filter((d) => d.address !== '10.231.0.16');
    expect(checkGroundTruth(result, truth)).toEqual([
      'camera (10.231.0.10): verdict uk-cop-1 is pass, expected fail',
      'printer (10.231.0.14): MAC 3C:D9:2B:00:00:00, expected 3c:d9:2b:7a:3b:0e',
      'printer (10.231.0.14): port missing: 161/udp (snmp, snmpd (rocommunity public))',
      'printer (10.231.0.14): unexpected open port 631/tcp (ipp)',
      'silent (10.231.0.16): device missing from the scan result',
    ]);
    expect(checkGroundTruth(result, truth, { ports: 'tcp' })).not.toContain('printer (10.231.0.14): port missing: 161/udp (snmp, snmpd (rocommunity public))');
  });

  it('requires the run-scope shared host key finding to name both devices', () => {
    const result = perfectResult(truth);
    const shared = result.findings.find((f) => f.check === 'shared-host-key')!;
    shared.evidence = { devices: ['10.231.0.11'] };
    expect(checkGroundTruth(result, truth)).toEqual(['run: expected finding missing: shared-host-key fail across router, nas']);
  });

  it('with opts.probes, only asks for what the registered probes can report', () => {
    const empty: ScanResult = { ...perfectResult(truth), findings: [] };
    empty.devices = empty.devices.map((d) => ({ ...d, guidelines: [] }));
    // nothing registered: no expectation applies, ports and devices still do
    expect(checkGroundTruth(empty, truth, { probes: [] })).toEqual([]);
    // one probe registered: exactly its expectations are missing
    const v = checkGroundTruth(empty, truth, { probes: ['ftp-anonymous'] });
    // …but no verdict yet: uk-cop-8 also waits for cleartext-services (which maps to 5 and 8)
    expect(v).toEqual([
      'printer (10.231.0.14): expected finding missing: ftp-anonymous-access fail on 21/tcp (found no ftp-anonymous-access result)',
      'printer (10.231.0.14): expected finding missing: ftp-personal-files-cleartext fail on 21/tcp (found no ftp-personal-files-cleartext result)',
    ]);
    const both = checkGroundTruth(empty, truth, { probes: ['ftp-anonymous', 'cleartext-services'] });
    expect(both).toContain('printer (10.231.0.14): no verdict for uk-cop-8, expected fail');
    const withSnmp = checkGroundTruth(empty, truth, { probes: ['ftp-anonymous', 'snmp-default-community'] });
    expect(withSnmp).toContain('printer (10.231.0.14): no verdict for uk-cop-1, expected fail');
    // forbidden findings apply whatever is registered
    const bad = perfectResult(truth);
    bad.findings.push({ ...bad.findings[0]!, id: 'x', device: '10.231.0.13', check: 'https-hsts', status: 'warn', port: 443, transport: 'tcp', title: 'No HSTS' });
    expect(checkGroundTruth(bad, truth, { probes: [] })).toEqual([
      'secure (10.231.0.13): forbidden finding: https-hsts warn on 443/tcp "No HSTS" (rule: no https-hsts fail/warn)',
    ]);
  });
});

describe('countAuthAttempts', () => {
  it('counts the attempt lines of a trap log and ignores the rest', () => {
    const log = [
      '{"t":"2024-01-01T00:00:00.000Z","event":"listening","tcp":80}',
      '{"t":"2024-01-01T00:00:01.000Z","event":"request","outcome":"challenge","status":401}',
      '{"t":"2024-01-01T00:00:02.000Z","event":"attempt","username":"admin","passwordLength":5,"outcome":"failure"}',
      '{"t":"2024-01-01T00:00:03.000Z","event":"attempt","username":"admin","passwordLength":4,"outcome":"locked"}',
      'garbage',
      '',
    ].join('\n');
    expect(countAuthAttempts(log)).toBe(2);
    expect(countAuthAttempts('')).toBe(0);
  });

  it('counts one per login line of a web-login fake log', () => {
    const log = [
      '{"t":"2026-12-06T19:56:57.741Z","family":"fail-open","user":"iotcop28a4316f","result":"fail"}',
      '{"t":"2026-12-06T19:56:58.250Z","family":"fail-open","user":"admin","result":"ok"}',
      '{"t":"2026-12-06T19:56:58.300Z","family":"fail-open","note":"no result: not a login"}',
    ].join('\n');
    expect(countAuthAttempts(log)).toBe(2);
  });
});
