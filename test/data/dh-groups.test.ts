/**
 * The well-known DH primes are data copied from nmap's list: the RFC ones are checked here against the
 * formulas their RFCs define them by (RFC 2412 appendix E / RFC 3526: the binary expansion of pi;
 * RFC 7919: of e), so a wrong digit in the data, or a wrong constant here, fails.
 */
import { KNOWN_DH_GROUPS, knownDhGroup } from '../../src/data/dh-groups.js';

/** floor(2^bits * pi), Machin's formula in fixed point with 64 guard bits. */
function piScaled(bits: number): bigint {
  const guard = 64n;
  const one = 1n << (BigInt(bits) + guard);
  const atanInv = (x: bigint): bigint => {
    let sum = 0n;
    let term = one / x;
    const x2 = x * x;
    for (let k = 0n; term !== 0n; k += 1n) {
      sum += (k % 2n === 0n ? 1n : -1n) * (term / (2n * k + 1n));
      term /= x2;
    }
    return sum;
  };
  return (16n * atanInv(5n) - 4n * atanInv(239n)) >> guard;
}

/** floor(2^bits * e), sum of 1/k!. */
function eScaled(bits: number): bigint {
  const guard = 64n;
  let term = 1n << (BigInt(bits) + guard);
  let sum = 0n;
  for (let k = 1n; term !== 0n; k += 1n) { sum += term; term /= k; }
  return sum >> guard;
}

/** 2^n - 2^(n-64) - 1 + 2^64 * (floor(2^(n-130) * c) + k): the construction of RFC 2412 and RFC 7919. */
function construct(n: number, scaled: (bits: number) => bigint, k: bigint): bigint {
  const N = BigInt(n);
  return (1n << N) - (1n << (N - 64n)) - 1n + (1n << 64n) * (scaled(n - 130) + k);
}

// Each RFC's published constant k (RFC 2409 section 6.1-6.2, RFC 3526 sections 2-7, RFC 7919 appendix A).
const RFC_GROUPS: [string, number, 'pi' | 'e', bigint][] = [
  ['RFC2409/Oakley Group 1', 768, 'pi', 149686n],
  ['RFC2409/Oakley Group 2', 1024, 'pi', 129093n],
  ['RFC3526/Oakley Group 5', 1536, 'pi', 741804n],
  ['RFC3526/Oakley Group 14', 2048, 'pi', 124476n],
  ['RFC3526/Oakley Group 15', 3072, 'pi', 1690314n],
  ['RFC3526/Oakley Group 16', 4096, 'pi', 240904n],
  ['RFC3526/Oakley Group 17', 6144, 'pi', 929484n],
  ['RFC3526/Oakley Group 18', 8192, 'pi', 4743158n],
  ['RFC7919/ffdhe2048', 2048, 'e', 560316n],
  ['RFC7919/ffdhe3072', 3072, 'e', 2625351n],
  ['RFC7919/ffdhe4096', 4096, 'e', 5736041n],
  ['RFC7919/ffdhe6144', 6144, 'e', 15705020n],
  ['RFC7919/ffdhe8192', 8192, 'e', 10965728n],
];

describe('well-known DH primes', () => {
  test.each(RFC_GROUPS)('%s equals its RFC formula (%i bits)', (name, bits, constant, k) => {
    const p = construct(bits, constant === 'pi' ? piScaled : eScaled, k);
    const entry = KNOWN_DH_GROUPS.find((g) => g.name === name);
    expect(entry).toBeDefined();
    expect(entry!.bits).toBe(bits);
    expect(entry!.prime).toBe(p.toString(16));
    expect(knownDhGroup(p.toString(16).toUpperCase())?.name).toBe(name);
  });

  test('every entry is a well-formed prime of the stated size, named once', () => {
    expect(KNOWN_DH_GROUPS.length).toBeGreaterThanOrEqual(100);
    for (const g of KNOWN_DH_GROUPS) {
      expect(g.prime).toMatch(/^[1-9a-f][0-9a-f]*$/);
      expect(BigInt(`0x${g.prime}`).toString(2).length).toBe(g.bits);
      expect(BigInt(`0x${g.prime}`) % 2n).toBe(1n);
    }
    expect(new Set(KNOWN_DH_GROUPS.map((g) => g.prime)).size).toBe(KNOWN_DH_GROUPS.length);
  });

  test('a server prime with a leading zero byte still matches; an unknown or malformed one does not', () => {
    const g2 = KNOWN_DH_GROUPS.find((g) => g.name === 'RFC2409/Oakley Group 2')!;
    expect(knownDhGroup(`00${g2.prime}`)?.name).toBe(g2.name);
    expect(knownDhGroup(`${g2.prime.slice(0, -2)}fd`)).toBeNull();
    expect(knownDhGroup('not hex')).toBeNull();
    expect(knownDhGroup('')).toBeNull();
  });
});
