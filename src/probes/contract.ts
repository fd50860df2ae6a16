/**
 * The probe contract (DESIGN.md "A probe"). A probe is data (meta) plus two functions:
 * - collect(ctx): talks to one device through ctx.net only and returns plain JSON evidence;
 * - assess(evidence, input): pure, turns evidence into check results.
 * The scheduler turns a thrown error or a timeout in collect into status `error`, never `pass`.
 */
import type {
  CheckStatus, Confidence, Device, ErrorKind, GuidelineId, Json, Safety, Service, Severity, Transport,
} from '../model.js';
import type { OnlineApi } from '../net/online.js';
import type { VulnData } from './lib/versions.js';

export interface CheckMeta {
  /** Title when the check finds nothing wrong ("Telnet rejects default credentials"). */
  title: string;
  /** Title when it fails or warns ("Telnet accepts a default credential"). */
  failureTitle: string;
  /** Plain-language sentence for a non-expert, used when the check fails ("This device still accepts its factory password."). */
  summary: string;
  guidelines: GuidelineId[];
  provisions: string[];
  severity: Severity;
  description: string;
  remediation: string;
}

export interface AppliesTo {
  /** service: once per matching open service; host: once per device; run: once per scan, after every host. */
  scope: 'service' | 'host' | 'run';
  transport?: Transport;
  /** Service names (nmap's) that match. */
  services?: string[];
  /** Ports that match whatever the service name. */
  ports?: number[];
  /** Match any service that speaks TLS. */
  tls?: boolean;
}

export interface ProbeBudget {
  /** Connections (or UDP exchanges, or library slots) the probe may open in one job. */
  maxConnections: number;
  /** Deadline for the whole job. */
  timeoutMs: number;
  /**
   * Typical time of one job against a device that answers (measured on the lab, BENCHMARKS.md), where it is
   * seconds rather than milliseconds: the plan starts each host's longest jobs first, so that the slow one
   * (telnet guessing behind busybox's failure delay) does not start after the quick ones and end last.
   * Only an order; never a deadline. Default 0.
   */
  typicalMs?: number;
}

export interface ProbeMeta {
  id: string;
  title: string;
  safety: Safety;
  appliesTo: AppliesTo;
  budget: ProbeBudget;
  checks: Record<string, CheckMeta>;
}

/** One check outcome from assess(). The scheduler adds ids, titles and guideline mapping from meta. */
export interface CheckResult {
  check: string;
  status: CheckStatus;
  /** Overrides the check's default severity (e.g. a weaker variant of a failure). */
  severity?: Severity;
  confidence?: Confidence;
  /** Overrides the title from meta for this outcome. */
  title?: string;
  /** One sentence of specifics ("root/xc3511 logged in on port 23 after 3 attempts"). */
  detail?: string;
  evidence?: Json;
  /** For findings about a working credential. Masked later unless --reveal-credentials. */
  credential?: { username: string; password: string };
  /** For run-scope probes: the device this result is about. */
  device?: string;
  port?: number;
  transport?: Transport;
  error?: { kind: ErrorKind; message: string };
}

export type { Conn, HttpRequest, HttpResponse, Logger, NetApi, ReadResult, TlsDetails, TlsDialOptions, UdpExchange } from '../net/types.js';
import type { Logger, NetApi } from '../net/types.js';

/** Owner-supplied or data-file credential pair to try. */
export interface CredentialPair { username: string; password: string; source: string }

export interface ProbeSettings {
  safety: Safety;
  /** Guess budget per credential service (--max-guesses; maxGuesses of the device in targets.yaml wins). */
  maxGuesses: number;
  /** The owner's allowance of wrong passwords per user name (maxFailuresPerAccount in targets.yaml). */
  maxFailuresPerAccount?: number;
  /** Delay between credential attempts on one host. */
  attemptDelayMs: number;
  revealData: boolean;
  online: boolean;
}

export interface DeviceConfig {
  name?: string;
  type?: string;
  vendor?: string;
  model?: string;
  expectedPorts?: string[];
  credentials?: { service?: string; username: string; password: string }[];
  /** Guess budget for this device's credential checks (replaces --max-guesses). */
  maxGuesses?: number;
  /** Wrong passwords per user name this device tolerates, when the owner knows its lockout threshold. */
  maxFailuresPerAccount?: number;
  disclosureUrl?: string;
  supportEnd?: string;
  updateUrl?: string;
}

export interface ProbeContext {
  device: Device;
  /** The service under test, for service-scope probes. */
  service?: Service;
  /** All devices of the run, for run-scope probes. */
  devices: Device[];
  /** Owner configuration for this device from targets.yaml, if any. */
  config?: DeviceConfig;
  net: NetApi;
  signal: AbortSignal;
  settings: ProbeSettings;
  /** Extra credentials from targets.yaml; empty below the `credentials` safety level. */
  credentials: CredentialPair[];
  log: Logger;
  /**
   * Present only with --online: HTTPS fetches of vendor URLs from targets.yaml on the public internet
   * (never a private address, capped, few requests). Without --online the scan never leaves the LAN.
   */
  online?: OnlineApi;
  /**
   * Run-scope jobs only: a NetApi bound to one device of this scan (any other address throws
   * out-of-scope), sharing the per-host limits and the job's budget.
   */
  netFor?: (address: string) => NetApi;
  /** Waits, aborting with the job. */
  sleep(ms: number): Promise<void>;
  /**
   * Waits for this device's next login-attempt slot: `settings.attemptDelayMs` after the last attempt any
   * probe started on the device (src/scheduler/pacer.ts). The guessing engine calls it before each attempt.
   */
  paceAttempt(): Promise<void>;
}

export interface AssessInput {
  device: Device;
  service?: Service;
  devices: Device[];
  config?: DeviceConfig;
  /** Time of assessment (pure functions take time as input). */
  now: Date;
  /**
   * The run's vulnerability data (bundled list, offline store, --vuln-db): data a judgement reads, not
   * something collect needs, so that a stored run can be judged again with newer data. Absent: the
   * bundled list.
   */
  vulnData?: VulnData;
}

export interface Probe<E extends Json = Json> {
  meta: ProbeMeta;
  collect(ctx: ProbeContext): Promise<E>;
  assess(evidence: E, input: AssessInput): CheckResult[];
}

/** Declares a probe. Identity function that fixes the types; validation lives in the registry test. */
export function defineProbe<E extends Json>(probe: Probe<E>): Probe<E> {
  return probe;
}

/** Erased probe type for the registry. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProbe = Probe<any>;
