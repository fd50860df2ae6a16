/**
 * Web login recipes (./web-logins.json): how to recognise a device family's login page and how its login
 * request, hash scheme and answers look. Data, not code (docs/CREDENTIALS.md, "Web login recipes"); the one
 * engine that runs a recipe is src/probes/lib/web-login.ts, its transforms src/probes/lib/web-login-transforms.ts.
 *
 * Validation runs once at load and fails loudly; test/data/web-logins.test.ts catches a broken file first.
 * Patterns are ours (never a device string), compiled once, case-insensitively, and only ever run on capped
 * device text (RECOGNISE_INPUT_CHARS / ANSWER_INPUT_CHARS).
 */
import { z } from 'zod';
import raw from './web-logins.json' with { type: 'json' };

/** Device text (titles, headers, bodies) is cut to this before a recognition pattern runs on it. */
export const RECOGNISE_INPUT_CHARS = 16 * 1024;
/** A login answer's body is cut to this before a success/failure pattern or JSON parse runs on it. */
export const ANSWER_INPUT_CHARS = 32 * 1024;

/** The fixed transform vocabulary (implemented once in src/probes/lib/web-login-transforms.ts). */
export const TRANSFORMS = ['md5', 'sha1', 'sha256', 'hmac-md5', 'hmac-sha256', 'base64', 'hex', 'upper', 'lower', 'urlencode'] as const;
export type Transform = (typeof TRANSFORMS)[number];

export const FAMILY_KINDS = ['router', 'camera', 'nas', 'hub'] as const;
export const AUTH_KINDS = ['recipe', 'http-basic', 'http-digest', 'unsupported'] as const;

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'ids are lower-case kebab-case');
const varName = z.string().regex(/^[a-zA-Z][a-zA-Z0-9_]{0,31}$/, 'a variable name');
const source = z.string().trim().min(12, 'a source must say where the entry comes from');
const pattern = z.string().min(2).max(400).refine((p) => {
  try { new RegExp(p, 'i'); return true; } catch { return false; }
}, 'not a valid regular expression');
/** A path template on the device: absolute, no whitespace; placeholders are URL-encoded when filled. */
const pathTemplate = z.string().regex(/^\/[^\s\\]*$/, 'an absolute path on the device').max(300);
/** A template: text with {name} placeholders. */
const template = z.string().max(2000);
const headerName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

const extractSchema = z.strictObject({
  name: varName,
  /** json: a dotted path into the JSON answer ("params.random", "0.value.Token.name"); body: a regex with one group; header/cookie: by name. */
  from: z.enum(['json', 'body', 'header', 'cookie']),
  path: z.string().max(120).optional(),
  pattern: pattern.optional(),
  header: headerName.optional(),
  cookie: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  /** Missing value: the attempt is an error (default true). */
  required: z.boolean().optional(),
}).refine((e) => (e.from === 'json' ? e.path !== undefined
  : e.from === 'body' ? e.pattern !== undefined
    : e.from === 'header' ? e.header !== undefined : e.cookie !== undefined), 'json needs path, body needs pattern, header needs header, cookie needs cookie');

const deriveSchema = z.strictObject({
  name: varName,
  /** Applied left to right to the filled `input` template. */
  ops: z.array(z.enum(TRANSFORMS)).min(1).max(6),
  input: template,
  /** Key template for hmac-* ops. */
  key: template.optional(),
  /** Apply the last op this many extra times: the variable's value minus `minus`, at most `max` (Hikvision's iterations). */
  repeat: z.strictObject({ var: varName, minus: z.number().int().min(0).max(10), max: z.number().int().min(1).max(1000) }).optional(),
  /** Only when this variable has this value (first matching derive of a name wins). */
  when: z.strictObject({ var: varName, equals: z.string().max(64) }).optional(),
});

const jsonTemplate: z.ZodType<unknown> = z.lazy(() => z.union([
  z.string().max(2000), z.number(), z.boolean(), z.null(),
  z.array(jsonTemplate).max(32),
  z.record(z.string().max(64), jsonTemplate),
]));

const stepSchema = z.strictObject({
  /** What the step is for, in the evidence ("challenge", "login"). */
  label: z.string().min(2).max(40),
  method: z.enum(['GET', 'POST']),
  path: pathTemplate,
  /** Form fields (application/x-www-form-urlencoded, values URL-encoded), a JSON body, an XML/text body (values XML-escaped). */
  form: z.array(z.tuple([z.string().max(64), template])).max(16).optional(),
  json: jsonTemplate.optional(),
  xml: template.optional(),
  contentType: z.string().max(100).regex(/^[\x20-\x7e]+$/).optional(),
  headers: z.array(z.tuple([headerName, template])).max(8).optional(),
  /** Cookies the vendor's page script would set before the request (TP-Link's Authorization cookie). */
  cookies: z.array(z.tuple([z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/), template])).max(4).optional(),
  /** Variables computed before this step's request. */
  derive: z.array(deriveSchema).max(8).optional(),
  /** Values read from this step's answer. */
  extract: z.array(extractSchema).max(8).optional(),
  /** GET only: follow same-origin redirects (at most 2 hops). */
  follow: z.boolean().optional(),
}).refine((s) => [s.form, s.json, s.xml].filter((b) => b !== undefined).length <= 1, 'at most one of form, json, xml')
  .refine((s) => s.method === 'POST' || (s.form === undefined && s.json === undefined && s.xml === undefined), 'only POST carries a body');

/** One condition on the final answer; every field given must hold. */
const matchSchema = z.strictObject({
  status: z.array(z.number().int().min(100).max(599)).min(1).max(8).optional(),
  json: z.strictObject({
    path: z.string().max(120),
    equals: z.union([z.string().max(200), z.number(), z.boolean(), z.null()]).optional(),
    pattern: pattern.optional(),
    /** Only that the field exists (and is not null). */
    present: z.boolean().optional(),
  }).optional(),
  body: pattern.optional(),
  cookie: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/).optional(),
  redirect: pattern.optional(),
  header: z.strictObject({ name: headerName, pattern }).optional(),
}).refine((m) => Object.keys(m).length > 0, 'a match needs at least one condition');

const recogniseSchema = z.strictObject({
  /** Unauthenticated GETs that show the login page (same-origin redirects followed, 2 hops). */
  paths: z.array(pathTemplate).min(1).max(3),
  title: pattern.optional(),
  realm: pattern.optional(),
  server: pattern.optional(),
  body: pattern.optional(),
  redirect: pattern.optional(),
  /** sha256 (hex) of the bytes of /favicon.ico. */
  faviconSha256: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(8).optional(),
}).refine((r) => r.title !== undefined || r.realm !== undefined || r.server !== undefined || r.body !== undefined || r.redirect !== undefined || (r.faviconSha256?.length ?? 0) > 0,
  'a recipe needs at least one recognition signal');

const recipeSchema = z.strictObject({
  id,
  name: z.string().min(2).max(80),
  kind: z.enum(FAMILY_KINDS),
  /** Vendor id in src/data/credentials.json: its `http` pairs are the candidates. */
  vendor: id,
  sources: z.array(source).min(1).max(8),
  recognise: recogniseSchema,
  /** recipe: the steps below; http-basic/-digest: left to http-default-credentials; unsupported: recognised, not tried. */
  auth: z.enum(AUTH_KINDS),
  note: z.string().max(400).optional(),
  /** The login takes a password only (the user name is not sent). */
  passwordOnly: z.boolean().optional(),
  steps: z.array(stepSchema).max(4).optional(),
  success: z.array(matchSchema).max(6).optional(),
  failure: z.array(matchSchema).max(6).optional(),
  lockout: z.array(matchSchema).max(6).optional(),
}).refine((r) => r.auth !== 'recipe' || ((r.steps?.length ?? 0) > 0 && (r.success?.length ?? 0) > 0 && (r.failure?.length ?? 0) > 0),
  'a recipe login needs steps, success and failure')
  .refine((r) => r.auth === 'recipe' || (r.steps === undefined && r.success === undefined), 'only auth "recipe" has steps')
  .refine((r) => r.auth !== 'unsupported' || (r.note?.length ?? 0) > 10, 'an unsupported family says why in `note`');

export const webLoginFileSchema = z.strictObject({
  description: z.string(),
  version: z.literal(1),
  recipes: z.array(recipeSchema).min(1),
});

export type WebLoginFile = z.infer<typeof webLoginFileSchema>;
export type Recipe = z.infer<typeof recipeSchema>;
export type RecipeStep = z.infer<typeof stepSchema>;
export type RecipeMatch = z.infer<typeof matchSchema>;
export type RecipeDerive = z.infer<typeof deriveSchema>;
export type RecipeExtract = z.infer<typeof extractSchema>;

/** Placeholders every template may use without an earlier step defining them. */
export const BUILTIN_VARS = ['username', 'password', 'host', 'port', 'scheme', 'origin', 'now'] as const;

function placeholders(t: string): string[] {
  return [...t.matchAll(/\{([a-zA-Z][a-zA-Z0-9_]{0,31})\}/g)].map((m) => m[1] ?? '');
}

function jsonStrings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) jsonStrings(x, out);
  else if (v !== null && typeof v === 'object') for (const x of Object.values(v)) jsonStrings(x, out);
  return out;
}

/** Problems beyond the schema: duplicate ids, placeholders used before a step or derive defines them. */
export function crossCheckWebLogins(file: WebLoginFile): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const r of file.recipes) {
    if (ids.has(r.id)) problems.push(`recipe id "${r.id}" appears twice`);
    ids.add(r.id);
    const known = new Set<string>(BUILTIN_VARS);
    for (const [i, s] of (r.steps ?? []).entries()) {
      for (const d of s.derive ?? []) {
        const used = [...placeholders(d.input), ...placeholders(d.key ?? ''), ...(d.repeat ? [d.repeat.var] : []), ...(d.when ? [d.when.var] : [])];
        for (const u of used) if (!known.has(u)) problems.push(`recipe "${r.id}" step ${i + 1} derive "${d.name}" uses {${u}} before it is defined`);
        if (d.ops.some((o) => o.startsWith('hmac-')) && d.key === undefined) problems.push(`recipe "${r.id}" derive "${d.name}": hmac needs key`);
        known.add(d.name);
      }
      const texts = [s.path, ...(s.form ?? []).map((f) => f[1]), ...jsonStrings(s.json), s.xml ?? '',
        ...(s.headers ?? []).map((h) => h[1]), ...(s.cookies ?? []).map((c) => c[1])];
      for (const t of texts) for (const u of placeholders(t)) if (!known.has(u)) problems.push(`recipe "${r.id}" step ${i + 1} uses {${u}} before it is defined`);
      for (const e of s.extract ?? []) known.add(e.name);
    }
  }
  return problems;
}

/** Validates a recipe file; throws with every problem listed. */
export function validateWebLoginFile(input: unknown): WebLoginFile {
  const parsed = webLoginFileSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`src/data/web-logins.json is invalid:\n  ${lines.join('\n  ')}`);
  }
  const extra = crossCheckWebLogins(parsed.data);
  if (extra.length > 0) throw new Error(`src/data/web-logins.json is invalid:\n  ${extra.join('\n  ')}`);
  return parsed.data;
}

export interface CompiledMatch {
  status?: readonly number[];
  json?: { path: string[]; equals?: string | number | boolean | null; pattern?: RegExp; present?: boolean };
  body?: RegExp;
  cookie?: string;
  redirect?: RegExp;
  header?: { name: string; re: RegExp };
}

export interface CompiledRecipe extends Recipe {
  re: { title?: RegExp; realm?: RegExp; server?: RegExp; body?: RegExp; redirect?: RegExp };
  /** Body-extract patterns by step index and variable name. */
  extractRe: Map<string, RegExp>;
  successM: CompiledMatch[];
  failureM: CompiledMatch[];
  lockoutM: CompiledMatch[];
}

const ci = (p: string): RegExp => new RegExp(p, 'i');

export function jsonPath(p: string): string[] {
  return p.split('.').filter((x) => x !== '').slice(0, 12);
}

function compileMatch(m: RecipeMatch): CompiledMatch {
  const c: CompiledMatch = {};
  if (m.status) c.status = m.status;
  if (m.json) {
    const j: NonNullable<CompiledMatch['json']> = { path: jsonPath(m.json.path) };
    if (m.json.equals !== undefined) j.equals = m.json.equals;
    if (m.json.pattern !== undefined) j.pattern = ci(m.json.pattern);
    if (m.json.present !== undefined) j.present = m.json.present;
    c.json = j;
  }
  if (m.body) c.body = ci(m.body);
  if (m.cookie) c.cookie = m.cookie;
  if (m.redirect) c.redirect = ci(m.redirect);
  if (m.header) c.header = { name: m.header.name.toLowerCase(), re: ci(m.header.pattern) };
  return c;
}

export function extractKey(step: number, name: string): string {
  return `${step}\u0000${name}`;
}

export function compileRecipe(r: Recipe): CompiledRecipe {
  const re: CompiledRecipe['re'] = {};
  if (r.recognise.title) re.title = ci(r.recognise.title);
  if (r.recognise.realm) re.realm = ci(r.recognise.realm);
  if (r.recognise.server) re.server = ci(r.recognise.server);
  if (r.recognise.body) re.body = ci(r.recognise.body);
  if (r.recognise.redirect) re.redirect = ci(r.recognise.redirect);
  const extractRe = new Map<string, RegExp>();
  for (const [i, s] of (r.steps ?? []).entries()) {
    for (const e of s.extract ?? []) if (e.pattern !== undefined) extractRe.set(extractKey(i, e.name), ci(e.pattern));
  }
  return {
    ...r, re, extractRe,
    successM: (r.success ?? []).map(compileMatch),
    failureM: (r.failure ?? []).map(compileMatch),
    lockoutM: (r.lockout ?? []).map(compileMatch),
  };
}

let cached: readonly CompiledRecipe[] | undefined;

/** The built-in recipes, validated and compiled once. */
export function webLoginRecipes(): readonly CompiledRecipe[] {
  cached ??= validateWebLoginFile(raw).recipes.map(compileRecipe);
  return cached;
}

export function recipeById(recipeId: string): CompiledRecipe | undefined {
  return webLoginRecipes().find((r) => r.id === recipeId);
}

/** The raw JSON as imported (for the validator test). */
export const RAW_WEB_LOGIN_FILE: unknown = raw;
