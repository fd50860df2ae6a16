/**
 * `--format jsonl`: the published schema/scan-event.schema.json is the one generated from the zod schema
 * (UPDATE_SCHEMA=1 rewrites it), every line of a real loopback scan validates against it, and findings
 * are written while the scan runs (the first finding line before the run ends), not at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { scanEventJsonSchema, scanEventSchema } from '../../src/api/jsonl.js';
import { bannerServer, iotcop, main, tempDir, type CliRun } from './loopback.js';

const schemaUrl = new URL('../../schema/scan-event.schema.json', import.meta.url);

describe('scan event JSON Schema', () => {
  it('the published schema file is the one generated from the zod schema', () => {
    const generated = `${JSON.stringify(scanEventJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === '1') writeFileSync(schemaUrl, generated);
    expect(readFileSync(schemaUrl, 'utf8')).toBe(generated);
  });
});

describe('--format jsonl on a loopback scan', () => {
  let server: Awaited<ReturnType<typeof bannerServer>>;
  let run: CliRun;
  const dataHome = tempDir('iotcop-jsonl-data-');

  beforeAll(async () => {
    if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
    server = await bannerServer('lighttpd/1.4.77');
    run = await iotcop(['scan', '127.0.0.1', '--ports', String(server.port), '--safety', 'safe', '--format', 'jsonl', '--no-history', '--fail-on', 'never'],
      { XDG_DATA_HOME: dataHome, NO_COLOR: '1' });
  }, 180_000);
  afterAll(async () => { await server.close(); });

  it('writes only valid event lines to stdout: devices, findings, then one summary', () => {
    expect(run.code).toBe(0);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(schemaUrl, 'utf8')) as object);
    const events = run.lines.map((l) => JSON.parse(l.text) as { type: string; finding?: { status: string; port?: number } });
    expect(events.length).toBeGreaterThan(2);
    for (const [i, e] of events.entries()) {
      if (!validate(e)) throw new Error(`line ${i + 1} is not valid: ${ajv.errorsText(validate.errors)}\n${run.lines[i]!.text.slice(0, 500)}`);
      expect(scanEventSchema.safeParse(e).success).toBe(true);
    }
    expect(events[0]!.type).toBe('device');
    expect(events.at(-1)!.type).toBe('summary');
    expect(events.filter((e) => e.type === 'summary')).toHaveLength(1);
    expect(events.some((e) => e.type === 'finding' && e.finding?.port === server.port)).toBe(true);
    // A broken line does not validate (the schema can fail).
    expect(validate({ ...events[1], type: 'findings' })).toBe(false);
    expect(validate({ type: 'finding', time: 'x', finding: { id: 'not-hex' } })).toBe(false);
  });

  it('writes the first finding while the scan runs, not at its end', () => {
    const parsed = run.lines.map((l) => ({ at: l.at, e: JSON.parse(l.text) as { type: string; time: string; run?: { finishedAt: string } } }));
    const firstFinding = parsed.find((p) => p.e.type === 'finding')!;
    const summary = parsed.find((p) => p.e.type === 'summary')!;
    // Written (its own timestamp) before the run finished, and read by us before the process exited.
    expect(Date.parse(firstFinding.e.time)).toBeLessThan(Date.parse(summary.e.run!.finishedAt));
    expect(firstFinding.at).toBeLessThan(run.exitAt);
    expect(firstFinding.at).toBeLessThanOrEqual(summary.at);
  });

  it('with --out DIR writes the stream to a 0600 .jsonl file next to the other reports', async () => {
    const out = tempDir('iotcop-jsonl-out-');
    const r = await iotcop(['scan', '127.0.0.1', '--ports', String(server.port), '--safety', 'safe', '--only', 'software-versions',
      '--format', 'jsonl,json', '--out', out, '--no-history', '--fail-on', 'never', '--quiet'], { XDG_DATA_HOME: dataHome, NO_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const file = readdirSync(out).find((f) => f.endsWith('.jsonl'));
    expect(file).toBeDefined();
    const lines = readFileSync(join(out, file!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.at(-1)!.type).toBe('summary');
    expect(lines.some((l) => l.type === 'finding')).toBe(true);
    const { statSync } = await import('node:fs');
    expect(statSync(join(out, file!)).mode & 0o777).toBe(0o600);
    expect(readdirSync(out).some((f) => f.endsWith('.json'))).toBe(true);
  }, 180_000);

  it('refuses jsonl and another stdout format without --out', async () => {
    const r = await iotcop(['scan', '127.0.0.1', '--ports', String(server.port), '--format', 'jsonl,html'], { XDG_DATA_HOME: dataHome });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/give --out DIR/);
  }, 60_000);
});
