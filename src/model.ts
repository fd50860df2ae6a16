/**
 * The result model: what one scan found, as plain JSON-serialisable data.
 * Every renderer, the history store and the diff work from this. It is
 * described by schema/scan-result.schema.json (generated from zod in
 * src/report/schema.ts and checked by a test), and `schemaVersion` changes
 * when a field changes meaning or is removed.
 */

export const SCHEMA_VERSION = 1 as const;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type Safety = 'safe' | 'credentials' | 'intrusive';
export const SAFETY_LEVELS: readonly Safety[] = ['safe', 'credentials', 'intrusive'];

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Outcome of one check on one target. */
export type CheckStatus = 'fail' | 'warn' | 'partial' | 'pass' | 'info' | 'not_applicable' | 'error' | 'not_tested';
export const CHECK_STATUSES: readonly CheckStatus[] = ['fail', 'warn', 'partial', 'pass', 'info', 'not_applicable', 'error', 'not_tested'];

/** Verdict of one guideline on one device (DESIGN.md "Verdicts"). */
export type Verdict = 'fail' | 'warn' | 'partial' | 'pass' | 'not_tested' | 'manual';
export const VERDICTS: readonly Verdict[] = ['fail', 'warn', 'partial', 'pass', 'not_tested', 'manual'];

export type Confidence = 'high' | 'medium' | 'low';
export type Transport = 'tcp' | 'udp';

export type GuidelineNumber = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13;
export type GuidelineId = `uk-cop-${GuidelineNumber}`;

export type DeviceType =
  | 'camera' | 'router' | 'printer' | 'hub' | 'plug' | 'nas' | 'tv' | 'speaker' | 'computer' | 'unknown';
export const DEVICE_TYPES: readonly DeviceType[] = ['camera', 'router', 'printer', 'hub', 'plug', 'nas', 'tv', 'speaker', 'computer', 'unknown'];

/** Where a device was declared in targets.yaml (for SARIF locations and error messages). */
export interface SourceLocation { file: string; line: number; column: number }

export interface TlsInfo {
  /** Set when the service speaks TLS (nmap tunnel=ssl, or a handshake succeeded). */
  enabled: boolean;
  /** SHA-256 fingerprint of the leaf certificate, hex, when seen. */
  certSha256?: string;
  subject?: string;
}

export interface Service {
  port: number;
  transport: Transport;
  /** open, or open|filtered for UDP ports that did not answer. */
  state: 'open' | 'open|filtered';
  /** Service name as nmap (or our own fallback) calls it: http, ssh, telnet, mqtt… */
  name?: string;
  product?: string;
  version?: string;
  extraInfo?: string;
  cpe?: string[];
  tls?: TlsInfo;
  /** First bytes the service sent, already capped (untrusted). */
  banner?: string;
  /** SHA-256 fingerprint of the SSH host key, when seen. */
  sshHostKeySha256?: string;
  /** nmap script output, by script id: text plus structured tables (untrusted). */
  scripts?: ScriptOutput[];
}

export interface ScriptOutput { id: string; output: string; table?: Json }

export interface Identification {
  vendor?: string;
  model?: string;
  type: DeviceType;
  confidence: Confidence;
  /** Which signals gave the identification: 'targets.yaml', 'mac-oui', 'upnp', 'http-title', … */
  sources: string[];
  firmware?: string;
  serial?: string;
  friendlyName?: string;
}

export interface Device {
  /** Canonical address, IPv4 dotted quad or compressed IPv6. */
  address: string;
  mac?: string;
  macVendor?: string;
  /** True when the MAC is locally administered (likely randomised). */
  macRandomised?: boolean;
  hostnames: string[];
  /** Owner-given name from targets.yaml, else a hostname, else the address. */
  name: string;
  identification: Identification;
  services: Service[];
  declaredAt?: SourceLocation;
  /** The computer running iotcop (one of its own interface addresses): not checked unless asked (--include-self). */
  thisComputer?: true;
}

export interface Credential {
  username: string;
  /** Masked (e.g. "ad***") unless --reveal-credentials. */
  password: string;
  masked: boolean;
}

/** Closed vocabulary of what went wrong on the wire. */
export type ErrorKind =
  | 'refused' | 'timeout' | 'reset' | 'tls-handshake' | 'protocol-error'
  | 'budget-exceeded' | 'aborted' | 'out-of-scope' | 'unreachable' | 'internal';
export const ERROR_KINDS: readonly ErrorKind[] = [
  'refused', 'timeout', 'reset', 'tls-handshake', 'protocol-error',
  'budget-exceeded', 'aborted', 'out-of-scope', 'unreachable', 'internal',
];

export interface Finding {
  /** Stable id: hash of device + check + port + transport. Same device, same problem, same id across runs. */
  id: string;
  check: string;
  probe: string;
  /** Address of the device (or '*' for run-scope findings that name several devices in evidence). */
  device: string;
  status: CheckStatus;
  severity: Severity;
  confidence: Confidence;
  title: string;
  /** Plain-language sentence for a non-expert ("Your camera still accepts its factory password"). */
  summary?: string;
  description: string;
  remediation: string;
  guidelines: GuidelineId[];
  provisions: string[];
  port?: number;
  transport?: Transport;
  evidence: Json;
  credential?: Credential;
  error?: { kind: ErrorKind; message: string };
}

export interface GuidelineVerdict {
  id: GuidelineId;
  verdict: Verdict;
  /** Finding ids that decided the verdict (the fails for fail, the warnings for warn, …). */
  findings: string[];
  /** Why, in one sentence, when the verdict is not_tested or manual. */
  reason?: string;
}

export interface PstiStatus {
  noUniversalDefaultPassword: 'violated' | 'no-issue-found' | 'partly-tested' | 'not-tested';
  disclosurePolicy: 'found' | 'configured' | 'invalid' | 'unknown';
  disclosurePolicyUrl?: string;
  supportPeriod: 'date' | 'ended' | 'unknown';
  supportPeriodEnd?: string;
}

export interface DeviceResult extends Device {
  guidelines: GuidelineVerdict[];
  psti: PstiStatus;
  /** Set when the device stopped answering during the scan (circuit breaker). */
  unresponsive?: boolean;
}

/** Why the computer running iotcop was not checked: the plan's skip entry, its guideline verdicts and the reports say this. */
export const THIS_COMPUTER_NOT_CHECKED = 'This is the computer running iotcop. It was not checked, since it is not what you came to check (add --include-self, or name it in targets.yaml or as a target, to check it too).';

export type SkipReason =
  | 'no-matching-service' | 'above-safety-level' | 'deselected' | 'fragile-port' | 'no-answer'
  | 'timeout-global' | 'circuit-breaker' | 'aborted' | 'not-applicable' | 'this-computer';

export interface Skipped {
  probe: string;
  device?: string;
  port?: number;
  transport?: Transport;
  reason: SkipReason;
  detail?: string;
}

export interface RunError {
  /** Where: 'discovery', 'scheduler', a probe id… */
  source: string;
  kind: ErrorKind;
  message: string;
  device?: string;
}

export interface Capabilities {
  nmap: { path: string; version: string } | null;
  privileged: boolean;
  scanType: 'syn' | 'connect' | 'import' | 'fallback-connect' | 'none';
  notices: string[];
}

export interface RunOptions {
  safety: Safety;
  ports?: string;
  exclude: string[];
  allowPublic: boolean;
  maxHosts: number;
  timeoutMs: number;
  concurrency: number;
  perHost: number;
  revealCredentials: boolean;
  only: string[];
  skip: string[];
  failOn: Severity | 'never';
}

export interface RunInfo {
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  /** Targets as the user gave them. */
  targets: string[];
  /** True when targets came from the machine's own subnets. */
  autoTargets: boolean;
  configFile?: string;
  options: RunOptions;
  capabilities: Capabilities;
  /** True when the run stopped early (global timeout, signal) and the result is incomplete. */
  partial: boolean;
  stopReason?: 'timeout' | 'signal' | 'error';
  /** Set when this run scanned one shard of its targets (`--shard I/N`; index from 0 to count-1). */
  shard?: { index: number; count: number };
  /** Set when this result was combined from shard results by `iotcop merge`: how many, and their run ids. */
  merged?: { shards: number; runs: string[] };
  /** the vulnerability data the scan used, and how old the imported part is. */
  vulnData?: VulnDataInfo;
  /** Set when this result was judged again from the run's stored evidence (`report RUN --reassess`). */
  reassessed?: Reassessed;
}

/** A re-assessment: when, from which iotcop's evidence, and how many jobs were judged again or kept. */
export interface Reassessed {
  /** When the evidence was judged again (ISO time). */
  at: string;
  /** iotcop version that scanned. */
  scannedWith: string;
  assessedJobs: number;
  keptJobs: number;
  /** Kept jobs by reason. */
  kept: Record<string, number>;
}

/** bundled advisories, the offline store (`iotcop data update`) and --vuln-db. */
export interface VulnDataInfo {
  bundledAdvisories: number;
  /** The local store, when one was used: its version, when it was last updated and its age in whole days. */
  store?: { version: number; updatedAt: string; ageDays: number; osvAdvisories: number; kevEntries: number; kevCatalogVersion?: string };
  /** Advisories added with --vuln-db FILE. */
  vulnDbAdvisories?: number;
}

export interface Summary {
  devices: number;
  services: number;
  findings: Record<CheckStatus, number>;
  bySeverity: Record<Severity, number>;
  /** Guideline ids failing on at least one device. */
  failingGuidelines: GuidelineId[];
  /** The highest severity among failed checks, or null when nothing failed. */
  worst: Severity | null;
}

export interface ScanResult {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'iotcop'; version: string };
  run: RunInfo;
  devices: DeviceResult[];
  findings: Finding[];
  skipped: Skipped[];
  errors: RunError[];
  summary: Summary;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}
