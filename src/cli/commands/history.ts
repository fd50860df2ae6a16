/**
 * `iotcop history` (list stored runs), the shared loading of a run reference (RUN_ID or FILE.json),
 * and the scan's history hooks: before the scan, open the database and resolve `--baseline`; after it,
 * compare with the baseline, save the run, print and write the changes, and send the webhook.
 *
 * A history database that cannot be used is reported on one line and does not stop a scan: the
 * reports are still written, then the run exits 3 (a scheduled job must notice that its history is not
 * being kept; --no-history opts out).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { EXIT, RuntimeFailure, UsageError } from '../../errors.js';
import type { ScanResult } from '../../model.js';
import { scanResultSchema } from '../../report/schema.js';
import type { HistoryStore, RunRow } from '../../store/db.js';
import type { RunDiff } from '../../store/diff.js';
import type { RunEvidence } from '../../store/evidence.js';
import { resolveDbPath } from '../../store/paths.js';
import { printable } from '../../targets/spec.js';
import { useColor } from '../color.js';
import type { ScanOptions } from '../options.js';
import { ensureDir, reportBaseName, writeFileAtomic } from '../output.js';

export function dbPathOf(given: string | undefined): string {
  return resolveDbPath(given, process.env, homedir());
}

/** Prints an error line even under --quiet (errors are never silenced). */
export function errorLine(message: string): void {
  // eslint-disable-next-line no-control-regex
  process.stderr.write(`iotcop: ${message.replace(/[\r\n]+/g, ' ').replace(/[\x00-\x1f\x7f-\x9f]/g, '?')}\n`);
}

export async function openStore(path: string, mustExist = false): Promise<HistoryStore> {
  const { HistoryStore } = await import('../../store/db.js');
  return HistoryStore.open(path, { mustExist });
}

const MAX_RESULT_BYTES = 512 * 1024 * 1024;

/** Reads and validates a saved JSON result; a bad file is one usage-error line. */
export function loadResultFile(file: string): ScanResult {
  let text: string;
  try {
    const size = statSync(file).size;
    if (size > MAX_RESULT_BYTES) throw new UsageError(`${file} is larger than 512 MB; not a result iotcop wrote`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : printable((e as Error).message)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${file} is not valid JSON (${printable((e as Error).message)})`);
  }
  const checked = scanResultSchema.safeParse(parsed);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    const where = issue && issue.path.length ? issue.path.map(String).join('.') : 'the top level';
    throw new UsageError(`${file} is not an iotcop JSON result (schema version 1): ${printable(issue?.message ?? 'invalid')} at ${printable(where)}`);
  }
  return parsed as ScanResult;
}

/** A reference names a file when it exists on disk, ends in .json or contains a path separator. */
export function isFileRef(ref: string): boolean {
  return ref.endsWith('.json') || ref.includes('/') || (existsSync(ref) && statSync(ref).isFile());
}

export interface LoadedRun { result: ScanResult; label: string; row?: RunRow }

/** Loads a run by reference: a JSON file, or a run in the history database. */
export async function loadRunRef(ref: string, store: () => Promise<HistoryStore>): Promise<LoadedRun> {
  if (isFileRef(ref)) return { result: loadResultFile(ref), label: ref };
  const s = await store();
  const row = s.findRun(ref);
  return { result: s.loadResult(row), label: `run #${row.seq} ${row.id}`, row };
}

// ---------------------------------------------------------------------------------------------
// iotcop history

import type { HistoryArgs } from './options.js';


function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

export async function runHistoryCommand(args: HistoryArgs): Promise<number> {
  const path = dbPathOf(args.db);
  const limit = args.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError('--limit must be a whole number (0 = all)');
  if (!existsSync(path)) {
    if (args.json) process.stdout.write('[]\n');
    else process.stdout.write(`No runs stored yet (no history database at ${path}).\n`);
    return EXIT.ok;
  }
  const store = await openStore(path, true);
  try {
    const rows = store.listRuns(limit > 0 ? { limit } : {});
    if (args.json) {
      process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
      return EXIT.ok;
    }
    if (rows.length === 0) {
      process.stdout.write(`No runs stored yet in ${path}.\n`);
      return EXIT.ok;
    }
    const { formatDuration } = await import('../../report/render/common.js');
    const { termSafe } = await import('../../report/escape.js');
    const header = `${pad('#', 5)} ${pad('run', 8)}  ${pad('started (UTC)', 19)}  ${pad('took', 7)}  ${pad('devices', 7, true)}  ${pad('failed', 6, true)}  ${pad('warn', 4, true)}  ${pad('worst', 8)}  targets`;
    const lines = [header];
    for (const r of rows) {
      const flags = [r.partial ? `partial${r.stopReason ? `: ${r.stopReason}` : ''}` : '', r.shard ? `shard ${r.shard}` : '', r.mergedShards ? `merged from ${r.mergedShards}` : '']
        .filter(Boolean).join(', ');
      const targets = termSafe(r.targets.join(' ')).slice(0, 60) || '(import)';
      lines.push(`${pad(`#${r.seq}`, 5)} ${r.id.slice(0, 8)}  ${r.startedAt.replace('T', ' ').slice(0, 19)}  ${pad(formatDuration(r.durationMs), 7)}  ` +
        `${pad(String(r.devices), 7, true)}  ${pad(String(r.failed), 6, true)}  ${pad(String(r.warnings), 4, true)}  ${pad(r.worst ?? '-', 8)}  ${targets}${flags ? `  (${flags})` : ''}`);
    }
    const total = store.count();
    if (total > rows.length) lines.push(`… ${total - rows.length} older run${total - rows.length === 1 ? '' : 's'} (--limit 0 shows all)`);
    lines.push('', `Re-render one: iotcop report RUN --format html --out DIR;  compare: iotcop diff [OLD] [NEW]   (${path})`);
    process.stdout.write(`${lines.join('\n')}\n`);
    return EXIT.ok;
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------------------------------------
// The scan's history hooks

export interface ScanHistory {
  dbPath: string;
  store?: HistoryStore;
  storeError?: string;
  /** --baseline: 'last' is resolved after the scan (the previous run of the same targets). */
  baseline?: { kind: 'last' } | { kind: 'loaded'; run: LoadedRun } | { kind: 'unavailable'; why: string };
}

/** Before the scan: opens the database (unless --no-history and no baseline needs it) and resolves --baseline. */
export async function prepareScanHistory(opts: ScanOptions): Promise<ScanHistory> {
  const ctx: ScanHistory = { dbPath: dbPathOf(opts.db) };
  await webhookFromEnv(opts);
  const baselineRef = opts.baseline?.trim();
  const baselineIsFile = baselineRef !== undefined && baselineRef !== 'last' && isFileRef(baselineRef);
  const needStore = opts.history || (baselineRef !== undefined && !baselineIsFile) || (opts.webhook !== undefined && existsSync(ctx.dbPath));
  if (needStore) {
    try {
      ctx.store = await openStore(ctx.dbPath, !opts.history);
    } catch (e) {
      if (e instanceof UsageError && !opts.history && baselineRef !== undefined && !baselineIsFile) throw e; // --no-history --baseline RUN without a database
      ctx.storeError = e instanceof Error ? e.message : String(e);
      if (e instanceof UsageError) ctx.storeError = undefined; // only a webhook wanted it: nothing to compare
      else errorLine(`${ctx.storeError}; ${opts.history ? 'this run will not be saved' : 'no history'}`);
    }
  }
  if (baselineRef === undefined) return ctx;
  if (baselineIsFile) {
    ctx.baseline = { kind: 'loaded', run: { result: loadResultFile(baselineRef), label: baselineRef } };
  } else if (!ctx.store) {
    ctx.baseline = { kind: 'unavailable', why: ctx.storeError ?? `no history database at ${ctx.dbPath}` };
  } else if (baselineRef === 'last') {
    ctx.baseline = { kind: 'last' };
  } else {
    ctx.baseline = { kind: 'loaded', run: await loadRunRef(baselineRef, async () => ctx.store!) };
  }
  return ctx;
}

/** IOTCOP_WEBHOOK stands in for --webhook (keeps a secret URL out of the process list). */
export async function webhookFromEnv(opts: Pick<ScanOptions, 'webhook'>): Promise<void> {
  const env = process.env['IOTCOP_WEBHOOK'];
  if (opts.webhook || !env) return;
  const { parseWebhookUrl } = await import('../webhook.js');
  opts.webhook = parseWebhookUrl(env);
}

/** The newest stored run of the same targets (and shard) as `result`, if any. */
export function previousRunOf(store: HistoryStore, result: ScanResult, scopeKeyOf: (r: ScanResult) => string): LoadedRun | undefined {
  const row = store.latestOfScope(scopeKeyOf(result), undefined, true);
  if (!row || row.id === result.run.id) return undefined;
  return { result: store.loadResult(row), label: `run #${row.seq} ${row.id}`, row };
}

/** Writes <base>.changes.json next to the reports. */
export async function writeChangesFile(out: string, result: ScanResult, diff: RunDiff): Promise<string> {
  await ensureDir(out);
  const path = join(out, `${reportBaseName(new Date(result.run.startedAt))}.changes.json`);
  await writeFileAtomic(path, `${JSON.stringify(diff, null, 2)}\n`);
  return path;
}

/**
 * After the scan and its reports: compare, save, tell. Returns the exit code: with --baseline it is
 * decided by new failures at or above --fail-on (3 stays 3); without, the scan's code is kept — except
 * that a history database that cannot be opened or written (corrupt, locked, read-only) gives 3, after
 * the reports were written (--no-history avoids it).
 */
export async function finishScanHistory(ctx: ScanHistory, result: ScanResult, code: number, opts: ScanOptions,
  notice: (m: string) => void, evidence?: RunEvidence): Promise<number> {
  const { diffResults, newFailuresAtOrAbove, diffSummaryLine } = await import('../../store/diff.js');
  const { scopeKey } = await import('../../store/db.js');
  let finalCode = code;
  let diff: RunDiff | null = null;
  let baselineFailed = false;
  try {
    const b = ctx.baseline;
    if (b?.kind === 'unavailable') {
      errorLine(`--baseline: cannot compare with an earlier run: ${b.why}`);
      baselineFailed = true;
    } else if (b?.kind === 'loaded') {
      diff = diffResults(b.run.result, result);
    } else if (b?.kind === 'last' || (opts.webhook && ctx.store)) {
      let prev: LoadedRun | undefined;
      let readFailed = false;
      try {
        prev = ctx.store ? previousRunOf(ctx.store, result, scopeKey) : undefined;
      } catch (e) {
        errorLine(`${e instanceof Error ? e.message : String(e)}`);
        readFailed = true;
        if (b?.kind === 'last') baselineFailed = true;
      }
      if (b?.kind === 'last' && !prev && !readFailed) notice('--baseline last: no earlier run of these targets is stored; every device and problem counts as new');
      if (!readFailed) diff = diffResults(prev?.result ?? null, result);
    }
    if (baselineFailed) finalCode = EXIT.runtime;

    if (opts.history && ctx.store) {
      try {
        const row = ctx.store.saveRun(result, evidence);
        notice(`run saved in the history as #${row.seq} (${ctx.store.path})`);
      } catch (e) {
        // The reports are written; a history that could not record the run is still a failure to report (exit 3).
        errorLine(`${e instanceof Error ? e.message : String(e)}; this run was not saved (its reports were written)`);
        finalCode = EXIT.runtime;
      }
    } else if (opts.history && ctx.storeError) {
      finalCode = EXIT.runtime;
    }

    if (diff && ctx.baseline) {
      const { renderDiffText } = await import('../../store/diff-text.js');
      const toStdout = opts.formats.includes('terminal') && !opts.jsonToStdout;
      const color = useColor(toStdout ? process.stdout : process.stderr);
      const text = renderDiffText(diff, { color });
      if (toStdout) process.stdout.write(`\n${text}`);
      else if (!opts.quiet) process.stderr.write(text);
      if (opts.out) notice(`changes written: ${await writeChangesFile(opts.out, result, diff)}`);
      // Interrupted or failed runs keep exit 3; otherwise only NEW failures at or above --fail-on count.
      if (finalCode !== EXIT.runtime) {
        finalCode = newFailuresAtOrAbove(diff, opts.failOn).length > 0 ? EXIT.findings : EXIT.ok;
      }
    } else if (diff) {
      notice(`changes since the previous run: ${diffSummaryLine(diff)}`);
    }

    if (opts.webhook) {
      const { postWebhook, webhookPayload, describeOutcome } = await import('../webhook.js');
      const outcome = await postWebhook(opts.webhook, webhookPayload(result, diff));
      if (outcome.ok) notice(describeOutcome(opts.webhook, outcome));
      else errorLine(describeOutcome(opts.webhook, outcome));
    }
  } catch (e) {
    if (e instanceof RuntimeFailure) {
      errorLine(e.message);
      if (ctx.baseline) finalCode = EXIT.runtime;
    } else {
      throw e;
    }
  } finally {
    ctx.store?.close();
  }
  return finalCode;
}
