/**
 * `iotcop report RUN|FILE.json [--format …] [--out DIR]`: re-renders a stored run, or a saved JSON
 * result (validated against the result schema first), in any report format.
 * `--reassess [--vuln-db FILE]`: judges a stored run's evidence again with today's data and policies
 * (src/api/reassess.ts); the re-assessed result is rendered, not stored.
 */
import { EXIT, UsageError } from '../../errors.js';
import type { ScanResult } from '../../model.js';
import type { HistoryStore } from '../../store/db.js';
import { list, OUTPUT_FORMATS, type OutputFormat, type ScanOptions } from '../options.js';
import { writeReports } from '../write-reports.js';
import { dbPathOf, loadRunRef, openStore, type LoadedRun } from './history.js';

import type { ReportArgs } from './options.js';


/** Checks --format/--out as the scan does; returns the formats. */
export function outputFormats(format: string[] | undefined, out: string | undefined): OutputFormat[] {
  const formats = list(format).length ? list(format) : ['terminal'];
  for (const f of formats) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(f)) throw new UsageError(`unknown format "${f}"; choose from ${OUTPUT_FORMATS.join(', ')}`);
  }
  const files = formats.filter((f) => f !== 'terminal');
  if (!out && files.length > 1) throw new UsageError(`--format ${files.join(',')} writes several files: give --out DIR (or one format to print it)`);
  return [...new Set(formats)] as OutputFormat[];
}

/** Renders and writes a result exactly as `scan` does (writeReports reads only formats, out and jsonToStdout). */
export async function emitResult(result: ScanResult, o: { formats: OutputFormat[]; out?: string; json?: boolean; quiet?: boolean }): Promise<string[]> {
  const view = { formats: o.formats, out: o.out, jsonToStdout: Boolean(o.json) } as Pick<ScanOptions, 'formats' | 'out' | 'jsonToStdout'>;
  const notice = (m: string) => { if (!o.quiet) process.stderr.write(`iotcop: ${m}\n`); };
  return writeReports(result, view as ScanOptions, new Date(result.run.startedAt), notice);
}

async function reassessed(loaded: LoadedRun, store: HistoryStore | undefined, args: ReportArgs): Promise<ScanResult> {
  if (!loaded.row || !store) throw new UsageError(`${loaded.label} is a saved JSON result, which holds no evidence; --reassess needs a run from the history (\`iotcop history\` lists them)`);
  const evidence = store.loadEvidence(loaded.row);
  const { noEvidence, reassessRun } = await import('../../api/reassess.js');
  if (!evidence) throw noEvidence(loaded.label, loaded.result);
  const notice = (m: string) => { if (!args.quiet) process.stderr.write(`iotcop: ${m}\n`); };
  const now = new Date();
  const { loadVulnData, defaultDataDir } = await import('../../api/vuln-data.js');
  const vuln = await loadVulnData({ dataDir: defaultDataDir(args.db), ...(args.vulnDb ? { vulnDb: args.vulnDb } : {}), now }, notice);
  const { PROBES } = await import('../../probes/registry.js');
  const { TOOL_VERSION } = await import('../version.js');
  const result = reassessRun({ stored: loaded.result, evidence, probes: PROBES, vulnData: vuln.data, vulnInfo: vuln.info, toolVersion: TOOL_VERSION, now });
  const r = result.run.reassessed;
  if (r) notice(`${loaded.label} re-assessed from its stored evidence: ${r.assessedJobs} jobs judged again, ${r.keptJobs} kept as scanned; nothing was rescanned`);
  return result;
}

export async function runReportCommand(args: ReportArgs): Promise<number> {
  const formats = outputFormats(args.format, args.out);
  const path = dbPathOf(args.db);
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    const loaded = await loadRunRef(String(args.run), async () => (store ??= await openStore(path, true)));
    if (args.vulnDb && !args.reassess) throw new UsageError('--vuln-db only applies with --reassess (a stored report is shown as it was judged)');
    const result = args.reassess ? await reassessed(loaded, store, args) : loaded.result;
    await emitResult(result, { formats, out: args.out, json: args.json, quiet: args.quiet });
    return EXIT.ok;
  } finally {
    store?.close();
  }
}
