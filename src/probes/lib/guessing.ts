/**
 * The one guessing engine of every credential probe (pure apart from the attempt function the probe
 * passes in): negative control, candidates in order, one attempt per call, a delay between attempts, the
 * guess budget, the lockout policy, and — before any success is reported — the confirmation step
 * (docs/CREDENTIALS.md "Confirmation"). Stops at the first confirmed success or on any lockout sign.
 */
import { randomBytes } from 'node:crypto';
import type { ErrorKind } from '../../model.js';
import { classifyError } from '../../net/errors.js';
import { lockoutPolicy, makeCautious, type LockoutPolicy } from './lockout.js';
import type { Candidate, CandidatePlan } from './candidates.js';
import type { ProbeContext } from '../contract.js';

export type AttemptOutcome =
  | { kind: 'success' }
  | { kind: 'failure'; hint?: string; remaining?: number }
  | { kind: 'lockout'; text: string }
  | { kind: 'unsupported'; reason: string }
  | { kind: 'error'; errorKind: ErrorKind; message: string };

export type StopReason =
  | 'success' | 'accepts-any' | 'unreliable' | 'budget' | 'exhausted' | 'lockout' | 'lockout-risk' | 'error' | 'deadline'
  | 'unsupported' | 'no-budget';

/**
 * What the attempt is for. `confirm-wrong` (the found user name with a fresh random password) and
 * `confirm-again` (the found credential once more, on a new connection) are the confirmation step.
 */
export type AttemptStep = 'negative-control' | 'guess' | 'confirm-wrong' | 'confirm-again';

export interface GuessOptions {
  negativeControl: Candidate;
  candidates: readonly Candidate[];
  /**
   * Called once after the negative control was rejected, for probes that learn something on that first
   * connection (a banner naming the vendor, a password-only prompt): the candidates and policy to use.
   */
  replan?: () => { candidates: readonly Candidate[]; policy: LockoutPolicy };
  /** Guesses allowed, the negative control included (ctx.settings.maxGuesses); the confirmation step is extra. */
  maxAttempts: number;
  policy: LockoutPolicy;
  attempt(c: Candidate, step: AttemptStep): Promise<AttemptOutcome>;
  /**
   * Waits for the next attempt slot (ctx.paceAttempt: `delayMs` after the last attempt any probe started
   * on the device). Called before every attempt or wave, the first included.
   */
  pace(): Promise<void>;
  /** The attempt delay, for the deadline estimate. */
  delayMs: number;
  now(): number;
  /** No attempt starts unless it can finish (attemptMs) before this time (epoch ms). */
  deadlineAt: number;
  attemptMs: number;
  /** Random password for the confirm-wrong attempt (tests pass a fixed one). */
  wrongPassword?: () => string;
  /**
   * The owner's allowance (maxFailuresPerAccount in targets.yaml): wrong passwords per user name, and in
   * total on a service that looks like it locks. Replaces the cautious defaults for this device.
   */
  maxFailuresPerAccount?: number;
  /**
   * Guesses sent at once (default 1). For protocols whose failure delay dominates (busybox login waits
   * about 1 s after each wrong password; OpenSSH 1.5–4 s), the probe passes the per-host connection
   * allowance. Used only where nothing counts wrong logins in total (no cautious policy, no total cap):
   * a wave is at most this many candidates, each within the per-account cap, after one attempt delay;
   * results are judged in candidate order, exactly as one at a time. The negative control goes in the
   * first wave (judged before its candidates), or alone first when `replan` needs its answer; the two
   * confirmation attempts (independent of each other) go together. The net layer's per-host limit still
   * holds every connection.
   */
  parallel?: number;
}

/**
 * The wave width telnet and SSH ask for: the scheduler's default per-host connection limit (--per-host 2).
 * With a lower limit the second attempt simply waits for its slot in the net layer.
 */
export const GUESS_PARALLEL = 2;

/** The engine options every credential probe takes from its context: budget, delay, clock, allowance. */
export function fromContext(ctx: ProbeContext): Pick<GuessOptions, 'maxAttempts' | 'pace' | 'delayMs' | 'now' | 'maxFailuresPerAccount'> {
  return {
    maxAttempts: ctx.settings.maxGuesses,
    pace: () => ctx.paceAttempt(),
    delayMs: ctx.settings.attemptDelayMs,
    now: Date.now,
    ...(ctx.settings.maxFailuresPerAccount !== undefined ? { maxFailuresPerAccount: ctx.settings.maxFailuresPerAccount } : {}),
  };
}

/** The policy with the owner's allowance applied. */
export function withAllowance(policy: LockoutPolicy, allowance: number | undefined): LockoutPolicy {
  if (allowance === undefined) return policy;
  return { ...policy, maxFailuresPerAccount: allowance, maxFailures: policy.maxFailures === null ? null : Math.max(policy.maxFailures, allowance) };
}

/** Outcome of the two confirmation attempts after a candidate worked. */
export type Confirmation = {
  /** The found user name with a fresh random password: must be rejected. */
  wrongPassword: 'rejected' | 'accepted' | 'error' | 'skipped' | 'not-run';
  /** The found credential again on a new connection: must succeed. */
  again: 'succeeded' | 'failed' | 'error' | 'not-run';
};

export interface GuessRun {
  /** Login attempts made: the negative control, the guesses and the confirmation step. */
  attempts: number;
  /** Of those, the confirmation attempts (outside the guess budget). */
  confirmations: number;
  failures: number;
  /** Candidates the run had (after a replan); unset when the run never started. */
  candidatesPlanned?: number;
  candidatesTried: number;
  usernamesTried: string[];
  negativeControl: 'rejected' | 'accepted' | 'error' | 'unsupported' | 'not-run';
  stop: StopReason;
  /** 1-based attempt number and candidate of the confirmed success. */
  found?: { attempt: number; candidate: Candidate };
  /** A candidate that logged in once but failed the confirmation (stop `unreliable` or `accepts-any`). */
  unconfirmed?: { attempt: number; username: string };
  confirmation: Confirmation;
  lockoutText?: string;
  unsupported?: string;
  errors: { kind: ErrorKind; message: string }[];
  skippedForAccountCap: number;
  policy: LockoutPolicy;
}

/** A run that never started (no login page, no recipe): the probe says why in `unsupported`. */
export function emptyRun(stop: StopReason, policy: LockoutPolicy): GuessRun {
  return {
    attempts: 0, confirmations: 0, failures: 0, candidatesTried: 0, usernamesTried: [], negativeControl: 'not-run',
    stop, errors: [], skippedForAccountCap: 0, policy, confirmation: { wrongPassword: 'not-run', again: 'not-run' },
  };
}

function isAbort(e: unknown): boolean {
  return classifyError(e) === 'aborted';
}

function randomPassword(): string {
  return `Q${randomBytes(12).toString('base64url')}7`;
}

/**
 * The guessing loop. Normally the negative control runs first. On a service that looks like it locks
 * (cautious policy, decided before the first attempt) it is deferred: the candidates go first, within
 * `maxFailures - 1` wrong logins, and the confirm-wrong attempt after a success plays its part. Any failed
 * candidate already proves that not every password is accepted. That keeps a scan of a device that counts
 * every wrong login at one or two failures.
 *
 * Confirmation (docs/CREDENTIALS.md): a candidate that logs in is reported only after (1) the same user
 * name with a fresh random password is rejected and (2) the candidate logs in again on a new connection.
 * A wrong password accepted after wrong logins were rejected means the login fails open (`unreliable`);
 * accepted when nothing was ever rejected, it accepts anything (`accepts-any`); a credential that does not
 * work twice is `unreliable`. Neither is ever reported as a default credential.
 */
export async function runGuesses(o: GuessOptions): Promise<GuessRun> {
  const run = emptyRun('exhausted', withAllowance(o.policy, o.maxFailuresPerAccount));
  const perAccount = new Map<string, number>();
  const noteUser = (u: string): void => { if (!run.usernamesTried.includes(u) && run.usernamesTried.length < 32) run.usernamesTried.push(u); };
  const attempt = async (c: Candidate, step: AttemptStep): Promise<AttemptOutcome> => {
    run.attempts += 1;
    if (step === 'confirm-wrong' || step === 'confirm-again') run.confirmations += 1;
    else noteUser(c.username);
    try {
      return await o.attempt(c, step);
    } catch (e) {
      if (isAbort(e)) throw e;
      return { kind: 'error', errorKind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
    }
  };
  const failed = (c: Candidate, r: Extract<AttemptOutcome, { kind: 'failure' }>): void => {
    run.failures += 1;
    perAccount.set(c.username, (perAccount.get(c.username) ?? 0) + 1);
    if (r.hint !== undefined) run.policy = withAllowance(makeCautious(run.policy, `the device said: ${r.hint}`), o.maxFailuresPerAccount);
  };
  /** Runs the negative control; returns true when the run must stop (run.stop set). */
  const negativeControl = async (): Promise<boolean> => {
    await o.pace();
    return judgeControl(await attempt(o.negativeControl, 'negative-control'));
  };
  /** Judges the negative control's outcome; true when the run must stop (run.stop set). */
  const judgeControl = (nc: AttemptOutcome): boolean => {
    switch (nc.kind) {
      case 'success': run.negativeControl = 'accepted'; run.stop = 'accepts-any'; return true;
      case 'lockout': run.negativeControl = 'error'; run.stop = 'lockout'; run.lockoutText = nc.text; return true;
      case 'unsupported': run.negativeControl = 'unsupported'; run.stop = 'unsupported'; run.unsupported = nc.reason; return true;
      case 'error': run.negativeControl = 'error'; run.stop = 'error'; run.errors.push({ kind: nc.errorKind, message: nc.message }); return true;
      case 'failure':
        run.negativeControl = 'rejected';
        failed(o.negativeControl, nc);
        if (nc.remaining !== undefined && nc.remaining <= 1) { run.stop = 'lockout-risk'; return true; }
        return false;
    }
  };
  const canStart = (): boolean => o.now() + o.delayMs + o.attemptMs <= o.deadlineAt;
  /** The confirmation step after candidate c logged in on attempt `at`; sets run.stop and found/unconfirmed. */
  const confirm = async (c: Candidate, at: number): Promise<void> => {
    const rejectedBefore = run.failures > 0;
    const failureLeft = run.policy.maxFailures === null || run.failures < run.policy.maxFailures;
    const wrong: Candidate = { ...c, password: (o.wrongPassword ?? randomPassword)(), origin: 'generic', source: 'confirmation (random wrong password)' };
    let wr: AttemptOutcome | undefined;
    let again: AttemptOutcome | undefined;
    if (!failureLeft) run.confirmation.wrongPassword = 'skipped';
    else if (canStart()) {
      await o.pace();
      // With parallel guesses the two attempts are independent and go together; otherwise one after the other.
      if (width() > 1) [wr, again] = await Promise.all([attempt(wrong, 'confirm-wrong'), attempt(c, 'confirm-again')]);
      else wr = await attempt(wrong, 'confirm-wrong');
    }
    if (wr?.kind === 'success') {
      run.confirmation.wrongPassword = 'accepted';
      run.unconfirmed = { attempt: at, username: c.username };
      run.stop = rejectedBefore ? 'unreliable' : 'accepts-any';
      return;
    }
    if (wr?.kind === 'failure') { run.confirmation.wrongPassword = 'rejected'; failed(wrong, wr); }
    else if (wr) {
      run.confirmation.wrongPassword = 'error';
      if (wr.kind === 'lockout') run.lockoutText = wr.text;
      else if (wr.kind === 'error') run.errors.push({ kind: wr.errorKind, message: wr.message });
    }
    if (again === undefined && canStart()) {
      await o.pace();
      again = await attempt(c, 'confirm-again');
    }
    if (again !== undefined) {
      if (again.kind === 'failure') {
        run.confirmation.again = 'failed';
        run.unconfirmed = { attempt: at, username: c.username };
        run.stop = 'unreliable';
        return;
      }
      run.confirmation.again = again.kind === 'success' ? 'succeeded' : 'error';
      if (again.kind === 'error') run.errors.push({ kind: again.errorKind, message: again.message });
    }
    run.found = { attempt: at, candidate: c };
    run.stop = 'success';
  };
  const width = (): number => (run.policy.cautious || run.policy.maxFailures !== null ? 1 : Math.max(1, Math.floor(o.parallel ?? 1)));

  if (o.maxAttempts < 1) { run.stop = 'no-budget'; return run; }
  if (o.now() + o.attemptMs > o.deadlineAt) { run.stop = 'deadline'; return run; }
  run.candidatesPlanned = o.candidates.length;
  // Deferred only where wrong logins are counted in total: a per-account lock is not touched by a random user.
  const deferred = run.policy.cautious && run.policy.maxFailures !== null && !o.replan && o.maxAttempts >= 2;
  // With parallel guesses and nothing to re-plan from the control's answer, the control goes in the first
  // wave with the first candidates (issue 18): it is judged first, and when it stops the run (it logged in,
  // a lockout, an error) the candidates sent with it count as tried and decide nothing.
  let controlPending = !deferred && !o.replan && width() > 1 && o.maxAttempts >= 2;
  if (!deferred && !controlPending && await negativeControl()) return run;

  let candidates = o.candidates;
  if (o.replan) {
    const next = o.replan();
    candidates = next.candidates;
    const reasons = [...run.policy.reasons, ...next.policy.reasons.filter((r) => !run.policy.reasons.includes(r))];
    const merged = next.policy.cautious ? next.policy : run.policy.cautious ? run.policy : next.policy;
    run.policy = withAllowance({ ...merged, reasons: reasons.slice(0, 5) }, o.maxFailuresPerAccount);
  }
  run.candidatesPlanned = candidates.length;
  // While the service is deferred (cautious), one failure stays reserved for the confirm-wrong attempt.
  const reserve = (): number => (deferred && run.confirmation.wrongPassword === 'not-run' ? 1 : 0);
  const guesses = (): number => run.attempts - run.confirmations;
  let consecutiveErrors = 0;
  /** Judges one guess's outcome; true when the run stops (run.stop set). */
  const settle = async (c: Candidate, r: AttemptOutcome, at: number): Promise<boolean> => {
    run.candidatesTried += 1;
    switch (r.kind) {
      case 'success':
        await confirm(c, at);
        return true;
      case 'lockout':
        run.lockoutText = r.text;
        run.stop = 'lockout';
        return true;
      case 'unsupported':
        run.unsupported = r.reason;
        run.stop = 'unsupported';
        return true;
      case 'error':
        run.errors.push({ kind: r.errorKind, message: r.message });
        if (r.errorKind === 'refused' && run.failures > 0) {
          // It answered before and now refuses: a block (fail2ban-style) is the likely reason. Stop.
          run.lockoutText = 'the device started refusing connections';
          run.stop = 'lockout';
          return true;
        }
        consecutiveErrors += 1;
        if (consecutiveErrors >= 2) { run.stop = 'error'; return true; }
        return false;
      case 'failure':
        consecutiveErrors = 0;
        failed(c, r);
        if (r.remaining !== undefined && r.remaining <= 1) { run.stop = 'lockout-risk'; return true; }
        return false;
    }
  };
  for (let i = 0; i < candidates.length;) {
    const c = candidates[i]!;
    if (guesses() >= o.maxAttempts) { run.stop = 'budget'; return run; }
    if (run.policy.maxFailures !== null && run.failures >= run.policy.maxFailures - reserve()) { run.stop = 'lockout-risk'; return run; }
    i += 1;
    if ((perAccount.get(c.username) ?? 0) >= run.policy.maxFailuresPerAccount) { run.skippedForAccountCap += 1; continue; }
    if (!canStart()) { run.stop = 'deadline'; return run; }
    // The wave: c, then the next candidates while the budget and each account's cap leave room for them.
    const withControl = controlPending;
    controlPending = false;
    const extra = withControl ? 1 : 0;
    const wave = [c];
    const inWave = (u: string): number => wave.filter((w) => w.username === u).length;
    while (wave.length + extra < width() && i < candidates.length && guesses() + wave.length + extra < o.maxAttempts) {
      const next = candidates[i]!;
      if ((perAccount.get(next.username) ?? 0) + inWave(next.username) >= run.policy.maxFailuresPerAccount) break;
      wave.push(next);
      i += 1;
    }
    await o.pace();
    const first = run.attempts + 1 + extra;
    const control = withControl ? attempt(o.negativeControl, 'negative-control') : undefined;
    const sent = wave.map((w) => attempt(w, 'guess'));
    const [results, nc] = await Promise.all([Promise.all(sent), control]);
    if (nc !== undefined && judgeControl(nc)) {
      // A candidate sent with it that got an answer counts as tried (its failure as a failure); one that
      // could not be tried (an error, no password method) does not.
      for (const [j, r] of results.entries()) {
        if (r.kind === 'error' || r.kind === 'unsupported') continue;
        run.candidatesTried += 1;
        if (r.kind === 'failure') failed(wave[j]!, r);
        else if (r.kind === 'lockout') run.lockoutText ??= r.text;
      }
      return run;
    }
    for (const [k, r] of results.entries()) {
      if (!(await settle(wave[k]!, r, first + k))) continue;
      // Stopped: the rest of the wave was sent all the same; it counts as tried, its failures as failures.
      for (const [j, later] of results.entries()) {
        if (j <= k) continue;
        run.candidatesTried += 1;
        if (later.kind === 'failure') failed(wave[j]!, later);
      }
      return run;
    }
  }
  // Every candidate was skipped before the first wave: the control still says whether any password works.
  if (controlPending && canStart() && await negativeControl()) return run;
  run.stop = 'exhausted'; // every candidate was tried or skipped for the per-account cap
  return run;
}

/** Initial lockout policy for a service from vendor data and text the device showed before any login. */
export function initialPolicy(plan: CandidatePlan, deviceHints: readonly (string | undefined)[] = []): LockoutPolicy {
  const reasons = [...plan.lockoutReasons];
  const hints = deviceHints.filter((h): h is string => h !== undefined);
  for (const h of hints) reasons.push(`the device said: ${h}`);
  // What the device itself says about locking outweighs the vendor's documented default.
  return lockoutPolicy(reasons, hints.length === 0 ? plan.vendorLockout : undefined);
}
