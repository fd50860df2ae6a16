import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { decodeOid, integerBits, parseCertificate, parseTime, pemToDer, X509ParseError } from '../../../src/probes/lib/x509.js';

const dir = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
function der(name: string): Buffer {
  const [first] = pemToDer(readFileSync(`${dir}${name}`, 'utf8'));
  if (!first) throw new Error(`no certificate in ${name}`);
  return first;
}

describe('parseCertificate', () => {
  test('camera-like certificate: RSA 1024, SHA-1, self-signed', () => {
    const c = parseCertificate(der('rsa1024-sha1.crt'));
    expect(c.signatureAlgorithm).toEqual({ oid: '1.2.840.113549.1.1.5', name: 'sha1WithRSAEncryption', hash: 'sha1' });
    expect(c.publicKey).toMatchObject({ type: 'rsa', bits: 1024 });
    expect(c.subject.cn).toBe('IPC-HFW4431R-Z');
    expect(c.subject.dn).toBe('CN=IPC-HFW4431R-Z, O=Dahua');
    expect(c.selfIssued).toBe(true);
    expect(c.selfSigned).toBe(true);
    expect(c.version).toBe(3);
  });

  test('CA-issued leaf: SANs, validity, key identifiers, not self-signed', () => {
    const raw = der('good.crt');
    const c = parseCertificate(raw);
    const node = new X509Certificate(raw);
    expect(c.signatureAlgorithm.hash).toBe('sha256');
    expect(c.publicKey).toMatchObject({ type: 'rsa', bits: 2048 });
    expect(c.sans.ip).toEqual(['127.0.0.1', '::1']);
    expect(c.sans.dns).toEqual(['device.local']);
    expect(c.issuer.cn).toBe('iotcop test CA');
    expect(c.selfIssued).toBe(false);
    expect(c.selfSigned).toBe(false);
    expect(c.isCa).toBe(false);
    expect(Date.parse(c.notAfter ?? '')).toBe(Date.parse(node.validTo));
    expect(Date.parse(c.notBefore ?? '')).toBe(Date.parse(node.validFrom));
    expect(c.serialHex.toUpperCase()).toBe(node.serialNumber.toUpperCase().replace(/^0+/, '').padStart(c.serialHex.length, '0'));
  });

  test('CA certificate is self-signed and a CA', () => {
    const c = parseCertificate(der('ca.crt'));
    expect(c.isCa).toBe(true);
    expect(c.selfSigned).toBe(true);
    expect(c.subjectKeyId).not.toBeNull();
  });

  test('expired and not-yet-valid validity periods', () => {
    expect(parseCertificate(der('expired.crt')).notAfter).toBe('2023-01-01T00:00:00.000Z');
    expect(parseCertificate(der('future.crt')).notBefore).toBe('2099-01-01T00:00:00.000Z');
  });

  test.each([
    ['md5.crt', 'md5', 'rsa', 2048, null],
    ['ec256.crt', 'sha256', 'ec', 256, 'P-256'],
    ['ed25519.crt', 'intrinsic', 'ed25519', 256, 'Ed25519'],
    ['dsa.crt', 'sha1', 'dsa', 1024, null],
    ['pss.crt', 'sha256', 'rsa-pss', 2048, null],
    ['pss2.crt', 'sha256', 'rsa', 2048, null],
  ])('%s: hash %s, key %s %d', (file, hash, type, bits, curve) => {
    const c = parseCertificate(der(file));
    expect(c.signatureAlgorithm.hash).toBe(hash);
    expect(c.publicKey.type).toBe(type);
    expect(c.publicKey.bits).toBe(bits);
    expect(c.publicKey.curve).toBe(curve);
  });

  test('wildcard DNS SAN is kept as written', () => {
    expect(parseCertificate(der('ec256.crt')).sans.dns).toEqual(['*.example.lan']);
  });

  test('truncated and garbage input throw X509ParseError, never anything else', () => {
    const raw = der('good.crt');
    for (const n of [0, 1, 2, 10, 100, raw.length - 1]) {
      expect(() => parseCertificate(raw.subarray(0, n))).toThrow(X509ParseError);
    }
    expect(() => parseCertificate(Buffer.from('GET / HTTP/1.0\r\n\r\n'))).toThrow(X509ParseError);
  });

  test('fuzz: random mutations either parse or throw X509ParseError', () => {
    const raw = der('good.crt');
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(raw.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }), (edits) => {
      const copy = Buffer.from(raw);
      for (const [at, value] of edits) copy[at] = value;
      try {
        const c = parseCertificate(copy);
        expect(typeof c.subject.dn).toBe('string');
        expect(c.subject.dn.length).toBeLessThanOrEqual(400);
      } catch (e) {
        expect(e).toBeInstanceOf(X509ParseError);
      }
    }), { numRuns: 300 });
  });
});

describe('DER helpers', () => {
  test('decodeOid', () => {
    expect(decodeOid(Buffer.from('2a864886f70d01010b', 'hex'))).toBe('1.2.840.113549.1.1.11');
    expect(decodeOid(Buffer.from('550403', 'hex'))).toBe('2.5.4.3');
    expect(() => decodeOid(Buffer.from('2a86', 'hex'))).toThrow(X509ParseError);
  });

  test('integerBits ignores the sign byte', () => {
    expect(integerBits(Buffer.from('00ff', 'hex'))).toBe(8);
    expect(integerBits(Buffer.from('0100', 'hex'))).toBe(9);
    expect(integerBits(Buffer.from('0000', 'hex'))).toBe(0);
  });

  test('parseTime: UTCTime century rule, offsets, GeneralizedTime fractions, garbage', () => {
    expect(parseTime(0x17, '491231235959Z')).toBe('2049-12-31T23:59:59.000Z');
    expect(parseTime(0x17, '500101000000Z')).toBe('1950-01-01T00:00:00.000Z');
    expect(parseTime(0x17, '2301010000Z')).toBe('2023-01-01T00:00:00.000Z');
    expect(parseTime(0x17, '230101010000+0100')).toBe('2023-01-01T00:00:00.000Z');
    expect(parseTime(0x18, '20991231235959.123Z')).toBe('2099-12-31T23:59:59.000Z');
    expect(parseTime(0x18, '2099123X235959Z')).toBeNull();
    expect(parseTime(0x18, '20991331235959Z')).toBeNull();
    expect(parseTime(0x04, '20991231235959Z')).toBeNull();
  });

  test('pemToDer skips keys and finds several certificates', () => {
    const pem = `${readFileSync(`${dir}good.key`, 'utf8')}\n${readFileSync(`${dir}good.crt`, 'utf8')}${readFileSync(`${dir}ca.crt`, 'utf8')}`;
    const ders = pemToDer(pem);
    expect(ders).toHaveLength(2);
    expect(parseCertificate(ders[1]!).subject.cn).toBe('iotcop test CA');
  });
});
