/**
 * The changes between two runs as text for a terminal or a log (pure). Every string that came from
 * a device (names, service products, titles) goes through termSafe.
 */
import { clip, termSafe } from '../report/escape.js';
import { guidelineNumber } from '../report/render/common.js';
import type { DeviceRef, FindingRef, RunDiff, ServiceRef } from './diff.js';
import { diffSummaryLine } from './diff.js';

export interface DiffTextOptions {
  color?: boolean;
  /** At most this many lines per section (default 50); the rest is counted. */
  maxPerSection?: number;
}

const ESC = '\u001b[';

function paint(on: boolean, code: string, s: string): string {
  return on ? `${ESC}${code}m${s}${ESC}0m` : s;
}

function dev(d: DeviceRef): string {
  const name = d.name && d.name !== d.address ? ` "${termSafe(clip(d.name, 60))}"` : '';
  const mac = d.mac ? ` [${termSafe(d.mac)}]` : '';
  return `${d.address}${name}${mac}`;
}

function svc(s: ServiceRef): string {
  const what = [s.name, s.product, s.version].filter(Boolean).map((x) => termSafe(clip(String(x), 40))).join(' ');
  return `${s.port}/${s.transport}${what ? ` (${what})` : ''}`;
}

function finding(f: FindingRef): string {
  const where = f.port !== undefined ? ` ${f.port}/${f.transport ?? 'tcp'}` : '';
  const who = f.device === '*' ? 'network' : f.deviceName && f.deviceName !== f.device ? `${f.device} "${termSafe(clip(f.deviceName, 40))}"` : f.device;
  return `[${f.severity}] ${who}${where}: ${termSafe(clip(f.title, 120))} (${f.id})`;
}

export function renderDiffText(d: RunDiff, options: DiffTextOptions = {}): string {
  const color = Boolean(options.color);
  const max = options.maxPerSection ?? 50;
  const lines: string[] = [];
  const since = d.old
    ? `Changes since run ${d.old.id.slice(0, 8)} (${d.old.startedAt}) in run ${d.new.id.slice(0, 8)} (${d.new.startedAt})`
    : `Changes in run ${d.new.id.slice(0, 8)} (${d.new.startedAt}): no earlier run of these targets, everything is new`;
  lines.push(paint(color, '1', since));
  lines.push(`  ${diffSummaryLine(d)}`);
  const section = <T>(title: string, items: readonly T[], line: (x: T) => string, mark: string, code: string) => {
    if (!items.length) return;
    lines.push('', paint(color, '1', `${title} (${items.length})`));
    for (const x of items.slice(0, max)) lines.push(`  ${paint(color, code, mark)} ${line(x)}`);
    if (items.length > max) lines.push(`  … and ${items.length - max} more`);
  };
  section('New devices', d.devices.new, (x) => `${dev(x)}${x.services.length ? ` — ${x.services.map(svc).join(', ')}` : ''}`, '+', '33');
  section('Devices gone', d.devices.gone, dev, '-', '36');
  section('Devices with a new address', d.devices.moved, (x) => `${dev(x.device)} (was ${x.from})`, '~', '36');
  section('Ports opened', d.services.opened, (x) => `${x.device.address} ${svc(x.service)}`, '+', '33');
  section('Ports closed', d.services.closed, (x) => `${x.device.address} ${svc(x.service)}`, '-', '32');
  section('Services changed', d.services.changed, (x) => `${x.device.address} ${svc(x.before)} → ${svc(x.after)}`, '~', '36');
  section('New problems', d.findings.new, finding, '!', '31');
  section('Fixed', d.findings.fixed, (x) => `${finding(x)}${x.how === 'port-closed' ? ' — its port is closed now' : ''}`, '✓', '32');
  section('Not re-checked this run (still open as far as iotcop knows)', d.findings.unverified, finding, '?', '33');
  section('Problems of devices that are gone', d.findings.gone, finding, '-', '36');
  section('Guideline verdicts changed', d.verdicts, (x) => `${x.device.address} guideline ${guidelineNumber(x.guideline)}: ${x.from} → ${x.to}`, '~', '36');
  if (d.findings.persisting.length) lines.push('', `${d.findings.persisting.length} problem${d.findings.persisting.length === 1 ? '' : 's'} unchanged since the earlier run.`);
  return `${lines.join('\n')}\n`;
}
