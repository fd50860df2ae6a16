/**
 * Does an MQTT topic, a CoAP resource path or a JSON payload key look like it carries personal data
 * (presence, location, locks and doors, camera images, names…)? Pure; the vocabulary is data
 * (src/data/personal-topic-patterns.json, each category with its source).
 *
 * Matching is by whole tokens only, never by substring and never with a regular expression built from
 * device data: a name is split at '/', each level lower-cased and split at non-alphanumerics and at
 * camelCase boundaries; trailing digits and a plural 's' are dropped. Every input is length-capped first
 * (HOSTILE.md: regexes run on length-capped input only).
 */
import patterns from '../../data/personal-topic-patterns.json' with { type: 'json' };

export const MAX_TOPIC_CHARS = 512;
export const MAX_LEVELS = 32;
export const MAX_LEVEL_CHARS = 64;
export const MAX_KEYS = 32;

export interface PersonalCategory { id: string; label: string; words: ReadonlySet<string> }

export interface PersonalVocabulary {
  categories: readonly PersonalCategory[];
  nameAfter: ReadonlySet<string>;
  notNames: ReadonlySet<string>;
  payloadKeys: ReadonlyMap<string, string[]>;
}

/** What matched: the categories (ids, in vocabulary order) and the words or levels that matched them. */
export interface PersonalMatch { categories: string[]; matched: string[] }

interface RawVocabulary {
  categories: { id: string; label: string; words: string[]; source: string }[];
  nameAfter: { words: string[]; notNames: string[]; source: string };
  payloadKeys: { category: string; words: string[] }[];
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0 && x === x.toLowerCase());
}

/** Validates and indexes the data file (throws on a malformed file: a data error must not pass silently). */
export function buildVocabulary(raw: unknown): PersonalVocabulary {
  const r = raw as Partial<RawVocabulary> | null;
  if (!r || !Array.isArray(r.categories) || !r.nameAfter || !Array.isArray(r.payloadKeys)) {
    throw new Error('personal-topic-patterns: missing categories, nameAfter or payloadKeys');
  }
  const ids = new Set<string>();
  const categories = r.categories.map((c) => {
    if (typeof c.id !== 'string' || typeof c.label !== 'string' || typeof c.source !== 'string' || !isStringArray(c.words)) {
      throw new Error(`personal-topic-patterns: malformed category ${String(c.id)}`);
    }
    ids.add(c.id);
    return { id: c.id, label: c.label, words: new Set(c.words) };
  });
  if (!isStringArray(r.nameAfter.words) || !isStringArray(r.nameAfter.notNames)) {
    throw new Error('personal-topic-patterns: malformed nameAfter');
  }
  const payloadKeys = new Map<string, string[]>();
  for (const k of r.payloadKeys) {
    if (!ids.has(k.category) || !isStringArray(k.words)) throw new Error(`personal-topic-patterns: malformed payloadKeys entry ${String(k.category)}`);
    for (const w of k.words) payloadKeys.set(w, [...(payloadKeys.get(w) ?? []), k.category]);
  }
  return { categories, nameAfter: new Set(r.nameAfter.words), notNames: new Set(r.nameAfter.notNames), payloadKeys };
}

export const VOCABULARY: PersonalVocabulary = buildVocabulary(patterns);

/** The category id reported for a level that follows a word such as "users" or "owntracks". */
export const NAME_CATEGORY = 'identity';

function capped(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** Tokens of one level: the whole level, then its parts (split at non-alphanumerics and camelCase), each also without trailing digits and a plural s. */
export function levelTokens(level: string): string[] {
  const raw = capped(level, MAX_LEVEL_CHARS);
  const out = new Set<string>();
  const add = (t: string): void => {
    if (t.length === 0) return;
    out.add(t);
    const noDigits = t.replace(/[0-9]+$/, '');
    if (noDigits.length > 0) out.add(noDigits);
    const base = noDigits.length > 0 ? noDigits : t;
    if (base.length > 3 && base.endsWith('s')) out.add(base.slice(0, -1));
  };
  add(raw.toLowerCase());
  const parts = raw.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9]+/);
  for (const p of parts) add(p);
  return [...out];
}

function levelsOf(name: string): string[] {
  return capped(name, MAX_TOPIC_CHARS).split('/').slice(0, MAX_LEVELS);
}

/** A level that looks like a person's name (letters, 2–32 characters) after a word like "users". */
function looksLikeName(level: string, vocab: PersonalVocabulary): boolean {
  if (level.length < 2 || level.length > 32) return false;
  if (!/^[\p{L}][\p{L}'. -]*$/u.test(level)) return false;
  if (vocab.notNames.has(level.toLowerCase())) return false;
  // "person/snapshot" names an object class, not a person: a level that is itself a vocabulary word is no name.
  const tokens = levelTokens(level);
  return !vocab.categories.some((c) => tokens.some((t) => c.words.has(t)));
}

/** Classifies an MQTT topic or a CoAP path ("/a/b" and "a/b" alike). */
export function classifyName(name: string, vocab: PersonalVocabulary = VOCABULARY): PersonalMatch {
  const levels = levelsOf(name);
  const hits = new Map<string, Set<string>>();
  const hit = (category: string, what: string): void => {
    let s = hits.get(category);
    if (!s) { s = new Set(); hits.set(category, s); }
    s.add(what);
  };
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i]!;
    if (level === '' || level === '+' || level === '#') continue;
    const tokens = levelTokens(level);
    for (const c of vocab.categories) {
      for (const t of tokens) if (c.words.has(t)) hit(c.id, t);
    }
    const next = levels[i + 1];
    if (next !== undefined && vocab.nameAfter.has(level.toLowerCase()) && looksLikeName(capped(next, MAX_LEVEL_CHARS), vocab)) {
      hit(NAME_CATEGORY, `${capped(level, MAX_LEVEL_CHARS).toLowerCase()}/<name>`);
    }
  }
  return orderedMatch(hits, vocab);
}

/** Classifies the top-level keys of a JSON payload (at most MAX_KEYS, each length-capped). */
export function classifyPayloadKeys(keys: readonly string[], vocab: PersonalVocabulary = VOCABULARY): PersonalMatch {
  const hits = new Map<string, Set<string>>();
  for (const key of keys.slice(0, MAX_KEYS)) {
    const k = capped(key, MAX_LEVEL_CHARS).toLowerCase();
    for (const category of vocab.payloadKeys.get(k) ?? []) {
      let s = hits.get(category);
      if (!s) { s = new Set(); hits.set(category, s); }
      s.add(k);
    }
  }
  return orderedMatch(hits, vocab);
}

function orderedMatch(hits: Map<string, Set<string>>, vocab: PersonalVocabulary): PersonalMatch {
  const categories = vocab.categories.map((c) => c.id).filter((id) => hits.has(id));
  const matched = categories.flatMap((id) => [...(hits.get(id) ?? [])]);
  return { categories, matched: [...new Set(matched)] };
}

/** Plain-language label of a category id ("presence (who is at home)"); the id itself when unknown. */
export function categoryLabel(id: string, vocab: PersonalVocabulary = VOCABULARY): string {
  return vocab.categories.find((c) => c.id === id)?.label ?? id;
}

/** How a payload is shown in evidence: its kind, a preview (redacted unless revealed) and, for JSON objects, its top-level keys. */
export type PayloadPreview = { kind: 'empty' | 'json' | 'text' | 'binary'; bytes: number; preview: string; keys: string[] };

export const MAX_JSON_PARSE_BYTES = 4096;
export const MAX_PREVIEW_CHARS = 120;
const MAX_KEY_CHARS = 32;

function mediaHint(buf: Buffer): string | null {
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8 && buf[2] === 0xff) return 'image/jpeg';
  if (buf.length >= 8 && buf.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (buf.length >= 4 && buf.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return null;
}

function asText(buf: Buffer): string | null {
  const s = buf.toString('utf8');
  if (s.includes('\uFFFD')) return null;
  // eslint-disable-next-line no-control-regex
  const controls = s.match(/[\u0000-\u0008\u000e-\u001f\u007f]/g)?.length ?? 0;
  return controls > s.length / 10 ? null : s;
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * Describes a payload without giving away its content unless `reveal` (--reveal-data): JSON objects
 * show their keys and value types (`{"lat":<number>}`), text its length, binary its length and media
 * type. Only the first `maxBytes` of the payload are looked at; JSON only up to MAX_JSON_PARSE_BYTES.
 */
export function previewPayload(payload: Buffer, reveal: boolean, totalBytes = payload.length): PayloadPreview {
  const buf = payload.subarray(0, Math.min(payload.length, MAX_JSON_PARSE_BYTES));
  if (totalBytes === 0) return { kind: 'empty', bytes: 0, preview: '', keys: [] };
  const text = asText(buf);
  if (text === null) {
    const media = mediaHint(buf);
    const preview = reveal
      ? buf.subarray(0, 32).toString('hex')
      : `<binary, ${totalBytes} bytes${media ? `, ${media}` : ''}>`;
    return { kind: 'binary', bytes: totalBytes, preview, keys: [] };
  }
  let keys: string[] = [];
  let shape: string | null = null;
  const first = text.trimStart()[0];
  if (totalBytes <= MAX_JSON_PARSE_BYTES && (first === '{' || first === '[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const entries = Object.entries(parsed as Record<string, unknown>).slice(0, MAX_KEYS);
        keys = entries.map(([k]) => capped(k, MAX_KEY_CHARS));
        shape = `{${entries.slice(0, 16).map(([k, v]) => `${JSON.stringify(capped(k, MAX_KEY_CHARS))}:<${typeName(v)}>`).join(',')}${entries.length > 16 ? ',…' : ''}}`;
      } else if (Array.isArray(parsed)) {
        shape = `[<${parsed.length} items>]`;
      }
    } catch {
      shape = null;
    }
  }
  if (reveal) {
    const t = capped(text, MAX_PREVIEW_CHARS);
    return { kind: shape === null ? 'text' : 'json', bytes: totalBytes, preview: t.length < text.length || totalBytes > buf.length ? `${t}…` : t, keys };
  }
  if (shape !== null) return { kind: 'json', bytes: totalBytes, preview: capped(shape, MAX_PREVIEW_CHARS * 4), keys };
  return { kind: 'text', bytes: totalBytes, preview: `<text, ${totalBytes} bytes>`, keys: [] };
}
