/**
 * What devices say when they lock a client out, or announce that they will (data: the phrases seen in
 * the field, see docs/CREDENTIALS.md "Lockouts"): busybox/PAM "too many", Hikvision "locked" and its
 * <retryLoginTime>, Dahua "remainLockTimes", router pages "try again in N minutes", "N attempts remaining".
 * Used by the credential probes (src/probes/lib/lockout.ts) and the telnet client (src/net/telnet.ts); they
 * only ever run on device text capped to LOCKOUT_SCAN_CHARS.
 */

/** Device text is cut to this before any of these patterns runs on it. */
export const LOCKOUT_SCAN_CHARS = 4096;

export const LOCKOUT_PATTERNS: readonly RegExp[] = [
  /too many/i,
  /\blocked\b/i,
  /\block(?:ed)?[ -]?out\b/i,
  /try again (?:later|in\b|after\b)/i,
  /temporar(?:il)?y (?:blocked|disabled|banned|locked|unavailable)/i,
  /\bexceed(?:ed|s)?\b[^\n]{0,40}\b(?:attempts?|tries|retries|times|limit)\b/i,
  /\b(?:banned|blacklisted)\b/i,
  /\baccount (?:is )?(?:disabled|suspended|blocked)\b/i,
];

/** Phrases that say a lockout policy exists without saying we are locked ("3 attempts remaining"). */
export const HINT_PATTERNS: readonly RegExp[] = [
  /\b(?:attempts?|tries|times|chances?)\s+(?:left|remaining)\b/i,
  /\bremaining\s+(?:login\s+)?(?:attempts?|tries|times|chances?)\b/i,
  /\bwill be (?:locked|blocked|disabled)\b/i,
  /\block(?:ed)? (?:after|for)\b/i,
  /\bretryLoginTime\b/i,
  /\billegal login\b/i,
  /\bunlockTime\b/i,
  /\block ?status\b/i,
];

export const REMAINING_PATTERNS: readonly RegExp[] = [
  /\b(\d{1,3})\s+(?:more\s+)?(?:login\s+)?(?:attempts?|tries|times|chances?)\s+(?:left|remaining)\b/i,
  /\bremaining\s+(?:login\s+)?(?:attempts?|tries|times|chances?)\s*(?:is|are|:|=)?\s*(\d{1,3})\b/i,
  /\bretryLoginTime\W{0,3}(\d{1,3})\b/i,
];
