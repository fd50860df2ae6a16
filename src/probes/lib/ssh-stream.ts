/**
 * What the SSH probes share on top of ssh2: the error classification of ssh2's errors, and the stream to
 * hand ssh2 (`connect({ sock })`), with the server's identification line delivered in one
 * piece. ssh2 1.17 mis-parses an identification line that arrives split across reads: measured through a
 * relay that forwards a real ssh2 server's bytes in fixed pieces, 1–4-byte pieces stall the handshake,
 * 7-byte ones give "Invalid identification string" and 8–10-byte ones "signature verification failed";
 * from 12 bytes up, and for everything after the identification line, splitting is harmless
 * (test/probes/credential-honeypots.test.ts, "drips"). A slow embedded server that writes its banner a few
 * bytes at a time would otherwise look broken. So the line (and any greeting lines before it, RFC 4253
 * §4.2) is read here first and put back at the front of the stream.
 */
import type { Duplex } from 'node:stream';
import type { ErrorKind } from '../../model.js';
import { errorDetail } from '../../net/errors.js';
import type { Conn } from '../../net/types.js';

/**
 * errorDetail for ssh2's errors, which say where they failed in `level`: a handshake or protocol failure
 * is the device's `protocol-error` (not `tls-handshake`, which their "Handshake failed" message would
 * otherwise suggest), ssh2's own timeout a `timeout`; socket errors keep their classified kind.
 */
export function sshErrorDetail(e: unknown, max = 300): { kind: ErrorKind; message: string } {
  const d = errorDetail(e, max);
  const level = typeof e === 'object' && e !== null ? (e as { level?: unknown }).level : undefined;
  if (level === 'client-timeout') return { ...d, kind: 'timeout' };
  if (level === 'handshake' || level === 'protocol') return { ...d, kind: 'protocol-error' };
  return d;
}

/** Bytes read while waiting for the identification line at most (the RFC's limit is 255 per line). */
const MAX_HEAD = 8192;

function hasIdentLine(b: Buffer): boolean {
  if (b.length >= MAX_HEAD) return true;
  const text = b.toString('latin1');
  let start = 0;
  for (;;) {
    const nl = text.indexOf('\n', start);
    if (nl < 0) return false;
    if (text.startsWith('SSH-', start)) return true;
    start = nl + 1;
  }
}

/**
 * Waits up to `waitMs` for the server's identification line (a server that waits for the client's first
 * gets its stream after `waitMs` with nothing read), then returns the stream with what was read in front.
 */
export async function sshStream(conn: Conn, waitMs = 4_000): Promise<Duplex> {
  const head = await conn.readUntil(hasIdentLine, waitMs);
  const stream = conn.stream;
  if (head.data.length > 0) stream.unshift(head.data);
  return stream;
}
