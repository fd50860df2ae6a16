/**
 * `iotcop report RUN|FILE.json [--format …] [--out DIR]`: re-renders a stored run, or a saved JSON
 * result (validated against the result schema first), in any report format.
 */
import { EXIT, UsageError } from '../../errors.js';
import type { ScanResult } from '../../model.js';
import { list, OUTPUT_FORMATS, type OutputFormat, type ScanOptions } from '../options.js';
import { writeReports } from '../write-reports.js';
import { dbPathOf, loadRunRef, openStore } from './history.js';

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

export async function runReportCommand(args: ReportArgs): Promise<number> {
  const formats = outputFormats(args.format, args.out);
  const path = dbPathOf(args.db);
  let store: Awaited<ReturnType<typeof openStore>> | undefined;
  try {
    const loaded = await loadRunRef(String(args.run), async () => (store ??= await openStore(path, true)));
    await emitResult(loaded.result, { formats, out: args.out, json: args.json, quiet: args.quiet });
    return EXIT.ok;
  } finally {
    store?.close();
  }
}
