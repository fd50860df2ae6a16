/**
 * The one engine that runs a web login recipe (src/data/web-logins.json) for one candidate: its steps (an
 * optional token/nonce/challenge fetch, then the login request), a tiny cookie jar for the attempt, the
 * vendor's declared transforms, and the reading of the answer as success, failure or lockout. It talks to
 * the device only through the NetApi it is given (bound to the device, capped, deadline-bound, no redirects
 * followed by the net layer: same-origin redirects of GET steps are followed here, at most 2 hops).
 *
 * The guessing itself (order, budget, delay, negative control, lockout stop) is the shared engine's
 * (lib/credentials.ts runGuesses): this file answers one attempt with an AttemptOutcome.
 */
import type { HttpRequest, HttpResponse, NetApi } from '../contract.js';
import {
  ANSWER_INPUT_CHARS, extractKey, jsonPath,
  type CompiledMatch, type CompiledRecipe, type RecipeExtract, type RecipeStep,
} from '../../data/web-logins.js';
import type { AttemptOutcome, Candidate } from './credentials.js';
import { httpLockout } from './lockout.js';
import { firstHeader, sameOriginPath } from './http-util.js';
import { fill, fillJson, newVars, runDerives, setVar, xmlEscape, type Vars } from './web-login-transforms.js';

export const STEP_TIMEOUT_MS = 10_000;
export const ANSWER_BYTES = 64 * 1024;
const MAX_HOPS = 2;
const MAX_COOKIES = 16;
const MAX_COOKIE_CHARS = 4096;
/** Answers that mean the recipe's endpoint does not exist on this device. */
const MISSING_ENDPOINT = new Set([404, 405, 501]);

export interface AttemptOptions {
  /** The device address (for same-origin checks and the {host}/{origin} placeholders). */
  address: string;
  timeoutMs?: number;
  /** Called with each answer's step label and status (for the evidence; never with a password). */
  onAnswer?: (label: string, status: number) => void;
}

/** A per-attempt cookie jar: name → value, bounded. Device names are Map keys, never object keys. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  set(name: string, value: string): void {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/.test(name) || /[\r\n\0;]/.test(value)) return;
    if (!this.cookies.has(name) && this.cookies.size >= MAX_COOKIES) return;
    this.cookies.set(name, value.slice(0, MAX_COOKIE_CHARS));
  }
  get(name: string): string | undefined { return this.cookies.get(name); }
  /** Stores the Set-Cookie headers of an answer (name=value only; attributes ignored; expired ones removed). */
  absorb(res: Pick<HttpResponse, 'headers'>): void {
    for (const line of (res.headers.get('set-cookie') ?? []).slice(0, 32)) {
      const first = line.slice(0, MAX_COOKIE_CHARS + 100).split(';', 1)[0] ?? '';
      const eq = first.indexOf('=');
      if (eq <= 0) continue;
      const name = first.slice(0, eq).trim();
      const value = first.slice(eq + 1).trim();
      if (value === '' || value === 'deleted' || /;\s*max-age=0\b/i.test(line.slice(0, 2000))) this.cookies.delete(name);
      else this.set(name, value);
    }
  }
  header(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ').slice(0, 8192);
  }
}

/** Cookie names an answer sets with a non-empty value. */
export function cookiesSet(res: Pick<HttpResponse, 'headers'>): Set<string> {
  const out = new Set<string>();
  for (const line of (res.headers.get('set-cookie') ?? []).slice(0, 32)) {
    const first = line.slice(0, 4200).split(';', 1)[0] ?? '';
    const eq = first.indexOf('=');
    const value = first.slice(eq + 1).trim();
    if (eq > 0 && value !== '' && value !== 'deleted' && !/;\s*max-age=0\b/i.test(line.slice(0, 2000))) out.add(first.slice(0, eq).trim());
  }
  return out;
}

/** The answer's text, capped. */
export function answerText(res: HttpResponse): string {
  return res.body.subarray(0, ANSWER_INPUT_CHARS).toString('utf8');
}

/** Parses a capped answer as JSON; null when it is not JSON (or was cut). */
export function answerJson(res: HttpResponse): unknown {
  if (res.truncated || res.body.length > ANSWER_INPUT_CHARS) return null;
  const t = res.body.toString('utf8').trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return null;
  try { return JSON.parse(t) as unknown; } catch { return null; }
}

/** A value at a dotted path (own properties and array indexes only: "__proto__" finds nothing). */
export function valueAt(json: unknown, path: readonly string[]): unknown {
  let cur: unknown = json;
  for (const seg of path) {
    if (Array.isArray(cur)) {
      if (!/^\d{1,4}$/.test(seg)) return undefined;
      cur = cur[Number(seg)];
    } else if (cur !== null && typeof cur === 'object') {
      if (!Object.prototype.hasOwnProperty.call(cur, seg)) return undefined;
      cur = (cur as Record<string, unknown>)[seg];
    } else {
      return undefined;
    }
  }
  return cur;
}

function looselyEqual(v: unknown, want: string | number | boolean | null): boolean {
  if (v === want) return true;
  if ((typeof v === 'number' || typeof v === 'string') && (typeof want === 'number' || typeof want === 'string')) return String(v) === String(want);
  return false;
}

interface Answer { res: HttpResponse; text: string; json: unknown; cookies: Set<string> }

export function matches(m: CompiledMatch, a: Answer): boolean {
  if (m.status && !m.status.includes(a.res.status)) return false;
  if (m.json) {
    const v = valueAt(a.json, m.json.path);
    if (m.json.present === true && (v === undefined || v === null)) return false;
    if (m.json.present === false && v !== undefined && v !== null) return false;
    if (m.json.equals !== undefined && !looselyEqual(v, m.json.equals)) return false;
    if (m.json.pattern && (v === undefined || v === null || !m.json.pattern.test(String(typeof v === 'object' ? JSON.stringify(v) : v).slice(0, 2000)))) return false;
    if (m.json.present === undefined && m.json.equals === undefined && m.json.pattern === undefined && v === undefined) return false;
  }
  if (m.body && !m.body.test(a.text)) return false;
  if (m.cookie && !a.cookies.has(m.cookie)) return false;
  if (m.redirect) {
    const loc = firstHeader(a.res, 'location');
    if (a.res.status < 300 || a.res.status >= 400 || loc === undefined || !m.redirect.test(loc.slice(0, 500))) return false;
  }
  if (m.header) {
    const h = firstHeader(a.res, m.header.name);
    if (h === undefined || !m.header.re.test(h.slice(0, 500))) return false;
  }
  return true;
}

function extract(recipe: CompiledRecipe, stepIndex: number, e: RecipeExtract, a: Answer, jar: CookieJar): unknown {
  switch (e.from) {
    case 'json': return valueAt(a.json, jsonPath(e.path ?? ''));
    case 'body': {
      const re = recipe.extractRe.get(extractKey(stepIndex, e.name));
      const m = re?.exec(a.text);
      return m?.[1];
    }
    case 'header': return firstHeader(a.res, (e.header ?? '').toLowerCase());
    case 'cookie': return jar.get(e.cookie ?? '');
  }
}

type Built = { req: HttpRequest } | { missing: string };

function buildRequest(step: RecipeStep, vars: Vars, jar: CookieJar, port: number, tls: boolean, timeoutMs: number): Built {
  const path = fill(step.path, vars, encodeURIComponent);
  if ('missing' in path) return path;
  const req: HttpRequest = { port, tls, path: path.value, method: step.method, maxBytes: ANSWER_BYTES, timeoutMs };
  const headers: Record<string, string> = {};
  for (const [name, t] of step.headers ?? []) {
    const v = fill(t, vars);
    if ('missing' in v) return v;
    if (!/[\r\n\0]/.test(v.value)) headers[name] = v.value;
  }
  for (const [name, t] of step.cookies ?? []) {
    const v = fill(t, vars);
    if ('missing' in v) return v;
    jar.set(name, v.value);
  }
  const cookie = jar.header();
  if (cookie !== undefined) headers['Cookie'] = cookie;
  if (step.form) {
    const body = new URLSearchParams();
    for (const [k, t] of step.form) {
      const v = fill(t, vars);
      if ('missing' in v) return v;
      body.append(k, v.value);
    }
    req.body = body.toString();
    req.contentType = step.contentType ?? 'application/x-www-form-urlencoded';
  } else if (step.json !== undefined) {
    const v = fillJson(step.json, vars);
    if ('missing' in v) return v;
    req.body = JSON.stringify(v.value);
    req.contentType = step.contentType ?? 'application/json';
  } else if (step.xml !== undefined) {
    const v = fill(step.xml, vars, xmlEscape);
    if ('missing' in v) return v;
    req.body = v.value;
    req.contentType = step.contentType ?? 'application/xml';
  } else if (step.method === 'POST' && step.contentType !== undefined) {
    req.contentType = step.contentType;
  }
  if (Object.keys(headers).length > 0) req.headers = headers;
  return { req };
}

function outcomeOfFailure(res: HttpResponse, text: string): AttemptOutcome {
  const lock = httpLockout(res.status, res.headers, text);
  const r: { kind: 'failure'; hint?: string; remaining?: number } = { kind: 'failure' };
  if (lock.hint !== undefined) r.hint = lock.hint;
  if (lock.remaining !== undefined) r.remaining = lock.remaining;
  return r;
}

function lockoutOf(recipe: CompiledRecipe, a: Answer): AttemptOutcome | undefined {
  if (recipe.lockoutM.some((m) => matches(m, a))) {
    return { kind: 'lockout', text: `${recipe.name} answered with its lockout signal (HTTP ${a.res.status})` };
  }
  const lock = httpLockout(a.res.status, a.res.headers, a.text.slice(0, 8192));
  if (lock.locked) return { kind: 'lockout', text: lock.text ?? `HTTP ${a.res.status}` };
  return undefined;
}

/** Sends one step's request, following same-origin redirects of a GET step that asks for it. */
async function send(net: NetApi, req: HttpRequest, step: RecipeStep, jar: CookieJar, o: AttemptOptions): Promise<HttpResponse> {
  let res = await net.http(req);
  jar.absorb(res);
  o.onAnswer?.(step.label, res.status);
  if (step.method !== 'GET' || step.follow !== true) return res;
  const seen = new Set([req.path]);
  for (let hop = 0; hop < MAX_HOPS && res.status >= 300 && res.status < 400; hop++) {
    const next = sameOriginPath(firstHeader(res, 'location'), o.address, req.port, req.tls);
    if (next === undefined || seen.has(next)) break;
    seen.add(next);
    const cookie = jar.header();
    res = await net.http({ ...req, path: next, ...(cookie !== undefined ? { headers: { ...req.headers, Cookie: cookie } } : {}) });
    jar.absorb(res);
    o.onAnswer?.(step.label, res.status);
  }
  return res;
}

/**
 * One login attempt of `candidate` with `recipe`. Success, failure and lockout come from the recipe's
 * matchers on the last step's answer (failure wins over success when both match: never claim a login on an
 * ambiguous answer); an answer that matches neither is an error, never a failure or a success.
 */
export async function attemptRecipeLogin(net: NetApi, port: number, tls: boolean, recipe: CompiledRecipe, candidate: Candidate, options: AttemptOptions): Promise<AttemptOutcome> {
  if (recipe.auth !== 'recipe' || !recipe.steps || recipe.steps.length === 0) {
    return { kind: 'unsupported', reason: `${recipe.name}: login ${recipe.auth === 'unsupported' ? 'not supported yet' : `by ${recipe.auth}`}` };
  }
  const scheme = tls ? 'https' : 'http';
  const host = options.address.includes(':') ? `[${options.address}]` : options.address;
  const vars = newVars({
    username: candidate.username, password: candidate.password, host, port: String(port), scheme,
    origin: `${scheme}://${host}${port === (tls ? 443 : 80) ? '' : `:${port}`}`, now: String(Date.now()),
  });
  const jar = new CookieJar();
  const timeoutMs = options.timeoutMs ?? STEP_TIMEOUT_MS;
  const steps = recipe.steps;
  for (const [i, step] of steps.entries()) {
    const missingDerive = runDerives(step.derive ?? [], vars);
    if (missingDerive !== undefined) return { kind: 'error', errorKind: 'protocol-error', message: `${recipe.name}: no value for {${missingDerive}} before the ${step.label} step` };
    const built = buildRequest(step, vars, jar, port, tls, timeoutMs);
    if ('missing' in built) return { kind: 'error', errorKind: 'protocol-error', message: `${recipe.name}: no value for {${built.missing}} in the ${step.label} step` };
    const res = await send(net, built.req, step, jar, options);
    const text = answerText(res);
    const a: Answer = { res, text, json: answerJson(res), cookies: cookiesSet(res) };
    const locked = lockoutOf(recipe, a);
    if (locked) return locked;
    if (MISSING_ENDPOINT.has(res.status)) {
      // The page looked like this family, but the login endpoint of its recipe is not there.
      return { kind: 'unsupported', reason: `${recipe.name}: the ${step.label} endpoint answered HTTP ${res.status}` };
    }
    const last = i === steps.length - 1;
    if (!last) {
      if (res.status >= 500) return { kind: 'error', errorKind: 'protocol-error', message: `${recipe.name}: HTTP ${res.status} to the ${step.label} step` };
      for (const e of step.extract ?? []) {
        const v = extract(recipe, i, e, a, jar);
        if (v === undefined || v === null) {
          if (e.required === false) continue;
          return { kind: 'error', errorKind: 'protocol-error', message: `${recipe.name}: the ${step.label} answer (HTTP ${res.status}) has no ${e.name}` };
        }
        setVar(vars, e.name, v);
      }
      continue;
    }
    if (recipe.failureM.some((m) => matches(m, a))) return outcomeOfFailure(res, text);
    if (recipe.successM.some((m) => matches(m, a))) return { kind: 'success' };
    return { kind: 'error', errorKind: 'protocol-error', message: `${recipe.name}: unrecognised answer to the ${step.label} step (HTTP ${res.status})` };
  }
  return { kind: 'error', errorKind: 'internal', message: `${recipe.name}: no login step` };
}
