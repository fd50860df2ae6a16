/**
 * The built-in TCP connect scanner, used when nmap is absent: the same port list, bounded
 * concurrency, a connect timeout per port and nothing ever written to a port. A connection that is
 * accepted means open; a refusal (RST) means the host is up with that port closed.
 */
import net from 'node:net';
import { mapLimit } from './limit.js';

export type PortState = 'open' | 'closed' | 'filtered' | 'unreachable' | 'aborted';

export interface ConnectOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** One connect attempt, closed at once (no bytes are sent). */
export function probePort(host: string, port: number, options: ConnectOptions): Promise<PortState> {
  return new Promise((resolve) => {
    if (options.signal?.aborted) { resolve('aborted'); return; }
    const socket = net.connect({ host, port });
    let settled = false;
    const done = (state: PortState) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      socket.removeAllListeners();
      socket.on('error', () => { /* ignore after settle */ });
      socket.destroy();
      resolve(state);
    };
    const onAbort = () => done('aborted');
    const timer = setTimeout(() => done('filtered'), options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done('open'));
    socket.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ECONNREFUSED') done('closed');
      else if (e.code === 'EHOSTUNREACH' || e.code === 'ENETUNREACH' || e.code === 'EHOSTDOWN') done('unreachable');
      else if (e.code === 'ECONNRESET') done('closed');
      else done('filtered');
    });
  });
}

export interface HostScan {
  address: string;
  /** Any open or refused port: the host answered. */
  up: boolean;
  open: number[];
}

export interface ScanHostOptions extends ConnectOptions {
  /** Parallel connects to this host (default 32). */
  concurrency?: number;
}

/** Connect-scans `ports` on one host. Stops early (and reports what it has) when aborted. */
export async function connectScanHost(address: string, ports: readonly number[], options: ScanHostOptions): Promise<HostScan> {
  let up = false;
  let unreachable = 0;
  const open: number[] = [];
  await mapLimit(ports, options.concurrency ?? 32, async (port) => {
    // A host that does not exist makes every connect fail with EHOSTUNREACH: stop after a few.
    if (options.signal?.aborted || (!up && unreachable >= 3)) return;
    const state = await probePort(address, port, options);
    if (state === 'open') { up = true; open.push(port); }
    else if (state === 'closed') up = true;
    else if (state === 'unreachable') unreachable++;
  });
  open.sort((a, b) => a - b);
  return { address, up, open };
}

/** Ports tried to decide whether a host of a range is up before its full scan. */
export const LIVENESS_PORTS: readonly number[] = [80, 443, 22, 23, 8080, 554, 1883, 8443, 7547, 5000, 8000, 53, 445, 139, 631, 9999];

/** True when the host accepts or refuses any of `ports` (stops at the first answer). */
export async function isAlive(address: string, ports: readonly number[], options: ConnectOptions): Promise<boolean> {
  const batch = 4;
  for (let i = 0; i < ports.length; i += batch) {
    if (options.signal?.aborted) return false;
    const states = await Promise.all(ports.slice(i, i + batch).map((p) => probePort(address, p, options)));
    if (states.some((s) => s === 'open' || s === 'closed')) return true;
    if (states.every((s) => s === 'unreachable')) return false;
  }
  return false;
}
