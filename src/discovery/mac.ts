/**
 * MAC addresses: normalisation, the locally-administered ("randomised") bit, and the IEEE vendor
 * (longest prefix first: MA-S 9 hex digits, MA-M 7, MA-L 6), from the compact table of src/discovery/oui.ts.
 */
import { cap } from './text.js';
import { compactOui, type OuiLookup } from './oui.js';

export type OuiTable = OuiLookup;

/** "AA-BB-cc:dd.ee.ff" and "aabb.ccdd.eeff" → "aa:bb:cc:dd:ee:ff"; undefined when it is not a MAC-48. */
export function normaliseMac(mac: string): string | undefined {
  const hex = mac.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 12 || mac.length > 20) return undefined;
  return hex.match(/../g)!.join(':');
}

/** True when the locally-administered bit is set: phones and some devices randomise such MACs, so the vendor is unknown. */
export function isLocallyAdministered(mac: string): boolean {
  const n = normaliseMac(mac);
  if (!n) return false;
  return (parseInt(n.slice(0, 2), 16) & 0x02) !== 0;
}

export function lookupVendor(mac: string, table: OuiTable): string | undefined {
  const n = normaliseMac(mac);
  if (!n || isLocallyAdministered(n)) return undefined;
  const hex = n.replace(/:/g, '').toUpperCase();
  const entry = table.get(hex.slice(0, 9)) ?? table.get(hex.slice(0, 7)) ?? table.get(hex.slice(0, 6));
  if (entry === undefined) return undefined;
  return cap(entry.split('\n')[0]);
}

let cached: Promise<OuiTable & { size: number }> | undefined;

/** Loads the compact vendor table once, on first use. An unreadable file gives an empty table, not a failure. */
export function loadOuiTable(): Promise<OuiTable & { size: number }> {
  cached ??= (async () => {
    try {
      const { default: data } = await import('../data/oui-vendors.json', { with: { type: 'json' } });
      return compactOui(data);
    } catch {
      return { size: 0, get: () => undefined };
    }
  })();
  return cached;
}
