/**
 * Target syntax (pure): single IPv4/IPv6 addresses, CIDR blocks, ranges (`10.0.0.1-20`, `10.0.0.1-10.0.0.20`)
 * and hostnames. Every spec becomes an inclusive interval of addresses of one family, so scope checks,
 * counting and exclusion are exact arithmetic, not string games.
 */
import ipaddr from 'ipaddr.js';
import { UsageError } from '../errors.js';

export type Family = 4 | 6;

export interface Interval { family: Family; start: bigint; end: bigint }

export type TargetSpec =
  | { kind: 'address' | 'cidr' | 'range'; text: string; interval: Interval }
  | { kind: 'hostname'; text: string; hostname: string };

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i;

function bad(text: string, why: string): UsageError {
  return new UsageError(`invalid target "${printable(text)}": ${why}`);
}

/** Shows user input safely in one line of an error message. */
export function printable(s: string): string {
  const cut = s.length > 80 ? `${s.slice(0, 80)}…` : s;
  // bidi overrides and isolates (U+202A–202E, U+2066–2069) reorder the terminal line: escape them too.
  // eslint-disable-next-line no-control-regex
  return cut.replace(/[\x00-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
    .replace(/[\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u{${c.charCodeAt(0).toString(16)}}`);
}

/** Strict dotted-quad parse: four decimal parts 0–255, no leading zeros (ipaddr.js accepts "192.168.1"). */
export function parseIPv4(text: string): bigint | null {
  const m = IPV4.exec(text);
  if (!m) return null;
  let v = 0n;
  for (const part of m.slice(1)) {
    if (part.length > 1 && part.startsWith('0')) return null;
    const n = Number(part);
    if (n > 255) return null;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

export function parseIPv6(text: string): bigint | null {
  if (text.includes('%') || !text.includes(':') || !ipaddr.IPv6.isValid(text)) return null;
  const parts = ipaddr.IPv6.parse(text).parts;
  let v = 0n;
  for (const p of parts) v = (v << 16n) | BigInt(p);
  return v;
}

export function parseAddress(text: string): { family: Family; value: bigint } | null {
  const v4 = parseIPv4(text);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  if (v6 !== null) return { family: 6, value: v6 };
  return null;
}

export function formatAddress(family: Family, value: bigint): string {
  if (family === 4) {
    return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 255n).toString()).join('.');
  }
  const parts: number[] = [];
  for (let i = 7; i >= 0; i--) parts.push(Number((value >> BigInt(i * 16)) & 0xffffn));
  return ipaddr.fromByteArray(parts.flatMap((p) => [p >> 8, p & 255])).toString();
}

export function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

/** Canonical form of an address string, or null when it is not one. */
export function canonicalAddress(text: string): string | null {
  const a = parseAddress(text);
  return a ? formatAddress(a.family, a.value) : null;
}

export function parseTarget(raw: string): TargetSpec {
  const text = raw.trim();
  if (text === '') throw bad(raw, 'empty');
  if (text.includes('%')) throw bad(text, 'IPv6 zone indexes (%eth0) are not supported; give the address without the zone, or a global or unique-local IPv6 address');

  const slash = text.indexOf('/');
  if (slash >= 0) {
    const addrText = text.slice(0, slash);
    const prefixText = text.slice(slash + 1);
    const a = parseAddress(addrText);
    if (!a) throw bad(text, `"${printable(addrText)}" is not an IPv4 or IPv6 address`);
    if (!/^\d{1,3}$/.test(prefixText) || Number(prefixText) > bits(a.family)) {
      throw bad(text, `prefix length must be 0–${bits(a.family)}`);
    }
    const host = BigInt(bits(a.family) - Number(prefixText));
    const start = (a.value >> host) << host;
    const end = start + (1n << host) - 1n;
    return { kind: 'cidr', text, interval: { family: a.family, start, end } };
  }

  const dash = text.indexOf('-');
  if (dash > 0 && (parseIPv4(text.slice(0, dash)) !== null || parseIPv6(text.slice(0, dash)) !== null)) {
    const first = parseAddress(text.slice(0, dash));
    const rest = text.slice(dash + 1);
    if (!first) throw bad(text, 'range start is not an address');
    let end: bigint;
    if (first.family === 4 && /^\d{1,3}$/.test(rest)) {
      const last = Number(rest);
      if (last > 255) throw bad(text, 'range end must be 0–255');
      end = (first.value & ~255n) | BigInt(last);
    } else {
      const second = parseAddress(rest);
      if (!second) throw bad(text, `range end "${printable(rest)}" is not an address`);
      if (second.family !== first.family) throw bad(text, 'range mixes IPv4 and IPv6');
      end = second.value;
    }
    if (end < first.value) throw bad(text, 'range end is before its start');
    return { kind: 'range', text, interval: { family: first.family, start: first.value, end } };
  }

  const a = parseAddress(text);
  if (a) return { kind: 'address', text, interval: { family: a.family, start: a.value, end: a.value } };

  if (/^[\d.]+$/.test(text)) throw bad(text, 'an IPv4 address needs four decimal parts 0–255 without leading zeros (for example 192.168.1.10)');
  if (text.includes(':')) throw bad(text, 'not a valid IPv6 address');
  if (!HOSTNAME.test(text)) throw bad(text, 'not an address, CIDR block, range or hostname');
  return { kind: 'hostname', text, hostname: text.toLowerCase().replace(/\.$/, '') };
}

export function intervalSize(i: Interval): bigint {
  return i.end - i.start + 1n;
}

/** Minimal list of CIDR blocks covering an interval exactly (for nmap and for display). */
export function intervalToCidrs(i: Interval): string[] {
  const out: string[] = [];
  const width = bits(i.family);
  let start = i.start;
  while (start <= i.end) {
    let size = 0;
    while (size < width) {
      const next = size + 1;
      const block = 1n << BigInt(next);
      if (start % block !== 0n || start + block - 1n > i.end) break;
      size = next;
    }
    out.push(size === 0 ? formatAddress(i.family, start) : `${formatAddress(i.family, start)}/${width - size}`);
    start += 1n << BigInt(size);
  }
  return out;
}

/** Removes `cut` from each interval of `from` (same family only). */
export function subtract(from: Interval[], cut: Interval[]): Interval[] {
  let current = from.slice();
  for (const c of cut) {
    const next: Interval[] = [];
    for (const i of current) {
      if (i.family !== c.family || c.end < i.start || c.start > i.end) { next.push(i); continue; }
      if (c.start > i.start) next.push({ family: i.family, start: i.start, end: c.start - 1n });
      if (c.end < i.end) next.push({ family: i.family, start: c.end + 1n, end: i.end });
    }
    current = next;
  }
  return current;
}

/** Sorts and merges overlapping or adjacent intervals. */
export function merge(intervals: Interval[]): Interval[] {
  const sorted = intervals.slice().sort((a, b) => a.family - b.family || (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && last.family === i.family && i.start <= last.end + 1n) {
      if (i.end > last.end) last.end = i.end;
    } else {
      out.push({ ...i });
    }
  }
  return out;
}

export function contains(outer: Interval, inner: Interval): boolean {
  return outer.family === inner.family && outer.start <= inner.start && inner.end <= outer.end;
}
