/**
 * The renderers: pure functions (result, options) → string. The CLI picks them by name, writes
 * the strings to stdout or files, and decides `color` (a TTY and no NO_COLOR).
 */
import type { ScanResult } from '../../model.js';
import type { RenderOptions } from './common.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { jsonChunks, renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderSarif } from './sarif.js';
import { renderTerminal } from './terminal.js';

export type { RenderOptions } from './common.js';
export { SARIF_DEVICES_ARTIFACT, sarifDeviceListing } from './sarif.js';

export const FORMATS = [
  { name: 'terminal', extension: 'txt', mediaType: 'text/plain' },
  { name: 'json', extension: 'json', mediaType: 'application/json' },
  { name: 'html', extension: 'html', mediaType: 'text/html' },
  { name: 'sarif', extension: 'sarif', mediaType: 'application/sarif+json' },
  { name: 'csv', extension: 'csv', mediaType: 'text/csv' },
  { name: 'junit', extension: 'junit.xml', mediaType: 'application/xml' },
  { name: 'markdown', extension: 'md', mediaType: 'text/markdown' },
] as const;

export type Format = (typeof FORMATS)[number]['name'];

export const FORMAT_NAMES: readonly Format[] = FORMATS.map((f) => f.name);

export function isFormat(s: string): s is Format {
  return (FORMAT_NAMES as readonly string[]).includes(s);
}

/** File extension for a format ("junit" → "junit.xml"). */
export function extensionOf(format: Format): string {
  return FORMATS.find((f) => f.name === format)!.extension;
}

const RENDERERS: Record<Format, (result: ScanResult, options: RenderOptions) => string> = {
  terminal: renderTerminal,
  json: renderJson,
  html: renderHtml,
  sarif: renderSarif,
  csv: renderCsv,
  junit: renderJunit,
  markdown: renderMarkdown,
};

export function render(format: Format, result: ScanResult, options: RenderOptions): string {
  const fn = RENDERERS[format];
  if (!fn) throw new Error(`unknown report format: ${String(format)}`);
  return fn(result, options);
}

/**
 * The same text as render(), in pieces to write one after another: the JSON report comes a device
 * or a finding at a time (see json.ts); the other formats are one piece.
 */
export function renderChunks(format: Format, result: ScanResult, options: RenderOptions): Iterable<string> {
  return format === 'json' ? jsonChunks(result) : [render(format, result, options)];
}
