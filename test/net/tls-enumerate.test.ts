/**
 * Crafted-ClientHello enumeration (issue 16) on real and faithful-fake servers on loopback:
 * - Debian's `openssl s_server` in a careless legacy configuration (every suite its OpenSSL has, TLS 1.0
 *   and up, a 1024-bit DH group), compared suite by suite with sslscan (Debian package) on the same port;
 * - lab/devices/legacy-tls, an old embedded stack's handshake (SSLv2, SSLv3, RC4, DES, 3DES, EXPORT) that
 *   no modern OpenSSL can offer;
 * - garbage, truncated and silent servers: results, never crashes.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { createConnection } from 'node:net';
import { enumerateTls, type Enumeration, type HelloStream } from '../../src/net/tls-enumerate.js';
import { buildClientHello, NAMED_GROUPS, parseSslv2Response, parseTlsResponse } from '../../src/net/tls-hello.js';
import { CIPHER_SUITES, describeSuite, suitesFor } from '../../src/data/tls-suites.js';
import { DEFAULT_CONFIG, startLegacyTls } from '../../lab/devices/legacy-tls/server.mjs';
import { hexCodes, localOpensslSuites, sslscan } from './sslscan.js';
import { startSServer } from './helpers.js';

/** A plain loopback stream with the dialer's read contract (the probe uses the dialer layer's Conn). */
function dialer(port: number): () => Promise<HelloStream> {
  return () => new Promise((resolve, reject) => {
    const s = createConnection({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    let closed = false;
    const waiters: (() => void)[] = [];
    s.on('data', (d: Buffer) => { buf = Buffer.concat([buf, d]); waiters.splice(0).forEach((w) => w()); });
    s.on('close', () => { closed = true; waiters.splice(0).forEach((w) => w()); });
    s.on('error', (e) => { if (!closed) reject(e); closed = true; waiters.splice(0).forEach((w) => w()); });
    s.on('connect', () => resolve({
      write: (b) => new Promise((r) => s.write(b, () => r())),
      readUntil: async (done, timeoutMs = 3000) => {
        const end = Date.now() + timeoutMs;
        while (!done(buf) && !closed && buf.length < 65536) {
          const left = end - Date.now();
          if (left <= 0) return { data: buf, timedOut: true, closed, truncated: false };
          await new Promise<void>((r) => { const t = setTimeout(r, left); waiters.push(() => { clearTimeout(t); r(); }); });
        }
        return { data: buf.subarray(0, 65536), timedOut: false, closed, truncated: buf.length > 65536 };
      },
      close: () => { s.destroy(); },
    }));
  });
}

function names(e: Enumeration, protocol: string): string[] {
  return (e.protocols.find((p) => p.protocol === protocol)?.accepted ?? []).map((s) => s.iana).sort();
}

const work = mkdtempSync(join(tmpdir(), 'iotcop-tls-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const key = join(work, 'k.pem');
const cert = join(work, 'c.pem');
const dh = join(work, 'dh1024.pem');
beforeAll(() => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=legacy.test'], { stdio: 'ignore' });
}, 30_000);

describe('the suite table', () => {
  it('reads key exchange, cipher, bits and MAC from the IANA names', () => {
    const by = (iana: string) => CIPHER_SUITES.find((s) => s.iana === iana)!;
    expect(by('TLS_RSA_WITH_3DES_EDE_CBC_SHA')).toMatchObject({ id: 0x000a, kex: 'RSA', cipher: '3DES_EDE_CBC', bits: 112, blockBits: 64, cbc: true, mac: 'SHA1', forwardSecret: false });
    expect(by('TLS_RSA_EXPORT_WITH_RC4_40_MD5')).toMatchObject({ id: 0x0003, exportGrade: true, bits: 40, mac: 'MD5' });
    expect(by('TLS_DH_anon_WITH_AES_128_CBC_SHA')).toMatchObject({ anonymous: true, kex: 'DH_anon' });
    expect(by('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384')).toMatchObject({ cipher: 'AES_256_GCM', mac: 'AEAD', bits: 256, blockBits: 0, cbc: false, forwardSecret: true });
    expect(by('TLS_AES_128_GCM_SHA256')).toMatchObject({ kex: 'TLS13', since: 'TLSv1.3', forwardSecret: true });
    expect(by('SSL_CK_RC4_128_EXPORT40_WITH_MD5')).toMatchObject({ id: 0x020080, exportGrade: true, bits: 40 });
    expect(by('TLS_RSA_WITH_NULL_SHA256')).toMatchObject({ cipher: 'NULL', bits: 0, mac: 'SHA256' });
    expect(describeSuite({ code: '0005', iana: 'TLS_RSA_WITH_RC4_128_SHA', openssl: 'RC4-SHA', since: 'SSLv3' })).toMatchObject({ bits: 128, blockBits: 0, mac: 'SHA1' });
  });

  it('offers each protocol the suites defined for it, and more than Node\'s OpenSSL can', () => {
    expect(suitesFor('TLSv1.3').map((s) => s.iana)).toContain('TLS_CHACHA20_POLY1305_SHA256');
    expect(suitesFor('SSLv3').some((s) => s.since === 'TLSv1.2')).toBe(false);
    expect(suitesFor('TLSv1.2').length).toBeGreaterThan(300);
    const localIds = [...localOpensslSuites()];
    expect(localIds.length).toBeGreaterThan(100);
    const ours = new Set(CIPHER_SUITES.map((s) => s.id));
    // Every suite the local OpenSSL knows is in the table (so sslscan can never see one we do not offer).
    expect(localIds.filter((id) => !ours.has(id))).toEqual([]);
  });
});

describe('the parser never throws', () => {
  it('on garbage, truncations and alerts', () => {
    const hello = buildClientHello({ protocol: 'TLSv1.2', suites: [0x002f, 0x000a] });
    for (let i = 0; i < 400; i++) {
      const junk = Buffer.from(Array.from({ length: (i * 37) % 300 }, (_, j) => (i * 131 + j * 17) & 0xff));
      expect(() => parseTlsResponse(junk)).not.toThrow();
      expect(() => parseSslv2Response(junk)).not.toThrow();
      const cut = hello.subarray(0, i % hello.length);
      expect(() => parseTlsResponse(Buffer.concat([Buffer.from([22, 3, 3]), cut]))).not.toThrow();
    }
    expect(parseTlsResponse(Buffer.from([21, 3, 1, 0, 2, 2, 40]))).toMatchObject({ kind: 'alert', alert: { name: 'handshake_failure' }, complete: true });
    expect(parseTlsResponse(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toMatchObject({ kind: 'not-tls', complete: true });
    expect(parseTlsResponse(Buffer.from([22, 3, 1, 0, 50, 2]))).toMatchObject({ complete: false });
  });
});

describe('a legacy embedded stack (lab/devices/legacy-tls)', () => {
  let fake: { port: number; connections: number; close: () => Promise<void> };
  let result: Enumeration;
  beforeAll(async () => {
    fake = await startLegacyTls({ certDer: new X509Certificate(readFileSync(cert, 'utf8')).raw });
    result = await enumerateTls({ dial: dialer(fake.port), exchangeMs: 2000 });
  }, 60_000);
  afterAll(async () => { await fake.close(); });

  it('finds SSLv2 and SSLv3 with RC4, DES, 3DES and EXPORT suites, none of which Node can offer', () => {
    const v = Object.fromEntries(result.protocols.map((p) => [p.protocol, p.supported]));
    expect(v).toEqual({ SSLv2: true, SSLv3: true, TLSv1: true, 'TLSv1.1': false, 'TLSv1.2': false, 'TLSv1.3': false });
    expect(names(result, 'SSLv2')).toEqual(['SSL_CK_DES_192_EDE3_CBC_WITH_MD5', 'SSL_CK_RC4_128_EXPORT40_WITH_MD5', 'SSL_CK_RC4_128_WITH_MD5']);
    expect(names(result, 'SSLv3')).toEqual([
      'TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA', 'TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
      'TLS_RSA_EXPORT_WITH_RC4_40_MD5', 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_DES_CBC_SHA',
      'TLS_RSA_WITH_RC4_128_MD5', 'TLS_RSA_WITH_RC4_128_SHA',
    ]);
    expect(names(result, 'TLSv1')).toEqual(names(result, 'SSLv3'));
    expect(result.protocols.every((p) => p.complete)).toBe(true);
    expect(result.certificate).not.toBeNull();
  });

  it('reads the key exchange: the 1024-bit Oakley group, a 512-bit export group and a 512-bit export RSA key', () => {
    const tls1 = result.protocols.find((p) => p.protocol === 'TLSv1')!;
    const kx = (iana: string) => tls1.accepted.find((s) => s.iana === iana)?.keyExchange;
    expect(kx('TLS_DHE_RSA_WITH_AES_128_CBC_SHA')).toMatchObject({ dhBits: 1024 });
    expect(kx('TLS_DHE_RSA_WITH_AES_128_CBC_SHA')?.dhPrimeHex).toMatch(/^ffffffffffffffffc90fdaa2/);
    expect(kx('TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA')).toMatchObject({ dhBits: 512 });
    expect(kx('TLS_RSA_EXPORT_WITH_RC4_40_MD5')).toMatchObject({ rsaBits: 512 });
    expect(tls1.secureRenegotiation).toBe(false);
    expect(tls1.compression).toBe(false);
  });

  it('refuses TLS 1.1 and 1.2 as the stack does (a TLS 1.0 answer to a newer hello)', () => {
    const tls12 = result.protocols.find((p) => p.protocol === 'TLSv1.2')!;
    expect(tls12).toMatchObject({ supported: false, answeredWith: 'TLSv1', accepted: [] });
  });

  it('with ECDHE suites: every named curve it has, a 192-bit one included; explicit curve parameters leave the list incomplete', async () => {
    const certDer = new X509Certificate(readFileSync(cert, 'utf8')).raw;
    const config = { ...DEFAULT_CONFIG, versions: ['TLSv1' as const], suites: { TLSv1: [0xc013, 0x002f] }, curves: [0x0013, 0x0017] };
    const named = await startLegacyTls({ certDer, config });
    try {
      const e = await enumerateTls({ dial: dialer(named.port), exchangeMs: 2000, protocols: ['TLSv1'] });
      expect(e.groups).toEqual([{ protocol: 'TLSv1', groups: ['secp256r1', 'secp192r1'], complete: true, refusal: 'handshake_failure', connections: 3 }]);
    } finally { await named.close(); }
    const explicit = await startLegacyTls({ certDer, config: { ...config, explicitCurve: true } });
    try {
      const e = await enumerateTls({ dial: dialer(explicit.port), exchangeMs: 2000, protocols: ['TLSv1'] });
      expect(e.groups[0]).toMatchObject({ protocol: 'TLSv1', groups: [], complete: false, refusal: 'the server chose explicit prime curve outside the named groups' });
    } finally { await explicit.close(); }
  }, 30_000);
});

describe('openssl s_server in a careless legacy configuration, next to sslscan', () => {
  let server: { port: number; kill: () => void };
  let port = 0;
  let ours: Enumeration;
  beforeAll(async () => {
    execFileSync('openssl', ['dhparam', '-out', dh, '1024'], { stdio: 'ignore' });
    server = await startSServer(['-cert', cert, '-key', key, '-cipher', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0', '-dhparam', dh, '-groups', 'secp192r1:prime256v1:secp384r1:x25519', '-min_protocol', 'TLSv1', '-quiet', '-naccept', '1000'], { ...process.env, OPENSSL_CONF: '/dev/null' });
    port = server.port;
    ours = await enumerateTls({ dial: dialer(port), exchangeMs: 3000 });
  }, 120_000);
  afterAll(() => { server.kill(); });

  it('accepts exactly the suites sslscan accepts, protocol by protocol', () => {
    const reference = sslscan(`127.0.0.1:${port}`);
    const theirs = reference.accepted;
    expect(theirs.size).toBeGreaterThanOrEqual(4);
    for (const p of ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']) {
      const mine = new Set(ours.protocols.find((x) => x.protocol === p)!.accepted.map((s) => s.id));
      expect({ protocol: p, ids: hexCodes(mine) }).toEqual({ protocol: p, ids: hexCodes(theirs.get(p) ?? []) });
    }
    // sslscan sees SSLv2/SSLv3 disabled too.
    expect(reference.enabled.has('SSLv3')).toBe(false);
    expect(reference.enabled.has('TLSv1')).toBe(true);
    expect(ours.protocols.find((x) => x.protocol === 'SSLv3')!.supported).toBe(false);
  });

  it('sees the 1024-bit DH group on every DHE suite, and secure renegotiation', () => {
    const tls12 = ours.protocols.find((x) => x.protocol === 'TLSv1.2')!;
    const dhe = tls12.accepted.filter((s) => /^TLS_DHE_/.test(s.iana));
    expect(dhe.length).toBeGreaterThan(5);
    expect(dhe.every((s) => s.keyExchange?.dhBits === 1024)).toBe(true);
    expect(tls12.accepted.some((s) => s.iana.startsWith('TLS_DH_anon_'))).toBe(true);
    expect(tls12.secureRenegotiation).toBe(true);
    const ecdhe = tls12.accepted.find((s) => /^TLS_ECDHE_RSA_/.test(s.iana));
    expect(ecdhe?.keyExchange?.curve).toBe('x25519');
  });

  it('accepts exactly the key-exchange groups sslscan lists, on TLS 1.2 and TLS 1.3', () => {
    const reference = sslscan(`127.0.0.1:${port}`);
    const byName = new Map(Object.entries(NAMED_GROUPS).map(([code, name]) => [name, Number(code)]));
    for (const p of ['TLSv1.2', 'TLSv1.3']) {
      const g = ours.groups.find((x) => x.protocol === p);
      expect(g?.complete).toBe(true);
      const mine = new Set(g!.groups.map((n) => byName.get(n) ?? -1));
      expect({ protocol: p, groups: hexCodes(mine) }).toEqual({ protocol: p, groups: hexCodes(reference.groups.get(p) ?? []) });
    }
    // The 192-bit curve is offered on TLS 1.2 only (TLS 1.3 does not define it).
    expect(ours.groups.find((x) => x.protocol === 'TLSv1.2')!.groups).toContain('secp192r1');
    expect(ours.groups.find((x) => x.protocol === 'TLSv1.3')!.groups).not.toContain('secp192r1');
  });
});

describe('servers that are not TLS', () => {
  it('a silent port and an HTTP server give refusals, not crashes or suites', async () => {
    const silent = createServer(() => undefined);
    const http = createServer((s) => { s.once('data', () => s.end('HTTP/1.1 400 Bad Request\r\n\r\n')); });
    await Promise.all([silent, http].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
    const at = (s: Server) => (s.address() as { port: number }).port;
    const quiet = await enumerateTls({ dial: dialer(at(silent)), exchangeMs: 300, protocols: ['TLSv1.2'] });
    expect(quiet.protocols[0]).toMatchObject({ supported: null, complete: false, accepted: [], refusal: 'no answer before the timeout' });
    const web = await enumerateTls({ dial: dialer(at(http)), exchangeMs: 1000, protocols: ['TLSv1.2', 'SSLv2'] });
    expect(web.protocols.every((p) => p.accepted.length === 0 && p.supported !== true)).toBe(true);
    silent.close();
    http.close();
  }, 20_000);
});
