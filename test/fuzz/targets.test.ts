/**
 * Fuzzing what the user types: target syntax (addresses, CIDR blocks, ranges, hostnames), port
 * specifications, durations, and targets.yaml. Only our typed errors may come out (UsageError,
 * ConfigError, DiscoveryError('bad-arguments')), each a single printable line, and nothing a file
 * says can blow up memory (YAML alias bombs, huge documents).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigError, UsageError } from '../../src/errors.js';
import { canonicalAddress, intervalSize, parseTarget } from '../../src/targets/spec.js';
import { parseConfig } from '../../src/targets/config.js';
import { parseDuration } from '../../src/targets/config-schema.js';
import { parsePortSpec } from '../../src/discovery/portspec.js';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { hostileText, RUNS, thrown } from './arbitraries.js';

// eslint-disable-next-line no-control-regex
const ONE_PRINTABLE_LINE = /^[^\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]*$/;

const octet = fc.oneof(fc.integer({ min: 0, max: 255 }).map(String), fc.integer({ min: 256, max: 99_999 }).map(String), fc.constantFrom('00', '01', '-1', '', 'x', '0x1f', ' 1'));
const target = fc.oneof(
  hostileText(120),
  fc.array(octet, { minLength: 1, maxLength: 6 }).map((a) => a.join('.')),
  fc.tuple(fc.array(octet, { minLength: 4, maxLength: 4 }), fc.integer({ min: -2, max: 140 })).map(([a, p]) => `${a.join('.')}/${p}`),
  fc.tuple(fc.array(octet, { minLength: 4, maxLength: 4 }), octet).map(([a, e]) => `${a.join('.')}-${e}`),
  fc.tuple(fc.ipV4(), fc.ipV4()).map(([a, b]) => `${a}-${b}`),
  fc.ipV6().map((a) => a),
  fc.tuple(fc.ipV6(), fc.constantFrom('%eth0', '%1', '/64', '/129', '/-1', '-ffff', '')).map(([a, s]) => `${a}${s}`),
  fc.domain(),
);

describe('target syntax', () => {
  it('parses or throws one printable UsageError line; intervals are non-empty and well ordered', () => {
    fc.assert(fc.property(target, (t) => {
      const e = thrown(() => {
        const spec = parseTarget(t);
        if ('intervals' in spec) {
          for (const i of (spec as { intervals: { start: bigint; end: bigint }[] }).intervals) {
            expect(i.end >= i.start).toBe(true);
            expect(intervalSize(i as Parameters<typeof intervalSize>[0]) > 0n).toBe(true);
          }
        }
      });
      if (e !== undefined) {
        expect(e).toBeInstanceOf(UsageError);
        expect((e as Error).message).toMatch(ONE_PRINTABLE_LINE);
        expect((e as Error).message.length).toBeLessThanOrEqual(600);
      }
      const c = canonicalAddress(t);
      if (c !== null) expect(canonicalAddress(c)).toBe(c);
    }), { numRuns: 1000 });
  });

  it.each(['10.0.0.300', '192.168.1', '192.168.01.1', 'fe80::1%eth0', '10.0.0.20-10', '10.0.0.9-10.0.0.1', '10.0.0.0/33', '::1/129', '10.0.0.1-::2', '', ' ', '10.0.0.1/'])(
    '%j is a usage error with one clear line', (t) => {
      const e = thrown(() => parseTarget(t));
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toMatch(ONE_PRINTABLE_LINE);
    });
});

describe('port specifications and durations', () => {
  const spec = fc.oneof(hostileText(100), fc.array(fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), fc.constantFrom('T:', 'U:', 'S:', '-', ',', '1-65535', '80-22', '0', '65536')), { maxLength: 20 }).map((a) => a.join('')));

  it('a port spec parses to ports 1-65535 or throws DiscoveryError(bad-arguments)', () => {
    fc.assert(fc.property(spec, (s) => {
      const e = thrown(() => {
        const set = parsePortSpec(s);
        for (const p of [...set.tcp, ...set.udp]) {
          expect(Number.isInteger(p)).toBe(true);
          expect(p).toBeGreaterThanOrEqual(1);
          expect(p).toBeLessThanOrEqual(65535);
        }
        expect(set.tcp.length + set.udp.length).toBeLessThanOrEqual(2 * 65535);
      });
      if (e !== undefined) {
        expect(e).toBeInstanceOf(DiscoveryError);
        expect((e as DiscoveryError).kind).toBe('bad-arguments');
      }
    }), RUNS);
  });

  it('a duration is a positive whole number of milliseconds or null', () => {
    fc.assert(fc.property(fc.oneof(hostileText(30), fc.double(), fc.integer(), fc.constantFrom('1h', '90s', '10m', '1h2m3s', '0s', '-1s', '1e3', '99999999999999999999h', '1.5', 'Infinity', 'NaN')), (v) => {
      const ms = parseDuration(v as string | number);
      if (ms !== null) {
        expect(ms).toBeGreaterThan(0);
        expect(Number.isFinite(ms)).toBe(true);
      }
    }), RUNS);
  });
});

describe('targets.yaml', () => {
  const value = fc.oneof(hostileText(60).map((s) => JSON.stringify(s)), fc.integer().map(String), fc.constantFrom('true', 'null', '[]', '{}', '~', '*a', '&a x', '!!binary AAAA', '!!js/function "f"', '<<: *a'));
  const key = fc.constantFrom('scan', 'devices', 'vendors', 'targets', 'address', 'timeout', 'credentials', 'password', '__proto__', 'constructor', 'safty', 'ports');
  const yamlDoc = fc.oneof(
    hostileText(3000),
    fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), key, value), { maxLength: 40 }).map((lines) => lines.map(([d, k, v]) => `${'  '.repeat(d)}${d % 2 ? '- ' : ''}${k}: ${v}`).join('\n')),
  );

  it('any text is a config or one ConfigError with file and position; no prototype pollution', () => {
    fc.assert(fc.property(yamlDoc, (text) => {
      const e = thrown(() => parseConfig(text, 'targets.yaml'));
      if (e !== undefined) {
        expect(e).toBeInstanceOf(ConfigError);
        expect((e as Error).message.startsWith('targets.yaml')).toBe(true);
        expect((e as Error).message.split('\n')).toHaveLength(1);
      }
      expect(({} as Record<string, unknown>)['scan']).toBeUndefined();
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }), RUNS);
  });

  it('refuses a YAML alias bomb ("billion laughs") with a ConfigError, quickly and without memory blow-up', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => {
      const prev = i === 0 ? 'a' : String.fromCharCode(98 + i - 1);
      const me = String.fromCharCode(98 + i);
      return `${me}: &${me} [${Array.from({ length: 10 }, () => `*${prev}`).join(',')}]`;
    })].join('\n');
    const e = thrown(() => parseConfig(bomb, 'bomb.yaml'));
    expect(e).toBeInstanceOf(ConfigError);
  });

  it('refuses deep nesting and a __proto__ key with a ConfigError', () => {
    for (const text of [`${'['.repeat(5000)}${']'.repeat(5000)}`, `${'a:\n'.split('').join('')}${Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n')}`,
      '__proto__:\n  polluted: 1\n', 'scan:\n  __proto__:\n    polluted: 1\n', 'devices:\n  - address: 10.0.0.1\n    credentials:\n      - {username: a, password: b, __proto__: {x: 1}}\n']) {
      const e = thrown(() => parseConfig(text, 't.yaml'));
      expect(e).toBeInstanceOf(ConfigError);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }
  });
});
