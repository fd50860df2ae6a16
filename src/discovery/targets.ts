/**
 * Address helpers for discovery (pure): validating the already scope-checked targets, splitting
 * them by address family (nmap scans one family per run), membership tests and bounded expansion
 * for the fallback scanner.
 */
import { containsCidr, expandCidr, parseCidr } from 'cidr-tools';
import ipaddr from 'ipaddr.js';
import { DiscoveryError } from './errors.js';

export interface ParsedTarget {
  /** As nmap accepts it: "10.0.0.0/24", "10.0.0.5", "fd00::/120". */
  text: string;
  family: 4 | 6;
  /** Number of addresses (bigint: IPv6). */
  size: bigint;
  single: boolean;
}

function validAddress(a: string): boolean {
  if (ipaddr.IPv4.isValid(a)) return ipaddr.IPv4.isValidFourPartDecimal(a);
  return ipaddr.IPv6.isValid(a);
}

/** Parses one target or exclusion: an IPv4/IPv6 address or CIDR. Throws bad-arguments otherwise. */
export function parseTarget(t: string): ParsedTarget {
  const text = t.trim();
  const [addr, prefix, extra] = text.split('/');
  if (extra !== undefined || addr === undefined || !validAddress(addr.replace(/%.*$/, ''))) {
    throw new DiscoveryError('bad-arguments', `not an IP address or CIDR range: "${text.slice(0, 80)}"`);
  }
  if (prefix !== undefined && !/^\d{1,3}$/.test(prefix)) {
    throw new DiscoveryError('bad-arguments', `invalid prefix length in "${text.slice(0, 80)}"`);
  }
  const family: 4 | 6 = ipaddr.IPv4.isValid(addr) ? 4 : 6;
  const bits = family === 4 ? 32 : 128;
  const len = prefix === undefined ? bits : Number(prefix);
  if (len > bits) throw new DiscoveryError('bad-arguments', `prefix length too large in "${text}"`);
  return { text, family, size: 1n << BigInt(bits - len), single: len === bits };
}

export function splitByFamily(targets: readonly string[]): { v4: ParsedTarget[]; v6: ParsedTarget[] } {
  const parsed = targets.map(parseTarget);
  return { v4: parsed.filter((p) => p.family === 4), v6: parsed.filter((p) => p.family === 6) };
}

/** True when `address` lies in one of `networks`. */
export function inNetworks(address: string, networks: readonly string[]): boolean {
  if (networks.length === 0) return false;
  const family = ipaddr.IPv4.isValid(address) ? 4 : 6;
  const same = networks.filter((n) => parseTarget(n).family === family);
  if (same.length === 0) return false;
  try {
    return containsCidr(same, address);
  } catch {
    return false;
  }
}

/**
 * Expands targets to single addresses for the fallback scanner, leaving out exclusions and (for
 * IPv4 networks of /30 and wider) the network and broadcast addresses. Throws bad-arguments beyond
 * `max` addresses.
 */
export function expandTargets(targets: readonly string[], exclude: readonly string[], max: number): { address: string; fromRange: boolean }[] {
  const out: { address: string; fromRange: boolean }[] = [];
  const seen = new Set<string>();
  let total = 0n;
  for (const t of targets) total += parseTarget(t).size;
  if (total > BigInt(max)) {
    throw new DiscoveryError('bad-arguments', `the built-in scanner covers at most ${max} addresses (targets hold ${total}); install nmap for larger ranges`);
  }
  for (const t of targets) {
    const p = parseTarget(t);
    const parsed = parseCidr(p.text);
    for (const a of expandCidr(p.text)) {
      const address = ipaddr.parse(a).toString();
      if (!p.single && p.family === 4 && p.size >= 4n) {
        const n = ipaddr.IPv4.parse(address).toByteArray().reduce((acc, b) => acc * 256n + BigInt(b), 0n);
        if (n === parsed.start || n === parsed.end) continue;
      }
      if (seen.has(address) || inNetworks(address, exclude)) continue;
      seen.add(address);
      out.push({ address, fromRange: !p.single });
    }
  }
  return out;
}
