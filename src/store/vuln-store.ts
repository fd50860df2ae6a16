/**
 * The offline vulnerability data store (`iotcop data update --from FILE|DIR`, `iotcop data status`):
 * OSV records and the CISA Known Exploited Vulnerabilities (KEV) catalogue, imported from files the user
 * downloaded, kept in `vuln-data/` next to the history database. Scans read it without any network access.
 *
 * Layout (every file written atomically, the manifest last, so a crash leaves the previous version):
 *   manifest.json         { formatVersion, version (+1 per update), updatedAt, osv?, kev? }
 *   osv-advisories.json   Advisory[] converted by src/store/vuln-db.ts (products iotcop knows only)
 *   kev.json              { catalogVersion, dateReleased, entries: [{ cve, dateAdded, name, ransomware }] }
 * An update replaces the part (OSV or KEV) it brings and keeps the other.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../cli/output.js';
import { BUNDLED_VULN_DATA, validateVulnData, type Advisory } from '../probes/lib/versions.js';
import { loadVulnDb, VulnDbError } from './vuln-db.js';

export const STORE_FORMAT = 1;
const MAX_KEV_BYTES = 64 * 1024 * 1024;
const MAX_KEV_ENTRIES = 100_000;

const manifestSchema = z.object({
  formatVersion: z.literal(STORE_FORMAT),
  version: z.number().int().min(1),
  updatedAt: z.string(),
  osv: z.object({ importedAt: z.string(), sources: z.array(z.string()), files: z.number().int(), records: z.number().int(), advisories: z.number().int() }).optional(),
  kev: z.object({ importedAt: z.string(), source: z.string(), catalogVersion: z.string(), dateReleased: z.string(), entries: z.number().int() }).optional(),
});
export type VulnStoreManifest = z.infer<typeof manifestSchema>;

const kevEntry = z.object({ cve: z.string(), dateAdded: z.string(), name: z.string(), ransomware: z.boolean() });
const kevFileSchema = z.object({ catalogVersion: z.string(), dateReleased: z.string(), entries: z.array(kevEntry) });
export type KevEntry = z.infer<typeof kevEntry>;

export interface VulnStore {
  dir: string;
  manifest: VulnStoreManifest;
  advisories: Advisory[];
  kev: Map<string, KevEntry>;
}

/** The CISA KEV catalogue (https://www.cisa.gov/known-exploited-vulnerabilities-catalog, JSON feed) as it is published. */
const kevCatalogue = z.object({
  catalogVersion: z.string(),
  dateReleased: z.string(),
  vulnerabilities: z.array(z.object({
    cveID: z.string().regex(/^CVE-\d{4}-\d{4,}$/),
    dateAdded: z.string(),
    vulnerabilityName: z.string().optional(),
    knownRansomwareCampaignUse: z.string().optional(),
  }).passthrough()).max(MAX_KEV_ENTRIES),
}).passthrough();

export function isKevCatalogue(doc: unknown): boolean {
  return typeof doc === 'object' && doc !== null && 'catalogVersion' in doc && 'vulnerabilities' in doc;
}

/** Parses a KEV catalogue document (pure). Throws UsageError with the first problem. */
export function parseKev(doc: unknown, source: string): z.infer<typeof kevFileSchema> {
  const parsed = kevCatalogue.safeParse(doc);
  if (!parsed.success) throw new UsageError(`${source}: not a CISA KEV catalogue (${parsed.error.issues[0]?.path.join('.') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'})`);
  return {
    catalogVersion: parsed.data.catalogVersion.slice(0, 40),
    dateReleased: parsed.data.dateReleased.slice(0, 40),
    entries: parsed.data.vulnerabilities.map((v) => ({
      cve: v.cveID, dateAdded: v.dateAdded.slice(0, 20), name: (v.vulnerabilityName ?? v.cveID).slice(0, 200),
      ransomware: v.knownRansomwareCampaignUse === 'Known',
    })),
  };
}

/** Marks advisories whose CVEs CISA lists as exploited: at least high severity, and a note saying so (pure). */
export function applyKev(advisories: readonly Advisory[], kev: ReadonlyMap<string, KevEntry>): Advisory[] {
  if (kev.size === 0) return [...advisories];
  return advisories.map((a) => {
    const hit = a.cves.map((c) => kev.get(c)).find((k): k is KevEntry => k !== undefined);
    if (!hit) return a;
    const severity = a.severity === 'critical' ? 'critical' : 'high';
    const kevNote = `${hit.cve} is in CISA's Known Exploited Vulnerabilities catalogue (added ${hit.dateAdded}${hit.ransomware ? ', used in ransomware campaigns' : ''}): attackers use it.`;
    return { ...a, severity, note: a.note ? `${a.note} ${kevNote}` : kevNote };
  });
}

export function ageDays(updatedAt: string, now: Date): number {
  const t = Date.parse(updatedAt);
  return Number.isFinite(t) ? Math.max(0, Math.floor((now.getTime() - t) / 86_400_000)) : 0;
}

async function readJson(path: string, maxBytes: number): Promise<unknown> {
  const st = await stat(path);
  if (st.size > maxBytes) throw new UsageError(`${path}: larger than ${maxBytes} bytes`);
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${e instanceof Error ? e.message.slice(0, 100) : 'parse error'})`);
  }
}

/** Reads the store; undefined when there is none. A damaged store is an error (never silently ignored). */
export async function loadVulnStore(dir: string): Promise<VulnStore | undefined> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) return undefined;
  const bad = (why: string): never => { throw new UsageError(`vulnerability data store ${dir}: ${why} (run iotcop data update again)`); };
  const m = manifestSchema.safeParse(await readJson(manifestPath, 1024 * 1024));
  if (!m.success) bad('manifest.json is not a store manifest of this iotcop version');
  const manifest = m.data!;
  let advisories: Advisory[] = [];
  if (manifest.osv) {
    const doc = await readJson(join(dir, 'osv-advisories.json'), 512 * 1024 * 1024);
    if (!Array.isArray(doc)) bad('osv-advisories.json is not a list');
    advisories = doc as Advisory[];
    try {
      validateVulnData({ ...BUNDLED_VULN_DATA, advisories: [...BUNDLED_VULN_DATA.advisories, ...advisories] });
    } catch (e) {
      bad(`osv-advisories.json: ${e instanceof Error ? e.message : 'invalid'}`);
    }
  }
  const kev = new Map<string, KevEntry>();
  if (manifest.kev) {
    const k = kevFileSchema.safeParse(await readJson(join(dir, 'kev.json'), MAX_KEV_BYTES));
    if (!k.success) bad('kev.json is damaged');
    for (const e of k.data!.entries) kev.set(e.cve, e);
  }
  return { dir, manifest, advisories, kev };
}

export interface ImportReport {
  manifest: VulnStoreManifest;
  osvErrors: string[];
  skippedRecords: number;
}

/** Classifies --from paths: KEV catalogues (by content) and everything else as OSV feeds. */
async function classify(paths: readonly string[]): Promise<{ osv: string[]; kev: string[] }> {
  const osv: string[] = [];
  const kev: string[] = [];
  const sniff = async (file: string): Promise<boolean> => {
    const st = await stat(file);
    if (st.size > MAX_KEV_BYTES) return false;
    const text = await readFile(file, 'utf8');
    if (!text.slice(0, 4096).includes('"catalogVersion"')) return false;
    try { return isKevCatalogue(JSON.parse(text)); } catch { return false; }
  };
  for (const p of paths) {
    const st = await stat(p).catch(() => { throw new UsageError(`--from ${p}: cannot read it`); });
    if (st.isDirectory()) {
      const names = (await readdir(p)).filter((n) => /\.json$/i.test(n)).sort();
      let kevHere = false;
      for (const n of names) if (await sniff(join(p, n))) { kev.push(join(p, n)); kevHere = true; }
      // A directory holding only the KEV file has no OSV records to read.
      if (!kevHere || names.length > 1 || (await readdir(p)).some((n) => /\.(jsonl|ndjson)$/i.test(n))) osv.push(p);
    } else if (await sniff(p)) {
      kev.push(p);
    } else {
      osv.push(p);
    }
  }
  if (kev.length > 1) throw new UsageError(`--from: ${kev.length} KEV catalogues given (${kev.join(', ')}); give one`);
  return { osv, kev };
}

/** Imports OSV feeds and/or a KEV catalogue into the store at `dir`, as a new version. */
export async function importVulnData(dir: string, paths: readonly string[], now: Date): Promise<ImportReport> {
  if (paths.length === 0) throw new UsageError('data update: give --from FILE or --from DIR');
  const { osv, kev } = await classify(paths);
  const previous = await loadVulnStore(dir).catch(() => undefined);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const at = now.toISOString();
  const manifest: VulnStoreManifest = {
    formatVersion: STORE_FORMAT, version: (previous?.manifest.version ?? 0) + 1, updatedAt: at,
    ...(previous?.manifest.osv ? { osv: previous.manifest.osv } : {}),
    ...(previous?.manifest.kev ? { kev: previous.manifest.kev } : {}),
  };
  const osvErrors: string[] = [];
  let skippedRecords = 0;
  if (osv.length) {
    const advisories: Advisory[] = [];
    let files = 0;
    let records = 0;
    for (const p of osv) {
      try {
        const db = await loadVulnDb(p);
        advisories.push(...db.advisories.map((a) => ({ ...a, source: a.source.map((s) => s.replace(/^--vuln-db /, 'iotcop data update --from ')) })));
        files += db.stats.files;
        records += db.stats.records;
        skippedRecords += db.stats.skippedRecords;
        osvErrors.push(...db.stats.errors);
      } catch (e) {
        if (e instanceof VulnDbError) throw new UsageError(e.message.replace(/^--vuln-db/, '--from'));
        throw e;
      }
    }
    // Ids must stay unique across files (the same record in two dumps).
    const unique = new Map<string, Advisory>();
    for (const a of advisories) if (!unique.has(a.id)) unique.set(a.id, a);
    const list = [...unique.values()];
    await writeFileAtomic(join(dir, 'osv-advisories.json'), `${JSON.stringify(list)}\n`);
    manifest.osv = { importedAt: at, sources: osv, files, records, advisories: list.length };
  }
  if (kev[0]) {
    const parsed = parseKev(await readJson(kev[0], MAX_KEV_BYTES), kev[0]);
    await writeFileAtomic(join(dir, 'kev.json'), `${JSON.stringify(parsed)}\n`);
    manifest.kev = { importedAt: at, source: kev[0], catalogVersion: parsed.catalogVersion, dateReleased: parsed.dateReleased, entries: parsed.entries.length };
  }
  await writeFileAtomic(join(dir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, osvErrors, skippedRecords };
}
