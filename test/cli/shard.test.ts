/** --shard I/N (src/targets/shard.ts): every address of the scope in exactly one shard, deterministically. */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { UsageError } from '../../src/errors.js';
import { checkScope } from '../../src/targets/scope.js';
import { formatShard, parseShard, shardIntervals, shardOf, shardScope } from '../../src/targets/shard.js';
import { parseTarget, type Interval } from '../../src/targets/spec.js';

function interval(text: string): Interval {
  const s = parseTarget(text);
  if (s.kind === 'hostname') throw new Error('test target must be an address');
  return s.interval;
}

function addresses(intervals: Interval[]): string[] {
  const out: string[] = [];
  for (const i of intervals) for (let v = i.start; v <= i.end; v++) out.push(`${i.family}:${v}`);
  return out;
}

describe('--shard', () => {
  it('parses I/N with I from 0 to N-1, and refuses the rest with one line', () => {
    expect(parseShard('0/4')).toEqual({ index: 0, count: 4 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    expect(formatShard(parseShard('2/5'))).toBe('2/5');
    expect(() => parseShard('4/4')).toThrow(/I goes from 0 to 3/);
    expect(() => parseShard('0/0')).toThrow(UsageError);
    expect(() => parseShard('1/5000')).toThrow(/N must be from 1 to 4096/);
    expect(() => parseShard('half')).toThrow(/must be I\/N/);
    expect(() => parseShard('-1/4')).toThrow(UsageError);
  });

  it.each([1, 2, 3, 7, 16])('puts every address of a mixed scope in exactly one of %i shards', (n) => {
    const scope = [interval('10.0.5.0/23'), interval('192.168.1.10-40'), interval('fd00::1-fd00::80')];
    const all = addresses(scope);
    const seen = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      for (const a of addresses(shardIntervals(scope, { index: i, count: n }, 65_536))) {
        expect(seen.has(a)).toBe(false);
        seen.set(a, i);
      }
    }
    expect(seen.size).toBe(all.length);
    expect([...seen.keys()].sort()).toEqual([...all].sort());
  });

  it('the shard of an address does not depend on how the targets were written or grouped', () => {
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 299 }),
      (offset, len, n, cut) => {
        const start = 0x0a000000n + BigInt(offset);
        const whole = [{ family: 4 as const, start, end: start + BigInt(len - 1) }];
        const c = BigInt(Math.min(cut, len - 1));
        const split = c > 0n ? [{ family: 4 as const, start, end: start + c - 1n }, { family: 4 as const, start: start + c, end: start + BigInt(len - 1) }] : whole;
        for (let i = 0; i < n; i++) {
          expect(addresses(shardIntervals(split, { index: i, count: n }, 65_536))).toEqual(addresses(shardIntervals(whole, { index: i, count: n }, 65_536)));
        }
        for (const a of addresses(whole)) {
          const v = BigInt(a.slice(2));
          const i = shardOf(4, v, n);
          expect(addresses(shardIntervals([{ family: 4, start: v, end: v }], { index: i, count: n }, 1))).toEqual([a]);
        }
      },
    ), { numRuns: 40 });
  });

  it('spreads a /16 evenly over 4 shards, holding only each shard\'s addresses', () => {
    const scope = checkScope({ targets: [{ text: '10.1.0.0/16', intervals: [interval('10.1.0.0/16')] }], exclude: [], allowPublic: false, maxHosts: 65_536 });
    let total = 0n;
    for (let i = 0; i < 4; i++) {
      const s = shardScope(scope, { index: i, count: 4 }, 65_536);
      expect(Number(s.size)).toBeGreaterThan(16_384 * 0.95);
      expect(Number(s.size)).toBeLessThan(16_384 * 1.05);
      expect(s.blocks.length).toBeLessThanOrEqual(Number(s.size));
      total += s.size;
    }
    expect(total).toBe(65_536n);
  });

  it('blocks of a shard cover exactly its addresses; N=1 is the whole scope', () => {
    const scope = checkScope({ targets: [{ text: '192.168.7.0/26', intervals: [interval('192.168.7.0/26')] }], exclude: ['192.168.7.5'], allowPublic: false, maxHosts: 1024 });
    expect(shardScope(scope, { index: 0, count: 1 }, 1024).blocks).toEqual(scope.blocks);
    const s = shardScope(scope, { index: 1, count: 3 }, 1024);
    const fromBlocks = s.blocks.flatMap((b) => addresses([interval(b)]));
    expect(fromBlocks).toEqual(addresses(s.intervals));
    expect(fromBlocks).not.toContain(`4:${(192n << 24n) + (168n << 16n) + (7n << 8n) + 5n}`);
  });

  it('refuses to walk more addresses than --max-hosts', () => {
    expect(() => shardIntervals([interval('10.0.0.0/15')], { index: 0, count: 2 }, 65_536)).toThrow(/more than --max-hosts/);
  });

  it('an empty shard is possible (fewer addresses than shards) and has no blocks', () => {
    const scope = checkScope({ targets: [{ text: '127.0.0.1', intervals: [interval('127.0.0.1')] }], exclude: [], allowPublic: false, maxHosts: 1 });
    const sizes = [0, 1, 2].map((i) => shardScope(scope, { index: i, count: 3 }, 1));
    expect(sizes.filter((s) => s.size === 1n)).toHaveLength(1);
    expect(sizes.filter((s) => s.size === 0n).every((s) => s.blocks.length === 0)).toBe(true);
  });
});
