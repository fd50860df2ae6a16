/**
 * createNetApi: the probe context's `net`, bound to one device address and one job. Every call
 * goes through the job's budget, the run's per-host limiter and circuit breaker, and the job's
 * AbortSignal and deadline (scope by construction: the API takes ports, never hosts).
 *
 * A connection holds its per-host slot until it has closed. A probe should hold one connection at a
 * time: two jobs that each hold one slot and wait for a second one (with perHost 2) wait until their
 * deadlines. Connections end a little before the job's deadline so the probe gets its partial data back.
 */
import { isIP } from 'node:net';
import type { Conn, Logger, NetApi } from './types.js';
import { NetError } from './errors.js';
import type { Budget, CircuitBreaker, HostLimiter } from './limits.js';
import { admit, dialTcp, dialTls, NET_DEFAULTS, type DialContext, type NetDefaults } from './dial.js';
import { exchangeUdp } from './udp.js';
import { httpRequest } from './http.js';

export interface NetApiOptions {
  /** The device address (an IP literal). */
  address: string;
  hostLimiter: HostLimiter;
  budget: Budget;
  signal: AbortSignal;
  /** Time the job has left, from now: no connection outlives it. */
  deadlineMs: number;
  log: Logger;
  breaker?: CircuitBreaker;
  defaults?: Partial<NetDefaults>;
  onConnect?: DialContext['onConnect'];
}

export function createNetApi(options: NetApiOptions): NetApi {
  if (isIP(options.address) === 0) throw new NetError('out-of-scope', `not an IP address: ${options.address.slice(0, 80)}`);
  const { log } = options;
  const ctx: DialContext = {
    address: options.address,
    limiter: options.hostLimiter,
    budget: options.budget,
    signal: options.signal,
    deadlineAt: Date.now() + Math.max(0, options.deadlineMs),
    defaults: { ...NET_DEFAULTS, ...options.defaults },
    onConnect: (info) => {
      log.debug('connected', { kind: info.kind, port: info.port });
      options.onConnect?.(info);
    },
    ...(options.breaker ? { breaker: options.breaker } : {}),
  };
  // --verbose says what happened on each connection: rejected, timed out, bytes capped.
  const failed = (kind: string, port: number) => (e: unknown): never => {
    const k = e instanceof NetError ? e.kind : 'internal';
    const what = k === 'refused' ? 'rejected' : k === 'timeout' ? 'timed out' : k === 'aborted' ? 'aborted' : 'failed';
    log.debug(what, { kind, port, error: k, detail: e instanceof Error ? e.message.slice(0, 200) : String(e).slice(0, 200) });
    throw e;
  };
  const watched = (conn: Conn, kind: string, port: number): Conn => {
    const readUntil = conn.readUntil.bind(conn);
    conn.readUntil = async (done, timeoutMs) => {
      const r = await readUntil(done, timeoutMs);
      if (r.truncated) log.debug('bytes capped', { kind, port, bytes: r.data.length });
      else if (r.timedOut) log.debug('read timed out', { kind, port, bytes: r.data.length });
      return r;
    };
    return conn;
  };
  return {
    tcp: (port, o) => dialTcp(ctx, port, o).then((c) => watched(c, 'tcp', port), failed('tcp', port)),
    tls: (port, o) => dialTls(ctx, port, o).then((c) => watched(c, 'tls', port), failed('tls', port)),
    udp: (exchange) => exchangeUdp(ctx, exchange).catch(failed('udp', exchange.port)),
    http: (request) => httpRequest(ctx, request).then((r) => {
      log.debug(r.truncated ? 'bytes capped' : 'answered', { kind: request.tls ? 'https' : 'http', port: request.port, method: request.method ?? 'GET', path: request.path.slice(0, 120), status: r.status, bytes: r.body.length });
      return r;
    }, failed(request.tls ? 'https' : 'http', request.port)),
    async slot<T>(fn: (address: string, signal: AbortSignal) => Promise<T>): Promise<T> {
      const release = await admit(ctx, 'slot');
      try {
        return await fn(ctx.address, ctx.signal);
      } finally {
        release();
      }
    },
  };
}

/** For run-scope probes, which compare what other jobs saw and never touch the network. */
export function createOfflineNetApi(): NetApi {
  const refuse = (): Promise<never> => Promise.reject(new NetError('out-of-scope', 'run-scope probes have no network access'));
  return { tcp: refuse, tls: refuse, udp: refuse, http: refuse, slot: refuse };
}
