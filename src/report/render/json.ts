/**
 * JSON report: the ScanResult as it is (schema/scan-result.schema.json describes it). Device text
 * stays raw here: JSON.stringify escapes every control character and lone surrogate, so the
 * output is always valid JSON and the consumer decides how to display it.
 */
import type { ScanResult } from '../../model.js';
import type { RenderOptions } from './common.js';

export function renderJson(result: ScanResult, _options: RenderOptions): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
