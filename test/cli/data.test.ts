/**
 * `iotcop data update --from FILE|DIR` / `iotcop data status` and scans that use the store offline: an
 * imported OSV record marks the version a loopback server announces as vulnerable (the finding changes
 * from pass to fail), the CISA KEV catalogue raises it to high and says so, the result records the data's
 * version and age, and damaged input is a usage error.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Finding, ScanResult } from '../../src/report/model.js';
import { applyKev, parseKev } from '../../src/store/vuln-store.js';
import { bannerServer, iotcop, root, tempDir } from '../api/loopback.js';

/** An OSV record in the shape osv.dev publishes for Debian: package lighttpd, a Debian version list. */
export function osvRecord(version: string, id = 'TEST-2026-0001', cve = 'CVE-2099-0001'): object {
  return {
    schema_version: '1.6.0', id, aliases: [cve], modified: '2026-12-01T00:00:00Z', published: '2026-12-01T00:00:00Z',
    summary: `test record: lighttpd ${version} marked vulnerable by an imported OSV dump`,
    affected: [{ package: { ecosystem: 'Debian:12', name: 'lighttpd' }, versions: [`${version}-1`] }],
    database_specific: { severity: 'MODERATE' },
  };
}

/** A CISA KEV catalogue in the published JSON feed's shape, with one entry. */
export function kevCatalogue(cve = 'CVE-2099-0001'): object {
  return {
    title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: '2026.12.01', dateReleased: '2026-12-01T12:00:00.000Z', count: 1,
    vulnerabilities: [{
      cveID: cve, vendorProject: 'lighttpd', product: 'lighttpd', vulnerabilityName: 'lighttpd test entry', dateAdded: '2026-12-01',
      shortDescription: 'test', requiredAction: 'Apply updates', dueDate: '2026-12-22', knownRansomwareCampaignUse: 'Unknown', notes: '', cwes: [],
    }],
  };
}

const vulnFinding = (r: ScanResult): Finding | undefined => r.findings.find((f) => f.check === 'vulnerable-software' && f.port !== undefined)
  ?? r.findings.find((f) => f.check === 'vulnerable-software');

describe('iotcop data', () => {
  let server: Awaited<ReturnType<typeof bannerServer>>;
  const home = tempDir('iotcop-data-home-');
  const env = { XDG_DATA_HOME: home, NO_COLOR: '1' };
  const store = join(home, 'iotcop', 'vuln-data');
  const scanJson = async (): Promise<ScanResult> => {
    const r = await iotcop(['scan', '127.0.0.1', '--ports', String(server.port), '--safety', 'safe', '--only', 'software-versions', '--json', '--no-history', '--fail-on', 'never', '--quiet'], env);
    if (r.code !== 0) throw new Error(`scan exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as ScanResult;
  };

  beforeAll(async () => { server = await bannerServer('lighttpd/1.4.77'); });
  afterAll(async () => { await server.close(); });

  it('an imported OSV dump and the KEV catalogue change the finding; the result says how old the data is', async () => {
    const before = await scanJson();
    expect(vulnFinding(before)?.status).toBe('pass');
    expect(before.run.vulnData?.store).toBeUndefined();

    const status0 = await iotcop(['data', 'status'], env);
    expect(status0.stdout).toMatch(/no vulnerability data store/);

    const dumps = tempDir('iotcop-osv-');
    mkdirSync(join(dumps, 'osv'));
    writeFileSync(join(dumps, 'osv', 'TEST-2026-0001.json'), JSON.stringify(osvRecord('1.4.77')));
    writeFileSync(join(dumps, 'osv', 'OTHER-1.json'), JSON.stringify({ ...osvRecord('1.4.77', 'OTHER-1'), affected: [{ package: { ecosystem: 'npm', name: 'left-pad' }, versions: ['1.0.0'] }] }));
    const up = await iotcop(['data', 'update', '--from', join(dumps, 'osv')], env);
    expect(up.code).toBe(0);
    expect(up.stdout).toMatch(/version 1; 1 OSV advisories .*1 not about them/);
    expect(statSync(join(store, 'manifest.json')).mode & 0o777).toBe(0o600);

    const osvOnly = await scanJson();
    const f1 = vulnFinding(osvOnly)!;
    expect(f1.status).toBe('fail');
    expect(f1.severity).toBe('medium');
    expect(JSON.stringify(f1.evidence)).toContain('CVE-2099-0001');
    expect(osvOnly.run.vulnData?.store).toMatchObject({ version: 1, ageDays: 0, osvAdvisories: 1, kevEntries: 0 });

    writeFileSync(join(dumps, 'kev.json'), JSON.stringify(kevCatalogue()));
    const up2 = await iotcop(['data', 'update', '--from', join(dumps, 'kev.json')], env);
    expect(up2.code).toBe(0);
    const withKev = await scanJson();
    const f2 = vulnFinding(withKev)!;
    expect(f2.status).toBe('fail');
    expect(f2.severity).toBe('high');
    expect(JSON.stringify(f2.evidence)).toMatch(/Known Exploited Vulnerabilities/);
    // The KEV-only update kept the OSV part: version 2 has both.
    expect(withKev.run.vulnData?.store).toMatchObject({ version: 2, osvAdvisories: 1, kevEntries: 1, kevCatalogVersion: '2026.12.01' });
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    expect(ajv.validate(JSON.parse(readFileSync(join(root, 'schema/scan-result.schema.json'), 'utf8')) as object, withKev)).toBe(true);

    // Age: a store updated 40 days ago says so in the status and in the result.
    const manifestPath = join(store, 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { updatedAt: string };
    m.updatedAt = new Date(Date.now() - 40 * 86_400_000).toISOString();
    writeFileSync(manifestPath, JSON.stringify(m));
    const st = await iotcop(['data', 'status'], env);
    expect(st.stdout).toMatch(/version 2, updated .* \(40 days ago\)/);
    expect(st.stdout).toMatch(/CISA KEV: catalogue 2026\.12\.01/);
    const stJson = JSON.parse((await iotcop(['data', 'status', '--json'], env)).stdout) as { version: number; ageDays: number };
    expect(stJson).toMatchObject({ version: 2, ageDays: 40 });
    expect((await scanJson()).run.vulnData?.store?.ageDays).toBe(40);
  }, 300_000);

  it('refuses input it cannot use, and a damaged store, with exit 2', async () => {
    const dir = tempDir('iotcop-bad-data-');
    writeFileSync(join(dir, 'broken.json'), '{"catalogVersion": "x", "vulnerabilities": [{"cveID": "nope"}]}');
    const bad = await iotcop(['data', 'update', '--from', join(dir, 'broken.json')], { XDG_DATA_HOME: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/not a CISA KEV catalogue/);
    const none = await iotcop(['data', 'update'], { XDG_DATA_HOME: dir });
    expect(none.code).toBe(2);
    expect(existsSync(join(dir, 'iotcop', 'vuln-data', 'manifest.json'))).toBe(false);
    mkdirSync(join(dir, 'iotcop', 'vuln-data'), { recursive: true });
    writeFileSync(join(dir, 'iotcop', 'vuln-data', 'manifest.json'), '{"formatVersion": 99}');
    const damaged = await iotcop(['data', 'status'], { XDG_DATA_HOME: dir });
    expect(damaged.code).toBe(2);
    expect(damaged.stderr).toMatch(/vulnerability data store .*manifest\.json/);
  }, 120_000);

  it('applyKev raises only the advisories whose CVE CISA lists, and notes why', () => {
    const kev = parseKev(kevCatalogue('CVE-2099-0002'), 'test');
    const map = new Map(kev.entries.map((e) => [e.cve, e]));
    const [hit, miss, crit] = applyKev([
      { id: 'a', product: 'lighttpd', versions: ['1'], cves: ['CVE-2099-0002'], severity: 'low', summary: 's', source: ['x'] },
      { id: 'b', product: 'lighttpd', versions: ['1'], cves: ['CVE-2099-0003'], severity: 'low', summary: 's', source: ['x'] },
      { id: 'c', product: 'lighttpd', versions: ['1'], cves: ['CVE-2099-0002'], severity: 'critical', summary: 's', source: ['x'] },
    ], map);
    expect(hit).toMatchObject({ severity: 'high' });
    expect(hit!.note).toMatch(/CVE-2099-0002 is in CISA's Known Exploited Vulnerabilities catalogue \(added 2026-12-01\)/);
    expect(miss).toMatchObject({ severity: 'low' });
    expect(miss!.note).toBeUndefined();
    expect(crit).toMatchObject({ severity: 'critical' });
  });
});
