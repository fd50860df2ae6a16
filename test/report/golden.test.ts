/**
 * Golden files: every renderer's output for the rich fixture, compared byte for byte.
 * Regenerate after an intended change with
 *   UPDATE_GOLDEN=1 NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects unit -- test/report/golden.test.ts
 * and review the diff of test/report/golden/ like code.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { FORMATS, render, type Format } from '../../src/report/render/index.js';
import { richResult } from './fixtures/rich-result.js';

const dir = new URL('./golden/', import.meta.url);
const NOW = new Date('2024-05-01T15:00:00Z');
const update = process.env.UPDATE_GOLDEN === '1';

const cases: { file: string; format: Format; color: boolean }[] = [
  ...FORMATS.map((f) => ({ file: `rich.${f.extension}`, format: f.name, color: false })),
  { file: 'rich.color.txt', format: 'terminal', color: true },
];

describe('golden files', () => {
  for (const c of cases) {
    it(`${c.format}${c.color ? ' (colour)' : ''} matches ${c.file}`, () => {
      const out = render(c.format, richResult(), { color: c.color, now: NOW });
      const url = new URL(c.file, dir);
      if (update) {
        mkdirSync(dir, { recursive: true });
        writeFileSync(url, out);
      }
      if (!existsSync(url)) throw new Error(`missing golden file ${c.file}: run with UPDATE_GOLDEN=1 once and review it`);
      expect(out).toBe(readFileSync(url, 'utf8'));
    });
  }

  it('rendering is deterministic and does not modify the result', () => {
    const result = richResult();
    const before = JSON.stringify(result);
    for (const f of FORMATS) {
      const a = render(f.name, result, { color: true, now: NOW });
      const b = render(f.name, result, { color: true, now: NOW });
      expect(a).toBe(b);
    }
    expect(JSON.stringify(result)).toBe(before);
  });

  it('without `now`, the report time is the end of the run (no clock read)', () => {
    const r = richResult();
    expect(render('html', r, { color: false })).toBe(render('html', r, { color: false, now: new Date(r.run.finishedAt) }));
    expect(render('html', r, { color: false })).not.toBe(render('html', r, { color: false, now: NOW }));
  });
});
