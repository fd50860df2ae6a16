import { describe, expect, it } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { scanResultJsonSchema, scanResultSchema } from '../../src/report/schema.js';
import { buildResult } from '../../src/report/build.js';
import type { RunInfo } from '../../src/report/model.js';

const schemaUrl = new URL('../../schema/scan-result.schema.json', import.meta.url);

export function minimalResult() {
  const run: RunInfo = {
    id: 'r1', startedAt: '2026-11-25T00:00:00.000Z', finishedAt: '2026-11-25T00:00:01.000Z', durationMs: 1000,
    targets: ['127.0.0.1'], autoTargets: false, partial: false,
    options: { safety: 'credentials', exclude: [], allowPublic: false, maxHosts: 65536, timeoutMs: 1000, concurrency: 16, perHost: 2, revealCredentials: false, only: [], skip: [], failOn: 'high' },
    capabilities: { nmap: { path: '/usr/bin/nmap', version: '7.93' }, privileged: true, scanType: 'syn', notices: [] },
  };
  return buildResult({
    run, toolVersion: '0.1.0', probes: new Map(), outcomes: [], skipped: [{ probe: 'x', reason: 'deselected' }], errors: [],
    revealCredentials: false, safety: 'credentials', now: new Date('2026-11-25T00:00:01Z'),
    devices: [{ address: '127.0.0.1', hostnames: ['localhost'], name: 'localhost', identification: { type: 'unknown', confidence: 'low', sources: [] }, services: [{ port: 22, transport: 'tcp', state: 'open', name: 'ssh' }] }],
  });
}

describe('ScanResult JSON Schema', () => {
  it('the published schema file is the one generated from the model (UPDATE_SCHEMA=1 rewrites it)', () => {
    const generated = `${JSON.stringify(scanResultJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaUrl, generated);
    expect(readFileSync(schemaUrl, 'utf8')).toBe(generated);
  });

  it('a built result validates against the published schema, and a broken one does not', () => {
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
    const result = JSON.parse(JSON.stringify(minimalResult())) as Record<string, unknown>;
    expect(validate(result)).toBe(true);
    expect(scanResultSchema.safeParse(result).success).toBe(true);
    const broken = { ...result, schemaVersion: 2 };
    expect(validate(broken)).toBe(false);
    const badVerdict = JSON.parse(JSON.stringify(result)) as { devices: { guidelines: { verdict: string }[] }[] };
    badVerdict.devices[0]!.guidelines[0]!.verdict = 'maybe';
    expect(validate(badVerdict)).toBe(false);
  });
});
