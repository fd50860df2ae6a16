/**
 * The --online fetcher against local HTTPS servers on 127.0.0.1 (certificates made with the openssl
 * CLI at test start). Loopback is allowed only through the test-only allowAddress option; the default
 * policy must refuse it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnlineApi, isPublicAddress } from '../../src/net/online.js';
import { NetError } from '../../src/net/errors.js';

interface Pki { caCert: string; leafCert: string; leafKey: string; selfCert: string; selfKey: string }

function makePki(dir: string): Pki {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=iotcop test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=vendor.test');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:vendor.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2', '-extfile', 'leaf.ext');
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=vendor.test',
    '-addext', 'subjectAltName=DNS:vendor.test');
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  return { caCert: r('ca.crt'), leafCert: r('leaf.crt'), leafKey: r('leaf.key'), selfCert: r('self.crt'), selfKey: r('self.key') };
}

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

async function serve(cert: string, key: string, handler: Handler): Promise<{ port: number; requests: string[]; close: () => Promise<void> }> {
  const requests: string[] = [];
  const server = https.createServer({ cert, key }, (req, res) => { requests.push(`${req.method} ${req.url} host=${req.headers.host}`); handler(req, res); });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, requests, close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

const loopback = (a: string) => a === '127.0.0.1';
const toLoopback = async () => ['127.0.0.1'];

let dir: string;
let pki: Pki;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'iotcop-online-'));
  pki = makePki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'resolved';
  } catch (e) {
    return e instanceof NetError ? e.kind : `other: ${String(e)}`;
  }
}

describe('isPublicAddress', () => {
  test('only public unicast passes', () => {
    expect(isPublicAddress('8.8.8.8')).toBe(true);
    expect(isPublicAddress('2a00:1450::1')).toBe(true);
    for (const a of ['10.0.0.1', '192.168.1.1', '172.16.0.1', '127.0.0.1', '::1', '::ffff:10.0.0.1', '169.254.1.1', 'fe80::1', 'fc00::1', '100.64.0.1', '0.0.0.0', '192.0.2.1', '224.0.0.1', 'not-an-ip']) {
      expect([a, isPublicAddress(a)]).toEqual([a, false]);
    }
  });
});

describe('createOnlineApi', () => {
  test('refuses http:// without sending anything', async () => {
    const api = createOnlineApi({ allowAddress: loopback, lookup: toLoopback });
    expect(await kindOf(api.fetch('http://vendor.test/security'))).toBe('out-of-scope');
  });

  test('refuses a name that resolves to a private or loopback address (default policy)', async () => {
    const srv = await serve(pki.leafCert, pki.leafKey, (_q, r) => r.end('hello'));
    try {
      const api = createOnlineApi({ lookup: toLoopback });
      expect(await kindOf(api.fetch(`https://vendor.test:${srv.port}/`))).toBe('out-of-scope');
      const api2 = createOnlineApi({ lookup: async () => ['93.184.216.34', '10.1.2.3'] });
      expect(await kindOf(api2.fetch(`https://vendor.test:${srv.port}/`))).toBe('out-of-scope');
      expect(await kindOf(createOnlineApi().fetch(`https://127.0.0.1:${srv.port}/`))).toBe('out-of-scope');
      expect(srv.requests).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  test('fetches over HTTPS with a trusted certificate and records it', async () => {
    const srv = await serve(pki.leafCert, pki.leafKey, (_q, r) => { r.setHeader('Content-Type', 'text/plain'); r.end('Contact: mailto:psirt@vendor.test\n'); });
    try {
      const api = createOnlineApi({ allowAddress: loopback, lookup: toLoopback, ca: [pki.caCert] });
      const res = await api.fetch(`https://vendor.test:${srv.port}/.well-known/security.txt`);
      expect(res.status).toBe(200);
      expect(res.body.toString()).toBe('Contact: mailto:psirt@vendor.test\n');
      expect(res.tls.authorized).toBe(true);
      expect(res.tls.certificate?.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(res.headers.get('content-type')).toEqual(['text/plain']);
      expect(srv.requests).toEqual([`GET /.well-known/security.txt host=vendor.test:${srv.port}`]);
    } finally {
      await srv.close();
    }
  });

  test('a self-signed certificate is recorded as not authorised (not rejected)', async () => {
    const srv = await serve(pki.selfCert, pki.selfKey, (_q, r) => r.end('ok'));
    try {
      const res = await createOnlineApi({ allowAddress: loopback, lookup: toLoopback }).fetch(`https://vendor.test:${srv.port}/fw.bin`, { method: 'HEAD' });
      expect(res.status).toBe(200);
      expect(res.tls.authorized).toBe(false);
      expect(res.tls.authorizationError).toMatch(/SELF_SIGNED/);
      expect(res.body.length).toBe(0);
    } finally {
      await srv.close();
    }
  });

  test('a certificate for another name is not authorised', async () => {
    const srv = await serve(pki.leafCert, pki.leafKey, (_q, r) => r.end('ok'));
    try {
      const res = await createOnlineApi({ allowAddress: loopback, lookup: toLoopback, ca: [pki.caCert] }).fetch(`https://other.test:${srv.port}/`);
      expect(res.tls.authorized).toBe(false);
      expect(res.tls.authorizationError).toMatch(/altnames|ALTNAME|does not match/i);
    } finally {
      await srv.close();
    }
  });

  test('follows an https redirect, refuses a redirect to http://', async () => {
    const srv = await serve(pki.leafCert, pki.leafKey, (q, r) => {
      if (q.url === '/a') { r.writeHead(302, { Location: '/b' }); r.end(); return; }
      if (q.url === '/b') { r.end('final'); return; }
      r.writeHead(301, { Location: 'http://vendor.test/insecure' }); r.end();
    });
    try {
      const api = createOnlineApi({ allowAddress: loopback, lookup: toLoopback, ca: [pki.caCert] });
      const ok = await api.fetch(`https://vendor.test:${srv.port}/a`);
      expect(ok.body.toString()).toBe('final');
      expect(ok.redirects).toEqual([`https://vendor.test:${srv.port}/b`]);
      const refused = await api.fetch(`https://vendor.test:${srv.port}/c`);
      expect(refused.status).toBe(301);
      expect(refused.redirectRefused?.reason).toMatch(/http:\/\//);
    } finally {
      await srv.close();
    }
  });

  test('caps the body, enforces the deadline and the request budget', async () => {
    const srv = await serve(pki.leafCert, pki.leafKey, (q, r) => {
      if (q.url === '/big') { r.end(Buffer.alloc(100_000, 0x41)); return; }
      if (q.url === '/hang') { r.writeHead(200); r.write('x'); return; } // never ends
      r.end('ok');
    });
    try {
      const api = createOnlineApi({ allowAddress: loopback, lookup: toLoopback, ca: [pki.caCert], maxRequests: 3, timeoutMs: 500 });
      const big = await api.fetch(`https://vendor.test:${srv.port}/big`, { maxBytes: 1000 });
      expect(big.truncated).toBe(true);
      expect(big.body.length).toBe(1000);
      expect(await kindOf(api.fetch(`https://vendor.test:${srv.port}/hang`))).toBe('timeout');
      await api.fetch(`https://vendor.test:${srv.port}/`);
      expect(await kindOf(api.fetch(`https://vendor.test:${srv.port}/`))).toBe('budget-exceeded');
    } finally {
      await srv.close();
    }
  });

  test('a closed port is refused, an unresolvable name unreachable', async () => {
    const api = createOnlineApi({ allowAddress: loopback, lookup: toLoopback });
    expect(await kindOf(api.fetch('https://vendor.test:1/'))).toBe('refused');
    const api2 = createOnlineApi({ lookup: async () => { throw new Error('ENOTFOUND'); } });
    expect(await kindOf(api2.fetch('https://nowhere.invalid/'))).toBe('unreachable');
  });
});
