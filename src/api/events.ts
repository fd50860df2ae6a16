/**
 * The public types of the programmatic API (`import { scan } from 'iotcop'`): what goes in (targets and
 * settings), what comes out (an async iterable of events, then the final result).
 */
import type { Logger } from '../probes/contract.js';
import type { Device, Finding, ScanResult, Safety, Severity } from '../model.js';
import type { ProgressCounts, RunnerEvent } from '../scheduler/run.js';

/** A progress step: the scheduler's events plus discovery's "N live hosts found". */
export type ProgressEvent = RunnerEvent | { type: 'hosts-found'; count: number };

export type ScanEvent =
  /** Something the user should know (nmap missing, shard size, a discovery warning). `error` lines are printed even with --quiet. */
  | { type: 'notice'; level: 'info' | 'warning' | 'error'; message: string }
  /** A device whose open ports are known: its probes start now. */
  | { type: 'device'; device: Device }
  /** One check result, as soon as its probe finished (every status, not only failures). */
  | { type: 'finding'; finding: Finding }
  | { type: 'progress'; progress: ProgressEvent }
  /** The last event: the complete result (the same object `ScanRun.result` resolves with). */
  | { type: 'done'; result: ScanResult };

export type { ProgressCounts };

/** Settings of one scan; every field is optional and has the CLI's default. */
export interface ScanSettings {
  /** safe: look only; credentials: also try default passwords (default); intrusive: also malformed input. */
  safety?: Safety;
  /** nmap-style port list instead of the built-in IoT list ("22,80,8000-8100,U:161"). */
  ports?: string;
  allPorts?: boolean;
  exclude?: string[];
  allowPublic?: boolean;
  maxHosts?: number;
  /** Global time budget in milliseconds (default 30 minutes). */
  timeoutMs?: number;
  concurrency?: number;
  perHost?: number;
  maxGuesses?: number;
  /** Milliseconds between password attempts on one device (default 250). */
  attemptDelayMs?: number;
  revealCredentials?: boolean;
  revealData?: boolean;
  /** Check the computer running the scan too (it is listed, but not checked, by default). */
  includeSelf?: boolean;
  only?: string[];
  skip?: string[];
  failOn?: Severity | 'never';
  /** Import an existing nmap XML scan instead of scanning ports. */
  nmapXml?: string;
  requireNmap?: boolean;
  nmapPath?: string;
  online?: boolean;
  /** targets.yaml (devices, vendors, scan settings); settings given here win over the file. */
  config?: string;
  /** A local OSV feed (file or directory) added to the bundled list. */
  vulnDb?: string;
  /**
   * The offline vulnerability data store (`iotcop data update`): a directory, `false` to ignore it, or
   * undefined for the default one next to the history database.
   */
  dataDir?: string | false;
  /** Cancels the scan: the result is still produced, marked partial (stopReason "signal"). */
  signal?: AbortSignal;
  /** Receives the scheduler's and the probes' log lines (passwords already redacted). */
  log?: Logger;
}

/** A running scan: iterate it for events, await `result` for the end. */
export interface ScanRun extends AsyncIterable<ScanEvent> {
  /** Resolves with the final result; rejects on a usage error (bad target, scope refused, bad option). */
  readonly result: Promise<ScanResult>;
}
