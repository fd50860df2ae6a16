/** `iotcop merge`: combining shard results (src/store/merge.ts), and the command on the built CLI. */
import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { summarise } from '../../src/guidelines/rollup.js';
import { scanResultSchema } from '../../src/report/schema.js';
import { mergeResults } from '../../src/store/merge.js';
import { UsageError } from '../../src/errors.js';
import { makeResult } from '../store/fixtures.js';

const shard = (index: number, count: number, address: string, extra: Partial<Parameters<typeof makeResult>[0]> = {}) => makeResult({
  id: `shard-${index}`, startedAt: `2026-11-25T03:0${index}:00.000Z`, targets: ['10.0.5.0/24'], shard: { index, count },
  devices: [{ address, services: [23] }],
  findings: [{ device: address, check: 'telnet-default-credentials', status: 'fail', severity: 'critical', port: 23 }],
  ...extra,
});

describe('mergeResults', () => {
  it('combines devices, findings, skipped and errors of every shard and recomputes the summary', () => {
    const parts = [shard(0, 3, '10.0.5.1'), shard(1, 3, '10.0.5.2'), shard(2, 3, '10.0.5.3')];
    parts[1]!.skipped.push({ probe: 'coap-exposure', device: '10.0.5.2', reason: 'no-matching-service' });
    parts[2]!.errors.push({ source: 'discovery', kind: 'timeout', message: 'slow' });
    const { result, notices } = mergeResults({ results: parts, id: 'merged-1' });
    expect(result.devices.map((d) => d.address)).toEqual(['10.0.5.1', '10.0.5.2', '10.0.5.3']);
    expect(result.findings).toHaveLength(3);
    expect(result.skipped).toHaveLength(1);
    expect(result.errors).toHaveLength(1);
    expect(result.summary).toEqual(summarise(result.devices, result.findings));
    expect(result.summary.findings.fail).toBe(3);
    expect(result.run).toMatchObject({ id: 'merged-1', partial: false, merged: { shards: 3, runs: ['shard-0', 'shard-1', 'shard-2'] }, startedAt: '2026-11-25T03:00:00.000Z' });
    expect(result.run.shard).toBeUndefined();
    expect(result.run.capabilities.notices[0]).toBe('merged from 3 shards');
    expect(notices).toEqual([]);
    expect(scanResultSchema.safeParse(JSON.parse(JSON.stringify(result))).success).toBe(true);
  });

  it('a missing shard makes the result partial and says which', () => {
    const { result, notices } = mergeResults({ results: [shard(0, 3, '10.0.5.1'), shard(2, 3, '10.0.5.3')], id: 'm' });
    expect(result.run.partial).toBe(true);
    expect(notices).toEqual(['shard 1/3 missing: the merged result is partial']);
  });

  it('refuses the same shard twice and shards of different splits', () => {
    expect(() => mergeResults({ results: [shard(0, 2, '10.0.5.1'), shard(0, 2, '10.0.5.2')], names: ['a.json', 'b.json'], id: 'm' }))
      .toThrow(/shard 0\/2 is given twice \(a\.json and b\.json\)/);
    expect(() => mergeResults({ results: [shard(0, 2, '10.0.5.1'), shard(1, 3, '10.0.5.2')], id: 'm' })).toThrow(UsageError);
    expect(() => mergeResults({ results: [], id: 'm' })).toThrow(UsageError);
  });

  it('a device in two inputs is kept once, from the later run, with that run\'s findings', () => {
    const early = makeResult({ id: 'early', startedAt: '2026-11-25T01:00:00.000Z', devices: [{ address: '10.0.5.9', services: [23] }],
      findings: [{ device: '10.0.5.9', check: 'telnet-default-credentials', status: 'fail', port: 23 }] });
    const late = makeResult({ id: 'late', startedAt: '2026-11-25T02:00:00.000Z', devices: [{ address: '10.0.5.9', services: [22] }],
      findings: [{ device: '10.0.5.9', check: 'ssh-configuration', status: 'pass', port: 22 }] });
    const { result, notices } = mergeResults({ results: [late, early], id: 'm' });
    expect(result.devices).toHaveLength(1);
    expect(result.devices[0]!.services.map((s) => s.port)).toEqual([22]);
    expect(result.findings.map((f) => f.check)).toEqual(['ssh-configuration']);
    expect(notices[0]).toMatch(/appeared in more than one input/);
  });
});

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;

describe('iotcop merge (built CLI)', () => {
  it('merges shard files into one report and stores the merged run; an invalid file is one line, exit 2', () => {
    if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-merge-'));
    const files = [0, 1].map((i) => {
      const f = join(dir, `shard-${i}.json`);
      writeFileSync(f, JSON.stringify(shard(i, 2, `10.0.5.${i + 1}`, { id: `00000000-0000-4000-8000-00000000000${i}` })));
      return f;
    });
    const db = join(dir, 'h.db');
    const out = join(dir, 'out');
    const r = spawnSync(process.execPath, [main, 'merge', ...files, '--format', 'json,html', '--out', out, '--db', db], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/merged run saved in the history as #1/);
    expect(r.status).toBe(1); // the shards' failed critical checks, --fail-on high from their options
    const json = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const merged = JSON.parse(readFileSync(join(out, json), 'utf8'));
    expect(merged.run.merged.shards).toBe(2);
    expect(merged.devices.map((d: { address: string }) => d.address)).toEqual(['10.0.5.1', '10.0.5.2']);
    expect(readdirSync(out).some((f) => f.endsWith('.html'))).toBe(true);
    const hist = spawnSync(process.execPath, [main, 'history', '--db', db, '--json'], { encoding: 'utf8' });
    expect(JSON.parse(hist.stdout)[0]).toMatchObject({ seq: 1, mergedShards: 2, devices: 2 });

    const missing = spawnSync(process.execPath, [main, 'merge', files[0]!, '--db', db], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toBe('iotcop: shard 1/2 missing: the merged result is partial; give every shard, or --allow-missing');

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ schemaVersion: 1, tool: { name: 'iotcop' } }));
    const invalid = spawnSync(process.execPath, [main, 'merge', bad, files[0]!, '--no-history'], { encoding: 'utf8' });
    expect(invalid.status).toBe(2);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    expect(invalid.stderr).toMatch(/^iotcop: .*bad\.json is not an iotcop JSON result/);
  });
});
