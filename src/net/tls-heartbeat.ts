/**
 * The Heartbleed test (CVE-2014-0160), for the intrusive safety level only: a ClientHello offering the
 * RFC 6520 heartbeat extension; when the ServerHello accepts it, one HeartbeatRequest whose declared
 * payload length is OVERREAD bytes longer than the payload actually sent, before the handshake finishes
 * (as nmap's ssl-heartbleed and testssl.sh do). RFC 6520 §4 says such a request MUST be discarded; a
 * vulnerable OpenSSL (1.0.1–1.0.1f) answers with the declared length, padding its answer with its own
 * memory. OVERREAD is kept at 16 bytes (testers commonly ask for 16 KiB) and the answer's bytes are
 * counted, never kept: they may hold another user's secrets.
 */
import { suitesFor } from '../data/tls-suites.js';
import { buildClientHello, parseTlsResponse, WIRE_VERSION, type HelloProtocol } from './tls-hello.js';
import { failure, type ExchangeError, type HelloStream } from './tls-enumerate.js';

export const HEARTBEAT_PAYLOAD = 16;
export const OVERREAD = 16;
const MAX_ANSWER_BYTES = 65_536;

export type HeartbleedOutcome =
  /** The server answered with more bytes than were sent: vulnerable. */
  | 'over-read'
  /** It negotiated heartbeats and discarded (or refused) the malformed request, as RFC 6520 requires. */
  | 'discarded'
  /** It answered with no more than was sent (a correct server ignoring the declared length). */
  | 'echoed-safely'
  /** It does not negotiate the heartbeat extension: nothing to over-read. */
  | 'no-heartbeat'
  /** No ServerHello on any protocol tried. */
  | 'no-handshake';

export type HeartbleedResult = {
  outcome: HeartbleedOutcome;
  protocol: HelloProtocol | null;
  /** Bytes of the answer beyond the request (counted; the bytes themselves are dropped). */
  overreadBytes: number;
  connections: number;
  note: string | null;
  errorKind: string | null;
};

type Step = { res: ReturnType<typeof parseTlsResponse>; conn: HelloStream } | ExchangeError;

async function hello(dial: () => Promise<HelloStream>, protocol: HelloProtocol, suites: number[], exchangeMs: number): Promise<Step> {
  let conn: HelloStream;
  try { conn = await dial(); } catch (e) { return failure(e, 'connect failed'); }
  try {
    await conn.write(buildClientHello({ protocol, suites, heartbeat: true }));
    const read = await conn.readUntil((b) => b.length >= MAX_ANSWER_BYTES || (b.length > 0 && parseTlsResponse(b).complete), exchangeMs);
    if (read.data.length === 0) { conn.close(); return read.timedOut ? { error: 'no answer before the timeout', kind: 'timeout' } : { error: 'the server closed the connection', kind: null }; }
    return { res: parseTlsResponse(read.data), conn };
  } catch (e) {
    conn.close();
    return failure(e, 'exchange failed');
  }
}

/** A HeartbeatRequest record declaring `declared` payload bytes while carrying `payload.length` and no padding. */
export function heartbeatRequest(wireVersion: number, payload: Buffer, declared: number): Buffer {
  const body = Buffer.concat([Buffer.from([1, (declared >> 8) & 0xff, declared & 0xff]), payload]);
  return Buffer.concat([Buffer.from([24, (wireVersion >> 8) & 0xff, wireVersion & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
}

/** The first heartbeat record in `data`: the payload length it declares, and its record length. */
export function findHeartbeatResponse(data: Buffer): { declared: number; recordLength: number } | null {
  let p = 0;
  while (p + 5 <= data.length) {
    const type = data[p] ?? 0;
    const len = data.readUInt16BE(p + 3);
    if (type === 24 && p + 5 + 3 <= data.length) return { declared: data.readUInt16BE(p + 5 + 1), recordLength: len };
    if (![20, 21, 22, 23, 24].includes(type)) return null;
    p += 5 + len;
  }
  return null;
}

export interface HeartbleedOptions {
  dial: () => Promise<HelloStream>;
  exchangeMs?: number;
  /** Hellos the test may send in all (each a connection). */
  maxConnections?: number;
  random?: (n: number) => Buffer;
}

/** Tries TLS 1.2, 1.1 and 1.0 (suites in chunks of 100) until a server accepts one, then sends the one malformed heartbeat. */
export async function testHeartbleed(o: HeartbleedOptions): Promise<HeartbleedResult> {
  const exchangeMs = o.exchangeMs ?? 5000;
  const budget = o.maxConnections ?? 8;
  const out: HeartbleedResult = { outcome: 'no-handshake', protocol: null, overreadBytes: 0, connections: 0, note: null, errorKind: null };
  for (const protocol of ['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const) {
    const offer = suitesFor(protocol).filter((s) => s.code.length === 4 && s.kex !== 'TLS13').map((s) => s.id);
    for (let i = 0; i < offer.length; i += 100) {
      if (out.connections >= budget) { out.note = 'connection budget spent'; return out; }
      out.connections += 1;
      const step = await hello(o.dial, protocol, offer.slice(i, i + 100), exchangeMs);
      if ('error' in step) {
        out.note = step.error; out.errorKind = step.kind;
        if (step.kind === 'refused' || step.kind === 'timeout') return out;
        continue;
      }
      const { res, conn } = step;
      if (res.kind !== 'server-hello' || res.protocol !== protocol) {
        conn.close();
        out.note = res.alert?.name ?? res.note ?? res.kind;
        if (res.kind === 'not-tls') return out;
        if (res.kind === 'server-hello') break; // another version: try the next protocol down
        continue; // refused this chunk of suites
      }
      out.protocol = protocol;
      out.errorKind = null;
      try {
        if (res.heartbeat !== true) { out.outcome = 'no-heartbeat'; out.note = null; return out; }
        const payload = (o.random ?? ((n: number) => Buffer.alloc(n, 0x41)))(HEARTBEAT_PAYLOAD);
        await conn.write(heartbeatRequest(WIRE_VERSION[protocol], payload, HEARTBEAT_PAYLOAD + OVERREAD));
        const read = await conn.readUntil((b) => b.length >= MAX_ANSWER_BYTES || findHeartbeatResponse(b.subarray(handshakeLength(b))) !== null, exchangeMs);
        const hb = findHeartbeatResponse(read.data.subarray(handshakeLength(read.data)));
        if (hb === null) { out.outcome = 'discarded'; out.note = read.timedOut ? 'no heartbeat answer before the timeout' : 'the server closed or alerted'; return out; }
        // Judged by the payload length the answer declares: a vulnerable server echoes the length we declared;
        // padding (at least 16 bytes, RFC 6520 §4, but a server may send more) says nothing.
        const beyond = Math.max(hb.declared - HEARTBEAT_PAYLOAD, 0);
        out.overreadBytes = beyond;
        out.outcome = beyond > 0 ? 'over-read' : 'echoed-safely';
        out.note = null;
        return out;
      } catch (e) {
        if (failure(e, '').kind === 'aborted') throw e; // the job was stopped: not a verdict
        out.outcome = 'discarded';
        out.note = e instanceof Error ? e.message.slice(0, 200) : 'the connection failed after the heartbeat';
        return out;
      } finally {
        conn.close();
      }
    }
  }
  return out;
}

/** Bytes of the server's first flight (the handshake records) at the start of `data`, so the heartbeat answer is looked for after them. */
function handshakeLength(data: Buffer): number {
  let p = 0;
  while (p + 5 <= data.length && data[p] === 22) p += 5 + data.readUInt16BE(p + 3);
  return Math.min(p, data.length);
}
