import { gunzipSync, gzipSync } from 'node:zlib';

/**
 * JSON text in pieces: the same text as `JSON.stringify(value, null, space)`, yielded a few levels
 * deep (at most one element of a top-level array's elements' fields at a time), so a large result is
 * written or compressed without ever being one string. The JSON report (report/render/json.ts) and
 * the history (gzipJson: a run's stored result and evidence) use it: a 250-device run's report is 13 MB of text.
 */

/** What JSON.stringify would serialise for `value` under `key` (its toJSON()), or undefined to leave out. */
function prepared(value: unknown, key: string): unknown {
  const v = typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON(k: string): unknown }).toJSON(key) : value;
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
}

/**
 * `JSON.stringify(value, null, space)` in pieces. `space` is 0 (compact) or the indent width;
 * `depth` is how many levels are split (below that, each value is one piece).
 */
export function* jsonPieces(value: unknown, space = 0, depth = 3): Generator<string> {
  const v = prepared(value, '');
  if (v !== undefined) yield* piecesOf(v, space, '', depth);
}

function* piecesOf(value: unknown, space: number, indent: string, depth: number): Generator<string> {
  const plain = typeof value === 'object' && value !== null
    && !(value instanceof Number || value instanceof String || value instanceof Boolean);
  if (depth === 0 || !plain) {
    const text = JSON.stringify(value, null, space);
    // JSON text holds no raw newline inside its strings: every newline is indentation
    yield indent ? text.replaceAll('\n', `\n${indent}`) : text;
    return;
  }
  const inner = space ? `${indent}${' '.repeat(space)}` : '';
  const open = space ? `\n${inner}` : '';
  const close = space ? `\n${indent}` : '';
  if (Array.isArray(value)) {
    if (value.length === 0) { yield '[]'; return; }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i > 0 ? ',' : ''}${open}`;
      const v = prepared(value[i], String(i));
      if (v === undefined) yield 'null';
      else yield* piecesOf(v, space, inner, depth - 1);
    }
    yield `${close}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v = prepared((value as Record<string, unknown>)[key], key);
    if (v === undefined) continue;
    yield `${first ? '{' : ','}${open}${JSON.stringify(key)}:${space ? ' ' : ''}`;
    first = false;
    yield* piecesOf(v, space, inner, depth - 1);
  }
  yield first ? '{}' : `${close}}`;
}

/** Text compressed in one gzip member: members are concatenated (RFC 1952 allows it; gunzip reads them all). */
const MEMBER_CHARS = 1 << 20;

/**
 * gzip of `JSON.stringify(value)`, built from pieces of about 1 MB (one gzip member each), so the
 * JSON is never one string nor one Buffer: the history stores a run's result and evidence this way.
 */
export function gzipJson(value: unknown): Buffer {
  const members: Buffer[] = [];
  let pending = '';
  for (const piece of jsonPieces(value)) {
    pending += piece;
    if (pending.length >= MEMBER_CHARS) { members.push(gzipSync(Buffer.from(pending, 'utf8'))); pending = ''; }
  }
  if (pending || members.length === 0) members.push(gzipSync(Buffer.from(pending, 'utf8')));
  return Buffer.concat(members);
}

/** Decompressed size at most (a corrupt or hostile blob must not take the memory). */
const MAX_GUNZIP_BYTES = 512 * 1024 * 1024;

/** The text of a gzipJson blob (every member); throws when it is not gzip or inflates past 512 MiB. */
export function gunzipText(blob: Buffer): string {
  return gunzipSync(blob, { maxOutputLength: MAX_GUNZIP_BYTES }).toString('utf8');
}
