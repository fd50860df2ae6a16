import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CATALOG_BEGIN, checkProbes, probeGuidelines, renderCatalog, withCatalog } from '../../src/probes/catalog.js';
import { PROBES } from '../../src/probes/registry.js';
import { DEFAULT_TCP_PORTS, DEFAULT_UDP_PORTS } from '../../src/data/ports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const docUrl = `${root}docs/CHECKS.md`;

describe('the probe catalogue', () => {
  it('docs/CHECKS.md holds the catalogue generated from the registry (UPDATE_DOCS=1 rewrites it)', () => {
    const doc = readFileSync(docUrl, 'utf8');
    const generated = withCatalog(doc, PROBES);
    if (process.env.UPDATE_DOCS === '1') writeFileSync(docUrl, generated);
    expect(readFileSync(docUrl, 'utf8')).toBe(generated);
  });

  it('lists every check of every probe once, with its guidelines', () => {
    const table = renderCatalog(PROBES);
    const checks = Object.keys(checkProbes(PROBES));
    expect(checks.length).toBeGreaterThan(40);
    for (const c of checks) expect(table).toContain(`| ${c} |`);
    expect(table.startsWith(CATALOG_BEGIN)).toBe(true);
    expect(probeGuidelines(PROBES.find((p) => p.meta.id === 'tls-heartbleed')!)).toEqual([5, 3]);
    expect(() => withCatalog('no markers', PROBES)).toThrow(/markers/);
  });

  it('every probe has its own test file, and every port it names is scanned by default (src/data/ports.ts)', () => {
    const scanned = new Set([...DEFAULT_TCP_PORTS, ...DEFAULT_UDP_PORTS].map((e) => `${e.port}/${e.transport}`));
    for (const p of PROBES) {
      expect([p.meta.id, existsSync(`${root}test/probes/${p.meta.id}.test.ts`)]).toEqual([p.meta.id, true]);
      const transports = p.meta.appliesTo.transport ? [p.meta.appliesTo.transport] : ['tcp', 'udp'];
      for (const port of p.meta.appliesTo.ports ?? []) {
        expect([p.meta.id, port, transports.some((t) => scanned.has(`${port}/${t}`))]).toEqual([p.meta.id, port, true]);
      }
    }
  });
});
