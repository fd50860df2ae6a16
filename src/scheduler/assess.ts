/**
 * Assessment as its own stage: a probe's pure `assess` run on evidence. The runner calls it right after
 * a job's collect; `iotcop report RUN --reassess` calls it on evidence stored with a run (src/api/reassess.ts),
 * so both judge in exactly one way. A throwing or malformed assess is an `error`, never a `pass`.
 */
import type { AnyProbe, AssessInput, CheckResult } from '../probes/contract.js';
import type { Device, Json } from '../model.js';
import { maskSecret } from '../text.js';
import { SECRET_KEY, secretReplacer } from './redact.js';

/**
 * Stand-in device for run-scope jobs (they see every device through ctx.devices); here, beside assess,
 * so that the runner and a re-assessment judge run-scope evidence with the same one.
 */
export const RUN_SCOPE_DEVICE: Device = Object.freeze({
  address: '*',
  hostnames: [],
  name: 'all devices',
  identification: { type: 'unknown', confidence: 'low', sources: [] },
  services: [],
}) as Device;

export type AssessOutcome =
  | { status: 'done'; results: CheckResult[] }
  | { status: 'error'; error: { kind: 'internal'; message: string } };

/** A thrown value as one capped line. */
export function errorMessage(e: unknown): string {
  const m = e instanceof Error ? e.message : typeof e === 'string' ? e : 'non-error value thrown';
  return m.slice(0, 500);
}

export function assessEvidence(probe: AnyProbe, evidence: Json, input: AssessInput): AssessOutcome {
  let results: unknown;
  try {
    results = probe.assess(evidence, input);
  } catch (e) {
    return { status: 'error', error: { kind: 'internal', message: `assess failed: ${errorMessage(e)}` } };
  }
  if (!Array.isArray(results)) return { status: 'error', error: { kind: 'internal', message: 'assess did not return an array of check results' } };
  return { status: 'done', results: results as CheckResult[] };
}

/** Largest evidence (as JSON text) a job keeps for a later re-assessment. */
export const MAX_KEPT_EVIDENCE_CHARS = 512 * 1024;

/**
 * The evidence a job keeps: as collected, with secrets replaced by the masked form reports show
 * ("ad******", src/text.ts):
 * - the owner's passwords (targets.yaml), wherever they appear;
 * - unless the run reveals credentials, every non-empty string whose own key is password-like (a found
 *   password, a list of community strings; not the user name beside it in a `credential` object), and
 *   that value inside longer strings in any letter case (a data source quoting "root / xc3511").
 * A string merely equal to a found password elsewhere, in any letter case, is left alone: with
 * admin/admin the user name stays "admin", and transmission-daemon's realm stays "Transmission". A
 * masked password keeps its first characters and length, so judging the evidence again gives the
 * report the run gave. Evidence larger than MAX_KEPT_EVIDENCE_CHARS, or not JSON, is not kept.
 */
export function keptEvidence(
  evidence: unknown, ownerSecrets: readonly string[], o: { revealCredentials?: boolean } = {},
): { evidence: Json } | { omitted: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(evidence);
  } catch (e) {
    return { omitted: `evidence is not JSON (${errorMessage(e)})` };
  }
  if (text === undefined) return { omitted: 'the probe returned no evidence' };
  if (text.length > MAX_KEPT_EVIDENCE_CHARS) return { omitted: `evidence larger than ${MAX_KEPT_EVIDENCE_CHARS / 1024} KiB` };
  return { evidence: maskSecrets(JSON.parse(text) as Json, ownerSecrets, o) };
}

/** `value` with secrets masked as keptEvidence describes (also used for the results a stored job keeps). */
export function maskSecrets(value: Json, ownerSecrets: readonly string[], o: { revealCredentials?: boolean } = {}): Json {
  const found = o.revealCredentials ? [] : valuesUnderSecretKeys(value);
  if (ownerSecrets.length === 0 && found.length === 0) return value;
  const owner = secretReplacer(ownerSecrets, maskSecret);
  const inside = secretReplacer(found.filter((s) => s.length >= 4), maskSecret);
  const foundLower = new Set(found.map((s) => s.toLowerCase()));
  const text = (s: string, secretKey: boolean): string => {
    const t = owner(s);
    if (t !== s) return t;
    if (secretKey && !o.revealCredentials && s.length > 0) return maskSecret(s);
    return foundLower.has(s.toLowerCase()) ? s : inside(s);
  };
  const walk = (v: Json, secretKey: boolean): Json => {
    if (typeof v === 'string') return text(v, secretKey);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => walk(x, secretKey));
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[owner(k)] = walk(x, SECRET_KEY.test(k));
    return out;
  };
  return walk(value, false);
}

function valuesUnderSecretKeys(value: Json): string[] {
  const out: string[] = [];
  const walk = (v: Json, secretKey: boolean): void => {
    if (typeof v === 'string') { if (secretKey && v.length > 0) out.push(v); return; }
    if (v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) { for (const x of v) walk(x, secretKey); return; }
    for (const [k, x] of Object.entries(v)) walk(x, SECRET_KEY.test(k));
  };
  walk(value, false);
  return out;
}
