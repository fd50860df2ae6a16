import { defineProbe, type AnyProbe, type AppliesTo, type CheckResult, type ProbeContext } from '../../src/probes/contract.js';
import type { Device, Json, Safety, Service } from '../../src/report/model.js';

export function fakeProbe(
  id: string,
  options: {
    scope?: AppliesTo['scope'];
    appliesTo?: Omit<AppliesTo, 'scope'>;
    safety?: Safety;
    maxConnections?: number;
    timeoutMs?: number;
    typicalMs?: number;
    collect?: (ctx: ProbeContext) => Promise<Json>;
    assess?: (evidence: Json) => CheckResult[];
    guidelines?: `uk-cop-${1 | 2 | 3 | 4 | 5 | 6 | 8 | 13}`[];
  } = {},
): AnyProbe {
  return defineProbe<Json>({
    meta: {
      id,
      title: `fake ${id}`,
      safety: options.safety ?? 'safe',
      appliesTo: { scope: options.scope ?? 'service', ...options.appliesTo },
      budget: { maxConnections: options.maxConnections ?? 4, timeoutMs: options.timeoutMs ?? 2_000, ...(options.typicalMs !== undefined ? { typicalMs: options.typicalMs } : {}) },
      checks: {
        [id]: {
          title: 'ok', failureTitle: 'not ok', summary: 's', guidelines: options.guidelines ?? ['uk-cop-6'],
          provisions: ['5.6-1'], severity: 'medium', description: 'd', remediation: 'r',
        },
      },
    },
    collect: options.collect ?? (async () => ({ ok: true })),
    assess: options.assess ?? (() => [{ check: id, status: 'pass' }]),
  });
}

export function service(port: number, name?: string, extra: Partial<Service> = {}): Service {
  return { port, transport: 'tcp', state: 'open', ...(name ? { name } : {}), ...extra };
}

export function device(address: string, services: Service[] = []): Device {
  return {
    address,
    hostnames: [],
    name: address,
    identification: { type: 'unknown', confidence: 'low', sources: [] },
    services,
  };
}
