import probe, {
  assessSoftwareVersions, observationsFromDevice, tidy, type SoftwareVersionsView,
} from '../../src/probes/software-versions.js';
import { BUNDLED_VULN_DATA, type VersionObservation } from '../../src/probes/lib/versions.js';
import type { CheckResult } from '../../src/probes/contract.js';
import { startServer, type FakeServer } from '../net/fakes.js';
import { makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { startWeb, type FakeWeb } from './helpers/web-fake.js';

const NOW = new Date('2026-11-25T00:00:00Z');
const brief = (r: CheckResult[]) => r.map((x) => [x.check, x.port ?? '-', x.status, x.severity ?? '']);
const o = (product: string, version: string | undefined, port?: number, extra: Partial<VersionObservation> = {}): VersionObservation => ({
  product, source: 'http-server', raw: `${product}/${version ?? ''}`, ...(version ? { version } : {}), ...(port ? { port, transport: 'tcp' } : {}), ...extra,
});
const ev = (observations: VersionObservation[]): SoftwareVersionsView => ({ observations, grabs: [] });

describe('software-versions assess', () => {
  test('the lab router: lighttpd 1.4.35 on port 80 fails with the worst advisory severity', () => {
    const r = assessSoftwareVersions(ev([o('lighttpd', '1.4.35', 80)]), BUNDLED_VULN_DATA, NOW);
    expect(brief(r)).toEqual([
      ['vulnerable-software', 80, 'fail', 'high'],
      ['end-of-life-software', '-', 'not_applicable', ''],
    ]);
    expect(r[0]?.detail).toMatch(/CVE-2015-3200.*CVE-2018-19052.*fixed in 1\.4\.50/);
    expect(r[0]?.confidence).toBe('medium');
  });

  test('a current version passes; versions the data does not cover are not_applicable', () => {
    expect(brief(assessSoftwareVersions(ev([o('lighttpd', '1.4.76', 80)]), BUNDLED_VULN_DATA, NOW))[0]).toEqual(['vulnerable-software', '-', 'pass', '']);
    expect(brief(assessSoftwareVersions(ev([o('uhttpd', undefined, 80)]), BUNDLED_VULN_DATA, NOW))).toEqual([
      ['vulnerable-software', '-', 'not_applicable', ''], ['end-of-life-software', '-', 'not_applicable', ''],
    ]);
    expect(brief(assessSoftwareVersions(ev([]), BUNDLED_VULN_DATA, NOW))).toEqual([
      ['vulnerable-software', '-', 'not_applicable', ''], ['end-of-life-software', '-', 'not_applicable', ''],
    ]);
  });

  test('a distribution package (Debian OpenSSH 9.2p1) is only info: fixes are backported', () => {
    const r = assessSoftwareVersions(ev([o('openssh', '9.2p1', 22, { source: 'nmap-service', distro: 'debian' })]), BUNDLED_VULN_DATA, NOW);
    expect(brief(r)[0]).toEqual(['vulnerable-software', 22, 'info', '']);
    expect(r[0]?.detail).toMatch(/backport/);
  });

  test('vsftpd 2.3.4: the medium-severity advisory decides; the backdoor alone would only warn (low confidence)', () => {
    const r = assessSoftwareVersions(ev([o('vsftpd', '2.3.4', 21, { source: 'ftp-banner' })]), BUNDLED_VULN_DATA, NOW);
    expect(brief(r)[0]).toEqual(['vulnerable-software', 21, 'fail', 'medium']);
    expect(r[0]?.detail).toMatch(/CVE-2011-2523.*CVE-2015-1419/);
    const onlyBackdoor = { ...BUNDLED_VULN_DATA, advisories: BUNDLED_VULN_DATA.advisories.filter((a) => a.id === 'vsftpd-cve-2011-2523') };
    const w = assessSoftwareVersions(ev([o('vsftpd', '2.3.4', 21, { source: 'ftp-banner' })]), onlyBackdoor, NOW);
    expect(brief(w)[0]).toEqual(['vulnerable-software', 21, 'warn', 'critical']);
    expect(w[0]?.confidence).toBe('low');
  });

  test('several products on one port make one result; another port its own', () => {
    const r = assessSoftwareVersions(ev([o('openssl', '1.0.1f', 443), o('dnsmasq', '2.77', 53), o('boa', '0.94.14rc21', 443)]), BUNDLED_VULN_DATA, NOW);
    const vuln = r.filter((x) => x.check === 'vulnerable-software');
    expect(vuln.map((x) => [x.port, x.status, x.severity])).toEqual([[443, 'fail', 'high'], [53, 'fail', 'critical']]);
    const eol = r.filter((x) => x.check === 'end-of-life-software');
    expect(eol.map((x) => [x.port, x.status])).toEqual([[443, 'warn']]);
    expect(eol[0]?.detail).toMatch(/OpenSSL 1\.0\.1f.*31 December 2016.*Boa/);
  });

  test('end of life depends on now', () => {
    const obs = [o('openssl', '3.0.13', 443)];
    expect(brief(assessSoftwareVersions(ev(obs), BUNDLED_VULN_DATA, new Date('2026-01-01')))[1]).toEqual(['end-of-life-software', '-', 'pass', '']);
    expect(brief(assessSoftwareVersions(ev(obs), BUNDLED_VULN_DATA, new Date('2026-10-01')))[1]).toEqual(['end-of-life-software', 443, 'warn', '']);
  });

  test('extra advisories (from --vuln-db) are used alongside the bundled ones', () => {
    const extra = [{ id: 'OSV-TEST-1', product: 'lighttpd', affected: [{ introduced: '1.4.60', fixed: '1.4.99' }], cves: ['CVE-2099-0001'], severity: 'critical' as const, summary: 'test', source: ['osv:test'] }];
    const vulnData = { ...BUNDLED_VULN_DATA, advisories: [...BUNDLED_VULN_DATA.advisories, ...extra] };
    const device = makeDevice('127.0.0.1');
    const grabs = [{ port: 80, kind: 'http-server' as const, value: 'lighttpd/1.4.76' }];
    const r = probe.assess({ grabs }, { device, devices: [device], now: NOW, vulnData });
    expect(brief(r)[0]).toEqual(['vulnerable-software', 80, 'fail', 'critical']);
    // the same evidence judged with the bundled data alone: nothing known.
    expect(brief(probe.assess({ grabs }, { device, devices: [device], now: NOW }))[0]).toEqual(['vulnerable-software', '-', 'pass', '']);
  });
});

describe('software-versions observations from discovery', () => {
  test('nmap product/version, CPE, banner, scripts and firmware; distro kept; duplicates dropped', () => {
    const device = makeDevice('10.0.0.1', [
      tcpService(22, 'ssh', { product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u3', cpe: ['cpe:/a:openbsd:openssh:9.2p1'], banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3' }),
      tcpService(80, 'http', { scripts: [{ id: 'http-server-header', output: 'GoAhead-Webs' }] }),
      tcpService(53, 'domain', { scripts: [{ id: 'dns-nsid', output: '  bind.version: dnsmasq-2.78' }] }),
    ], { identification: { type: 'router', confidence: 'high', sources: [], firmware: 'BusyBox v1.19.4 build 2014' } });
    const got = tidy(observationsFromDevice(device)).map((x) => `${x.product} ${x.version ?? '-'} ${x.port ?? 'dev'} ${x.source}${x.distro ? ` ${x.distro}` : ''}`);
    expect(got).toEqual([
      'openssh 9.2p1 22 nmap-service debian',
      'goahead - 80 http-server',
      'dnsmasq 2.78 53 script',
      'busybox 1.19.4 dev firmware',
    ]);
  });
});

describe('software-versions collect against fake services', () => {
  const servers: (FakeWeb | FakeServer)[] = [];
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

  test('reads the Server header, the SSH ident line and the FTP greeting when discovery has none', async () => {
    const web = await startWeb({ '/': { headers: { Server: 'lighttpd/1.4.35' }, body: '<html>login</html>' } });
    const ssh = await startServer({ kind: 'banner', text: 'SSH-2.0-dropbear_2015.71\r\n' });
    const ftp = await startServer({ kind: 'banner', text: '220 (vsFTPd 3.0.2)\r\n' });
    servers.push(web, ssh, ftp);
    const device = makeDevice('127.0.0.1', [tcpService(web.port, 'http'), tcpService(ssh.port, 'ssh'), tcpService(ftp.port, 'ftp')]);
    const { ctx, connections } = makeContext({ device, maxConnections: probe.meta.budget.maxConnections });
    const evidence = await probe.collect(ctx);
    expect(web.requests).toEqual(['HEAD /']);
    expect(ssh.received().length).toBe(0); // nothing is sent to the SSH or FTP server
    expect(ftp.received().length).toBe(0);
    expect(connections.length).toBe(3);
    const r = probe.assess(evidence, { device, devices: [device], now: NOW });
    expect(r.filter((x) => x.check === 'vulnerable-software').map((x) => [x.port, x.status])).toEqual([
      [web.port, 'fail'], [ssh.port, 'fail'], [ftp.port, 'fail'],
    ]);
  });

  test('falls back to GET when HEAD is not allowed; a dead web port is recorded as an error, not a pass', async () => {
    const web = await startWeb({ '/': (req, res) => {
      if (req.method === 'HEAD') { res.writeHead(405); res.end(); return; }
      res.writeHead(200, { Server: 'Boa/0.94.14rc21' }); res.end('hi');
    } });
    servers.push(web);
    const dead = await startServer({ kind: 'reset' });
    servers.push(dead);
    const device = makeDevice('127.0.0.1', [tcpService(web.port, 'http'), tcpService(dead.port, 'http')]);
    const { ctx } = makeContext({ device, maxConnections: probe.meta.budget.maxConnections });
    const evidence = await probe.collect(ctx);
    expect(web.requests).toEqual(['HEAD /', 'GET /']);
    expect(evidence.grabs.find((g) => g.port === dead.port)?.error?.kind).toBeDefined();
    const r = probe.assess(evidence, { device, devices: [device], now: NOW });
    expect(r.find((x) => x.check === 'end-of-life-software')?.status).toBe('warn');
  });
});
