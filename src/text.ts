/**
 * Capping device text (HOSTILE.md: every byte a device sends is length-limited before it is kept or
 * matched), and masking a password for display. Pure, below every stage. Escaping for display is the report's job (src/report/escape.ts).
 */

/** `s` cut to at most `max` characters. */
export function cap(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/** `s` cut to `max` characters with an ellipsis marking the cut (for text a reader sees was shortened). */
export function capMarked(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** Optional text capped; absent stays null. */
export function capOrNull(s: string | undefined | null, max: number): string | null {
  return s === undefined || s === null ? null : cap(s, max);
}

/** Shows the first two characters and the length class only: "ad******". */
export function maskSecret(secret: string): string {
  if (secret.length === 0) return '(empty)';
  const keep = secret.length >= 6 ? 2 : secret.length >= 3 ? 1 : 0;
  return `${secret.slice(0, keep)}${'*'.repeat(Math.max(3, secret.length - keep))}`;
}
