/**
 * Offline vulnerability data on the lab (issue 19): an OSV record imported with `iotcop data update` marks
 * the OpenSSH version Debian installed on the lab (read with dpkg-query, as osv.dev's Debian records name
 * it) as vulnerable, and the scan of the well-configured device 10.231.0.13 then reports that record on its
 * SSH port — with no network access from the lab namespace. Because the banner names a Debian package the
 * match is `info` (distributions backport fixes), exactly as for the bundled advisories; the KEV catalogue
 * marks it as known exploited. The import goes to a private data directory, so no other test sees it.
 */
import { describe, expect, it } from '@jest/globals';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { Finding, ScanResult } from '../../src/report/model.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const main = `${root}dist/cli/main.js`;
const DEVICE = '10.231.0.13';

async function scanDevice(dataHome: string): Promise<ScanResult> {
  const { stdout } = await run('bash', [`${root}lab/lab`, 'exec', '--', process.execPath, main, 'scan', DEVICE, '--safety', 'safe',
    '--only', 'software-versions', '--json', '--no-history', '--fail-on', 'never', '--quiet'],
  { timeout: 300_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: dataHome } });
  return JSON.parse(stdout) as ScanResult;
}

const sshFinding = (r: ScanResult): Finding | undefined => r.findings.find((f) => f.check === 'vulnerable-software' && f.port === 22);

describe('iotcop data update on the lab', () => {
  it('an imported OSV record for the installed OpenSSH, plus KEV, is reported on the lab device', async () => {
    const version = execFileSync('dpkg-query', ['-W', '-f=${Version}', 'openssh-server'], { encoding: 'utf8' }).trim();
    expect(version).toMatch(/^1:\d+\.\d+p\d+-/);
    const dataHome = mkdtempSync(join(tmpdir(), 'iotcop-e2e-vulndata-'));

    const before = await scanDevice(dataHome);
    expect(JSON.stringify(sshFinding(before)?.evidence ?? null)).not.toContain('IOTCOP-LAB-0001');

    const dumps = join(dataHome, 'dumps');
    mkdirSync(dumps);
    writeFileSync(join(dumps, 'IOTCOP-LAB-0001.json'), JSON.stringify({
      schema_version: '1.6.0', id: 'IOTCOP-LAB-0001', aliases: ['CVE-2099-1001'], modified: '2026-12-01T00:00:00Z',
      summary: `lab test record: openssh ${version} as Debian 12 ships it`,
      affected: [{ package: { ecosystem: 'Debian:12', name: 'openssh' }, versions: [version] }],
      database_specific: { severity: 'HIGH' },
    }));
    writeFileSync(join(dumps, 'kev.json'), JSON.stringify({
      title: 'CISA Catalog of Known Exploited Vulnerabilities', catalogVersion: '2026.12.01', dateReleased: '2026-12-01T12:00:00.000Z', count: 1,
      vulnerabilities: [{ cveID: 'CVE-2099-1001', vendorProject: 'OpenBSD', product: 'OpenSSH', vulnerabilityName: 'lab test entry', dateAdded: '2026-12-01',
        shortDescription: 'test', requiredAction: 'Apply updates', dueDate: '2026-12-22', knownRansomwareCampaignUse: 'Unknown', notes: '' }],
    }));
    await run(process.execPath, [main, 'data', 'update', '--from', dumps], { env: { ...process.env, XDG_DATA_HOME: dataHome }, timeout: 60_000 });

    const after = await scanDevice(dataHome);
    const f = sshFinding(after)!;
    expect(f).toBeDefined();
    const evidence = JSON.stringify(f.evidence);
    expect(evidence).toContain('IOTCOP-LAB-0001');
    expect(evidence).toContain('CVE-2099-1001');
    expect(evidence).toMatch(/Known Exploited Vulnerabilities/);
    expect(f.description).toContain('CVE-2099-1001');
    // A Debian package banner: reported, but as info (backports), never as a fail on the well-configured device.
    expect(f.status).toBe('info');
    expect(after.findings.filter((x) => x.status === 'fail')).toEqual([]);
    expect(after.run.vulnData?.store).toMatchObject({ version: 1, ageDays: 0, osvAdvisories: 1, kevEntries: 1 });
    expect(before.run.vulnData?.store).toBeUndefined();
  }, 600_000);
});
