/**
 * http-default-credentials (guideline 1; over plain HTTP the password also travels in cleartext, which the
 * cleartext-services probe reports as http-cleartext-login under guideline 5).
 *
 * Only pages that ask for HTTP authentication are tried, with the scheme they ask for: Basic, or Digest
 * (MD5, SHA-256, SHA-512-256, -sess, qop auth/auth-int) through the own RFC 7616 helper (src/net/digest.ts).
 * 1. Prove authentication is needed: an unauthenticated GET of `/` (following same-origin redirects, at most
 *    2 hops) or of a few vendor-specific paths must answer 401 with a challenge. No challenge anywhere: the
 *    checks do not apply (a login form is not something this probe logs into).
 * 2. Negative control: a random user name and password must be refused; if not, "accepts any password".
 * 3. Candidates within the budget; success is a 2xx (or a redirect that is not back to a login page) where the
 *    wrong password got 401/403. Lockout signs (423, 429, 503 + Retry-After, "locked"/"too many" text) stop
 *    the run; services that look like they lock get the cautious policy (lib/lockout.ts).
 * Digest nonces come from the latest 401 (each answer carries a fresh challenge); a `stale=true` answer
 * repeats the same guess once with the new nonce.
 */
import { defineProbe, type CheckResult, type HttpResponse, type ProbeContext } from './contract.js';
import type { ErrorKind } from '../model.js';
import { authorizationFor, chooseAuth, parseAuthenticate, type ChosenAuth } from '../net/digest.js';
import { classifyError } from '../net/errors.js';
import { httpLockout } from './lib/lockout.js';
import { isTlsService as isTls, sameOriginPath, titleOf } from './lib/http-util.js';
import {
  emptyRun, fromContext, assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, publicEvidence, randomCredential, runGuesses,
  signalsOf, type AttemptOutcome, type AttemptStep, type Candidate, type CandidatePlan, type GuessEvidence, type GuessRun,
} from './lib/credentials.js';
import { lockoutPolicy } from './lib/lockout.js';

export const CHECK_DEFAULT = 'http-default-credentials';
export const CHECK_ANY = 'http-accepts-any-password';

const JOB_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 10_000;
const ATTEMPT_MS = 12_000;
const BODY_BYTES = 64 * 1024;
const MAX_REDIRECTS = 2;

export type HttpTarget = { path: string; scheme: 'basic' | 'digest'; algorithm: string | null; realm: string | null; qop: string[] };

export type HttpEvidence = GuessEvidence & {
  port: number;
  tls: boolean;
  /** The page that asked for authentication, and how. */
  target: HttpTarget | null;
  /** Unauthenticated requests made to find it. */
  probedPaths: { path: string; status: number | null }[];
  server: string | null;
  title: string | null;
  realm: string | null;
  /** Why no login was attempted, when none was. */
  noAuthReason: string | null;
  negativeControlStatus: number | null;
  successStatus: number | null;
  preflightLockout: string | null;
  preflightError: { kind: string; message: string } | null;
};

function header(res: HttpResponse, name: string): string | undefined {
  return res.headers.get(name)?.[0];
}

export { sameOriginPath } from './lib/http-util.js';

const LOGIN_LOCATION = /log ?in|log ?on|sign ?in|auth|error|fail|denied/i;

interface State {
  tls: boolean;
  target: HttpTarget | null;
  auth: Exclude<ChosenAuth, null> | null;
  ncStatus: number | null;
  successStatus: number | null;
  /** Digest: how often the current nonce was used (the nonce count "nc" must grow when a nonce is reused). */
  nonceUses: Map<string, number>;
}

/** The start of a body as text, for the lockout checks (which strip markup themselves). */
function bodyText(res: HttpResponse): string {
  return res.body.subarray(0, 8 * 1024).toString('latin1');
}

async function attemptLogin(ctx: ProbeContext, port: number, c: Candidate, step: AttemptStep, state: State): Promise<AttemptOutcome> {
  if (!state.auth || !state.target) return { kind: 'unsupported', reason: 'no page asks for HTTP authentication' };
  for (let tries = 0; tries < 2; tries++) {
    let nc = 1;
    if (state.auth.scheme === 'digest') {
      nc = (state.nonceUses.get(state.auth.digest.nonce) ?? 0) + 1;
      if (state.nonceUses.size > 64) state.nonceUses.clear();
      state.nonceUses.set(state.auth.digest.nonce, nc);
    }
    const headers = { Authorization: authorizationFor(state.auth, { username: c.username, password: c.password, method: 'GET', uri: state.target.path, nc }) };
    const res = await ctx.net.http({ port, tls: state.tls, path: state.target.path, headers, maxBytes: BODY_BYTES, timeoutMs: REQUEST_TIMEOUT_MS });
    // The status a wrong login gets: the negative control's, or (deferred on a cautious device) the confirm-wrong's.
    if (step === 'negative-control' || (step === 'confirm-wrong' && state.ncStatus === null)) state.ncStatus = res.status;
    const text = bodyText(res);
    const lock = httpLockout(res.status, res.headers, text);
    if (lock.locked) return { kind: 'lockout', text: lock.text ?? `HTTP ${res.status}` };
    if (res.status >= 200 && res.status < 300) { if (step === 'guess') state.successStatus = res.status; return { kind: 'success' }; }
    if (res.status >= 300 && res.status < 400) {
      const loc = header(res, 'location');
      if (loc !== undefined && !LOGIN_LOCATION.test(loc.slice(0, 300))) { if (step === 'guess') state.successStatus = res.status; return { kind: 'success' }; }
      return failure(lock);
    }
    if (res.status === 401) {
      const next = chooseAuth(parseAuthenticate(res.headers.get('www-authenticate')));
      const stale = next?.scheme === 'digest' && next.digest.stale;
      if (next && next.scheme === state.auth.scheme) state.auth = next; // fresh nonce for the next attempt
      if (stale && tries === 0) continue; // the nonce expired, not the password: same guess once more
      return failure(lock);
    }
    if (res.status === 403 || (res.status >= 400 && res.status < 500)) return failure(lock);
    return { kind: 'error', errorKind: 'protocol-error', message: `unexpected HTTP ${res.status} to a login` };
  }
  return { kind: 'failure' };
}

function failure(lock: ReturnType<typeof httpLockout>): AttemptOutcome {
  const r: { kind: 'failure'; hint?: string; remaining?: number } = { kind: 'failure' };
  if (lock.hint !== undefined) r.hint = lock.hint;
  if (lock.remaining !== undefined) r.remaining = lock.remaining;
  return r;
}

interface Preflight {
  target: HttpTarget | null;
  auth: Exclude<ChosenAuth, null> | null;
  probed: { path: string; status: number | null }[];
  server: string | null;
  title: string | null;
  realm: string | null;
  lockout: string | null;
  hints: string[];
  error: { kind: ErrorKind; message: string } | null;
  noAuthReason: string | null;
}

/** Finds a page that asks for HTTP authentication, with unauthenticated GETs only. */
async function preflight(ctx: ProbeContext, port: number, tls: boolean): Promise<Preflight> {
  const p: Preflight = { target: null, auth: null, probed: [], server: null, title: null, realm: null, lockout: null, hints: [], error: null, noAuthReason: null };
  const get = async (path: string): Promise<HttpResponse | null> => {
    try {
      const res = await ctx.net.http({ port, tls, path, maxBytes: BODY_BYTES, timeoutMs: REQUEST_TIMEOUT_MS });
      p.probed.push({ path: path.slice(0, 200), status: res.status });
      p.server ??= header(res, 'server')?.slice(0, 200) ?? null;
      p.title ??= titleOf(res.body);
      return res;
    } catch (e) {
      if (classifyError(e) === 'aborted') throw e;
      p.probed.push({ path: path.slice(0, 200), status: null });
      p.error ??= { kind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
      return null;
    }
  };
  /** True when the response settles the search (a challenge, or a lockout). */
  const consider = (path: string, res: HttpResponse): boolean => {
    const lock = httpLockout(res.status, res.headers, bodyText(res));
    if (lock.hint !== undefined) p.hints.push(lock.hint);
    if (lock.locked && res.status !== 401) { p.lockout = lock.text ?? `HTTP ${res.status}`; return true; }
    if (res.status !== 401) return false;
    const auth = chooseAuth(parseAuthenticate(res.headers.get('www-authenticate')));
    if (!auth) return false;
    p.auth = auth;
    const realm = auth.scheme === 'digest' ? auth.digest.realm : auth.realm ?? null;
    p.realm = realm?.slice(0, 200) ?? null;
    p.target = {
      path,
      scheme: auth.scheme,
      algorithm: auth.scheme === 'digest' ? auth.digest.algorithm : null,
      realm: p.realm,
      qop: auth.scheme === 'digest' ? auth.digest.qop : [],
    };
    return true;
  };

  let path = '/';
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await get(path);
    if (!res) break;
    if (consider(path, res)) return p;
    if (res.status < 300 || res.status >= 400) break;
    const next = sameOriginPath(header(res, 'location'), ctx.device.address, port, tls);
    if (next === undefined || p.probed.some((x) => x.path === next)) break;
    path = next;
  }
  if (p.probed.every((x) => x.status === null)) return p; // the service did not answer at all: error
  // Vendor-specific pages that ask for authentication when `/` does not (an API, a CGI).
  const plan = buildCandidates({ service: 'http', signals: signalsOf(ctx.device, ctx.service, [p.server, p.title], ctx.config), owner: [] });
  const extra = plan.matched.flatMap((m) => m.vendor.httpPaths ?? []).filter((x) => !p.probed.some((y) => y.path === x)).slice(0, 3);
  for (const x of extra) {
    const res = await get(x);
    if (res && consider(x, res)) return p;
  }
  p.error = null; // answers came: the absence of a challenge is the finding, not an error
  p.noAuthReason = `no page asked for HTTP authentication (${p.probed.map((x) => `${x.path} → ${x.status ?? 'no answer'}`).join(', ')})`.slice(0, 300);
  return p;
}

export function assessHttp(ev: HttpEvidence): CheckResult[] {
  const pub = publicEvidence(ev);
  const both = (r: Omit<CheckResult, 'check'>): CheckResult[] => [{ check: CHECK_DEFAULT, ...r }, { check: CHECK_ANY, ...r }];
  if (ev.preflightLockout !== null) {
    return both({ status: 'not_tested', detail: `The web interface on port ${ev.port} refused requests because of a lockout or rate limit before any login ("${ev.preflightLockout.slice(0, 120)}").`, evidence: pub });
  }
  if (ev.target === null) {
    if (ev.preflightError !== null) return both({ status: 'error', error: { kind: ev.preflightError.kind as ErrorKind, message: ev.preflightError.message }, evidence: pub });
    return both({ status: 'not_applicable', detail: `The web server on port ${ev.port} asks for no HTTP (Basic/Digest) authentication: ${ev.noAuthReason ?? 'no challenge'}.`, evidence: pub });
  }
  return assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT, anyCheck: CHECK_ANY,
    label: `the web interface on port ${ev.port} (${ev.target.scheme === 'digest' ? `HTTP Digest ${ev.target.algorithm ?? ''}` : 'HTTP Basic'}, ${ev.target.path.slice(0, 80)})`,
    anyTitle: 'Web interface accepts any password', cleartext: !ev.tls && ev.target.scheme === 'basic',
  });
}

export default defineProbe<HttpEvidence>({
  meta: {
    id: 'http-default-credentials',
    title: 'Web interface default credentials (HTTP Basic/Digest)',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['http', 'https', 'http-alt', 'https-alt', 'http-proxy'], ports: [80, 443, 8080, 8443] },
    budget: { maxConnections: 120, timeoutMs: JOB_TIMEOUT_MS, typicalMs: 3_000 },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'Web interface rejects default credentials',
        failureTitle: 'Web interface accepts a default credential',
        summary: 'This device\'s web page still opens with its factory password, so anyone on your network can log in to it and change its settings (or watch its camera).',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1', '5.1-2'],
        severity: 'critical',
        description: 'A default user name and password published by the vendor (or widely known) logs in to the device\'s web management interface through HTTP authentication (Basic or Digest). Whoever logs in can usually change every setting, install firmware or view camera images.',
        remediation: 'Log in to the web interface and change the password of this account, and of every other account, to a long, unique one. Prefer HTTPS for management; if the device only offers plain HTTP, do not manage it over untrusted networks. If the password cannot be changed, update the firmware or replace the device.',
      },
      [CHECK_ANY]: {
        title: 'Web interface rejects a wrong password',
        failureTitle: 'Web interface accepts any password',
        summary: 'This device\'s web page lets anyone in whatever password they type.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1'],
        severity: 'critical',
        description: 'The web interface asks for a password (HTTP 401) but then accepts a random user name and password that no device has: the check is for show. iotcop therefore does not report a specific default credential for it.',
        remediation: 'Update the firmware; if no fix exists, do not expose this interface on your network (disable it, or isolate the device behind a firewall) and replace the device.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 80;
    const tls = isTls(ctx.service, port);
    const started = Date.now();
    const pre = await preflight(ctx, port, tls);
    const owner = ownerPairs(ctx.credentials, ctx.config, 'http');
    const plan: CandidatePlan = buildCandidates({
      service: 'http',
      signals: signalsOf(ctx.device, ctx.service, [pre.realm, pre.title, pre.server], ctx.config),
      owner,
    });
    const state: State = { tls, target: pre.target, auth: pre.auth, ncStatus: null, successStatus: null, nonceUses: new Map() };
    let run: GuessRun;
    if (pre.target === null || pre.lockout !== null) {
      run = emptyRun(pre.lockout !== null ? 'lockout' : 'unsupported', lockoutPolicy(plan.lockoutReasons));
      if (pre.lockout !== null) run.lockoutText = pre.lockout;
    } else {
      run = await runGuesses({
        negativeControl: randomCredential(),
        candidates: plan.candidates,
        policy: initialPolicy(plan, pre.hints),
        attempt: (c, step) => attemptLogin(ctx, port, c, step, state),
        ...fromContext(ctx),
        deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
        attemptMs: ATTEMPT_MS,
      });
    }
    return {
      ...guessEvidence(run, plan, ctx.settings.maxGuesses),
      port,
      tls,
      target: pre.target,
      probedPaths: pre.probed,
      server: pre.server,
      title: pre.title,
      realm: pre.realm,
      noAuthReason: pre.noAuthReason,
      negativeControlStatus: state.ncStatus,
      successStatus: state.successStatus,
      preflightLockout: pre.lockout,
      preflightError: pre.error,
    };
  },

  assess(evidence) {
    return assessHttp(evidence);
  },
});
