import probe, { assessFtp, isSafeName, MAX_ENTRIES, type FtpEvidence } from '../../src/probes/ftp-anonymous.js';
import { assessInput, makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { startFakeFtp, type FakeFtp } from './helpers/fake-ftp.js';

function evidence(over: Partial<FtpEvidence> = {}): FtpEvidence {
  return {
    port: 21, banner: '220 ready', login: 'accepted', user: 'anonymous', reply: '230 Login successful.', error: null,
    cwd: '/', listings: [{ path: '.', entries: 0, error: null }], entries: [], totalEntries: 0, ...over,
  };
}

describe('ftp-anonymous assess', () => {
  it('fails when an anonymous login can list files, naming some of them', () => {
    const r = assessFtp(evidence({
      listings: [{ path: '.', entries: 1, error: null }, { path: 'scans', entries: 1, error: null }],
      entries: [{ path: 'scans', type: 'dir', size: 0 }, { path: 'scans/scan-0001.pdf', type: 'file', size: 48213 }],
      totalEntries: 2,
    }));
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ check: 'ftp-anonymous-access', status: 'fail' });
    expect(r[0]!.detail).toContain('scans/scan-0001.pdf');
    // A scanned document listed over plain FTP: guideline 5 too.
    expect(r[1]).toMatchObject({ check: 'ftp-personal-files-cleartext', status: 'fail' });
    expect(r[1]!.detail).toContain('documents and scans (scans/scan-0001.pdf');
  });

  it('judges file names only: harmless names pass, an empty folder is not applicable, a failed listing not tested', () => {
    const harmless = assessFtp(evidence({ entries: [{ path: 'firmware/readme.txt', type: 'file', size: 10 }, { path: 'escape.cfg', type: 'file', size: 3 }], totalEntries: 2 }));
    expect(harmless[1]).toMatchObject({ check: 'ftp-personal-files-cleartext', status: 'pass', confidence: 'medium' });
    const photos = assessFtp(evidence({ entries: [{ path: 'USB/DCIM/100CANON/IMG_0042.JPG', type: 'file', size: 10 }, { path: 'USB/Backups/laptop.tar.gz', type: 'file', size: 3 }], totalEntries: 2 }));
    expect(photos[1]!.status).toBe('fail');
    expect(photos[1]!.detail).toMatch(/photos, backups and archives \(USB\/DCIM\/100CANON\/IMG_0042.JPG, USB\/Backups\/laptop.tar.gz\)/);
    expect(assessFtp(evidence({ entries: [], totalEntries: 0 }))[1]!.status).toBe('not_applicable');
    expect(assessFtp(evidence({ entries: [], totalEntries: 0, listings: [{ path: '.', entries: 0, error: '425 no data connection' }] }))[1]!.status).toBe('not_tested');
  });

  it('fails for folders only, too (the listing itself is readable data)', () => {
    const r = assessFtp(evidence({ entries: [{ path: 'USB', type: 'dir', size: 0 }], totalEntries: 1 }));
    expect(r[0]!.status).toBe('fail');
    expect(r[0]!.detail).toContain('USB');
  });

  it('warns when the anonymous login works but nothing is listed or the listing fails', () => {
    expect(assessFtp(evidence())[0]).toMatchObject({ status: 'warn', severity: 'medium' });
    const failed = assessFtp(evidence({ listings: [{ path: '.', entries: 0, error: 'Timeout' }] }));
    expect(failed[0]!.status).toBe('warn');
    expect(failed[0]!.detail).toMatch(/listing failed/);
  });

  it('passes when anonymous logins are refused and errors when nothing could be tested', () => {
    expect(assessFtp(evidence({ login: 'refused', user: null, reply: '530 Login incorrect.' }))[0]!.status).toBe('pass');
    const r = assessFtp(evidence({ login: 'error', user: null, error: { kind: 'refused', message: 'ECONNREFUSED' } }));
    expect(r[0]).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  });

  it('only lists folders whose names are safe on a command line', () => {
    expect(isSafeName('scans')).toBe(true);
    expect(isSafeName('My Files')).toBe(true);
    for (const bad of ['', '.', '..', 'a/b', 'x\r\nDELE y', 'x\u0000', 'a\\b', 'n'.repeat(101)]) expect(isSafeName(bad)).toBe(false);
  });
});

describe('ftp-anonymous collect (fake FTP server on 127.0.0.1)', () => {
  let ftp: FakeFtp | undefined;
  afterEach(async () => { await ftp?.close(); ftp = undefined; });

  async function run(port: number, maxConnections = probe.meta.budget.maxConnections) {
    const service = tcpService(port, 'ftp');
    const t = makeContext({ service, maxConnections, deadlineMs: 20_000 });
    const ev = await probe.collect(t.ctx);
    return { ev, t, results: probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service)) };
  }

  it('logs in anonymously, lists the login folder and one level of subfolders, and never reads or writes a file', async () => {
    ftp = await startFakeFtp({
      tree: {
        '.': [['scans', 'd', 0], ['readme.txt', '-', 12], ['evil\r\nDELE readme.txt', 'd', 0]],
        scans: [['scan-0001.pdf', '-', 48213]],
      },
    });
    const { ev, t, results } = await run(ftp.port);
    expect(ev.login).toBe('accepted');
    expect(ev.user).toBe('anonymous');
    expect(ev.banner).toContain('JD FTP Server Ready');
    expect(ev.entries.map((e) => e.path)).toEqual(expect.arrayContaining(['scans', 'readme.txt', 'scans/scan-0001.pdf']));
    // The CR/LF name is cut at the line break: listing "evil" fails harmlessly, and no DELE was ever sent.
    expect(ev.listings.map((l) => l.path)).toEqual(['.', 'scans', 'evil']);
    const verbs = ftp.commands.map((c) => c.split(' ')[0]!.toUpperCase());
    for (const forbidden of ['RETR', 'STOR', 'DELE', 'MKD', 'RMD', 'SITE', 'APPE', 'RNFR']) expect(verbs).not.toContain(forbidden);
    expect(ftp.commands).toContain(`PASS iotcop@`);
    expect(t.budget.used).toBe(1);
    expect(results[0]!.status).toBe('fail');
    expect(results[0]!.detail).toContain('scans/scan-0001.pdf');
  }, 20_000);

  it('tries "ftp" after "anonymous" is refused, one slot each', async () => {
    ftp = await startFakeFtp({ anonymousUsers: ['ftp'], tree: { '.': [] } });
    const { ev, t, results } = await run(ftp.port);
    expect(ev.user).toBe('ftp');
    expect(t.budget.used).toBe(2);
    expect(results[0]!.status).toBe('warn');
  }, 20_000);

  it('passes when no anonymous user may log in', async () => {
    ftp = await startFakeFtp({ anonymousUsers: [] });
    const { ev, results } = await run(ftp.port);
    expect(ev.login).toBe('refused');
    expect(results[0]!.status).toBe('pass');
    expect(ftp.commands.filter((c) => c.startsWith('USER'))).toEqual(['USER anonymous', 'USER ftp']);
  }, 20_000);

  it('ignores the host in a PASV reply and connects to the device itself', async () => {
    ftp = await startFakeFtp({ epsv: false, pasvHost: '10.9.9.9', tree: { '.': [['a.jpg', '-', 1]] } });
    const { ev } = await run(ftp.port);
    expect(ev.entries.map((e) => e.path)).toEqual(['a.jpg']);
    expect(ftp.dataConnections).toBe(1);
  }, 20_000);

  it('refuses a data connection to a raw printer port', async () => {
    ftp = await startFakeFtp({ announcePort: 9100, tree: { '.': [['a.jpg', '-', 1]] } });
    const { ev, results } = await run(ftp.port);
    expect(ev.login).toBe('accepted');
    expect(ev.listings[0]!.error).toMatch(/9100/);
    expect(results[0]!.status).toBe('warn');
  }, 20_000);

  it('caps the number of entries kept', async () => {
    const many = Array.from({ length: 150 }, (_, i): [string, '-', number] => [`f${i}.bin`, '-', i]);
    const dirs = Array.from({ length: 8 }, (_, i): [string, 'd', number] => [`d${i}`, 'd', 0]);
    const tree: Record<string, [string, 'd' | '-', number][]> = { '.': [...dirs, ...many] };
    for (const [d] of dirs) tree[d] = many;
    ftp = await startFakeFtp({ tree });
    const { ev } = await run(ftp.port);
    expect(ev.listings).toHaveLength(6);
    expect(ev.entries.length).toBe(MAX_ENTRIES);
    expect(ev.totalEntries).toBe(158 + 5 * 150);
  }, 20_000);

  it('stops a server that floods the control channel', async () => {
    ftp = await startFakeFtp({ floodAfterLogin: true, tree: { '.': [] } });
    const { ev } = await run(ftp.port);
    expect(ev.login).toBe('accepted');
    expect(ev.listings.every((l) => l.error !== null) || ev.listings.length === 0).toBe(true);
  }, 20_000);

  it('reports a closed port as an error', async () => {
    ftp = await startFakeFtp();
    const port = ftp.port;
    await ftp.close();
    ftp = undefined;
    const { ev, results } = await run(port);
    expect(ev.login).toBe('error');
    expect(results[0]).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  }, 20_000);
});
