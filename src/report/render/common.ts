/**
 * What every renderer needs to say the same thing the same way: plain-language labels, times, device
 * and credential text, remediation steps. The view-model queries (order, verdicts, PSTI, checklist,
 * counts) are in queries.ts and re-exported here.
 * Pure; no escaping here (each renderer escapes for its own output).
 */
import { GUIDELINES, guideline, type Guideline } from '../../guidelines/catalogue.js';
import { clip } from '../escape.js';
import type {
  CheckStatus, Credential, DeviceResult, DeviceType, Finding, GuidelineId, Json, RunInfo, ScanResult, Severity, Verdict,
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
// Text helpers

type Titled = Pick<DeviceResult, 'name' | 'address' | 'identification'> & { macVendor?: string };

/**
 * What a report calls a device, unescaped: "LivingRoom Media — Acme ZX 500", "Dahua camera", or null when
 * nothing is known but the address. The name is the owner's (targets.yaml), else the device's own
 * announcement (UPnP friendlyName, mDNS), else a host name; what it is comes from the identification.
 * Every renderer adds the address itself (its own escaping), so a device is always findable by address.
 */
export function deviceTitle(d: Titled, nameMax = 80): string | null {
  // each part capped (a device chooses its own name), so a title stays on one line
  const name = d.name && d.name !== d.address ? clip(d.name, nameMax) : null;
  const id = d.identification;
  const vendor = id.vendor ?? d.macVendor;
  let what: string | null = null;
  if (id.model) what = vendor && !id.model.toLowerCase().startsWith(vendor.toLowerCase()) ? `${vendor} ${id.model}` : id.model;
  else if (vendor || id.type !== 'unknown') what = shortIdentity(d);
  what = capped(what);
  if (name && what) {
    // said once: "VMG1312-B10A" is in "ZyXEL VMG1312-B10A", "computer" in "This computer"
    if (what.toLowerCase().includes(name.toLowerCase())) return what;
    if (name.toLowerCase().includes(what.toLowerCase())) return name;
    return `${name} — ${what}`;
  }
  return name ?? what;
}

function capped(what: string | null): string | null {
  return what === null ? null : clip(what, 60);
}

/** "Front door camera — Acme Cam 2000 (10.0.5.20)", or the address alone when nothing else is known. */
export function deviceLabel(d: Titled): string {
  const title = deviceTitle(d);
  return title ? `${title} (${d.address})` : d.address;
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
export function shortIdentity(d: Titled): string {
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

export * from './queries.js';

/** The report's line for a result judged again from stored evidence (`report RUN --reassess`). */
export function reassessedSentence(run: Pick<RunInfo, 'reassessed'>): string | undefined {
  const r = run.reassessed;
  if (!r) return undefined;
  const kept = r.keptJobs > 0 ? `; ${r.keptJobs} ${r.keptJobs === 1 ? 'check job was' : 'check jobs were'} kept as scanned (${Object.entries(r.kept).map(([why, n]) => `${n} ${why}`).join(', ')})` : '';
  return `Judged again on ${formatTime(r.at)} from the evidence this scan stored, with today's vulnerability data and policies; nothing was rescanned. ${r.assessedJobs} check ${r.assessedJobs === 1 ? 'job was' : 'jobs were'} judged again${kept}.`;
}
