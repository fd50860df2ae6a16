/**
 * Meta-test of the probe registry (issue 5, point 1). It loops over PROBES and over every file in
 * src/probes/*.ts that calls defineProbe, so a probe file missing from the registry fails here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isGuidelineId, isProvision } from '../../src/guidelines/catalogue.js';
import type { AnyProbe } from '../../src/probes/contract.js';
import { PROBE_IDS } from '../../src/probes/ids.js';
import { PROBES, probeById } from '../../src/probes/registry.js';
import { SAFETY_LEVELS, SEVERITIES } from '../../src/report/model.js';

const probesDir = join(dirname(fileURLToPath(import.meta.url)), '../../src/probes');
const NOT_PROBES = new Set(['contract.ts', 'registry.ts']);
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Files in src/probes/ (top level) that call defineProbe(...). */
function probeFiles(): string[] {
  return readdirSync(probesDir)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !NOT_PROBES.has(f))
    .filter((f) => /\bdefineProbe\s*(<[^>]*>)?\s*\(/.test(readFileSync(join(probesDir, f), 'utf8')))
    .sort();
}

function isProbe(v: unknown): v is AnyProbe {
  return typeof v === 'object' && v !== null && 'meta' in v && 'collect' in v && 'assess' in v;
}

describe('probe registry', () => {
  const files = probeFiles();
  const ids = PROBES.map((p) => p.meta.id);

  it('lists exactly the probe files of src/probes/, one each, sorted by id', () => {
    expect(ids).toEqual(files.map((f) => basename(f, '.ts')));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('matches PROBE_IDS, the list --only/--skip are checked against without loading the probes', () => {
    expect([...PROBE_IDS]).toEqual(ids);
  });

  it('registers the very object each probe file exports, and that object is named after its file', async () => {
    for (const f of files) {
      const mod = (await import(pathToFileURL(join(probesDir, f)).href)) as Record<string, unknown>;
      const exported = Object.values(mod).filter(isProbe);
      expect({ file: f, exportsAProbe: exported.length > 0 }).toEqual({ file: f, exportsAProbe: true });
      for (const p of exported) {
        expect({ file: f, id: p.meta.id }).toEqual({ file: f, id: basename(f, '.ts') });
        expect(PROBES).toContain(p);
      }
    }
  });

  it('finds probeById for every registered probe and nothing else', () => {
    for (const p of PROBES) expect(probeById(p.meta.id)).toBe(p);
    expect(probeById('no-such-probe')).toBeUndefined();
  });

  // One test per registered probe (none while the registry is empty; the tests above still assert).
  for (const probe of PROBES) it(`${probe.meta.id} has valid meta`, () => {
    const m = probe.meta;
    expect(m.id).toMatch(KEBAB);
    expect(m.title.trim()).not.toBe('');
    expect(SAFETY_LEVELS).toContain(m.safety);
    expect(['service', 'host', 'run']).toContain(m.appliesTo.scope);
    if (m.appliesTo.transport !== undefined) expect(['tcp', 'udp']).toContain(m.appliesTo.transport);
    for (const port of m.appliesTo.ports ?? []) {
      expect(Number.isInteger(port) && port >= 1 && port <= 65535).toBe(true);
      // Raw printer ports are never probed (DESIGN.md).
      expect(port === 515 || (port >= 9100 && port <= 9107)).toBe(false);
    }
    expect(Number.isInteger(m.budget.maxConnections) && m.budget.maxConnections > 0).toBe(true);
    expect(Number.isFinite(m.budget.timeoutMs) && m.budget.timeoutMs > 0).toBe(true);
    const checks = Object.entries(m.checks);
    expect(checks.length).toBeGreaterThanOrEqual(1);
    for (const [checkId, c] of checks) {
      expect(checkId).toMatch(KEBAB);
      for (const text of [c.title, c.failureTitle, c.summary, c.description, c.remediation]) {
        expect(typeof text === 'string' && text.trim() !== '').toBe(true);
      }
      expect(c.guidelines.length).toBeGreaterThanOrEqual(1);
      expect(c.guidelines.every((g) => isGuidelineId(g))).toBe(true);
      expect(c.provisions.length).toBeGreaterThanOrEqual(1);
      expect(c.provisions.filter((p) => !isProvision(p))).toEqual([]);
      expect(SEVERITIES).toContain(c.severity);
    }
    expect(typeof probe.collect).toBe('function');
    expect(typeof probe.assess).toBe('function');
  });

  it('has no check id claimed by two probes', () => {
    const owners = new Map<string, string>();
    for (const p of PROBES) {
      for (const checkId of Object.keys(p.meta.checks)) {
        expect({ check: checkId, owner: owners.get(checkId) ?? p.meta.id }).toEqual({ check: checkId, owner: p.meta.id });
        owners.set(checkId, p.meta.id);
      }
    }
  });
});
