/**
 * iotcop as a library: `import { scan, render } from 'iotcop'`.
 *
 *   const run = scan(['192.168.1.20'], { safety: 'safe' });
 *   for await (const event of run) if (event.type === 'finding') console.log(event.finding.title);
 *   const result = await run.result;
 *   process.stdout.write(render('html', result));
 *
 * See docs/API.md. Only the names exported here are the public API.
 */
import { render as renderReport, type Format as RenderFormat, type RenderOptions } from './report/render/index.js';
import type { ScanResult } from './model.js';

export { scan } from './api/scan.js';
export type { ScanEvent, ScanRun, ScanSettings, ProgressEvent, ProgressCounts } from './api/events.js';
export { scanEventSchema } from './api/jsonl.js';
export { scanResultSchema } from './report/schema.js';
export { EXIT, IotcopError, UsageError, RuntimeFailure } from './errors.js';
export { exitCodeFor } from './report/exit-code.js';
export { TOOL_VERSION as VERSION } from './cli/version.js';
export type {
  ScanResult, Device, DeviceResult, Finding, Severity, Safety, CheckStatus, Verdict, GuidelineVerdict, RunInfo, Summary,
  VulnDataInfo,
} from './model.js';
export type { Logger } from './probes/contract.js';
export type { RenderFormat };

/** Renders a result as one of the report formats (terminal, json, html, sarif, csv, junit, markdown). Pure. */
export function render(format: RenderFormat, result: ScanResult, options: Partial<RenderOptions> = {}): string {
  return renderReport(format, result, { color: false, ...options });
}
