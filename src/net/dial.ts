/**
 * TCP and TLS dialers. Each dial: scope and fragile-port check, budget unit, per-host slot (held until
 * the socket has closed), a connect deadline covering TCP and the TLS handshake, then a capped Conn.
 * Health signals feed the circuit breaker: timeouts, resets and unreachables are failures; any answer
 * (data, a refusal, a TLS alert) is healthy.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Conn, TlsDetails, TlsDialOptions } from './types.js';
import { NetError, toNetError } from './errors.js';
import { wrapSocket } from './conn.js';
import type { Budget, CircuitBreaker, HostLimiter, Release } from './limits.js';
import { abortedError } from './limits.js';
import { isFragilePort, isValidPort } from './scope.js';

/** Defaults for every connection; tests pass smaller ones. */
export interface NetDefaults {
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  /** Absolute deadline of one connection when the probe gives no timeoutMs. */
  connDeadlineMs: number;
  /** Byte cap of raw tcp/tls connections. */
  rawMaxBytes: number;
  httpMaxBytes: number;
  httpTimeoutMs: number;
  udpTimeoutMs: number;
  udpMaxBytes: number;
}

export const NET_DEFAULTS: Readonly<NetDefaults> = Object.freeze({
  connectTimeoutMs: 5_000,
  idleTimeoutMs: 10_000,
  connDeadlineMs: 30_000,
  rawMaxBytes: 64 * 1024,
  httpMaxBytes: 1024 * 1024,
  httpTimeoutMs: 10_000,
  udpTimeoutMs: 2_000,
  udpMaxBytes: 64 * 1024,
});

/** TLS chain caps (a hostile server may send a megabyte chain). */
export const MAX_CHAIN_CERTS = 10;
export const MAX_CHAIN_BYTES = 1024 * 1024;

export interface DialContext {
  address: string;
  limiter: HostLimiter;
  budget: Budget;
  breaker?: CircuitBreaker;
  signal: AbortSignal;
  /** Absolute deadline of the job (epoch ms). */
  deadlineAt: number;
  defaults: NetDefaults;
  /** Sees every connection opened (after connect), for logging and tests. */
  onConnect?(info: { kind: 'tcp' | 'tls' | 'http' | 'https' | 'udp'; port: number }): void;
}

/** Shared preamble of every dial: checks, budget, slot. The returned release is idempotent. */
export async function admit(ctx: DialContext, what: string, port?: number): Promise<Release> {
  if (port !== undefined) {
    if (!isValidPort(port)) throw new NetError('internal', `invalid port ${String(port)}`);
    if (isFragilePort(port)) throw new NetError('out-of-scope', `port ${port} is a raw printer port: never dialled`);
  }
  if (ctx.signal.aborted) throw abortedError(ctx.signal);
  if (ctx.breaker?.isOpen(ctx.address)) throw new NetError('aborted', `${ctx.address} stopped answering (circuit breaker)`);
  if (Date.now() >= ctx.deadlineAt) throw new NetError('timeout', 'job deadline reached');
  ctx.budget.take(what);
  return ctx.limiter.acquire(ctx.address, ctx.signal);
}

function remaining(ctx: DialContext): number {
  return Math.max(0, ctx.deadlineAt - Date.now());
}

export interface ConnOptions { timeoutMs?: number; maxBytes?: number }

/** Connect deadline, absolute connection deadline, cap: the probe's wishes bounded by the job's deadline. */
function connLimits(ctx: DialContext, options: ConnOptions): { connectMs: number; deadlineAt: number; maxBytes: number; idleMs: number } {
  // Connections end a little before the job does, so that a probe gets its partial data back
  // (a timed-out read) and can still report it ("tarpit suspected") before the job deadline.
  const left = remaining(ctx);
  const lifeMs = Math.min(options.timeoutMs ?? ctx.defaults.connDeadlineMs, left - Math.min(1_000, Math.floor(left / 10)));
  return {
    connectMs: Math.min(ctx.defaults.connectTimeoutMs, lifeMs),
    deadlineAt: Date.now() + lifeMs,
    maxBytes: options.maxBytes ?? ctx.defaults.rawMaxBytes,
    idleMs: Math.min(ctx.defaults.idleTimeoutMs, lifeMs),
  };
}

type AnySocket = net.Socket | tls.TLSSocket;

/**
 * Waits for `ready` on a fresh socket, with a connect deadline and abort. On failure the socket is destroyed
 * (its 'close' releases the slot). `tcpConnected` tells whether the TCP part succeeded (for TLS classification).
 */
function awaitConnect(ctx: DialContext, socket: AnySocket, ready: 'connect' | 'secureConnect', connectMs: number, tlsDial: boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let tcpConnected = false;
    let settled = false;
    const cleanup = (): void => {
      settled = true;
      clearTimeout(timer);
      ctx.signal.removeEventListener('abort', onAbort);
      socket.removeListener('error', onError);
      socket.removeListener(ready, onReady);
    };
    const fail = (e: NetError): void => {
      if (settled) return;
      cleanup();
      socket.destroy();
      reject(e);
    };
    const onReady = (): void => { if (settled) return; cleanup(); resolve(); };
    const onError = (err: Error): void => {
      const e = toNetError(err);
      if (tlsDial && tcpConnected && e.kind !== 'timeout' && e.kind !== 'aborted') {
        // The host answered but the handshake failed (alert, version mismatch, reset mid-handshake).
        ctx.breaker?.record(ctx.address, 'healthy');
        fail(new NetError('tls-handshake', e.message, { cause: err, ...(e.code === undefined ? {} : { code: e.code }) }));
        return;
      }
      if (e.kind === 'refused') ctx.breaker?.record(ctx.address, 'healthy');
      else if (e.kind === 'timeout' || e.kind === 'reset' || e.kind === 'unreachable') ctx.breaker?.record(ctx.address, 'failure');
      fail(e);
    };
    const onAbort = (): void => fail(abortedError(ctx.signal));
    // A connect cut short by the job's own deadline says nothing about the host.
    const fullWait = connectMs >= Math.min(ctx.defaults.connectTimeoutMs, 1_000);
    const timer = setTimeout(() => {
      // A connect that never completes is a sign of a dead host; a stalled handshake after it is a slow service.
      if (!tcpConnected && fullWait) ctx.breaker?.record(ctx.address, 'failure');
      fail(new NetError('timeout', tcpConnected ? `TLS handshake not done within ${connectMs} ms` : `connect not done within ${connectMs} ms`));
    }, Math.max(1, connectMs));
    socket.once('connect', () => { tcpConnected = true; });
    socket.on('error', onError);
    // A late error after settling must not crash the process.
    socket.on('error', () => undefined);
    socket.once(ready, onReady);
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
}

function attach(ctx: DialContext, socket: AnySocket, limits: { deadlineAt: number; maxBytes: number; idleMs: number }, release: Release, details?: TlsDetails): Conn {
  return wrapSocket(socket, {
    maxBytes: limits.maxBytes,
    idleTimeoutMs: limits.idleMs,
    deadlineAt: limits.deadlineAt,
    writeTimeoutMs: limits.idleMs,
  }, {
    signal: ctx.signal,
    onFirstData: () => ctx.breaker?.record(ctx.address, 'healthy'),
    onReset: () => ctx.breaker?.record(ctx.address, 'failure'),
    onClose: release,
  }, details);
}

export async function dialTcp(ctx: DialContext, port: number, options: ConnOptions = {}): Promise<Conn> {
  const release = await admit(ctx, `tcp ${port}`, port);
  const limits = connLimits(ctx, options);
  let socket: net.Socket;
  try {
    socket = net.connect({ host: ctx.address, port, noDelay: true });
  } catch (e) {
    release();
    throw toNetError(e);
  }
  socket.once('close', release);
  await awaitConnect(ctx, socket, 'connect', limits.connectMs, false);
  ctx.onConnect?.({ kind: 'tcp', port });
  return attach(ctx, socket, limits, release);
}

/** Cipher string for a dial: everything the local OpenSSL has for ≤ TLS 1.2; nothing for 1.3-only (no @SECLEVEL there). */
export function tlsCipherOptions(options: TlsDialOptions): Pick<tls.ConnectionOptions, 'minVersion' | 'maxVersion' | 'ciphers'> {
  const minVersion = options.minVersion ?? 'TLSv1';
  const maxVersion = options.maxVersion ?? 'TLSv1.3';
  const only13 = minVersion === 'TLSv1.3' && maxVersion === 'TLSv1.3';
  const ciphers = options.ciphers ?? (only13 ? undefined : 'ALL@SECLEVEL=0');
  return { minVersion, maxVersion, ...(ciphers === undefined ? {} : { ciphers }) };
}

/** Protocol, cipher, peer chain (leaf first, capped) and the authorisation verdict node computed against its CA store. */
export function tlsDetailsOf(socket: tls.TLSSocket): TlsDetails {
  const chainDer: Buffer[] = [];
  let bytes = 0;
  const seen = new Set<string>();
  let cert: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (cert && cert.raw && chainDer.length < MAX_CHAIN_CERTS) {
    const key = cert.fingerprint256 ?? cert.raw.toString('base64');
    if (seen.has(key)) break;
    seen.add(key);
    if (bytes + cert.raw.length > MAX_CHAIN_BYTES) break;
    bytes += cert.raw.length;
    chainDer.push(Buffer.from(cert.raw));
    const next: tls.DetailedPeerCertificate | undefined = cert.issuerCertificate;
    if (!next || next === cert) break;
    cert = next;
  }
  const cipher = socket.getCipher();
  const authError = socket.authorizationError as unknown;
  return {
    protocol: socket.getProtocol() ?? null,
    cipher: cipher?.name ?? null,
    chainDer,
    authorized: socket.authorized,
    ...(authError ? { authorizationError: authError instanceof Error ? authError.message : String(authError) } : {}),
  };
}

/** servername must be a DNS name (RFC 6066; node warns for IPs). */
export function sniName(servername: string | undefined): string | undefined {
  if (servername === undefined || servername === '' || net.isIP(servername) !== 0) return undefined;
  return servername;
}

export async function dialTls(ctx: DialContext, port: number, options: TlsDialOptions & ConnOptions = {}): Promise<Conn> {
  const release = await admit(ctx, `tls ${port}`, port);
  const limits = connLimits(ctx, options);
  let socket: tls.TLSSocket;
  try {
    const servername = sniName(options.servername);
    socket = tls.connect({
      host: ctx.address,
      port,
      ...(servername === undefined ? {} : { servername }),
      rejectUnauthorized: false,
      ...tlsCipherOptions(options),
    });
  } catch (e) {
    release();
    throw new NetError('tls-handshake', e instanceof Error ? e.message.slice(0, 300) : String(e), { cause: e });
  }
  socket.once('close', release);
  await awaitConnect(ctx, socket, 'secureConnect', limits.connectMs, true);
  ctx.breaker?.record(ctx.address, 'healthy');
  ctx.onConnect?.({ kind: 'tls', port });
  return attach(ctx, socket, limits, release, tlsDetailsOf(socket));
}
