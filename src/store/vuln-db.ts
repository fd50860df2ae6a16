/**
 * `--vuln-db FILE`: loads a local vulnerability feed in OSV format (https://ossf.github.io/osv-schema/)
 * and turns the records that concern products iotcop recognises into software-versions advisories.
 * No network: the user downloads the feed (for example an osv.dev ecosystem export, unzipped) and
 * points iotcop at it.
 *
 * Accepted input: one .json file holding an OSV record, an array of records, or {"vulns": [...]}
 * (the osv.dev query API's answer); a .jsonl/.ndjson file with one record per line; or a directory
 * of such files (not recursive). Caps: 256 MiB per file, 100 000 files, 1 000 000 records.
 *
 * Conversion (osvToAdvisories, pure):
 * - affected[].package.name (lower-cased) must name a product of the data file (its packages or
 *   aliases, e.g. openssh, openssh-server, dropbear-bin, lighttpd, dnsmasq-base);
 * - SEMVER and ECOSYSTEM ranges become introduced/fixed/lastAffected ranges; GIT ranges are skipped
 *   (they name commits, not versions); explicit `versions` lists are kept;
 * - distribution ecosystems (Debian, Ubuntu, Alpine, …) use package versions ("1:9.2p1-2+deb12u3"):
 *   the epoch and revision are stripped to the upstream version, which is approximate (a distribution
 *   fix without a new upstream version is lost) — evidence says which record matched;
 * - severity from database_specific.severity (CRITICAL/HIGH/MODERATE|MEDIUM/LOW), else a CVSS v3
 *   vector's base score, else medium; withdrawn records are skipped.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BUNDLED_VULN_DATA, upstreamOfPackageVersion, type Advisory, type AdvisorySeverity, type ProductInfo, type VersionRange,
} from '../probes/lib/versions.js';

const MAX_FILE_BYTES = 256 * 1024 * 1024;
const MAX_FILES = 100_000;
const MAX_RECORDS = 1_000_000;

const DISTRO_ECOSYSTEMS = /^(debian|ubuntu|alpine|rocky linux|almalinux|red hat|suse|opensuse|mageia|photon os|wolfi|chainguard|openeuler)/i;

export interface VulnDbStats {
  files: number;
  records: number;
  advisories: number;
  skippedRecords: number;
  errors: string[];
}

export interface LoadedVulnDb {
  advisories: Advisory[];
  stats: VulnDbStats;
}

export class VulnDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VulnDbError';
  }
}

type Obj = { [k: string]: unknown };
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function productIndex(products: ProductInfo[]): Map<string, string> {
  const m = new Map<string, string>();
  for (const p of products) {
    for (const n of [p.id, ...p.aliases, ...p.packages]) m.set(n.toLowerCase(), p.id);
  }
  return m;
}

/** CVSS v3.x base score from a vector (FIRST specification, section 7.1). Null when not a v3 vector. */
export function cvss3BaseScore(vector: string): number | null {
  const m = /^CVSS:3\.[01]\/(.*)$/.exec(vector.trim());
  if (!m || m[1] === undefined) return null;
  const v = new Map(m[1].split('/').map((p) => p.split(':') as [string, string]));
  const W: Record<string, Record<string, number>> = {
    AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 }, AC: { L: 0.77, H: 0.44 }, UI: { N: 0.85, R: 0.62 },
    C: { H: 0.56, L: 0.22, N: 0 }, I: { H: 0.56, L: 0.22, N: 0 }, A: { H: 0.56, L: 0.22, N: 0 },
  };
  const scope = v.get('S');
  const get = (k: string) => W[k]?.[v.get(k) ?? ''];
  const pr = v.get('PR');
  const prW = pr === 'N' ? 0.85 : pr === 'L' ? (scope === 'C' ? 0.68 : 0.62) : pr === 'H' ? (scope === 'C' ? 0.5 : 0.27) : undefined;
  const [av, ac, ui, c, i, a] = [get('AV'), get('AC'), get('UI'), get('C'), get('I'), get('A')];
  if ([av, ac, ui, c, i, a, prW].some((x) => x === undefined) || (scope !== 'U' && scope !== 'C')) return null;
  const iss = 1 - (1 - (c as number)) * (1 - (i as number)) * (1 - (a as number));
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  const exploitability = 8.22 * (av as number) * (ac as number) * (prW as number) * (ui as number);
  if (impact <= 0) return 0;
  const raw = scope === 'U' ? Math.min(impact + exploitability, 10) : Math.min(1.08 * (impact + exploitability), 10);
  const roundup = (x: number) => { const n = Math.round(x * 100_000); return n % 10_000 === 0 ? n / 100_000 : (Math.floor(n / 10_000) + 1) / 10; };
  return roundup(raw);
}

function severityOf(rec: Obj): AdvisorySeverity {
  const named = str(isObj(rec['database_specific']) ? rec['database_specific']['severity'] : undefined)?.toUpperCase();
  if (named === 'CRITICAL') return 'critical';
  if (named === 'HIGH') return 'high';
  if (named === 'MODERATE' || named === 'MEDIUM') return 'medium';
  if (named === 'LOW') return 'low';
  const list = Array.isArray(rec['severity']) ? rec['severity'] : [];
  for (const s of list) {
    if (!isObj(s)) continue;
    const score = str(s['score']);
    const n = score ? cvss3BaseScore(score) : null;
    if (n === null) continue;
    return n >= 9 ? 'critical' : n >= 7 ? 'high' : n >= 4 ? 'medium' : 'low';
  }
  return 'medium';
}

function rangesOf(affected: Obj, distro: boolean): VersionRange[] {
  const out: VersionRange[] = [];
  const norm = (v: string) => (distro ? upstreamOfPackageVersion(v) : v);
  for (const r of Array.isArray(affected['ranges']) ? affected['ranges'] : []) {
    if (!isObj(r)) continue;
    const type = str(r['type']);
    if (type !== 'SEMVER' && type !== 'ECOSYSTEM') continue;
    let current: VersionRange | undefined;
    for (const e of Array.isArray(r['events']) ? r['events'] : []) {
      if (!isObj(e)) continue;
      const intro = str(e['introduced']);
      const fixed = str(e['fixed']);
      const last = str(e['last_affected']);
      if (intro !== undefined) {
        if (current) out.push(current);
        current = intro === '0' ? {} : { introduced: norm(intro) };
      } else if (fixed !== undefined && current) {
        out.push({ ...current, fixed: norm(fixed) });
        current = undefined;
      } else if (last !== undefined && current) {
        out.push({ ...current, lastAffected: norm(last) });
        current = undefined;
      }
    }
    if (current && current.introduced !== undefined) out.push(current); // introduced, never fixed
  }
  // An all-versions range ({}) is only kept when the record says so explicitly (introduced 0 and no fix).
  return out.filter((x) => x.introduced !== undefined || x.fixed !== undefined || x.lastAffected !== undefined);
}

/** OSV records → advisories for the products iotcop knows. Unknown packages and GIT-only records are skipped. */
export function osvToAdvisories(records: unknown[], products: ProductInfo[] = BUNDLED_VULN_DATA.products, fileLabel = 'OSV feed'): { advisories: Advisory[]; skipped: number } {
  const index = productIndex(products);
  const advisories: Advisory[] = [];
  let skipped = 0;
  const seen = new Set<string>();
  for (const rec of records) {
    if (!isObj(rec) || typeof rec['id'] !== 'string' || rec['withdrawn'] !== undefined) { skipped++; continue; }
    const id = rec['id'].slice(0, 100);
    const aliases = Array.isArray(rec['aliases']) ? rec['aliases'].filter((a): a is string => typeof a === 'string') : [];
    const cves = [id, ...aliases].filter((x) => /^CVE-\d{4}-\d{4,}$/.test(x));
    const summary = (str(rec['summary']) ?? str(rec['details']) ?? id).replace(/\s+/g, ' ').slice(0, 300);
    const severity = severityOf(rec);
    let used = false;
    for (const a of Array.isArray(rec['affected']) ? rec['affected'] : []) {
      if (!isObj(a) || !isObj(a['package'])) continue;
      const name = str(a['package']['name'])?.toLowerCase();
      const ecosystem = str(a['package']['ecosystem']) ?? '';
      const product = name ? index.get(name) : undefined;
      if (!product) continue;
      const distro = DISTRO_ECOSYSTEMS.test(ecosystem);
      const affected = rangesOf(a, distro);
      const versions = (Array.isArray(a['versions']) ? a['versions'] : []).filter((v): v is string => typeof v === 'string').slice(0, 2000).map((v) => (distro ? upstreamOfPackageVersion(v) : v));
      if (affected.length === 0 && versions.length === 0) continue;
      const key = `${id}|${product}|${JSON.stringify(affected)}|${versions.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      used = true;
      advisories.push({
        id: `${id}${ecosystem ? ` (${ecosystem.slice(0, 40)})` : ''}`, product,
        ...(affected.length ? { affected } : {}), ...(versions.length ? { versions } : {}),
        cves: cves.length ? cves : [id], severity, summary,
        source: [`https://osv.dev/vulnerability/${encodeURIComponent(id)}`, fileLabel],
        ...(distro ? { note: `Versions from the ${ecosystem.slice(0, 40)} package; distribution revisions were reduced to the upstream version.` } : {}),
      });
    }
    if (!used) skipped++;
  }
  return { advisories, skipped };
}

function recordsOfText(text: string, file: string): unknown[] {
  const trimmed = text.trimStart();
  if (/\.(jsonl|ndjson)$/i.test(file) || (!trimmed.startsWith('[') && !trimmed.startsWith('{'))) {
    return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    // A JSON-lines file saved as .json.
    if (trimmed.startsWith('{') && text.includes('\n{')) return text.split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
    throw e;
  }
  if (Array.isArray(doc)) return doc;
  if (isObj(doc) && Array.isArray(doc['vulns'])) return doc['vulns'];
  return [doc];
}

/** Reads FILE (or a directory of files) and converts it. Throws VulnDbError when nothing can be read. */
export async function loadVulnDb(path: string, products: ProductInfo[] = BUNDLED_VULN_DATA.products): Promise<LoadedVulnDb> {
  const info = await stat(path).catch(() => { throw new VulnDbError(`--vuln-db: cannot read ${path}`); });
  let files: string[];
  if (info.isDirectory()) {
    const entries = await readdir(path, { withFileTypes: true });
    files = entries.filter((e) => e.isFile() && /\.(json|jsonl|ndjson)$/i.test(e.name)).map((e) => join(path, e.name)).sort();
    if (files.length > MAX_FILES) throw new VulnDbError(`--vuln-db: ${files.length} files in ${path}; at most ${MAX_FILES}`);
  } else {
    files = [path];
  }
  const stats: VulnDbStats = { files: 0, records: 0, advisories: 0, skippedRecords: 0, errors: [] };
  const advisories: Advisory[] = [];
  for (const file of files) {
    const st = await stat(file);
    if (st.size > MAX_FILE_BYTES) { stats.errors.push(`${file}: larger than ${MAX_FILE_BYTES} bytes, skipped`); continue; }
    let records: unknown[];
    try {
      records = recordsOfText(await readFile(file, 'utf8'), file);
    } catch (e) {
      stats.errors.push(`${file}: not valid JSON (${e instanceof Error ? e.message.slice(0, 100) : 'parse error'})`);
      continue;
    }
    stats.files += 1;
    const room = MAX_RECORDS - stats.records;
    if (room <= 0) { stats.errors.push(`record limit of ${MAX_RECORDS} reached; the rest was not read`); break; }
    const slice = records.slice(0, room);
    stats.records += slice.length;
    const { advisories: got, skipped } = osvToAdvisories(slice, products, `--vuln-db ${file}`);
    advisories.push(...got);
    stats.skippedRecords += skipped;
  }
  if (stats.files === 0) throw new VulnDbError(`--vuln-db: nothing readable in ${path}${stats.errors.length ? ` (${stats.errors[0]})` : ''}`);
  stats.advisories = advisories.length;
  return { advisories, stats };
}
