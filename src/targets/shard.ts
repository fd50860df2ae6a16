/**
 * Sharding (pure): `--shard I/N` keeps the addresses of the checked scope whose hash falls in shard I
 * (I from 0 to N-1, as Kubernetes' JOB_COMPLETION_INDEX counts). Every address is in exactly one shard,
 * the assignment depends only on the address and N (not on the order or grouping of the targets, nor
 * on the iotcop version), and hashing spreads a subnet's devices evenly across the shards.
 *
 * The hash is MurmurHash3's 32-bit finaliser over the address's 32-bit words (family in the seed).
 * The scope is walked address by address (it is at most --max-hosts addresses, checked before), and
 * only the runs of consecutive kept addresses are stored, so a shard of a /16 holds no more than its
 * own addresses.
 */
import { UsageError } from '../errors.js';
import type { Scope } from './scope.js';
import { intervalToCidrs, printable, type Family, type Interval } from './spec.js';

export interface Shard { index: number; count: number }

export const MAX_SHARDS = 4096;

export function parseShard(text: string): Shard {
  const m = /^\s*(\d{1,5})\s*\/\s*(\d{1,5})\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard "${printable(text)}" must be I/N, e.g. 0/4 (shard I of N, I from 0 to N-1)`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new UsageError(`--shard ${index}/${count}: N must be from 1 to ${MAX_SHARDS}`);
  if (index >= count) throw new UsageError(`--shard ${index}/${count}: I goes from 0 to ${count - 1} (shards count from 0)`);
  return { index, count };
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hashV4(value: number): number {
  return fmix32((value ^ 0x9e3779b9) >>> 0);
}

function hashV6(value: bigint): number {
  let h = 0x7f4a7c15;
  for (let shift = 96n; shift >= 0n; shift -= 32n) {
    h = fmix32((h ^ Number((value >> shift) & 0xffffffffn)) >>> 0);
    h = (Math.imul(h, 5) + 0xe6546b64) >>> 0;
  }
  return fmix32(h);
}

/** The shard (0…count-1) an address belongs to. */
export function shardOf(family: Family, value: bigint, count: number): number {
  const h = family === 4 ? hashV4(Number(value)) : hashV6(value);
  return h % count;
}

/**
 * The part of the scope in one shard, as merged intervals. `maxAddresses` guards the walk (the scope
 * check already refused anything larger than --max-hosts).
 */
export function shardIntervals(intervals: readonly Interval[], shard: Shard, maxAddresses: number): Interval[] {
  if (shard.count === 1) return intervals.map((i) => ({ ...i }));
  const total = intervals.reduce((n, i) => n + (i.end - i.start + 1n), 0n);
  if (total > BigInt(maxAddresses)) {
    throw new UsageError(`--shard: the targets cover ${total} addresses, more than --max-hosts ${maxAddresses}`);
  }
  const out: Interval[] = [];
  let open: Interval | undefined;
  const keep = (family: Family, v: bigint) => {
    if (open && open.family === family && open.end + 1n === v) {
      open.end = v;
    } else {
      open = { family, start: v, end: v };
      out.push(open);
    }
  };
  for (const i of intervals) {
    if (i.family === 4) {
      // Number arithmetic for IPv4: a /16 is 65,536 cheap iterations.
      const end = Number(i.end);
      for (let v = Number(i.start); v <= end; v++) {
        if (hashV4(v) % shard.count === shard.index) keep(4, BigInt(v));
      }
    } else {
      for (let v = i.start; v <= i.end; v++) {
        if (hashV6(v) % shard.count === shard.index) keep(6, v);
      }
    }
  }
  return out;
}

/** The scope restricted to one shard (blocks recomputed for nmap; an empty shard has no blocks). */
export function shardScope(scope: Scope, shard: Shard, maxAddresses: number): Scope {
  const intervals = shardIntervals(scope.intervals, shard, maxAddresses);
  return { intervals, blocks: intervals.flatMap(intervalToCidrs), size: intervals.reduce((n, i) => n + (i.end - i.start + 1n), 0n) };
}
