/**
 * Recognising a web login page (pure): from answers already fetched (status, headers, capped body, favicon
 * hash) to the matching recipe of src/data/web-logins.json, to "a login page no recipe knows", or to none.
 * Every pattern is ours and runs on device text cut to RECOGNISE_INPUT_CHARS.
 */
import type { HttpResponse } from '../contract.js';
import { RECOGNISE_INPUT_CHARS, webLoginRecipes, type CompiledRecipe } from '../../data/web-logins.js';
import { parseAuthenticate } from '../../net/digest.js';
import { firstHeader, titleOf } from './http-util.js';

/** One unauthenticated answer, as the probe fetched it. */
export interface LoginSample {
  path: string;
  status: number;
  headers: ReadonlyMap<string, string[]>;
  body: Buffer;
}

export interface PageFacts {
  title: string | null;
  server: string | null;
  realm: string | null;
  redirect: string | null;
}

export type Recognition =
  | { kind: 'recipe'; recipe: CompiledRecipe; signals: string[]; facts: PageFacts }
  | { kind: 'unknown-login'; signals: string[]; facts: PageFacts }
  | { kind: 'none'; facts: PageFacts };

export function sampleOf(path: string, res: HttpResponse): LoginSample {
  return { path, status: res.status, headers: res.headers, body: res.body.subarray(0, RECOGNISE_INPUT_CHARS) };
}

function textOf(s: LoginSample): string {
  return s.body.subarray(0, RECOGNISE_INPUT_CHARS).toString('latin1');
}

export { titleOf };

function realmOf(s: LoginSample): string | null {
  const ch = parseAuthenticate(s.headers.get('www-authenticate'));
  for (const c of ch) {
    const realm = c.params.get('realm');
    if (realm !== undefined) return realm.slice(0, 200);
  }
  return null;
}

function cap(s: string | undefined | null, n = 300): string | null {
  return typeof s === 'string' && s !== '' ? s.slice(0, n) : null;
}

export function pageFacts(samples: readonly LoginSample[]): PageFacts {
  const f: PageFacts = { title: null, server: null, realm: null, redirect: null };
  for (const s of samples) {
    f.title ??= titleOf(s.body);
    f.server ??= cap(firstHeader(s, 'server'), 200);
    f.realm ??= realmOf(s);
    if (s.status >= 300 && s.status < 400) f.redirect ??= cap(firstHeader(s, 'location'));
  }
  return f;
}

/**
 * True when a redirect leads to another path. A server that sends every path to the same path on HTTPS
 * (lighttpd's "redirect to https") says nothing about the vendor, even when the path asked for is the
 * recipe's own login page.
 */
function movesTo(from: string, location: string): boolean {
  const m = /^(?:[a-z][a-z0-9+.-]*:)?\/\/[^/?#]*(\/[^?#]*)?/i.exec(location);
  const target = m ? (m[1] ?? '/') : location.split(/[?#]/)[0] ?? '';
  return target !== from.split(/[?#]/)[0];
}

/** Which of a recipe's signals the samples show (names only, for the evidence). */
export function recipeSignals(r: CompiledRecipe, samples: readonly LoginSample[], faviconSha256: string | null): string[] {
  const hits: string[] = [];
  const any = (fn: (s: LoginSample) => boolean): boolean => samples.some(fn);
  const paths = new Set(r.recognise.paths);
  const mine = samples.filter((s) => paths.has(s.path) || s.path === '/');
  if (r.re.title && mine.some((s) => { const t = titleOf(s.body); return t !== null && r.re.title!.test(t); })) hits.push('title');
  if (r.re.realm && any((s) => { const x = realmOf(s); return x !== null && r.re.realm!.test(x); })) hits.push('realm');
  if (r.re.server && any((s) => { const x = s.headers.get('server')?.[0]; return x !== undefined && r.re.server!.test(x.slice(0, 300)); })) hits.push('server');
  if (r.re.body && mine.some((s) => r.re.body!.test(textOf(s)))) hits.push('body');
  if (r.re.redirect && any((s) => { const x = s.headers.get('location')?.[0]; return s.status >= 300 && s.status < 400 && x !== undefined && movesTo(s.path, x) && r.re.redirect!.test(x.slice(0, 300)); })) hits.push('redirect');
  if (faviconSha256 !== null && r.recognise.faviconSha256?.includes(faviconSha256)) hits.push('favicon');
  return hits;
}

const PASSWORD_INPUT = /<input\b[^>]{0,300}\btype\s*=\s*["']?password\b/i;
const LOGIN_TITLE = /\b(?:log ?in|log ?on|sign ?in|anmeld\w*|connexion|authenticat\w*)\b/i;
/** A single-page app shell whose script talks to a login API. */
const LOGIN_API = /["'`/](?:api\/)?(?:auth\/)?(?:login|signin|session)(?:\.cgi|\.php|\.json)?["'`?]/i;

/** Why a page looks like a login page without any recipe (empty: it does not). */
export function loginPageSignals(samples: readonly LoginSample[]): string[] {
  const out: string[] = [];
  for (const s of samples) {
    if (s.status >= 400 && s.status !== 401 && s.status !== 403) continue;
    const text = textOf(s);
    if (PASSWORD_INPUT.test(text)) { out.push(`password field on ${s.path.slice(0, 80)}`); continue; }
    const title = titleOf(s.body);
    if (title !== null && LOGIN_TITLE.test(title) && /<script\b/i.test(text)) { out.push(`login title with a script on ${s.path.slice(0, 80)}`); continue; }
    if (/<script\b/i.test(text) && LOGIN_API.test(text) && /<body\b[^>]{0,200}>\s*(?:<noscript\b[\s\S]{0,400}?<\/noscript>\s*)?<div\b[^>]{0,100}>\s*<\/div>/i.test(text)) {
      out.push(`single-page login app on ${s.path.slice(0, 80)}`);
    }
  }
  return out.slice(0, 4);
}

/**
 * The recipe with the most matching signals (ties: data order), else "unknown-login" when a page is a login
 * page, else none. A page that only asks for HTTP Basic/Digest and matches no recipe is `none` here: that is
 * http-default-credentials' job.
 */
export function recogniseLoginPage(samples: readonly LoginSample[], faviconSha256: string | null = null,
  recipes: readonly CompiledRecipe[] = webLoginRecipes()): Recognition {
  const facts = pageFacts(samples);
  let best: { recipe: CompiledRecipe; signals: string[] } | undefined;
  for (const r of recipes) {
    const signals = recipeSignals(r, samples, faviconSha256);
    if (signals.length > 0 && (best === undefined || signals.length > best.signals.length)) best = { recipe: r, signals };
  }
  if (best) return { kind: 'recipe', recipe: best.recipe, signals: best.signals, facts };
  const login = loginPageSignals(samples);
  if (login.length > 0) return { kind: 'unknown-login', signals: login, facts };
  return { kind: 'none', facts };
}

/** Paths to fetch to recognise a page: "/" first, then recipes' paths in data order (distinct), at most `max`. */
export function recognitionPaths(max: number, recipes: readonly CompiledRecipe[] = webLoginRecipes(), first: readonly string[] = []): string[] {
  const out: string[] = ['/'];
  const add = (p: string): void => { if (!out.includes(p) && out.length < max) out.push(p); };
  for (const p of first) add(p);
  for (const r of recipes) for (const p of r.recognise.paths) add(p);
  return out;
}
