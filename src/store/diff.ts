/**
 * What changed between two runs (pure).
 *
 * Devices are matched by MAC address where both runs know it, else by address (a device whose address
 * changed but whose MAC did not has "moved"; two different MACs on one address are two devices).
 * Services of a matched device are compared by port/transport. Findings — only problems, status fail
 * or warn — are matched by their stable id (device, check, port, transport), with the device side taken
 * from the device matching, so a device that gained a MAC between runs keeps its findings:
 * - new: a problem now that was not one before;
 * - fixed: a problem before, and now the check passed, or its port closed on a device still there;
 * - persisting: a problem in both runs;
 * - unverified: a problem before that this run could not re-check (error, not tested, not run);
 * - gone: a problem of a device that is gone.
 * Guideline verdicts are compared per matched device.
 */
import type {
  DeviceResult, DeviceType, Finding, GuidelineId, ScanResult, Service, Severity, Transport, Verdict,
} from '../model.js';
import { severityRank } from '../model.js';

export interface DeviceRef {
  address: string;
  mac?: string;
  name: string;
  type: DeviceType;
  vendor?: string;
  model?: string;
}

export interface ServiceRef {
  port: number;
  transport: Transport;
  name?: string;
  product?: string;
  version?: string;
}

export interface FindingRef {
  id: string;
  device: string;
  deviceName: string;
  check: string;
  probe: string;
  status: Finding['status'];
  severity: Severity;
  title: string;
  port?: number;
  transport?: Transport;
  guidelines: GuidelineId[];
}

export interface RunRef {
  id: string;
  startedAt: string;
  finishedAt: string;
  targets: string[];
  devices: number;
}

export interface RunDiff {
  /** null when there was no earlier run: every device and finding counts as new. */
  old: RunRef | null;
  new: RunRef;
  devices: {
    new: (DeviceRef & { services: ServiceRef[] })[];
    gone: DeviceRef[];
    moved: { device: DeviceRef; from: string }[];
    persisting: number;
  };
  services: {
    opened: { device: DeviceRef; service: ServiceRef }[];
    closed: { device: DeviceRef; service: ServiceRef }[];
    changed: { device: DeviceRef; before: ServiceRef; after: ServiceRef }[];
  };
  findings: {
    new: FindingRef[];
    fixed: (FindingRef & { how: 'passed' | 'port-closed' })[];
    persisting: FindingRef[];
    unverified: FindingRef[];
    gone: FindingRef[];
  };
  verdicts: { device: DeviceRef; guideline: GuidelineId; from: Verdict; to: Verdict }[];
  /** True when anything above changed (persisting findings alone are not a change). */
  changed: boolean;
}

const BAD = new Set<Finding['status']>(['fail', 'warn']);
const CHECKED_OK = new Set<Finding['status']>(['pass', 'info', 'not_applicable']);

function runRef(r: ScanResult): RunRef {
  return { id: r.run.id, startedAt: r.run.startedAt, finishedAt: r.run.finishedAt, targets: r.run.targets, devices: r.devices.length };
}

function deviceRef(d: DeviceResult): DeviceRef {
  const ref: DeviceRef = { address: d.address, name: d.name, type: d.identification.type };
  if (d.mac) ref.mac = d.mac.toLowerCase();
  if (d.identification.vendor) ref.vendor = d.identification.vendor;
  if (d.identification.model) ref.model = d.identification.model;
  return ref;
}

function serviceRef(s: Service): ServiceRef {
  const ref: ServiceRef = { port: s.port, transport: s.transport };
  if (s.name) ref.name = s.name;
  if (s.product) ref.product = s.product;
  if (s.version) ref.version = s.version;
  return ref;
}

function findingRef(f: Finding, names: ReadonlyMap<string, string>): FindingRef {
  const ref: FindingRef = {
    id: f.id, device: f.device, deviceName: names.get(f.device) ?? f.device, check: f.check, probe: f.probe,
    status: f.status, severity: f.severity, title: f.title, guidelines: f.guidelines,
  };
  if (f.port !== undefined) ref.port = f.port;
  if (f.transport !== undefined) ref.transport = f.transport;
  return ref;
}

const serviceKey = (s: { port: number; transport: Transport }) => `${s.port}/${s.transport}`;

interface Pairing {
  pairs: { old: DeviceResult; cur: DeviceResult }[];
  added: DeviceResult[];
  removed: DeviceResult[];
}

/** Matches devices of two runs: by MAC where both know it, then by address. */
export function pairDevices(oldDevices: readonly DeviceResult[], newDevices: readonly DeviceResult[]): Pairing {
  const pairs: Pairing['pairs'] = [];
  const oldLeft = new Set(oldDevices);
  const newLeft = new Set(newDevices);
  const oldByMac = new Map<string, DeviceResult>();
  for (const d of oldDevices) if (d.mac) oldByMac.set(d.mac.toLowerCase(), d);
  for (const d of newDevices) {
    const o = d.mac ? oldByMac.get(d.mac.toLowerCase()) : undefined;
    if (o && oldLeft.has(o)) {
      pairs.push({ old: o, cur: d });
      oldLeft.delete(o);
      newLeft.delete(d);
    }
  }
  const oldByAddress = new Map<string, DeviceResult>();
  for (const d of oldLeft) oldByAddress.set(d.address, d);
  for (const d of [...newLeft]) {
    const o = oldByAddress.get(d.address);
    // Two known, different MACs on one address are two devices (the address was reassigned).
    if (!o || (o.mac && d.mac && o.mac.toLowerCase() !== d.mac.toLowerCase())) continue;
    pairs.push({ old: o, cur: d });
    oldLeft.delete(o);
    newLeft.delete(d);
    oldByAddress.delete(d.address);
  }
  return { pairs, added: [...newLeft], removed: [...oldLeft] };
}

function serviceChanged(a: Service, b: Service): boolean {
  return (a.product ?? '') !== (b.product ?? '') || (a.version ?? '') !== (b.version ?? '') || (a.name ?? '') !== (b.name ?? '');
}

const bySeverityThenDevice = (a: FindingRef, b: FindingRef) =>
  severityRank(b.severity) - severityRank(a.severity) || a.device.localeCompare(b.device) || (a.port ?? 0) - (b.port ?? 0) || a.check.localeCompare(b.check);

export function diffResults(old: ScanResult | null, cur: ScanResult): RunDiff {
  const oldDevices = old?.devices ?? [];
  const { pairs, added, removed } = pairDevices(oldDevices, cur.devices);

  // A device key shared by both sides of a pair, so findings match across an address or MAC change.
  const oldKey = new Map<string, string>();
  const newKey = new Map<string, string>();
  pairs.forEach((p, i) => { oldKey.set(p.old.address, `pair:${i}`); newKey.set(p.cur.address, `pair:${i}`); });
  const keyOf = (f: Finding, side: 'old' | 'new') => {
    const dev = f.device === '*' ? '*' : (side === 'old' ? oldKey : newKey).get(f.device) ?? `${side}:${f.device}`;
    return `${dev}|${f.check}|${f.port ?? ''}|${f.transport ?? ''}`;
  };

  const oldNames = new Map(oldDevices.map((d) => [d.address, d.name]));
  const newNames = new Map(cur.devices.map((d) => [d.address, d.name]));
  const oldFindings = new Map<string, Finding>();
  for (const f of old?.findings ?? []) oldFindings.set(keyOf(f, 'old'), f);
  const newFindings = new Map<string, Finding>();
  for (const f of cur.findings) newFindings.set(keyOf(f, 'new'), f);

  const removedAddresses = new Set(removed.map((d) => d.address));
  const openNow = new Map<string, Set<string>>();
  for (const p of pairs) openNow.set(p.old.address, new Set(p.cur.services.map(serviceKey)));

  const findings: RunDiff['findings'] = { new: [], fixed: [], persisting: [], unverified: [], gone: [] };
  for (const [key, f] of newFindings) {
    if (!BAD.has(f.status)) continue;
    const before = oldFindings.get(key);
    if (before && BAD.has(before.status)) findings.persisting.push(findingRef(f, newNames));
    else findings.new.push(findingRef(f, newNames));
  }
  for (const [key, f] of oldFindings) {
    if (!BAD.has(f.status)) continue;
    const now = newFindings.get(key);
    if (now && BAD.has(now.status)) continue;
    const ref = findingRef(f, oldNames);
    if (removedAddresses.has(f.device)) findings.gone.push(ref);
    else if (now && CHECKED_OK.has(now.status)) findings.fixed.push({ ...ref, how: 'passed' });
    else if (!now && f.port !== undefined && f.transport !== undefined && openNow.get(f.device) && !openNow.get(f.device)!.has(serviceKey({ port: f.port, transport: f.transport }))) {
      findings.fixed.push({ ...ref, how: 'port-closed' });
    } else findings.unverified.push(ref);
  }
  for (const list of Object.values(findings)) (list as FindingRef[]).sort(bySeverityThenDevice);

  const services: RunDiff['services'] = { opened: [], closed: [], changed: [] };
  const verdicts: RunDiff['verdicts'] = [];
  const moved: RunDiff['devices']['moved'] = [];
  for (const { old: o, cur: c } of pairs) {
    const device = deviceRef(c);
    if (o.address !== c.address) moved.push({ device, from: o.address });
    const before = new Map(o.services.map((s) => [serviceKey(s), s]));
    const after = new Map(c.services.map((s) => [serviceKey(s), s]));
    for (const [k, s] of after) {
      const b = before.get(k);
      if (!b) services.opened.push({ device, service: serviceRef(s) });
      else if (serviceChanged(b, s)) services.changed.push({ device, before: serviceRef(b), after: serviceRef(s) });
    }
    for (const [k, s] of before) if (!after.has(k)) services.closed.push({ device: deviceRef(o), service: serviceRef(s) });
    const was = new Map(o.guidelines.map((g) => [g.id, g.verdict]));
    for (const g of c.guidelines) {
      const from = was.get(g.id);
      if (from !== undefined && from !== g.verdict) verdicts.push({ device, guideline: g.id, from, to: g.verdict });
    }
  }
  const byAddr = <T extends { device: DeviceRef }>(a: T, b: T) => a.device.address.localeCompare(b.device.address, 'en', { numeric: true });
  services.opened.sort((a, b) => byAddr(a, b) || a.service.port - b.service.port);
  services.closed.sort((a, b) => byAddr(a, b) || a.service.port - b.service.port);
  verdicts.sort((a, b) => byAddr(a, b) || Number(a.guideline.slice(7)) - Number(b.guideline.slice(7)));

  const addrOrder = (a: DeviceRef, b: DeviceRef) => a.address.localeCompare(b.address, 'en', { numeric: true });
  const devices: RunDiff['devices'] = {
    new: added.map((d) => ({ ...deviceRef(d), services: d.services.map(serviceRef) })).sort(addrOrder),
    gone: removed.map(deviceRef).sort(addrOrder),
    moved,
    persisting: pairs.length,
  };
  const changed = devices.new.length + devices.gone.length + moved.length + services.opened.length + services.closed.length
    + services.changed.length + findings.new.length + findings.fixed.length + findings.gone.length + verdicts.length > 0;
  return { old: old ? runRef(old) : null, new: runRef(cur), devices, services, findings, verdicts, changed };
}

/** New failed findings at or above a severity (what `--baseline` gates on with `--fail-on`). */
export function newFailuresAtOrAbove(diff: RunDiff, failOn: Severity | 'never'): FindingRef[] {
  if (failOn === 'never') return [];
  const threshold = severityRank(failOn);
  return diff.findings.new.filter((f) => f.status === 'fail' && severityRank(f.severity) >= threshold);
}

function n(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** One line: "+1 device, 2 ports opened, 1 new finding (1 high), 1 fixed". */
export function diffSummaryLine(d: RunDiff): string {
  if (!d.old) return `first run of these targets: ${n(d.devices.new.length, 'device')}, ${n(d.findings.new.length, 'problem')}`;
  const parts: string[] = [];
  if (d.devices.new.length) parts.push(`${n(d.devices.new.length, 'new device')}`);
  if (d.devices.gone.length) parts.push(`${n(d.devices.gone.length, 'device')} gone`);
  if (d.devices.moved.length) parts.push(`${n(d.devices.moved.length, 'device')} moved`);
  if (d.services.opened.length) parts.push(`${n(d.services.opened.length, 'port')} opened`);
  if (d.services.closed.length) parts.push(`${n(d.services.closed.length, 'port')} closed`);
  if (d.findings.new.length) {
    const worst = [...d.findings.new].sort(bySeverityThenDevice)[0]!.severity;
    parts.push(`${n(d.findings.new.length, 'new problem')} (worst ${worst})`);
  }
  if (d.findings.fixed.length) parts.push(`${d.findings.fixed.length} fixed`);
  if (d.findings.unverified.length) parts.push(`${d.findings.unverified.length} not re-checked`);
  if (d.verdicts.length) parts.push(`${n(d.verdicts.length, 'verdict')} changed`);
  return parts.length ? parts.join(', ') : 'no changes';
}
