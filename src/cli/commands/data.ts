/**
 * `iotcop data update --from FILE|DIR` and `iotcop data status`: the offline vulnerability data store
 * (src/store/vuln-store.ts), next to the history database. Nothing is downloaded: the user fetches the OSV
 * dumps and the CISA KEV JSON feed, and iotcop imports them.
 */
import type { Argv } from 'yargs';
import { EXIT } from '../../errors.js';
import { printable } from '../../targets/spec.js';
import { defaultDataDir } from '../../api/vuln-data.js';

export interface DataArgs {
  action?: string;
  from?: string[];
  db?: string;
  json?: boolean;
  quiet?: boolean;
}

export function dataOptions(y: Argv): Argv<DataArgs> {
  return y
    .positional('action', { choices: ['update', 'status'], describe: 'update: import files; status: what is stored and how old it is', type: 'string' })
    .option('from', { type: 'string', array: true, describe: 'OSV JSON/JSONL files, a directory of them, or the CISA KEV catalogue JSON (repeatable)' })
    .option('db', { type: 'string', describe: 'history database path; the data store is the vuln-data directory next to it' })
    .option('json', { type: 'boolean', describe: 'status as JSON' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'print nothing on success' }) as unknown as Argv<DataArgs>;
}

export async function runDataCommand(args: DataArgs): Promise<number> {
  const dir = defaultDataDir(args.db);
  const { importVulnData, loadVulnStore, ageDays } = await import('../../store/vuln-store.js');
  if (args.action === 'update') {
    const { UsageError } = await import('../../errors.js');
    const from = (args.from ?? []).map(String).filter(Boolean);
    if (from.length === 0) throw new UsageError('data update needs --from FILE or --from DIR (OSV dumps, the CISA KEV JSON)');
    const r = await importVulnData(dir, from, new Date());
    if (!args.quiet) {
      const m = r.manifest;
      const parts = [`vulnerability data store ${dir}: version ${m.version}`];
      if (m.osv) parts.push(`${m.osv.advisories} OSV advisories for products iotcop knows (${m.osv.records} records in ${m.osv.files} file(s), ${r.skippedRecords} not about them)`);
      if (m.kev) parts.push(`CISA KEV ${printable(m.kev.catalogVersion)} with ${m.kev.entries} CVEs`);
      process.stdout.write(`${parts.join('; ')}\n`);
      for (const e of r.osvErrors.slice(0, 10)) process.stderr.write(`iotcop: ${printable(e)}\n`);
    }
    return EXIT.ok;
  }
  const store = await loadVulnStore(dir);
  const now = new Date();
  if (args.json) {
    process.stdout.write(`${JSON.stringify(store ? { dir, ...store.manifest, ageDays: ageDays(store.manifest.updatedAt, now) } : { dir, version: null }, null, 2)}\n`);
    return EXIT.ok;
  }
  if (!store) {
    process.stdout.write(`no vulnerability data store at ${dir}: scans use the bundled list only (iotcop data update --from FILE|DIR)\n`);
    return EXIT.ok;
  }
  const m = store.manifest;
  const lines = [`vulnerability data store ${dir}`, `version ${m.version}, updated ${m.updatedAt} (${ageDays(m.updatedAt, now)} days ago)`];
  if (m.osv) lines.push(`OSV: ${m.osv.advisories} advisories, imported ${m.osv.importedAt} from ${m.osv.sources.map(printable).join(', ')}`);
  if (m.kev) lines.push(`CISA KEV: catalogue ${printable(m.kev.catalogVersion)} released ${printable(m.kev.dateReleased)}, ${m.kev.entries} CVEs, imported ${m.kev.importedAt}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}
