/**
 * The IEEE vendor table in compact form (src/data/oui-vendors.json, generated from the oui-data package
 * by test/discovery/oui-vendors.test.ts, `npm run oui`): the organisation names once, as one text, and
 * for each registry (MA-S 9 hex digits, MA-M 7, MA-L 6) one string of fixed-width records — the prefix
 * and the name's index in base 36, sorted — searched by bisection. Loading it costs about 2 MB of memory;
 * the 5.6 MB oui-data JSON, parsed into a Map, cost 24–38 MB (issue 18 measurement).
 */

/** A vendor table: the organisation for an upper-case hex prefix of 6, 7 or 9 digits. */
export interface OuiLookup { get(prefix: string): string | undefined }

export interface CompactOuiData {
  source: string;
  vendors: string;
  'ma-s': string;
  'ma-m': string;
  'ma-l': string;
}

/** Digits of the base-36 vendor index in every record. */
export const INDEX_DIGITS = 3;

/** Builds the records of one registry from prefix → vendor index (the generator's half). */
export function encodeRegistry(entries: readonly [string, number][]): string {
  return [...entries].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([p, i]) => `${p}${i.toString(36).padStart(INDEX_DIGITS, '0')}`).join('');
}

export function compactOui(data: CompactOuiData): OuiLookup & { size: number } {
  const names = data.vendors.split('\n');
  const registries = new Map<number, string>([[9, data['ma-s']], [7, data['ma-m']], [6, data['ma-l']]]);
  const size = [...registries].reduce((n, [len, s]) => n + s.length / (len + INDEX_DIGITS), 0);
  return {
    size,
    get(prefix: string): string | undefined {
      const records = registries.get(prefix.length);
      if (records === undefined) return undefined;
      const width = prefix.length + INDEX_DIGITS;
      let lo = 0;
      let hi = records.length / width - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const key = records.slice(mid * width, mid * width + prefix.length);
        if (key === prefix) return names[parseInt(records.slice(mid * width + prefix.length, (mid + 1) * width), 36)];
        if (key < prefix) lo = mid + 1; else hi = mid - 1;
      }
      return undefined;
    },
  };
}
