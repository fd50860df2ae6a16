/**
 * Where `--format jsonl` lines go: stdout, or `--out DIR/iotcop-<time>.jsonl` (mode 0600, appended line by
 * line so `tail -f` shows findings while the scan runs). Lines are written in event order.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { RuntimeFailure } from '../errors.js';
import type { ScanEvent } from '../api/events.js';
import { eventLine } from '../api/jsonl.js';
import { ensureDir, reportBaseName, reportPath } from './output.js';

export interface JsonlSink {
  /** The file written, or undefined for stdout. */
  readonly path: string | undefined;
  write(event: ScanEvent): void;
  /** Flushes and closes; rejects with a RuntimeFailure when a write failed. */
  close(): Promise<void>;
}

export async function createJsonlSink(out: string | undefined, startedAt: Date, stdout: NodeJS.WritableStream = process.stdout): Promise<JsonlSink> {
  if (!out) {
    return {
      path: undefined,
      write(event) { const line = eventLine(event); if (line) stdout.write(line); },
      close: () => Promise.resolve(),
    };
  }
  await ensureDir(out);
  const path = reportPath(out, reportBaseName(startedAt), 'jsonl');
  let handle: FileHandle;
  try {
    handle = await open(path, 'w', 0o600);
  } catch (e) {
    throw new RuntimeFailure(`cannot write ${path}: ${(e as Error).message}`, { cause: e });
  }
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  return {
    path,
    write(event) {
      const line = eventLine(event);
      if (!line) return;
      chain = chain.then(() => handle.appendFile(line, 'utf8')).catch((e: unknown) => { failure ??= e; });
    },
    async close() {
      await chain;
      await handle.close().catch(() => undefined);
      if (failure) throw new RuntimeFailure(`cannot write ${path}: ${(failure as Error).message}`, { cause: failure });
    },
  };
}
