/**
 * The JSON report written in pieces (a 250-device report is never one 13 MB string): the pieces
 * joined are exactly JSON.stringify(result, null, 2), and writeFileAtomic writes pieces as a whole file.
 */
import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScanResult } from '../../src/report/model.js';
import { jsonPieces } from '../../src/json-pieces.js';
import { jsonChunks } from '../../src/report/render/json.js';
import { render, renderChunks } from '../../src/report/render/index.js';
import { writeFileAtomic } from '../../src/cli/output.js';
import { emptyResult, richResult } from './fixtures/rich-result.js';

const exact = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

describe('JSON report in pieces', () => {
  it('joins to exactly JSON.stringify(result, null, 2) for the rich and the empty result', () => {
    for (const r of [richResult(), emptyResult()]) {
      const pieces = [...jsonChunks(r)];
      expect(pieces.join('')).toBe(exact(r));
      expect(render('json', r, { color: false })).toBe(exact(r));
    }
  });

  it('follows JSON.stringify on what it leaves out or changes (undefined, functions, toJSON, nesting), indented and compact', () => {
    const odd = {
      a: undefined, b: () => 1, c: [undefined, () => 2, new Date(0), { toJSON: (k: string) => `key ${k}` }],
      d: { e: { f: { g: [1, { h: 'x\ny "z"' }] } }, empty: {}, none: [] }, s: new String('boxed'), n: null,
      '\u2028odd key\n': 'ok', nested: [[[], {}], [[1, 2], { x: [3] }]],
    };
    expect([...jsonChunks(odd as unknown as ScanResult)].join('')).toBe(exact(odd));
    for (const depth of [0, 1, 2, 3, 6]) {
      expect([...jsonPieces(odd, 0, depth)].join('')).toBe(JSON.stringify(odd));
      expect([...jsonPieces(odd, 4, depth)].join('')).toBe(JSON.stringify(odd, null, 4));
    }
    expect([...jsonPieces([undefined, 'x'])].join('')).toBe(JSON.stringify([undefined, 'x']));
    expect([...jsonPieces(undefined)]).toEqual([]);
  });

  it('comes a device at a time: no piece of a large result holds more than one device', () => {
    const r = richResult();
    const many = { ...r, devices: Array.from({ length: 200 }, (_, i) => ({ ...r.devices[0]!, address: `10.99.${i >> 8}.${i & 255}` })) };
    const pieces = [...jsonChunks(many)];
    const total = pieces.join('').length;
    expect(total).toBeGreaterThan(200 * JSON.stringify(many.devices[0]).length);
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(total / 20);
    const addresses = pieces.map((p) => new Set(p.match(/"10\.99\.\d+\.\d+"/g)).size);
    expect(addresses.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(200);
    expect(Math.max(...addresses)).toBe(1);
  });

  it('is written whole by writeFileAtomic, and a failure part-way leaves no file behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-chunks-'));
    const r = richResult();
    const file = join(dir, 'r.json');
    await writeFileAtomic(file, renderChunks('json', r, { color: false }));
    expect(readFileSync(file, 'utf8')).toBe(exact(r));
    function* broken(): Generator<string> { yield 'x'.repeat(100_000); throw new Error('renderer failed'); }
    await expect(writeFileAtomic(join(dir, 'broken.json'), broken())).rejects.toThrow(/cannot write .*broken\.json: renderer failed/);
    expect(readdirSync(dir)).toEqual(['r.json']);
  });

  it('leaves the other formats as one piece', () => {
    const r = richResult();
    expect([...renderChunks('csv', r, { color: false })]).toEqual([render('csv', r, { color: false })]);
  });
});
