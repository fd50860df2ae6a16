/** The registry's meta rules (test/probes/registry.test.ts), for probes not yet registered. */
import { isGuidelineId, isProvision } from '../../../src/guidelines/catalogue.js';
import type { AnyProbe } from '../../../src/probes/contract.js';
import { SEVERITIES } from '../../../src/report/model.js';

export function expectValidMeta(probe: AnyProbe, id: string): void {
  const m = probe.meta;
  expect(m.id).toBe(id);
  expect(m.budget.maxConnections).toBeGreaterThan(0);
  for (const port of m.appliesTo.ports ?? []) expect(port === 515 || (port >= 9100 && port <= 9107)).toBe(false);
  for (const [checkId, c] of Object.entries(m.checks)) {
    expect(checkId).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/);
    for (const text of [c.title, c.failureTitle, c.summary, c.description, c.remediation]) expect(text.trim()).not.toBe('');
    expect(c.guidelines.length).toBeGreaterThan(0);
    expect(c.guidelines.every((g) => isGuidelineId(g))).toBe(true);
    expect(c.provisions.length).toBeGreaterThan(0);
    expect(c.provisions.filter((p) => !isProvision(p))).toEqual([]);
    expect(SEVERITIES).toContain(c.severity);
  }
}
