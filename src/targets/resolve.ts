/**
 * Turns target texts into address intervals, resolving hostnames (the only I/O here: DNS lookups,
 * with a deadline). The scope check then runs on the resolved addresses.
 */
import { lookup } from 'node:dns/promises';
import { UsageError } from '../errors.js';
import { type Interval, parseAddress, parseTarget, printable } from './spec.js';

export type Resolver = (hostname: string) => Promise<string[]>;

export const dnsResolver: Resolver = async (hostname) => {
  const timeout = new Promise<never>((_, reject) => {
    const t = setTimeout(() => reject(new Error('DNS lookup timed out')), 5000);
    t.unref();
  });
  const found = await Promise.race([lookup(hostname, { all: true, verbatim: true }), timeout]);
  return found.map((a) => a.address);
};

export interface ResolvedTarget { text: string; intervals: Interval[]; hostname?: string }

export async function resolveTargets(texts: string[], resolver: Resolver = dnsResolver): Promise<ResolvedTarget[]> {
  const out: ResolvedTarget[] = [];
  for (const text of texts) {
    const spec = parseTarget(text);
    if (spec.kind !== 'hostname') {
      out.push({ text, intervals: [spec.interval] });
      continue;
    }
    let addresses: string[];
    try {
      addresses = await resolver(spec.hostname);
    } catch (e) {
      throw new UsageError(`cannot resolve target "${printable(text)}": ${(e as Error).message}`);
    }
    const intervals: Interval[] = [];
    for (const a of addresses) {
      const parsed = parseAddress(a.split('%')[0] ?? a);
      if (parsed) intervals.push({ family: parsed.family, start: parsed.value, end: parsed.value });
    }
    if (intervals.length === 0) throw new UsageError(`target "${printable(text)}" resolved to no usable address`);
    out.push({ text, intervals, hostname: spec.hostname });
  }
  return out;
}
