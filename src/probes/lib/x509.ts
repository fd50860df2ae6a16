/**
 * A short, pure DER walk over an X.509 certificate (RFC 5280), for what Node 20's X509Certificate does
 * not expose (LIBRARIES.md): the signature algorithm OID and its hash, the public key type and size,
 * validity, subject/issuer (common name and DN text), subjectAltName DNS names and IP addresses, and
 * whether the certificate is self-issued / self-signed by its key identifiers.
 *
 * Input is hostile (a device sent it): every length is checked against its parent, nesting and
 * element counts are bounded, and every string is capped. Malformed input throws X509ParseError.
 */
import ipaddr from 'ipaddr.js';

export class X509ParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'X509ParseError';
  }
}

export type HashName = 'md2' | 'md4' | 'md5' | 'sha1' | 'sha224' | 'sha256' | 'sha384' | 'sha512' | 'intrinsic' | 'unknown';
export type KeyType = 'rsa' | 'rsa-pss' | 'dsa' | 'ec' | 'ed25519' | 'ed448' | 'x25519' | 'x448' | 'unknown';

export type SignatureAlgorithm = {
  oid: string;
  /** Readable name ("sha1WithRSAEncryption"), or the OID when unknown. */
  name: string;
  /** Hash the signature is computed over ("intrinsic" for EdDSA). */
  hash: HashName;
};

export type PublicKeyInfo = {
  type: KeyType;
  oid: string;
  /** Modulus size (RSA), prime size (DSA), curve size (EC/EdDSA); null when it cannot be told. */
  bits: number | null;
  /** Named curve (EC), else null. */
  curve: string | null;
};

export type NameInfo = {
  /** RFC 4514-like text in certificate order ("CN=cam, O=Vendor"), capped. */
  dn: string;
  /** First common name, capped; null when none. */
  cn: string | null;
};

export type CertificateInfo = {
  version: number;
  serialHex: string;
  signatureAlgorithm: SignatureAlgorithm;
  publicKey: PublicKeyInfo;
  /** ISO 8601 (UTC); null when the time could not be parsed. */
  notBefore: string | null;
  notAfter: string | null;
  subject: NameInfo;
  issuer: NameInfo;
  sans: { dns: string[]; ip: string[] };
  /** basicConstraints cA, or null when the extension is absent. */
  isCa: boolean | null;
  subjectKeyId: string | null;
  authorityKeyId: string | null;
  /** Issuer and subject names are byte-for-byte equal. */
  selfIssued: boolean;
  /** Self-issued, and the key identifiers (when both are present) agree. */
  selfSigned: boolean;
};

const MAX_STRING = 256;
const MAX_DN = 400;
const MAX_SANS = 100;
const MAX_CHILDREN = 2000;

/** Signature algorithm OIDs (RFC 3279, 4055, 5758, 8410; PKCS #1). */
const SIGNATURE_ALGORITHMS: ReadonlyMap<string, { name: string; hash: HashName }> = new Map([
  ['1.2.840.113549.1.1.2', { name: 'md2WithRSAEncryption', hash: 'md2' }],
  ['1.2.840.113549.1.1.3', { name: 'md4WithRSAEncryption', hash: 'md4' }],
  ['1.2.840.113549.1.1.4', { name: 'md5WithRSAEncryption', hash: 'md5' }],
  ['1.2.840.113549.1.1.5', { name: 'sha1WithRSAEncryption', hash: 'sha1' }],
  ['1.3.14.3.2.29', { name: 'sha1WithRSASignature', hash: 'sha1' }],
  ['1.2.840.113549.1.1.11', { name: 'sha256WithRSAEncryption', hash: 'sha256' }],
  ['1.2.840.113549.1.1.12', { name: 'sha384WithRSAEncryption', hash: 'sha384' }],
  ['1.2.840.113549.1.1.13', { name: 'sha512WithRSAEncryption', hash: 'sha512' }],
  ['1.2.840.113549.1.1.14', { name: 'sha224WithRSAEncryption', hash: 'sha224' }],
  ['1.2.840.113549.1.1.10', { name: 'rsassa-pss', hash: 'sha1' }], // hash from parameters, SHA-1 by default
  ['1.2.840.10040.4.3', { name: 'dsa-with-sha1', hash: 'sha1' }],
  ['2.16.840.1.101.3.4.3.1', { name: 'dsa-with-sha224', hash: 'sha224' }],
  ['2.16.840.1.101.3.4.3.2', { name: 'dsa-with-sha256', hash: 'sha256' }],
  ['1.2.840.10045.4.1', { name: 'ecdsa-with-SHA1', hash: 'sha1' }],
  ['1.2.840.10045.4.3.1', { name: 'ecdsa-with-SHA224', hash: 'sha224' }],
  ['1.2.840.10045.4.3.2', { name: 'ecdsa-with-SHA256', hash: 'sha256' }],
  ['1.2.840.10045.4.3.3', { name: 'ecdsa-with-SHA384', hash: 'sha384' }],
  ['1.2.840.10045.4.3.4', { name: 'ecdsa-with-SHA512', hash: 'sha512' }],
  ['1.3.101.112', { name: 'Ed25519', hash: 'intrinsic' }],
  ['1.3.101.113', { name: 'Ed448', hash: 'intrinsic' }],
]);

const HASH_OIDS: ReadonlyMap<string, HashName> = new Map([
  ['1.2.840.113549.2.2', 'md2'],
  ['1.2.840.113549.2.4', 'md4'],
  ['1.2.840.113549.2.5', 'md5'],
  ['1.3.14.3.2.26', 'sha1'],
  ['2.16.840.1.101.3.4.2.4', 'sha224'],
  ['2.16.840.1.101.3.4.2.1', 'sha256'],
  ['2.16.840.1.101.3.4.2.2', 'sha384'],
  ['2.16.840.1.101.3.4.2.3', 'sha512'],
]);

const KEY_TYPES: ReadonlyMap<string, KeyType> = new Map([
  ['1.2.840.113549.1.1.1', 'rsa'],
  ['1.2.840.113549.1.1.10', 'rsa-pss'],
  ['1.2.840.10040.4.1', 'dsa'],
  ['1.2.840.10045.2.1', 'ec'],
  ['1.3.101.110', 'x25519'],
  ['1.3.101.111', 'x448'],
  ['1.3.101.112', 'ed25519'],
  ['1.3.101.113', 'ed448'],
]);

/** Named curves: name and field size in bits. */
const CURVES: ReadonlyMap<string, { name: string; bits: number }> = new Map([
  ['1.2.840.10045.3.1.1', { name: 'P-192', bits: 192 }],
  ['1.3.132.0.33', { name: 'P-224', bits: 224 }],
  ['1.2.840.10045.3.1.7', { name: 'P-256', bits: 256 }],
  ['1.3.132.0.34', { name: 'P-384', bits: 384 }],
  ['1.3.132.0.35', { name: 'P-521', bits: 521 }],
  ['1.3.132.0.10', { name: 'secp256k1', bits: 256 }],
  ['1.3.132.0.8', { name: 'secp160r1', bits: 160 }],
  ['1.3.132.0.9', { name: 'secp160k1', bits: 160 }],
  ['1.3.36.3.3.2.8.1.1.3', { name: 'brainpoolP192r1', bits: 192 }],
  ['1.3.36.3.3.2.8.1.1.5', { name: 'brainpoolP224r1', bits: 224 }],
  ['1.3.36.3.3.2.8.1.1.7', { name: 'brainpoolP256r1', bits: 256 }],
  ['1.3.36.3.3.2.8.1.1.11', { name: 'brainpoolP384r1', bits: 384 }],
  ['1.3.36.3.3.2.8.1.1.13', { name: 'brainpoolP512r1', bits: 512 }],
]);

const ATTRIBUTE_NAMES: ReadonlyMap<string, string> = new Map([
  ['2.5.4.3', 'CN'], ['2.5.4.6', 'C'], ['2.5.4.7', 'L'], ['2.5.4.8', 'ST'], ['2.5.4.10', 'O'], ['2.5.4.11', 'OU'],
  ['2.5.4.5', 'serialNumber'], ['1.2.840.113549.1.9.1', 'emailAddress'], ['0.9.2342.19200300.100.1.25', 'DC'],
]);

const OID_CN = '2.5.4.3';
const EXT_SAN = '2.5.29.17';
const EXT_BASIC_CONSTRAINTS = '2.5.29.19';
const EXT_SKI = '2.5.29.14';
const EXT_AKI = '2.5.29.35';

// Universal tags.
const T_BOOLEAN = 0x01;
const T_INTEGER = 0x02;
const T_BIT_STRING = 0x03;
const T_OCTET_STRING = 0x04;
const T_NULL = 0x05;
const T_OID = 0x06;
const T_SEQUENCE = 0x30;
const T_SET = 0x31;
const T_UTC_TIME = 0x17;
const T_GENERALIZED_TIME = 0x18;

interface Tlv { tag: number; start: number; contentStart: number; end: number }

function fail(message: string): never {
  throw new X509ParseError(message);
}

function readTlv(buf: Uint8Array, pos: number, limit: number): Tlv {
  if (pos + 2 > limit) fail('truncated DER element');
  const tag = buf[pos]!;
  if ((tag & 0x1f) === 0x1f) fail('multi-byte DER tags are not used in certificates');
  let len = buf[pos + 1]!;
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) fail('unsupported DER length form');
    if (p + n > limit) fail('truncated DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p++]!;
  }
  if (p + len > limit) fail('DER element longer than its container');
  return { tag, start: pos, contentStart: p, end: p + len };
}

function children(buf: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.end) {
    if (out.length >= MAX_CHILDREN) fail('too many DER elements');
    const t = readTlv(buf, pos, parent.end);
    out.push(t);
    pos = t.end;
  }
  return out;
}

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) fail(`expected ${what}`);
  return t;
}

function content(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.contentStart, t.end);
}

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes.length > 64) fail('bad OID length');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) fail('OID arc too large');
    if ((b & 0x80) === 0) {
      if (arcs.length === 0) {
        const first = value < 40 ? 0 : value < 80 ? 1 : 2;
        arcs.push(first, value - first * 40);
      } else {
        arcs.push(value);
      }
      value = 0;
    } else if (i === bytes.length - 1) {
      fail('unterminated OID arc');
    }
  }
  return arcs.join('.');
}

function oidOf(buf: Uint8Array, t: Tlv | undefined): string {
  return decodeOid(content(buf, expect(t, T_OID, 'an OID')));
}

function hex(bytes: Uint8Array, max = 64): string {
  return Buffer.from(bytes.subarray(0, max)).toString('hex');
}

/** Bit length of an unsigned big-endian integer (DER INTEGER content, leading zero bytes ignored). */
export function integerBits(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  const top = bytes[i]!;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(top));
}

function capString(s: string, max = MAX_STRING): string {
  return s.length > max ? s.slice(0, max) : s;
}

function decodeString(buf: Uint8Array, t: Tlv): string {
  const bytes = content(buf, t).subarray(0, MAX_STRING * 4);
  switch (t.tag) {
    case 0x0c: return capString(Buffer.from(bytes).toString('utf8'));
    case 0x1e: { // BMPString, UTF-16BE
      const even = bytes.subarray(0, bytes.length - (bytes.length % 2));
      const swapped = Buffer.from(even);
      swapped.swap16();
      return capString(swapped.toString('utf16le'));
    }
    case 0x1c: { // UniversalString, UTF-32BE
      let s = '';
      for (let i = 0; i + 3 < bytes.length && s.length < MAX_STRING; i += 4) {
        const cp = ((bytes[i]! << 24) >>> 0) + (bytes[i + 1]! << 16) + (bytes[i + 2]! << 8) + bytes[i + 3]!;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      return s;
    }
    default: // Printable, IA5, T61 (taken as Latin-1), Visible, Numeric and anything else
      return capString(Buffer.from(bytes).toString('latin1'));
  }
}

function parseName(buf: Uint8Array, t: Tlv): NameInfo {
  expect(t, T_SEQUENCE, 'a Name');
  const parts: string[] = [];
  let cn: string | null = null;
  for (const rdn of children(buf, t)) {
    expect(rdn, T_SET, 'an RDN');
    for (const atv of children(buf, rdn)) {
      const [typeT, valueT] = children(buf, expect(atv, T_SEQUENCE, 'an attribute'));
      const oid = oidOf(buf, typeT);
      if (!valueT) fail('attribute without value');
      const value = decodeString(buf, valueT);
      if (oid === OID_CN && cn === null) cn = value;
      parts.push(`${ATTRIBUTE_NAMES.get(oid) ?? oid}=${value}`);
    }
  }
  return { dn: capString(parts.join(', '), MAX_DN), cn };
}

function digits(s: string, from: number, n: number): number {
  const part = s.slice(from, from + n);
  if (part.length !== n || !/^\d+$/.test(part)) return Number.NaN;
  return Number(part);
}

/** UTCTime (YYMMDDHHMM[SS]Z or ±hhmm) and GeneralizedTime (YYYYMMDDHHMM[SS][.fff]Z) to ISO 8601, or null. */
export function parseTime(tag: number, text: string): string | null {
  const s = text.slice(0, 40);
  let year: number;
  let rest: string;
  if (tag === T_UTC_TIME) {
    const yy = digits(s, 0, 2);
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    rest = s.slice(2);
  } else if (tag === T_GENERALIZED_TIME) {
    year = digits(s, 0, 4);
    rest = s.slice(4);
  } else {
    return null;
  }
  const month = digits(rest, 0, 2);
  const day = digits(rest, 2, 2);
  const hour = digits(rest, 4, 2);
  const minute = digits(rest, 6, 2);
  let i = 8;
  let second = 0;
  if (/^\d\d/.test(rest.slice(8, 10))) { second = digits(rest, 8, 2); i = 10; }
  if (rest[i] === '.' || rest[i] === ',') { i++; while (i < rest.length && /\d/.test(rest[i]!)) i++; }
  let offsetMin = 0;
  const zone = rest.slice(i);
  if (zone === 'Z' || zone === '') {
    offsetMin = 0;
  } else if (/^[+-]\d{4}$/.test(zone)) {
    offsetMin = (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3, 5))) * (zone[0] === '-' ? -1 : 1);
  } else {
    return null;
  }
  if ([year, month, day, hour, minute, second].some((n) => Number.isNaN(n))) return null;
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  const ms = Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59)) - offsetMin * 60_000;
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
}

function parseAlgorithm(buf: Uint8Array, t: Tlv | undefined): SignatureAlgorithm {
  const [oidT, params] = children(buf, expect(t, T_SEQUENCE, 'an AlgorithmIdentifier'));
  const oid = oidOf(buf, oidT);
  const known = SIGNATURE_ALGORITHMS.get(oid);
  if (!known) return { oid, name: oid, hash: 'unknown' };
  if (oid === '1.2.840.113549.1.1.10' && params && params.tag === T_SEQUENCE) {
    // RSASSA-PSS-params: [0] hashAlgorithm DEFAULT sha1.
    const hashField = children(buf, params).find((c) => c.tag === 0xa0);
    if (hashField) {
      const [algT] = children(buf, hashField);
      const [hashOidT] = children(buf, expect(algT, T_SEQUENCE, 'a hash AlgorithmIdentifier'));
      const hash = HASH_OIDS.get(oidOf(buf, hashOidT)) ?? 'unknown';
      return { oid, name: `rsassa-pss (${hash})`, hash };
    }
  }
  return { oid, name: known.name, hash: known.hash };
}

function parsePublicKey(buf: Uint8Array, spki: Tlv | undefined): PublicKeyInfo {
  const [algT, keyT] = children(buf, expect(spki, T_SEQUENCE, 'a SubjectPublicKeyInfo'));
  const [oidT, params] = children(buf, expect(algT, T_SEQUENCE, 'a key AlgorithmIdentifier'));
  const oid = oidOf(buf, oidT);
  const type = KEY_TYPES.get(oid) ?? 'unknown';
  const bitString = expect(keyT, T_BIT_STRING, 'the public key BIT STRING');
  const keyBytes = content(buf, bitString).subarray(1); // skip the unused-bits octet
  switch (type) {
    case 'rsa':
    case 'rsa-pss': {
      const rsa = readTlv(keyBytes, 0, keyBytes.length);
      const [modulus] = children(keyBytes, expect(rsa, T_SEQUENCE, 'an RSAPublicKey'));
      return { type, oid, bits: integerBits(content(keyBytes, expect(modulus, T_INTEGER, 'the RSA modulus'))), curve: null };
    }
    case 'dsa': {
      if (!params || params.tag !== T_SEQUENCE) return { type, oid, bits: null, curve: null };
      const [p] = children(buf, params);
      return { type, oid, bits: integerBits(content(buf, expect(p, T_INTEGER, 'the DSA prime'))), curve: null };
    }
    case 'ec': {
      if (params?.tag === T_OID) {
        const curveOid = decodeOid(content(buf, params));
        const curve = CURVES.get(curveOid);
        return { type, oid, bits: curve?.bits ?? null, curve: curve?.name ?? curveOid };
      }
      return { type, oid, bits: null, curve: params?.tag === T_NULL || !params ? null : 'explicit' };
    }
    case 'ed25519': return { type, oid, bits: 256, curve: 'Ed25519' };
    case 'x25519': return { type, oid, bits: 256, curve: 'X25519' };
    case 'ed448': return { type, oid, bits: 448, curve: 'Ed448' };
    case 'x448': return { type, oid, bits: 448, curve: 'X448' };
    default: return { type, oid, bits: null, curve: null };
  }
}

function ipFromBytes(bytes: Uint8Array): string | null {
  if (bytes.length !== 4 && bytes.length !== 16) return null;
  try {
    return ipaddr.fromByteArray([...bytes]).toString();
  } catch {
    return null;
  }
}

interface Extensions {
  sans: { dns: string[]; ip: string[] };
  isCa: boolean | null;
  ski: string | null;
  aki: string | null;
}

function parseExtensions(buf: Uint8Array, wrapper: Tlv | undefined): Extensions {
  const out: Extensions = { sans: { dns: [], ip: [] }, isCa: null, ski: null, aki: null };
  if (!wrapper) return out;
  const [seq] = children(buf, wrapper);
  for (const ext of children(buf, expect(seq, T_SEQUENCE, 'Extensions'))) {
    const parts = children(buf, expect(ext, T_SEQUENCE, 'an Extension'));
    const oid = oidOf(buf, parts[0]);
    const valueT = parts[parts.length - 1];
    if (!valueT || valueT.tag !== T_OCTET_STRING) fail('extension without value');
    const value = content(buf, valueT);
    const inner = (): Tlv => readTlv(value, 0, value.length);
    if (oid === EXT_SAN) {
      for (const gn of children(value, expect(inner(), T_SEQUENCE, 'GeneralNames'))) {
        if (out.sans.dns.length + out.sans.ip.length >= MAX_SANS) break;
        if (gn.tag === 0x82) out.sans.dns.push(capString(Buffer.from(content(value, gn)).toString('latin1')));
        else if (gn.tag === 0x87) {
          const ip = ipFromBytes(content(value, gn));
          if (ip !== null) out.sans.ip.push(ip);
        }
      }
    } else if (oid === EXT_BASIC_CONSTRAINTS) {
      const [first] = children(value, expect(inner(), T_SEQUENCE, 'BasicConstraints'));
      out.isCa = first?.tag === T_BOOLEAN ? (value[first.contentStart] ?? 0) !== 0 : false;
    } else if (oid === EXT_SKI) {
      out.ski = hex(content(value, expect(inner(), T_OCTET_STRING, 'a key identifier')));
    } else if (oid === EXT_AKI) {
      const keyId = children(value, expect(inner(), T_SEQUENCE, 'AuthorityKeyIdentifier')).find((c) => c.tag === 0x80);
      if (keyId) out.aki = hex(content(value, keyId));
    }
  }
  return out;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Parses one DER certificate. Throws X509ParseError on anything malformed. */
export function parseCertificate(der: Uint8Array): CertificateInfo {
  if (der.length > 256 * 1024) fail('certificate larger than 256 KiB');
  const cert = readTlv(der, 0, der.length);
  expect(cert, T_SEQUENCE, 'a Certificate');
  const [tbs, sigAlgT] = children(der, cert);
  const fields = children(der, expect(tbs, T_SEQUENCE, 'a TBSCertificate'));
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0xa0) {
    const [v] = children(der, fields[0]);
    const vb = content(der, expect(v, T_INTEGER, 'the version'));
    version = (vb[vb.length - 1] ?? 0) + 1;
    i = 1;
  }
  const serial = expect(fields[i], T_INTEGER, 'the serial number');
  const innerSig = parseAlgorithm(der, fields[i + 1]);
  const issuerT = expect(fields[i + 2], T_SEQUENCE, 'the issuer');
  const validity = children(der, expect(fields[i + 3], T_SEQUENCE, 'the validity'));
  const subjectT = expect(fields[i + 4], T_SEQUENCE, 'the subject');
  const publicKey = parsePublicKey(der, fields[i + 5]);
  const extWrapper = fields.slice(i + 6).find((f) => f.tag === 0xa3);

  const time = (t: Tlv | undefined): string | null =>
    t && (t.tag === T_UTC_TIME || t.tag === T_GENERALIZED_TIME) ? parseTime(t.tag, Buffer.from(content(der, t)).toString('latin1')) : null;
  const ext = parseExtensions(der, extWrapper);
  const outerSig = sigAlgT ? parseAlgorithm(der, sigAlgT) : innerSig;
  const selfIssued = bytesEqual(content(der, issuerT), content(der, subjectT));
  return {
    version,
    serialHex: hex(content(der, serial), 40),
    signatureAlgorithm: outerSig,
    publicKey,
    notBefore: time(validity[0]),
    notAfter: time(validity[1]),
    subject: parseName(der, subjectT),
    issuer: parseName(der, issuerT),
    sans: ext.sans,
    isCa: ext.isCa,
    subjectKeyId: ext.ski,
    authorityKeyId: ext.aki,
    selfIssued,
    selfSigned: selfIssued && (ext.aki === null || ext.ski === null || ext.aki === ext.ski),
  };
}

/** PEM text (one or more certificates) to DER buffers; non-certificate blocks are skipped. */
export function pemToDer(pem: string): Buffer[] {
  const out: Buffer[] = [];
  const text = pem.slice(0, 2 * 1024 * 1024);
  const begin = '-----BEGIN CERTIFICATE-----';
  const end = '-----END CERTIFICATE-----';
  let pos = 0;
  while (out.length < 20) {
    const b = text.indexOf(begin, pos);
    if (b < 0) break;
    const e = text.indexOf(end, b + begin.length);
    if (e < 0) break;
    const body = text.slice(b + begin.length, e).replace(/[^A-Za-z0-9+/=]/g, '');
    out.push(Buffer.from(body, 'base64'));
    pos = e + end.length;
  }
  return out;
}
