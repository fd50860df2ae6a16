/**
 * Well-known finite-field Diffie-Hellman primes (dh-common-primes.json, provenance in the file): the
 * name of a server's DH group when it uses one of them. A widely shared prime matters because the
 * expensive part of breaking a DH group (the number field sieve precomputation) is done once per prime
 * and then serves every server that uses it (Adrian et al., "Imperfect Forward Secrecy", CCS 2015).
 */
import raw from './dh-common-primes.json' with { type: 'json' };

export interface KnownDhGroup {
  name: string;
  bits: number;
  /** The prime, lower-case hex without leading zeros. */
  prime: string;
}

const file = raw as { source: string; groups: KnownDhGroup[] };
export const DH_GROUPS_SOURCE = file.source;
export const KNOWN_DH_GROUPS: readonly KnownDhGroup[] = file.groups;

let byPrime: Map<string, KnownDhGroup> | null = null;

function normalise(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+/, '').replace(/^0+/, '');
}

/** The well-known group whose prime this is (hex, as read from a ServerKeyExchange), or null. */
export function knownDhGroup(primeHex: string): KnownDhGroup | null {
  if (primeHex.length === 0 || primeHex.length > 4096 || !/^[0-9a-fA-F]+$/.test(primeHex)) return null;
  byPrime ??= new Map(KNOWN_DH_GROUPS.map((g) => [normalise(g.prime), g]));
  return byPrime.get(normalise(primeHex)) ?? null;
}
