/**
 * Protocol and cipher-suite enumeration by our own ClientHellos (tls-hello.ts), the way testssl.sh and
 * sslscan do it: per protocol, offer every suite defined for it; the server picks one; offer the rest
 * again without it; repeat until the server refuses. SSLv2 servers list every CIPHER-SPEC they share in
 * one SERVER-HELLO. Suites are offered in chunks (some servers fail on long hellos), protocols run in
 * parallel up to `parallel` connections (the per-host connection limit stays the dialer's), every
 * exchange is capped in bytes and time, and the whole enumeration stops at `deadlineAt`. Afterwards the
 * key-exchange groups are enumerated the same way (enumerateGroups).
 */
import { createHostLimiter } from './limits.js';
import { CIPHER_SUITES, suiteById, suitesFor, type CipherSuite } from '../data/tls-suites.js';
import { buildClientHello, GROUP_OFFER_ORDER, groupName, keyExchangeKind, parseSslv2Response, parseTlsResponse, TLS13_GROUPS, type HelloProtocol, type ServerKeyExchangeInfo, type ServerResponse } from './tls-hello.js';

/** The byte stream the enumeration needs (a Conn from the dialer fits). */
export interface HelloStream {
  write(data: Buffer): Promise<void>;
  readUntil(done: (received: Buffer) => boolean, timeoutMs?: number): Promise<{ data: Buffer; timedOut: boolean; closed: boolean; truncated: boolean }>;
  close(): void;
}

export interface EnumerateOptions {
  dial: () => Promise<HelloStream>;
  servername?: string;
  protocols?: readonly HelloProtocol[];
  /** Per exchange (connect excluded). */
  exchangeMs?: number;
  /** Suites per ClientHello (default 100). */
  chunk?: number;
  /** Connections open at once (default 2). */
  parallel?: number;
  deadlineAt?: number;
  /** Connections the whole enumeration may open; protocols not finished within it stay incomplete. */
  maxConnections?: number;
  /** Also enumerate the key-exchange groups (default true). */
  groups?: boolean;
  now?: () => number;
}

export interface AcceptedSuite {
  id: number;
  iana: string;
  openssl: string | null;
  keyExchange: ServerKeyExchangeInfo | null;
}

export interface ProtocolResult {
  protocol: HelloProtocol;
  /** true: the server negotiated it; false: it refused (alert, close or a different version); null: not known (errors, time). */
  supported: boolean | null;
  accepted: AcceptedSuite[];
  /** Every suite offered was either accepted or refused (false when time, errors or caps cut it short). */
  complete: boolean;
  /** What the server said when it refused, or why the result is incomplete. */
  refusal: string | null;
  /** A different version the server answered with, when it did not take the one offered. */
  answeredWith: HelloProtocol | null;
  secureRenegotiation: boolean | null;
  /** The server chose DEFLATE compression when it was offered (CRIME). */
  compression: boolean | null;
  keyShareGroup: string | null;
  connections: number;
  /** The dialer's error kind (refused, timeout, budget-exceeded…) when an exchange failed. */
  errorKind: string | null;
}

/**
 * The key-exchange groups a server accepts on one protocol: TLS 1.2 (or the newest older protocol with
 * ECDHE suites) by offering its own ECDHE suites with every curve and removing the one it picks, as for
 * suites; TLS 1.3 by offering the groups with no key share, so that the server names its choice in a
 * HelloRetryRequest.
 */
export interface GroupResult {
  protocol: HelloProtocol;
  /** Names in the order the server picked them (its preference when it has one). */
  groups: string[];
  complete: boolean;
  refusal: string | null;
  connections: number;
}

export interface Enumeration {
  protocols: ProtocolResult[];
  groups: GroupResult[];
  /** The leaf certificate (DER) of the first ServerHello that carried one. */
  certificate: Buffer | null;
  connections: number;
  elapsedMs: number;
}

export const ALL_HELLO_PROTOCOLS: readonly HelloProtocol[] = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

const MAX_ANSWER_BYTES = 65536;

function kexOf(id: number): 'dh' | 'ecdh' | 'rsa' | 'other' {
  const s = suiteById(id);
  return s === undefined ? 'other' : keyExchangeKind(s.kex);
}

export type ExchangeError = { error: string; kind: string | null };

/** An exchange that failed: the dialer's error kind when it has one, and the message, capped. */
export function failure(e: unknown, fallback: string): ExchangeError {
  const kind = typeof e === 'object' && e !== null && 'kind' in e && typeof e.kind === 'string' ? e.kind : null;
  return { error: e instanceof Error ? e.message.slice(0, 200) : fallback, kind };
}

async function exchange(o: EnumerateOptions, hello: Buffer, sslv2: boolean): Promise<ServerResponse | ExchangeError> {
  let conn: HelloStream;
  try {
    conn = await o.dial();
  } catch (e) {
    return failure(e, 'connect failed');
  }
  try {
    await conn.write(hello);
    const parse = (b: Buffer) => (sslv2 ? parseSslv2Response(b) : parseTlsResponse(b, { kexOf }));
    const read = await conn.readUntil((b) => b.length >= MAX_ANSWER_BYTES || (b.length > 0 && parse(b).complete), o.exchangeMs ?? 5000);
    // Silence is not a refusal: the result stays "not known" (a timeout is an error, never a verdict).
    if (read.data.length === 0) return read.timedOut ? { error: 'no answer before the timeout', kind: 'timeout' } : { ...parse(read.data), kind: 'closed', note: 'the server closed the connection' };
    const res = parse(read.data);
    if (!res.complete && res.suite === null && res.sslv2Suites.length === 0) return { ...res, note: res.note ?? (read.timedOut ? 'incomplete answer before the timeout' : 'incomplete answer') };
    return res;
  } catch (e) {
    return failure(e, 'exchange failed');
  } finally {
    conn.close();
  }
}

function accepted(s: CipherSuite, keyExchange: ServerKeyExchangeInfo | null): AcceptedSuite {
  return { id: s.id, iana: s.iana, openssl: s.openssl, keyExchange };
}

/** Shared by the protocols of one enumeration: a server that refuses connections, or never answers, is given up on at once. */
type SharedState = { certificate: Buffer | null; connections: number; answers: number; silent: number; refused: boolean };

type Limit = () => Promise<() => void>;

/** One exchange within the parallel limit and the shared budget; counts what the server did. */
async function guarded(o: EnumerateOptions, state: SharedState, limit: Limit, counter: { connections: number }, hello: Buffer, sslv2: boolean): Promise<ServerResponse | ExchangeError> {
  const release = await limit();
  try {
    if (o.maxConnections !== undefined && state.connections >= o.maxConnections) return { error: 'connection budget spent', kind: 'budget-exceeded' };
    if (state.refused) return { error: 'the port refused connections', kind: 'refused' };
    if (state.answers === 0 && state.silent >= 2) return { error: 'not tried: the server answered no ClientHello (two timed out)', kind: 'timeout' };
    state.connections += 1;
    counter.connections += 1;
    const r = await exchange(o, hello, sslv2);
    if ('error' in r) {
      if (r.kind === 'refused') state.refused = true;
      if (r.kind === 'timeout') state.silent += 1;
    } else {
      state.answers += 1;
    }
    return r;
  } finally { release(); }
}

async function enumerateOne(o: EnumerateOptions, protocol: HelloProtocol, state: SharedState, limit: Limit): Promise<ProtocolResult> {
  const now = o.now ?? Date.now;
  const result: ProtocolResult = { protocol, supported: null, accepted: [], complete: false, refusal: null, answeredWith: null, secureRenegotiation: null, compression: null, keyShareGroup: null, connections: 0, errorKind: null };
  const offer = suitesFor(protocol);
  const run = (suites: number[], compression: boolean): Promise<ServerResponse | ExchangeError> =>
    guarded(o, state, limit, result, buildClientHello({ protocol, suites, ...(o.servername ? { servername: o.servername } : {}), offerCompression: compression }), protocol === 'SSLv2');
  const outOfTime = (): boolean => o.deadlineAt !== undefined && now() + (o.exchangeMs ?? 5000) > o.deadlineAt;

  if (protocol === 'SSLv2') {
    if (outOfTime()) { result.refusal = 'no time left'; return result; }
    const r = await run(offer.map((s) => s.id), false);
    if ('error' in r) { result.refusal = r.error; result.errorKind = r.kind; return result; }
    result.complete = true;
    if (r.kind !== 'sslv2-server-hello' || r.protocol !== 'SSLv2') { result.supported = false; result.refusal = r.alert?.name ?? r.note ?? r.kind; return result; }
    result.supported = true;
    for (const id of r.sslv2Suites) { const s = suiteById(id, true); if (s) result.accepted.push(accepted(s, null)); }
    if (r.certificates[0] && state.certificate === null) state.certificate = r.certificates[0];
    return result;
  }

  const chunkSize = Math.max(1, o.chunk ?? 100);
  const chunks: number[][] = [];
  for (let i = 0; i < offer.length; i += chunkSize) chunks.push(offer.slice(i, i + chunkSize).map((s) => s.id));
  let first = true;
  for (const chunk of chunks) {
    let remaining = [...chunk];
    while (remaining.length > 0) {
      if (outOfTime()) { result.refusal = 'no time left'; return result; }
      const r = await run(remaining, first && protocol !== 'TLSv1.3');
      if ('error' in r) { result.refusal = r.error; result.errorKind = r.kind; return result; }
      const agreed = (r.kind === 'server-hello' || r.kind === 'hello-retry') && r.protocol === protocol && r.suite !== null && remaining.includes(r.suite);
      if (!agreed) {
        if ((r.kind === 'server-hello' || r.kind === 'hello-retry') && r.protocol !== protocol) result.answeredWith = r.protocol;
        if (r.kind === 'server-hello' && r.protocol === protocol && r.suite !== null && !remaining.includes(r.suite)) {
          result.refusal = `the server chose suite 0x${r.suite.toString(16).padStart(4, '0')}, which was not offered`;
          return result;
        }
        if (r.kind === 'truncated' || r.kind === 'not-tls') { result.refusal = r.note ?? r.kind; return result; }
        result.refusal ??= r.alert?.name ?? r.note ?? (r.kind === 'closed' ? 'the server closed the connection' : r.kind);
        break; // nothing more in this chunk
      }
      const suite = suiteById(r.suite ?? -1);
      if (first) {
        result.secureRenegotiation = protocol === 'TLSv1.3' ? null : r.secureRenegotiation;
        result.compression = protocol === 'TLSv1.3' ? false : r.compression === 1;
        result.keyShareGroup = r.keyShareGroup;
        first = false;
      }
      result.supported = true;
      if (suite) result.accepted.push(accepted(suite, r.keyExchange));
      if (r.certificates[0] && state.certificate === null) state.certificate = r.certificates[0];
      remaining = remaining.filter((id) => id !== r.suite);
    }
  }
  if (result.supported === null) result.supported = false;
  if (result.supported) result.refusal = null;
  result.complete = true;
  return result;
}

type Run = (counter: { connections: number }, hello: Buffer) => Promise<ServerResponse | ExchangeError>;

/** Every group the server accepts on `protocol`, offering `suites` (its accepted ECDHE suites, or TLS 1.3's). */
async function enumerateGroups(o: EnumerateOptions, protocol: HelloProtocol, suites: readonly number[], run: Run): Promise<GroupResult> {
  const now = o.now ?? Date.now;
  const tls13 = protocol === 'TLSv1.3';
  const result: GroupResult = { protocol, groups: [], complete: false, refusal: null, connections: 0 };
  let remaining = [...(tls13 ? TLS13_GROUPS : GROUP_OFFER_ORDER.filter((g) => g < 0x0100))];
  while (remaining.length > 0) {
    if (o.deadlineAt !== undefined && now() + (o.exchangeMs ?? 5000) > o.deadlineAt) { result.refusal = 'no time left'; return result; }
    const r = await run(result, buildClientHello({
      protocol, suites, groups: remaining, ...(tls13 ? { keyShare: 'none' as const } : {}),
      ...(o.servername ? { servername: o.servername } : {}),
    }));
    if ('error' in r) { result.refusal = r.error; return result; }
    const chosen = tls13 ? r.keyShareGroupId : r.keyExchange?.curveId ?? null;
    const answered = (r.kind === 'server-hello' || r.kind === 'hello-retry') && r.protocol === protocol;
    if (!answered || chosen === null) {
      if (answered) {
        // It accepted, but named no registry group (an explicit curve, or a ServerKeyExchange we could not
        // read): what else it accepts is not known, so the enumeration stays incomplete.
        result.refusal = !tls13 && r.keyExchange === null ? 'the ServerKeyExchange could not be read' : `the server chose ${r.keyExchange?.curve ?? 'a group'} outside the named groups`;
        return result;
      }
      if (r.kind === 'truncated' || r.kind === 'not-tls') { result.refusal = r.note ?? r.kind; return result; }
      result.refusal = r.alert?.name ?? r.note ?? r.kind;
      break; // none of the remaining groups
    }
    if (!remaining.includes(chosen)) { result.refusal = `the server chose ${groupName(chosen)}, which was not offered`; return result; }
    result.groups.push(groupName(chosen));
    remaining = remaining.filter((g) => g !== chosen);
  }
  result.complete = true;
  if (remaining.length === 0) result.refusal = null;
  return result;
}

/** The protocols whose groups are enumerated: TLS 1.3, and the newest older one with accepted ECDHE suites. */
function groupTargets(results: readonly ProtocolResult[]): { protocol: HelloProtocol; suites: number[] }[] {
  const out: { protocol: HelloProtocol; suites: number[] }[] = [];
  const t13 = results.find((r) => r.protocol === 'TLSv1.3' && r.supported === true);
  if (t13) out.push({ protocol: 'TLSv1.3', suites: t13.accepted.map((a) => a.id) });
  for (const p of ['TLSv1.2', 'TLSv1.1', 'TLSv1'] as const) {
    const r = results.find((x) => x.protocol === p && x.supported === true);
    const ecdhe = r?.accepted.filter((a) => kexOf(a.id) === 'ecdh').map((a) => a.id) ?? [];
    if (ecdhe.length > 0) { out.push({ protocol: p, suites: ecdhe }); break; }
  }
  return out;
}

/** At most `n` exchanges of this enumeration at once: the dialer's own per-host limiter, on one key. */
function limiter(n: number): Limit {
  const slots = createHostLimiter(n);
  return () => slots.acquire('enumeration');
}

/** Enumerates every protocol in `o.protocols` (default all) and its accepted suites. */
export async function enumerateTls(o: EnumerateOptions): Promise<Enumeration> {
  const now = o.now ?? Date.now;
  const started = now();
  const state: SharedState = { certificate: null, connections: 0, answers: 0, silent: 0, refused: false };
  const limit = limiter(Math.max(1, o.parallel ?? 2));
  const protocols = o.protocols ?? ALL_HELLO_PROTOCOLS;
  const results = await Promise.all(protocols.map((p) => enumerateOne(o, p, state, limit)));
  const groups = o.groups === false ? [] : await Promise.all(groupTargets(results).map((t) =>
    enumerateGroups(o, t.protocol, t.suites, (counter, hello) => guarded(o, state, limit, counter, hello, false))));
  return {
    protocols: results, groups, certificate: state.certificate,
    connections: results.reduce((a, r) => a + r.connections, 0) + groups.reduce((a, g) => a + g.connections, 0), elapsedMs: now() - started,
  };
}

/** The suites of the table (for tests and the evidence: how many were offered per protocol). */
export function offeredCount(protocol: HelloProtocol): number {
  return protocol === 'SSLv2' ? CIPHER_SUITES.filter((s) => s.code.length === 6).length : suitesFor(protocol).length;
}
