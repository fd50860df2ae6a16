/**
 * `iotcop scan`: a thin client of the programmatic API (src/api/run.ts does the scan). Three parts:
 * parseScan (flags + targets.yaml → validated options), the console (progress, notices, --verbose log,
 * --format jsonl stream, SIGINT/SIGTERM), and finishScan (reports, history, exit code).
 * SIGINT/SIGTERM stop the run, write the partial report and exit 3.
 */
import { EXIT, RuntimeFailure } from '../errors.js';
import type { Logger } from '../probes/contract.js';
import type { ScanResult } from '../model.js';
import type { RunEvidence } from '../store/evidence.js';
import type { LoadedConfig } from '../targets/config.js';
import { loadConfig } from '../targets/config.js';
import { printable } from '../targets/spec.js';
import { PROBE_IDS } from '../probes/ids.js';
import { resolveScanOptions, type ScanArgs, type ScanOptions } from './options.js';
import { writeReports } from './write-reports.js';
// run history, --baseline, --webhook, --shard.
import { finishScanHistory, prepareScanHistory, type ScanHistory } from './commands/history.js';
import { startScan } from '../api/scan.js';
import { defaultDataDir } from '../api/vuln-data.js';
import { createJsonlSink, type JsonlSink } from './jsonl-sink.js';

/** Errors are printed even with --quiet, whole (printable() would cut them at 80 characters). */
// eslint-disable-next-line no-control-regex
const oneLine = (m: string) => m.slice(0, 500).replace(/[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/g, '?');

/** Flags and targets.yaml → validated options (usage errors before anything is sent). */
export async function parseScan(args: ScanArgs): Promise<{ opts: ScanOptions; loaded: LoadedConfig | undefined }> {
  const loaded = args.config ? await loadConfig(args.config) : undefined;
  return { opts: resolveScanOptions(args, loaded, PROBE_IDS), loaded };
}

/** One --verbose line: who (probe@device:port/transport), what happened, and the fields as key=value. */
export function verboseLine(msg: string, data: Record<string, unknown> | undefined): string {
  const { job, ...rest } = data ?? {};
  const fields = Object.entries(rest)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${printable(k)}=${printable(typeof v === 'string' ? v : JSON.stringify(v) ?? String(v))}`);
  return `iotcop: ${typeof job === 'string' ? `${printable(job)} ` : ''}${printable(msg)}${fields.length ? ` ${fields.join(' ')}` : ''}`;
}

export async function runScanCommand(args: ScanArgs): Promise<number> {
  const { opts, loaded } = await parseScan(args);
  const { createProgress } = await import('./progress.js');
  const jsonlToStdout = opts.jsonl && !opts.out;
  const progress = createProgress({
    stream: process.stderr, tty: Boolean(process.stderr.isTTY),
    quiet: opts.quiet || ((opts.jsonToStdout || jsonlToStdout) && !process.stderr.isTTY),
  });
  let live = false;
  const say = (line: string) => { if (live) progress.note(line); else process.stderr.write(`${line}\n`); };
  const notice = (msg: string) => { if (!opts.quiet) say(`iotcop: ${printable(msg)}`); };
  const errorLine = (msg: string) => say(`iotcop: ${oneLine(msg)}`);
  const verbose: Logger | undefined = opts.verbose
    ? { debug: (m, d) => say(verboseLine(m, d)), info: (m, d) => say(verboseLine(m, d)), warn: (m, d) => say(verboseLine(m, d)) }
    : undefined;

  const controller = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      process.stderr.write(`iotcop: ${sig} again, exiting now\n`);
      process.exit(EXIT.runtime);
    }
    process.stderr.write(`iotcop: ${sig} received, stopping and writing the partial report…\n`);
    controller.abort(new Error(`interrupted by ${sig}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const startedAt = new Date();
  let history: ScanHistory | undefined;
  let sink: JsonlSink | undefined;
  let result: ScanResult;
  let evidence: RunEvidence | undefined;
  try {
    const run = startScan(opts, loaded, {
      ...(opts.history ? { onEvidence: (e: RunEvidence) => { evidence = e; } } : {}),
      ready: async () => {
        // the database and --baseline are ready before any packet.
        history = await prepareScanHistory(opts);
        if (opts.jsonl) sink = await createJsonlSink(opts.out, startedAt);
        live = true;
      },
      signal: controller.signal,
      dataDir: defaultDataDir(opts.db),
      startedAt,
      ...(args.vulnDb ? { vulnDb: args.vulnDb } : {}),
      ...(verbose ? { log: verbose } : {}),
    });
    for await (const event of run) {
      if (event.type === 'notice') {
        if (event.level === 'error') errorLine(event.message); else notice(event.message);
      } else if (event.type === 'progress') {
        progress.update(event.progress);
      }
      sink?.write(event);
    }
    result = await run.result;
  } catch (e) {
    progress.stop(false);
    await sink?.close().catch(() => undefined);
    throw e;
  } finally {
    // Once interrupted, the handler stays while the partial report is written: a second signal must still
    // mean "exit now" (3), not the default kill (it raced the end of the run before).
    if (!controller.signal.aborted) {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  }
  progress.stop();
  live = false;
  let jsonlFailure: string | undefined;
  try {
    await sink?.close();
    if (sink?.path) notice(`event stream written: ${sink.path}`);
  } catch (e) {
    jsonlFailure = e instanceof Error ? e.message : String(e);
  }
  return finishScan(result, opts, startedAt, history!, notice, jsonlFailure, evidence);
}

/** Reports, history, exit code. */
async function finishScan(result: ScanResult, opts: ScanOptions, startedAt: Date, history: ScanHistory, notice: (m: string) => void, jsonlFailure?: string, evidence?: RunEvidence): Promise<number> {
  // reports that cannot be written (directory unwritable, disk full) must not lose the
  // result: it goes to a JSON file in the temporary directory, the history still records the run, and the exit is 3.
  let reportFailure: string | undefined = jsonlFailure;
  try {
    await writeReports(result, opts, startedAt, notice);
  } catch (e) {
    if (!(e instanceof RuntimeFailure)) throw e;
    reportFailure = e.message;
    const { tmpdir } = await import('node:os');
    const { renderChunks } = await import('../report/render/index.js');
    const { reportBaseName, reportPath, writeFileAtomic } = await import('./output.js');
    const rescue = reportPath(tmpdir(), reportBaseName(startedAt), 'json');
    try {
      await writeFileAtomic(rescue, renderChunks('json', result, { color: false }));
      reportFailure += `; the result was saved to ${rescue} instead`;
    } catch {
      reportFailure += '; the result could not be saved anywhere else either';
    }
  }
  // the figure behind the README's memory bound (kilobytes from getrusage).
  if (opts.verbose) process.stderr.write(`iotcop: peak memory ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`);
  const { exitCodeFor } = await import('../report/exit-code.js');
  const run = result.run;
  const code = run.stopReason === 'signal' || run.stopReason === 'error' ? EXIT.runtime : exitCodeFor(result, opts.failOn);
  // compare with --baseline, save the run, print the changes, send --webhook.
  const finalCode = await finishScanHistory(history, result, code, opts, notice, evidence);
  if (reportFailure) {
    process.stderr.write(`iotcop: ${oneLine(reportFailure)}\n`);
    return EXIT.runtime;
  }
  return finalCode;
}

export { deviceConfigs, applyOverrides } from '../api/run.js';
export type { ScanOptions };
