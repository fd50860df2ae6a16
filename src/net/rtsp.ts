/**
 * A small RTSP/1.0 client of our own (RFC 2326; LIBRARIES.md: no maintained client on npm): OPTIONS and
 * DESCRIBE only — it never sends SETUP or PLAY, so no media flows. It runs over a `Conn` from the net layer
 * (capped, deadline-bound reads) and never opens a socket itself. Authentication headers come from
 * ./digest.ts (Basic, Digest MD5/SHA-256).
 *
 * The request and response codecs are pure and exported for tests.
 */
import type { Conn } from './types.js';

/** Response header block cap; a longer one is a protocol error. */
export const MAX_RTSP_HEADER_BYTES = 16 * 1024;
/** Body bytes kept (an SDP is a few hundred bytes). */
export const MAX_RTSP_BODY_BYTES = 64 * 1024;
const MAX_HEADERS = 64;

export type RtspMethod = 'OPTIONS' | 'DESCRIBE';

export interface RtspResponse {
  status: number;
  reason: string;
  /** Lower-cased names; repeated headers kept as separate entries. */
  headers: Map<string, string[]>;
  /** Body as latin1 text, capped. */
  body: string;
  truncated: boolean;
}

/** Characters that would let a value break out of its header line. */
function clean(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v.replace(/[\r\n\x00]/g, '');
}

/** The request bytes (RFC 2326 §6): request line, CSeq, our headers, blank line. No body. */
export function buildRtspRequest(method: RtspMethod, url: string, cseq: number, headers: ReadonlyArray<[string, string]> = []): string {
  const lines = [`${method} ${clean(url)} RTSP/1.0`, `CSeq: ${cseq}`, 'User-Agent: iotcop'];
  if (method === 'DESCRIBE') lines.push('Accept: application/sdp');
  for (const [k, v] of headers) lines.push(`${clean(k)}: ${clean(v)}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

export type ParseOutcome =
  | { kind: 'incomplete' }
  | { kind: 'error'; message: string }
  | { kind: 'response'; response: RtspResponse; consumed: number };

/**
 * Parses one response from the start of `buf`. `incomplete` means more bytes are needed; `closed` tells the
 * parser the peer is gone, so a body shorter than Content-Length is returned as truncated.
 */
export function parseRtspResponse(buf: Buffer, closed = false): ParseOutcome {
  const headEnd = buf.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    if (buf.length > MAX_RTSP_HEADER_BYTES) return { kind: 'error', message: 'RTSP response header too long' };
    if (closed) return buf.length === 0 ? { kind: 'error', message: 'connection closed without an answer' } : { kind: 'error', message: 'connection closed mid-header' };
    return { kind: 'incomplete' };
  }
  if (headEnd > MAX_RTSP_HEADER_BYTES) return { kind: 'error', message: 'RTSP response header too long' };
  const head = buf.subarray(0, headEnd).toString('latin1');
  const lines = head.split('\r\n');
  const statusLine = lines[0] ?? '';
  const m = /^RTSP\/\d\.\d (\d{3})(?: (.*))?$/.exec(statusLine.slice(0, 200));
  if (!m) return { kind: 'error', message: `not an RTSP response: ${JSON.stringify(statusLine.slice(0, 60))}` };
  const headers = new Map<string, string[]>();
  let count = 0;
  for (const line of lines.slice(1)) {
    if (++count > MAX_HEADERS) break;
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase().slice(0, 64);
    const value = line.slice(i + 1).trim().slice(0, 4096);
    const prev = headers.get(name);
    if (prev) prev.push(value); else headers.set(name, [value]);
  }
  const lenRaw = headers.get('content-length')?.[0];
  const declared = lenRaw !== undefined && /^\d{1,9}$/.test(lenRaw) ? Number(lenRaw) : 0;
  const bodyStart = headEnd + 4;
  const want = Math.min(declared, MAX_RTSP_BODY_BYTES);
  const have = buf.length - bodyStart;
  if (have < want && !closed) return { kind: 'incomplete' };
  const body = buf.subarray(bodyStart, bodyStart + Math.min(want, have)).toString('latin1');
  return {
    kind: 'response',
    response: { status: Number(m[1]), reason: (m[2] ?? '').slice(0, 120), headers, body, truncated: declared > Math.min(want, have) },
    consumed: bodyStart + Math.min(declared, have),
  };
}

export class RtspError extends Error {
  constructor(message: string) { super(message); this.name = 'RtspError'; }
}

/** an answer whose CSeq names another request is not an answer to ours (RFC 2326 §12.17). */
function answering(response: RtspResponse, cseq: number): RtspResponse {
  const got = response.headers.get('cseq')?.[0];
  if (got !== undefined && got.trim() !== String(cseq)) throw new RtspError(`the answer's CSeq ${JSON.stringify(got.slice(0, 20))} does not match request ${cseq}`);
  return response;
}

/** One RTSP connection: sequential requests with increasing CSeq. */
export class RtspClient {
  private cseq = 0;
  private leftover: Buffer = Buffer.alloc(0);

  constructor(private readonly conn: Conn, private readonly timeoutMs = 8_000) {}

  async request(method: RtspMethod, url: string, headers: ReadonlyArray<[string, string]> = []): Promise<RtspResponse> {
    this.cseq += 1;
    await this.conn.write(buildRtspRequest(method, url, this.cseq, headers));
    let buf = this.leftover;
    this.leftover = Buffer.alloc(0);
    const deadline = Date.now() + this.timeoutMs;
    for (;;) {
      const parsed = parseRtspResponse(buf);
      if (parsed.kind === 'response') {
        this.leftover = buf.subarray(parsed.consumed);
        return answering(parsed.response, this.cseq);
      }
      if (parsed.kind === 'error') throw new RtspError(parsed.message);
      const left = deadline - Date.now();
      if (left <= 0) throw new RtspError('no complete RTSP response in time');
      const r = await this.conn.readUntil((b) => parseRtspResponse(Buffer.concat([buf, b])).kind !== 'incomplete', left);
      buf = Buffer.concat([buf, r.data]);
      if (r.closed || r.timedOut || r.truncated) {
        const last = parseRtspResponse(buf, true);
        if (last.kind === 'response') { this.leftover = Buffer.alloc(0); return answering(last.response, this.cseq); }
        throw new RtspError(last.kind === 'error' ? last.message : r.timedOut ? 'no complete RTSP response in time' : 'connection closed');
      }
    }
  }

  close(): void {
    this.conn.close();
  }
}

/** The URL of a path on the device (`rtsp://host:port/path`); `host` is the address as a URL authority. */
export function rtspUrl(host: string, port: number, path: string): string {
  const p = path.startsWith('/') ? path : `/${path}`;
  return `rtsp://${host}:${port}${p}`;
}
