import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { canonicalAddress, intervalSize, intervalToCidrs, merge, parseTarget, subtract } from '../../src/targets/spec.js';

const iv = (t: string) => {
  const s = parseTarget(t);
  if (s.kind === 'hostname') throw new Error('hostname');
  return s.interval;
};

describe('parseTarget', () => {
  it('parses single addresses, CIDR blocks and both range forms', () => {
    expect(parseTarget('192.168.1.10').kind).toBe('address');
    expect(intervalSize(iv('192.168.1.0/24'))).toBe(256n);
    expect(intervalSize(iv('10.0.0.1-20'))).toBe(20n);
    expect(intervalSize(iv('10.0.0.250-10.0.1.5'))).toBe(12n);
    expect(intervalSize(iv('fd00::/120'))).toBe(256n);
    expect(parseTarget('::1').kind).toBe('address');
  });

  it('normalises a CIDR with host bits set to its network', () => {
    expect(intervalToCidrs(iv('192.168.1.77/24'))).toEqual(['192.168.1.0/24']);
  });

  it('parses hostnames, case-folded', () => {
    expect(parseTarget('Camera.Local')).toEqual({ kind: 'hostname', text: 'Camera.Local', hostname: 'camera.local' });
  });

  it.each([
    ['10.0.0.300', /four decimal parts/],
    ['192.168.1', /four decimal parts/],
    ['010.0.0.1', /four decimal parts/],
    ['fe80::1%eth0', /zone/],
    ['10.0.0.20-5', /before its start/],
    ['10.0.0.1-300', /0–255/],
    ['10.0.0.0/33', /prefix length/],
    ['10.0.0.1-::2', /mixes IPv4 and IPv6/],
    ['not a host!', /not an address/],
    ['', /empty/],
    ['1:2:3', /IPv6/],
  ])('rejects %j with a clear message', (text, why) => {
    expect(() => parseTarget(text)).toThrow(UsageError);
    expect(() => parseTarget(text)).toThrow(why);
  });

  it('escapes control characters of bad input in the message', () => {
    expect(() => parseTarget('a\x1b[2Jb')).toThrow(/a\\x1b\[2Jb/);
  });
});

describe('interval arithmetic', () => {
  it('covers a range exactly with CIDR blocks', () => {
    expect(intervalToCidrs(iv('10.0.0.1-20'))).toEqual(['10.0.0.1', '10.0.0.2/31', '10.0.0.4/30', '10.0.0.8/29', '10.0.0.16/30', '10.0.0.20']);
  });
  it('subtracts exclusions and merges overlaps', () => {
    const left = subtract([iv('10.0.0.0/30')], [iv('10.0.0.1')]);
    expect(left.flatMap(intervalToCidrs)).toEqual(['10.0.0.0', '10.0.0.2/31']);
    expect(merge([iv('10.0.0.0/31'), iv('10.0.0.2/31'), iv('10.0.0.8')]).flatMap(intervalToCidrs)).toEqual(['10.0.0.0/30', '10.0.0.8']);
  });
  it('canonicalises IPv6', () => {
    expect(canonicalAddress('FD00:0:0:0:0:0:0:1')).toBe('fd00::1');
    expect(canonicalAddress('192.168.001.1')).toBeNull();
  });
});
