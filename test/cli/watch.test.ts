/**
 * `iotcop watch`: the schedule (pure), the loop with injected runs and clock, the lock shared with
 * another holder, and one short real watch on the built CLI against a TCP service on 127.0.0.1.
 */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextCronTime, nextRunTime, parseCron, parseSchedule } from '../../src/cli/commands/schedule.js';
import { childScanArgs, watchLoop, type RunOutcome } from '../../src/cli/commands/watch.js';
import { HistoryStore } from '../../src/store/db.js';
import { tryAcquireLock } from '../../src/store/lock.js';
import { UsageError } from '../../src/errors.js';
import { makeResult } from '../store/fixtures.js';

const at = (s: string) => new Date(s);

describe('schedule', () => {
  it('cron: next matching minute in local time, with ranges, steps, lists, names and macros', () => {
    const base = new Date(2026, 10, 25, 2, 59, 30); // Wed 25 Nov 2026 02:59:30 local
    expect(nextCronTime(parseCron('0 3 * * *'), base)).toEqual(new Date(2026, 10, 25, 3, 0));
    expect(nextCronTime(parseCron('0 3 * * *'), new Date(2026, 10, 25, 3, 0))).toEqual(new Date(2026, 10, 26, 3, 0));
    expect(nextCronTime(parseCron('*/15 * * * *'), base)).toEqual(new Date(2026, 10, 25, 3, 0));
    expect(nextCronTime(parseCron('30 1-3/2 * * *'), base)).toEqual(new Date(2026, 10, 25, 3, 30));
    expect(nextCronTime(parseCron('0 0 * * sun'), base)).toEqual(new Date(2026, 10, 29, 0, 0));
    expect(nextCronTime(parseCron('0 0 * * 7'), base)).toEqual(new Date(2026, 10, 29, 0, 0));
    expect(nextCronTime(parseCron('@monthly'), base)).toEqual(new Date(2026, 11, 1, 0, 0));
    expect(nextCronTime(parseCron('0 12 29 feb *'), base)).toEqual(new Date(2028, 1, 29, 12, 0));
    // day of month OR day of week when both are restricted (Vixie cron)
    expect(nextCronTime(parseCron('0 0 1 * mon'), base)).toEqual(new Date(2026, 10, 30, 0, 0));
  });

  it('refuses bad cron and durations with one line', () => {
    expect(() => parseCron('0 3 * *')).toThrow(/five fields/);
    expect(() => parseCron('61 * * * *')).toThrow(/minute 61 is outside 0-59/);
    expect(() => parseCron('*/0 * * * *')).toThrow(/step/);
    expect(() => parseCron('0 5-2 * * *')).toThrow(/backwards/);
    expect(() => parseSchedule(undefined, '0 0 31 2 *')).toThrow(/never matches/);
    expect(() => parseSchedule('soon', undefined)).toThrow(UsageError);
    expect(() => parseSchedule('0s', undefined)).toThrow(/at least 1s/);
    expect(() => parseSchedule('1h', '0 3 * * *')).toThrow(/not both/);
    expect(() => parseSchedule(undefined, undefined)).toThrow(/needs a schedule/);
    expect(parseSchedule('24h', undefined)).toEqual({ kind: 'every', ms: 86_400_000, text: '24h' });
  });

  it('--every: first run at once, then every interval after the previous start, skipping missed slots', () => {
    const s = parseSchedule('1h', undefined);
    expect(nextRunTime(s, at('2026-11-25T03:00:00Z'), undefined)).toEqual(at('2026-11-25T03:00:00Z'));
    expect(nextRunTime(s, at('2026-11-25T03:20:00Z'), at('2026-11-25T03:00:00Z'))).toEqual(at('2026-11-25T04:00:00Z'));
    // the run took 2h30: the 04:00 and 05:00 slots are skipped, not run back to back
    expect(nextRunTime(s, at('2026-11-25T05:30:00Z'), at('2026-11-25T03:00:00Z'))).toEqual(at('2026-11-25T06:00:00Z'));
  });
});

/** A fake clock: sleeping advances it. */
function clock(start: string) {
  let t = Date.parse(start);
  return { now: () => new Date(t), sleep: async (ms: number) => { t += ms; }, advance: (ms: number) => { t += ms; } };
}

const resultN = (n: number, devices: string[]) => makeResult({
  id: `00000000-0000-4000-8000-00000000000${n}`, startedAt: `2026-11-25T0${n}:00:00.000Z`, targets: ['10.0.5.0/24'],
  devices: devices.map((address) => ({ address, services: [80] })),
});

describe('watchLoop', () => {
  it('survives a failed run, logs one line per run, compares each run with the previous and stores it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-watch-'));
    const store = HistoryStore.open(join(dir, 'h.db'));
    const c = clock('2026-11-25T03:00:00Z');
    const outcomes: (() => RunOutcome)[] = [
      () => ({ ok: true, exitCode: 0, result: resultN(1, ['10.0.5.1']) }),
      () => { throw new Error('nmap crashed'); },
      () => ({ ok: false, exitCode: 2, message: 'targets.yaml:3:3: unknown key' }),
      () => ({ ok: true, exitCode: 0, result: resultN(4, ['10.0.5.1', '10.0.5.2']) }),
    ];
    const lines: string[] = [];
    const starts: number[] = [];
    const summary = await watchLoop(parseSchedule('1h', undefined), {
      runScan: async () => { starts.push(c.now().getTime()); c.advance(60_000); return outcomes[starts.length - 1]!(); },
      log: (l) => lines.push(l), now: c.now, sleep: c.sleep, store,
    }, { maxRuns: 4, signal: new AbortController().signal });

    expect(summary).toMatchObject({ runs: 4, failed: 2, skipped: 0 });
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^2026-11-25T03:01:00Z run 1 ok in 1m00s, exit 0: 1 device, 0 failed checks; first run of these targets: 1 device, 0 problems, saved #1$/);
    expect(lines[1]).toMatch(/run 2 failed after 1m00s: nmap crashed$/);
    expect(lines[2]).toMatch(/run 3 failed after 1m00s \(exit 2\): targets\.yaml:3:3: unknown key$/);
    expect(lines[3]).toMatch(/run 4 ok .*: 2 devices, .*; 1 new device, saved #2$/);
    // one start per hour, never overlapping
    expect(starts.map((s) => new Date(s).toISOString())).toEqual(['2026-11-25T03:00:00.000Z', '2026-11-25T04:00:00.000Z', '2026-11-25T05:00:00.000Z', '2026-11-25T06:00:00.000Z']);
    expect(store.count()).toBe(2);
    store.close();
  });

  it('a webhook that never finishes does not hold up the next run', async () => {
    const c = clock('2026-11-25T03:00:00Z');
    let notified = 0;
    const summary = await watchLoop(parseSchedule('1h', undefined), {
      runScan: async () => ({ ok: true, exitCode: 0, result: resultN(1, ['10.0.5.1']) }),
      log: () => undefined, now: c.now, sleep: c.sleep,
      notify: () => { notified++; return new Promise<void>(() => { /* hangs forever */ }); },
    }, { maxRuns: 3, signal: new AbortController().signal });
    expect(summary.runs).toBe(3);
    expect(notified).toBe(3);
    expect(summary.pendingNotifications).toHaveLength(3);
  });

  it('skips its slot while another process holds the run lock, and runs again once it is free', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-watch-'));
    const store = HistoryStore.open(join(dir, 'h.db'));
    const other = HistoryStore.open(join(dir, 'h.db'));
    // Another live process on this host holds the lock (our parent process: alive, not us).
    const held = tryAcquireLock(other, { pid: process.ppid, heartbeatMs: 3_600_000 });
    expect(held.acquired).toBe(true);
    const c = clock('2026-11-25T03:00:00Z');
    const lines: string[] = [];
    let runs = 0;
    const summary = await watchLoop(parseSchedule('1h', undefined), {
      runScan: async () => { runs++; return { ok: true, exitCode: 0, result: resultN(1, ['10.0.5.1']) }; },
      log: (l) => { lines.push(l); if (held.acquired && lines.length === 1) held.lock.release(); },
      now: c.now, sleep: c.sleep, store, lock: { now: c.now },
    }, { maxRuns: 1, signal: new AbortController().signal });
    expect(lines[0]).toMatch(new RegExp(`slot 1 skipped: another scan holds the lock \\(pid ${process.ppid} on `));
    expect(summary).toMatchObject({ runs: 1, skipped: 1 });
    expect(runs).toBe(1);
    store.close(); other.close();
  });

  it('stops at once when aborted while waiting', async () => {
    const ac = new AbortController();
    ac.abort();
    const summary = await watchLoop(parseSchedule('1h', undefined), {
      runScan: async () => { throw new Error('must not run'); }, log: () => undefined,
    }, { signal: ac.signal });
    expect(summary.runs).toBe(0);
  });

  it('passes the scan options to each run, without history, baseline or webhook', () => {
    expect(childScanArgs({ targets: ['10.0.5.0/24'], config: '/config/t.yaml', allPorts: true, exclude: ['10.0.5.1', '10.0.5.2'], format: ['json,html'],
      out: '/data', every: '24h', webhook: 'http://127.0.0.1/x', db: '/data/h.db', history: true, shard: '1/2', revealCredentials: false, maxHosts: 256 }))
      .toEqual(['scan', '10.0.5.0/24', '--config', '/config/t.yaml', '--all-ports', '--exclude', '10.0.5.1', '--exclude', '10.0.5.2', '--max-hosts', '256',
        '--out', '/data', '--format', 'json,html', '--shard', '1/2', '--json', '--quiet', '--no-history']);
  });
});

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;

describe('iotcop watch (built CLI)', () => {
  it('runs two scans of a loopback service, logs a line for each, stores them and writes the changes', async () => {
    if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
    const srv: Server = createServer((s) => { s.on('error', () => undefined); s.end('hello\r\n'); });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as AddressInfo).port;
    try {
      const dir = mkdtempSync(join(tmpdir(), 'iotcop-watch-cli-'));
      const out = join(dir, 'out');
      const db = join(dir, 'h.db');
      const { spawn } = await import('node:child_process');
      const child = spawn(process.execPath, [main, 'watch', '127.0.0.1', '--ports', String(port), '--safety', 'safe', '--every', '1s', '--max-runs', '2',
        '--db', db, '--out', out, '--format', 'json'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => { stdout += c.toString(); });
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const code = await new Promise<number | null>((r) => child.on('close', r));
      expect(stderr).toBe('');
      expect(code).toBe(0);
      const lines = stdout.trim().split('\n');
      expect(lines[0]).toMatch(/iotcop watch: every 1s; history and lock in /);
      expect(lines.filter((l) => / run \d ok /.test(l))).toHaveLength(2);
      expect(lines[1]).toMatch(/run 1 ok .*1 device.*first run of these targets/);
      expect(lines[2]).toMatch(/run 2 ok .*no changes, saved #2/);
      expect(lines.at(-1)).toMatch(/stopped after 2 runs \(0 failed, 0 slots skipped\)/);
      expect(readdirSync(out).filter((f) => f.endsWith('.changes.json'))).toHaveLength(2);
      const hist = spawnSync(process.execPath, [main, 'history', '--db', db, '--json'], { encoding: 'utf8' });
      expect(JSON.parse(hist.stdout).map((r: { devices: number }) => r.devices)).toEqual([1, 1]);
    } finally {
      srv.close();
    }
  }, 120_000);
});
