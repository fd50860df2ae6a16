/**
 * The report's view model, shared by every renderer: device order (worst first), findings per device, the
 * guideline verdicts to show, what was not tested, the PSTI lines, the manual checklist and the counts.
 * Pure queries over a ScanResult; wording lives in common.ts, escaping in each renderer.
 */
import { GUIDELINES, type Guideline } from '../../guidelines/catalogue.js';
import {
  severityRank, THIS_COMPUTER_NOT_CHECKED,
  type CheckStatus, type DeviceResult, type Finding, type GuidelineId, type PstiStatus, type ScanResult, type Severity, type Verdict,
} from '../../model.js';


// ---------------------------------------------------------------------------------------------
// Ordering

const STATUS_ORDER: Record<CheckStatus, number> = {
  fail: 0, warn: 1, partial: 2, error: 3, not_tested: 4, info: 5, pass: 6, not_applicable: 7,
};

/** Compare strings with runs of digits compared as numbers ("10.0.0.9" < "10.0.0.10"). */
export function naturalCompare(a: string, b: string): number {
  const ra = a.split(/(\d+)/);
  const rb = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(ra.length, rb.length); i++) {
    const x = ra[i]!;
    const y = rb[i]!;
    if (x === y) continue;
    if (i % 2 === 1) {
      const d = Number(x) - Number(y);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
    return x < y ? -1 : 1;
  }
  return ra.length - rb.length;
}

/** Problems first (fail, then warn), most severe first; ties by title, then id, for stable output. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER[a.status] - STATUS_ORDER[b.status] ||
    severityRank(b.severity) - severityRank(a.severity) ||
    (a.port ?? 0) - (b.port ?? 0) ||
    (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

export function findingsOf(result: ScanResult, address: string): Finding[] {
  return result.findings.filter((f) => f.device === address).sort(compareFindings);
}

/** Findings about the run as a whole (device '*'), e.g. one SSH host key shared by several devices. */
export function networkFindings(result: ScanResult): Finding[] {
  const known = new Set(result.devices.map((d) => d.address));
  return result.findings.filter((f) => !known.has(f.device)).sort(compareFindings);
}

export function isProblem(f: Finding): boolean {
  return f.status === 'fail' || f.status === 'warn';
}

/** Checks only partly done: shown after the problems, with what is left and how to finish. */
export function isPartial(f: Finding): boolean {
  return f.status === 'partial';
}

export function worstSeverity(findings: Finding[]): Severity | null {
  let worst: Severity | null = null;
  for (const f of findings) {
    if (f.status !== 'fail') continue;
    if (worst === null || severityRank(f.severity) > severityRank(worst)) worst = f.severity;
  }
  return worst;
}

/** The worst verdict a device has, for a card's colour. */
export function worstVerdict(d: DeviceResult): Verdict {
  const order: Verdict[] = ['fail', 'warn', 'partial', 'not_tested', 'pass', 'manual'];
  for (const v of order) if (d.guidelines.some((g) => g.verdict === v)) return v;
  return 'manual';
}

/** True when at least one check ran to a conclusion on the device (not only errors or skips). */
export function wasTested(result: ScanResult, address: string): boolean {
  return result.findings.some((f) => f.device === address && (f.status === 'fail' || f.status === 'warn' || f.status === 'partial' || f.status === 'pass' || f.status === 'info'));
}

/** The computer running iotcop, listed but left unchecked (nothing was asked of it): not a device to act on. */
export function notCheckedByChoice(result: ScanResult, d: DeviceResult): boolean {
  return d.thisComputer === true && !wasTested(result, d.address);
}

/** What the report says of it instead of "no check could run". */
export const SELF_NOT_CHECKED = THIS_COMPUTER_NOT_CHECKED;

/**
 * Devices worst first: by the worst failed severity, then number of problems and weaknesses;
 * devices no check could conclude on come before the clean ones (nothing is known about them);
 * ties by address; the computer running iotcop, when it was not checked, last.
 */
export function orderDevices(result: ScanResult): DeviceResult[] {
  const key = (d: DeviceResult): number[] => {
    const fs = result.findings.filter((f) => f.device === d.address);
    const worst = worstSeverity(fs);
    return [
      notCheckedByChoice(result, d) ? -1 : 0,
      worst === null ? 0 : severityRank(worst),
      fs.filter((f) => f.status === 'fail').length,
      fs.filter((f) => f.status === 'warn').length,
      d.guidelines.filter((g) => g.verdict === 'fail').length,
      wasTested(result, d.address) ? 0 : 1,
    ];
  };
  const keys = new Map(result.devices.map((d) => [d, key(d)]));
  return [...result.devices].sort((a, b) => {
    const ka = keys.get(a)!;
    const kb = keys.get(b)!;
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return kb[i]! - ka[i]!;
    return naturalCompare(a.address, b.address);
  });
}

export function verdictOf(d: DeviceResult, id: GuidelineId): { verdict: Verdict; reason?: string; findings: string[] } {
  const g = d.guidelines.find((x) => x.id === id);
  if (!g) return { verdict: 'not_tested', reason: 'No verdict was recorded for this guideline.', findings: [] };
  return g;
}

/** The device's not-tested guidelines grouped by reason, so one reason is said once. */
export function notTestedGroups(d: DeviceResult): { reason: string; guidelines: Guideline[] }[] {
  const groups = new Map<string, Guideline[]>();
  for (const g of GUIDELINES) {
    const v = verdictOf(d, g.id);
    if (v.verdict !== 'not_tested') continue;
    const reason = v.reason ?? 'No applicable check ran.';
    const list = groups.get(reason) ?? [];
    list.push(g);
    groups.set(reason, list);
  }
  return [...groups].map(([reason, guidelines]) => ({ reason, guidelines }));
}

// ---------------------------------------------------------------------------------------------
// PSTI

export type PstiState = 'bad' | 'ok' | 'unknown';

export interface PstiLine {
  number: 1 | 2 | 3;
  title: string;
  state: PstiState;
  text: string;
  /** Untrusted (a URL or date from the device or config), shown after the text. */
  value?: string;
}

export function pstiLines(p: PstiStatus): PstiLine[] {
  const lines: PstiLine[] = [];
  switch (p.noUniversalDefaultPassword) {
    case 'violated':
      lines.push({ number: 1, title: 'No universal default passwords', state: 'bad',
        text: 'Breaks this requirement: the device accepted a password that is the same on every device of its kind.' });
      break;
    case 'no-issue-found':
      lines.push({ number: 1, title: 'No universal default passwords', state: 'ok',
        text: 'No universal default password found (a scan cannot prove there is none).' });
      break;
    case 'partly-tested':
      lines.push({ number: 1, title: 'No universal default passwords', state: 'unknown',
        text: 'Partly checked: no default password worked, but some likely ones could not be tried (see the password findings for how to finish).' });
      break;
    default:
      lines.push({ number: 1, title: 'No universal default passwords', state: 'unknown',
        text: 'Not tested: no login was tried at the chosen safety level.' });
  }
  const url = p.disclosurePolicyUrl;
  switch (p.disclosurePolicy) {
    case 'found':
      lines.push({ number: 2, title: 'A way to report security problems', state: 'ok',
        text: 'The device publishes where to report security problems.', ...(url ? { value: url } : {}) });
      break;
    case 'configured':
      lines.push({ number: 2, title: 'A way to report security problems', state: 'ok',
        text: 'The maker\'s policy is named in your configuration.', ...(url ? { value: url } : {}) });
      break;
    case 'invalid':
      lines.push({ number: 2, title: 'A way to report security problems', state: 'bad',
        text: 'A security contact file was found, but it is invalid or out of date.', ...(url ? { value: url } : {}) });
      break;
    default:
      lines.push({ number: 2, title: 'A way to report security problems', state: 'unknown',
        text: 'Not found on the device. Look for a "report a vulnerability" page on the maker\'s website.' });
  }
  const end = p.supportPeriodEnd;
  switch (p.supportPeriod) {
    case 'date':
      lines.push({ number: 3, title: 'How long security updates last', state: 'ok',
        text: 'The maker states a date until which it provides security updates.', ...(end ? { value: end } : {}) });
      break;
    case 'ended':
      lines.push({ number: 3, title: 'How long security updates last', state: 'bad',
        text: 'Security updates have ended: consider replacing the device.', ...(end ? { value: end } : {}) });
      break;
    default:
      lines.push({ number: 3, title: 'How long security updates last', state: 'unknown',
        text: 'Unknown. The maker must publish it: check the box, the manual or the maker\'s website.' });
  }
  return lines;
}

// ---------------------------------------------------------------------------------------------
// Manual checklist

export interface ManualItem {
  guideline: Guideline;
  /** Devices whose verdict for this guideline is manual or not_tested, in report order. */
  devices: DeviceResult[];
  /** True when every device is in the list. */
  allDevices: boolean;
  /** 'manual' when no scan can test it; 'not_tested' when this scan did not. */
  kind: 'manual' | 'not_tested';
}

/** Guidelines a person has to check: those whose verdict is manual or not_tested on some device. */
export function manualChecklist(result: ScanResult): ManualItem[] {
  // nothing is asked of the computer running iotcop when it was not checked
  const devices = orderDevices(result).filter((d) => !notCheckedByChoice(result, d));
  const items: ManualItem[] = [];
  for (const g of GUIDELINES) {
    const open = devices.filter((d) => {
      const v = verdictOf(d, g.id).verdict;
      return v === 'manual' || v === 'not_tested';
    });
    if (open.length === 0) continue;
    const kind = open.every((d) => verdictOf(d, g.id).verdict === 'manual') ? 'manual' : 'not_tested';
    items.push({ guideline: g, devices: open, allDevices: open.length === devices.length, kind });
  }
  return items;
}

export interface Counts {
  problems: number;
  weaknesses: number;
  passed: number;
  /** Checks only partly done (a password check that skipped likely candidates). */
  partial: number;
  notTested: number;
  bySeverity: Record<Severity, number>;
}

/** ", 2 checks partly done" when there are any (said after the passed count). */
export function partialPhrase(c: Counts): string {
  return c.partial > 0 ? `, ${c.partial} ${c.partial === 1 ? 'check' : 'checks'} partly done` : '';
}

/** Counts from the findings themselves (the renderers do not trust summary to be in sync). */
export function counts(result: ScanResult): Counts {
  const bySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  let problems = 0;
  let weaknesses = 0;
  let passed = 0;
  let partial = 0;
  let notTested = 0;
  for (const f of result.findings) {
    if (f.status === 'fail') {
      problems++;
      bySeverity[f.severity]++;
    } else if (f.status === 'warn') weaknesses++;
    else if (f.status === 'pass') passed++;
    else if (f.status === 'partial') partial++;
    else if (f.status === 'error' || f.status === 'not_tested') notTested++;
  }
  return { problems, weaknesses, passed, partial, notTested, bySeverity };
}

/** Guidelines failing on at least one device, in catalogue order. */
export function failingGuidelines(result: ScanResult): Guideline[] {
  return GUIDELINES.filter((g) => result.devices.some((d) => verdictOf(d, g.id).verdict === 'fail'));
}
