/**
 * The probe tester: a table-driven harness, in the spirit of ESLint's RuleTester, for a probe's two halves.
 * - `collectCases(probe, cases)`: each case starts a scripted fake, runs collect against it through the real
 *   net layer (credContext: loopback, a budget, a deadline), judges the evidence with assess, and hands
 *   both to the case's `expect`, then closes the fake whatever happened.
 * - `assessCases(probe, cases)`: assess on hand-built evidence, with the statuses each check must get.
 * Cases are data; a probe's own test file only lists them.
 */
import { expect, it } from '@jest/globals';
import type { AnyProbe, AssessInput, CheckResult, CredentialPair } from '../../../src/probes/contract.js';
import type { CheckStatus, Device, Json, Service } from '../../../src/model.js';
import { assessInput, credContext } from './credential-context.js';

export interface Started { service: Service; device?: Device; close(): Promise<void> }

export interface CollectRun { evidence: Json; results: CheckResult[]; service: Service; connections: number }

export interface CollectCase {
  name: string;
  start(): Promise<Started>;
  credentials?: CredentialPair[];
  maxGuesses?: number;
  expect(run: CollectRun): void;
  timeoutMs?: number;
}

export async function runCollect(probe: AnyProbe, c: Omit<CollectCase, 'name' | 'expect'>): Promise<CollectRun> {
  const started = await c.start();
  try {
    const t = credContext({
      service: started.service, ...(started.device ? { device: started.device } : {}),
      ...(c.credentials ? { credentials: c.credentials } : {}), maxGuesses: c.maxGuesses ?? 10,
      maxConnections: probe.meta.budget.maxConnections, deadlineMs: probe.meta.budget.timeoutMs,
    });
    const evidence = await probe.collect(t.ctx);
    const results = probe.assess(evidence, assessInput(t.ctx.device, started.service));
    return { evidence, results, service: started.service, connections: t.connections.length };
  } finally {
    await started.close();
  }
}

export function collectCases(probe: AnyProbe, cases: readonly CollectCase[]): void {
  for (const c of cases) {
    it(c.name, async () => { c.expect(await runCollect(probe, c)); }, c.timeoutMs ?? 30_000);
  }
}

export interface AssessCase {
  name: string;
  evidence: Json;
  input: AssessInput;
  /** Status per check id; checks not named are not looked at. */
  statuses: Record<string, CheckStatus>;
}

export function assessCases(probe: AnyProbe, cases: readonly AssessCase[]): void {
  for (const c of cases) {
    it(c.name, () => {
      const got = probe.assess(c.evidence, c.input);
      const seen = Object.fromEntries(Object.keys(c.statuses).map((check) => [check, got.find((r) => r.check === check)?.status ?? 'missing']));
      expect(seen).toEqual(c.statuses);
    });
  }
}
