/**
 * What every renderer needs to say the same thing the same way: device order (worst first),
 * plain-language labels, remediation steps, the PSTI wording and the manual checklist.
 * Pure; no escaping here (each renderer escapes for its own output).
 */
import { GUIDELINES, guideline, type Guideline } from '../../guidelines/catalogue.js';
import {
  severityRank,
  type CheckStatus, type Credential, type DeviceResult, type DeviceType, type Finding, type GuidelineId, type Json,
  type PstiStatus, type ScanResult, type Severity, type Verdict,
} from '../../model.js';

/** How every renderer is called. The CLI decides `color` (a TTY and no NO_COLOR). */
export interface RenderOptions {
  color: boolean;
  /** When the report is generated; defaults to the end of the run, so output is deterministic. */
  now?: Date;
}

export function reportTime(result: ScanResult, options: RenderOptions): Date {
  if (options.now) return options.now;
  const end = new Date(result.run.finishedAt);
  return Number.isNaN(end.getTime()) ? new Date(0) : end;
}

/** "2024-05-01 14:03 UTC" — fixed format, independent of locale and time zone. */
export function formatTime(iso: string | Date): string {
  const d = typeof iso === 'string' ? new Date(iso) : iso;
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'unknown';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

// ---------------------------------------------------------------------------------------------
// Labels

export const VERDICT_LABEL: Record<Verdict, string> = {
  fail: 'Problem found',
  warn: 'Weakness found',
  partial: 'Partly checked',
  pass: 'No issues found',
  not_tested: 'Not tested',
  manual: 'Check by hand',
};

/** Short, fixed-width-friendly verdict words for matrices and terminals. */
export const VERDICT_SHORT: Record<Verdict, string> = {
  fail: 'FAIL',
  warn: 'WARN',
  partial: 'part',
  pass: 'ok',
  not_tested: 'n/t',
  manual: 'hand',
};

export const STATUS_LABEL: Record<CheckStatus, string> = {
  fail: 'problem',
  warn: 'weakness',
  partial: 'partly checked',
  pass: 'no issue found',
  info: 'information',
  not_applicable: 'not applicable',
  error: 'could not be tested',
  not_tested: 'not tested',
};

export const SEVERITY_LABEL: Record<Severity, string> = {
  critical: 'Critical',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
  info: 'Info',
};

/** Two-word names for matrix headers; the full titles are in the catalogue. */
export const GUIDELINE_SHORT: Record<GuidelineId, string> = {
  'uk-cop-1': 'Passwords',
  'uk-cop-2': 'Bug reports',
  'uk-cop-3': 'Updates',
  'uk-cop-4': 'Stored secrets',
  'uk-cop-5': 'Encryption',
  'uk-cop-6': 'Open services',
  'uk-cop-7': 'Software integrity',
  'uk-cop-8': 'Personal data',
  'uk-cop-9': 'Resilience',
  'uk-cop-10': 'Telemetry',
  'uk-cop-11': 'Data deletion',
  'uk-cop-12': 'Easy upkeep',
  'uk-cop-13': 'Input checks',
};

export { GUIDELINES, guideline, type Guideline };

export function guidelineNumber(id: GuidelineId): number {
  return Number(id.slice('uk-cop-'.length));
}

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

/**
 * Devices worst first: by the worst failed severity, then number of problems and weaknesses;
 * devices no check could conclude on come before the clean ones (nothing is known about them);
 * ties by address.
 */
export function orderDevices(result: ScanResult): DeviceResult[] {
  const key = (d: DeviceResult): number[] => {
    const fs = result.findings.filter((f) => f.device === d.address);
    const worst = worstSeverity(fs);
    return [
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
// Text helpers

/** "Front door camera (10.0.5.20)", or just the address when the name is the address. */
export function deviceLabel(d: { name: string; address: string }): string {
  return d.name && d.name !== d.address ? `${d.name} (${d.address})` : d.address;
}

export const TYPE_NOUN: Record<DeviceType, string> = {
  camera: 'camera', router: 'router', printer: 'printer', hub: 'smart-home hub', plug: 'smart plug',
  nas: 'network storage (NAS)', tv: 'TV', speaker: 'smart speaker', computer: 'computer', unknown: 'device of unknown type',
};

/** "Acme Cam 2000 camera, firmware 1.2" — what we think the device is, in words. */
export function identificationText(d: DeviceResult): string {
  const id = d.identification;
  const parts: string[] = [];
  const what = [id.vendor, id.model].filter((x): x is string => !!x).join(' ');
  if (what) parts.push(what);
  parts.push(TYPE_NOUN[id.type]);
  let text = parts.join(' ');
  if (id.friendlyName && id.friendlyName !== d.name) text += `, calls itself "${id.friendlyName}"`;
  if (id.firmware) text += `, firmware ${id.firmware}`;
  return text;
}

/** "Dahua camera", "router", "device of unknown type": a short tag for lists. */
export function shortIdentity(d: DeviceResult): string {
  const vendor = d.identification.vendor ?? d.macVendor;
  return vendor ? `${vendor} ${TYPE_NOUN[d.identification.type]}` : TYPE_NOUN[d.identification.type];
}

export function identificationSources(d: DeviceResult): string {
  const id = d.identification;
  const src = id.sources.length ? ` from ${id.sources.join(', ')}` : '';
  return `identified with ${id.confidence} confidence${src}`;
}

export const MASKED_NOTE = '(masked; use --reveal-credentials)';

export function credentialText(c: Credential): string {
  const user = c.username === '' ? '(no username)' : c.username;
  const pass = c.password === '' ? '(empty password)' : c.password;
  return `${user} / ${pass}${c.masked ? ` ${MASKED_NOTE}` : ''}`;
}

export function portText(f: { port?: number; transport?: string }): string {
  if (f.port === undefined) return '';
  return `${f.port}/${f.transport ?? 'tcp'}`;
}

/** The plain sentence for a finding, falling back to its title. */
export function plainSentence(f: Finding): string {
  return f.summary && f.summary.trim() !== '' ? f.summary : f.title;
}

const ABBREVIATIONS = /\b(e\.g|i\.e|etc|vs|approx|incl|no|fig)\.(?=\s)/gi;
const PLACEHOLDER = '\u0000';

/**
 * Split remediation text into numbered steps: on lines that start with "1.", "2)", "-" or "*"
 * when the text is written as a list, otherwise on sentence boundaries. Abbreviations such as
 * "e.g." do not end a sentence. Input is capped before any regex runs.
 */
export function remediationSteps(text: string): string[] {
  const capped = text.length > 4000 ? text.slice(0, 4000) : text;
  const lines = capped.split(/\r?\n/);
  const listItem = /^\s*(?:\d{1,2}[.)]|[-*•])\s+/;
  if (lines.filter((l) => listItem.test(l)).length >= 2) {
    const steps: string[] = [];
    let preamble = '';
    for (const line of lines) {
      const t = line.trim();
      if (t === '') continue;
      if (listItem.test(line)) steps.push(t.replace(listItem, ''));
      else if (steps.length === 0) preamble = preamble ? `${preamble} ${t}` : t;
      else steps[steps.length - 1] += ` ${t}`;
    }
    return preamble ? [preamble, ...steps] : steps;
  }
  const flat = capped.replace(/\s+/g, ' ').trim();
  if (flat === '') return [];
  const protectedText = flat.replace(ABBREVIATIONS, (m) => m.replace(/\./g, PLACEHOLDER));
  return protectedText
    .split(/(?<=[.!?])\s+(?=["'(]?[A-Z0-9])/)
    .map((s) => s.split(PLACEHOLDER).join('.').trim())
    .filter((s) => s !== '');
}

/** Evidence as indented JSON, capped so one device cannot make a report enormous. */
export function evidenceJson(evidence: Json, max = 20_000): string {
  let text: string;
  try {
    text = JSON.stringify(evidence, null, 2) ?? 'null';
  } catch {
    text = String(evidence);
  }
  if (text.length > max) text = `${text.slice(0, max)}\n… (${text.length - max} more characters; see the JSON report)`;
  return text;
}

export function hasEvidence(evidence: Json): boolean {
  if (evidence === null) return false;
  if (Array.isArray(evidence)) return evidence.length > 0;
  if (typeof evidence === 'object') return Object.keys(evidence).length > 0;
  return true;
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
  const devices = orderDevices(result);
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
