/**
 * Check results of a guessing run (pure): a confirmed default credential, "accepts any password",
 * authentication unreliable, a lockout, or nothing worked — `pass` only when every planned candidate was
 * tried, `partial` ("partly checked") when some were skipped, with what was skipped and how to finish.
 * docs/CREDENTIALS.md "Coverage" and "What is reported".
 */
import type { CheckResult } from '../contract.js';
import type { Confidence, ErrorKind, Json, Severity } from '../../model.js';
import type { CandidateOrigin } from './candidates.js';
import type { StopReason } from './guessing.js';
import { publicEvidence, type GuessEvidence } from './credential-evidence.js';

export interface AssessLabels {
  /** The check for a working default credential. */
  defaultCheck: string;
  /** The check for "accepts any password", when the probe has one; otherwise the default check reports it with `anyTitle`. */
  anyCheck?: string;
  /** "Telnet", "SSH", "the web interface" — used in details. */
  label: string;
  /** Title when the service accepts anything and there is no separate check. */
  anyTitle: string;
  anySeverity?: Severity;
  /** Whether the login travelled in cleartext (said in the detail). */
  cleartext: boolean;
  /** Status of the default check when the service offers no password login at all (SSH keys only). */
  unsupportedStatus?: 'pass' | 'not_applicable';
}

const ORIGIN_WORDS: Record<CandidateOrigin, string> = {
  owner: 'a pair listed for this device in targets.yaml',
  vendor: 'the vendor\'s documented factory default',
  derived: 'a password derived from an identifier the device discloses (MAC address or serial number)',
  type: 'the factory default of a common brand of this type of device',
  mirai: 'a pair from the Mirai botnet\'s list',
  generic: 'a common default',
};

const STOP_WORDS: Record<StopReason, string> = {
  success: 'a credential worked',
  'accepts-any': 'the service accepts any password',
  unreliable: 'a login worked but failed the confirmation',
  budget: 'the guess budget was used up',
  exhausted: 'every candidate was tried',
  lockout: 'the device signalled a lockout',
  'lockout-risk': 'the service looks like it locks accounts, so iotcop stopped early on purpose',
  error: 'connections failed',
  deadline: 'the probe ran out of time',
  unsupported: 'the service offers no password login',
  'no-budget': 'the guess budget is 0',
};

function n(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** "tried 4 of 10 planned candidates; 3 skipped (at most 3 wrong passwords per user name), 3 not reached (the guess budget was used up)". */
export function coverageText(ev: GuessEvidence): string {
  const parts = [`tried ${ev.candidatesTried} of ${n(ev.candidatesPlanned, 'planned candidate')}`];
  if (ev.skippedForAccountCap > 0) {
    parts.push(`${ev.skippedForAccountCap} skipped to avoid locking an account (at most ${n(ev.lockoutPolicy.maxFailuresPerAccount, 'wrong password')} per user name)`);
  }
  if (ev.candidatesNotReached > 0) parts.push(`${ev.candidatesNotReached} not reached because ${STOP_WORDS[ev.stop]}`);
  return parts.join('; ');
}

/** True when every planned candidate was tried (nothing skipped, nothing left). */
export function isComplete(ev: GuessEvidence): boolean {
  return ev.skippedForAccountCap === 0 && ev.candidatesNotReached === 0;
}

/** How the owner can finish a partly done check. */
export function finishAdvice(ev: GuessEvidence): string {
  const ways: string[] = [];
  if (ev.stop === 'budget') ways.push(`raise the guess budget (--max-guesses ${Math.min(100, ev.maxGuesses + ev.candidatesNotReached)}, or maxGuesses for this device in targets.yaml)`);
  if (ev.skippedForAccountCap > 0 || ev.stop === 'lockout-risk') {
    ways.push('if you know how many wrong passwords the device tolerates, allow that many (maxFailuresPerAccount for this device in targets.yaml)');
  }
  if (ev.stop === 'deadline' || ev.stop === 'error' || ev.stop === 'lockout') ways.push('scan this device again later, on its own');
  ways.push('or log in yourself and make sure the factory password has been changed');
  return `To finish the check: ${ways.join('; ')}.`;
}

function describeRun(ev: GuessEvidence): string {
  const tried = ev.candidatesTried === 1 ? '1 default credential' : `${ev.candidatesTried} default credentials`;
  const attempts = ev.attempts === 1 ? '1 login attempt' : `${ev.attempts} login attempts`;
  return `${tried} in ${attempts}${ev.negativeControl === 'rejected' ? ', the negative control included' : ''}; stopped because ${STOP_WORDS[ev.stop]}.`;
}

function confirmationText(ev: GuessEvidence): { text: string; verified: boolean } {
  const c = ev.confirmation;
  const wrong = c.wrongPassword === 'rejected' ? 'the same user name with a random wrong password was rejected'
    : c.wrongPassword === 'skipped' ? 'the wrong-password check was skipped to stay below the lockout threshold'
      : 'the wrong-password check could not be completed';
  const again = c.again === 'succeeded' ? 'the credential logged in again on a new connection' : 'logging in a second time could not be completed';
  const nc = ev.negativeControl === 'rejected' ? '; a random user name and password was rejected (negative control)' : '';
  return { text: `Confirmed: ${wrong}, and ${again}${nc}`, verified: c.wrongPassword === 'rejected' && c.again === 'succeeded' };
}

/**
 * Check results of a guessing run. Probe-specific states (no authentication at all, anonymous brokers,
 * open streams) are decided by the probe before it calls this.
 */
export function assessGuesses(ev: GuessEvidence, labels: AssessLabels): CheckResult[] {
  const out: CheckResult[] = [];
  const pub = publicEvidence(ev);
  const errorOf = (): { kind: ErrorKind; message: string } => {
    const e = ev.errors[0];
    return { kind: (e?.kind as ErrorKind | undefined) ?? 'internal', message: e?.message ?? 'the login attempts could not complete' };
  };
  const anyResult = (r: Omit<CheckResult, 'check'>): void => { if (labels.anyCheck) out.push({ check: labels.anyCheck, ...r }); };
  const ncRejected = ev.negativeControl === 'rejected' || ev.negativeControl === 'unsupported';
  // A wrong password that failed proves as much as the negative control: the service does not accept anything.
  const wrongRejected = ev.negativeControl === 'rejected' || ev.failures > 0;
  const rejectedDetail = ev.negativeControl === 'rejected'
    ? 'A random wrong password was rejected (negative control).'
    : 'Wrong passwords were rejected.';
  const acceptsAny = (detail: string): CheckResult[] => {
    if (labels.anyCheck) {
      out.push({ check: labels.anyCheck, status: 'fail', detail, evidence: pub });
      out.push({ check: labels.defaultCheck, status: 'not_applicable', detail: `${labels.label} accepts any password, so no default credential can be singled out.`, evidence: pub });
    } else {
      const r: CheckResult = { check: labels.defaultCheck, status: 'fail', title: labels.anyTitle, detail, evidence: pub };
      if (labels.anySeverity) r.severity = labels.anySeverity;
      out.push(r);
    }
    return out;
  };
  const cleartext = labels.cleartext ? ', and the login travels in cleartext' : '';

  if (ev.stop === 'accepts-any') {
    if (ev.unconfirmed) {
      return acceptsAny(`The user "${ev.unconfirmed.username}" logged in to ${labels.label}, and then logged in again with a random wrong password: it accepts any password${cleartext}.`);
    }
    return acceptsAny(`A random user name and password that no device has (the negative control) logged in to ${labels.label}: it accepts any password${cleartext}.`);
  }

  if (ev.stop === 'unreliable') {
    const u = ev.unconfirmed;
    const who = u ? `The user "${u.username}" logged in on attempt ${u.attempt}` : 'A login worked';
    if (ev.confirmation.wrongPassword === 'accepted') {
      // Fails open: wrong logins were rejected first, then anything was let in.
      return acceptsAny(`${who}, but then a random wrong password for the same user logged in too, although wrong passwords had been rejected before: ${labels.label} fails open (after some attempts it accepts any password). No default credential is reported, because none can be singled out${cleartext}.`);
    }
    const r: Omit<CheckResult, 'check'> = {
      status: 'not_tested',
      confidence: 'low',
      title: 'Authentication unreliable: a login worked once but not again',
      detail: `${who} to ${labels.label}, but the same credential was rejected on a new connection. iotcop reports no credential it could not confirm; check this login by hand.`,
      evidence: pub,
    };
    out.push({ check: labels.defaultCheck, ...r });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult(r);
    return out;
  }

  if (ev.stop === 'no-budget') {
    const r: Omit<CheckResult, 'check'> = { status: 'not_tested', detail: 'No login was attempted: the guess budget (--max-guesses) is 0.', evidence: pub };
    out.push({ check: labels.defaultCheck, ...r });
    anyResult(r);
    return out;
  }

  if (ev.stop === 'success' && ev.found) {
    const f = ev.found;
    const conf = confirmationText(ev);
    const r: CheckResult = {
      check: labels.defaultCheck,
      status: 'fail',
      detail: `The user "${f.username.slice(0, 64)}" logged in to ${labels.label} with ${ORIGIN_WORDS[f.origin]} on attempt ${f.attempt} of ${ev.maxGuesses}${labels.cleartext ? ', over a connection that carries the password in cleartext' : ''}. ${conf.text}.`,
      evidence: pub,
      credential: { username: f.username, password: f.password },
    };
    if (!conf.verified) r.confidence = 'medium';
    out.push(r);
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult({ status: 'not_tested', detail: 'The negative control could not be completed.', evidence: pub });
    return out;
  }

  if (ev.stop === 'unsupported') {
    const status = labels.unsupportedStatus ?? 'not_applicable';
    const detail = `${labels.label} offers no password login (${ev.unsupported ?? 'no supported method'}), so no default password can work.`;
    out.push({ check: labels.defaultCheck, status, detail, evidence: pub });
    anyResult({ status, detail, evidence: pub });
    return out;
  }

  if (ev.stop === 'lockout') {
    const quoted = ev.lockoutText ? ` It said: "${ev.lockoutText.slice(0, 120)}".` : '';
    out.push({
      check: labels.defaultCheck,
      status: (ncRejected || wrongRejected) && ev.candidatesTried > 0 ? 'partial' : 'not_tested',
      confidence: 'low',
      title: 'Default-credential check stopped: the device signalled a lockout',
      detail: `iotcop stopped after ${ev.attempts} login attempts because the device signalled a lockout or rate limit.${quoted} A lockout slows password guessing (EN 303 645 5.1-5), but the defaults not yet tried remain untested: ${coverageText(ev)}. ${finishAdvice(ev)}`,
      evidence: pub,
    });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult({ status: 'not_tested', detail: 'The device signalled a lockout before the negative control completed.', evidence: pub });
    return out;
  }

  if (ev.stop === 'error' && ev.candidatesTried === 0) {
    const r: Omit<CheckResult, 'check'> = { status: 'error', error: errorOf(), evidence: pub };
    out.push({ check: labels.defaultCheck, ...r });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult(r);
    return out;
  }

  if (ev.candidatesTried === 0) {
    const r: Omit<CheckResult, 'check'> = { status: 'not_tested', detail: `No default credential was tried: ${STOP_WORDS[ev.stop]}.`, evidence: pub };
    out.push({ check: labels.defaultCheck, ...r });
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult(r);
    return out;
  }

  // budget, exhausted, lockout-risk, deadline, error after some tries: nothing worked. `pass` only when every
  // planned candidate was tried; otherwise "partly checked", with what was left and how to finish.
  const anyDone = (): void => {
    if (wrongRejected) anyResult({ status: 'pass', detail: rejectedDetail, evidence: pub });
    else anyResult({ status: 'not_tested', detail: 'No wrong password was seen to fail.', evidence: pub });
  };
  if (!isComplete(ev)) {
    out.push({
      check: labels.defaultCheck,
      status: 'partial',
      confidence: 'low',
      title: 'Default-credential check only partly done',
      detail: `No default credential logged in to ${labels.label}, but iotcop could not try them all: ${coverageText(ev)}. ${finishAdvice(ev)}`,
      evidence: pub,
    });
    anyDone();
    return out;
  }
  const confidence: Confidence = ev.stop === 'error' ? 'low' : 'medium';
  out.push({
    check: labels.defaultCheck,
    status: 'pass',
    confidence,
    detail: `No default credential logged in to ${labels.label}: ${describeRun(ev)} A scan can never prove that no default exists.`,
    evidence: pub,
  });
  anyDone();
  return out;
}

/** A failed result for every check of a probe when collect could not get anywhere (used by probes' assess). */
export function errorResults(checks: readonly string[], kind: ErrorKind, message: string, evidence: Json): CheckResult[] {
  return checks.map((check) => ({ check, status: 'error' as const, error: { kind, message: message.slice(0, 300) }, evidence }));
}
