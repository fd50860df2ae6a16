/**
 * plan (pure): which probe runs on which service, host or run, and why every other combination does
 * not. Nothing here touches the network or the clock; the same input gives the same jobs in
 * the same order with the same ids.
 *
 * Reasons, in the order they are decided:
 *   deselected          --only/--skip on the command line, or only/skip of the device in targets.yaml
 *   no-matching-service the device has no open service the probe applies to
 *   fragile-port        the matching service is on a raw printer port (9100–9107, 515): never probed
 *   no-answer           the matching service is a UDP port that answered neither the port scan nor
 *                       discovery's protocol request (open|filtered): not shown to be a service, so
 *                       nothing is sent to it and nothing about it can pass
 *   above-safety-level  the probe's safety level is above the chosen one
 */
import type { AnyProbe } from '../probes/contract.js';
import type { Device, Safety, Service, Skipped } from '../model.js';
import { SAFETY_LEVELS, THIS_COMPUTER_NOT_CHECKED } from '../model.js';
import { isFragilePort } from '../net/scope.js';

export interface PlanSettings {
  safety: Safety;
  /** Selectors from --only (empty = everything). A selector is a probe id, a check id or a guideline id. */
  only: string[];
  /** Selectors from --skip. */
  skip: string[];
  /** only/skip for this device from targets.yaml (planDevice only). */
  deviceOnly?: string[];
  deviceSkip?: string[];
  /** Check the computer running iotcop too (--include-self, an entry for it in targets.yaml, or its address as a target). */
  includeSelf?: boolean;
}

/** Per-device selection the runner asks for each device (command line lists plus targets.yaml's). */
export type DeviceSelection = Omit<PlanSettings, 'safety'>;

export type JobScope = 'service' | 'host' | 'run';

export interface Job {
  /** Deterministic: `probe@address:port/transport`, `probe@address` (host) or `probe@*` (run). */
  id: string;
  probe: AnyProbe;
  scope: JobScope;
  /** Absent for run-scope jobs. */
  device?: Device;
  service?: Service;
}

export interface Plan {
  jobs: Job[];
  skipped: Skipped[];
}

export function safetyRank(s: Safety): number {
  return SAFETY_LEVELS.indexOf(s);
}

export function jobId(probeId: string, address?: string, service?: Pick<Service, 'port' | 'transport'>): string {
  if (address === undefined) return `${probeId}@*`;
  if (!service) return `${probeId}@${address}`;
  return `${probeId}@${address}:${service.port}/${service.transport}`;
}

/** True when `selector` names the probe, one of its checks, or a guideline one of its checks maps to. */
export function selects(probe: AnyProbe, selector: string): boolean {
  const s = selector.trim().toLowerCase();
  if (s === '') return false;
  if (probe.meta.id === s) return true;
  const checks = Object.entries(probe.meta.checks);
  return checks.some(([id, c]) => id === s || c.guidelines.some((g) => g === s));
}

/** Selectors that match no probe (for the CLI to reject typos). */
export function unknownSelectors(probes: readonly AnyProbe[], selectors: readonly string[]): string[] {
  return selectors.filter((s) => !probes.some((p) => selects(p, s)));
}

function deselection(probe: AnyProbe, only: readonly string[] | undefined, skip: readonly string[] | undefined, where: string): string | undefined {
  if (only && only.length > 0 && !only.some((s) => selects(probe, s))) return `not selected by ${where} only (${only.join(', ')})`;
  const hit = skip?.find((s) => selects(probe, s));
  if (hit !== undefined) return `deselected by ${where} skip (${hit})`;
  return undefined;
}

function whyDeselected(probe: AnyProbe, settings: PlanSettings, perDevice: boolean): string | undefined {
  return deselection(probe, settings.only, settings.skip, 'the command line')
    ?? (perDevice ? deselection(probe, settings.deviceOnly, settings.deviceSkip, 'targets.yaml') : undefined);
}

function aboveSafety(probe: AnyProbe, settings: PlanSettings): string | undefined {
  return safetyRank(probe.meta.safety) > safetyRank(settings.safety)
    ? `needs safety level "${probe.meta.safety}", the run uses "${settings.safety}"`
    : undefined;
}

/** Whether a service matches a probe's appliesTo (transport, then service name, port or TLS). */
export function serviceMatches(probe: AnyProbe, service: Service): boolean {
  const a = probe.meta.appliesTo;
  if (a.transport && a.transport !== service.transport) return false;
  const hasFilter = (a.services?.length ?? 0) > 0 || (a.ports?.length ?? 0) > 0 || a.tls === true;
  if (!hasFilter) return true;
  const name = service.name?.toLowerCase();
  if (name !== undefined && a.services?.some((s) => s.toLowerCase() === name)) return true;
  if (a.ports?.includes(service.port)) return true;
  if (a.tls === true && service.tls?.enabled === true) return true;
  return false;
}

function hasFilter(probe: AnyProbe): boolean {
  const a = probe.meta.appliesTo;
  return (a.services?.length ?? 0) > 0 || (a.ports?.length ?? 0) > 0 || a.tls === true;
}

function describeAppliesTo(probe: AnyProbe): string {
  const a = probe.meta.appliesTo;
  const parts: string[] = [];
  if (a.services?.length) parts.push(`services ${a.services.join(', ')}`);
  if (a.ports?.length) parts.push(`ports ${a.ports.join(', ')}`);
  if (a.tls) parts.push('any TLS service');
  const what = parts.length ? parts.join(' or ') : 'any service';
  return a.transport ? `${what} over ${a.transport}` : what;
}

/** Services in port order, one per port and transport (a duplicate would give two jobs with one id). */
function sortedServices(device: Device): Service[] {
  const seen = new Set<string>();
  return [...device.services]
    .sort((x, y) => x.port - y.port || x.transport.localeCompare(y.transport))
    .filter((s) => {
      const key = `${s.port}/${s.transport}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function skip(probe: AnyProbe, reason: Skipped['reason'], detail: string, device?: Device, service?: Service): Skipped {
  const s: Skipped = { probe: probe.meta.id, reason, detail };
  if (device) s.device = device.address;
  if (service) { s.port = service.port; s.transport = service.transport; }
  return s;
}

/** Service- and host-scope jobs for one device. */
export function planDevice(probes: readonly AnyProbe[], device: Device, settings: PlanSettings): Plan {
  const jobs: Job[] = [];
  const skipped: Skipped[] = [];
  if (device.thisComputer && !settings.includeSelf) {
    // The scanning machine is not what the user came to check; one entry says so (not one per probe).
    skipped.push({ probe: '*', device: device.address, reason: 'this-computer', detail: THIS_COMPUTER_NOT_CHECKED });
    return { jobs, skipped };
  }
  const services = sortedServices(device);
  for (const probe of probes) {
    const scope = probe.meta.appliesTo.scope;
    if (scope === 'run') continue;
    const deselected = whyDeselected(probe, settings, true);
    if (deselected) { skipped.push(skip(probe, 'deselected', deselected, device)); continue; }
    const matching = services.filter((s) => serviceMatches(probe, s));
    const tooRisky = aboveSafety(probe, settings);

    if (scope === 'host') {
      if (hasFilter(probe) && matching.length === 0) {
        skipped.push(skip(probe, 'no-matching-service', `no open service matches (${describeAppliesTo(probe)})`, device));
      } else if (tooRisky) {
        skipped.push(skip(probe, 'above-safety-level', tooRisky, device));
      } else {
        jobs.push({ id: jobId(probe.meta.id, device.address), probe, scope, device });
      }
      continue;
    }

    if (matching.length === 0) {
      skipped.push(skip(probe, 'no-matching-service', `no open service matches (${describeAppliesTo(probe)})`, device));
      continue;
    }
    for (const service of matching) {
      if (service.transport === 'udp' && service.state === 'open|filtered') {
        skipped.push(skip(probe, 'no-answer', `port ${service.port}/udp answered neither the port scan nor discovery's protocol request (open|filtered): no service there is confirmed, so it was not tested`, device, service));
      } else if (isFragilePort(service.port)) {
        skipped.push(skip(probe, 'fragile-port', `port ${service.port} is a raw printer port: nothing is sent to it`, device, service));
      } else if (tooRisky) {
        skipped.push(skip(probe, 'above-safety-level', tooRisky, device, service));
      } else {
        jobs.push({ id: jobId(probe.meta.id, device.address, service), probe, scope, device, service });
      }
    }
  }
  return { jobs: longestFirst(jobs), skipped };
}

/**
 * The host's jobs, those with the longest typical time first (stable: otherwise probe and port order).
 * With two jobs at a time per host, the last to start decides when the host is done (longest processing
 * time first).
 */
function longestFirst(jobs: Job[]): Job[] {
  return jobs.map((job, i) => ({ job, i, t: job.probe.meta.budget.typicalMs ?? 0 }))
    .sort((a, b) => b.t - a.t || a.i - b.i)
    .map((x) => x.job);
}

/** Run-scope jobs (once per scan, after every device); `devices` are for the record only. */
export function planRun(probes: readonly AnyProbe[], _devices: readonly Device[], settings: PlanSettings): Plan {
  const jobs: Job[] = [];
  const skipped: Skipped[] = [];
  for (const probe of probes) {
    if (probe.meta.appliesTo.scope !== 'run') continue;
    const deselected = whyDeselected(probe, settings, false);
    if (deselected) { skipped.push(skip(probe, 'deselected', deselected)); continue; }
    const tooRisky = aboveSafety(probe, settings);
    if (tooRisky) { skipped.push(skip(probe, 'above-safety-level', tooRisky)); continue; }
    jobs.push({ id: jobId(probe.meta.id), probe, scope: 'run' });
  }
  return { jobs, skipped };
}

/**
 * The whole plan: every device's jobs (per-device selection from `selectionFor`, else the global lists),
 * then the run-scope jobs.
 */
export function plan(
  probes: readonly AnyProbe[], devices: readonly Device[], settings: PlanSettings,
  selectionFor?: (device: Device) => DeviceSelection | undefined,
): Plan {
  const jobs: Job[] = [];
  const skipped: Skipped[] = [];
  for (const device of devices) {
    const p = planDevice(probes, device, { ...settings, ...selectionFor?.(device), safety: settings.safety });
    jobs.push(...p.jobs);
    skipped.push(...p.skipped);
  }
  const r = planRun(probes, devices, settings);
  return { jobs: [...jobs, ...r.jobs], skipped: [...skipped, ...r.skipped] };
}
