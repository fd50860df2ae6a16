import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { jest } from '@jest/globals';
import probe, { assessHttp, sameOriginPath, type HttpEvidence } from '../../src/probes/http-default-credentials.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device, tcp } from './helpers/credential-context.js';

jest.setTimeout(30_000);

interface FakeWeb {
  port: number;
  /** Requests that carried an Authorization header: user and verdict. */
  attempts: { username: string; ok: boolean; status: number }[];
  requests: number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, state: FakeWeb) => void;

async function fakeWeb(handler: Handler): Promise<FakeWeb> {
  const state: FakeWeb = { port: 0, attempts: [], requests: 0, close: async () => undefined };
  const server = http.createServer((req, res) => { state.requests += 1; req.resume(); handler(req, res, state); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
  return state;
}

function basicUser(req: http.IncomingMessage): { user: string; pass: string } | null {
  const m = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
  if (!m?.[1]) return null;
  const [user = '', ...rest] = Buffer.from(m[1], 'base64').toString().split(':');
  return { user, pass: rest.join(':') };
}

/** HTTP Basic on every path, like lighttpd's auth.require "/" (optionally locking after N failures per client). */
function basicSite(accounts: Record<string, string>, realm: string, o: { acceptAny?: boolean; lockAfter?: number; page?: string } = {}): Handler {
  let failures = 0;
  return (req, res, state) => {
    if (o.lockAfter !== undefined && failures >= o.lockAfter) {
      res.writeHead(403, { 'Content-Type': 'text/html' }).end('<title>Account locked</title>Too many failed login attempts. The account is locked for 60 seconds.');
      return;
    }
    const cred = basicUser(req);
    if (!cred) { res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${realm}"` }).end('Authorization required'); return; }
    const ok = o.acceptAny === true || accounts[cred.user] === cred.pass;
    if (!ok) failures += 1;
    state.attempts.push({ username: cred.user, ok, status: ok ? 200 : 401 });
    if (ok) res.writeHead(200, { 'Content-Type': 'text/html' }).end(o.page ?? '<title>Live View</title>');
    else res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${realm}"` }).end('Invalid user name or password.');
  };
}

/** Digest SHA-256, qop=auth, verified with its own code (independent of src/net/digest.ts). */
function digestSite(accounts: Record<string, string>, realm: string): Handler {
  const sha = (s: string): string => createHash('sha256').update(s).digest('hex');
  const nonces = new Set<string>();
  const challenge = (): string => {
    const n = randomBytes(12).toString('hex');
    nonces.add(n);
    return `Digest realm="${realm}", qop="auth", algorithm=SHA-256, nonce="${n}", opaque="op"`;
  };
  return (req, res, state) => {
    const h = req.headers.authorization ?? '';
    if (!h.startsWith('Digest ')) { res.writeHead(401, { 'WWW-Authenticate': challenge() }).end(); return; }
    const p = (k: string): string => (new RegExp(`${k}="?([^",]*)"?`).exec(h)?.[1] ?? '');
    const user = p('username');
    const pass = accounts[user];
    const ha1 = sha(`${user}:${realm}:${pass ?? ''}`);
    const ha2 = sha(`GET:${p('uri')}`);
    const expected = sha(`${ha1}:${p('nonce')}:${p('nc')}:${p('cnonce')}:auth:${ha2}`);
    const ok = pass !== undefined && nonces.has(p('nonce')) && p('response') === expected && p('uri') === req.url && p('opaque') === 'op';
    state.attempts.push({ username: user, ok, status: ok ? 200 : 401 });
    if (ok) res.writeHead(200).end('ok'); else res.writeHead(401, { 'WWW-Authenticate': challenge() }).end();
  };
}

async function scan(handler: Handler, extra: { macVendor?: string; maxGuesses?: number } = {}) {
  const srv = await fakeWeb(handler);
  const service = tcp(srv.port, 'http');
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

describe('http-default-credentials collect (in-process web server)', () => {
  it('HTTP Basic on a camera whose vendor locks accounts: proves 401, tries the default, then checks a random login fails', async () => {
    const { ev, results, srv } = await scan(basicSite({ admin: 'admin' }, 'Login to IPC-HFW4431R-Z'), { macVendor: 'Zhejiang Dahua Technology Co., Ltd.' });
    const d = byCheck(results, 'http-default-credentials');
    expect(d?.status).toBe('fail');
    expect(d?.credential).toEqual({ username: 'admin', password: 'admin' });
    expect(byCheck(results, 'http-accepts-any-password')?.status).toBe('pass');
    expect(ev.target).toMatchObject({ path: '/', scheme: 'basic', realm: 'Login to IPC-HFW4431R-Z' });
    expect(ev.probedPaths).toEqual([{ path: '/', status: 401 }]);
    expect(ev.negativeControlStatus).toBe(401);
    // Dahua documents a lock per account after 5 wrong passwords, shared by HTTP and RTSP: at most 2 per
    // user name here, and the negative control (a random user name, no real account) can go first.
    expect(ev.lockoutPolicy).toMatchObject({ cautious: true, maxFailures: null, maxFailuresPerAccount: 2 });
    expect(srv.attempts.map((a) => a.ok)).toEqual([false, true, false, true]);
    expect(ev.confirmation).toEqual({ wrongPassword: 'rejected', again: 'succeeded' });
    expect(d?.detail).toContain('cleartext');
    expect(d?.detail).toContain('random wrong password was rejected');
    expect(d?.confidence).toBeUndefined();
  });

  it('HTTP Digest SHA-256 with qop=auth', async () => {
    const { ev, results, srv } = await scan(digestSite({ admin: '12345' }, 'DS-2CD2032'), { macVendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' });
    expect(ev.target).toMatchObject({ scheme: 'digest', algorithm: 'SHA-256', qop: ['auth'] });
    expect(byCheck(results, 'http-default-credentials')?.credential).toEqual({ username: 'admin', password: '12345' });
    expect(srv.attempts.map((a) => a.ok)).toEqual([true, false, true]); // cautious (Hikvision): default first, then the confirmation
  });

  it('a page that accepts any credentials is "accepts any password", never a default credential (negative control first)', async () => {
    const { results, srv } = await scan(basicSite({}, 'DCS-930L', { acceptAny: true }), { macVendor: 'D-LINK SYSTEMS, INC.' });
    expect(byCheck(results, 'http-accepts-any-password')?.status).toBe('fail');
    expect(byCheck(results, 'http-default-credentials')?.status).toBe('not_applicable');
    expect(results.some((r) => r.credential)).toBe(false);
    expect(srv.attempts).toHaveLength(1);
  });

  it('no HTTP authentication anywhere (a login form): not applicable, no login attempted', async () => {
    const { results, srv, ev } = await scan((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/html' }).end('<title>Login</title><form method="post"><input type="password"></form>'); });
    expect(results.map((r) => r.status)).toEqual(['not_applicable', 'not_applicable']);
    expect(srv.attempts).toHaveLength(0);
    expect(ev.attempts).toBe(0);
  });

  it('follows a same-origin redirect to the page that asks for authentication', async () => {
    const inner = basicSite({ admin: 'password' }, 'Router');
    const { ev, results } = await scan((req, res, state) => {
      if (req.url === '/') { res.writeHead(302, { Location: '/cgi-bin/luci' }).end(); return; }
      inner(req, res, state);
    }, { maxGuesses: 10 });
    expect(ev.target?.path).toBe('/cgi-bin/luci');
    expect(byCheck(results, 'http-default-credentials')?.credential).toEqual({ username: 'admin', password: 'password' });
  });

  it('never follows a redirect off the device', () => {
    expect(sameOriginPath('https://10.0.0.5/', '10.0.0.5', 80, false)).toBeUndefined();
    expect(sameOriginPath('http://evil.example/x', '10.0.0.5', 80, false)).toBeUndefined();
    expect(sameOriginPath('//evil.example/x', '10.0.0.5', 80, false)).toBeUndefined();
    expect(sameOriginPath('http://10.0.0.5/login', '10.0.0.5', 80, false)).toBe('/login');
    expect(sameOriginPath('/a?b=1', '10.0.0.5', 80, false)).toBe('/a?b=1');
  });

  it('a camera that locks after 3 failures per client (Hikvision-like) is never locked: one wrong login per scan', async () => {
    const { ev, results, srv } = await scan(basicSite({ admin: 'random-Xy9' }, 'DS-2CD2142FWD', { lockAfter: 3 }), { macVendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.' });
    expect(ev.lockoutPolicy.cautious).toBe(true);
    expect(srv.attempts.filter((a) => !a.ok)).toHaveLength(1);
    expect(byCheck(results, 'http-accepts-any-password')?.status).toBe('pass');
    expect(ev.stop).toBe('lockout-risk');
    // Stopping early on purpose leaves candidates untried: partly checked, never "no issues".
    expect(byCheck(results, 'http-default-credentials')?.status).toBe('partial');
    expect(byCheck(results, 'http-default-credentials')?.detail).toMatch(/maxFailuresPerAccount/);
    expect(results.some((r) => r.status === 'fail' || r.status === 'warn')).toBe(false);
  });

  it('an unknown device that locks is detected by its message and the run stops', async () => {
    const { ev, results, srv } = await scan(basicSite({ admin: 'random-Xy9' }, 'Web', { lockAfter: 3 }));
    expect(ev.stop).toBe('lockout');
    expect(ev.lockoutText).toMatch(/Too many failed login attempts/);
    expect(srv.attempts).toHaveLength(3);
    expect(byCheck(results, 'http-default-credentials')?.status).toBe('partial');
  });

  it('HTTP 429 stops at once', async () => {
    const { ev } = await scan((req, res) => {
      if (!req.headers.authorization) { res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end(); return; }
      res.writeHead(429, { 'Retry-After': '30' }).end();
    });
    expect(ev.stop).toBe('lockout');
    expect(ev.attempts).toBe(1);
  });

  it('stays within the budget', async () => {
    const { ev, srv } = await scan(basicSite({ nobody: 'x' }, 'Web'), { maxGuesses: 4 });
    expect(ev.attempts).toBe(4);
    expect(srv.attempts).toHaveLength(4);
  });
});

describe('http-default-credentials assess', () => {
  const base: HttpEvidence = {
    maxGuesses: 10, attempts: 0, failures: 0, candidatesPlanned: 9, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: [],
    negativeControl: 'not-run', stop: 'unsupported', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
    unsupported: null, skippedForAccountCap: 0, errors: [], found: null,
    port: 80, tls: false, target: null, probedPaths: [], server: null, title: null, realm: null, noAuthReason: null,
    negativeControlStatus: null, successStatus: null, preflightLockout: null, preflightError: null,
  };
  it('an unreachable web server is an error; a device locked before we started is not tested', () => {
    expect(assessHttp({ ...base, preflightError: { kind: 'timeout', message: 'slow' } }).map((r) => r.status)).toEqual(['error', 'error']);
    expect(assessHttp({ ...base, preflightLockout: 'HTTP 429' }).map((r) => r.status)).toEqual(['not_tested', 'not_tested']);
  });
  it('over HTTPS the detail does not claim cleartext', () => {
    const rs = assessHttp({
      ...base, tls: true, port: 443, target: { path: '/', scheme: 'basic', algorithm: null, realm: 'r', qop: [] }, stop: 'success',
      negativeControl: 'rejected', attempts: 2, candidatesTried: 1, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null,
      found: { username: 'admin', password: 'admin', origin: 'generic', source: 'admin/admin is common', ref: null, attempt: 2 },
    });
    expect(rs[0]?.detail).not.toContain('cleartext');
    expect(JSON.stringify(rs[0]?.evidence)).not.toMatch(/admin\/admin/);
  });
});
