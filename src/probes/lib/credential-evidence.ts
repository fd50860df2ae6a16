/**
 * Evidence of a guessing run: what was planned, tried, skipped and why — user names, never passwords,
 * except the one internal `found` field that assess moves into CheckResult.credential.
 */
import type { Json } from '../../model.js';
import type { CandidateOrigin, CandidatePlan } from './candidates.js';
import type { Confirmation, GuessRun, StopReason } from './guessing.js';

export type FoundSecret = {
  username: string;
  /** Internal: moved into CheckResult.credential by assess and never put in a finding's evidence. */
  password: string;
  origin: CandidateOrigin;
  source: string;
  ref: string | null;
  attempt: number;
};

export type GuessEvidence = {
  maxGuesses: number;
  /** Login attempts made: negative control, guesses and the confirmation step. */
  attempts: number;
  /** Of those, the confirmation attempts after a success (outside the guess budget). */
  confirmations: number;
  failures: number;
  candidatesPlanned: number;
  candidatesTried: number;
  /** Planned candidates neither tried nor skipped for the per-account cap (budget, lockout risk, time, errors). */
  candidatesNotReached: number;
  usernamesTried: string[];
  negativeControl: 'rejected' | 'accepted' | 'error' | 'unsupported' | 'not-run';
  stop: StopReason;
  vendorsMatched: { id: string; name: string; via: string }[];
  /** No vendor matched: the device type whose common brands' defaults were tried first. */
  rankedByType: string | null;
  lockoutPolicy: { cautious: boolean; reasons: string[]; maxFailures: number | null; maxFailuresPerAccount: number };
  lockoutText: string | null;
  unsupported: string | null;
  skippedForAccountCap: number;
  errors: { kind: string; message: string }[];
  confirmation: Confirmation;
  /** A login that worked once but failed the confirmation: its user name only, never reported as a credential. */
  unconfirmed: { attempt: number; username: string } | null;
  found: FoundSecret | null;
};

export function guessEvidence(run: GuessRun, plan: CandidatePlan, maxGuesses: number): GuessEvidence {
  const planned = run.candidatesPlanned ?? plan.candidates.length;
  return {
    maxGuesses,
    attempts: run.attempts,
    confirmations: run.confirmations,
    failures: run.failures,
    candidatesPlanned: planned,
    candidatesTried: run.candidatesTried,
    candidatesNotReached: run.stop === 'success' ? 0 : Math.max(0, planned - run.candidatesTried - run.skippedForAccountCap),
    usernamesTried: run.usernamesTried.map((u) => u.slice(0, 64)),
    negativeControl: run.negativeControl,
    stop: run.stop,
    vendorsMatched: plan.matched.map((m) => ({ id: m.vendor.id, name: m.vendor.name, via: m.via })),
    rankedByType: plan.rankedByType ?? null,
    lockoutPolicy: {
      cautious: run.policy.cautious,
      reasons: run.policy.reasons,
      maxFailures: run.policy.maxFailures,
      maxFailuresPerAccount: run.policy.maxFailuresPerAccount,
    },
    lockoutText: run.lockoutText?.slice(0, 160) ?? null,
    unsupported: run.unsupported?.slice(0, 200) ?? null,
    skippedForAccountCap: run.skippedForAccountCap,
    errors: run.errors.slice(0, 5).map((e) => ({ kind: e.kind, message: e.message.slice(0, 200) })),
    confirmation: { ...run.confirmation },
    unconfirmed: run.unconfirmed ? { attempt: run.unconfirmed.attempt, username: run.unconfirmed.username.slice(0, 64) } : null,
    found: run.found
      ? {
        username: run.found.candidate.username,
        password: run.found.candidate.password,
        origin: run.found.candidate.origin,
        source: run.found.candidate.source,
        ref: run.found.candidate.ref ?? null,
        attempt: run.found.attempt,
      }
      : null,
  };
}

/** `text` with every occurrence of `secret` replaced (case-insensitively) by "•••". */
export function redact(text: string, secret: string): string {
  if (secret === '') return text;
  const lower = text.toLowerCase();
  const needle = secret.toLowerCase();
  let out = '';
  let i = 0;
  for (;;) {
    const j = lower.indexOf(needle, i);
    if (j < 0) return out + text.slice(i);
    out += `${text.slice(i, j)}•••`;
    i = j + needle.length;
  }
}

/** The evidence without the secret: what goes into a finding. */
export function publicEvidence<T extends { found: FoundSecret | null }>(ev: T): Json {
  const { found, ...rest } = ev;
  const out: Record<string, unknown> = { ...rest };
  if (found) {
    // Data sources quote the defaults they document ("admin / 1234"): the password is cut out of them too.
    out.found = { username: found.username, origin: found.origin, source: redact(found.source, found.password), ref: found.ref, attempt: found.attempt };
  }
  return out as Json;
}
