/**
 * A logger for one job that never lets a password through (DESIGN.md "Secrets", HOSTILE.md #22):
 * values under password-like keys are replaced, and so is any known credential password wherever it
 * appears in the message or the data (exactly, or inside a longer string when it is 4+ characters).
 */
import type { Logger } from '../probes/contract.js';

export const REDACTED = '[redacted]';
/** Keys whose values are secrets wherever they appear. */
export const SECRET_KEY = /^(pass(word|wd|phrase)?|pwd|secret|community|token|api[-_]?key|authorization|credentials?)$/i;
const MAX_DEPTH = 6;

/**
 * A string rewriter that replaces each known secret: a string equal to one, and (for secrets of 4+
 * characters) every occurrence inside a longer string in any letter case ("Transmission" for
 * "transmission", as data sources capitalise), longest secrets first.
 */
export function secretReplacer(secrets: readonly string[], replacement: (secret: string) => string): (s: string) => string {
  const known = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length > 0))].sort((a, b) => b.length - a.length);
  return (s: string): string => {
    let out = s;
    for (const secret of known) {
      if (out === secret) return replacement(secret);
      if (secret.length >= 4) out = replaceAnyCase(out, secret, replacement(secret));
    }
    return out;
  };
}

function replaceAnyCase(text: string, needle: string, by: string): string {
  const lower = text.toLowerCase();
  const n = needle.toLowerCase();
  let i = lower.indexOf(n);
  if (i < 0 || lower.length !== text.length) return i < 0 ? text : text.split(needle).join(by);
  let out = '';
  let from = 0;
  while (i >= 0) {
    out += text.slice(from, i) + by;
    from = i + n.length;
    i = lower.indexOf(n, from);
  }
  return out + text.slice(from);
}

export function createRedactor(secrets: readonly string[]): (value: unknown) => unknown {
  const redactString = secretReplacer(secrets, () => REDACTED);
  const walk = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') return redactString(value);
    if (value === null || typeof value !== 'object') return value;
    if (Buffer.isBuffer(value)) return `[${value.length} bytes]`;
    if (depth >= MAX_DEPTH) return '[…]';
    if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
    if (value instanceof Error) return redactString(value.message);
    const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : walk(v, depth + 1);
    return out;
  };
  return (value) => walk(value, 0);
}

export function redactingLogger(base: Logger, secrets: readonly string[], context: Record<string, unknown> = {}): Logger {
  const redact = createRedactor(secrets);
  const wrap = (level: keyof Logger) => (msg: string, data?: Record<string, unknown>): void => {
    try {
      base[level](redact(msg) as string, redact({ ...context, ...data }) as Record<string, unknown>);
    } catch {
      // A failing log sink never fails a probe.
    }
  };
  return { debug: wrap('debug'), info: wrap('info'), warn: wrap('warn') };
}
