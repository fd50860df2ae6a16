/**
 * Port lists: nmap-style port specifications ("22,80,8000-8100,U:161,T:443") parsed into sorted
 * TCP and UDP sets, and formatted back as an nmap `-p` argument. Pure.
 *
 * Differences from nmap: unprefixed ports are TCP (nmap applies them to every scanned protocol);
 * service names, `[...]` and SCTP (`S:`) are rejected, so the fallback scanner can honour every spec.
 */
import { DEFAULT_TCP_PORTS, DEFAULT_UDP_PORTS } from '../data/ports.js';
import { DiscoveryError } from './errors.js';

export interface PortSet {
  tcp: number[];
  udp: number[];
}

const MAX_SPEC_CHARS = 10_000;

export function parsePortSpec(spec: string): PortSet {
  if (spec.length > MAX_SPEC_CHARS) throw new DiscoveryError('bad-arguments', 'port specification is too long');
  const tcp = new Set<number>();
  const udp = new Set<number>();
  let current: Set<number> = tcp;
  const parts = spec.split(',').map((p) => p.trim());
  if (parts.every((p) => p === '')) throw new DiscoveryError('bad-arguments', 'empty port specification');
  for (let part of parts) {
    if (part === '') continue;
    const prefix = /^([A-Za-z]):/.exec(part);
    if (prefix) {
      const letter = prefix[1]!.toUpperCase();
      if (letter === 'T') current = tcp;
      else if (letter === 'U') current = udp;
      else throw new DiscoveryError('bad-arguments', `unsupported protocol prefix "${letter}:" in port specification (use T: or U:)`);
      part = part.slice(2).trim();
      if (part === '') continue;
    }
    const m = /^(\d{0,5})(?:(-)(\d{0,5}))?$/.exec(part);
    if (!m || (m[1] === '' && m[2] === undefined)) {
      throw new DiscoveryError('bad-arguments', `invalid port "${part.slice(0, 40)}" in port specification (expected numbers and ranges such as 22,80,8000-8100,U:161)`);
    }
    const lo = m[1] === '' ? 1 : Number(m[1]);
    const hi = m[2] === undefined ? lo : m[3] === '' ? 65535 : Number(m[3]);
    if (lo < 1 || hi > 65535 || lo > 65535 || hi < 1) throw new DiscoveryError('bad-arguments', `port out of range in "${part}" (1-65535)`);
    if (lo > hi) throw new DiscoveryError('bad-arguments', `reversed port range "${part}"`);
    for (let p = lo; p <= hi; p++) current.add(p);
  }
  if (tcp.size === 0 && udp.size === 0) throw new DiscoveryError('bad-arguments', 'empty port specification');
  return { tcp: [...tcp].sort((a, b) => a - b), udp: [...udp].sort((a, b) => a - b) };
}

/** The default IoT list (src/data/ports.ts). */
export function defaultPortSet(): PortSet {
  return {
    tcp: [...new Set(DEFAULT_TCP_PORTS.map((e) => e.port))].sort((a, b) => a - b),
    udp: [...new Set(DEFAULT_UDP_PORTS.map((e) => e.port))].sort((a, b) => a - b),
  };
}

/** Resolves the CLI options to a port set: `--ports` wins, `--all-ports` scans TCP 1–65535 plus the UDP probe list. */
export function resolvePorts(options: { ports?: string; allPorts?: boolean }): PortSet {
  if (options.ports !== undefined && options.allPorts) {
    throw new DiscoveryError('bad-arguments', '--ports and --all-ports cannot be combined');
  }
  if (options.ports !== undefined) return parsePortSpec(options.ports);
  const defaults = defaultPortSet();
  if (options.allPorts) return { tcp: range(1, 65535), udp: defaults.udp };
  return defaults;
}

function range(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let p = lo; p <= hi; p++) out.push(p);
  return out;
}

/** Compresses sorted ports to "1-3,80,443". */
export function compressPorts(ports: readonly number[]): string {
  const sorted = [...new Set(ports)].sort((a, b) => a - b);
  const out: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const start = sorted[i]!;
    let end = start;
    while (i + 1 < sorted.length && sorted[i + 1] === end + 1) { end++; i++; }
    out.push(start === end ? String(start) : `${start}-${end}`);
    i++;
  }
  return out.join(',');
}

/** Formats a port set as an nmap `-p` argument: "T:22,80,U:161". Empty protocols are left out. */
export function formatNmapPorts(set: PortSet): string {
  const parts: string[] = [];
  if (set.tcp.length > 0) parts.push(`T:${compressPorts(set.tcp)}`);
  if (set.udp.length > 0) parts.push(`U:${compressPorts(set.udp)}`);
  return parts.join(',');
}
