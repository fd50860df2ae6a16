/**
 * The fixed transform vocabulary of web login recipes and the template filler (pure). A recipe composes
 * these (src/data/web-logins.json `derive`); nothing else is ever evaluated: no code, no device-chosen
 * pattern. Values are capped so a device cannot make us hash megabytes.
 */
import { createHash, createHmac } from 'node:crypto';
import type { RecipeDerive, Transform } from '../../data/web-logins.js';

/** A variable's value is cut to this (tokens, nonces, realms are short). */
export const MAX_VAR_CHARS = 2048;

/** Variables of one login attempt: name → text, plus the raw JSON value when one came from a JSON answer. */
export interface Vars {
  text: Map<string, string>;
  json: Map<string, unknown>;
}

export function newVars(init: Record<string, string>): Vars {
  const text = new Map<string, string>();
  for (const [k, v] of Object.entries(init)) text.set(k, v.slice(0, MAX_VAR_CHARS));
  return { text, json: new Map() };
}

export function setVar(vars: Vars, name: string, value: unknown): void {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value) ?? '';
  vars.text.set(name, text.slice(0, MAX_VAR_CHARS));
  if (typeof value !== 'string') vars.json.set(name, value);
  else vars.json.delete(name);
}

export function applyTransform(op: Transform, input: string, key = ''): string {
  switch (op) {
    case 'md5': return createHash('md5').update(input, 'utf8').digest('hex');
    case 'sha1': return createHash('sha1').update(input, 'utf8').digest('hex');
    case 'sha256': return createHash('sha256').update(input, 'utf8').digest('hex');
    case 'hmac-md5': return createHmac('md5', key).update(input, 'utf8').digest('hex');
    case 'hmac-sha256': return createHmac('sha256', key).update(input, 'utf8').digest('hex');
    case 'base64': return Buffer.from(input, 'utf8').toString('base64');
    case 'hex': return Buffer.from(input, 'utf8').toString('hex');
    case 'upper': return input.toUpperCase();
    case 'lower': return input.toLowerCase();
    case 'urlencode': return encodeURIComponent(input);
  }
}

export type Escape = (value: string) => string;

export const identity: Escape = (v) => v;
export const xmlEscape: Escape = (v) => v.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '\'': '&apos;', '"': '&quot;' })[c] ?? c);

/** Fills {name} placeholders; undefined when a placeholder has no value (the caller reports it). */
export function fill(template: string, vars: Vars, escape: Escape = identity): { value: string } | { missing: string } {
  let missing: string | undefined;
  const value = template.replace(/\{([a-zA-Z][a-zA-Z0-9_]{0,31})\}/g, (_, name: string) => {
    const v = vars.text.get(name);
    if (v === undefined) { missing ??= name; return ''; }
    return escape(v);
  });
  return missing !== undefined ? { missing } : { value };
}

/**
 * Fills a JSON template: strings are filled; a string that is exactly one placeholder of a variable read
 * from a JSON answer keeps that value's JSON type (Dahua's session id may be a number).
 */
export function fillJson(t: unknown, vars: Vars, depth = 0): { value: unknown } | { missing: string } {
  if (depth > 8) return { missing: '(template too deep)' };
  if (typeof t === 'string') {
    const whole = /^\{([a-zA-Z][a-zA-Z0-9_]{0,31})\}$/.exec(t);
    if (whole?.[1] !== undefined && vars.json.has(whole[1])) return { value: vars.json.get(whole[1]) };
    return fill(t, vars);
  }
  if (Array.isArray(t)) {
    const out: unknown[] = [];
    for (const x of t) {
      const r = fillJson(x, vars, depth + 1);
      if ('missing' in r) return r;
      out.push(r.value);
    }
    return { value: out };
  }
  if (t !== null && typeof t === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(t)) {
      const r = fillJson(x, vars, depth + 1);
      if ('missing' in r) return r;
      out[k] = r.value;
    }
    return { value: out };
  }
  return { value: t };
}

/** Runs a step's derive list; returns the first missing variable, if any. */
export function runDerives(derives: readonly RecipeDerive[], vars: Vars): string | undefined {
  const done = new Set<string>();
  for (const d of derives) {
    if (done.has(d.name)) continue;
    if (d.when && vars.text.get(d.when.var) !== d.when.equals) continue;
    const input = fill(d.input, vars);
    if ('missing' in input) return input.missing;
    let key = '';
    if (d.key !== undefined) {
      const k = fill(d.key, vars);
      if ('missing' in k) return k.missing;
      key = k.value;
    }
    let value = input.value.slice(0, MAX_VAR_CHARS * 4);
    for (const op of d.ops) value = applyTransform(op, value, key);
    if (d.repeat) {
      const n = Number.parseInt(vars.text.get(d.repeat.var) ?? '', 10);
      if (!Number.isFinite(n)) return d.repeat.var;
      const times = Math.min(Math.max(0, n - d.repeat.minus), d.repeat.max);
      const last = d.ops[d.ops.length - 1] ?? 'sha256';
      for (let i = 0; i < times; i++) value = applyTransform(last, value, key);
    }
    setVar(vars, d.name, value);
    done.add(d.name);
  }
  return undefined;
}
