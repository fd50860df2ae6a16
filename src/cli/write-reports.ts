/** Renders the requested formats and writes them to stdout or to --out DIR. */
import type { ScanResult } from '../model.js';
import type { ScanOptions } from './options.js';
import { join } from 'node:path';
import { useColor } from './color.js';
import { ensureDir, reportBaseName, reportPath, writeFileAtomic } from './output.js';

export async function writeReports(result: ScanResult, opts: ScanOptions, startedAt: Date, notice: (m: string) => void): Promise<string[]> {
  const { render, renderChunks, extensionOf, sarifDeviceListing, SARIF_DEVICES_ARTIFACT } = await import('../report/render/index.js');
  const color = useColor(process.stdout);
  const written: string[] = [];
  if (opts.jsonToStdout) process.stdout.write(render('json', result, { color: false }));
  const files = opts.formats.filter((f) => f !== 'terminal');
  // a jsonl stream on stdout leaves stdout to it.
  if (opts.formats.includes('terminal') && !opts.jsonToStdout && !(opts.jsonl && !opts.out)) {
    process.stdout.write(render('terminal', result, { color }));
  }
  if (opts.out) {
    await ensureDir(opts.out);
    const base = reportBaseName(startedAt);
    for (const f of files) {
      const path = reportPath(opts.out, base, extensionOf(f));
      await writeFileAtomic(path, renderChunks(f, result, { color: false }));
      written.push(path);
    }
    if (files.includes('sarif')) {
      // SARIF results without a targets.yaml line point at lines of this listing (GitHub needs a file location).
      await writeFileAtomic(join(opts.out, SARIF_DEVICES_ARTIFACT), sarifDeviceListing(result));
    }
    if (written.length) notice(`reports written: ${written.join(', ')}`);
  } else if (files.length === 1 && !opts.jsonToStdout) {
    process.stdout.write(render(files[0]!, result, { color: false }));
  }
  return written;
}
