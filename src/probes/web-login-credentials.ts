/**
 * web-login-credentials (guideline 1): factory passwords on form and JSON web logins — the login pages of
 * routers, cameras, NAS and home hubs that do not use HTTP Basic/Digest.
 *
 * 1. Recognise the login page with unauthenticated GETs only: `/` (same-origin redirects, 2 hops), then the
 *    recognition paths of the recipes whose vendor the device already suggests, then other recipes' paths,
 *    at most MAX_RECOGNITION_GETS requests. lib/web-login-recognise.ts picks the recipe
 *    (src/data/web-logins.json), or says "a login page no recipe knows", or none.
 * 2. A recipe: the shared guessing engine (lib/credentials.ts) runs the candidates of the recipe's vendor
 *    (credentials.json, service http) and the generic list — negative control, budget, delay, lockout stop —
 *    and lib/web-login.ts performs each attempt as the recipe says.
 * 3. A recognised login without a recipe (or a family whose login is not supported yet): both checks
 *    `not_tested`, with what was recognised. A family that uses HTTP Basic/Digest: `not_applicable` here,
 *    because http-default-credentials checks it. No login page: `not_applicable`. Never `pass` without a
 *    completed guessing run.
 */
import { defineProbe, type CheckResult, type HttpResponse, type ProbeContext } from './contract.js';
import type { ErrorKind } from '../model.js';
import { classifyError } from '../net/errors.js';
import { webLoginRecipes, type CompiledRecipe } from '../data/web-logins.js';
import { credentialDb } from '../data/credentials.js';
import {
  emptyRun, fromContext, assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, publicEvidence, randomCredential, runGuesses,
  signalsOf, type CandidatePlan, type GuessEvidence, type GuessRun,
} from './lib/credentials.js';
import { lockoutPolicy } from './lib/lockout.js';
import { firstHeader, isTlsService, sameOriginPath } from './lib/http-util.js';
import { recogniseLoginPage, sampleOf, titleOf, type LoginSample, type Recognition } from './lib/web-login-recognise.js';
import { attemptRecipeLogin } from './lib/web-login.js';

export const CHECK_DEFAULT = 'web-login-default-credentials';
export const CHECK_ANY = 'web-login-accepts-any-password';

const JOB_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 10_000;
const ATTEMPT_MS = 25_000;
const RECOGNITION_BYTES = 64 * 1024;
const MAX_RECOGNITION_GETS = 6;
const MAX_REDIRECTS = 2;
const MAX_ANSWERS = 24;
export const NOT_SUPPORTED = 'web login of this kind not supported yet';

export type WebLoginEvidence = GuessEvidence & {
  port: number;
  tls: boolean;
  recognition: {
    kind: 'recipe' | 'unknown-login' | 'none';
    recipe: string | null;
    recipeName: string | null;
    auth: string | null;
    vendor: string | null;
    signals: string[];
    note: string | null;
  };
  title: string | null;
  server: string | null;
  realm: string | null;
  redirect: string | null;
  probedPaths: { path: string; status: number | null }[];
  /** Step label and status of each answer during the logins (no credential). */
  answers: { step: string; status: number }[];
  preflightError: { kind: string; message: string } | null;
};

interface Preflight {
  samples: LoginSample[];
  probed: { path: string; status: number | null }[];
  error: { kind: ErrorKind; message: string } | null;
}

/** Recipes whose vendor the device already suggests (identification, title, Server), in data order. */
function suggestedRecipes(ctx: ProbeContext, texts: readonly (string | null)[], recipes: readonly CompiledRecipe[]): CompiledRecipe[] {
  const plan = buildCandidates({ service: 'http', signals: signalsOf(ctx.device, ctx.service, texts, ctx.config), owner: [] });
  const ids = new Set(plan.matched.map((m) => m.vendor.id));
  return recipes.filter((r) => ids.has(r.vendor));
}

async function preflight(ctx: ProbeContext, port: number, tls: boolean, recipes: readonly CompiledRecipe[]): Promise<Preflight> {
  const p: Preflight = { samples: [], probed: [], error: null };
  const get = async (path: string): Promise<HttpResponse | null> => {
    if (p.probed.length >= MAX_RECOGNITION_GETS) return null;
    try {
      const res = await ctx.net.http({ port, tls, path, maxBytes: RECOGNITION_BYTES, timeoutMs: REQUEST_TIMEOUT_MS });
      p.probed.push({ path: path.slice(0, 200), status: res.status });
      p.samples.push(sampleOf(path, res));
      return res;
    } catch (e) {
      if (classifyError(e) === 'aborted') throw e;
      p.probed.push({ path: path.slice(0, 200), status: null });
      p.error ??= { kind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 200) };
      return null;
    }
  };
  let path = '/';
  for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
    const res = await get(path);
    if (!res || res.status < 300 || res.status >= 400) break;
    const next = sameOriginPath(firstHeader(res, 'location'), ctx.device.address, port, tls);
    if (next === undefined || p.probed.some((x) => x.path === next)) break;
    path = next;
  }
  if (p.probed.every((x) => x.status === null)) return p; // nothing answered: error
  if (recogniseLoginPage(p.samples, null, recipes).kind === 'recipe') { p.error = null; return p; }
  const first = p.samples[0];
  const title = first ? titleOf(first.body) : null;
  const server = first ? firstHeader(first, 'server')?.slice(0, 200) ?? null : null;
  const ordered = [...suggestedRecipes(ctx, [title, server], recipes), ...recipes];
  for (const r of ordered) {
    for (const x of r.recognise.paths) {
      if (p.probed.length >= MAX_RECOGNITION_GETS) break;
      if (!p.probed.some((y) => y.path === x)) await get(x);
    }
    if (recogniseLoginPage(p.samples, null, recipes).kind === 'recipe') break;
  }
  p.error = null; // answers came: what they show is the finding, not an error
  return p;
}

/** The plan with the recipe vendor's pairs first (after the owner's): the login page names the vendor. */
export function preferVendor(plan: CandidatePlan, vendorId: string): CandidatePlan {
  const owner = plan.candidates.filter((c) => c.origin === 'owner');
  const mine = plan.candidates.filter((c) => c.origin === 'vendor' && c.ref === vendorId);
  const rest = plan.candidates.filter((c) => !owner.includes(c) && !mine.includes(c));
  return { ...plan, candidates: [...owner, ...mine, ...rest] };
}

function recognitionEvidence(rec: Recognition): WebLoginEvidence['recognition'] {
  if (rec.kind === 'recipe') {
    return { kind: 'recipe', recipe: rec.recipe.id, recipeName: rec.recipe.name, auth: rec.recipe.auth, vendor: rec.recipe.vendor, signals: rec.signals, note: rec.recipe.note ?? null };
  }
  return { kind: rec.kind, recipe: null, recipeName: null, auth: null, vendor: null, signals: rec.kind === 'unknown-login' ? rec.signals : [], note: null };
}

export function assessWebLogin(ev: WebLoginEvidence): CheckResult[] {
  const pub = publicEvidence(ev);
  const both = (r: Omit<CheckResult, 'check'>): CheckResult[] => [{ check: CHECK_DEFAULT, ...r }, { check: CHECK_ANY, ...r }];
  const rec = ev.recognition;
  if (ev.preflightError !== null) return both({ status: 'error', error: { kind: ev.preflightError.kind as ErrorKind, message: ev.preflightError.message }, evidence: pub });
  if (rec.kind === 'none') {
    return both({ status: 'not_applicable', detail: `No web login page was recognised on port ${ev.port} (${ev.probedPaths.map((x) => `${x.path.slice(0, 60)} → ${x.status ?? 'no answer'}`).join(', ').slice(0, 240)}).`, evidence: pub });
  }
  if (rec.kind === 'recipe' && (rec.auth === 'http-basic' || rec.auth === 'http-digest')) {
    return both({ status: 'not_applicable', detail: `${rec.recipeName ?? 'This login'} on port ${ev.port} uses ${rec.auth === 'http-basic' ? 'HTTP Basic' : 'HTTP Digest'} authentication: checked by http-default-credentials.`, evidence: pub });
  }
  if (rec.kind === 'unknown-login' || rec.auth === 'unsupported') {
    const what = rec.kind === 'unknown-login' ? `a login page (${rec.signals.join('; ').slice(0, 160)})` : `the login of ${rec.recipeName ?? 'this family'}${rec.note ? ` (${rec.note.slice(0, 160)})` : ''}`;
    return both({ status: 'not_tested', detail: `The web interface on port ${ev.port} shows ${what}, but iotcop has no recipe to log in to it: ${NOT_SUPPORTED}. Its default password was not tried.`, evidence: pub });
  }
  if (ev.stop === 'unsupported') {
    return both({ status: 'not_tested', detail: `The web interface on port ${ev.port} looks like ${rec.recipeName ?? 'a known family'}, but its login did not work the way the recipe expects (${(ev.unsupported ?? 'no login endpoint').slice(0, 160)}): ${NOT_SUPPORTED}. Its default password was not tried.`, evidence: pub });
  }
  return assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT, anyCheck: CHECK_ANY,
    label: `the web login of ${(rec.recipeName ?? 'the device').slice(0, 80)} on port ${ev.port}`,
    anyTitle: 'Web login accepts any password', cleartext: !ev.tls,
  });
}

export default defineProbe<WebLoginEvidence>({
  meta: {
    id: 'web-login-credentials',
    title: 'Web login default credentials (form and JSON logins)',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['http', 'https', 'http-alt', 'https-alt', 'http-proxy'], ports: [80, 443, 8080, 8443] },
    budget: { maxConnections: 150, timeoutMs: JOB_TIMEOUT_MS },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'Web login rejects default credentials',
        failureTitle: 'Web login accepts a default credential',
        summary: 'This device\'s login page still accepts its factory password, so anyone on your network can log in to it and change its settings (or watch its camera).',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1', '5.1-2'],
        severity: 'critical',
        description: 'A default user name and password published by the vendor (or widely known) logs in through the device\'s own web login page (a form or JSON login, as the vendor\'s page sends it). Whoever logs in can usually change every setting, install firmware or view camera images.',
        remediation: 'Log in to the web interface and change the password of this account, and of every other account, to a long, unique one. Prefer HTTPS for management. If the password cannot be changed, update the firmware or replace the device.',
      },
      [CHECK_ANY]: {
        title: 'Web login rejects a wrong password',
        failureTitle: 'Web login accepts any password',
        summary: 'This device\'s login page lets anyone in whatever password they type.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1'],
        severity: 'critical',
        description: 'The login page accepts a random user name and password that no device has: the login is for show. iotcop therefore does not report a specific default credential for it.',
        remediation: 'Update the firmware; if no fix exists, do not expose this interface on your network (disable it, or isolate the device behind a firewall) and replace the device.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 80;
    const tls = isTlsService(ctx.service, port);
    const started = Date.now();
    const recipes = webLoginRecipes();
    const pre = await preflight(ctx, port, tls, recipes);
    const rec = recogniseLoginPage(pre.samples, null, recipes);
    const recipe = rec.kind === 'recipe' ? rec.recipe : null;
    const vendorName = recipe ? credentialDb().vendors.find((v) => v.id === recipe.vendor)?.name ?? null : null;
    const signals = signalsOf(ctx.device, ctx.service, [recipe?.name ?? null, vendorName, rec.facts.title, rec.facts.server, rec.facts.realm], ctx.config);
    // The login page names the vendor even when identification did not.
    if (signals.vendor === undefined && vendorName !== null) signals.vendor = vendorName;
    const basePlan = buildCandidates({ service: 'http', signals, owner: ownerPairs(ctx.credentials, ctx.config, 'http'), ...(recipe?.passwordOnly ? { passwordOnly: true } : {}) });
    const plan = recipe ? preferVendor(basePlan, recipe.vendor) : basePlan;
    const answers: { step: string; status: number }[] = [];
    let run: GuessRun;
    if (recipe === null || recipe.auth !== 'recipe' || pre.error !== null) {
      run = emptyRun('unsupported', lockoutPolicy(plan.lockoutReasons));
      run.unsupported = recipe === null ? NOT_SUPPORTED : `${recipe.name}: ${recipe.auth}`;
    } else {
      const hints: string[] = [];
      run = await runGuesses({
        negativeControl: randomCredential(),
        candidates: plan.candidates,
        policy: initialPolicy(plan, hints),
        attempt: (c) => attemptRecipeLogin(ctx.net, port, tls, recipe, c, {
          address: ctx.device.address, timeoutMs: REQUEST_TIMEOUT_MS,
          onAnswer: (step, status) => { if (answers.length < MAX_ANSWERS) answers.push({ step, status }); },
        }),
        ...fromContext(ctx),
        deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
        attemptMs: ATTEMPT_MS,
      });
    }
    return {
      ...guessEvidence(run, plan, ctx.settings.maxGuesses),
      port,
      tls,
      recognition: recognitionEvidence(rec),
      title: rec.facts.title,
      server: rec.facts.server,
      realm: rec.facts.realm,
      redirect: rec.facts.redirect,
      probedPaths: pre.probed,
      answers,
      preflightError: pre.error,
    };
  },

  assess(evidence) {
    return assessWebLogin(evidence);
  },
});
