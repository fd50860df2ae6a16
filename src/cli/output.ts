/**
 * Writes report files: atomically (a temp file in the same directory, fsync, then rename) so a crash or a
 * full disk never leaves a half-written report or replaces a good one; mode 0600 because reports can hold
 * credentials and personal data.
 */
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { RuntimeFailure } from '../errors.js';

/** Bytes gathered before one write when the content comes in pieces. */
const WRITE_BATCH = 64 * 1024;

/** Writes `content` (a string, or pieces written in turn) to a temporary file, then renames it to `path`. */
export async function writeFileAtomic(path: string, content: string | Iterable<string>): Promise<void> {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  let handle;
  try {
    handle = await open(tmp, 'wx', 0o600);
    if (typeof content === 'string') await handle.writeFile(content, 'utf8');
    else {
      let pending = '';
      for (const piece of content) {
        pending += piece;
        if (pending.length >= WRITE_BATCH) { await handle.writeFile(pending, 'utf8'); pending = ''; }
      }
      if (pending) await handle.writeFile(pending, 'utf8');
    }
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(tmp, path);
  } catch (e) {
    await handle?.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EROFS' ? 'read-only file system' : (e as Error).message;
    throw new RuntimeFailure(`cannot write ${path}: ${why}`, { cause: e });
  }
}

export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw new RuntimeFailure(`cannot create the output directory ${dir}: ${(e as Error).message}`, { cause: e });
  }
}

/** iotcop-20261125T193000Z: sortable, no characters that need quoting. */
export function reportBaseName(startedAt: Date): string {
  return `iotcop-${startedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
}

export function reportPath(dir: string, base: string, ext: string): string {
  return join(dir, `${base}.${ext}`);
}
