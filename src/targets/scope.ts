/**
 * Scope policy (pure; DESIGN.md "Safety rules"). Runs before any packet is sent:
 * - loopback, RFC 1918, link-local and IPv6 unique-local addresses are allowed;
 * - anything else is public and refused unless --allow-public;
 * - more addresses than --max-hosts (default 65,536, a /16) are refused;
 * - --exclude removes addresses;
 * - with no target, the machine's own private IPv4 subnets are used, each narrowed to at most a /22
 *   (1,024 addresses) around the machine's address unless --max-hosts allows more.
 */
import { UsageError } from '../errors.js';
import {
  type Interval, contains, formatAddress, intervalSize, intervalToCidrs, merge, parseAddress, parseTarget, printable, subtract,
} from './spec.js';

export const DEFAULT_MAX_HOSTS = 65_536;
export const AUTO_MAX_HOSTS = 1_024;

interface NamedRange { name: string; interval: Interval }

function cidr(text: string, name: string): NamedRange {
  const spec = parseTarget(text);
  if (spec.kind === 'hostname') throw new Error('unreachable');
  return { name, interval: spec.interval };
}

export const ALLOWED_RANGES: readonly NamedRange[] = [
  cidr('127.0.0.0/8', 'loopback'),
  cidr('10.0.0.0/8', 'private (RFC 1918)'),
  cidr('172.16.0.0/12', 'private (RFC 1918)'),
  cidr('192.168.0.0/16', 'private (RFC 1918)'),
  cidr('169.254.0.0/16', 'link-local'),
  cidr('::1/128', 'loopback'),
  cidr('fc00::/7', 'unique-local'),
  cidr('fe80::/10', 'link-local'),
];

/** True when every address of the interval lies in one allowed (non-public) range. */
export function isPrivateInterval(i: Interval): boolean {
  return ALLOWED_RANGES.some((r) => contains(r.interval, i));
}

export interface ScopeInput {
  /** Targets with hostnames already resolved: each entry is the original text plus its intervals. */
  targets: { text: string; intervals: Interval[] }[];
  exclude: string[];
  allowPublic: boolean;
  maxHosts: number;
}

export interface Scope {
  intervals: Interval[];
  /** CIDR blocks and single addresses covering exactly the scope (for nmap). */
  blocks: string[];
  size: bigint;
}

export function excludeIntervals(exclude: string[]): Interval[] {
  return exclude.map((text) => {
    const spec = parseTarget(text);
    if (spec.kind === 'hostname') throw new UsageError(`--exclude takes addresses, CIDR blocks or ranges, not hostnames ("${printable(text)}")`);
    return spec.interval;
  });
}

export function checkScope(input: ScopeInput): Scope {
  if (input.targets.length === 0) throw new UsageError('no targets to scan');
  for (const t of input.targets) {
    for (const i of t.intervals) {
      if (i.family === 4 && i.start === 0n) {
        throw new UsageError(`target "${printable(t.text)}" includes 0.0.0.0, which is not a host; refusing to scan it`);
      }
      if (!input.allowPublic && !isPrivateInterval(i)) {
        const where = i.start === i.end ? formatAddress(i.family, i.start) : `${formatAddress(i.family, i.start)}–${formatAddress(i.family, i.end)}`;
        throw new UsageError(
          `target "${printable(t.text)}" (${where}) is outside private, loopback and link-local ranges; ` +
          'iotcop scans only your own network unless you pass --allow-public (only for networks you are authorised to test)',
        );
      }
    }
  }
  const intervals = subtract(merge(input.targets.flatMap((t) => t.intervals)), merge(excludeIntervals(input.exclude)));
  const size = intervals.reduce((n, i) => n + intervalSize(i), 0n);
  if (size === 0n) throw new UsageError('every target address is excluded; nothing to scan');
  if (size > BigInt(input.maxHosts)) {
    throw new UsageError(
      `the targets cover ${size.toLocaleString('en-GB')} addresses, more than --max-hosts ${input.maxHosts.toLocaleString('en-GB')}; ` +
      'narrow the targets or raise --max-hosts',
    );
  }
  return { intervals, blocks: intervals.flatMap(intervalToCidrs), size };
}

/** One address of a local interface, as os.networkInterfaces() reports it. */
export interface InterfaceAddress {
  name: string;
  family: 'IPv4' | 'IPv6' | 4 | 6;
  address: string;
  netmask: string;
  internal: boolean;
  cidr?: string | null;
}

function prefixFromNetmask(mask: string): number | null {
  const v = parseAddress(mask);
  if (!v || v.family !== 4) return null;
  let n = 0;
  let seenZero = false;
  for (let b = 31; b >= 0; b--) {
    const one = ((v.value >> BigInt(b)) & 1n) === 1n;
    if (one && seenZero) return null;
    if (one) n++; else seenZero = true;
  }
  return n;
}

/**
 * The subnets to scan when the user names no target: private or link-local IPv4 subnets of non-internal
 * interfaces, each narrowed to the block of at most `maxHosts` addresses (rounded down to a power of two,
 * at most a /22 by default) that contains the machine's own address. Pure: the CLI passes os.networkInterfaces().
 */
export function autoTargets(interfaces: InterfaceAddress[], maxHosts = AUTO_MAX_HOSTS): string[] {
  let capPrefix = 32;
  while (capPrefix > 0 && 2 ** (32 - (capPrefix - 1)) <= maxHosts) capPrefix--;
  const out = new Set<string>();
  for (const ifc of interfaces) {
    if (ifc.internal) continue;
    if (ifc.family !== 'IPv4' && ifc.family !== 4) continue;
    const addr = parseAddress(ifc.address);
    const prefix = prefixFromNetmask(ifc.netmask);
    if (!addr || addr.family !== 4 || prefix === null || prefix === 32) continue;
    if (!isPrivateInterval({ family: 4, start: addr.value, end: addr.value })) continue;
    const p = Math.max(prefix, capPrefix);
    const host = BigInt(32 - p);
    const start = (addr.value >> host) << host;
    const block = { family: 4 as const, start, end: start + (1n << host) - 1n };
    if (!isPrivateInterval(block)) continue;
    out.add(`${formatAddress(4, start)}/${p}`);
  }
  return [...out].sort();
}
