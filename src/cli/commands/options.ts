/**
 * The yargs options of the history, report, diff, merge and watch commands, and the history options
 * that `scan` adds. Kept apart from the commands so that main.ts can build its parser
 * without loading SQLite or the renderers.
 */
import type { Argv } from 'yargs';
import { SEVERITIES } from '../../model.js';
import { OUTPUT_FORMATS, type ScanArgs } from '../options.js';

const DB = 'history database (default $IOTCOP_DB, else $XDG_DATA_HOME/iotcop/history.db)';
const FAIL_ON = [...SEVERITIES.filter((s) => s !== 'info'), 'never'];

export interface HistoryArgs { db?: string; limit?: number; json?: boolean }
export interface ReportArgs { run: string; db?: string; format?: string[]; out?: string; json?: boolean; quiet?: boolean; reassess?: boolean; vulnDb?: string }
export interface DiffArgs { old?: string; new?: string; db?: string; json?: boolean; failOn?: string }
export interface MergeArgs {
  files: string[]; db?: string; history?: boolean; format?: string[]; out?: string; json?: boolean; failOn?: string; quiet?: boolean;
  allowMissing?: boolean; webhook?: string;
}
export interface WatchArgs extends ScanArgs { every?: string; cron?: string; maxRuns?: number }

/** The options `scan` (and `watch`) get for history, baseline, webhook and sharding. */
export function scanHistoryOptions<T>(y: Argv<T>): Argv<T> {
  return y
    .option('db', { type: 'string', describe: DB })
    .option('history', { type: 'boolean', describe: 'store the run in the history database (default; --no-history: do not)' })
    .option('baseline', { type: 'string', describe: 'compare with an earlier run: last (the previous run of the same targets), a run id, or a JSON result file; exit 1 only on NEW failures at or above --fail-on' })
    .option('webhook', { type: 'string', describe: 'POST a JSON summary of the run and its changes to this http(s) URL (retried, bounded)' })
    .option('shard', { type: 'string', describe: 'scan only shard I of N of the targets (I from 0 to N-1, e.g. 0/4); combine with `iotcop merge`' });
}

export function historyOptions(y: Argv): Argv<HistoryArgs> {
  return y
    .option('db', { type: 'string', describe: DB })
    .option('limit', { alias: 'n', type: 'number', default: 20, describe: 'show at most this many runs, newest first (0 = all)' })
    .option('json', { type: 'boolean', describe: 'print the runs as JSON' }) as unknown as Argv<HistoryArgs>;
}

export function reportOptions(y: Argv): Argv<ReportArgs> {
  return y
    .positional('run', { type: 'string', describe: 'a run id (or its first characters), #N, last, last~N — or a saved JSON result file', demandOption: true })
    .option('db', { type: 'string', describe: DB })
    .option('format', { alias: 'f', type: 'string', array: true, describe: `formats, comma-separated: ${OUTPUT_FORMATS.join(', ')} (default terminal)` })
    .option('out', { alias: 'o', type: 'string', describe: 'directory for report files (created, files mode 0600)' })
    .option('json', { type: 'boolean', describe: 'print the JSON result to stdout' })
    .option('reassess', { type: 'boolean', describe: 'judge the stored run\'s evidence again with today\'s data and policies (nothing is rescanned); the result is not stored' })
    .option('vuln-db', { type: 'string', describe: 'with --reassess: also use the advisories in this OSV JSON file or directory' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no notices' }) as unknown as Argv<ReportArgs>;
}

export function diffOptions(y: Argv): Argv<DiffArgs> {
  return y
    .positional('old', { type: 'string', describe: 'the earlier run or JSON result (default: the run before NEW of the same targets)' })
    .positional('new', { type: 'string', describe: 'the later run or JSON result (default: the newest run)' })
    .option('db', { type: 'string', describe: DB })
    .option('json', { type: 'boolean', describe: 'print the changes as JSON' })
    .option('fail-on', { type: 'string', choices: FAIL_ON, describe: 'exit 1 when a new failed check is at least this severe (default never)' }) as unknown as Argv<DiffArgs>;
}

export function mergeOptions(y: Argv): Argv<MergeArgs> {
  return y
    .positional('files', { type: 'string', array: true, describe: 'JSON results of the shard runs (scan --shard I/N --format json)', demandOption: true })
    .option('format', { alias: 'f', type: 'string', array: true, describe: `formats, comma-separated: ${OUTPUT_FORMATS.join(', ')} (default terminal)` })
    .option('out', { alias: 'o', type: 'string', describe: 'directory for report files (created, files mode 0600)' })
    .option('json', { type: 'boolean', describe: 'print the merged JSON result to stdout' })
    .option('fail-on', { type: 'string', choices: FAIL_ON, describe: 'exit 1 when a failed check is at least this severe (default: the shards\' setting)' })
    .option('allow-missing', { type: 'boolean', describe: 'merge even when shards are missing (the result is marked partial); otherwise exit 2' })
    .option('db', { type: 'string', describe: DB })
    .option('history', { type: 'boolean', default: true, describe: 'store the merged run in the history (--no-history: do not)' })
    .option('webhook', { type: 'string', describe: 'POST a JSON summary of the merged run and its changes since the previous merged run (or IOTCOP_WEBHOOK)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no notices' }) as unknown as Argv<MergeArgs>;
}

/** watch = the scan's options (main.ts passes them in) + its schedule. */
export function watchOptions<T>(y: Argv<T>): Argv<T & WatchArgs> {
  return y
    .option('every', { type: 'string', describe: 'run every DURATION (30m, 6h, 24h); the first run starts at once' })
    .option('cron', { type: 'string', describe: 'run on a cron schedule, "minute hour day month weekday" in local time (TZ), e.g. "0 3 * * *"' })
    .option('max-runs', { type: 'number', describe: 'stop after this many runs (default: run until stopped)' }) as unknown as Argv<T & WatchArgs>;
}
