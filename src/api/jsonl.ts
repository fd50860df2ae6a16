/**
 * `--format jsonl`: one JSON object per line, written as the scan goes (schema/scan-event.schema.json):
 *   {"type":"device","time":…,"device":{…}}     a device whose open ports are known
 *   {"type":"finding","time":…,"finding":{…}}   one check result, as soon as its probe finished
 *   {"type":"summary","time":…,"run":{…},"summary":{…}}   the last line
 * Device and finding objects have the shapes of the ScanResult's (device without the roll-up fields).
 * Strings that came from devices are untrusted: JSON.stringify escapes control characters, and U+2028/9
 * are escaped too so that no line of the stream can be split by a JavaScript line reader.
 */
import { z } from 'zod';
import { scanResultSchema } from '../report/schema.js';
import type { Device, Finding, RunInfo, Summary } from '../model.js';
import type { ScanEvent } from './events.js';

const deviceResult = scanResultSchema.shape.devices.element;
const time = z.string().describe('ISO 8601 time the line was written');

export const scanEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('device'), time, device: deviceResult.omit({ guidelines: true, psti: true, unresponsive: true }) }),
  z.object({ type: z.literal('finding'), time, finding: scanResultSchema.shape.findings.element }),
  z.object({ type: z.literal('summary'), time, run: scanResultSchema.shape.run, summary: scanResultSchema.shape.summary }),
]);

export type ScanEventLine =
  | { type: 'device'; time: string; device: Device }
  | { type: 'finding'; time: string; finding: Finding }
  | { type: 'summary'; time: string; run: RunInfo; summary: Summary };

// Compile-time agreement with the model, both ways.
type Parsed = z.infer<typeof scanEventSchema>;
const _toModel = (p: Parsed): ScanEventLine => p;
const _toSchema = (r: ScanEventLine): Parsed => r;
void _toModel; void _toSchema;

export function scanEventJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scanEventSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/iotcop/iotcop/schema/scan-event.schema.json',
    title: 'iotcop scan event (one line of --format jsonl)',
    description: 'One line of `iotcop scan --format jsonl`: a device, a finding, or the closing summary. Strings that came from devices are untrusted.',
  };
}

/** The line for an API event, or undefined for events the stream does not carry (notices, progress). */
export function eventLine(event: ScanEvent, now: Date = new Date()): string | undefined {
  let line: ScanEventLine;
  const t = now.toISOString();
  if (event.type === 'device') line = { type: 'device', time: t, device: event.device };
  else if (event.type === 'finding') line = { type: 'finding', time: t, finding: event.finding };
  else if (event.type === 'done') line = { type: 'summary', time: t, run: event.result.run, summary: event.result.summary };
  else return undefined;
  return `${JSON.stringify(line).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}\n`;
}
