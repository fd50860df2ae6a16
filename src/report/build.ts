/**
 * Builds the ScanResult from what the scheduler did (pure): check results become findings with stable
 * ids and the catalogue's titles; jobs that errored or never ran become `error`/`not_tested` findings for
 * each of their checks (never `pass`); credentials are masked unless revealed; then the roll-up.
 */
import { createHash } from 'node:crypto';
import type { CheckMeta, CheckResult, DeviceConfig, ProbeMeta } from '../probes/contract.js';
import {
  type Device, type DeviceResult, type ErrorKind, type Finding, type RunError, type RunInfo, type ScanResult,
  type Skipped, type Transport, SCHEMA_VERSION, THIS_COMPUTER_NOT_CHECKED,
} from '../model.js';
import { pstiStatus, rollUp, summarise } from '../guidelines/rollup.js';
import { maskSecret } from '../text.js';

/** What the scheduler reports for one job (the scheduler's JobOutcome satisfies this). */
export interface OutcomeLike {
  probe: string;
  device: string;
  port?: number;
  transport?: Transport;
  status: 'done' | 'error' | 'not_tested';
  results: CheckResult[];
  error?: { kind: ErrorKind; message: string };
}

export function stableFindingId(deviceKey: string, check: string, port?: number, transport?: Transport): string {
  const h = createHash('sha256').update([deviceKey, check, port ?? '', transport ?? ''].join('|')).digest('hex');
  return h.slice(0, 16);
}

export { maskSecret } from '../text.js';

function deviceKey(d: Device | undefined, address: string): string {
  return d?.mac ? d.mac.toLowerCase() : address;
}

export interface BuildInput {
  run: RunInfo;
  toolVersion: string;
  devices: Device[];
  outcomes: OutcomeLike[];
  probes: ReadonlyMap<string, ProbeMeta>;
  skipped: Skipped[];
  errors: RunError[];
  revealCredentials: boolean;
  unresponsive?: string[];
  configFor?: (device: Device) => DeviceConfig | undefined;
  safety: 'safe' | 'credentials' | 'intrusive';
  now: Date;
}

function toFinding(
  meta: ProbeMeta, checkId: string, check: CheckMeta, r: Partial<CheckResult> & Pick<CheckResult, 'status'>,
  o: OutcomeLike, devices: Map<string, Device>, reveal: boolean,
): Finding {
  const address = r.device ?? o.device;
  const port = r.port ?? o.port;
  const transport = r.transport ?? o.transport;
  const bad = r.status === 'fail' || r.status === 'warn';
  const title = r.title ?? (bad ? check.failureTitle : check.title);
  const f: Finding = {
    id: stableFindingId(deviceKey(devices.get(address), address), checkId, port, transport),
    check: checkId,
    probe: meta.id,
    device: address,
    status: r.status,
    severity: bad ? (r.severity ?? check.severity) : 'info',
    confidence: r.confidence ?? 'high',
    title,
    description: r.detail ? `${r.detail} ${check.description}` : check.description,
    remediation: check.remediation,
    guidelines: check.guidelines,
    provisions: check.provisions,
    evidence: r.evidence ?? null,
  };
  if (bad) f.summary = check.summary;
  else if (r.status === 'partial') f.summary = PARTIAL_SUMMARY;
  if (port !== undefined) f.port = port;
  if (transport !== undefined) f.transport = transport;
  if (r.credential) {
    f.credential = reveal
      ? { username: r.credential.username, password: r.credential.password, masked: false }
      : { username: r.credential.username, password: maskSecret(r.credential.password), masked: true };
  }
  if (r.error) f.error = r.error;
  return f;
}

/** The plain sentence of every partly done check; its detail says what was skipped and how to finish. */
export const PARTIAL_SUMMARY = 'Only partly checked: nothing wrong was found in what was tried, but part of this check was skipped.';

export function findingsFromOutcomes(
  outcomes: OutcomeLike[], probes: ReadonlyMap<string, ProbeMeta>, devices: Device[], reveal: boolean,
): Finding[] {
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  const out: Finding[] = [];
  for (const o of outcomes) {
    const meta = probes.get(o.probe);
    if (!meta) continue;
    if (o.status === 'done') {
      for (const r of o.results) {
        const check = meta.checks[r.check];
        if (!check) {
          out.push(toFinding(meta, r.check, Object.values(meta.checks)[0]!, {
            status: 'error', error: { kind: 'internal', message: `probe returned unknown check "${r.check}"` },
          }, o, byAddress, reveal));
          continue;
        }
        out.push(toFinding(meta, r.check, check, r, o, byAddress, reveal));
      }
    } else {
      const status = o.status === 'error' ? 'error' : 'not_tested';
      for (const [checkId, check] of Object.entries(meta.checks)) {
        out.push(toFinding(meta, checkId, check, { status, ...(o.error ? { error: o.error } : {}) }, o, byAddress, reveal));
      }
    }
  }
  // The same stable id can come twice (a probe reporting a check twice on one port): keep the worst.
  const rank = { fail: 7, warn: 6, partial: 5, error: 4, info: 3, pass: 2, not_tested: 1, not_applicable: 0 } as const;
  const unique = new Map<string, Finding>();
  for (const f of out) {
    const prev = unique.get(f.id);
    if (!prev || rank[f.status] > rank[prev.status]) unique.set(f.id, f);
  }
  return [...unique.values()].sort((a, b) => a.device.localeCompare(b.device) || (a.port ?? 0) - (b.port ?? 0) || a.check.localeCompare(b.check));
}

export function buildResult(input: BuildInput): ScanResult {
  const findings = findingsFromOutcomes(input.outcomes, input.probes, input.devices, input.revealCredentials);
  const unresponsive = new Set(input.unresponsive ?? []);
  const devices: DeviceResult[] = input.devices.map((d) => {
    const own = findings.filter((f) => f.device === d.address);
    const notChecked = input.skipped.find((s) => s.device === d.address && s.reason === 'this-computer');
    const guidelines = rollUp(own, {
      safety: input.safety, partial: input.run.partial,
      ...(notChecked ? { notChecked: THIS_COMPUTER_NOT_CHECKED } : {}),
    });
    const r: DeviceResult = {
      ...d,
      guidelines,
      psti: pstiStatus(guidelines, own, input.configFor?.(d), input.now),
    };
    if (unresponsive.has(d.address)) r.unresponsive = true;
    return r;
  });
  return {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'iotcop', version: input.toolVersion },
    run: input.run,
    devices,
    findings,
    skipped: input.skipped,
    errors: input.errors,
    summary: summarise(devices, findings),
  };
}
