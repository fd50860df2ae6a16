/**
 * MAC addresses: normalisation, the locally-administered ("randomised") bit, and the IEEE vendor
 * from oui-data (longest prefix first: MA-S 9 hex digits, MA-M 7, MA-L 6; the first line of the entry).
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { cap } from './text.js';

export type OuiTable = ReadonlyMap<string, string>;

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

let cached: Promise<OuiTable> | undefined;

/** Loads oui-data once (about 5 MB of JSON). An unreadable file gives an empty table, not a failure. */
export function loadOuiTable(): Promise<OuiTable> {
  cached ??= (async () => {
    try {
      const require = createRequire(import.meta.url);
      const file = require.resolve('oui-data');
      const parsed = JSON.parse(await readFile(file, 'utf8')) as unknown;
      const table = new Map<string, string>();
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
          if (typeof v === 'string') table.set(k.toUpperCase(), v);
        }
      }
      return table;
    } catch {
      return new Map<string, string>();
    }
  })();
  return cached;
}
