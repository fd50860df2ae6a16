/**
 * The run lock across processes: a real second process (test/store/helpers/lock-holder.mjs, on the
 * built dist/) holds the lock in the same database file.
 */
import { describe, expect, it, beforeEach } from '@jest/globals';
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryStore } from '../../src/store/db.js';
import { hostIdentity, lockHolder, pidAlive, tryAcquireLock } from '../../src/store/lock.js';

const helper = new URL('./helpers/lock-holder.mjs', import.meta.url).pathname;
const dist = new URL('../../dist/store/lock.js', import.meta.url).pathname;

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'iotcop-lock-')); });

function firstLine(child: ChildProcessByStdio<null, Readable, Readable>): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const i = buf.indexOf('\n');
      if (i >= 0) resolve(buf.slice(0, i));
    });
    child.on('error', reject);
    child.on('exit', (code) => { if (!buf.includes('\n')) reject(new Error(`helper exited ${code}`)); });
  });
}

function runHelper(db: string, ...args: string[]): string {
  const r = spawnSync(process.execPath, [helper, db, ...args], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`helper failed: ${r.stderr}`);
  return r.stdout.trim();
}

describe('run lock', () => {
  it('one holder at a time in one process; released, it can be taken again', () => {
    const path = join(dir, 'h.db');
    const a = HistoryStore.open(path);
    const b = HistoryStore.open(path);
    const got = tryAcquireLock(a);
    expect(got.acquired).toBe(true);
    const second = tryAcquireLock(b);
    expect(second).toMatchObject({ acquired: false, holder: { pid: process.pid } });
    if (got.acquired) got.lock.release();
    expect(lockHolder(b)).toBeUndefined();
    const third = tryAcquireLock(b);
    expect(third.acquired).toBe(true);
    if (third.acquired) third.lock.release();
    a.close(); b.close();
  });

  it('a lock whose heartbeat stopped is taken over; a fresh one is not', () => {
    const path = join(dir, 'h.db');
    const store = HistoryStore.open(path);
    const t0 = new Date('2026-11-25T03:00:00Z');
    const remote = { hostId: 'other-host pid:[1]', hostname: 'other-host', pid: 4242, now: () => t0, heartbeatMs: 3_600_000 };
    const held = tryAcquireLock(store, remote);
    expect(held.acquired).toBe(true);
    const soon = tryAcquireLock(store, { now: () => new Date(t0.getTime() + 60_000) });
    expect(soon).toMatchObject({ acquired: false, holder: { pid: 4242, hostname: 'other-host' } });
    const late = tryAcquireLock(store, { now: () => new Date(t0.getTime() + 121_000) });
    expect(late).toMatchObject({ acquired: true, tookOver: { why: 'stale-heartbeat', holder: { pid: 4242 } } });
    if (held.acquired) held.lock.stopHeartbeat();
    if (late.acquired) late.lock.release();
    store.close();
  });

  it('the holder notices when its lock was taken over', () => {
    const store = HistoryStore.open(join(dir, 'h.db'));
    const t0 = new Date('2026-11-25T03:00:00Z');
    const held = tryAcquireLock(store, { hostId: 'elsewhere', pid: 1, now: () => t0, heartbeatMs: 3_600_000 });
    const taker = tryAcquireLock(store, { now: () => new Date(t0.getTime() + 10 * 60_000) });
    expect(taker.acquired).toBe(true);
    if (!held.acquired) throw new Error('unreachable');
    expect(held.lock.heartbeat()).toBe(false);
    expect(held.lock.lost).toBe(true);
    if (taker.acquired) taker.lock.release();
    store.close();
  });

  it('across processes: busy while another process holds it, taken over when that process is killed', async () => {
    if (!existsSync(dist)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
    const path = join(dir, 'h.db');
    HistoryStore.open(path).close();
    const holder = spawn(process.execPath, [helper, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await firstLine(holder);
      expect(line).toBe(`acquired ${holder.pid}`);

      // A third process and this one both see it busy, held by the first.
      expect(runHelper(path)).toBe(`busy ${holder.pid}`);
      const store = HistoryStore.open(path);
      const mine = tryAcquireLock(store);
      expect(mine).toMatchObject({ acquired: false, holder: { pid: holder.pid } });

      // Killed without releasing: its pid is dead on this host, so the lock is taken over at once.
      const exited = new Promise((r) => holder.on('exit', r));
      holder.kill('SIGKILL');
      await exited;
      expect(pidAlive(holder.pid!)).toBe(false);
      const after = tryAcquireLock(store);
      expect(after).toMatchObject({ acquired: true, tookOver: { why: 'dead-pid', holder: { pid: holder.pid } } });
      if (after.acquired) after.lock.release();

      // Released properly by another process: free again.
      expect(runHelper(path, 'release')).toMatch(/^acquired \d+$/);
      expect(lockHolder(store)).toBeUndefined();
      store.close();
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('the host identity includes the PID namespace (containers on one host network differ)', () => {
    const id = hostIdentity('box');
    expect(id.startsWith('box')).toBe(true);
    if (existsSync('/proc/self/ns/pid')) expect(id).toMatch(/^box pid:\[\d+\]$/);
  });
});
