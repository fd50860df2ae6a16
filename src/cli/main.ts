#!/usr/bin/env node
/**
 * The iotcop command line: the only place that reads argv, writes stdout and exits.
 * Exit codes: 0 done, 1 findings at or above --fail-on, 2 usage or configuration error, 3 runtime failure
 * (including a scan interrupted by SIGINT/SIGTERM, after its partial report is written).
 */
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT, IotcopError } from '../errors.js';
import { printable } from '../targets/spec.js';
import { COLOR_MODES, DEFAULTS, SCAN_FORMATS, type ColorMode, type ScanArgs } from './options.js';
import { setColorMode } from './color.js';
import type { DataArgs } from './commands/data.js';
import { TOOL_VERSION } from './version.js';
import { guidelinesText, probesText } from './catalogue-text.js';
// history, report, diff, merge, watch and the scan's history options.
import {
  diffOptions, historyOptions, mergeOptions, reportOptions, scanHistoryOptions, watchOptions,
  type DiffArgs, type HistoryArgs, type MergeArgs, type ReportArgs, type WatchArgs,
} from './commands/options.js';

function fail(message: string, code: number, err?: unknown, verbose = false): never {
  process.stderr.write(`iotcop: ${message}\n`);
  // a usage error stays one clear line even with --verbose (its stack says nothing to the user).
  if (verbose && code !== EXIT.usage && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(code);
}

function isVerbose(argv: string[]): boolean {
  return argv.includes('--verbose') || argv.includes('-v');
}

function scanOptions(y: Argv): Argv<ScanArgs> {
  return scanHistoryOptions(y // --db, --no-history, --baseline, --webhook, --shard
    .positional('targets', { describe: 'addresses, CIDR blocks, ranges (10.0.0.1-20) or hostnames; default: your local subnet(s)', type: 'string', array: true })
    .option('config', { alias: 'c', type: 'string', describe: 'targets.yaml with devices and scan settings (see targets.example.yaml)' })
    .option('safety', { type: 'string', choices: ['safe', 'credentials', 'intrusive'], describe: 'safe: look only; credentials: also try default passwords (default); intrusive: also malformed input' })
    .option('ports', { type: 'string', describe: 'nmap-style port list instead of the built-in IoT list ("22,80,8000-8100,U:161")' })
    .option('all-ports', { type: 'boolean', describe: 'scan every TCP port 1-65535 (slow)' })
    .option('exclude', { type: 'string', array: true, describe: 'addresses, CIDR blocks or ranges never to touch' })
    .option('allow-public', { type: 'boolean', describe: 'allow public addresses (only networks you are authorised to test)' })
    .option('max-hosts', { type: 'number', describe: 'refuse target sets larger than this (default 65536; local-subnet default narrows to 1024)' })
    .option('timeout', { type: 'string', describe: 'global time budget, then report what was found (90s, 10m, 1h; default 30m)' })
    .option('concurrency', { type: 'number', describe: `probe jobs at once across all devices (default ${DEFAULTS.concurrency})` })
    .option('per-host', { type: 'number', describe: `concurrent connections to one device (default ${DEFAULTS.perHost})` })
    .option('max-guesses', { type: 'number', describe: `password guesses per service (default ${DEFAULTS.maxGuesses}; 0 = none)` })
    .option('delay', { type: 'number', describe: `milliseconds between password attempts on one device, across all its checks (default ${DEFAULTS.attemptDelayMs})` })
    .option('out', { alias: 'o', type: 'string', describe: 'directory for report files (created, files mode 0600)' })
    .option('format', { alias: 'f', type: 'string', array: true, describe: `report formats, comma-separated: ${SCAN_FORMATS.join(', ')} (default terminal; jsonl streams one line per device and finding while the scan runs)` })
    .option('json', { type: 'boolean', describe: 'print the JSON result to stdout (progress and notices go to stderr)' })
    .option('fail-on', { type: 'string', choices: ['critical', 'high', 'medium', 'low', 'never'], describe: 'exit 1 when a failed check is at least this severe (default high)' })
    .option('reveal-credentials', { type: 'boolean', describe: 'show found passwords in reports (masked by default)' })
    .option('include-self', { type: 'boolean', describe: 'also check the computer running iotcop (listed as "This computer", not checked by default)' })
    .option('reveal-data', { type: 'boolean', describe: 'show data read from devices (MQTT payloads…) unredacted' })
    .option('only', { type: 'string', array: true, describe: 'run only these probe ids (see `iotcop probes`)' })
    .option('skip', { type: 'string', array: true, describe: 'skip these probe ids' })
    .option('nmap-xml', { type: 'string', describe: 'use an existing nmap XML scan (-oX) instead of scanning' })
    .option('require-nmap', { type: 'boolean', describe: 'fail instead of falling back to the built-in connect scan when nmap is missing' })
    .option('nmap', { type: 'string', describe: 'path to the nmap binary (default: nmap on PATH)' })
    .option('vuln-db', { type: 'string', describe: 'a local OSV JSON feed (file or directory) of vulnerable versions, added to the bundled list and the `iotcop data` store' })
    .option('online', { type: 'boolean', describe: 'allow fetching vendor URLs from targets.yaml over the internet (off: the scan never leaves your LAN)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'no progress or notices; only the report and errors' })
    .option('verbose', { alias: 'v', type: 'boolean', describe: 'more detail, and stack traces on errors' })) as unknown as Argv<ScanArgs>;
}

export async function main(argv: string[]): Promise<number> {
  const verbose = isVerbose(argv);
  let exitCode: number = EXIT.ok;
  const cli = yargs(argv)
    .scriptName('iotcop')
    .usage('$0 <command> [options]\n\nChecks the IoT devices on your network against the UK Code of Practice for Consumer IoT Security (ETSI EN 303 645, UK PSTI).')
    .command('scan [targets..]', 'scan devices and report against the 13 guidelines', scanOptions, async (args) => {
      const { runScanCommand } = await import('./scan.js');
      exitCode = await runScanCommand(args as ScanArgs);
    })
    .command('watch [targets..]', 'scan on a schedule (--every 24h or --cron "0 3 * * *"), store each run, report changes', (y) => watchOptions(scanOptions(y)), async (args) => {
      const { runWatchCommand } = await import('./commands/watch.js');
      exitCode = await runWatchCommand(args as WatchArgs);
    })
    .command('history', 'list the stored runs', historyOptions, async (args) => {
      const { runHistoryCommand } = await import('./commands/history.js');
      exitCode = await runHistoryCommand(args as HistoryArgs);
    })
    .command('report <run>', 're-render a stored run (id, #N, last) or a saved JSON result in any format', reportOptions, async (args) => {
      const { runReportCommand } = await import('./commands/report.js');
      exitCode = await runReportCommand(args as ReportArgs);
    })
    .command('diff [old] [new]', 'what changed between two runs (default: the last two runs of the same targets)', diffOptions, async (args) => {
      const { runDiffCommand } = await import('./commands/diff.js');
      exitCode = await runDiffCommand(args as DiffArgs);
    })
    .command('merge <files..>', 'combine the JSON results of shard runs (--shard I/N) into one result', mergeOptions, async (args) => {
      const { runMergeCommand } = await import('./commands/merge.js');
      exitCode = await runMergeCommand(args as MergeArgs);
    })
    // the offline vulnerability data store.
    .command('data <action>', 'import OSV dumps and the CISA KEV catalogue for offline use (update --from FILE|DIR), or show their age (status)', async (y) => (await import('./commands/data.js')).dataOptions(y), async (args) => {
      const { runDataCommand } = await import('./commands/data.js');
      exitCode = await runDataCommand(args as DataArgs);
    })
    .command('guidelines', 'print the 13 guidelines, their EN 303 645 provisions and PSTI requirements', (y) => y, () => {
      process.stdout.write(guidelinesText());
    })
    .command('probes', 'list the probes with safety level, what they apply to and their guidelines', (y) => y, async () => {
      process.stdout.write(await probesText());
    })
    .example('$0 scan', 'scan your own local subnet with safe defaults (asks nothing)')
    .example('$0 scan 192.168.1.0/24 --format html --out reports', 'write an HTML report a non-expert can read')
    .example('$0 scan 10.0.5.0/24 --format json,sarif,html --out out --reveal-credentials', 'a tester\'s run: every report, real passwords shown')
    .example('$0 scan --config targets.yaml --fail-on high', 'a scheduled job: settings from a file, exit 1 on high findings')
    .example('$0 scan 192.168.1.20 --safety safe', 'look only: no password attempts')
    .example('$0 scan 192.168.1.0/24 --format jsonl | jq \'select(.type=="finding" and .finding.status=="fail")\'', 'stream findings to another program while the scan runs')
    .example('$0 data update --from osv-dumps/ --from known_exploited_vulnerabilities.json', 'import vulnerability data for offline scans')
    .example('$0 completion >> ~/.bashrc', 'shell completion for bash (zsh: >> ~/.zshrc)')
    .example('$0 watch --config /config/targets.yaml --cron "0 3 * * *" --out /data/reports --format json,html', 'a long-running container: a scan every night at 03:00, changes logged')
    .option('color', { type: 'string', choices: COLOR_MODES, global: true, describe: 'colour in terminal output: auto (a TTY without NO_COLOR), always, never' })
    .middleware((a) => { setColorMode((a['color'] as ColorMode | undefined) ?? 'auto'); })
    .completion('completion', 'print a bash or zsh completion script (iotcop completion >> ~/.bashrc)')
    .demandCommand(1, 'name a command: scan, watch, history, report, diff, merge, data, guidelines, probes or completion (see --help)')
    .strict()
    .recommendCommands()
    .version(TOOL_VERSION)
    .alias('h', 'help')
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err instanceof IotcopError) fail(err.message, err.exitCode, err, verbose);
      if (err) fail(`unexpected error: ${printable(err.message)}`, EXIT.runtime, err, verbose);
      // yargs spreads some messages ("Invalid values:") over several lines; keep one.
      fail(`${msg.replace(/\s*\n\s*/g, ' ').trim()} (see iotcop --help)`, EXIT.usage);
    });
  await cli.parseAsync();
  return exitCode;
}

main(hideBin(process.argv)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => {
    const verbose = isVerbose(process.argv);
    if (err instanceof IotcopError) fail(err.message, err.exitCode, err, verbose);
    fail(`unexpected error: ${printable(err instanceof Error ? err.message : String(err))}`, EXIT.runtime, err, verbose);
  },
);
