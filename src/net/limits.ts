/**
 * The three shared limits every dial goes through (DESIGN.md "Per host: at most 2 concurrent
 * connections"):
 * - HostLimiter: at most N concurrent connections per address across all jobs of a run;
 * - Budget: at most `maxConnections` connections/exchanges/slots per job;
 * - CircuitBreaker: N consecutive timeouts/resets/unreachables from one address mark it unresponsive.
 * Small own code on purpose (p-queue 10 needs Node 22; waiting must honour AbortSignal).
 */
import { NetError } from './errors.js';

export type Release = () => void;

export interface HostLimiter {
  readonly perHost: number;
  /** Waits for a connection slot on `address`. Rejects with NetError `aborted` when `signal` fires first. */
  acquire(address: string, signal?: AbortSignal): Promise<Release>;
  /** Connections currently held on `address`. */
  active(address: string): number;
  /** Highest number of connections ever held at once on `address` (for tests and the benchmark). */
  highWater(address: string): number;
}

interface Waiter { grant: () => void }
interface HostSlots { active: number; high: number; queue: Waiter[] }

export function createHostLimiter(perHost = 2): HostLimiter {
  if (!Number.isInteger(perHost) || perHost < 1) throw new RangeError(`perHost must be a positive integer, got ${perHost}`);
  const hosts = new Map<string, HostSlots>();
  const slots = (address: string): HostSlots => {
    let h = hosts.get(address);
    if (!h) { h = { active: 0, high: 0, queue: [] }; hosts.set(address, h); }
    return h;
  };
  const releaser = (address: string): Release => {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const h = slots(address);
      const next = h.queue.shift();
      if (next) next.grant(); // hand the slot over: active stays the same
      else h.active -= 1;
    };
  };
  return {
    perHost,
    acquire(address, signal) {
      if (signal?.aborted) return Promise.reject(abortedError(signal));
      const h = slots(address);
      if (h.active < perHost) {
        h.active += 1;
        h.high = Math.max(h.high, h.active);
        return Promise.resolve(releaser(address));
      }
      return new Promise<Release>((resolve, reject) => {
        const onAbort = (): void => {
          const i = h.queue.indexOf(waiter);
          if (i >= 0) h.queue.splice(i, 1);
          reject(abortedError(signal));
        };
        const waiter: Waiter = {
          grant: () => { signal?.removeEventListener('abort', onAbort); resolve(releaser(address)); },
        };
        h.queue.push(waiter);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    active: (address) => hosts.get(address)?.active ?? 0,
    highWater: (address) => hosts.get(address)?.high ?? 0,
  };
}

export function abortedError(signal: AbortSignal | undefined): NetError {
  const reason: unknown = signal?.reason;
  if (reason instanceof NetError) return reason;
  const why = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'aborted';
  return new NetError('aborted', `aborted: ${why}`.slice(0, 300));
}

export interface Budget {
  readonly max: number;
  readonly used: number;
  /** Counts one connection/exchange/slot; throws NetError `budget-exceeded` past `max`. */
  take(what: string): void;
}

export function createBudget(max: number): Budget {
  let used = 0;
  return {
    max,
    get used() { return used; },
    take(what) {
      if (used >= max) {
        throw new NetError('budget-exceeded', `connection budget of ${max} exhausted (${what})`);
      }
      used += 1;
    },
  };
}

/** How a dial or connection ended, as far as the host's health is concerned. */
export type HealthSignal = 'healthy' | 'failure';

export interface CircuitBreaker {
  readonly threshold: number;
  /** `failure`: timeout, reset, unreachable. `healthy`: the host answered (data, refused, clean close). */
  record(address: string, signal: HealthSignal): void;
  isOpen(address: string): boolean;
  /** Addresses marked unresponsive, in the order they tripped. */
  unresponsive(): string[];
}

export function createCircuitBreaker(options: { threshold?: number; onTrip?: (address: string) => void } = {}): CircuitBreaker {
  const threshold = options.threshold ?? 5;
  const consecutive = new Map<string, number>();
  const open: string[] = [];
  return {
    threshold,
    record(address, signal) {
      if (open.includes(address)) return;
      if (signal === 'healthy') { consecutive.set(address, 0); return; }
      const n = (consecutive.get(address) ?? 0) + 1;
      consecutive.set(address, n);
      if (threshold > 0 && n >= threshold) {
        open.push(address);
        options.onTrip?.(address);
      }
    },
    isOpen: (address) => open.includes(address),
    unresponsive: () => [...open],
  };
}
