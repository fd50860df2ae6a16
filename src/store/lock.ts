/**
 * A run lock in the history database, so two scans never run at once — in one process, or in several
 * processes (containers, cron jobs) sharing the database. The lock is a row in the `locks` table:
 * a random token, the holder's pid, a host identity, and a heartbeat the holder refreshes.
 *
 * Taking it is one IMMEDIATE transaction (SQLite serialises it across processes). A row that exists
 * is taken over when it is stale:
 * - same host identity and the pid is dead (the holder crashed or was killed), or
 * - its heartbeat is older than `staleMs` (a holder on another machine or container that stopped).
 * The host identity is the hostname plus the PID namespace (containers on `--network host` share a
 * hostname but not a PID namespace, so a pid is only judged where it means the same process).
 */
import { randomBytes } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { HistoryError, describeDbError, type HistoryStore } from './db.js';

export interface LockHolder {
  pid: number;
  hostname: string;
  acquiredAt: string;
  heartbeatAt: string;
}

export interface LockOptions {
  name?: string;
  /** A heartbeat older than this makes the lock stale (default 2 minutes). */
  staleMs?: number;
  /** How often the holder refreshes its heartbeat (default 15 s). */
  heartbeatMs?: number;
  now?: () => Date;
  pid?: number;
  hostname?: string;
  /** Host identity: hostname plus PID namespace (default: read from /proc). */
  hostId?: string;
  isAlive?: (pid: number) => boolean;
}

export type AcquireResult =
  | { acquired: true; lock: HeldLock; tookOver?: { holder: LockHolder; why: 'dead-pid' | 'stale-heartbeat' } }
  | { acquired: false; holder: LockHolder };

/** True when a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function hostIdentity(name = osHostname()): string {
  let ns = '';
  try {
    ns = readlinkSync('/proc/self/ns/pid');
  } catch { /* not Linux: the hostname alone */ }
  return ns ? `${name} ${ns}` : name;
}

interface LockRecord { token: string; pid: number; host: string; hostname: string; acquired_at: string; heartbeat_at: string }

export class HeldLock {
  private timer: NodeJS.Timeout | undefined;
  private released = false;
  /** Set when another process took the lock over (our heartbeat found a different token). */
  lost = false;

  constructor(private readonly store: HistoryStore, readonly name: string, readonly token: string,
    private readonly now: () => Date, private readonly onLost?: () => void) {}

  /** Refreshes the heartbeat; false when the lock is no longer ours. Never throws (a busy database just skips a beat). */
  heartbeat(): boolean {
    if (this.released) return false;
    try {
      const info = this.store.db.prepare('UPDATE locks SET heartbeat_at = ? WHERE name = ? AND token = ?')
        .run(this.now().toISOString(), this.name, this.token);
      if (info.changes === 0) {
        this.lost = true;
        this.stopHeartbeat();
        this.onLost?.();
        return false;
      }
      return true;
    } catch {
      return true;
    }
  }

  startHeartbeat(everyMs: number): void {
    this.stopHeartbeat();
    this.timer = setInterval(() => this.heartbeat(), everyMs);
    this.timer.unref();
  }

  stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Deletes the row if it is still ours. Safe to call twice; never throws. */
  release(): void {
    this.stopHeartbeat();
    if (this.released) return;
    this.released = true;
    try {
      this.store.db.prepare('DELETE FROM locks WHERE name = ? AND token = ?').run(this.name, this.token);
    } catch { /* the stale-lock rules will free it */ }
  }
}

export function tryAcquireLock(store: HistoryStore, options: LockOptions = {}, onLost?: () => void): AcquireResult {
  const name = options.name ?? 'scan';
  const now = options.now ?? (() => new Date());
  const staleMs = options.staleMs ?? 120_000;
  const pid = options.pid ?? process.pid;
  const hostname = options.hostname ?? osHostname();
  const host = options.hostId ?? hostIdentity(hostname);
  const isAlive = options.isAlive ?? pidAlive;
  const token = randomBytes(16).toString('hex');

  const attempt = store.db.transaction((): AcquireResult => {
    const row = store.db.prepare('SELECT token, pid, host, hostname, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name) as LockRecord | undefined;
    const t = now().toISOString();
    const take = () => store.db.prepare(`INSERT OR REPLACE INTO locks (name, token, pid, host, hostname, acquired_at, heartbeat_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`).run(name, token, pid, host, hostname, t, t);
    const lock = new HeldLock(store, name, token, now, onLost);
    if (!row) {
      take();
      return { acquired: true, lock };
    }
    const holder: LockHolder = { pid: row.pid, hostname: row.hostname, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at };
    if (row.host === host && row.pid !== pid && !isAlive(row.pid)) {
      take();
      return { acquired: true, lock, tookOver: { holder, why: 'dead-pid' } };
    }
    const beat = Date.parse(row.heartbeat_at);
    if (!Number.isFinite(beat) || now().getTime() - beat > staleMs) {
      take();
      return { acquired: true, lock, tookOver: { holder, why: 'stale-heartbeat' } };
    }
    return { acquired: false, holder };
  });
  try {
    const result = attempt.immediate();
    if (result.acquired) result.lock.startHeartbeat(options.heartbeatMs ?? 15_000);
    return result;
  } catch (e) {
    throw new HistoryError(store.path, `cannot take the run lock: ${describeDbError(e)}`, { cause: e });
  }
}

/** Who holds the lock now, if anyone (for messages). */
export function lockHolder(store: HistoryStore, name = 'scan'): LockHolder | undefined {
  const row = store.db.prepare('SELECT pid, hostname, acquired_at, heartbeat_at FROM locks WHERE name = ?').get(name) as
    { pid: number; hostname: string; acquired_at: string; heartbeat_at: string } | undefined;
  return row ? { pid: row.pid, hostname: row.hostname, acquiredAt: row.acquired_at, heartbeatAt: row.heartbeat_at } : undefined;
}
