/**
 * HTTP authentication helpers shared by the HTTP and RTSP clients (pure: parsing and node:crypto only).
 *
 * - parseAuthenticate: RFC 7235 challenges from WWW-Authenticate headers (several per header, quoted
 *   strings with escapes, token68), with caps on input length, challenges and parameters.
 * - Digest (RFC 7616, with RFC 2617/2069 compatibility): MD5, SHA-256 and SHA-512-256, their `-sess`
 *   variants, qop `auth` and `auth-int`, no qop (RFC 2069), `userhash`, `opaque`, `stale`.
 * - Basic (RFC 7617).
 *
 * Everything here treats the header as hostile: lengths are capped before any parsing and names are kept
 * in Maps, never as object keys.
 */
import { createHash, randomBytes } from 'node:crypto';

/** Header bytes parsed per WWW-Authenticate value; the rest is ignored. */
export const MAX_AUTH_HEADER_CHARS = 4096;
const MAX_CHALLENGES = 16;
const MAX_PARAMS = 24;

export interface AuthChallenge {
  /** Scheme, lower-cased ("basic", "digest", "bearer", …). */
  scheme: string;
  /** Parameters by lower-cased name (values unquoted). */
  params: Map<string, string>;
  token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/]/;

class Scanner {
  i = 0;
  constructor(readonly s: string) {}
  get done(): boolean { return this.i >= this.s.length; }
  peek(): string { return this.s[this.i] ?? ''; }
  skipWs(): void { while (this.peek() === ' ' || this.peek() === '\t') this.i++; }
  skipWsAndCommas(): void { while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.i++; }
  token(): string {
    const start = this.i;
    while (!this.done && TOKEN_CHAR.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }
  quoted(): string {
    // At the opening quote.
    this.i++;
    let out = '';
    while (!this.done) {
      const c = this.peek();
      if (c === '\\') { this.i++; out += this.peek(); this.i++; continue; }
      if (c === '"') { this.i++; return out; }
      out += c;
      this.i++;
    }
    return out; // unterminated: take what there is
  }
}

/** End index of a token68 at position i (token68 chars, optional "=" padding, then only spaces before a comma or the end), or -1. */
function token68End(s: string, i: number): number {
  let j = i;
  while (j < s.length && TOKEN68_CHAR.test(s[j] ?? '')) j++;
  if (j === i) return -1;
  while (s[j] === '=') j++;
  let k = j;
  while (s[k] === ' ' || s[k] === '\t') k++;
  return k >= s.length || s[k] === ',' ? j : -1;
}

function skipValue(sc: Scanner): string {
  sc.skipWs();
  return sc.peek() === '"' ? sc.quoted() : sc.token();
}

function parseOne(value: string, out: AuthChallenge[]): void {
  const sc = new Scanner(value.slice(0, MAX_AUTH_HEADER_CHARS));
  let current: AuthChallenge | undefined;
  while (!sc.done && out.length <= MAX_CHALLENGES) {
    sc.skipWsAndCommas();
    if (sc.done) break;
    const tok = sc.token();
    if (tok === '') { sc.i++; continue; } // junk character: skip it
    sc.skipWs();
    if (sc.peek() === '=') {
      sc.i++;
      const v = skipValue(sc);
      // A parameter before any scheme is junk and dropped.
      if (current && current.params.size < MAX_PARAMS) current.params.set(tok.toLowerCase(), v);
      continue;
    }
    // A new scheme, possibly followed by a token68.
    current = { scheme: tok.toLowerCase(), params: new Map() };
    out.push(current);
    const end = token68End(sc.s, sc.i);
    if (end > 0) {
      current.token68 = sc.s.slice(sc.i, end);
      sc.i = end;
    }
  }
}

/** All challenges in the given WWW-Authenticate (or Proxy-Authenticate) header values. */
export function parseAuthenticate(values: readonly string[] | undefined): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const v of values ?? []) {
    if (out.length >= MAX_CHALLENGES) break;
    if (typeof v === 'string') parseOne(v, out);
  }
  return out.slice(0, MAX_CHALLENGES);
}

// ---------------------------------------------------------------------------------------------------
// Basic

/** RFC 7617 credentials (UTF-8). */
export function basicAuthorization(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

// ---------------------------------------------------------------------------------------------------
// Digest

export type DigestHash = 'MD5' | 'SHA-256' | 'SHA-512-256';

export interface DigestChallenge {
  realm: string;
  nonce: string;
  opaque?: string;
  /** Algorithm as the server named it (normalised case), e.g. "SHA-256-sess". */
  algorithm: string;
  hash: DigestHash;
  sess: boolean;
  /** qop options offered ("auth", "auth-int"); empty for RFC 2069 servers. */
  qop: string[];
  stale: boolean;
  userhash: boolean;
  domain?: string;
}

const HASH_NODE: Record<DigestHash, string> = { MD5: 'md5', 'SHA-256': 'sha256', 'SHA-512-256': 'sha512-256' };

/** Strength order when a server offers several Digest challenges. */
const HASH_RANK: Record<DigestHash, number> = { 'SHA-512-256': 3, 'SHA-256': 2, MD5: 1 };

function cap(v: string | undefined, n = 512): string | undefined {
  return v === undefined ? undefined : v.slice(0, n);
}

/** The Digest challenge in a parsed challenge, or null when it is not Digest or uses an algorithm we do not know. */
export function toDigestChallenge(c: AuthChallenge): DigestChallenge | null {
  if (c.scheme !== 'digest') return null;
  const nonce = c.params.get('nonce');
  const realm = c.params.get('realm');
  if (nonce === undefined || realm === undefined) return null;
  const algRaw = (c.params.get('algorithm') ?? 'MD5').trim().toUpperCase();
  const sess = algRaw.endsWith('-SESS');
  const base = sess ? algRaw.slice(0, -5) : algRaw;
  let hash: DigestHash;
  if (base === 'MD5') hash = 'MD5';
  else if (base === 'SHA-256') hash = 'SHA-256';
  else if (base === 'SHA-512-256') hash = 'SHA-512-256';
  else return null;
  const qop = (c.params.get('qop') ?? '').split(',').map((q) => q.trim().toLowerCase()).filter((q) => q === 'auth' || q === 'auth-int');
  const d: DigestChallenge = {
    realm: cap(realm) ?? '',
    nonce: cap(nonce, 1024) ?? '',
    algorithm: `${hash}${sess ? '-sess' : ''}`,
    hash,
    sess,
    qop,
    stale: (c.params.get('stale') ?? '').trim().toLowerCase() === 'true',
    userhash: (c.params.get('userhash') ?? '').trim().toLowerCase() === 'true',
  };
  const opaque = c.params.get('opaque');
  if (opaque !== undefined) d.opaque = cap(opaque, 1024) ?? '';
  const domain = c.params.get('domain');
  if (domain !== undefined) d.domain = cap(domain) ?? '';
  return d;
}

/** The strongest Digest challenge among those parsed (SHA-512-256 > SHA-256 > MD5), or null. */
export function bestDigestChallenge(challenges: readonly AuthChallenge[]): DigestChallenge | null {
  let best: DigestChallenge | null = null;
  for (const c of challenges) {
    const d = toDigestChallenge(c);
    if (d && (!best || HASH_RANK[d.hash] > HASH_RANK[best.hash])) best = d;
  }
  return best;
}

export function digestHash(hash: DigestHash, data: string | Buffer): string {
  return createHash(HASH_NODE[hash]).update(data).digest('hex');
}

export interface DigestInput {
  username: string;
  password: string;
  method: string;
  /** Request-target exactly as sent on the request line. */
  uri: string;
  /** Entity body, for qop=auth-int (empty for GET/DESCRIBE). */
  body?: Buffer | string;
  /** Client nonce; random when absent (tests pass a fixed one). */
  cnonce?: string;
  /** Nonce count (1 for the first request with this nonce). */
  nc?: number;
  /** Force a qop among those offered (default: auth when offered, else auth-int, else none). */
  qop?: 'auth' | 'auth-int' | 'none';
}

export interface DigestResult {
  header: string;
  response: string;
  qop: 'auth' | 'auth-int' | 'none';
  cnonce?: string;
  nc?: string;
}

function quote(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Computes the Authorization header for one request (RFC 7616 §3.4). */
export function digestAuthorization(ch: DigestChallenge, input: DigestInput): DigestResult {
  const H = (s: string | Buffer): string => digestHash(ch.hash, s);
  let qop: 'auth' | 'auth-int' | 'none';
  if (input.qop && (input.qop === 'none' || ch.qop.includes(input.qop))) qop = input.qop;
  else if (ch.qop.includes('auth')) qop = 'auth';
  else if (ch.qop.includes('auth-int')) qop = 'auth-int';
  else qop = 'none';
  const cnonce = input.cnonce ?? randomBytes(16).toString('hex');
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0');
  let ha1 = H(`${input.username}:${ch.realm}:${input.password}`);
  // RFC 7616 §3.4.2: for -sess, A1 = H(user:realm:pass) ":" nonce ":" cnonce (RFC 2617 likewise).
  if (ch.sess) ha1 = H(`${ha1}:${ch.nonce}:${cnonce}`);
  const a2 = qop === 'auth-int'
    ? `${input.method}:${input.uri}:${H(input.body ?? '')}`
    : `${input.method}:${input.uri}`;
  const ha2 = H(a2);
  const response = qop === 'none'
    ? H(`${ha1}:${ch.nonce}:${ha2}`)
    : H(`${ha1}:${ch.nonce}:${nc}:${cnonce}:${qop}:${ha2}`);
  const username = ch.userhash ? H(`${input.username}:${ch.realm}`) : input.username;
  const parts = [
    `username=${quote(username)}`,
    `realm=${quote(ch.realm)}`,
    `nonce=${quote(ch.nonce)}`,
    `uri=${quote(input.uri)}`,
    `algorithm=${ch.algorithm}`,
    `response=${quote(response)}`,
  ];
  if (ch.opaque !== undefined) parts.push(`opaque=${quote(ch.opaque)}`);
  if (qop !== 'none') parts.push(`qop=${qop}`, `nc=${nc}`, `cnonce=${quote(cnonce)}`);
  if (ch.userhash) parts.push('userhash=true');
  const result: DigestResult = { header: `Digest ${parts.join(', ')}`, response, qop };
  if (qop !== 'none' || ch.sess) result.cnonce = cnonce;
  if (qop !== 'none') result.nc = nc;
  return result;
}

/** Which scheme to use against a set of challenges: the strongest Digest, else Basic, else none. */
export type ChosenAuth = { scheme: 'digest'; digest: DigestChallenge } | { scheme: 'basic'; realm?: string } | null;

export function chooseAuth(challenges: readonly AuthChallenge[]): ChosenAuth {
  const digest = bestDigestChallenge(challenges);
  if (digest) return { scheme: 'digest', digest };
  const basic = challenges.find((c) => c.scheme === 'basic');
  if (basic) {
    const realm = basic.params.get('realm');
    return realm === undefined ? { scheme: 'basic' } : { scheme: 'basic', realm: realm.slice(0, 512) };
  }
  return null;
}

/** Authorization header for a chosen scheme. */
export function authorizationFor(auth: Exclude<ChosenAuth, null>, input: DigestInput): string {
  if (auth.scheme === 'basic') return basicAuthorization(input.username, input.password);
  return digestAuthorization(auth.digest, input).header;
}
