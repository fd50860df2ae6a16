/**
 * `iotcop watch [targets..] --every 24h | --cron "0 3 * * *"`: scans on a schedule, for a long-running
 * container. Each run is a child `iotcop scan` process (a crash or leak in one run cannot take the
 * watcher down) with the same scan options; the watcher then compares the result with the previous
 * run of the same targets, stores it, writes `<report>.changes.json` next to the reports, logs one line,
 * and sends the webhook in the background (a slow endpoint never delays the next run).
 *
 * Never two runs at once: runs are sequential in the process, and each run holds the lock row in the
 * history database, so other watchers (or containers) sharing the database skip their slot while a run
 * is going. A failed run is logged and the schedule goes on. SIGINT/SIGTERM stop the current run (its
 * partial report is written), wait briefly for pending webhooks, and exit 0.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EXIT, UsageError } from '../../errors.js';
import type { ScanResult } from '../../model.js';
import type { HistoryStore } from '../../store/db.js';
import type { RunDiff } from '../../store/diff.js';
import type { LockOptions } from '../../store/lock.js';
import { printable } from '../../targets/spec.js';
import type { ScanArgs } from '../options.js';
import type { WatchArgs } from './options.js';
import { dbPathOf, errorLine, openStore, webhookFromEnv, writeChangesFile } from './history.js';
import { describeSchedule, nextRunTime, parseSchedule, type Schedule } from './schedule.js';



// ---------------------------------------------------------------------------------------------
// The loop (injectable, so tests drive it without processes or clocks)

export type RunOutcome =
  | { ok: true; result: ScanResult; exitCode: number }
  | { ok: false; exitCode: number | null; message: string };

export interface WatchDeps {
  runScan: (signal: AbortSignal) => Promise<RunOutcome>;
  log: (line: string) => void;
  now?: () => Date;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The history (with the lock); without it the previous result is kept in memory only. */
  store?: HistoryStore;
  lock?: LockOptions;
  /** Sends the webhook; the loop does not wait for it. */
  notify?: (result: ScanResult, diff: RunDiff) => Promise<void>;
  /** Writes the changes file next to the reports. */
  writeChanges?: (result: ScanResult, diff: RunDiff) => Promise<string | undefined>;
}

export interface WatchSummary { runs: number; failed: number; skipped: number; pendingNotifications: Promise<unknown>[] }

const realSleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => {
  if (signal.aborted) return resolve();
  const t = setTimeout(done, Math.max(0, ms));
  function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
  signal.addEventListener('abort', done, { once: true });
});

function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function took(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(s / 3600)}h${String(Math.floor(s / 60) % 60).padStart(2, '0')}m`;
}

export async function watchLoop(schedule: Schedule, deps: WatchDeps, options: { maxRuns?: number; signal: AbortSignal }): Promise<WatchSummary> {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? realSleep;
  const { diffResults, diffSummaryLine } = await import('../../store/diff.js');
  const { scopeKey } = await import('../../store/db.js');
  const { tryAcquireLock } = await import('../../store/lock.js');
  const previous = new Map<string, ScanResult>(); // without a store
  const pending = new Set<Promise<unknown>>();
  const summary: WatchSummary = { runs: 0, failed: 0, skipped: 0, pendingNotifications: [] };
  let lastStart: Date | undefined;
  let slot = 0;

  while (!options.signal.aborted && (options.maxRuns === undefined || summary.runs < options.maxRuns)) {
    const at = nextRunTime(schedule, now(), lastStart);
    const wait = at.getTime() - now().getTime();
    if (wait > 0) await sleep(wait, options.signal);
    if (options.signal.aborted) break;
    lastStart = now();
    slot++;

    let lock: import('../../store/lock.js').HeldLock | undefined;
    if (deps.store) {
      try {
        const got = tryAcquireLock(deps.store, deps.lock);
        if (!got.acquired) {
          summary.skipped++;
          deps.log(`${stamp(now())} slot ${slot} skipped: another scan holds the lock (pid ${got.holder.pid} on ${printable(got.holder.hostname)} since ${got.holder.acquiredAt})`);
          continue;
        }
        if (got.tookOver) {
          deps.log(`${stamp(now())} took over a stale lock of pid ${got.tookOver.holder.pid} on ${printable(got.tookOver.holder.hostname)} (${got.tookOver.why === 'dead-pid' ? 'process gone' : 'no heartbeat'})`);
        }
        lock = got.lock;
      } catch (e) {
        summary.failed++;
        summary.runs++;
        deps.log(`${stamp(now())} run ${summary.runs} failed: ${printable(e instanceof Error ? e.message : String(e))}`);
        continue;
      }
    }

    const started = now();
    let outcome: RunOutcome;
    try {
      outcome = await deps.runScan(options.signal);
    } catch (e) {
      outcome = { ok: false, exitCode: null, message: e instanceof Error ? e.message : String(e) };
    }
    summary.runs++;
    const n = summary.runs;
    try {
      if (!outcome.ok) {
        summary.failed++;
        deps.log(`${stamp(now())} run ${n} failed after ${took(now().getTime() - started.getTime())}${outcome.exitCode !== null ? ` (exit ${outcome.exitCode})` : ''}: ${printable(outcome.message)}`);
        continue;
      }
      const result = outcome.result;
      const key = scopeKey(result);
      let before: ScanResult | null = null;
      let saved = '';
      if (deps.store) {
        try {
          const row = deps.store.latestOfScope(key, undefined, true);
          before = row ? deps.store.loadResult(row) : null;
        } catch (e) {
          deps.log(`${stamp(now())} run ${n}: cannot read the previous run: ${printable(e instanceof Error ? e.message : String(e))}`);
        }
        try {
          saved = `, saved #${deps.store.saveRun(result).seq}`;
        } catch (e) {
          saved = `, NOT saved: ${printable(e instanceof Error ? e.message : String(e))}`;
        }
      } else {
        before = previous.get(key) ?? null;
        previous.set(key, result);
      }
      const diff = diffResults(before, result);
      let changesFile = '';
      if (deps.writeChanges) {
        try {
          const path = await deps.writeChanges(result, diff);
          if (path) changesFile = `, changes in ${path}`;
        } catch (e) {
          changesFile = `, changes file NOT written: ${printable(e instanceof Error ? e.message : String(e))}`;
        }
      }
      const s = result.summary;
      const state = result.run.partial ? `partial${result.run.stopReason ? ` (${result.run.stopReason})` : ''}` : 'ok';
      deps.log(`${stamp(now())} run ${n} ${state} in ${took(result.run.durationMs)}, exit ${outcome.exitCode}: ${s.devices} device${s.devices === 1 ? '' : 's'}, ` +
        `${s.findings.fail} failed check${s.findings.fail === 1 ? '' : 's'}${s.worst ? ` (worst ${s.worst})` : ''}; ${diffSummaryLine(diff)}${saved}${changesFile}`);
      if (deps.notify) {
        const p = deps.notify(result, diff).catch(() => undefined).finally(() => pending.delete(p));
        pending.add(p);
      }
    } finally {
      lock?.release();
    }
  }
  summary.pendingNotifications = [...pending];
  return summary;
}

// ---------------------------------------------------------------------------------------------
// The command

const SCAN_FLAGS: [keyof ScanArgs, string][] = [
  ['config', 'config'], ['safety', 'safety'], ['ports', 'ports'], ['allPorts', 'all-ports'], ['exclude', 'exclude'],
  ['allowPublic', 'allow-public'], ['maxHosts', 'max-hosts'], ['timeout', 'timeout'], ['concurrency', 'concurrency'],
  ['perHost', 'per-host'], ['maxGuesses', 'max-guesses'], ['delay', 'delay'], ['out', 'out'], ['format', 'format'],
  ['revealCredentials', 'reveal-credentials'], ['revealData', 'reveal-data'], ['only', 'only'], ['skip', 'skip'],
  ['failOn', 'fail-on'], ['nmapXml', 'nmap-xml'], ['requireNmap', 'require-nmap'], ['nmap', 'nmap'], ['online', 'online'],
  ['shard', 'shard'], ['verbose', 'verbose'],
];

/** The `iotcop scan` arguments of one run: the watch's scan options, JSON to stdout, no history (the watcher stores). */
export function childScanArgs(args: WatchArgs): string[] {
  const out = ['scan', ...(args.targets ?? []).map(String)];
  for (const [key, flag] of SCAN_FLAGS) {
    const v = args[key];
    if (v === undefined || v === null) continue;
    if (typeof v === 'boolean') {
      if (v) out.push(`--${flag}`);
    } else if (Array.isArray(v)) {
      for (const x of v) out.push(`--${flag}`, String(x));
    } else {
      out.push(`--${flag}`, String(v));
    }
  }
  out.push('--json', '--quiet', '--no-history');
  return out;
}

const MAX_STDOUT = 512 * 1024 * 1024;

/** Runs one `iotcop scan` child and parses its JSON result. */
export function spawnScan(mainPath: string, argv: string[], signal: AbortSignal): Promise<RunOutcome> {
  return new Promise((resolve) => {
    // The watcher sends the webhook itself: the child must not (it would read IOTCOP_WEBHOOK too).
    const env = { ...process.env };
    delete env['IOTCOP_WEBHOOK'];
    // Its own process group: a Ctrl-C in a terminal reaches only the watcher, which forwards one SIGTERM
    // (a second signal would make the scan exit before writing its partial report).
    const child = spawn(process.execPath, [mainPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    let lastErr = '';
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_STDOUT) { tooBig = true; child.kill('SIGTERM'); return; }
      chunks.push(c);
    });
    child.stderr.on('data', (c: Buffer) => {
      process.stderr.write(c);
      const lines = c.toString('utf8').trim().split('\n').filter(Boolean);
      if (lines.length) lastErr = lines[lines.length - 1]!.replace(/^iotcop: /, '');
    });
    const onAbort = () => child.kill('SIGTERM');
    signal.addEventListener('abort', onAbort, { once: true });
    child.on('error', (e) => {
      signal.removeEventListener('abort', onAbort);
      resolve({ ok: false, exitCode: null, message: `cannot start the scan: ${e.message}` });
    });
    child.on('close', (code, sig) => {
      signal.removeEventListener('abort', onAbort);
      if (tooBig) return resolve({ ok: false, exitCode: code, message: 'the scan printed more than 512 MB of JSON' });
      const text = Buffer.concat(chunks).toString('utf8');
      let result: ScanResult | undefined;
      try {
        if (text.trim()) result = JSON.parse(text) as ScanResult;
      } catch { /* reported below */ }
      if (result && result.schemaVersion === 1 && result.run && Array.isArray(result.devices)) {
        return resolve({ ok: true, result, exitCode: code ?? EXIT.runtime });
      }
      resolve({ ok: false, exitCode: code, message: lastErr || (sig ? `killed by ${sig}` : 'the scan printed no result') });
    });
  });
}

export async function runWatchCommand(args: WatchArgs): Promise<number> {
  const schedule = parseSchedule(args.every, args.cron);
  if (args.baseline !== undefined) throw new UsageError('watch compares every run with the previous one itself: drop --baseline');
  if (args.json) throw new UsageError('watch logs one line per run; use --format json --out DIR for the results');
  if (args.maxRuns !== undefined && (!Number.isInteger(args.maxRuns) || args.maxRuns < 1)) throw new UsageError('--max-runs must be a whole number from 1');

  // Fail closed on a bad configuration before the first slot: the same checks the scan makes.
  const { loadConfig } = await import('../../targets/config.js');
  const { resolveScanOptions } = await import('../options.js');
  const { PROBES } = await import('../../probes/registry.js');
  const loaded = args.config ? await loadConfig(args.config) : undefined;
  const opts = resolveScanOptions(args, loaded, PROBES.map((p) => p.meta.id));
  await webhookFromEnv(opts);

  let store: HistoryStore | undefined;
  if (opts.history) store = await openStore(dbPathOf(opts.db));

  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(EXIT.runtime);
    process.stdout.write(`${stamp(new Date())} ${sig}: stopping (a run in progress writes its partial report first)\n`);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const mainPath = fileURLToPath(new URL('../main.js', import.meta.url));
  const argv = childScanArgs(args);
  const webhook = opts.webhook;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(`${stamp(new Date())} iotcop watch: ${describeSchedule(schedule)}; ${store ? `history and lock in ${store.path}` : 'no history (--no-history): one watcher per target set'}` +
    `${webhook ? `; webhook ${(await import('../webhook.js')).redactUrl(webhook)}` : ''}`);
  try {
    const summary = await watchLoop(schedule, {
      runScan: (signal) => spawnScan(mainPath, argv, signal),
      log,
      store,
      notify: webhook ? async (result, diff) => {
        const { postWebhook, webhookPayload, describeOutcome } = await import('../webhook.js');
        const outcome = await postWebhook(webhook, webhookPayload(result, diff), { signal: controller.signal });
        if (outcome.ok) log(`${stamp(new Date())} ${describeOutcome(webhook, outcome)} (run ${result.run.id.slice(0, 8)})`);
        else errorLine(`${describeOutcome(webhook, outcome)} (run ${result.run.id.slice(0, 8)})`);
      } : undefined,
      writeChanges: opts.out ? (result, diff) => writeChangesFile(opts.out!, result, diff) : undefined,
    }, { maxRuns: args.maxRuns, signal: controller.signal });
    if (summary.pendingNotifications.length) {
      // Give webhooks in flight a bounded chance to finish (each is bounded by its own retries and deadlines).
      await Promise.race([Promise.allSettled(summary.pendingNotifications), new Promise((r) => setTimeout(r, controller.signal.aborted ? 5_000 : 120_000).unref())]);
    }
    log(`${stamp(new Date())} iotcop watch: stopped after ${summary.runs} run${summary.runs === 1 ? '' : 's'} (${summary.failed} failed, ${summary.skipped} slot${summary.skipped === 1 ? '' : 's'} skipped)`);
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    store?.close();
  }
}
