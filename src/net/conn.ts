/**
 * A connected socket wrapped as the contract's `Conn` (HOSTILE.md): a byte cap on everything read,
 * an idle timeout, an absolute deadline, write deadlines, and closing on abort. Two ways to read:
 * - `readUntil(done)`: returns what arrived (up to the cap) once `done(buffer)` holds, the peer closes,
 *   the cap is hit or the timeout fires; never throws on timeout;
 * - `stream`: a Duplex for clients that take a socket (ssh2, our MQTT session). Bytes not yet consumed by readUntil
 *   are handed to it first; from then on everything goes to the stream (the cap still applies).
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Conn, ReadResult, TlsDetails } from './types.js';
import { NetError } from './errors.js';
import { abortedError } from './limits.js';

export interface ConnLimits {
  /** Byte cap over the whole life of the connection. */
  maxBytes: number;
  idleTimeoutMs: number;
  /** Absolute deadline (epoch ms): the socket is destroyed then, whatever it is doing. */
  deadlineAt: number;
  writeTimeoutMs: number;
}

export interface ConnHooks {
  signal: AbortSignal;
  /** First byte from the peer (the host is alive). */
  onFirstData?(): void;
  /** The peer reset the connection (ECONNRESET/EPIPE) while we had not closed it. */
  onReset?(): void;
  /** The socket is fully closed: release its slot. Called exactly once. */
  onClose(): void;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

export function wrapSocket(socket: Socket, limits: ConnLimits, hooks: ConnHooks, tls?: TlsDetails): Conn {
  let pending: Buffer = Buffer.alloc(0);
  let received = 0;
  let truncated = false;
  let ended = false;
  let closed = false;
  let deadlineHit = false;
  let idleHit = false;
  let closingByUs = false;
  let wrapper: Duplex | undefined;
  const listeners = new Set<() => void>();
  const notify = (): void => { for (const l of [...listeners]) l(); };

  const destroy = (err?: Error): void => {
    closingByUs = true;
    if (!socket.destroyed) socket.destroy(err);
  };

  // Our idle timeout closing the socket is a timeout, not the peer closing: readUntil says timedOut.
  socket.setTimeout(Math.max(1, limits.idleTimeoutMs), () => { idleHit = true; destroy(new NetError('timeout', `idle for ${limits.idleTimeoutMs} ms`)); });
  const deadlineTimer = setTimeout(() => {
    deadlineHit = true;
    destroy(new NetError('timeout', 'connection deadline reached'));
  }, Math.max(0, limits.deadlineAt - Date.now()));
  const onAbort = (): void => destroy();
  hooks.signal.addEventListener('abort', onAbort, { once: true });
  if (hooks.signal.aborted) destroy();

  socket.on('data', (chunk: Buffer) => {
    if (received === 0 && chunk.length > 0) hooks.onFirstData?.();
    const room = limits.maxBytes - received;
    received += chunk.length;
    const kept = chunk.length > room ? chunk.subarray(0, Math.max(0, room)) : chunk;
    if (kept.length > 0) {
      if (wrapper) wrapper.push(kept);
      else pending = pending.length === 0 ? Buffer.from(kept) : Buffer.concat([pending, kept]);
    }
    if (received > limits.maxBytes) {
      truncated = true;
      destroy(); // stop reading: memory stays flat whatever the peer sends
    }
    notify();
  });
  socket.on('end', () => {
    ended = true;
    if (wrapper && !wrapper.readableEnded) wrapper.push(null);
    notify();
  });
  socket.on('error', (err: Error & { code?: string }) => {
    if (!closingByUs && err.code !== undefined && RESET_CODES.has(err.code)) hooks.onReset?.();
  });
  socket.once('close', () => {
    closed = true;
    clearTimeout(deadlineTimer);
    hooks.signal.removeEventListener('abort', onAbort);
    if (wrapper && !wrapper.destroyed) {
      if (truncated) wrapper.destroy(new NetError('protocol-error', `read cap of ${limits.maxBytes} bytes exceeded`));
      else if (!wrapper.readableEnded) wrapper.push(null);
    }
    notify();
    hooks.onClose();
  });

  const makeWrapper = (): Duplex => {
    const d = new Duplex({
      read() { /* data is pushed as it arrives; the byte cap bounds the buffer */ },
      write(chunk: Buffer, _enc, cb) {
        if (closed || socket.destroyed) { cb(new NetError('reset', 'connection is closed')); return; }
        socket.write(chunk, (err) => cb(err ?? null));
      },
      final(cb) { if (!socket.destroyed) socket.end(); cb(); },
      destroy(err, cb) { destroy(); cb(err); },
    });
    // Errors reach the consumer through its own listeners; this one keeps an unheard error from crashing the process.
    d.on('error', () => undefined);
    if (pending.length > 0) d.push(pending);
    pending = Buffer.alloc(0);
    if (ended || closed) d.push(null);
    return d;
  };

  return {
    get stream(): Duplex {
      wrapper ??= makeWrapper();
      return wrapper;
    },
    tls,
    readUntil(done, timeoutMs = limits.idleTimeoutMs): Promise<ReadResult> {
      return new Promise<ReadResult>((resolve, reject) => {
        let timedOut = false;
        const finish = (): void => {
          listeners.delete(check);
          clearTimeout(timer);
          hooks.signal.removeEventListener('abort', aborted);
          const data = pending;
          pending = Buffer.alloc(0);
          resolve({ data, timedOut: timedOut || deadlineHit || idleHit, closed: ended || closed || socket.destroyed, truncated });
        };
        const check = (): void => {
          try {
            if (timedOut || truncated || ended || closed || socket.destroyed || wrapper !== undefined || done(pending)) finish();
          } catch (e) {
            listeners.delete(check);
            clearTimeout(timer);
            hooks.signal.removeEventListener('abort', aborted);
            reject(e);
          }
        };
        const aborted = (): void => {
          listeners.delete(check);
          clearTimeout(timer);
          reject(abortedError(hooks.signal));
        };
        const timer = setTimeout(() => { timedOut = true; check(); }, Math.max(0, timeoutMs));
        if (hooks.signal.aborted) { aborted(); return; }
        hooks.signal.addEventListener('abort', aborted, { once: true });
        listeners.add(check);
        check();
      });
    },
    write(data): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        if (hooks.signal.aborted) { reject(abortedError(hooks.signal)); return; }
        if (closed || socket.destroyed || !socket.writable) { reject(new NetError('reset', 'connection is closed')); return; }
        const timer = setTimeout(() => {
          destroy();
          reject(new NetError('timeout', `write not flushed within ${limits.writeTimeoutMs} ms`));
        }, Math.max(1, limits.writeTimeoutMs));
        socket.write(data, (err) => {
          clearTimeout(timer);
          if (err) reject(new NetError(closingByUs ? 'aborted' : 'reset', err.message.slice(0, 300)));
          else resolve();
        });
      });
    },
    close(): void {
      destroy();
    },
  };
}
