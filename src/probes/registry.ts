/**
 * The explicit probe registry: every probe in src/probes/<id>.ts is imported here and listed in
 * PROBES, sorted by id. test/probes/registry.test.ts fails when a probe file is not listed, when the
 * list is not sorted, or when a probe's meta is invalid.
 *
 * Empty for now: the probe helpers add their probes here (one import and one entry each, keeping
 * the array sorted by id).
 */
import type { AnyProbe } from './contract.js';

export const PROBES: readonly AnyProbe[] = [
  // sorted by meta.id
];

const byId = new Map<string, AnyProbe>(PROBES.map((p) => [p.meta.id, p]));

export function probeById(id: string): AnyProbe | undefined {
  return byId.get(id);
}
