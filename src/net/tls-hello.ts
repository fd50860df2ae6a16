/**
 * Our own ClientHello records (SSLv2, SSLv3, TLS 1.0–1.3) and a strictly bounded parser of what a server
 * answers, up to ServerHelloDone (or the TLS 1.3 ServerHello). No handshake is ever completed, no key is
 * computed: the bytes tell which protocol and suite the server picked, its certificate, its key-exchange
 * parameters (DH group size, ECDHE curve, export RSA key) and whether it offers secure renegotiation or
 * compression. Independent of the local TLS library, so that SSLv2/3, RC4, DES, 3DES, EXPORT and anonymous
 * suites can be seen although Node's OpenSSL cannot offer them (the way testssl.sh and sslyze enumerate).
 *
 * Wire formats: RFC 5246 §7.4 (TLS 1.2 handshake), RFC 8446 §4.1–4.2 (TLS 1.3 ClientHello, ServerHello,
 * HelloRetryRequest, supported_versions, key_share), RFC 6101 (SSL 3.0), the SSL 2.0 draft
 * (draft-hickman-netscape-ssl-00 §2.5: CLIENT-HELLO/SERVER-HELLO), RFC 5746 (renegotiation_info),
 * RFC 8422 (ECDHE ServerKeyExchange), RFC 6066 (server_name).
 * Every length is checked against what is there: garbage, truncated records and alerts are results.
 */
import { randomBytes } from 'node:crypto';

export type HelloProtocol = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export const WIRE_VERSION: Record<Exclude<HelloProtocol, 'SSLv2'>, number> = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

export function protocolOfWire(v: number): HelloProtocol | null {
  for (const [name, wire] of Object.entries(WIRE_VERSION)) if (wire === v) return name as HelloProtocol;
  return null;
}

/** Named groups offered (RFC 8422, RFC 7919, RFC 8446 registry codes), strongest first, and legacy curves. */
export const NAMED_GROUPS: Readonly<Record<number, string>> = {
  0x001d: 'x25519', 0x0017: 'secp256r1', 0x0018: 'secp384r1', 0x0019: 'secp521r1', 0x001e: 'x448',
  0x0100: 'ffdhe2048', 0x0101: 'ffdhe3072', 0x0102: 'ffdhe4096', 0x0103: 'ffdhe6144', 0x0104: 'ffdhe8192',
  0x0016: 'secp256k1', 0x0015: 'secp224r1', 0x0014: 'secp224k1', 0x0013: 'secp192r1', 0x0012: 'secp192k1',
  0x0011: 'secp160r2', 0x0010: 'secp160r1', 0x000f: 'secp160k1',
  0x001a: 'brainpoolP256r1', 0x001b: 'brainpoolP384r1', 0x001c: 'brainpoolP512r1',
  0x000e: 'sect571r1', 0x000d: 'sect571k1', 0x000c: 'sect409r1', 0x000b: 'sect409k1', 0x000a: 'sect283r1',
  0x0009: 'sect283k1', 0x0008: 'sect239k1', 0x0007: 'sect233r1', 0x0006: 'sect233k1', 0x0005: 'sect193r2',
  0x0004: 'sect193r1', 0x0003: 'sect163r2', 0x0002: 'sect163r1', 0x0001: 'sect163k1',
};

/**
 * The order groups are offered in: strongest and most common first (a server that follows the client's
 * order then shows its best curve), the legacy curves last (a server that picks one of those prefers it).
 * Object keys would come out in numeric order, which puts sect163k1 first.
 */
export const GROUP_OFFER_ORDER: readonly number[] = [
  0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x001a, 0x001b, 0x001c, 0x0100, 0x0101, 0x0102, 0x0103, 0x0104,
  0x0016, 0x0015, 0x0014, 0x0013, 0x0012, 0x0011, 0x0010, 0x000f,
  0x000e, 0x000d, 0x000c, 0x000b, 0x000a, 0x0009, 0x0008, 0x0007, 0x0006, 0x0005, 0x0004, 0x0003, 0x0002, 0x0001,
];

/** The groups TLS 1.3 defines (RFC 8446 §4.2.7): the elliptic curves it kept and the RFC 7919 FFDHE groups. */
export const TLS13_GROUPS: readonly number[] = GROUP_OFFER_ORDER.filter((g) => g === 0x001d || g === 0x0017 || g === 0x0018 || g === 0x0019 || g === 0x001e || (g >= 0x0100 && g <= 0x0104));

/** A group's registry name, or its code in hex. */
export function groupName(g: number): string {
  return NAMED_GROUPS[g] ?? `0x${g.toString(16).padStart(4, '0')}`;
}

/** Signature algorithms offered in TLS 1.2/1.3 hellos (RFC 8446 §4.2.3 codes, legacy SHA-1 and MD5 included). */
const SIGNATURE_ALGORITHMS = [
  0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601,
  0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602, 0x0203, 0x0201, 0x0202, 0x0101,
];

const HRR_RANDOM = Buffer.from('cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c', 'hex');

export const ALERT_DESCRIPTIONS: Readonly<Record<number, string>> = {
  0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac', 22: 'record_overflow', 40: 'handshake_failure',
  41: 'no_certificate', 42: 'bad_certificate', 43: 'unsupported_certificate', 47: 'illegal_parameter', 50: 'decode_error',
  51: 'decrypt_error', 70: 'protocol_version', 71: 'insufficient_security', 80: 'internal_error', 86: 'inappropriate_fallback',
  90: 'user_canceled', 109: 'missing_extension', 110: 'unsupported_extension', 112: 'unrecognized_name', 120: 'no_application_protocol',
};

function u16(n: number): Buffer { const b = Buffer.alloc(2); b.writeUInt16BE(n & 0xffff); return b; }
function u24(n: number): Buffer { return Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]); }
function vec16(body: Buffer): Buffer { return Buffer.concat([u16(body.length), body]); }
function vec8(body: Buffer): Buffer { return Buffer.concat([Buffer.from([body.length]), body]); }
function ext(type: number, body: Buffer): Buffer { return Buffer.concat([u16(type), vec16(body)]); }

export interface HelloOptions {
  protocol: HelloProtocol;
  /** Suite codes, two bytes (three for SSLv2). */
  suites: readonly number[];
  servername?: string;
  /** Offer DEFLATE next to NULL compression (CRIME test); never in TLS 1.3. */
  offerCompression?: boolean;
  /** supported_groups to offer, in this order (default: every group, GROUP_OFFER_ORDER; TLS 1.3: TLS13_GROUPS). */
  groups?: readonly number[];
  /**
   * TLS 1.3 key_share: one for x25519 (default), or none, so that a server that supports one of the
   * groups must answer with a HelloRetryRequest naming it (RFC 8446 §4.2.8: client_shares MAY be empty).
   */
  keyShare?: 'x25519' | 'none';
  /** Offer the RFC 6520 heartbeat extension (peer_allowed_to_send): only the intrusive Heartbleed test does. */
  heartbeat?: boolean;
  random?: (n: number) => Buffer;
}

function isHostname(s: string | undefined): s is string {
  return s !== undefined && /^[A-Za-z0-9.-]{1,253}$/.test(s) && !/^[\d.]+$/.test(s) && !s.includes(':');
}

/** One ClientHello record for the protocol, offering exactly `suites`. */
export function buildClientHello(o: HelloOptions): Buffer {
  const rnd = o.random ?? randomBytes;
  if (o.protocol === 'SSLv2') {
    const specs = Buffer.concat(o.suites.map((id) => Buffer.from([(id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff])));
    const challenge = rnd(16);
    const body = Buffer.concat([Buffer.from([1]), u16(0x0002), u16(specs.length), u16(0), u16(challenge.length), specs, challenge]);
    return Buffer.concat([u16(0x8000 | body.length), body]);
  }
  const tls13 = o.protocol === 'TLSv1.3';
  const legacyVersion = tls13 ? 0x0303 : WIRE_VERSION[o.protocol];
  const extensions: Buffer[] = [];
  if (o.protocol !== 'SSLv3') {
    if (isHostname(o.servername)) {
      const name = Buffer.from(o.servername, 'ascii');
      extensions.push(ext(0x0000, vec16(Buffer.concat([Buffer.from([0]), vec16(name)]))));
    }
    const groups = o.groups ?? (tls13 ? TLS13_GROUPS : GROUP_OFFER_ORDER);
    extensions.push(ext(0x000a, vec16(Buffer.concat(groups.map(u16)))));
    extensions.push(ext(0x000b, vec8(Buffer.from([0, 1, 2]))));
    if (o.protocol === 'TLSv1.2' || tls13) extensions.push(ext(0x000d, vec16(Buffer.concat(SIGNATURE_ALGORITHMS.map(u16)))));
    if (!tls13) extensions.push(ext(0xff01, Buffer.from([0]))); // renegotiation_info, empty (RFC 5746 §3.4)
    if (o.heartbeat === true && !tls13) extensions.push(ext(0x000f, Buffer.from([1]))); // heartbeat, peer_allowed_to_send
    if (tls13) {
      extensions.push(ext(0x002b, vec8(u16(0x0304))));
      extensions.push(ext(0x002d, vec8(Buffer.from([1]))));
      // A key share for x25519: 32 random bytes are a valid public value; the server's reply is never used.
      const share = o.keyShare === 'none' ? Buffer.alloc(0) : Buffer.concat([u16(0x001d), vec16(rnd(32))]);
      extensions.push(ext(0x0033, vec16(share)));
    }
  }
  const compression = !tls13 && o.offerCompression ? Buffer.from([1, 0]) : Buffer.from([0]);
  const hello = Buffer.concat([
    u16(legacyVersion), rnd(32), vec8(tls13 ? rnd(32) : Buffer.alloc(0)),
    vec16(Buffer.concat(o.suites.map(u16))), vec8(compression),
    ...(extensions.length > 0 ? [vec16(Buffer.concat(extensions))] : []),
  ]);
  const handshake = Buffer.concat([Buffer.from([1]), u24(hello.length), hello]);
  // Record version: 0x0300 for SSLv3, 0x0301 otherwise (what servers of every age accept).
  return Buffer.concat([Buffer.from([22]), u16(o.protocol === 'SSLv3' ? 0x0300 : 0x0301), u16(handshake.length), handshake]);
}

export interface ServerKeyExchangeInfo {
  /** Finite-field DH: the prime's size in bits, and the prime itself (hex) to compare with well-known groups. */
  dhBits?: number;
  dhPrimeHex?: string;
  /** ECDHE: the named curve, and its registry code. */
  curve?: string;
  curveId?: number;
  /** Export RSA (temporary key in ServerKeyExchange): its modulus size in bits. */
  rsaBits?: number;
}

export interface ServerResponse {
  kind: 'server-hello' | 'hello-retry' | 'sslv2-server-hello' | 'alert' | 'closed' | 'not-tls' | 'truncated';
  /** Protocol the server chose (TLS 1.3 from supported_versions). */
  protocol: HelloProtocol | null;
  /** The suite it chose (two bytes); SSLv2: every CIPHER-SPEC it listed. */
  suite: number | null;
  sslv2Suites: number[];
  compression: number | null;
  /** renegotiation_info present in the ServerHello (RFC 5746): true; absent: false; no ServerHello: null. */
  secureRenegotiation: boolean | null;
  /** TLS 1.3 key_share group, or the group a HelloRetryRequest asks for (name and registry code). */
  keyShareGroup: string | null;
  keyShareGroupId: number | null;
  /** The ServerHello carries the RFC 6520 heartbeat extension (null: no ServerHello). */
  heartbeat: boolean | null;
  certificates: Buffer[];
  keyExchange: ServerKeyExchangeInfo | null;
  alert: { level: number; description: number; name: string } | null;
  /** What made parsing stop early, for the evidence. */
  note: string | null;
}

function empty(kind: ServerResponse['kind'], note: string | null = null): ServerResponse {
  return { kind, protocol: null, suite: null, sslv2Suites: [], compression: null, secureRenegotiation: null, keyShareGroup: null, keyShareGroupId: null, heartbeat: null, certificates: [], keyExchange: null, alert: null, note };
}

/** A bounded reader over one buffer: every read checks the length first; `null` when it is not there. */
class Reader {
  constructor(private readonly b: Buffer, public pos = 0, private readonly end = b.length) {}
  left(): number { return this.end - this.pos; }
  u8(): number | null { if (this.left() < 1) return null; return this.b[this.pos++] ?? null; }
  u16(): number | null { if (this.left() < 2) return null; const v = this.b.readUInt16BE(this.pos); this.pos += 2; return v; }
  u24(): number | null { if (this.left() < 3) return null; const v = this.b.readUIntBE(this.pos, 3); this.pos += 3; return v; }
  bytes(n: number): Buffer | null { if (n < 0 || this.left() < n) return null; const v = this.b.subarray(this.pos, this.pos + n); this.pos += n; return v; }
  sub(n: number): Reader | null { if (n < 0 || this.left() < n) return null; const r = new Reader(this.b, this.pos, this.pos + n); this.pos += n; return r; }
}

function bitLength(b: Buffer): number {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  if (i === b.length) return 0;
  return (b.length - i - 1) * 8 + (32 - Math.clz32(b[i] ?? 0));
}

/** Splits TLS records; stops at the first byte that is not a record header it knows. */
function records(data: Buffer): { records: { type: number; body: Buffer }[]; garbage: boolean } {
  const out: { type: number; body: Buffer }[] = [];
  const r = new Reader(data);
  while (r.left() > 0) {
    if (r.left() < 5) return { records: out, garbage: false };
    const type = r.u8() ?? 0;
    const major = r.u8() ?? 0;
    r.u8();
    const len = r.u16() ?? 0;
    if (![20, 21, 22, 23].includes(type) || major !== 3 || len > 18432) return { records: out, garbage: true };
    const body = r.bytes(len);
    if (body === null) return { records: out, garbage: false };
    out.push({ type, body });
  }
  return { records: out, garbage: false };
}

function parseServerHello(msg: Reader, res: ServerResponse): void {
  const version = msg.u16();
  const random = msg.bytes(32);
  const sidLen = msg.u8();
  if (version === null || random === null || sidLen === null || msg.bytes(sidLen) === null) { res.note = 'ServerHello truncated'; return; }
  const suite = msg.u16();
  const compression = msg.u8();
  if (suite === null || compression === null) { res.note = 'ServerHello truncated'; return; }
  res.suite = suite;
  res.compression = compression;
  res.protocol = protocolOfWire(version);
  res.kind = random.equals(HRR_RANDOM) ? 'hello-retry' : 'server-hello';
  res.secureRenegotiation = false;
  res.heartbeat = false;
  const extLen = msg.u16();
  if (extLen === null) return;
  const exts = msg.sub(extLen);
  if (exts === null) { res.note = 'ServerHello extensions truncated'; return; }
  while (exts.left() >= 4) {
    const type = exts.u16() ?? 0;
    const len = exts.u16() ?? 0;
    const body = exts.sub(len);
    if (body === null) { res.note = 'ServerHello extension truncated'; return; }
    if (type === 0xff01) res.secureRenegotiation = true;
    if (type === 0x000f) res.heartbeat = true;
    if (type === 0x002b) { const v = body.u16(); if (v !== null) res.protocol = protocolOfWire(v); }
    if (type === 0x0033) { const g = body.u16(); if (g !== null) { res.keyShareGroup = groupName(g); res.keyShareGroupId = g; } }
  }
}

function parseCertificates(msg: Reader, res: ServerResponse, maxCerts: number): void {
  const total = msg.u24();
  if (total === null) return;
  const list = msg.sub(total);
  if (list === null) { res.note = 'Certificate truncated'; return; }
  while (list.left() >= 3 && res.certificates.length < maxCerts) {
    const len = list.u24() ?? 0;
    const der = list.bytes(len);
    if (der === null) { res.note = 'certificate truncated'; return; }
    res.certificates.push(Buffer.from(der));
  }
}

/** ServerKeyExchange, read by what the chosen suite's key exchange is (the caller says: 'dh', 'ecdh', 'rsa'). */
function parseKeyExchange(msg: Reader, kex: 'dh' | 'ecdh' | 'rsa' | 'other'): ServerKeyExchangeInfo | null {
  if (kex === 'dh') {
    const pLen = msg.u16();
    const p = pLen === null ? null : msg.bytes(pLen);
    if (p === null) return null;
    return { dhBits: bitLength(p), dhPrimeHex: p.subarray(0, 1024).toString('hex') };
  }
  if (kex === 'ecdh') {
    const curveType = msg.u8();
    if (curveType !== 3) return curveType === null ? null : { curve: curveType === 1 ? 'explicit prime curve' : curveType === 2 ? 'explicit char2 curve' : `curve type ${curveType}` };
    const g = msg.u16();
    return g === null ? null : { curve: groupName(g), curveId: g };
  }
  if (kex === 'rsa') {
    const mLen = msg.u16();
    const m = mLen === null ? null : msg.bytes(mLen);
    return m === null ? null : { rsaBits: bitLength(m) };
  }
  return null;
}

/** What a suite's ServerKeyExchange holds (from its IANA key-exchange name). */
export function keyExchangeKind(kex: string): 'dh' | 'ecdh' | 'rsa' | 'other' {
  if (/^(DHE_RSA|DHE_DSS|DH_anon)/.test(kex)) return 'dh';
  if (/^(ECDHE_RSA|ECDHE_ECDSA|ECDH_anon)/.test(kex)) return 'ecdh';
  if (/^RSA_EXPORT/.test(kex)) return 'rsa';
  return 'other';
}

export interface ParseOptions {
  /** Key exchange of a suite id, so that ServerKeyExchange can be read (the parser has no suite table). */
  kexOf?: (suite: number) => 'dh' | 'ecdh' | 'rsa' | 'other';
  maxCertificates?: number;
}

/** Parses a server's answer to an SSLv3–TLS 1.3 ClientHello. `complete` tells the reader when to stop. */
export function parseTlsResponse(data: Buffer, o: ParseOptions = {}): ServerResponse & { complete: boolean } {
  if (data.length === 0) return { ...empty('closed'), complete: true };
  const { records: recs, garbage } = records(data);
  const res = empty('truncated');
  let complete = garbage;
  const hs: Buffer[] = [];
  for (const rec of recs) {
    if (rec.type === 21) {
      const r = new Reader(rec.body);
      const level = r.u8();
      const description = r.u8();
      if (level !== null && description !== null) {
        res.alert = { level, description, name: ALERT_DESCRIPTIONS[description] ?? `alert ${description}` };
        if (res.suite === null) res.kind = 'alert';
        complete = true;
        break;
      }
    } else if (rec.type === 22) {
      hs.push(rec.body);
    } else if (res.suite !== null) {
      complete = true; // ChangeCipherSpec or encrypted records after the ServerHello: the rest is not for us.
      break;
    }
  }
  const r = new Reader(Buffer.concat(hs));
  while (r.left() >= 4) {
    const type = r.u8() ?? 0;
    const len = r.u24() ?? 0;
    const msg = r.sub(len);
    if (msg === null) break; // the message continues in records not read yet
    if (type === 2) {
      parseServerHello(msg, res);
      if (res.kind === 'hello-retry' || res.protocol === 'TLSv1.3') { complete = true; break; }
    } else if (type === 11) {
      parseCertificates(msg, res, o.maxCertificates ?? 4);
    } else if (type === 12 && res.suite !== null) {
      res.keyExchange = parseKeyExchange(msg, o.kexOf?.(res.suite) ?? 'other');
    } else if (type === 14) {
      complete = true;
      break;
    }
  }
  if (garbage && res.suite === null && res.alert === null) return { ...empty('not-tls', 'the answer is not a TLS record'), complete: true };
  return { ...res, complete };
}

/** Parses an SSLv2 SERVER-HELLO (two- or three-byte record header). */
export function parseSslv2Response(data: Buffer): ServerResponse & { complete: boolean } {
  if (data.length === 0) return { ...empty('closed'), complete: true };
  if (data.length >= 5 && (data[0] === 21 || data[0] === 22) && data[1] === 3) {
    // An SSLv3/TLS record in answer: an alert or a ServerHello means no SSLv2.
    const tls = parseTlsResponse(data);
    return { ...tls, kind: tls.kind === 'server-hello' ? 'alert' : tls.kind, note: 'answered with TLS, not SSLv2', complete: true };
  }
  const r = new Reader(data);
  const b0 = r.u8();
  const b1 = r.u8();
  if (b0 === null || b1 === null) return { ...empty('truncated'), complete: false };
  // A SERVER-HELLO has no padding, so its record header is the two-byte form (high bit set).
  if ((b0 & 0x80) === 0) return { ...empty('not-tls', 'not an SSLv2 SERVER-HELLO'), complete: true };
  const len = ((b0 & 0x7f) << 8) | b1;
  const body = r.sub(len);
  if (body === null) return { ...empty('truncated'), complete: data.length > 40000 };
  const type = body.u8();
  if (type !== 4) return { ...empty(type === 0 ? 'alert' : 'not-tls', type === 0 ? 'SSLv2 ERROR message' : 'not an SSLv2 SERVER-HELLO'), complete: true };
  body.u8(); // session id hit
  body.u8(); // certificate type
  const version = body.u16();
  const certLen = body.u16();
  const specLen = body.u16();
  const connLen = body.u16();
  if (version === null || certLen === null || specLen === null || connLen === null) return { ...empty('truncated', 'SSLv2 SERVER-HELLO truncated'), complete: true };
  const cert = body.bytes(certLen);
  const specs = body.bytes(specLen);
  if (cert === null || specs === null) return { ...empty('truncated', 'SSLv2 SERVER-HELLO truncated'), complete: true };
  const res = empty('sslv2-server-hello');
  res.protocol = version === 0x0002 ? 'SSLv2' : null;
  for (let i = 0; i + 3 <= specs.length; i += 3) res.sslv2Suites.push(specs.readUIntBE(i, 3));
  if (cert.length > 0) res.certificates.push(Buffer.from(cert));
  return { ...res, complete: true };
}
