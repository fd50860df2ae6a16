import http from 'node:http';
import https from 'node:https';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type net from 'node:net';
import { createHostLimiter, headerMap } from '../../src/net/index.js';
import { newCounter, type SocketCounter } from './fakes.js';
import { testApi } from './helpers.js';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => { await Promise.all(closers.splice(0).map((c) => c())); });

interface Seen { requests: http.IncomingMessage[]; counter: SocketCounter }

async function serve(handler: http.RequestListener, make: (h: http.RequestListener) => http.Server = (h) => http.createServer(h)): Promise<{ port: number } & Seen> {
  const seen: Seen = { requests: [], counter: newCounter() };
  const sockets = new Set<net.Socket>();
  const server = make((req, res) => { seen.requests.push(req); handler(req, res); });
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    seen.counter.current += 1;
    seen.counter.accepted += 1;
    seen.counter.max = Math.max(seen.counter.max, seen.counter.current);
    let gone = false;
    const leave = (): void => { if (!gone) { gone = true; seen.counter.current -= 1; sockets.delete(s); } };
    s.on('end', leave); s.on('close', leave); s.on('error', leave);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(async () => {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return { port: a.port, ...seen };
}

describe('http wrapper', () => {
  it('never follows a redirect, sends the device Host and no Accept-Encoding', async () => {
    const s = await serve((req, res) => {
      if (req.url === '/') { res.writeHead(302, { Location: 'http://8.8.8.8/elsewhere' }); res.end(); return; }
      res.end('should not be reached');
    });
    const { net } = testApi();
    const r = await net.http({ port: s.port, tls: false, path: '/' });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toEqual(['http://8.8.8.8/elsewhere']);
    expect(s.requests).toHaveLength(1);
    expect(s.requests[0]!.headers.host).toBe(`127.0.0.1:${s.port}`);
    expect(s.requests[0]!.headers['accept-encoding']).toBeUndefined();
  });

  it('sends what axios sent before the wrapper used node:http directly: its Accept, the normalised path, one header per name', async () => {
    const s = await serve((_req, res) => res.end('ok'));
    const { net } = testApi();
    await net.http({ port: s.port, tls: false, path: '/a b?x=1&y="q"' });
    await net.http({ port: s.port, tls: false, path: '/x', headers: { accept: 'text/html', 'accept-encoding': 'gzip', 'user-agent': 'Mozilla/5.0', HOST: 'evil.example', 'X-Test': '1', 'x-test': '2' } });
    const [first, second] = s.requests;
    // the raw lines as they came off the wire, names in the case sent
    expect(first!.url).toBe('/a%20b?x=1&y=%22q%22');
    expect(first!.rawHeaders).toEqual(['Accept', 'application/json, text/plain, */*', 'Host', `127.0.0.1:${s.port}`, 'User-Agent', 'iotcop', 'Connection', 'keep-alive']);
    expect(second!.headers.accept).toBe('text/html');
    expect(second!.headers['accept-encoding']).toBeUndefined();
    expect(second!.headers['user-agent']).toBe('Mozilla/5.0');
    expect(second!.headers.host).toBe(`127.0.0.1:${s.port}`);
    expect(second!.headers['x-test']).toBe('2');
    expect(second!.rawHeaders.filter((h) => /^x-test$/i.test(h))).toHaveLength(1);
  });

  it('ignores proxy settings from the environment', async () => {
    const s = await serve((_req, res) => res.end('direct'));
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy };
    process.env.HTTP_PROXY = 'http://127.0.0.1:1';
    process.env.http_proxy = 'http://127.0.0.1:1';
    try {
      const { net } = testApi();
      const r = await net.http({ port: s.port, tls: false, path: '/x' });
      expect(r.body.toString()).toBe('direct');
      expect(s.requests[0]?.url).toBe('/x');
    } finally {
      for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
    }
  });

  it('caps the body and marks it truncated instead of failing', async () => {
    const s = await serve((_req, res) => { res.writeHead(200, { 'Content-Type': 'text/plain' }); res.end(Buffer.alloc(300_000, 0x62)); });
    const { net } = testApi();
    const r = await net.http({ port: s.port, tls: false, path: '/big', maxBytes: 10_000 });
    expect(r.status).toBe(200);
    expect(r.truncated).toBe(true);
    expect(r.body.length).toBe(10_000);
    expect(r.headers.get('content-type')).toEqual(['text/plain']);
  });

  it('does not decompress: a gzip bomb stays a small capped body', async () => {
    const { gzipSync } = await import('node:zlib');
    const bomb = gzipSync(Buffer.alloc(20 * 1024 * 1024));
    const s = await serve((_req, res) => { res.writeHead(200, { 'Content-Encoding': 'gzip' }); res.end(bomb); });
    const { net } = testApi();
    const r = await net.http({ port: s.port, tls: false, path: '/', maxBytes: 100_000 });
    expect(r.body.length).toBe(bomb.length);
    expect(r.headers.get('content-encoding')).toEqual(['gzip']);
  });

  it('ends a slow body at the deadline with a timeout', async () => {
    const timers: NodeJS.Timeout[] = [];
    closers.push(async () => { for (const t of timers) clearInterval(t); });
    const s = await serve((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('.'), 20);
      timers.push(t);
      res.on('close', () => clearInterval(t));
    });
    const { net } = testApi();
    await expect(net.http({ port: s.port, tls: false, path: '/', timeoutMs: 300 })).rejects.toMatchObject({ kind: 'timeout' });
  });

  it('keeps repeated set-cookie and www-authenticate apart and joins other repeats', () => {
    const m = headerMap(['Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X-Thing', 'one', 'x-thing', 'two', 'WWW-Authenticate', 'Basic realm="a, b"', 'WWW-Authenticate', 'Digest realm="x"', '__proto__', 'p']);
    expect(m.get('set-cookie')).toEqual(['a=1', 'b=2']);
    expect(m.get('x-thing')).toEqual(['one, two']);
    expect(m.get('www-authenticate')).toEqual(['Basic realm="a, b"', 'Digest realm="x"']);
    expect(m.get('__proto__')).toEqual(['p']);
    expect(({} as Record<string, unknown>)['p']).toBeUndefined();
  });

  it('refuses paths that would leave the device', async () => {
    const { net, budget } = testApi();
    await expect(net.http({ port: 80, tls: false, path: 'http://8.8.8.8/' })).rejects.toMatchObject({ kind: 'out-of-scope' });
    await expect(net.http({ port: 80, tls: false, path: '//8.8.8.8/x' })).rejects.toMatchObject({ kind: 'out-of-scope' });
    expect(budget.used).toBe(0);
  });

  it('holds the per-host limit across concurrent requests and counts each against the budget', async () => {
    // Counted on the server as requests in flight: node's HTTP server notices a client's close through its
    // parser, later than a plain socket would, so its socket count may briefly include a connection the
    // client has already closed. Every request uses its own connection (accepted === 8).
    const inFlight = { now: 0, max: 0 };
    const s = await serve((_req, res) => {
      inFlight.now += 1;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      setTimeout(() => { inFlight.now -= 1; res.end('ok'); }, 30);
    });
    const limiter = createHostLimiter(2);
    const a = testApi({ limiter });
    const b = testApi({ limiter });
    const all = await Promise.all([
      ...Array.from({ length: 4 }, () => a.net.http({ port: s.port, tls: false, path: '/' })),
      ...Array.from({ length: 4 }, () => b.net.http({ port: s.port, tls: false, path: '/' })),
    ]);
    expect(all.every((r) => r.status === 200 && r.body.toString() === 'ok')).toBe(true);
    expect(s.counter.accepted).toBe(8);
    expect(inFlight.max).toBeLessThanOrEqual(2);
    expect(inFlight.max).toBeGreaterThanOrEqual(1);
    expect(limiter.highWater('127.0.0.1')).toBe(2);
    expect(a.budget.used).toBe(4);
    expect(b.budget.used).toBe(4);
  });

  it('speaks https to a self-signed device and records its certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-https-'));
    let key: Buffer; let cert: Buffer;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
        '-subj', '/CN=cam.test', '-days', '2', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
      key = readFileSync(join(dir, 'k.pem')); cert = readFileSync(join(dir, 'c.pem'));
    } finally { rmSync(dir, { recursive: true, force: true }); }
    const s = await serve((_req, res) => res.end('secure'), (h) => https.createServer({ key, cert }, h));
    const { net } = testApi();
    const r = await net.http({ port: s.port, tls: true, path: '/' });
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('secure');
    expect(r.tls?.chainDer).toHaveLength(1);
    expect(r.tls?.authorized).toBe(false);
    expect(r.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
  });

  it('maps a refused port and an oversized header block to the error vocabulary', async () => {
    const { closedPort } = await import('./fakes.js');
    const { net } = testApi();
    await expect(net.http({ port: await closedPort(), tls: false, path: '/' })).rejects.toMatchObject({ kind: 'refused' });
    const s = await serve((_req, res) => { res.setHeader('X-Huge', 'a'.repeat(40_000)); res.end('x'); });
    await expect(net.http({ port: s.port, tls: false, path: '/' })).rejects.toMatchObject({ kind: 'protocol-error' });
  });
});

describe('http wrapper: POST', () => {
  const readBody = (req: http.IncomingMessage): Promise<Buffer> => new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });

  it('sends the body with its content type and length, and still follows no redirect', async () => {
    const bodies: { body: string; type: string | undefined; length: string | undefined; method: string | undefined }[] = [];
    const s = await serve((req, res) => {
      void readBody(req).then((b) => {
        bodies.push({ body: b.toString('utf8'), type: req.headers['content-type'], length: req.headers['content-length'], method: req.method });
        res.writeHead(302, { Location: '/home', 'Set-Cookie': 'sid=1' });
        res.end();
      });
    });
    const { net } = testApi();
    const r = await net.http({ port: s.port, tls: false, path: '/login', method: 'POST', body: '{"u":"admin"}', contentType: 'application/json', headers: { 'Content-Type': 'text/evil', 'Content-Length': '99' } });
    expect(r.status).toBe(302);
    expect(s.requests).toHaveLength(1);
    expect(bodies).toEqual([{ body: '{"u":"admin"}', type: 'application/json', length: '13', method: 'POST' }]);
    const form = await net.http({ port: s.port, tls: false, path: '/login', method: 'POST', body: Buffer.from('a=1&b=2') });
    expect(form.status).toBe(302);
    expect(bodies[1]).toEqual({ body: 'a=1&b=2', type: 'application/x-www-form-urlencoded', length: '7', method: 'POST' });
  });

  it('refuses a body above the cap and a body on GET before connecting', async () => {
    const s = await serve((_req, res) => res.end('x'));
    const { net, budget } = testApi();
    const before = budget.used;
    await expect(net.http({ port: s.port, tls: false, path: '/', method: 'POST', body: 'x'.repeat(16 * 1024 + 1) })).rejects.toThrow(/exceeds/);
    await expect(net.http({ port: s.port, tls: false, path: '/', body: 'a=1' })).rejects.toThrow(/must not carry a body/);
    expect(s.requests).toHaveLength(0);
    expect(budget.used).toBe(before);
    const ok = await net.http({ port: s.port, tls: false, path: '/', method: 'POST', body: 'x'.repeat(16 * 1024) });
    expect(ok.status).toBe(200);
  });

  it('caps the answer to a POST like any other', async () => {
    const s = await serve((req, res) => { req.resume(); res.end('y'.repeat(50_000)); });
    const { net } = testApi();
    const r = await net.http({ port: s.port, tls: false, path: '/', method: 'POST', body: 'a=1', maxBytes: 1000 });
    expect(r.body.length).toBe(1000);
    expect(r.truncated).toBe(true);
  });
});
