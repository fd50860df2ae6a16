/**
 * The probe contract (DESIGN.md "A probe"). A probe is data (meta) plus two functions:
 * - collect(ctx): talks to one device through ctx.net only and returns plain JSON evidence;
 * - assess(evidence, input): pure, turns evidence into check results.
 * The scheduler turns a thrown error or a timeout in collect into status `error`, never `pass`.
 */
import type {
  CheckStatus, Confidence, Device, ErrorKind, GuidelineId, Json, Safety, Service, Severity, Transport,
} from '../report/model.js';
import type { Duplex } from 'node:stream';
import type { OnlineApi } from '../net/online.js';

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

/** Connection to the device. Reads are byte-capped and deadline-bound by the dialer. */
export interface Conn {
  /** The underlying stream, for clients (ssh2, mqtt) that take a socket. */
  readonly stream: Duplex;
  /** TLS details when the connection is TLS. */
  readonly tls?: TlsDetails;
  /** Reads until `done(buffer)` is true, the cap is hit, the peer closes or the timeout fires. Never throws on timeout: returns what it has with `timedOut`. */
  readUntil(done: (received: Buffer) => boolean, timeoutMs?: number): Promise<ReadResult>;
  write(data: Buffer | string): Promise<void>;
  close(): void;
}

export interface ReadResult {
  data: Buffer;
  timedOut: boolean;
  closed: boolean;
  truncated: boolean;
}

export interface TlsDetails {
  protocol: string | null;
  cipher: string | null;
  /** DER of the peer certificate chain, leaf first. */
  chainDer: Buffer[];
  authorized: boolean;
  authorizationError?: string;
}

export interface TlsDialOptions {
  servername?: string;
  minVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
  ciphers?: string;
}

export interface HttpRequest {
  port: number;
  tls: boolean;
  path: string;
  method?: 'GET' | 'HEAD' | 'OPTIONS' | 'POST';
  headers?: Record<string, string>;
  /** POST only: the request body (at most HTTP_MAX_REQUEST_BODY bytes; a larger body is refused, never cut). */
  body?: string | Buffer;
  /** POST only: the Content-Type of `body` (default application/x-www-form-urlencoded). */
  contentType?: string;
  /** Body cap in bytes (default 1 MiB). */
  maxBytes?: number;
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  /** Header names lower-cased; repeated headers joined with ", " (set-cookie and www-authenticate kept as arrays). */
  headers: Map<string, string[]>;
  body: Buffer;
  truncated: boolean;
  tls?: TlsDetails;
}

export interface UdpExchange {
  port: number;
  payload: Buffer;
  timeoutMs?: number;
  /** Stop after this many replies (default 1). */
  maxReplies?: number;
  maxBytes?: number;
}

/** Everything a probe may do on the network. Every call is bound to the probe's device. */
export interface NetApi {
  tcp(port: number, options?: { timeoutMs?: number; maxBytes?: number }): Promise<Conn>;
  tls(port: number, options?: TlsDialOptions & { timeoutMs?: number; maxBytes?: number }): Promise<Conn>;
  udp(exchange: UdpExchange): Promise<Buffer[]>;
  http(request: HttpRequest): Promise<HttpResponse>;
  /**
   * Holds one connection slot (per-host limit and probe budget) while `fn` runs, for clients that open
   * their own sockets (basic-ftp, net-snmp, coap). `fn` must use only `address` and honour `signal`.
   */
  slot<T>(fn: (address: string, signal: AbortSignal) => Promise<T>): Promise<T>;
}

export interface Logger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
}

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
}

export interface AssessInput {
  device: Device;
  service?: Service;
  devices: Device[];
  config?: DeviceConfig;
  /** Time of assessment (pure functions take time as input). */
  now: Date;
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
