/**
 * JSON report: the ScanResult as it is (schema/scan-result.schema.json describes it). Device text
 * stays raw here: JSON.stringify escapes every control character and lone surrogate, so the
 * output is always valid JSON and the consumer decides how to display it.
 *
 * jsonChunks yields the same text as `JSON.stringify(result, null, 2)` in pieces of one device or
 * finding at most, so a report of 250 devices (13 MB) is written without ever being one string: that
 * string, and its UTF-8 copy on the way to the file, were the peak of a large scan's memory.
 */
import { jsonPieces } from '../../json-pieces.js';
import type { ScanResult } from '../../model.js';
import type { RenderOptions } from './common.js';

export function* jsonChunks(result: ScanResult): Generator<string> {
  yield* jsonPieces(result, 2);
  yield '\n';
}

export function renderJson(result: ScanResult, _options: RenderOptions): string {
  return [...jsonChunks(result)].join('');
}
