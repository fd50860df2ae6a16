/**
 * Lockout awareness for the default-credential probes (pure).
 *
 * Two mechanisms, documented in docs/CREDENTIALS.md:
 * 1. Stop at once when the device says it is locking us out: "too many", "locked", "try again later",
 *    HTTP 423/429 (and 503 with Retry-After), SSH disconnects with such text, a device that starts refusing
 *    connections mid-run. The text seen is reported (capped).
 * 2. Be cautious before anything locks: a service that looks like it locks — its vendor is known to lock
 *    (credentials.json `lockout`), or it talks about remaining attempts / locking — gets at most
 *    CAUTIOUS_MAX_FAILURES wrong logins in total (the negative control included), because several camera
 *    firmwares lock the client address after 3 wrong passwords and count every user name together. Every
 *    other service gets at most DEFAULT_MAX_FAILURES_PER_ACCOUNT wrong passwords per user name, below the 5
 *    that Hikvision and Dahua firmwares use by default.
 */

/** Wrong passwords per user name on one service (all services, unless cautious). */
export const DEFAULT_MAX_FAILURES_PER_ACCOUNT = 3;
/** Wrong logins in total on a service that looks like it locks (3 is the lowest threshold seen in the field). */
export const CAUTIOUS_MAX_FAILURES = 2;


import { HINT_PATTERNS, LOCKOUT_PATTERNS, LOCKOUT_SCAN_CHARS, REMAINING_PATTERNS } from '../../data/lockout-patterns.js';

export { LOCKOUT_PATTERNS, LOCKOUT_SCAN_CHARS };

/** Removes markup and control characters from a capped text, for matching and for the evidence. */
export function plainText(text: string): string {
  return text.slice(0, LOCKOUT_SCAN_CHARS * 2)
    .replace(/<(script|style)\b[^>]{0,200}>[\s\S]{0,4000}?<\/\1\s*>/gi, ' ')
    .replace(/<[^>]{0,400}>/g, ' ')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .slice(0, LOCKOUT_SCAN_CHARS);
}

function around(t: string, index: number): string {
  const start = Math.max(0, t.lastIndexOf('\n', index) + 1, index - 60);
  const nl = t.indexOf('\n', index);
  const end = Math.min(nl < 0 ? t.length : nl, start + 120);
  return t.slice(start, end).trim();
}

/** The first lockout phrase in a device text, with a little context (≤ 120 chars), or undefined. */
export function findLockoutText(text: string): string | undefined {
  const t = plainText(text);
  for (const re of LOCKOUT_PATTERNS) {
    const m = re.exec(t);
    if (m) return around(t, m.index);
  }
  return undefined;
}

/** True when the text talks about a lockout policy (remaining attempts, "will be locked", Hikvision's retryLoginTime). */
export function lockoutHint(text: string): string | undefined {
  // Markup is kept for the second pass: Hikvision says <retryLoginTime>4</retryLoginTime>.
  for (const t of [plainText(text), text.slice(0, LOCKOUT_SCAN_CHARS)]) {
    for (const re of HINT_PATTERNS) {
      const m = re.exec(t);
      if (m) return around(t, m.index);
    }
  }
  return undefined;
}

/** Remaining attempts the device announces, when it does. */
export function remainingAttempts(text: string): number | undefined {
  for (const t of [plainText(text), text.slice(0, LOCKOUT_SCAN_CHARS)]) {
    for (const re of REMAINING_PATTERNS) {
      const m = re.exec(t);
      if (m?.[1] !== undefined) return Number(m[1]);
    }
  }
  return undefined;
}

export interface HttpLockoutVerdict {
  /** The device is refusing logins because of a lockout or rate limit now. */
  locked: boolean;
  text?: string;
  /** The device talks about a lockout policy (be cautious). */
  hint?: string;
  remaining?: number;
}

/**
 * Reads an HTTP (or RTSP) answer for lockout signs: 423 Locked and 429 Too Many Requests always; 503 with
 * Retry-After; any 401/403 (or other) page whose text says it is locked or that there were too many attempts.
 */
export function httpLockout(status: number, headers: ReadonlyMap<string, string[]>, body: string): HttpLockoutVerdict {
  const text = findLockoutText(body);
  const retryAfter = headers.get('retry-after')?.[0];
  if (status === 423 || status === 429) {
    return { locked: true, text: text ?? `HTTP ${status}${retryAfter ? ` (Retry-After: ${retryAfter.slice(0, 40)})` : ''}` };
  }
  if (status === 503 && retryAfter !== undefined) return { locked: true, text: text ?? `HTTP 503 (Retry-After: ${retryAfter.slice(0, 40)})` };
  const v: HttpLockoutVerdict = { locked: false };
  if (text !== undefined && status >= 400) { v.locked = true; v.text = text; }
  const hint = lockoutHint(body);
  if (hint !== undefined) v.hint = hint;
  const remaining = remainingAttempts(body);
  if (remaining !== undefined) v.remaining = remaining;
  return v;
}

export interface LockoutPolicy {
  /** True when the service looks like it locks: then at most `maxFailures` wrong logins in total. */
  cautious: boolean;
  /** Why the policy is cautious (vendor data, device text), for the evidence. */
  reasons: string[];
  /** Wrong logins in total before stopping (null: only the guess budget limits). */
  maxFailures: number | null;
  maxFailuresPerAccount: number;
}

/**
 * A vendor's documented lockout (credentials.json `lockout.threshold` and `scope`), and how many of the
 * device's services share the count (a Dahua camera's HTTP and RTSP logins use one account database).
 */
export interface VendorLockout { threshold: number; scope: 'account' | 'address'; sharedBy: number }

/**
 * The policy for a service. Without reasons: 3 wrong passwords per user name. With reasons (it looks like
 * it locks): at most CAUTIOUS_MAX_FAILURES wrong logins in total — unless the only reason is a vendor
 * lockout whose threshold the data documents, which the policy then follows with a margin: each of the
 * `sharedBy` services gets floor((threshold - 1) / sharedBy) wrong logins (never fewer than the cautious
 * 2, never more than 3 per user name); a lock per account (Dahua) limits each user name, not the total,
 * since a random user name harms no real account. docs/CREDENTIALS.md "The cautious policy".
 */
export function lockoutPolicy(reasons: readonly string[], vendor?: VendorLockout): LockoutPolicy {
  const cautious = reasons.length > 0;
  const out: LockoutPolicy = {
    cautious,
    reasons: reasons.slice(0, 5).map((r) => r.slice(0, 160)),
    maxFailures: cautious ? CAUTIOUS_MAX_FAILURES : null,
    maxFailuresPerAccount: cautious ? Math.min(CAUTIOUS_MAX_FAILURES, DEFAULT_MAX_FAILURES_PER_ACCOUNT) : DEFAULT_MAX_FAILURES_PER_ACCOUNT,
  };
  if (!cautious || vendor === undefined) return out;
  const share = Math.max(CAUTIOUS_MAX_FAILURES, Math.floor((vendor.threshold - 1) / Math.max(1, vendor.sharedBy)));
  out.maxFailuresPerAccount = Math.min(share, DEFAULT_MAX_FAILURES_PER_ACCOUNT);
  out.maxFailures = vendor.scope === 'account' ? null : share;
  return out;
}

/** A policy made cautious mid-run (the device started talking about remaining attempts). */
export function makeCautious(policy: LockoutPolicy, reason: string): LockoutPolicy {
  if (policy.cautious) return policy;
  return lockoutPolicy([...policy.reasons, reason]);
}
