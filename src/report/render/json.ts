/**
 * JSON report: the ScanResult as it is (schema/scan-result.schema.json describes it). Device text
 * stays raw here: JSON.stringify escapes every control character and lone surrogate, so the
 * output is always valid JSON and the consumer decides how to display it.
 *
 * jsonChunks yields the same text as `JSON.stringify(result, null, 2)` in pieces of one device or
 * finding at most, so a report of 250 devices (13 MB) is written without ever being one string: that
 * string, and its UTF-8 copy on the way to the file, were the peak of a large scan's memory.
 */
import type { ScanResult } from '../../model.js';
import type { RenderOptions } from './common.js';

/** Levels split into chunks: the result, its arrays (devices, findings…), their elements' fields. */
const CHUNK_DEPTH = 3;

export function* jsonChunks(result: ScanResult): Generator<string> {
  yield* chunksOf(result, '', CHUNK_DEPTH);
  yield '\n';
}

export function renderJson(result: ScanResult, _options: RenderOptions): string {
  return [...jsonChunks(result)].join('');
}

/** What JSON.stringify would serialise for `value` under `key` (its toJSON()), or undefined to leave out. */
function prepared(value: unknown, key: string): unknown {
  const v = typeof value === 'object' && value !== null && typeof (value as { toJSON?: unknown }).toJSON === 'function'
    ? (value as { toJSON(k: string): unknown }).toJSON(key) : value;
  return v === undefined || typeof v === 'function' || typeof v === 'symbol' ? undefined : v;
}

/** The text of JSON.stringify(value, null, 2), nested at `indent` (JSON strings hold no raw newline). */
function whole(value: unknown, indent: string): string {
  const text = JSON.stringify(value, null, 2);
  return indent ? text.replaceAll('\n', `\n${indent}`) : text;
}

function* chunksOf(value: unknown, indent: string, depth: number): Generator<string> {
  const plain = typeof value === 'object' && value !== null
    && !(value instanceof Number || value instanceof String || value instanceof Boolean);
  if (depth === 0 || !plain) {
    yield whole(value, indent);
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) { yield '[]'; return; }
    yield '[';
    for (let i = 0; i < value.length; i++) {
      yield `${i > 0 ? ',' : ''}\n${inner}`;
      const v = prepared(value[i], String(i));
      if (v === undefined) yield 'null';
      else yield* chunksOf(v, inner, depth - 1);
    }
    yield `\n${indent}]`;
    return;
  }
  let first = true;
  for (const key of Object.keys(value)) {
    const v = prepared((value as Record<string, unknown>)[key], key);
    if (v === undefined) continue;
    yield `${first ? '{' : ','}\n${inner}${JSON.stringify(key)}: `;
    first = false;
    yield* chunksOf(v, inner, depth - 1);
  }
  yield first ? '{}' : `\n${indent}}`;
}
