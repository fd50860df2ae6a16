/** What discovery takes and what it emits (src/discovery/index.ts runs it; the strategies emit into it). */
import type { Capabilities, Device } from '../model.js';
import type { IdentificationOverride } from './identify.js';

export interface DiscoveryOptions {
  /** Already scope-checked: IPv4/IPv6 addresses and CIDRs (no hostnames left). */
  targets: string[];
  /** Addresses/CIDRs passed to nmap --exclude and filtered from fallback and import results. */
  exclude: string[];
  /** nmap-style port spec "22,80,8000-8100,U:161" overriding the default list (unprefixed = TCP). */
  ports?: string;
  /** TCP 1–65535 (plus the UDP probe ports). */
  allPorts?: boolean;
  /** Default: look up "nmap" on PATH. An explicit path that is not executable is an error. */
  nmapPath?: string;
  requireNmap?: boolean;
  /** Import instead of scanning. Network identification then runs only on hosts inside `targets`. */
  nmapXmlFile?: string;
  /** Default: detect (root, or CAP_NET_RAW in the effective and ambient sets). */
  privileged?: boolean;
  /** Parallel per-host port-scan batches (default 8: a host's discovery mostly waits on deadlines, not the CPU; BENCHMARKS.md). */
  hostConcurrency?: number;
  /** Run identification collectors (default true). */
  identify?: boolean;
  signal?: AbortSignal;
  /** Per-exchange deadline for identification requests (default 3000 ms). */
  timeoutMs?: number;
  /** Owner facts from targets.yaml by canonical address: they win over identification. */
  overrides?: ReadonlyMap<string, IdentificationOverride>;
}

export type DiscoveryEvent =
  | { type: 'capabilities'; capabilities: Capabilities }
  | { type: 'notice'; message: string }
  | { type: 'hosts-found'; addresses: string[] }
  | { type: 'host'; device: Device }
  /** `incomplete`: discovery lost information it should have had (a port scan failed): the run's result is partial. */
  | { type: 'warning'; message: string; incomplete?: true };
