import { createHash } from 'node:crypto';
import { jest } from '@jest/globals';
import ssh2 from 'ssh2';
import probe, { assessSsh, type SshEvidence } from '../../src/probes/ssh-default-credentials.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device, tcp } from './helpers/credential-context.js';
import { sshKeyPair } from '../helpers/ssh-keys.js';

jest.setTimeout(30_000);

const HOST_KEY = sshKeyPair('ed25519').private;

interface FakeSsh {
  port: number;
  /** Every authentication request: method and user (and whether it succeeded). */
  auths: { method: string; username: string; ok: boolean }[];
  connections: number;
  close(): Promise<void>;
}

async function fakeSsh(o: { methods: ('password' | 'keyboard-interactive' | 'publickey')[]; accounts?: Record<string, string>; acceptAny?: boolean; acceptNone?: boolean }): Promise<FakeSsh> {
  const state: FakeSsh = { port: 0, auths: [], connections: 0, close: async () => undefined };
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [HOST_KEY], ident: 'OpenSSH_9.2p1 Debian-2' }, (client) => {
    state.connections += 1;
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      const check = (password: string): boolean => o.acceptAny === true || o.accounts?.[ctx.username] === password;
      if (ctx.method === 'none') {
        state.auths.push({ method: 'none', username: ctx.username, ok: o.acceptNone === true });
        if (o.acceptNone) ctx.accept(); else ctx.reject(o.methods);
        return;
      }
      if (ctx.method === 'password' && o.methods.includes('password')) {
        const ok = check(ctx.password);
        state.auths.push({ method: 'password', username: ctx.username, ok });
        if (ok) ctx.accept(); else ctx.reject(o.methods);
        return;
      }
      if (ctx.method === 'keyboard-interactive' && o.methods.includes('keyboard-interactive')) {
        ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
          const ok = check(answers[0] ?? '');
          state.auths.push({ method: 'keyboard-interactive', username: ctx.username, ok });
          if (ok) ctx.accept(); else ctx.reject(o.methods);
        });
        return;
      }
      state.auths.push({ method: ctx.method, username: ctx.username, ok: false });
      ctx.reject(o.methods);
    });
    client.on('ready', () => { client.end(); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as { port: number }).port;
  state.close = () => new Promise<void>((resolve) => { for (const c of clients) c.end(); server.close(() => resolve()); });
  return state;
}

async function scan(o: Parameters<typeof fakeSsh>[0], extra: { macVendor?: string; maxGuesses?: number } = {}) {
  const srv = await fakeSsh(o);
  const service = tcp(srv.port, 'ssh');
  const dev = device([service], extra.macVendor ? { macVendor: extra.macVendor } : {});
  const t = credContext({ service, device: dev, ...(extra.maxGuesses !== undefined ? { maxGuesses: extra.maxGuesses } : {}) });
  try {
    const ev = await probe.collect(t.ctx);
    return { ev, results: probe.assess(ev, assessInput(dev, service)), srv };
  } finally {
    await srv.close();
  }
}

const byCheck = <T extends { check: string }>(rs: T[], id: string): T | undefined => rs.find((r) => r.check === id);

describe('ssh-default-credentials collect (in-process ssh2 server)', () => {
  it('finds the vendor default over password auth; records ident and host key; one password per connection', async () => {
    const { ev, results, srv } = await scan({ methods: ['password', 'publickey'], accounts: { admin: '1234' } }, { macVendor: 'Zyxel Communications Corporation' });
    const d = byCheck(results, 'ssh-default-credentials');
    expect(d?.status).toBe('fail');
    expect(d?.credential).toEqual({ username: 'admin', password: '1234' });
    expect(byCheck(results, 'ssh-accepts-any-password')?.status).toBe('pass');
    expect(ev.serverIdent).toBe('SSH-2.0-OpenSSH_9.2p1 Debian-2');
    const pub = ssh2.utils.parseKey(HOST_KEY);
    const blob = (Array.isArray(pub) ? pub[0] : pub) as { getPublicSSH(): Buffer };
    expect(ev.hostKeySha256).toBe(createHash('sha256').update(blob.getPublicSSH()).digest('hex'));
    expect(ev.hostKeyFingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(ev.methods).toEqual(['password', 'publickey']);
    const passwords = srv.auths.filter((a) => a.method === 'password');
    // The negative control with the first candidate, the default (two at once, GUESS_PARALLEL); then a
    // wrong password for admin and the default again, also together: one password per connection.
    const ok = passwords.map((a) => a.ok);
    expect([...ok.slice(0, 2)].sort()).toEqual([false, true]);
    expect([...ok.slice(2)].sort()).toEqual([false, true]);
    expect(srv.connections).toBe(4);
  });

  it('uses keyboard-interactive when that is all the server offers', async () => {
    const { ev, results } = await scan({ methods: ['keyboard-interactive'], accounts: { root: 'welc0me' } }, { macVendor: 'WESTERN DIGITAL' });
    expect(ev.passwordMethod).toBe('keyboard-interactive');
    expect(byCheck(results, 'ssh-default-credentials')?.credential).toEqual({ username: 'root', password: 'welc0me' });
  });

  it('a key-only server cannot have a default password: pass, after a single connection', async () => {
    const { ev, results, srv } = await scan({ methods: ['publickey'] });
    expect(ev.stop).toBe('unsupported');
    expect(byCheck(results, 'ssh-default-credentials')?.status).toBe('pass');
    expect(byCheck(results, 'ssh-accepts-any-password')?.status).toBe('pass');
    // The negative control and the first candidate went together; both found no password method.
    expect(srv.connections).toBe(2);
    expect(srv.auths.some((a) => a.method === 'password')).toBe(false);
  });

  it('accepts any password: reported as such, never as a default credential', async () => {
    const { results, srv } = await scan({ methods: ['password'], acceptAny: true });
    expect(byCheck(results, 'ssh-accepts-any-password')?.status).toBe('fail');
    expect(byCheck(results, 'ssh-default-credentials')?.status).toBe('not_applicable');
    expect(results.some((r) => r.credential)).toBe(false);
    expect(srv.connections).toBe(2); // the control and the first candidate, together; the control decided
  });

  it('a server that accepts the "none" method lets anyone in', async () => {
    const { results, ev } = await scan({ methods: ['password'], acceptNone: true });
    expect(ev.noneAccepted).toBe(true);
    const any = byCheck(results, 'ssh-accepts-any-password');
    expect(any?.status).toBe('fail');
    expect(any?.title).toMatch(/without a password/);
  });

  it('stays within the budget', async () => {
    const { ev, srv } = await scan({ methods: ['password'], accounts: { nobody: 'x-not-in-lists' } }, { maxGuesses: 3 });
    expect(ev.attempts).toBe(3);
    expect(srv.auths.filter((a) => a.method === 'password')).toHaveLength(3);
  });

  it('a closed port is an error, not a pass', async () => {
    const srv = await fakeSsh({ methods: ['password'] });
    await srv.close();
    const service = tcp(srv.port, 'ssh');
    const t = credContext({ service });
    const ev = await probe.collect(t.ctx);
    const rs = probe.assess(ev, assessInput(t.ctx.device, service));
    expect(rs.map((r) => r.status)).toEqual(['error', 'error']);
    expect(rs[0]?.error?.kind).toBe('refused');
  });
});

describe('ssh-default-credentials assess', () => {
  const base: SshEvidence = {
    maxGuesses: 10, attempts: 4, failures: 4, candidatesPlanned: 9, candidatesTried: 3, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: ['iotcopx', 'root', 'admin'],
    negativeControl: 'rejected', stop: 'exhausted', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
    unsupported: null, skippedForAccountCap: 0, errors: [], found: null,
    port: 22, serverIdent: 'SSH-2.0-dropbear', hostKeySha256: 'ab', hostKeyFingerprint: 'SHA256:x', methods: ['password'], passwordMethod: 'password', noneAccepted: false,
  };
  it('no default worked: pass (medium confidence); SSH is never a guideline-5 finding', () => {
    const rs = assessSsh(base);
    expect(rs.map((r) => [r.check, r.status])).toEqual([['ssh-default-credentials', 'pass'], ['ssh-accepts-any-password', 'pass']]);
    expect(probe.meta.checks['ssh-default-credentials']?.guidelines).toEqual(['uk-cop-1']);
  });
  it('a lockout (e.g. "Too many authentication failures") stops as partly checked', () => {
    const rs = assessSsh({ ...base, stop: 'lockout', lockoutText: 'Too many authentication failures' });
    expect(rs[0]?.status).toBe('partial');
  });
});
