/**
 * snmp-default-community (guidelines 1, 5, 6): does the SNMP agent answer a well-known community string?
 *
 * net-snmp inside ctx.net.slot (it opens its own UDP socket), `{ timeout: 1000, retries: 0 }`, one GET of
 * sysDescr.0 and sysName.0 per request — never a SET, never a walk. Per community: SNMPv2c, then SNMPv1.
 * A wrong community just times out (agents do not answer it), so silence is a refusal — but only when an
 * agent is known to be there: one SNMPv3 discovery request first (lib/snmp-agent.ts). When neither it nor
 * any community got an answer, the check is `not_tested` ("no answer"), never `pass`.
 * Each community is one guess, sent as SNMPv2c and SNMPv1 (so the request budget is twice --max-guesses).
 * Negative control first: a random community that answers means the agent accepts any community (reported on
 * this check with its own title). Communities: owner pairs from targets.yaml (the password is the community),
 * then src/data/credentials.json `snmpCommunities`.
 */
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { ErrorKind } from '../model.js';
import { credentialDb } from '../data/credentials.js';
import { classifyError } from '../net/errors.js';
import { lockoutPolicy } from './lib/lockout.js';
import {
  fromContext, assessGuesses, guessEvidence, ownerPairs, publicEvidence, randomCredential, runGuesses,
  type AttemptOutcome, type Candidate, type CandidatePlan, type GuessEvidence,
} from './lib/credentials.js';
import { netSnmp, type NetSnmp, type SnmpSession } from '../net/snmp.js';
import { noAnswerDetail, presenceWords, snmpPresence, type AgentPresence } from './lib/snmp-agent.js';

export const CHECK_DEFAULT = 'snmp-default-community';

const JOB_TIMEOUT_MS = 90_000;
const ATTEMPT_MS = 3_000;
const SYS_DESCR = '1.3.6.1.2.1.1.1.0';
const SYS_NAME = '1.3.6.1.2.1.1.5.0';

export type SnmpCommunityEvidence = GuessEvidence & {
  port: number;
  /** The version that answered with the found community. */
  version: '2c' | '1' | null;
  sysDescr: string | null;
  sysName: string | null;
  /** Requests per version (a community is tried with v2c, then v1). */
  requests: { v2c: number; v1: number };
  /** Whether an agent answered SNMPv3 discovery before the guessing. */
  agent: AgentPresence;
};


function text(value: unknown): string | null {
  let s: string | null = null;
  if (Buffer.isBuffer(value)) {
    const head = value.subarray(0, 800);
    const utf8 = head.toString('utf8');
    s = utf8.includes('\uFFFD') ? head.toString('latin1') : utf8;
  } else if (typeof value === 'string') s = value.slice(0, 800);
  if (s === null) return null;
  // eslint-disable-next-line no-control-regex
  const t = s.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, ' ').trim();
  return t === '' ? null : t.slice(0, 200);
}

type GetResult =
  | { kind: 'answered'; sysDescr: string | null; sysName: string | null }
  | { kind: 'timeout' }
  | { kind: 'error'; error: Error };

function getOnce(snmp: NetSnmp, address: string, port: number, community: string, version: '2c' | '1', signal: AbortSignal): Promise<GetResult> {
  return new Promise<GetResult>((resolve) => {
    let settled = false;
    let session: SnmpSession | undefined;
    const finish = (r: GetResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      signal.removeEventListener('abort', onAbort);
      try { session?.close(); } catch { /* already closed */ }
      resolve(r);
    };
    const onAbort = (): void => finish({ kind: 'error', error: Object.assign(new Error('aborted'), { name: 'AbortError' }) });
    const guard = setTimeout(() => finish({ kind: 'timeout' }), 2_500); // backstop: the library's own timeout is 1 s
    if (signal.aborted) { onAbort(); return; }
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      session = snmp.createSession(address, community, {
        port, version: version === '2c' ? snmp.Version2c : snmp.Version1, timeout: 1_000, retries: 0,
        transport: address.includes(':') ? 'udp6' : 'udp4', backwardsGetNexts: false,
      });
      session.on('error', () => undefined);
      session.get([SYS_DESCR, SYS_NAME], (error, varbinds) => {
        if (!error) {
          let sysDescr: string | null = null;
          let sysName: string | null = null;
          for (const vb of (varbinds ?? []).slice(0, 2)) {
            if (snmp.isVarbindError(vb)) continue;
            if (String(vb.oid) === SYS_DESCR) sysDescr = text(vb.value);
            if (String(vb.oid) === SYS_NAME) sysName = text(vb.value);
          }
          finish({ kind: 'answered', sysDescr, sysName });
          return;
        }
        if (error.name === 'RequestTimedOutError') { finish({ kind: 'timeout' }); return; }
        // An error status (SNMPv1 noSuchName) is still an answer: the community is accepted.
        if (error.name === 'RequestFailedError') { finish({ kind: 'answered', sysDescr: null, sysName: null }); return; }
        finish({ kind: 'error', error });
      });
    } catch (e) {
      finish({ kind: 'error', error: e instanceof Error ? e : new Error(String(e)) });
    }
  });
}

interface State { version: '2c' | '1' | null; sysDescr: string | null; sysName: string | null; requests: { v2c: number; v1: number } }

async function attempt(ctx: ProbeContext, port: number, c: Candidate, state: State): Promise<AttemptOutcome> {
  const version = c.ref === 'v1' ? '1' : '2c';
  const snmp = await netSnmp();
  if (version === '2c') state.requests.v2c += 1; else state.requests.v1 += 1;
  const r = await ctx.net.slot((address, signal) => getOnce(snmp, address, port, c.password, version, signal));
  if (r.kind === 'answered') {
    state.version = version;
    state.sysDescr = r.sysDescr;
    state.sysName = r.sysName;
    return { kind: 'success' };
  }
  if (r.kind === 'timeout') return { kind: 'failure' };
  if (r.error.name === 'AbortError') throw r.error;
  const kind: ErrorKind = classifyError(r.error);
  return { kind: 'error', errorKind: kind === 'internal' ? 'protocol-error' : kind, message: r.error.message.slice(0, 200) };
}

/** Communities to try, each with v2c then v1 (Candidate.ref holds the version; the user name is empty). */
export function communityCandidates(owner: readonly { password: string }[]): Candidate[] {
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const add = (community: string, origin: Candidate['origin'], source: string): void => {
    if (community === '' || community.length > 64 || seen.has(community)) return;
    seen.add(community);
    for (const ref of ['v2c', 'v1']) out.push({ username: '', password: community, origin, source, ref });
  };
  for (const p of owner) add(p.password, 'owner', 'targets.yaml');
  for (const c of credentialDb().file.snmpCommunities) add(c.community, 'generic', c.source.slice(0, 240));
  return out;
}

export function assessSnmpCommunity(ev: SnmpCommunityEvidence): CheckResult[] {
  const answered = ev.version !== null || ev.agent.v3 === 'answered' || ev.stop === 'accepts-any' || ev.stop === 'unreliable';
  if (!answered && ev.candidatesTried > 0 && ev.stop !== 'error') {
    return [{
      check: CHECK_DEFAULT, status: 'not_tested', confidence: 'low', title: 'No SNMP agent answered',
      detail: noAnswerDetail(ev.port, `the ${ev.candidatesTried} requests with well-known community strings (SNMPv2c and v1), not a random community`),
      evidence: publicEvidence(ev),
    }];
  }
  const results = assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT,
    label: `the SNMP agent on port ${ev.port}/udp`,
    anyTitle: 'SNMP agent answers any community string',
    anySeverity: 'high',
    cleartext: true,
  });
  for (const r of results) {
    if (r.status === 'fail' && r.credential && ev.version !== null) {
      r.detail = `The SNMP agent on port ${ev.port}/udp answered SNMP${ev.version === '2c' ? 'v2c' : 'v1'} requests with a well-known community string (${ev.found?.origin === 'owner' ? 'listed in targets.yaml' : 'a factory default'}) and disclosed its system description; community strings travel in cleartext. iotcop only read sysDescr and sysName and never tried to write.`;
    }
    if (r.status === 'pass') {
      r.detail = `An SNMP agent is on port ${ev.port}/udp (${presenceWords(ev.agent)}), but it answered none of ${ev.candidatesTried} requests with well-known community strings (SNMPv2c and v1); a random community got no answer either.`;
    }
  }
  return results;
}

export default defineProbe<SnmpCommunityEvidence>({
  meta: {
    id: 'snmp-default-community',
    title: 'SNMP default community',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'udp', services: ['snmp'], ports: [161] },
    budget: { maxConnections: 110, timeoutMs: JOB_TIMEOUT_MS, typicalMs: 3_000 },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'SNMP rejects default community strings',
        failureTitle: 'SNMP answers a default community string',
        summary: 'This device answers network-management (SNMP) requests protected only by a well-known factory password, so anyone on your network can read details about it — and that kind of password sometimes also allows changing its settings.',
        guidelines: ['uk-cop-1', 'uk-cop-5', 'uk-cop-6'],
        provisions: ['5.1-1', '5.1-2', '5.5-1', '5.6-1'],
        severity: 'high',
        description: 'The SNMP agent (SNMP v1/v2c) accepts a well-known community string, which acts as a shared password sent in cleartext. Read access reveals the model, firmware and network details; a write community would let anyone reconfigure the device. iotcop only reads.',
        remediation: 'Switch SNMP off if nothing on your network uses it. Otherwise change the community strings to long random values (or better, use SNMPv3 with authentication and encryption) and restrict access to the management station\'s address.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 161;
    const started = Date.now();
    const state: State = { version: null, sysDescr: null, sysName: null, requests: { v2c: 0, v1: 0 } };
    const candidates = communityCandidates(ownerPairs(ctx.credentials, ctx.config, 'snmp'));
    const plan: CandidatePlan = { candidates, matched: [], lockoutReasons: [] };
    const random = randomCredential();
    const agent = await snmpPresence(ctx, port);
    const run = await runGuesses({
      negativeControl: { ...random, username: '', ref: 'v2c' },
      candidates,
      // Community strings are not accounts and nothing locks: only the guess budget limits the requests.
      policy: lockoutPolicy([]),
      attempt: (c) => attempt(ctx, port, c, state),
      ...fromContext(ctx),
      maxFailuresPerAccount: 1_000,
      maxAttempts: ctx.settings.maxGuesses * 2, // one guess = one community, as v2c and as v1
      deadlineAt: started + JOB_TIMEOUT_MS - 5_000,
      attemptMs: ATTEMPT_MS,
    });
    return {
      ...guessEvidence(run, plan, ctx.settings.maxGuesses),
      usernamesTried: [],
      port,
      version: state.version,
      sysDescr: state.sysDescr,
      sysName: state.sysName,
      requests: state.requests,
      agent,
    };
  },

  assess(evidence) {
    return assessSnmpCommunity(evidence);
  },
});
