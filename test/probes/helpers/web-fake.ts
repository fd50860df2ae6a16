/**
 * Fake web servers on 127.0.0.1 (HTTP or HTTPS) for the security-txt, software-versions and
 * update-endpoints tests, with a route table and a log of every request. Certificates come from the
 * openssl CLI (a test CA, a leaf for vendor.test/127.0.0.1, a self-signed one).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestPki { caCert: string; leafCert: string; leafKey: string; selfCert: string; selfKey: string }

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'iotcop-pki-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=iotcop test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=vendor.test');
  writeFileSync(join(dir, 'leaf.ext'), 'subjectAltName=DNS:vendor.test,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'leaf.crt', '-days', '2', '-extfile', 'leaf.ext');
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'self.key', '-out', 'self.crt', '-days', '2', '-subj', '/CN=device',
    '-addext', 'subjectAltName=IP:127.0.0.1');
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  const pki = { caCert: r('ca.crt'), leafCert: r('leaf.crt'), leafKey: r('leaf.key'), selfCert: r('self.crt'), selfKey: r('self.key') };
  rmSync(dir, { recursive: true, force: true });
  return pki;
}

export type Route = { status?: number; headers?: Record<string, string>; body?: string | Buffer } | ((req: http.IncomingMessage, res: http.ServerResponse) => void);

export interface FakeWeb {
  port: number;
  /** "METHOD /path" for every request, in order. */
  requests: string[];
  close(): Promise<void>;
}

/** Serves `routes` by path; anything else is a 404 (or `fallback`). */
export async function startWeb(routes: Record<string, Route>, options: { tls?: { cert: string; key: string }; fallback?: Route; host?: string } = {}): Promise<FakeWeb> {
  const requests: string[] = [];
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    requests.push(`${req.method ?? '?'} ${req.url ?? '?'}`);
    req.resume();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const route = Object.prototype.hasOwnProperty.call(routes, path) ? routes[path] : options.fallback;
    if (route === undefined) { res.writeHead(404, { 'Content-Type': 'text/html' }); res.end('<html><body>404 Not Found</body></html>'); return; }
    if (typeof route === 'function') { route(req, res); return; }
    res.writeHead(route.status ?? 200, route.headers ?? {});
    res.end(req.method === 'HEAD' ? undefined : route.body ?? '');
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
