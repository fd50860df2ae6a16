/**
 * The stream to hand ssh2 (`connect({ sock })`), with the server's identification line delivered in one
 * piece. ssh2 1.17 mis-parses an identification line that arrives split across reads: measured through a
 * relay that forwards a real ssh2 server's bytes in fixed pieces, 1–4-byte pieces stall the handshake,
 * 7-byte ones give "Invalid identification string" and 8–10-byte ones "signature verification failed";
 * from 12 bytes up, and for everything after the identification line, splitting is harmless
 * (test/probes/credential-honeypots.test.ts, "drips"). A slow embedded server that writes its banner a few
 * bytes at a time would otherwise look broken. So the line (and any greeting lines before it, RFC 4253
 * §4.2) is read here first and put back at the front of the stream.
 */
import type { Duplex } from 'node:stream';
import type { Conn } from '../../net/types.js';

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
