#!/usr/bin/env node
/**
 * A faithful fake of an old embedded TLS stack (a camera or router web server of the 2010s), for what
 * Debian's OpenSSL can no longer offer: SSLv2, SSLv3, RC4, DES, 3DES and EXPORT suites, 512-bit export RSA
 * and small DH groups, no secure renegotiation. Node stdlib only, one source for the unit tests and the lab.
 *
 * It speaks the handshake up to ServerHelloDone, as RFC 6101 (SSL 3.0) §5.6, RFC 2246 (TLS 1.0) §7.4 and
 * the SSL 2.0 draft (draft-hickman-netscape-ssl-00) §2.5 describe it: it picks the first suite of the
 * client's list that it supports for the negotiated version (the client's preference, as such stacks did),
 * sends ServerHello, Certificate, ServerKeyExchange (DHE: its prime, generator 2, a random public value;
 * RSA_EXPORT: a 512-bit temporary modulus) and ServerHelloDone, or a handshake_failure / protocol_version
 * alert. The key exchange is never completed: it closes when the client sends its next flight. A scanner
 * that only reads the ServerHello (iotcop, testssl.sh, sslyze) sees what it would see on the real device;
 * one that needs a finished handshake (sslscan with a modern OpenSSL) sees nothing — which is the point.
 *
 * CLI: node server.mjs --host ADDR --port N --cert CERT.pem [--config FILE.json]
 * In-process: `const s = await startLegacyTls({ certDer, config })` → { port, connections, close }.
 */
import net from 'node:net';
import { randomBytes, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The default device: what such firmware offered (codes from the IANA registry / SSL 2.0 draft). */
export const DEFAULT_CONFIG = {
  versions: ['SSLv2', 'SSLv3', 'TLSv1'],
  suites: {
    // SSL_CK_RC4_128_WITH_MD5, SSL_CK_DES_192_EDE3_CBC_WITH_MD5, SSL_CK_RC4_128_EXPORT40_WITH_MD5
    SSLv2: [0x010080, 0x0700c0, 0x020080],
    // RC4-MD5, RC4-SHA, DES-CBC3-SHA, EDH-RSA-DES-CBC3-SHA, DES-CBC-SHA, EXP-RC4-MD5, EXP-EDH-RSA-DES-CBC-SHA, AES128-SHA, DHE-RSA-AES128-SHA
    SSLv3: [0x0004, 0x0005, 0x000a, 0x0016, 0x0009, 0x0003, 0x0014, 0x002f, 0x0033],
    TLSv1: [0x0004, 0x0005, 0x000a, 0x0016, 0x0009, 0x0003, 0x0014, 0x002f, 0x0033],
  },
  /** Prime of the DHE group, hex: RFC 2409's 1024-bit Oakley group 2 (the Logjam-era default of many stacks). */
  dhPrimeHex: 'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff',
  /** Export DHE suites use a 512-bit group (the fake sends a random odd 512-bit value; no one computes with it). */
  secureRenegotiation: false,
  /**
   * RFC 6520 heartbeats: 'none' (the extension is ignored, as stacks without it do), 'rfc6520' (negotiated;
   * a request whose declared length exceeds the record is discarded, RFC 6520 §4), 'echo-sent' (answers
   * with the bytes actually sent, padded generously), or 'heartbleed' (as
   * OpenSSL 1.0.1-1.0.1f: it answers with the declared length, the rest filled from "memory" — here the
   * fixed marker HEARTBLEED_MEMORY, so that tests can prove a scanner never shows it).
   */
  heartbeat: 'none',
  /** Named curves (registry codes) for ECDHE suites, when a config adds such suites; `explicitCurve` sends explicit parameters instead, as some old stacks did. */
  curves: [],
  explicitCurve: false,
};

export const HEARTBLEED_MEMORY = 'FAKE-SERVER-MEMORY:session=7f3a;password=hunter2;';

/** The body of extension `type` in the ClientHello (handshake message `hs`, suites end at `p`), or null. */
function extensionBody(hs, p, type) {
  const compLen = hs[p];
  if (compLen === undefined) return null;
  let q = p + 1 + compLen;
  if (q + 2 > hs.length) return null;
  const end = Math.min(hs.length, q + 2 + hs.readUInt16BE(q));
  q += 2;
  while (q + 4 <= end) {
    const t = hs.readUInt16BE(q);
    const len = hs.readUInt16BE(q + 2);
    if (t === type) return hs.subarray(q + 4, Math.min(end, q + 4 + len));
    q += 4 + len;
  }
  return null;
}

/** The client's supported_groups, in its order. */
function clientGroups(hs, p) {
  const body = extensionBody(hs, p, 0x000a);
  const out = [];
  for (let i = 2; body && i + 2 <= body.length; i += 2) out.push(body.readUInt16BE(i));
  return out;
}

/** The answer to a HeartbeatRequest record body, or null (discarded). */
function heartbeatAnswer(body, version, config) {
  if (body[0] !== 1 || body.length < 3) return null;
  const declared = body.readUInt16BE(1);
  const sent = body.length - 3;
  if (config.heartbeat === 'rfc6520' && 3 + declared + 16 > body.length) return null;
  // 'echo-sent': answers with what was actually sent, and a generous 48 bytes of padding (RFC 6520 only asks for 16).
  if (config.heartbeat === 'echo-sent') return record(24, version, Buffer.concat([Buffer.from([2]), u16(sent), body.subarray(3), randomBytes(48)]));
  const memory = Buffer.from(HEARTBLEED_MEMORY.repeat(Math.ceil(Math.min(declared, 16384) / HEARTBLEED_MEMORY.length) + 1));
  const payload = Buffer.concat([body.subarray(3, 3 + Math.min(sent, declared)), memory]).subarray(0, Math.min(declared, 16384));
  return record(24, version, Buffer.concat([Buffer.from([2]), u16(payload.length), payload, randomBytes(16)]));
}

const WIRE = { SSLv3: 0x0300, TLSv1: 0x0301, 'TLSv1.1': 0x0302, 'TLSv1.2': 0x0303 };
const DHE = new Set([0x0011, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0032, 0x0033, 0x0038, 0x0039, 0x0063, 0x0065]);
const EXPORT_DHE = new Set([0x0011, 0x0014]);
/** ECDHE-RSA suites (only offered when a config lists them, with `curves`; the default device has none). */
const ECDHE = new Set([0xc011, 0xc012, 0xc013, 0xc014]);
const RSA_EXPORT = new Set([0x0003, 0x0006, 0x0008, 0x0060, 0x0061, 0x0062, 0x0064]);

const u16 = (n) => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const u24 = (n) => Buffer.from([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
const vec16 = (b) => Buffer.concat([u16(b.length), b]);
const hsMsg = (type, body) => Buffer.concat([Buffer.from([type]), u24(body.length), body]);
const record = (type, version, body) => Buffer.concat([Buffer.from([type]), u16(version), u16(body.length), body]);
const alert = (version, description) => record(21, version, Buffer.from([2, description]));

function oddTopBit(bytes) {
  const b = randomBytes(bytes);
  b[0] |= 0x80;
  b[bytes - 1] |= 1;
  return b;
}

/** Answers one SSLv2 CLIENT-HELLO: a SERVER-HELLO with every CIPHER-SPEC both sides have, or an ERROR. */
function sslv2Answer(msg, config, certDer) {
  if (msg[0] !== 1 || msg.length < 9) return null;
  const specLen = msg.readUInt16BE(3);
  const specs = [];
  for (let i = 9; i + 3 <= 9 + specLen && i + 3 <= msg.length; i += 3) specs.push(msg.readUIntBE(i, 3));
  const shared = config.versions.includes('SSLv2') ? specs.filter((s) => config.suites.SSLv2.includes(s)) : [];
  if (shared.length === 0) return Buffer.from([0x80, 3, 0, 0, 1]); // ERROR: NO-CIPHER-ERROR
  const specBytes = Buffer.concat(shared.map((s) => Buffer.from([(s >> 16) & 0xff, (s >> 8) & 0xff, s & 0xff])));
  const connId = randomBytes(16);
  const body = Buffer.concat([Buffer.from([4, 0, 1]), u16(0x0002), u16(certDer.length), u16(specBytes.length), u16(connId.length), certDer, specBytes, connId]);
  return Buffer.concat([u16(0x8000 | body.length), body]);
}

/** Answers one SSLv3/TLS ClientHello record body (a handshake message). */
function tlsAnswer(hs, config, certDer) {
  if (hs[0] !== 1 || hs.length < 4 + 2 + 32 + 1) return alert(0x0301, 50);
  const clientVersion = hs.readUInt16BE(4);
  let p = 4 + 2 + 32;
  const sid = hs[p] ?? 0;
  p += 1 + sid;
  if (p + 2 > hs.length) return alert(0x0301, 50);
  const suiteLen = hs.readUInt16BE(p);
  p += 2;
  const offered = [];
  for (let i = p; i + 2 <= p + suiteLen && i + 2 <= hs.length; i += 2) offered.push(hs.readUInt16BE(i));
  const mine = Object.keys(WIRE).filter((v) => config.versions.includes(v));
  const best = mine.filter((v) => WIRE[v] <= clientVersion).sort((a, b) => WIRE[b] - WIRE[a])[0];
  if (best === undefined) return alert(Math.min(clientVersion, 0x0301), 70);
  const version = WIRE[best];
  const suite = offered.find((s) => (config.suites[best] ?? []).includes(s));
  if (suite === undefined) return alert(version, 40);
  const heartbeat = (config.heartbeat ?? 'none') !== 'none' && extensionBody(hs, p + suiteLen, 0x000f) !== null;
  // ECDHE: the first of the client's groups the stack has, or an explicit curve when configured so.
  const curve = ECDHE.has(suite) ? (config.explicitCurve ? 'explicit' : clientGroups(hs, p + suiteLen).find((g) => (config.curves ?? []).includes(g))) : undefined;
  if (ECDHE.has(suite) && curve === undefined) return alert(version, 40);
  const extList = Buffer.concat([
    config.secureRenegotiation ? Buffer.from([0xff, 0x01, 0x00, 0x01, 0x00]) : Buffer.alloc(0),
    heartbeat ? Buffer.from([0x00, 0x0f, 0x00, 0x01, 0x01]) : Buffer.alloc(0),
  ]);
  const exts = extList.length > 0 ? vec16(extList) : Buffer.alloc(0);
  const serverHello = hsMsg(2, Buffer.concat([u16(version), randomBytes(32), Buffer.from([0]), u16(suite), Buffer.from([0]), exts]));
  const certificate = hsMsg(11, Buffer.concat([u24(certDer.length + 3), u24(certDer.length), certDer]));
  const messages = [serverHello, certificate];
  const signature = vec16(randomBytes(128));
  if (DHE.has(suite)) {
    const prime = EXPORT_DHE.has(suite) ? oddTopBit(64) : Buffer.from(config.dhPrimeHex, 'hex');
    messages.push(hsMsg(12, Buffer.concat([vec16(prime), vec16(Buffer.from([2])), vec16(randomBytes(prime.length)), signature])));
  } else if (ECDHE.has(suite)) {
    const params = curve === 'explicit' ? Buffer.from([1]) : Buffer.concat([Buffer.from([3]), u16(curve)]);
    messages.push(hsMsg(12, Buffer.concat([params, Buffer.from([65]), randomBytes(65), signature])));
  } else if (RSA_EXPORT.has(suite)) {
    messages.push(hsMsg(12, Buffer.concat([vec16(oddTopBit(64)), vec16(Buffer.from([1, 0, 1])), signature])));
  }
  messages.push(hsMsg(14, Buffer.alloc(0)));
  return record(22, version, Buffer.concat(messages));
}

export async function startLegacyTls({ certDer, config = DEFAULT_CONFIG, host = '127.0.0.1', port = 0 } = {}) {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections += 1;
    let buf = Buffer.alloc(0);
    let answered = false;
    socket.setTimeout(1000, () => socket.destroy()); // an embedded stack with little memory drops idle clients fast
    socket.on('error', () => undefined);
    let version = 0x0301;
    socket.on('data', (chunk) => {
      if (answered) {
        // A heartbeat before the handshake ends is answered (or discarded) as configured; anything else ends it.
        if (chunk[0] === 24 && chunk.length >= 5 && (config.heartbeat ?? 'none') !== 'none') {
          const out = heartbeatAnswer(chunk.subarray(5, 5 + chunk.readUInt16BE(3)), version, config);
          if (out) socket.write(out);
          return;
        }
        socket.destroy();
        return;
      } // the client's next flight: the fake stops here
      buf = Buffer.concat([buf, chunk]).subarray(0, 20000);
      if ((buf[0] & 0x80) !== 0 && buf.length >= 2) {
        const len = ((buf[0] & 0x7f) << 8) | buf[1];
        if (buf.length < 2 + len) return;
        answered = true;
        const out = sslv2Answer(buf.subarray(2, 2 + len), config, certDer);
        if (out) socket.write(out); else socket.destroy();
        return;
      }
      if (buf.length < 5) return;
      if (buf[0] !== 22) { socket.destroy(); return; }
      const len = buf.readUInt16BE(3);
      if (buf.length < 5 + len) return;
      answered = true;
      const answer = tlsAnswer(buf.subarray(5, 5 + len), config, certDer);
      if (answer[0] === 22) version = answer.readUInt16BE(1);
      socket.write(answer);
    });
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    port: server.address().port,
    get connections() { return connections; },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
  const certPem = readFileSync(arg('--cert') ?? '', 'utf8');
  const certDer = new X509Certificate(certPem).raw;
  const config = arg('--config') ? JSON.parse(readFileSync(arg('--config'), 'utf8')) : DEFAULT_CONFIG;
  const s = await startLegacyTls({ certDer, config, host: arg('--host') ?? '127.0.0.1', port: Number(arg('--port') ?? 0) });
  process.stdout.write(`legacy-tls listening on ${arg('--host') ?? '127.0.0.1'}:${s.port}\n`);
}
