/**
 * One UDP exchange with the device: a connected dgram socket (so only the device's replies arrive and
 * an ICMP port-unreachable surfaces as `refused`), one payload, replies until maxReplies, the byte cap
 * or the deadline. Silence is not an error: it returns the replies it has (possibly none).
 */
import dgram from 'node:dgram';
import type { UdpExchange } from './types.js';
import { NetError, toNetError } from './errors.js';
import { abortedError } from './limits.js';
import { admit, type DialContext } from './dial.js';

export async function exchangeUdp(ctx: DialContext, ex: UdpExchange): Promise<Buffer[]> {
  const release = await admit(ctx, `udp ${ex.port}`, ex.port);
  const timeoutMs = Math.min(ex.timeoutMs ?? ctx.defaults.udpTimeoutMs, Math.max(0, ctx.deadlineAt - Date.now()));
  const maxReplies = Math.max(1, ex.maxReplies ?? 1);
  const maxBytes = ex.maxBytes ?? ctx.defaults.udpMaxBytes;
  const socket = dgram.createSocket({ type: ctx.address.includes(':') ? 'udp6' : 'udp4' });
  socket.once('close', release);
  return new Promise<Buffer[]>((resolve, reject) => {
    const replies: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const finish = (err?: NetError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      try { socket.close(); } catch { release(); }
      if (err) reject(err);
      else resolve(replies);
    };
    const onAbort = (): void => finish(abortedError(ctx.signal));
    const timer = setTimeout(() => finish(), Math.max(1, timeoutMs));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.on('error', (err) => {
      const e = toNetError(err);
      if (e.kind === 'refused') ctx.breaker?.record(ctx.address, 'healthy');
      finish(e);
    });
    socket.on('message', (msg) => {
      if (settled) return;
      if (replies.length === 0) ctx.breaker?.record(ctx.address, 'healthy');
      const room = maxBytes - bytes;
      replies.push(Buffer.from(msg.subarray(0, Math.max(0, room))));
      bytes += msg.length;
      if (replies.length >= maxReplies || bytes >= maxBytes) finish();
    });
    socket.connect(ex.port, ctx.address, () => {
      if (settled) return;
      ctx.onConnect?.({ kind: 'udp', port: ex.port });
      socket.send(ex.payload, (err) => { if (err) finish(toNetError(err)); });
    });
  });
}
