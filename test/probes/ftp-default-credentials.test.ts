import { jest } from '@jest/globals';
import probe, { assessFtp, type FtpEvidence } from '../../src/probes/ftp-default-credentials.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device, tcp, tcpServer } from './helpers/credential-context.js';

jest.setTimeout(30_000);

interface FakeFtp { port: number; logins: { user: string; ok: boolean }[]; commands: string[]; connections: number; close(): Promise<void> }

/** A minimal FTP control channel: 220, USER → 331, PASS → 230/530; anything else → 502. */
async function fakeFtp(o: { accounts?: Record<string, string>; anonymousOnly?: boolean; acceptAny?: boolean; greeting?: string; tooMany?: number }): Promise<FakeFtp> {
  const state: FakeFtp = { port: 0, logins: [], commands: [], connections: 0, close: async () => undefined };
  const srv = await tcpServer((s) => {
    state.connections += 1;
    if (o.tooMany !== undefined && state.connections > o.tooMany) { s.end('421 There are too many connections from your internet address.\r\n'); return; }
    s.write(`${o.greeting ?? '220 (vsFTPd 3.0.3)'}\r\n`);
    let user = '';
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const [cmd = '', ...rest] = line.split(' ');
        const arg = rest.join(' ');
        state.commands.push(cmd.toUpperCase());
        if (cmd.toUpperCase() === 'USER') {
          user = arg;
          if (o.anonymousOnly && user !== 'anonymous' && user !== 'ftp') { state.logins.push({ user, ok: false }); s.write('530 This FTP server is anonymous only.\r\n'); continue; }
          s.write('331 Please specify the password.\r\n');
        } else if (cmd.toUpperCase() === 'PASS') {
          const ok = o.acceptAny === true || o.accounts?.[user] === arg;
          state.logins.push({ user, ok });
          s.write(ok ? '230 Login successful.\r\n' : '530 Login incorrect.\r\n');
        } else if (cmd.toUpperCase() === 'QUIT') {
          s.end('221 Goodbye.\r\n');
        } else {
          s.write('502 Command not implemented.\r\n');
        }
      }
    });
  });
  state.port = srv.port;
  state.close = srv.close;
  return state;
}

async function scan(o: Parameters<typeof fakeFtp>[0], extra: { macVendor?: string; maxGuesses?: number } = {}) {
  const srv = await fakeFtp(o);
  const service = tcp(srv.port, 'ftp');
  const dev = device([service], extra.macVendor ? { macVendor: extra.macVendor } : {});
  const t = credContext({ service, device: dev, ...(extra.maxGuesses !== undefined ? { maxGuesses: extra.maxGuesses } : {}) });
  try {
    const ev = await probe.collect(t.ctx);
    return { ev, results: probe.assess(ev, assessInput(dev, service)), srv };
  } finally {
    await srv.close();
  }
}

describe('ftp-default-credentials collect (fake FTP server)', () => {
  it('finds a vendor default after a rejected negative control; only USER/PASS are sent', async () => {
    const { ev, results, srv } = await scan({ accounts: { admin: '1234' } }, { macVendor: 'Zyxel Communications Corporation' });
    expect(results[0]).toMatchObject({ check: 'ftp-default-credentials', status: 'fail', credential: { username: 'admin', password: '1234' } });
    expect(results[0]?.detail).toContain('cleartext');
    // Negative control, the default, then the confirmation: a wrong password for "admin", the default again.
    expect(srv.logins.map((l) => l.ok)).toEqual([false, true, false, true]);
    expect(ev.confirmation).toEqual({ wrongPassword: 'rejected', again: 'succeeded' });
    expect([...new Set(srv.commands)].sort()).toEqual(['PASS', 'QUIT', 'USER']); // no LIST, RETR, STOR, SITE…
    expect(ev.greeting).toBe('220 (vsFTPd 3.0.3)');
  });

  it('an anonymous-only server (the lab printer) has no default credential; "anonymous" is never tried', async () => {
    const { results, srv, ev } = await scan({ anonymousOnly: true });
    expect(srv.logins.some((l) => l.user === 'anonymous' || l.user === 'ftp')).toBe(false);
    // At most 3 wrong passwords per user name: some "admin" pairs are skipped rather than spent, so the
    // check is only partly done — never "no issues" — and says so.
    expect(ev.skippedForAccountCap).toBeGreaterThan(0);
    expect(results[0]?.status).toBe('partial');
    expect(results[0]?.detail).toMatch(/skipped to avoid locking an account/);
    expect(srv.logins.filter((l) => l.user === 'admin').length).toBeLessThanOrEqual(3);
    expect(srv.logins.length).toBe(ev.attempts);
  });

  it('a server that lets a random user in is reported as accepting anything, without a credential', async () => {
    const { results, srv } = await scan({ acceptAny: true });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ status: 'fail', title: 'FTP server accepts any user name and password', severity: 'high' });
    expect(results[0]?.credential).toBeUndefined();
    expect(srv.logins).toHaveLength(1);
  });

  it('"421 too many connections" stops the run', async () => {
    const { ev, srv } = await scan({ accounts: {}, tooMany: 2 });
    expect(ev.stop).toBe('lockout');
    expect(srv.connections).toBe(3);
  });
});

describe('ftp-default-credentials assess', () => {
  it('error without any login is an error', () => {
    const ev: FtpEvidence = {
      maxGuesses: 10, attempts: 1, failures: 0, candidatesPlanned: 5, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: ['x'],
      negativeControl: 'error', stop: 'error', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
      unsupported: null, skippedForAccountCap: 0, errors: [{ kind: 'timeout', message: 'Timeout (control socket)' }], found: null,
      port: 21, implicitTls: false, greeting: null,
    };
    expect(assessFtp(ev)).toEqual([expect.objectContaining({ status: 'error', error: { kind: 'timeout', message: 'Timeout (control socket)' } })]);
  });
});
