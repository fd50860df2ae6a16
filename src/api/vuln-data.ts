/**
 * Which vulnerability data a scan uses: the bundled list, the offline store (`iotcop data update`) when
 * there is one, and --vuln-db FILE; CISA KEV marks apply to all three. Returns the probe list with the
 * Returns that data (judgements read it as `AssessInput.vulnData`) and the `run.vulnData` record saying
 * how old it is. `scan` and `report --reassess` both load it here.
 */
import { dirname, join } from 'node:path';
import { homedir } from 'node:os';
import { UsageError } from '../errors.js';
import type { VulnData } from '../probes/lib/versions.js';
import type { VulnDataInfo } from '../model.js';
import { resolveDbPath } from '../store/paths.js';

/** The store directory next to the history database (`--db PATH` moves both). */
export function defaultDataDir(db: string | undefined, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env['IOTCOP_DATA_DIR']) return env['IOTCOP_DATA_DIR'];
  return join(dirname(resolveDbPath(db, env, homedir())), 'vuln-data');
}

export async function loadVulnData(
  o: { dataDir: string | false; vulnDb?: string; now: Date }, notice: (m: string) => void,
): Promise<{ data: VulnData; info: VulnDataInfo }> {
  const { BUNDLED_VULN_DATA } = await import('../probes/lib/versions.js');
  const info: VulnDataInfo = { bundledAdvisories: BUNDLED_VULN_DATA.advisories.length };
  const { loadVulnStore, applyKev, ageDays } = await import('../store/vuln-store.js');
  const store = o.dataDir === false ? undefined : await loadVulnStore(o.dataDir);
  let extra: Awaited<ReturnType<typeof import('../store/vuln-db.js')['loadVulnDb']>> | undefined;
  if (o.vulnDb) {
    const { loadVulnDb, VulnDbError } = await import('../store/vuln-db.js');
    try {
      extra = await loadVulnDb(o.vulnDb);
    } catch (e) {
      if (e instanceof VulnDbError) throw new UsageError(`--vuln-db ${o.vulnDb}: ${e.message}`);
      throw e;
    }
    notice(`--vuln-db: ${extra.stats.advisories} advisories from ${extra.stats.records} OSV records in ${extra.stats.files} file(s)${extra.stats.skippedRecords ? `, ${extra.stats.skippedRecords} records skipped (no product iotcop knows)` : ''}`);
    info.vulnDbAdvisories = extra.stats.advisories;
  }
  if (store) {
    const m = store.manifest;
    info.store = {
      version: m.version, updatedAt: m.updatedAt, ageDays: ageDays(m.updatedAt, o.now),
      osvAdvisories: store.advisories.length, kevEntries: store.kev.size,
      ...(m.kev ? { kevCatalogVersion: m.kev.catalogVersion } : {}),
    };
  }
  if (!store && !extra) return { data: BUNDLED_VULN_DATA, info };
  const kev = store?.kev ?? new Map();
  const advisories = applyKev([...BUNDLED_VULN_DATA.advisories, ...(store?.advisories ?? []), ...(extra?.advisories ?? [])], kev);
  return { data: { ...BUNDLED_VULN_DATA, advisories }, info };
}
