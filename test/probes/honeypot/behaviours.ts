/**
 * The honeypot behaviours every credential probe must survive (the shared suite, credential-honeypots.test.ts),
 * each with what must then hold. `honest` is the positive control: the device accepts only the owner's pair,
 * which the probe must find and confirm — without it, a broken fake would pass every negative case.
 */
import type { CheckResult } from '../../../src/probes/contract.js';
import type { AuthDecision, Authorize } from './decision.js';
import type { TransportMode } from './transport.js';

/** Wrong logins before a `fails-open` device lets anything in, and before a `locks` device locks. */
export const N = 3;
/** The owner's pair for this device (targets.yaml): the engine tries it first, so the control needs no default list. */
export const OWNER = { username: 'owner', password: 'Kettle-4417' };

export type Behaviour = 'honest' | 'accepts-anything' | 'fails-open' | 'locks' | 'drips' | 'resets';
export const BEHAVIOURS: readonly Behaviour[] = ['honest', 'accepts-anything', 'fails-open', 'locks', 'drips', 'resets'];

export interface Oracle { authorize: Authorize; readonly attempts: number; readonly decisions: AuthDecision[] }

export function oracle(b: Behaviour): Oracle {
  const decisions: AuthDecision[] = [];
  let failures = 0;
  const authorize: Authorize = (username, password) => {
    const right = username === OWNER.username && password === OWNER.password;
    let d: AuthDecision;
    if (b === 'accepts-anything') d = 'accept';
    else if (b === 'fails-open') d = decisions.length >= N ? 'accept' : 'reject';
    else if (b === 'locks') d = failures >= N ? 'lock' : 'reject';
    else d = right ? 'accept' : 'reject';
    if (d === 'reject') failures += 1;
    decisions.push(d);
    return d;
  };
  return { authorize, get attempts() { return decisions.length; }, decisions };
}

export function transportOf(b: Behaviour): TransportMode {
  return b === 'drips' ? 'drip' : b === 'resets' ? 'reset' : 'plain';
}

/** Whether the behaviour gives the probe the owner's pair (only the honest and dripping devices accept it). */
export function ownerPairGiven(b: Behaviour): boolean {
  return b === 'honest' || b === 'drips' || b === 'fails-open';
}

/** The guessing run's stop reason, from the results' public evidence. */
export function stopOf(results: CheckResult[]): string | undefined {
  for (const r of results) {
    const stop = (r.evidence as { stop?: unknown } | undefined)?.stop;
    if (typeof stop === 'string') return stop;
  }
  return undefined;
}
