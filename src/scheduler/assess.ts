/**
 * Assessment as its own stage: a probe's pure `assess` run on evidence. The runner calls it right after
 * a job's collect; `iotcop report RUN --reassess` calls it on evidence stored with a run (src/api/reassess.ts),
 * so both judge in exactly one way. A throwing or malformed assess is an `error`, never a `pass`.
 */
import type { AnyProbe, AssessInput, CheckResult } from '../probes/contract.js';
import type { Json } from '../model.js';
import { maskSecret } from '../text.js';

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
 * The evidence a job keeps: as collected, with the owner's passwords (targets.yaml) replaced by the
 * masked form the report shows. Evidence larger than MAX_KEPT_EVIDENCE_CHARS, or not JSON, is not kept.
 */
export function keptEvidence(evidence: unknown, ownerSecrets: readonly string[]): { evidence: Json } | { omitted: string } {
  let text: string | undefined;
  try {
    text = JSON.stringify(evidence);
  } catch (e) {
    return { omitted: `evidence is not JSON (${errorMessage(e)})` };
  }
  if (text === undefined) return { omitted: 'the probe returned no evidence' };
  if (text.length > MAX_KEPT_EVIDENCE_CHARS) return { omitted: `evidence larger than ${MAX_KEPT_EVIDENCE_CHARS / 1024} KiB` };
  const parsed = JSON.parse(text) as Json;
  return { evidence: ownerSecrets.length ? maskOwnerSecrets(parsed, ownerSecrets) : parsed };
}

/** Replaces every string equal to an owner's password with its masked form, and any longer one holding it. */
function maskOwnerSecrets(value: Json, secrets: readonly string[]): Json {
  const known = [...new Set(secrets.filter((s) => s.length > 0))].sort((a, b) => b.length - a.length);
  const text = (s: string): string => {
    let out = s;
    for (const secret of known) {
      if (out === secret) return maskSecret(secret);
      if (secret.length >= 4 && out.includes(secret)) out = out.split(secret).join(maskSecret(secret));
    }
    return out;
  };
  const walk = (v: Json): Json => {
    if (typeof v === 'string') return text(v);
    if (v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map(walk);
    const out: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) out[text(k)] = walk(x);
    return out;
  };
  return walk(value);
}
