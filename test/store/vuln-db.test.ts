import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VulnDbError, cvss3BaseScore, loadVulnDb, osvToAdvisories } from '../../src/store/vuln-db.js';
import softwareVersions from '../../src/probes/software-versions.js';
import { BUNDLED_VULN_DATA } from '../../src/probes/lib/versions.js';
import { isAffected } from '../../src/probes/lib/versions.js';

const semver = {
  id: 'GHSA-xxxx-test', aliases: ['CVE-2099-1111'], summary: 'lighttpd test flaw',
  database_specific: { severity: 'HIGH' },
  affected: [{ package: { ecosystem: 'GIT-ish', name: 'lighttpd' }, ranges: [{ type: 'SEMVER', events: [{ introduced: '1.4.60' }, { fixed: '1.4.77' }] }] }],
};
const debian = {
  id: 'DEBIAN-CVE-2099-2222', aliases: ['CVE-2099-2222'], details: 'openssh in Debian',
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
  affected: [{ package: { ecosystem: 'Debian:12', name: 'openssh' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '1:9.2p1-2+deb12u3' }] }] }],
};
const gitOnly = { id: 'OSV-GIT', affected: [{ package: { name: 'dnsmasq' }, ranges: [{ type: 'GIT', events: [{ introduced: 'abc' }, { fixed: 'def' }] }] }] };
const withdrawn = { ...semver, id: 'GHSA-withdrawn', withdrawn: '2024-01-01T00:00:00Z' };
const unknown = { id: 'PYSEC-1', affected: [{ package: { ecosystem: 'PyPI', name: 'requests' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '2.0' }] }] }] };
const versionsList = { id: 'OSV-VERS', affected: [{ package: { name: 'vsftpd' }, versions: ['2.3.4', '2.3.5'] }] };
const lastAffected = { id: 'OSV-LAST', database_specific: { severity: 'MODERATE' }, affected: [{ package: { name: 'dropbear-bin', ecosystem: 'Ubuntu:22.04' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '2020.79-1' }, { last_affected: '2022.83-1ubuntu1' }] }] }] };

describe('cvss3BaseScore', () => {
  test('matches FIRST calculator values', () => {
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(9.8);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H')).toBe(8.1);
    expect(cvss3BaseScore('CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H')).toBe(7.5);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N')).toBe(6.4);
    expect(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N')).toBe(0);
    expect(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P')).toBeNull();
  });
});

describe('osvToAdvisories', () => {
  test('keeps records for known products, converts ranges, skips the rest', () => {
    const { advisories, skipped } = osvToAdvisories([semver, debian, gitOnly, withdrawn, unknown, versionsList, lastAffected, 'junk', null]);
    expect(advisories.map((a) => [a.id, a.product, a.severity])).toEqual([
      ['GHSA-xxxx-test (GIT-ish)', 'lighttpd', 'high'],
      ['DEBIAN-CVE-2099-2222 (Debian:12)', 'openssh', 'critical'],
      ['OSV-VERS', 'vsftpd', 'medium'],
      ['OSV-LAST (Ubuntu:22.04)', 'dropbear', 'medium'],
    ]);
    expect(skipped).toBe(5);
    const [light, ssh, vers, last] = advisories;
    expect(light?.affected).toEqual([{ introduced: '1.4.60', fixed: '1.4.77' }]);
    expect(light?.cves).toEqual(['CVE-2099-1111']);
    expect(ssh?.affected).toEqual([{ fixed: '9.2p1' }]);
    expect(ssh?.note).toMatch(/Debian:12/);
    expect(vers?.versions).toEqual(['2.3.4', '2.3.5']);
    expect(last?.affected).toEqual([{ introduced: '2020.79', lastAffected: '2022.83' }]);
    expect(isAffected('1.4.76', light!)).toBe(true);
    expect(isAffected('1.4.77', light!)).toBe(false);
    expect(light?.source[0]).toBe('https://osv.dev/vulnerability/GHSA-xxxx-test');
  });

  test('the converted advisories drive the software-versions probe', () => {
    const vulnData = { ...BUNDLED_VULN_DATA, advisories: [...BUNDLED_VULN_DATA.advisories, ...osvToAdvisories([semver]).advisories] };
    const device = { address: '10.0.0.1', hostnames: [], name: 'x', identification: { type: 'unknown' as const, confidence: 'low' as const, sources: [] }, services: [] };
    const r = softwareVersions.assess({ grabs: [{ port: 80, kind: 'http-server', value: 'lighttpd/1.4.76' }] }, { device, devices: [device], now: new Date('2026-01-01'), vulnData });
    expect(r[0]?.status).toBe('fail');
    expect(r[0]?.detail).toMatch(/CVE-2099-1111/);
  });
});

describe('loadVulnDb', () => {
  let dir: string;
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'iotcop-vulndb-')); });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a single record, an array, {vulns}, JSON lines, and a directory', async () => {
    writeFileSync(join(dir, 'one.json'), JSON.stringify(semver));
    writeFileSync(join(dir, 'many.json'), JSON.stringify([debian, unknown]));
    writeFileSync(join(dir, 'api.json'), JSON.stringify({ vulns: [versionsList] }));
    writeFileSync(join(dir, 'lines.jsonl'), `${JSON.stringify(lastAffected)}\n${JSON.stringify(gitOnly)}\n`);
    expect((await loadVulnDb(join(dir, 'one.json'))).advisories).toHaveLength(1);
    expect((await loadVulnDb(join(dir, 'many.json'))).stats).toMatchObject({ files: 1, records: 2, advisories: 1, skippedRecords: 1 });
    expect((await loadVulnDb(join(dir, 'api.json'))).advisories[0]?.product).toBe('vsftpd');
    expect((await loadVulnDb(join(dir, 'lines.jsonl'))).advisories[0]?.product).toBe('dropbear');
    const all = await loadVulnDb(dir);
    expect(all.stats).toMatchObject({ files: 4, records: 6, advisories: 4 });
  });

  test('broken files are reported; nothing readable is an error', async () => {
    const sub = join(dir, 'broken');
    mkdirSync(sub);
    writeFileSync(join(sub, 'bad.json'), '{ not json');
    await expect(loadVulnDb(sub)).rejects.toBeInstanceOf(VulnDbError);
    writeFileSync(join(sub, 'good.json'), JSON.stringify(semver));
    const r = await loadVulnDb(sub);
    expect(r.stats.errors).toEqual([expect.stringMatching(/bad\.json: not valid JSON/)]);
    await expect(loadVulnDb(join(dir, 'missing.json'))).rejects.toThrow(/cannot read/);
  });
});
