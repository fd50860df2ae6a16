/**
 * The shared honeypot suite: every credential probe in the registry, against its protocol's fake driven
 * by one decision hook, in each behaviour of honeypot/behaviours.ts:
 * - honest (positive control) and drips (the same device, its bytes split and slowed): the owner's pair
 *   is found and confirmed;
 * - accepts anything: no credential, "accepts any password" (the negative control caught it);
 * - fails open after N wrong logins: no credential (the confirmation caught it);
 * - locks after N: no credential; where the protocol can say "locked", the probe stops at it within N+1
 *   attempts (N+2 for telnet, which sends two guesses at once) and never passes; where it cannot (MQTT, SSH, SNMP), a silent lock looks exactly like a
 *   device that rejects every candidate, so the probe can only stay within its guess budget;
 * - resets every connection: no credential, never pass.
 * A credential probe without an adapter fails the suite.
 */
import { describe, expect, it, jest } from '@jest/globals';
import { PROBES } from '../../src/probes/registry.js';
import { ADAPTERS } from './honeypot/adapters.js';
import { BEHAVIOURS, N, OWNER, oracle, stopOf, transportOf, type Behaviour } from './honeypot/behaviours.js';
import { runCollect, type CollectRun } from './helpers/probe-tester.js';

jest.setTimeout(60_000);
const MAX_GUESSES = 10;
const owner = [{ ...OWNER, source: 'targets.yaml' }];

describe('every credential probe has a honeypot adapter', () => {
  it('the suite covers exactly the registry\'s credential-level probes', () => {
    const credentialProbes = PROBES.filter((p) => p.meta.safety === 'credentials').map((p) => p.meta.id).sort();
    expect(Object.keys(ADAPTERS).sort()).toEqual(credentialProbes);
    for (const [id, a] of Object.entries(ADAPTERS)) {
      expect(a.probe.meta.id).toBe(id);
      expect(Object.keys(a.probe.meta.checks)).toContain(a.defaultCheck);
    }
  });
});

function judge(b: Behaviour, id: string, run: CollectRun, attempts: number): void {
  const a = ADAPTERS[id]!;
  const credentials = run.results.filter((r) => r.credential);
  const main = run.results.find((r) => r.check === a.defaultCheck);
  const stop = stopOf(run.results);
  const where = `${id} / ${b}`;
  if (b === 'honest' || b === 'drips') {
    const expected = { username: a.credentialUser ?? OWNER.username, password: OWNER.password };
    expect([where, credentials.map((r) => [r.check, r.status, r.credential])]).toEqual([where, [[a.defaultCheck, 'fail', expected]]]);
    expect([where, stop]).toEqual([where, 'success']);
    return;
  }
  expect([where, credentials.length]).toEqual([where, 0]);
  if (!(b === 'locks' && !a.lockSignal)) expect([where, main?.status === 'pass']).toEqual([where, false]);
  if (b === 'accepts-anything' && a.anonymousFirst) {
    expect([where, stop]).toEqual([where, 'unsupported']);
  } else if (b === 'accepts-anything') {
    expect([where, stop]).toEqual([where, 'accepts-any']);
    expect([where, run.results.some((r) => r.status === 'fail' || r.status === 'warn')]).toEqual([where, true]);
  } else if (b === 'fails-open') {
    expect([where, ['unreliable', 'accepts-any'].includes(stop ?? '')]).toEqual([where, true]);
  } else if (b === 'locks') {
    if (a.lockSignal) {
      expect([where, stop]).toEqual([where, 'lockout']);
      // the attempt that saw the lock, plus the rest of its wave when the probe sends guesses in parallel
      expect([where, attempts <= N + (a.parallel ?? 1)]).toEqual([where, true]);
    } else {
      // the negative control, the budget, and at most two confirmation attempts
      expect([where, attempts <= MAX_GUESSES * (a.attemptsPerGuess ?? 1) + 3]).toEqual([where, true]);
    }
  } else if (b === 'resets') {
    expect([where, attempts]).toEqual([where, 0]);
    expect([where, ['error', 'not_tested', 'partial'].includes(main?.status ?? 'missing')]).toEqual([where, true]);
  }
}

describe.each(Object.keys(ADAPTERS))('%s against the honeypots', (id) => {
  const a = ADAPTERS[id]!;
  it.each(BEHAVIOURS)('%s', async (b) => {
    const o = oracle(b);
    const run = await runCollect(a.probe, { start: () => a.start(o.authorize, transportOf(b)), credentials: owner, maxGuesses: MAX_GUESSES });
    judge(b, id, run, o.attempts);
  });
});
