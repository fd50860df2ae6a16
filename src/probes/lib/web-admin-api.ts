/**
 * Admin APIs that answer without a login, for the web-unauthenticated probe: a short,
 * data-driven list of read-only GET requests (src/data/unauthenticated-paths.json, "apis") whose JSON
 * answers show that an administration interface needs no authentication — Node-RED's admin API without
 * `adminAuth`, the Homebridge UI with `auth: none`.
 *
 * Each entry is a sequence of steps run in order until one does not match:
 * - a `gate` step must match for the entry to count at all (e.g. Node-RED's GET /auth/login answering `{}`,
 *   which its docs define as "no authentication configured");
 * - a `config` step is the evidence: the configuration that answered (selected fields, array length).
 * The API is open when every gate matched and at least one config step did. Matching is pure
 * (`matchStep`); bodies are byte-capped by the dialer and parsed only when complete. Values from the device
 * are read with fixed keys from our data and capped; they never become object keys.
 */
import type { ErrorKind } from '../../model.js';

export type JsonExpect = {
  status: number;
  json: 'object' | 'array';
  /** The object must have no keys (`{}`). */
  empty?: boolean;
  /** Keys the object must have. */
  keys?: string[];
  /** Top-level fields that must hold exactly this value. */
  fields?: { key: string; equals: string | number | boolean | null }[];
};

export type ApiStep = {
  path: string;
  role: 'gate' | 'config';
  expect: JsonExpect;
  /** Top-level fields of an object answer to quote in the evidence (strings and numbers, capped). */
  report?: string[];
  /** Count the elements of an array answer. */
  count?: boolean;
  /** What a match means, in words, for the finding's detail. */
  meaning: string;
};

export type ApiEntry = { id: string; product: string; what: string; steps: ApiStep[]; source: string };

export type StepOutcome = {
  path: string;
  role: 'gate' | 'config';
  status: number | null;
  contentType: string | null;
  bytes: number;
  truncated: boolean;
  matched: boolean;
  /** Why it did not match (for the pass detail and debugging). */
  why: string | null;
  reported: { key: string; value: string }[];
  count: number | null;
  error: { kind: ErrorKind; message: string } | null;
};

export type ApiEvidence = { id: string; product: string; steps: StepOutcome[] };

const MAX_VALUE = 80;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(why: string): Pick<StepOutcome, 'matched' | 'why' | 'reported' | 'count'> {
  return { matched: false, why, reported: [], count: null };
}

/** Judges one answer against a step's expectation (pure). `truncated`: the body hit the byte cap. */
export function matchStep(step: ApiStep, status: number, contentType: string | null, body: string, truncated: boolean): Pick<StepOutcome, 'matched' | 'why' | 'reported' | 'count'> {
  const e = step.expect;
  if (status !== e.status) return fail(`HTTP ${status}`);
  if (!(contentType ?? '').toLowerCase().includes('json')) return fail(`not JSON (${(contentType ?? 'no content type').slice(0, 60)})`);
  const first = body.trimStart()[0];
  if (truncated) {
    // Too long to parse within the cap: only a bare array expectation can still be judged.
    const bare = e.json === 'array' && first === '[' && !e.empty && !e.keys && !e.fields;
    return bare ? { matched: true, why: null, reported: [], count: null } : fail('answer too long to judge');
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return fail('malformed JSON');
  }
  if (e.json === 'array') {
    if (!Array.isArray(value)) return fail('not a JSON array');
    return { matched: true, why: null, reported: [], count: step.count ? value.length : null };
  }
  if (!isObject(value)) return fail('not a JSON object');
  if (e.empty && Object.keys(value).length > 0) return fail('not an empty object');
  for (const k of e.keys ?? []) if (!Object.hasOwn(value, k)) return fail(`no "${k}" field`);
  for (const f of e.fields ?? []) {
    if (!Object.hasOwn(value, f.key) || value[f.key] !== f.equals) return fail(`"${f.key}" is not ${JSON.stringify(f.equals)}`);
  }
  const reported: { key: string; value: string }[] = [];
  for (const k of step.report ?? []) {
    const v = Object.hasOwn(value, k) ? value[k] : undefined;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') reported.push({ key: k, value: String(v).slice(0, MAX_VALUE) });
  }
  return { matched: true, why: null, reported, count: null };
}

/**
 * Open: every gate step of the entry ran and matched, and at least one config step matched. `entry` gives
 * the gates that must have run (steps stop at the first mismatch, so a gate may be missing from `ev`).
 */
export function apiOpen(ev: ApiEvidence, entry?: ApiEntry): boolean {
  const gates = entry ? entry.steps.filter((s) => s.role === 'gate').map((s) => s.path) : [];
  const ranGate = (path: string): boolean => ev.steps.some((s) => s.path === path && s.role === 'gate' && s.matched);
  return gates.every(ranGate) && ev.steps.filter((s) => s.role === 'gate').every((s) => s.matched)
    && ev.steps.some((s) => s.role === 'config' && s.matched);
}

/** One line per step for a finding's detail: "GET /settings → 200, the runtime settings (version 4.1.8)". */
export function describeSteps(entry: ApiEntry | undefined, ev: ApiEvidence): string {
  return ev.steps.map((s) => {
    const meaning = entry?.steps.find((x) => x.path === s.path)?.meaning ?? '';
    const extra = [
      ...s.reported.map((r) => `${r.key} ${r.value}`),
      ...(s.count !== null ? [`${s.count} entries`] : []),
    ];
    return `GET ${s.path} → ${s.status ?? 'no answer'}${s.matched ? `, ${meaning}` : ` (${s.why ?? 'no match'})`}${extra.length ? ` (${extra.join(', ')})` : ''}`;
  }).join('; ');
}

/** Validates the "apis" section of the data file (throws on a malformed entry). */
export function loadApis(raw: unknown): ApiEntry[] {
  const list = (raw as { apis?: unknown }).apis;
  if (list === undefined) return [];
  if (!Array.isArray(list)) throw new Error('unauthenticated-paths: apis is not a list');
  return list.map((a: Partial<ApiEntry>) => {
    const bad = (why: string): never => { throw new Error(`unauthenticated-paths: api ${String(a.id)}: ${why}`); };
    if (typeof a.id !== 'string' || typeof a.product !== 'string' || typeof a.what !== 'string' || typeof a.source !== 'string' || a.source.length < 10) bad('needs id, product, what and a source');
    if (!Array.isArray(a.steps) || a.steps.length === 0) bad('no steps');
    for (const s of a.steps!) {
      if (typeof s.path !== 'string' || !s.path.startsWith('/') || (s.role !== 'gate' && s.role !== 'config') || typeof s.meaning !== 'string') bad('malformed step');
      if (typeof s.expect?.status !== 'number' || (s.expect.json !== 'object' && s.expect.json !== 'array')) bad(`step ${s.path}: malformed expect`);
    }
    if (!a.steps!.some((s) => s.role === 'config')) bad('no config step');
    return a as ApiEntry;
  });
}
