/**
 * The probe and check catalogue of docs/CHECKS.md, generated from the registry (pure): one row per check
 * with its probe, where it applies, its safety level, guidelines and EN 303 645 provisions. The lab's truth
 * tables and the docs are derived from the same meta, so they cannot drift from what the probes report.
 * test/probes/catalog.test.ts fails when the file is out of date; `npm run docs` rewrites it.
 */
import type { AnyProbe, AppliesTo } from './contract.js';

export const CATALOG_BEGIN = '<!-- generated from src/probes/registry.ts by `npm run docs`: do not edit by hand -->';
export const CATALOG_END = '<!-- end of generated catalogue -->';

function appliesText(a: AppliesTo): string {
  if (a.scope === 'run') return 'once per scan, across devices';
  if (a.scope === 'host') return `each device${a.ports?.length ? ` (ports ${a.ports.join(', ')})` : ''}`;
  const what = a.tls ? 'any TLS service' : `${(a.services ?? []).slice(0, 4).join(', ') || 'any'} service`;
  const ports = a.ports?.length ? ` (${a.ports.slice(0, 6).join(', ')}${a.ports.length > 6 ? ', …' : ''}${a.transport === 'udp' ? '/udp' : ''})` : '';
  return `${what}${ports}`;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** Guideline numbers a probe's checks name, in order of first appearance. */
export function probeGuidelines(p: AnyProbe): number[] {
  return [...new Set(Object.values(p.meta.checks).flatMap((c) => c.guidelines.map((g) => Number(g.replace('uk-cop-', '')))))];
}

/** check id → probe id, over every registered probe. */
export function checkProbes(probes: readonly AnyProbe[]): Record<string, string> {
  return Object.fromEntries(probes.flatMap((p) => Object.keys(p.meta.checks).map((c) => [c, p.meta.id])));
}

export function renderCatalog(probes: readonly AnyProbe[]): string {
  const rows = ['| probe (file) | applies to | safety | check | guidelines | EN 303 645 |', '|---|---|---|---|---|---|'];
  for (const p of probes) {
    for (const [id, c] of Object.entries(p.meta.checks)) {
      rows.push(`| ${p.meta.id} | ${cell(appliesText(p.meta.appliesTo))} | ${p.meta.safety} | ${id} | ${c.guidelines.map((g) => g.replace('uk-cop-', '')).join(', ')} | ${c.provisions.join(', ')} |`);
    }
  }
  return `${CATALOG_BEGIN}\n${rows.join('\n')}\n${CATALOG_END}`;
}

/** The document with its generated section replaced (throws when the markers are missing). */
export function withCatalog(doc: string, probes: readonly AnyProbe[]): string {
  const a = doc.indexOf(CATALOG_BEGIN);
  const b = doc.indexOf(CATALOG_END);
  if (a < 0 || b < a) throw new Error('docs/CHECKS.md has no generated-catalogue markers');
  return `${doc.slice(0, a)}${renderCatalog(probes)}${doc.slice(b + CATALOG_END.length)}`;
}
