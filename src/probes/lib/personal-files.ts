/**
 * Does a file name in a listing look personal (photos, recordings, documents and scans, backups, keys)?
 * Pure; names only, never contents. The vocabulary is data (src/data/personal-file-patterns.json, each
 * category with its source). Tokens come from personal-topics.ts's levelTokens (whole words, camelCase
 * split, trailing digits dropped), so "scan_0001.pdf" is a scan and a document, "escape.txt" is nothing.
 */
import patterns from '../../data/personal-file-patterns.json' with { type: 'json' };
import { levelTokens } from './personal-topics.js';

export const MAX_PATH_CHARS = 400;
export const MAX_COMPONENTS = 16;

interface RawCategory { id: string; label: string; extensions: string[]; words: string[]; source: string }

export interface FileCategory { id: string; label: string; extensions: ReadonlySet<string>; words: ReadonlySet<string> }

function lowerStrings(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0 && x === x.toLowerCase());
}

/** Validates the data file (a malformed file throws at load: a data error must not pass silently). */
export function buildFileVocabulary(raw: unknown): FileCategory[] {
  const r = raw as { categories?: RawCategory[] } | null;
  if (!r || !Array.isArray(r.categories) || r.categories.length === 0) throw new Error('personal-file-patterns: no categories');
  return r.categories.map((c) => {
    if (typeof c.id !== 'string' || typeof c.label !== 'string' || typeof c.source !== 'string' || !lowerStrings(c.extensions) || !lowerStrings(c.words)) {
      throw new Error(`personal-file-patterns: malformed category ${String(c.id)}`);
    }
    return { id: c.id, label: c.label, extensions: new Set(c.extensions), words: new Set(c.words) };
  });
}

const VOCABULARY = buildFileVocabulary(patterns);

/** The categories (ids, vocabulary order) a path looks like; empty when nothing personal. */
export function classifyFilePath(path: string, vocab: readonly FileCategory[] = VOCABULARY): string[] {
  const p = path.length > MAX_PATH_CHARS ? path.slice(0, MAX_PATH_CHARS) : path;
  const components = p.split('/').filter((c) => c !== '').slice(-MAX_COMPONENTS);
  const last = components[components.length - 1] ?? '';
  const dot = last.lastIndexOf('.');
  const ext = dot > 0 ? last.slice(dot + 1).toLowerCase() : '';
  const tokens = new Set(components.flatMap((c) => levelTokens(c)));
  return vocab.filter((c) => (ext !== '' && c.extensions.has(ext)) || [...tokens].some((t) => c.words.has(t))).map((c) => c.id);
}

export function fileCategoryLabel(id: string, vocab: readonly FileCategory[] = VOCABULARY): string {
  return vocab.find((c) => c.id === id)?.label ?? id;
}
