import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import probe, {
  assessTls, certificateMatches, classifyCipher, describeCert, dnsMatches, fromSslEnumCiphers, hasForwardSecrecy,
  isHttpService, looksNotTls, type CertEntry, type TlsEvidence, type VersionResult,
} from '../../src/probes/tls-configuration.js';
import { pemToDer } from '../../src/probes/lib/x509.js';
import type { CheckResult } from '../../src/probes/contract.js';
import type { Json, Service } from '../../src/report/model.js';
import { makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { expectValidMeta } from './helpers/meta-check.js';
import { startLegacyTls } from '../../lab/devices/legacy-tls/server.mjs';

const dir = fileURLToPath(new URL('./fixtures/tls/', import.meta.url));
const read = (f: string): string => readFileSync(`${dir}${f}`, 'utf8');
const certEntry = (file: string): CertEntry => describeCert(pemToDer(read(file))[0]!);
const NOW = new Date('2027-06-01T00:00:00Z');

function byCheck(results: CheckResult[]): Map<string, CheckResult> {
  return new Map(results.map((r) => [r.check, r]));
}

function versions(accepted: string[], rejected: string[] = []): VersionResult[] {
  return (['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const).map((v) => {
    if (accepted.includes(v)) return { version: v, status: 'accepted', cipher: null, error: null };
    if (rejected.includes(v)) return { version: v, status: 'rejected', cipher: null, error: { kind: 'tls-handshake', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'alert protocol version' } };
    return { version: v, status: 'untested', cipher: null, error: null };
  });
}

function evidence(over: Partial<TlsEvidence> = {}): TlsEvidence {
  return {
    port: 443, source: 'hello', versions: versions(['TLSv1.2', 'TLSv1.3'], ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1']),
    ciphers: [{ name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2', kexInfo: 'ecdh x25519' }, { name: 'TLS_AES_256_GCM_SHA384', protocol: 'TLSv1.3', kexInfo: null }],
    nmapWarnings: [], untestable: [], groups: [],
    hello: {
      connections: 20, elapsedMs: 40,
      protocols: (['TLSv1.2', 'TLSv1.3'] as const).map((protocol) => ({
        protocol, supported: true, complete: true, offered: 100, accepted: 1, refusal: null, answeredWith: null,
        secureRenegotiation: protocol === 'TLSv1.2' ? true : null, compression: false, keyShareGroup: null,
      })),
    },
    chain: [certEntry('good.crt'), certEntry('ca.crt')], certSource: 'handshake', certError: null,
    http: { status: 200, hsts: 'max-age=63072000; includeSubDomains', error: null },
    ...over,
  };
}

describe('tls-configuration assess (hand-built evidence)', () => {
  test('well-configured service: nothing fails or warns', () => {
    const r = assessTls(evidence(), '127.0.0.1', [], NOW);
    expect(r).toHaveLength(10);
    for (const x of r) expect(x.status).toBe('pass');
    expect(byCheck(r).get('tls-legacy-protocol')!.confidence).toBe('high'); // our own hellos try SSLv2 and SSLv3
    expect(byCheck(r).get('tls-legacy-protocol')!.detail).toContain('SSL 2.0, SSL 3.0, TLS 1.0, TLS 1.1 refused');
  });

  test('camera: TLS 1.0, 1024-bit key, SHA-1 self-signed certificate, no HSTS', () => {
    const r = byCheck(assessTls(evidence({
      versions: versions(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], ['SSLv2', 'SSLv3']),
      ciphers: [{ name: 'ECDHE-RSA-AES256-SHA', protocol: 'TLSv1', kexInfo: null }],
      chain: [certEntry('rsa1024-sha1.crt')],
      http: { status: 401, hsts: null, error: null },
    }), '10.231.0.10', [], NOW));
    // TLS 1.0 and 1.1 are weak, not broken: a warning (SSL 2.0/3.0 fail, below).
    expect(r.get('tls-legacy-protocol')).toMatchObject({ status: 'warn', severity: 'medium', confidence: 'high' });
    expect(r.get('tls-legacy-protocol')!.detail).toContain('TLS 1.0 and TLS 1.1');
    expect(r.get('tls-legacy-protocol')!.detail).toContain('SSL 2.0 and SSL 3.0 refused');
    expect(r.get('tls-certificate-weak-key')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.get('tls-certificate-weak-key')!.detail).toContain('1024-bit RSA');
    expect(r.get('tls-certificate-weak-signature')!.status).toBe('fail');
    expect(r.get('tls-certificate-weak-signature')!.detail).toContain('sha1WithRSAEncryption');
    expect(r.get('tls-certificate-self-signed')!.status).toBe('warn');
    expect(r.get('tls-certificate-expired')!.status).toBe('pass');
    expect(r.get('tls-certificate-not-yet-valid')!.status).toBe('pass');
    expect(r.get('tls-certificate-name-mismatch')!.status).toBe('warn');
    expect(r.get('https-hsts')!.status).toBe('warn');
  });

  test('NAS: expired certificate fails; not-yet-valid fails', () => {
    const expired = byCheck(assessTls(evidence({ chain: [certEntry('expired.crt')] }), '127.0.0.1', [], NOW));
    expect(expired.get('tls-certificate-expired')!.status).toBe('fail');
    expect(expired.get('tls-certificate-expired')!.detail).toContain('2023-01-01');
    const future = byCheck(assessTls(evidence({ chain: [certEntry('future.crt')] }), '127.0.0.1', [], NOW));
    expect(future.get('tls-certificate-not-yet-valid')!.status).toBe('fail');
    expect(future.get('tls-certificate-expired')!.status).toBe('pass');
  });

  test('nmap evidence the lab lacks: SSLv3 with RC4, 3DES and export suites', () => {
    const r = byCheck(assessTls(evidence({
      source: 'nmap', untestable: [],
      versions: versions(['SSLv3', 'TLSv1.2']),
      ciphers: [
        { name: 'TLS_RSA_WITH_RC4_128_SHA', protocol: 'SSLv3', kexInfo: 'rsa 2048' },
        { name: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA', protocol: 'SSLv3', kexInfo: 'rsa 2048' },
        { name: 'TLS_RSA_EXPORT_WITH_RC4_40_MD5', protocol: 'SSLv3', kexInfo: 'rsa 512' },
        { name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2', kexInfo: 'secp256r1' },
      ],
    }), '127.0.0.1', [], NOW));
    expect(r.get('tls-legacy-protocol')).toMatchObject({ status: 'fail', severity: 'high' });
    expect(r.get('tls-legacy-protocol')!.detail).toContain('SSL 3.0');
    const weak = r.get('tls-weak-cipher')!;
    expect(weak).toMatchObject({ status: 'fail', severity: 'high' });
    expect(weak.detail).toContain('TLS_RSA_WITH_RC4_128_SHA');
    const ev = weak.evidence as { weak: { name: string; why: string }[] };
    expect(ev.weak.map((w) => w.why)).toEqual(expect.arrayContaining(['RC4 stream cipher', '64-bit block or 56-bit cipher (Sweet32)', 'export-grade (40/56-bit) cryptography', 'MD5 message authentication']));
    expect(r.get('tls-legacy-protocol')!.confidence ?? 'high').toBe('high');
  });

  test('SSLv2 alone is critical', () => {
    const r = byCheck(assessTls(evidence({ source: 'nmap', versions: versions(['SSLv2', 'TLSv1.2']) }), '127.0.0.1', [], NOW));
    expect(r.get('tls-legacy-protocol')).toMatchObject({ status: 'fail', severity: 'critical' });
  });

  test('weak DH group from nmap kex_info', () => {
    const r = byCheck(assessTls(evidence({ source: 'nmap', ciphers: [{ name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2', kexInfo: 'dh 512' }] }), '127.0.0.1', [], NOW));
    expect(r.get('tls-weak-cipher')).toMatchObject({ status: 'fail', severity: 'high' });
    const r2 = byCheck(assessTls(evidence({ source: 'nmap', ciphers: [{ name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2', kexInfo: 'dh 1024' }] }), '127.0.0.1', [], NOW));
    expect(r2.get('tls-weak-cipher')!.status).toBe('warn');
  });

  test('static RSA warns, alone or next to ECDHE suites (a client that offers only it gets it)', () => {
    const only = byCheck(assessTls(evidence({ versions: versions(['TLSv1.2']), ciphers: [{ name: 'AES128-GCM-SHA256', protocol: 'TLSv1.2', kexInfo: null }] }), '127.0.0.1', [], NOW));
    expect(only.get('tls-weak-cipher')).toMatchObject({ status: 'warn', severity: 'low' });
    const mixed = byCheck(assessTls(evidence({ ciphers: [...evidence().ciphers, { name: 'TLS_RSA_WITH_AES_256_GCM_SHA384', protocol: 'TLSv1.2', kexInfo: null }] }), '127.0.0.1', [], NOW));
    expect(mixed.get('tls-weak-cipher')!.status).toBe('warn');
    expect(mixed.get('tls-weak-cipher')!.detail).toContain('1 suite with static RSA or static DH key exchange');
    expect(mixed.get('tls-weak-cipher')!.detail).toContain('TLS_RSA_WITH_AES_256_GCM_SHA384');
  });

  test('a curve below 224 bits warns; a group enumeration cut short is partly checked', () => {
    const weakCurve = byCheck(assessTls(evidence({ groups: [{ protocol: 'TLSv1.2', groups: ['x25519', 'secp256r1', 'secp192r1'], complete: true, refusal: null }] }), '127.0.0.1', [], NOW));
    expect(weakCurve.get('tls-weak-cipher')).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(weakCurve.get('tls-weak-cipher')!.detail).toContain('an elliptic curve below 224 bits (under 112-bit security) (secp192r1)');
    const good = byCheck(assessTls(evidence({ groups: [{ protocol: 'TLSv1.2', groups: ['x25519', 'secp256r1'], complete: true, refusal: null }] }), '127.0.0.1', [], NOW));
    expect(good.get('tls-weak-cipher')!.status).toBe('pass');
    const cut = byCheck(assessTls(evidence({ groups: [{ protocol: 'TLSv1.3', groups: ['x25519'], complete: false, refusal: 'no time left' }] }), '127.0.0.1', [], NOW));
    expect(cut.get('tls-weak-cipher')).toMatchObject({ status: 'partial' });
    expect(cut.get('tls-weak-cipher')!.detail).toContain('the key-exchange groups of TLS 1.3 are not tested');
  });

  test('a well-known DH prime is named in the reason', () => {
    const r = byCheck(assessTls(evidence({ ciphers: [{ name: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2', kexInfo: 'dh 1024', dhGroup: 'RFC2409/Oakley Group 2' }] }), '127.0.0.1', [], NOW));
    expect(r.get('tls-weak-cipher')).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(r.get('tls-weak-cipher')!.detail).toContain('DH group of 1024 bits (the widely shared prime RFC2409/Oakley Group 2)');
  });

  test('CBC with HMAC-SHA1 warns; the same cipher with SHA-256 or GCM does not', () => {
    const cbc = byCheck(assessTls(evidence({ ciphers: [
      { name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', protocol: 'TLSv1.2', kexInfo: 'ecdh x25519' },
      { name: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', protocol: 'TLSv1.2', kexInfo: 'ecdh x25519' },
    ] }), '127.0.0.1', [], NOW));
    expect(cbc.get('tls-weak-cipher')).toMatchObject({ status: 'warn', severity: 'low' });
    expect(cbc.get('tls-weak-cipher')!.detail).toMatch(/2 suites with CBC mode with HMAC-SHA1 .*TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA/);
    const ok = byCheck(assessTls(evidence({ ciphers: [
      { name: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', protocol: 'TLSv1.2', kexInfo: 'ecdh x25519' },
      { name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', protocol: 'TLSv1.2', kexInfo: 'ecdh x25519' },
    ] }), '127.0.0.1', [], NOW));
    expect(ok.get('tls-weak-cipher')!.status).toBe('pass');
    // Static RSA with CBC-SHA1: both reasons, one suite each.
    expect(classifyCipher('TLS_RSA_WITH_AES_128_CBC_SHA').map((v) => v.id)).toEqual(['cbc-sha1', 'no-forward-secrecy']);
    // A broken cipher is not also called "no forward secrecy".
    expect(classifyCipher('TLS_RSA_WITH_RC4_128_SHA').map((v) => v.id)).toEqual(['rc4']);
  });

  test('a protocol whose suites were not all tried: partly checked, never a pass', () => {
    const r = byCheck(assessTls(evidence({ untestable: ['TLSv1.2'] }), '127.0.0.1', [], NOW));
    expect(r.get('tls-weak-cipher')).toMatchObject({ status: 'partial' });
    expect(r.get('tls-weak-cipher')!.detail).toContain('the suites of TLS 1.2 are not tested');
    // A weak suite found is a fail even when the rest could not be finished.
    const weak = byCheck(assessTls(evidence({ untestable: ['TLSv1.2'], ciphers: [{ name: 'TLS_RSA_WITH_RC4_128_SHA', protocol: 'TLSv1.2', kexInfo: null }] }), '127.0.0.1', [], NOW));
    expect(weak.get('tls-weak-cipher')!.status).toBe('fail');
  });

  test('TLS 1.0 accepted while SSL 3.0 could not be tested: still a warning, naming the gap, medium confidence', () => {
    const v = versions(['TLSv1', 'TLSv1.2'], ['SSLv2', 'TLSv1.1']);
    v[1] = { version: 'SSLv3', status: 'error', cipher: null, error: { kind: 'timeout', code: null, message: 'no answer before the timeout' } };
    const r = byCheck(assessTls(evidence({ versions: v }), '127.0.0.1', [], NOW));
    expect(r.get('tls-legacy-protocol')).toMatchObject({ status: 'warn', confidence: 'medium' });
    expect(r.get('tls-legacy-protocol')!.detail).toContain('SSL 2.0 refused; not tested: SSL 3.0 (no answer before the timeout)');
  });

  test('a TLS 1.0 hello that timed out: the protocol check is partial, naming what was not tested', () => {
    const v = versions(['TLSv1.2'], ['SSLv2', 'SSLv3', 'TLSv1.1']);
    v[2] = { version: 'TLSv1', status: 'error', cipher: null, error: { kind: 'timeout', code: null, message: 'no answer before the timeout' } };
    const r = byCheck(assessTls(evidence({ versions: v }), '127.0.0.1', [], NOW));
    expect(r.get('tls-legacy-protocol')).toMatchObject({ status: 'partial' });
    expect(r.get('tls-legacy-protocol')!.detail).toContain('not tested: TLS 1.0 (no answer before the timeout)');
  });

  test('not TLS at all: every check not_applicable', () => {
    const notTls = { kind: 'tls-handshake', code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'wrong version number' };
    const r = assessTls(evidence({
      versions: versions([]).map((v) => (v.version === 'TLSv1.2' || v.version === 'TLSv1.3' ? { ...v, status: 'rejected', error: notTls } : v)),
      chain: [], http: null, ciphers: [],
    }), '127.0.0.1', [], NOW);
    expect(r).toHaveLength(10);
    for (const x of r) expect(x.status).toBe('not_applicable');
  });

  test('nothing answered: every check is an error', () => {
    const r = assessTls(evidence({
      versions: versions([]).map((v) => (v.version === 'TLSv1.2' ? { ...v, status: 'error', error: { kind: 'timeout', code: null, message: 'timeout' } } : v)),
      chain: [], http: null, ciphers: [],
    }), '127.0.0.1', [], NOW);
    for (const x of r) expect(x).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
  });

  test('every version refused by alerts: error (perhaps SSLv3-only), not pass', () => {
    const r = assessTls(evidence({ versions: versions([], ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']), chain: [], http: null, ciphers: [] }), '127.0.0.1', [], NOW);
    for (const x of r) expect(x).toMatchObject({ status: 'error', error: { kind: 'tls-handshake' } });
  });

  test('known weaknesses follow from the evidence: 1024-bit DH and TLS 1.0 CBC warn; nmap evidence leaves renegotiation untested', () => {
    const hello = (over: Partial<NonNullable<TlsEvidence['hello']>['protocols'][number]>) => ({
      connections: 10, elapsedMs: 50,
      protocols: [{ protocol: 'TLSv1' as const, supported: true, complete: true, offered: 175, accepted: 1, refusal: null, answeredWith: null, secureRenegotiation: true, compression: false, keyShareGroup: null, ...over }],
    });
    const camera = byCheck(assessTls(evidence({
      versions: versions(['TLSv1', 'TLSv1.2'], ['SSLv2', 'SSLv3', 'TLSv1.1', 'TLSv1.3']), hello: hello({}),
      ciphers: [{ name: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA', protocol: 'TLSv1', kexInfo: 'dh 1024' }],
    }), '127.0.0.1', [], NOW)).get('tls-known-weaknesses')!;
    expect(camera).toMatchObject({ status: 'warn', severity: 'medium' });
    expect((camera.evidence as { found: { id: string }[] }).found.map((f) => f.id)).toEqual(['logjam-1024', 'beast']);
    // CRIME and missing renegotiation_info come from the ServerHello our hellos read.
    const crime = byCheck(assessTls(evidence({ hello: hello({ compression: true, secureRenegotiation: false }) }), '127.0.0.1', [], NOW)).get('tls-known-weaknesses')!;
    expect(crime).toMatchObject({ status: 'fail', severity: 'medium' });
    expect((crime.evidence as { found: { id: string }[] }).found.map((f) => f.id)).toEqual(['insecure-renegotiation', 'crime']);
    // nmap's evidence has no ServerHello extensions: those two are not tested, so partial, not pass.
    const nmap = byCheck(assessTls(evidence({ source: 'nmap', hello: null }), '127.0.0.1', [], NOW)).get('tls-known-weaknesses')!;
    expect(nmap.status).toBe('partial');
    expect(nmap.detail).toContain('Insecure renegotiation');
    // A protocol not fully enumerated: the attacks on it are not tested.
    const cut = byCheck(assessTls(evidence({ untestable: ['SSLv3'], hello: hello({}) }), '127.0.0.1', [], NOW)).get('tls-known-weaknesses')!;
    expect(cut.status).toBe('partial');
    expect(cut.detail).toContain('POODLE (SSLv3 not fully enumerated)');
  });

  test('unparseable certificate: certificate checks are errors', () => {
    const broken: CertEntry = { sha256: '00', info: null, parseError: 'truncated DER element', selfSignatureValid: null };
    const r = byCheck(assessTls(evidence({ chain: [broken] }), '127.0.0.1', [], NOW));
    expect(r.get('tls-certificate-expired')).toMatchObject({ status: 'error', error: { kind: 'protocol-error' } });
    expect(r.get('tls-legacy-protocol')!.status).toBe('pass');
  });

  test('HSTS: max-age=0 warns; not an HTTP service is not applicable', () => {
    expect(byCheck(assessTls(evidence({ http: { status: 200, hsts: 'max-age=0', error: null } }), '127.0.0.1', [], NOW)).get('https-hsts')!.status).toBe('warn');
    expect(byCheck(assessTls(evidence({ http: null }), '127.0.0.1', [], NOW)).get('https-hsts')!.status).toBe('not_applicable');
  });

  test('an intermediate signed with SHA-1 fails the signature check', () => {
    const r = byCheck(assessTls(evidence({ chain: [certEntry('good.crt'), certEntry('dsa.crt')] }), '127.0.0.1', [], NOW));
    // dsa.crt is self-signed: a root's own signature does not count
    expect(r.get('tls-certificate-weak-signature')!.status).toBe('pass');
    const sha1Intermediate: CertEntry = { ...certEntry('dsa.crt') };
    sha1Intermediate.info = { ...sha1Intermediate.info!, selfSigned: false };
    const r2 = byCheck(assessTls(evidence({ chain: [certEntry('good.crt'), sha1Intermediate] }), '127.0.0.1', [], NOW));
    expect(r2.get('tls-certificate-weak-signature')!.status).toBe('fail');
  });

  test('name matching: IP SAN, DNS SAN with wildcard, CN-only warns', () => {
    expect(byCheck(assessTls(evidence({ chain: [certEntry('ec256.crt')] }), '10.0.0.5', ['cam.example.lan'], NOW)).get('tls-certificate-name-mismatch')!.status).toBe('pass');
    expect(byCheck(assessTls(evidence(), '::1', [], NOW)).get('tls-certificate-name-mismatch')!.status).toBe('pass');
    const cnOnly = byCheck(assessTls(evidence({ chain: [certEntry('rsa1024-sha1.crt')] }), '10.0.0.5', ['IPC-HFW4431R-Z'], NOW)).get('tls-certificate-name-mismatch')!;
    expect(cnOnly).toMatchObject({ status: 'warn', severity: 'low' });
  });
});

describe('tls-configuration helpers', () => {
  test.each([
    ['TLS_RSA_WITH_RC4_128_SHA', 'rc4'],
    ['RC4-MD5', 'rc4'],
    ['DES-CBC3-SHA', 'des'],
    ['TLS_RSA_WITH_3DES_EDE_CBC_SHA', 'des'],
    ['TLS_DH_anon_WITH_AES_128_CBC_SHA', 'anonymous'],
    ['AECDH-AES128-SHA', 'anonymous'],
    ['EXP-RC2-CBC-MD5', 'export'],
    ['TLS_RSA_EXPORT1024_WITH_DES_CBC_SHA', 'export'],
    ['NULL-SHA', 'null-encryption'],
    ['TLS_ECDHE_RSA_WITH_NULL_SHA', 'null-encryption'],
    ['AES128-SHA', 'no-forward-secrecy'],
    ['TLS_RSA_WITH_AES_128_GCM_SHA256', 'no-forward-secrecy'],
  ])('classifyCipher(%s) includes %s', (name, id) => {
    expect(classifyCipher(name).map((v) => v.id)).toContain(id);
  });

  test.each(['ECDHE-RSA-AES128-GCM-SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_AKE_WITH_CHACHA20_POLY1305_SHA256', 'DHE-RSA-AES256-GCM-SHA384', 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384'])('%s is fine', (name) => {
    expect(classifyCipher(name)).toEqual([]);
    expect(hasForwardSecrecy(name)).toBe(true);
  });

  test('fromSslEnumCiphers reads nmap structured output', () => {
    const table: Json = {
      'TLSv1.0': { ciphers: [{ name: 'TLS_RSA_WITH_AES_128_CBC_SHA', kex_info: 'rsa 1024', strength: 'F' }], compressors: ['NULL'], 'cipher preference': 'server', warnings: ['Forward Secrecy not supported by any cipher'] },
      'TLSv1.3': { ciphers: [{ name: 'TLS_AKE_WITH_AES_256_GCM_SHA384', kex_info: 'ecdh_x25519', strength: 'A' }], 'cipher preference': 'server' },
      'least strength': 'F',
    };
    const r = fromSslEnumCiphers([{ id: 'ssl-enum-ciphers', output: '', table }])!;
    expect(r.versions.filter((v) => v.status === 'accepted').map((v) => v.version)).toEqual(['TLSv1', 'TLSv1.3']);
    expect(r.versions.find((v) => v.version === 'SSLv3')!.status).toBe('rejected');
    expect(r.versions.find((v) => v.version === 'SSLv2')!.status).toBe('untested');
    expect(r.ciphers).toHaveLength(2);
    expect(r.nmapWarnings).toEqual(['Forward Secrecy not supported by any cipher']);
    expect(fromSslEnumCiphers([{ id: 'ssl-enum-ciphers', output: 'x' }])).toBeNull();
    expect(fromSslEnumCiphers(undefined)).toBeNull();
  });

  test('a "__proto__" key in nmap output is data, not a prototype', () => {
    const table = JSON.parse('{"__proto__": {"ciphers": []}, "TLSv1.2": {"ciphers": [{"name": "TLS_RSA_WITH_RC4_128_SHA"}]}}') as Json;
    const r = fromSslEnumCiphers([{ id: 'ssl-enum-ciphers', output: '', table }])!;
    expect(r.ciphers.map((c) => c.name)).toEqual(['TLS_RSA_WITH_RC4_128_SHA']);
  });

  test('dnsMatches follows RFC 6125', () => {
    expect(dnsMatches('*.example.lan', 'cam.example.lan')).toBe(true);
    expect(dnsMatches('*.example.lan', 'a.b.example.lan')).toBe(false);
    expect(dnsMatches('*.lan', 'cam.lan')).toBe(false);
    expect(dnsMatches('Device.Local.', 'device.local')).toBe(true);
  });

  test('certificateMatches normalises IPv6 and IPv4-mapped addresses', () => {
    const info = certEntry('good.crt').info!;
    expect(certificateMatches(info, '0:0:0:0:0:0:0:1', []).matched).toBe(true);
    expect(certificateMatches(info, '::ffff:127.0.0.1', []).matched).toBe(true);
    expect(certificateMatches(info, '10.1.1.1', ['device.local'])).toMatchObject({ matched: true, by: 'san-dns' });
  });

  test('isHttpService and looksNotTls', () => {
    expect(isHttpService({ name: 'https', port: 8883 })).toBe(true);
    expect(isHttpService({ name: 'secure-mqtt', port: 8883 })).toBe(false);
    expect(isHttpService({ port: 8443 })).toBe(true);
    expect(isHttpService({ name: 'ssl', port: 9999 })).toBe(false);
    expect(looksNotTls({ kind: 'tls-handshake', code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: '' })).toBe(true);
    expect(looksNotTls({ kind: 'tls-handshake', code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', message: 'tlsv1 alert protocol version' })).toBe(false);
  });
});

// --- collect against in-process servers ---------------------------------------------------------

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}
function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => { server.close(() => resolve()); (server as http.Server).closeAllConnections?.(); });
}

async function run(service: Service, maxConnections = probe.meta.budget.maxConnections): Promise<{ results: Map<string, CheckResult>; ev: TlsEvidence; connections: { kind: string; port: number }[] }> {
  const device = makeDevice('127.0.0.1', [service]);
  const t = makeContext({ service, device, maxConnections });
  const ev = await probe.collect(t.ctx);
  expect(() => JSON.stringify(ev)).not.toThrow();
  const results = probe.assess(ev, { device, service, devices: [device], now: NOW });
  return { results: byCheck(results), ev, connections: t.connections };
}

describe('tls-configuration collect (our own ClientHellos) against local servers', () => {
  test('camera-like server: TLS 1.0 accepted, weak key, SHA-1 self-signed, no HSTS', async () => {
    const server = https.createServer({
      key: read('rsa1024-sha1.key'), cert: read('rsa1024-sha1.crt'),
      minVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0',
    }, (_req, res) => { res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="cam"' }); res.end(); });
    const port = await listen(server);
    try {
      const { results, ev, connections } = await run(tcpService(port, 'https'));
      expect(ev.source).toBe('hello');
      expect(ev.versions.filter((v) => v.status === 'accepted').map((v) => v.version)).toEqual(['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']);
      expect(ev.versions.filter((v) => v.status === 'rejected').map((v) => v.version)).toEqual(['SSLv2', 'SSLv3']);
      expect(ev.untestable).toEqual([]);
      expect(results.get('tls-legacy-protocol')!.status).toBe('warn');
      expect(results.get('tls-certificate-weak-key')!.status).toBe('fail');
      expect(results.get('tls-certificate-weak-signature')!.status).toBe('fail');
      expect(results.get('tls-certificate-self-signed')!.status).toBe('warn');
      expect(results.get('tls-certificate-expired')!.status).toBe('pass');
      expect(results.get('https-hsts')!.status).toBe('warn');
      expect(ev.chain[0]!.selfSignatureValid).toBe(true);
      // Within the budget, and the same number the enumeration counted plus the chain and HSTS.
      expect(connections.length).toBeLessThanOrEqual(probe.meta.budget.maxConnections);
      expect(connections.length).toBe((ev.hello?.connections ?? 0) + 2);
    } finally {
      await close(server);
    }
  }, 30_000);

  test('well-configured server: TLS 1.2+, ECDHE-GCM, CA-issued, IP SAN, HSTS: nothing fails', async () => {
    const server = https.createServer({
      key: read('good.key'), cert: `${read('good.crt')}${read('ca.crt')}`,
      minVersion: 'TLSv1.2', ciphers: 'ECDHE+AESGCM:ECDHE+CHACHA20',
    }, (_req, res) => { res.writeHead(200, { 'Strict-Transport-Security': 'max-age=63072000' }); res.end('ok'); });
    const port = await listen(server);
    try {
      const { results, ev } = await run(tcpService(port, 'https'));
      expect(ev.versions.filter((v) => v.status === 'accepted').map((v) => v.version)).toEqual(['TLSv1.2', 'TLSv1.3']);
      expect(ev.chain.length).toBeGreaterThanOrEqual(2);
      for (const [check, r] of results) expect([check, r.status]).toEqual([check, 'pass']);
    } finally {
      await close(server);
    }
  }, 30_000);

  test('NULL and static-RSA suites are found, and listed per protocol with IANA and OpenSSL names', async () => {
    const server = tls.createServer({
      key: read('good.key'), cert: read('good.crt'), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256:AES128-SHA:NULL-SHA@SECLEVEL=0',
    }, (s) => s.end());
    const port = await listen(server);
    try {
      const { results, ev } = await run(tcpService(port, 'ssl'));
      expect(ev.ciphers.filter((c) => c.protocol === 'TLSv1.2').map((c) => c.name).sort()).toEqual(['TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 'TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_NULL_SHA']);
      const weak = results.get('tls-weak-cipher')!;
      expect(weak).toMatchObject({ status: 'fail', severity: 'high' });
      expect((weak.evidence as { accepted: Record<string, { iana: string; openssl: string | null }[]> }).accepted['TLSv1.2']).toEqual(expect.arrayContaining([{ iana: 'TLS_RSA_WITH_NULL_SHA', openssl: 'NULL-SHA', code: '0002' }]));
      expect(results.get('https-hsts')!.status).toBe('not_applicable');
    } finally {
      await close(server);
    }
  }, 30_000);

  test('a server with only static-RSA suites warns (no forward secrecy)', async () => {
    const server = tls.createServer({ key: read('good.key'), cert: read('good.crt'), minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'AES128-GCM-SHA256:AES256-SHA256' }, (s) => s.end());
    const port = await listen(server);
    try {
      const { results } = await run(tcpService(port, 'ssl'));
      expect(results.get('tls-weak-cipher')).toMatchObject({ status: 'warn', severity: 'low' });
      expect(results.get('tls-legacy-protocol')!.status).toBe('pass');
    } finally {
      await close(server);
    }
  }, 30_000);

  test('an old embedded TLS stack (lab/devices/legacy-tls): SSL 2.0/3.0, RC4, DES, 3DES, EXPORT found and judged', async () => {
    const fake = await startLegacyTls({ certDer: pemToDer(read('good.crt'))[0]! });
    try {
      const { results, ev } = await run(tcpService(fake.port, 'https'));
      expect(ev.versions.filter((v) => v.status === 'accepted').map((v) => v.version)).toEqual(['SSLv2', 'SSLv3', 'TLSv1']);
      expect(ev.certSource).toBe('hello'); // Node cannot finish a handshake with it: the leaf from our hellos
      expect(results.get('tls-legacy-protocol')).toMatchObject({ status: 'fail', severity: 'critical' });
      const weak = results.get('tls-weak-cipher')!;
      expect(weak).toMatchObject({ status: 'fail', severity: 'high' });
      const whys = new Set((weak.evidence as { weak: { why: string }[] }).weak.map((w) => w.why));
      for (const why of ['RC4 stream cipher', '64-bit block or 56-bit cipher (Sweet32)', 'export-grade (40/56-bit) cryptography', 'DH group of 512 bits']) expect(whys.has(why)).toBe(true);
      // Its 1024-bit group is RFC 2409's Oakley group 2, named from the prime it sends.
      expect(ev.ciphers.find((c) => c.name === 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA')!.dhGroup).toBe('RFC2409/Oakley Group 2');
      expect((weak.evidence as { dhGroups: { bits: number; name: string | null }[] }).dhGroups).toEqual(expect.arrayContaining([
        expect.objectContaining({ bits: 1024, name: 'RFC2409/Oakley Group 2' }), expect.objectContaining({ bits: 512, name: null }),
      ]));
      // No ECDHE suite: no curves to enumerate, none claimed.
      expect(ev.groups).toEqual([]);
      const known = results.get('tls-known-weaknesses')!;
      expect(known).toMatchObject({ status: 'fail', severity: 'critical' });
      expect((known.evidence as { found: { id: string }[] }).found.map((f) => f.id))
        .toEqual(['drown', 'poodle', 'freak', 'logjam', 'logjam-1024', 'rc4', 'sweet32', 'beast', 'insecure-renegotiation']);
    } finally {
      await fake.close();
    }
  }, 30_000);

  test('plain HTTP on the port: not TLS, every check not applicable, few connections', async () => {
    const server = http.createServer((_req, res) => { res.end('hello'); });
    const port = await listen(server);
    try {
      const { results, ev, connections } = await run(tcpService(port, 'https'));
      for (const r of results.values()) expect(r.status).toBe('not_applicable');
      // Node's HTTP parser drops an SSLv2 hello without a word; every TLS hello gets an HTTP error page.
      expect(ev.versions.map((v) => [v.version, v.status, v.error?.code ?? null])).toEqual([
        ['SSLv2', 'rejected', null], ...['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'].map((v) => [v, 'error', 'NOT_TLS']),
      ]);
      // No certificate handshake and no HSTS request on a port that does not speak TLS.
      expect(connections.filter((c) => c.kind !== 'tcp')).toHaveLength(0);
    } finally {
      await close(server);
    }
  }, 30_000);

  test('nmap output present: our own enumeration still decides, one handshake for the certificate', async () => {
    const server = https.createServer({ key: read('expired.key'), cert: read('expired.crt') }, (_req, res) => { res.end('ok'); });
    const port = await listen(server);
    try {
      const table: Json = { 'TLSv1.2': { ciphers: [{ name: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', kex_info: 'secp256r1', strength: 'A' }] } };
      const service = tcpService(port, 'https', { scripts: [{ id: 'ssl-enum-ciphers', output: '', table }] });
      const { results, ev, connections } = await run(service);
      expect(ev.source).toBe('hello');
      expect(connections.filter((c) => c.kind !== 'tcp').map((c) => c.kind).sort()).toEqual(['https', 'tls']);
      expect(results.get('tls-certificate-expired')!.status).toBe('fail');
      expect(results.get('tls-legacy-protocol')!.status).toBe('pass');
    } finally {
      await close(server);
    }
  }, 30_000);

  test('a service that accepts and never answers: two timed-out hellos, then errors', async () => {
    const server = net.createServer((s) => { s.on('error', () => undefined); s.resume(); });
    const port = await listen(server);
    try {
      const { results, ev } = await run(tcpService(port, 'https'));
      expect(ev.versions.filter((v) => v.status !== 'error')).toEqual([]);
      // Two hellos in parallel time out; a third may have started before the second did; then no more.
      expect(ev.hello?.connections).toBeLessThanOrEqual(3);
      for (const r of results.values()) expect(r).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
    } finally {
      await close(server);
    }
  }, 30_000);

  test('nothing listening: an error, not a pass', async () => {
    const server = net.createServer();
    const port = await listen(server);
    await close(server);
    const { results } = await run(tcpService(port, 'https'));
    for (const r of results.values()) expect(r).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  }, 30_000);
});

test('tls-configuration meta follows the registry rules', () => {
  expectValidMeta(probe, 'tls-configuration');
});
