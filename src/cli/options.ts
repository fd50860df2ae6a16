/**
 * Resolves the options of one scan from the command line and targets.yaml (pure): a flag given on the
 * command line wins over the file, the file wins over the defaults. Every value is validated here so a
 * bad one is a usage error (exit 2) before anything is sent.
 */
import { UsageError } from '../errors.js';
import type { LoadedConfig } from '../targets/config.js';
import { parseDuration } from '../targets/config-schema.js';
import { DEFAULT_MAX_HOSTS } from '../targets/scope.js';
import { SAFETY_LEVELS, SEVERITIES, type Safety, type Severity } from '../model.js';
// --shard and --webhook are validated here (see src/targets/shard.ts, src/cli/webhook.ts).
import { parseShard, type Shard } from '../targets/shard.js';
import { parseWebhookUrl } from './webhook.js';

export const OUTPUT_FORMATS = ['terminal', 'json', 'html', 'sarif', 'csv', 'junit', 'markdown'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
/** `scan --format` also takes jsonl, written line by line while the scan runs. */
export const SCAN_FORMATS = [...OUTPUT_FORMATS, 'jsonl'] as const;
export const COLOR_MODES = ['auto', 'always', 'never'] as const;
export type ColorMode = (typeof COLOR_MODES)[number];

export const DEFAULTS = {
  safety: 'credentials' as Safety,
  timeoutMs: 30 * 60_000,
  // Jobs at once across all devices (the runner's own default, src/scheduler/run.ts, is the same). Most jobs
  // wait on devices (telnet's delay after a wrong login), not the CPU: 250 cheap devices took 309 s at 16,
  // 168 s at 32, 98 s at 64 on 2 cores, with the same peak memory at 32 and 64 (BENCHMARKS.md, issue 18);
  // per-device politeness is --per-host, not this.
  concurrency: 64,
  perHost: 2,
  maxGuesses: 10,
  attemptDelayMs: 250,
  failOn: 'high' as Severity | 'never',
  formats: ['terminal'] as OutputFormat[],
};

/** Longest --timeout: node timers cannot wait longer than 2^31-1 ms (about 24.8 days). */
export const MAX_TIMEOUT_MS = 576 * 3_600_000;

/** The raw flags of `iotcop scan` as yargs parses them (all optional: absent means "not given"). */
export interface ScanArgs {
  targets?: string[];
  config?: string;
  safety?: string;
  ports?: string;
  allPorts?: boolean;
  exclude?: string[];
  allowPublic?: boolean;
  maxHosts?: number;
  timeout?: string;
  concurrency?: number;
  perHost?: number;
  maxGuesses?: number;
  delay?: number;
  out?: string;
  format?: string[];
  json?: boolean;
  revealCredentials?: boolean;
  revealData?: boolean;
  includeSelf?: boolean;
  only?: string[];
  skip?: string[];
  quiet?: boolean;
  verbose?: boolean;
  failOn?: string;
  nmapXml?: string;
  requireNmap?: boolean;
  nmap?: string;
  online?: boolean;
  vulnDb?: string;
  color?: string;
  dataDir?: string;
  // history database, baseline, webhook, shard.
  db?: string;
  history?: boolean;
  baseline?: string;
  webhook?: string;
  shard?: string;
}

export interface ScanOptions {
  targets: string[];
  exclude: string[];
  safety: Safety;
  ports?: string;
  allPorts: boolean;
  allowPublic: boolean;
  maxHosts: number;
  maxHostsGiven: boolean;
  timeoutMs: number;
  concurrency: number;
  perHost: number;
  maxGuesses: number;
  attemptDelayMs: number;
  out?: string;
  formats: OutputFormat[];
  jsonToStdout: boolean;
  revealCredentials: boolean;
  revealData: boolean;
  /** Check the computer running iotcop too (src/discovery/this-computer.ts). */
  includeSelf: boolean;
  only: string[];
  skip: string[];
  quiet: boolean;
  verbose: boolean;
  failOn: Severity | 'never';
  nmapXml?: string;
  requireNmap: boolean;
  nmapPath?: string;
  online: boolean;
  /** --format jsonl: one line per device/finding/summary as the scan goes (to --out DIR or stdout). */
  jsonl: boolean;
  color: ColorMode;
  /** --db PATH as given (undefined: the default path, see src/store/paths.ts). */
  db?: string;
  /** Save the run in the history database (--no-history: false). */
  history: boolean;
  /** --baseline last|RUN_ID|FILE */
  baseline?: string;
  webhook?: URL;
  shard?: Shard;
}

/** Splits "json,html" and repeated flags into one list. */
export function list(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
}

function positiveInt(name: string, v: number | undefined, min: number, max: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}`);
  return v;
}

export function resolveScanOptions(args: ScanArgs, loaded?: LoadedConfig, knownProbes?: readonly string[]): ScanOptions {
  const file = loaded?.config.scan ?? {};
  const devices = loaded?.config.devices ?? [];

  const safety = (args.safety ?? file.safety ?? DEFAULTS.safety) as Safety;
  if (!SAFETY_LEVELS.includes(safety)) throw new UsageError(`--safety must be one of ${SAFETY_LEVELS.join(', ')}`);

  const failOn = (args.failOn ?? file.failOn ?? DEFAULTS.failOn) as Severity | 'never';
  if (failOn !== 'never' && !SEVERITIES.includes(failOn)) throw new UsageError(`--fail-on must be one of ${[...SEVERITIES, 'never'].join(', ')}`);

  let timeoutMs = DEFAULTS.timeoutMs;
  const timeoutText = args.timeout ?? file.timeout;
  if (timeoutText !== undefined) {
    const ms = parseDuration(timeoutText);
    if (ms === null) throw new UsageError(`--timeout "${String(timeoutText)}" is not a duration such as 90s, 10m or 1h`);
    // a timer longer than 2^31-1 ms fires at once (node clamps it to 1 ms): the scan would stop immediately.
    if (ms > MAX_TIMEOUT_MS) throw new UsageError(`--timeout "${String(timeoutText)}" is longer than 24 days (576h), the longest run iotcop can time`);
    timeoutMs = ms;
  }

  const formatsRaw: string[] = list(args.format).length ? list(args.format) : (file.formats ?? DEFAULTS.formats);
  for (const f of formatsRaw) {
    if (!(SCAN_FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format "${f}"; choose from ${SCAN_FORMATS.join(', ')}`);
  }
  // jsonl is streamed while the scan runs, not rendered at the end.
  const jsonl = formatsRaw.includes('jsonl');
  const formats = [...new Set(formatsRaw.filter((f) => f !== 'jsonl'))] as OutputFormat[];
  const out = args.out ?? file.out;
  const toStdout = [...formats.filter((f) => f !== 'terminal'), ...(jsonl ? ['jsonl'] : [])];
  if (!out && toStdout.length > 1) {
    throw new UsageError(`--format ${toStdout.join(',')} writes several files: give --out DIR (or one format to print it)`);
  }
  if (!out && jsonl && args.json) throw new UsageError('--json and --format jsonl both print to stdout: give --out DIR for the jsonl file');
  const color = (args.color ?? 'auto') as ColorMode;
  if (!(COLOR_MODES as readonly string[]).includes(color)) throw new UsageError(`--color must be one of ${COLOR_MODES.join(', ')}`);

  const only = list(args.only).length ? list(args.only) : (file.only ?? []);
  const skip = list(args.skip).length ? list(args.skip) : (file.skip ?? []);
  if (knownProbes) {
    for (const id of [...only, ...skip]) {
      if (!knownProbes.includes(id)) throw new UsageError(`unknown probe "${id}" in --only/--skip; \`iotcop probes\` lists them`);
    }
  }
  if (args.quiet && args.verbose) throw new UsageError('--quiet and --verbose cannot be used together');
  if (args.nmapXml && (args.ports || args.allPorts)) throw new UsageError('--nmap-xml imports an existing scan: --ports and --all-ports do not apply');
  if (args.ports && args.allPorts) throw new UsageError('--ports and --all-ports cannot be used together');

  const shard = args.shard !== undefined ? parseShard(String(args.shard)) : undefined;
  if (shard && args.nmapXml && list(args.targets).length === 0 && !(file.targets?.length || devices.length)) {
    throw new UsageError('--shard splits the targets: name them (it does not apply to an --nmap-xml import alone)');
  }
  if (args.baseline !== undefined && String(args.baseline).trim() === '') throw new UsageError('--baseline needs last, a run id or a JSON result file');
  const webhook = args.webhook !== undefined ? parseWebhookUrl(String(args.webhook)) : undefined;

  const maxHosts = positiveInt('max-hosts', args.maxHosts, 1, 16_777_216) ?? file.maxHosts;
  const targets = [
    ...list(args.targets),
    ...(list(args.targets).length ? [] : [...(file.targets ?? []), ...devices.map((d) => d.address)]),
  ];

  return {
    targets: [...new Set(targets)],
    exclude: [...list(args.exclude), ...(file.exclude ?? [])],
    safety,
    ports: args.ports ?? file.ports,
    allPorts: Boolean(args.allPorts),
    allowPublic: Boolean(args.allowPublic ?? file.allowPublic),
    maxHosts: maxHosts ?? DEFAULT_MAX_HOSTS,
    maxHostsGiven: maxHosts !== undefined,
    timeoutMs,
    concurrency: positiveInt('concurrency', args.concurrency, 1, 512) ?? file.concurrency ?? DEFAULTS.concurrency,
    perHost: positiveInt('per-host', args.perHost, 1, 16) ?? file.perHost ?? DEFAULTS.perHost,
    maxGuesses: positiveInt('max-guesses', args.maxGuesses, 0, 100) ?? file.maxGuesses ?? DEFAULTS.maxGuesses,
    attemptDelayMs: positiveInt('delay', args.delay, 0, 60_000) ?? DEFAULTS.attemptDelayMs,
    out,
    formats,
    jsonToStdout: Boolean(args.json),
    revealCredentials: Boolean(args.revealCredentials ?? file.revealCredentials),
    revealData: Boolean(args.revealData),
    includeSelf: Boolean(args.includeSelf),
    only,
    skip,
    quiet: Boolean(args.quiet),
    verbose: Boolean(args.verbose),
    failOn,
    nmapXml: args.nmapXml,
    requireNmap: Boolean(args.requireNmap),
    nmapPath: args.nmap,
    online: Boolean(args.online),
    jsonl,
    color,
    db: args.db,
    history: args.history !== false,
    baseline: args.baseline,
    webhook,
    shard,
  };
}
