import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { startServer, type FakeServer } from './fakes.js';
import { testApi } from './helpers.js';

let key: Buffer;
let cert: Buffer;
let caCert: Buffer;
let leafKey: Buffer;
let leafCert: Buffer;
const servers: { close(): Promise<void> }[] = [];

beforeAll(() => {
  // A throwaway self-signed EC certificate, made by the openssl CLI for this run only.
  const dir = mkdtempSync(join(tmpdir(), 'iotcop-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-subj', '/CN=iotcop-test', '-days', '2', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
    ], { stdio: 'ignore' });
    key = readFileSync(join(dir, 'key.pem'));
    cert = readFileSync(join(dir, 'cert.pem'));
    // A two-level chain: a throwaway CA and a leaf it signed.
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    execFileSync('openssl', ['req', '-x509', ...ec, '-subj', '/CN=iotcop-test-ca', '-days', '2',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-keyout', join(dir, 'ca.key'), '-out', join(dir, 'ca.pem')], { stdio: 'ignore' });
    execFileSync('openssl', ['req', ...ec, '-subj', '/CN=device.test', '-keyout', join(dir, 'leaf.key'), '-out', join(dir, 'leaf.csr')], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', join(dir, 'leaf.csr'), '-CA', join(dir, 'ca.pem'), '-CAkey', join(dir, 'ca.key'),
      '-CAcreateserial', '-days', '2', '-out', join(dir, 'leaf.pem')], { stdio: 'ignore' });
    caCert = readFileSync(join(dir, 'ca.pem'));
    leafKey = readFileSync(join(dir, 'leaf.key'));
    leafCert = readFileSync(join(dir, 'leaf.pem'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

async function tlsServer(options: tls.TlsOptions): Promise<number> {
  const sockets = new Set<tls.TLSSocket>();
  const server = tls.createServer({ key, cert, ...options }, (s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    s.write('hello over tls\n');
  });
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push({
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  });
  const a = server.address();
  if (a === null || typeof a === 'string') throw new Error('no port');
  return a.port;
}

describe('tls dialer', () => {
  it.each(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const)('dials exactly %s and records protocol, cipher, chain and verdict', async (version) => {
    const port = await tlsServer({ minVersion: 'TLSv1', maxVersion: 'TLSv1.3', ciphers: 'ALL@SECLEVEL=0' });
    const { net } = testApi();
    const conn = await net.tls(port, { minVersion: version, maxVersion: version });
    expect(conn.tls?.protocol).toBe(version);
    expect(conn.tls?.cipher).toEqual(expect.any(String));
    expect(conn.tls?.chainDer).toHaveLength(1);
    expect(new X509Certificate(conn.tls!.chainDer[0]!).fingerprint256).toBe(new X509Certificate(cert).fingerprint256);
    // Checked against the default CA store, not rejected.
    expect(conn.tls?.authorized).toBe(false);
    expect(conn.tls?.authorizationError).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    const r = await conn.readUntil((b) => b.includes('\n'));
    expect(r.data.toString()).toBe('hello over tls\n');
    conn.close();
  });

  it('records the whole chain leaf first', async () => {
    const port = await tlsServer({ key: leafKey, cert: Buffer.concat([leafCert, caCert]) });
    const { net } = testApi();
    const conn = await net.tls(port);
    const chain = conn.tls!.chainDer.map((d) => new X509Certificate(d));
    expect(chain.map((c) => c.subject)).toEqual(['CN=device.test', 'CN=iotcop-test-ca']);
    expect(conn.tls?.authorized).toBe(false);
    expect(conn.tls?.authorizationError).toEqual(expect.any(String));
    conn.close();
  });

  it('negotiates the best version when none is forced', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1', ciphers: 'ALL@SECLEVEL=0' });
    const { net } = testApi();
    const conn = await net.tls(port, { servername: '127.0.0.1' });
    expect(conn.tls?.protocol).toBe('TLSv1.3');
    conn.close();
  });

  it('classifies a version the server does not speak as tls-handshake', async () => {
    const port = await tlsServer({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' });
    const { net, breaker } = testApi();
    await expect(net.tls(port, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' })).rejects.toMatchObject({ kind: 'tls-handshake' });
    await expect(net.tls(port, { minVersion: 'TLSv1', maxVersion: 'TLSv1' })).rejects.toMatchObject({ kind: 'tls-handshake' });
    // An answer, even an alert, is a sign of life.
    expect(breaker.isOpen('127.0.0.1')).toBe(false);
  });

  it('classifies a plaintext service as tls-handshake, never falling back to plaintext', async () => {
    const s: FakeServer = await startServer({ kind: 'banner', text: 'HTTP/1.0 400 Bad Request\r\n\r\n' });
    servers.push(s);
    const { net } = testApi();
    await expect(net.tls(s.port)).rejects.toMatchObject({ kind: 'tls-handshake' });
  });

  it('bounds a handshake that never starts (silent server) by the connect deadline', async () => {
    const s: FakeServer = await startServer({ kind: 'silent' });
    servers.push(s);
    const { net } = testApi({ defaults: { connectTimeoutMs: 150 } });
    await expect(net.tls(s.port)).rejects.toMatchObject({ kind: 'timeout' });
  });
});
