/**
 * tls-configuration's collect: our own ClientHellos enumerate every protocol (SSLv2 to TLS 1.3) and every
 * IANA suite the server accepts, with its key exchange (src/net/tls-enumerate.ts, over the dialer's
 * connections: per-host limit, byte caps and deadlines stay the net layer's). nmap's ssl-enum-ciphers,
 * when discovery ran it, is used only if our enumeration reached no answer at all. One node:tls
 * handshake reads the whole certificate chain (the hellos keep only the leaf, which is the fallback for a
 * server Node cannot talk to, e.g. SSLv3 only), and `GET /` reads HSTS on HTTP services.
 */
import type { Conn, ProbeContext } from '../contract.js';
import type { Json, ScriptOutput } from '../../model.js';
import { enumerateTls, offeredCount, type ProtocolResult } from '../../net/tls-enumerate.js';
import { pemToDer } from './x509.js';
import { knownDhGroup } from '../../data/dh-groups.js';
import { cap } from '../../text.js';
import type { ProtocolName } from './tls-policy.js';
import { describeCert, errorInfo, isHttpService, type CipherEntry, type ErrorInfo, type HttpCheck, type TlsEvidence, type VersionResult } from './tls-evidence.js';

/** Connections the enumeration may use (the probe's budget keeps two more for the chain and HSTS). */
export const HELLO_MAX_CONNECTIONS = 400;
/** The job's time (meta.budget.timeoutMs); the enumeration ends 20 s before it, for the chain and HSTS. */
export const TLS_JOB_TIMEOUT_MS = 90_000;
const EXCHANGE_MS = 5_000;

// ------------------------------------------------------------------------------------------------
// nmap ssl-enum-ciphers / ssl-cert

function own(obj: Json | undefined, key: string): Json | undefined {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return undefined;
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

function strOf(v: Json | undefined): string | null {
  return typeof v === 'string' ? v : null;
}

const NMAP_PROTOCOLS: readonly [string, ProtocolName][] = [
  ['SSLv2', 'SSLv2'], ['SSLv3', 'SSLv3'], ['TLSv1.0', 'TLSv1'], ['TLSv1.1', 'TLSv1.1'], ['TLSv1.2', 'TLSv1.2'], ['TLSv1.3', 'TLSv1.3'],
];

/** Versions, suites and warnings from nmap's ssl-enum-ciphers table; null when absent or unusable. */
export function fromSslEnumCiphers(scripts: ScriptOutput[] | undefined): Pick<TlsEvidence, 'versions' | 'ciphers' | 'nmapWarnings'> | null {
  const script = scripts?.find((s) => s.id === 'ssl-enum-ciphers');
  if (!script || script.table === undefined) return null;
  const table = script.table;
  const versions: VersionResult[] = [];
  const ciphers: CipherEntry[] = [];
  const warnings: string[] = [];
  let any = false;
  for (const [key, name] of NMAP_PROTOCOLS) {
    const proto = own(table, key);
    if (proto === undefined) {
      // ssl-enum-ciphers tries SSLv3 to TLS 1.3; SSLv2 is another script.
      versions.push({ version: name, status: name === 'SSLv2' ? 'untested' : 'rejected', cipher: null, error: null });
      continue;
    }
    any = true;
    versions.push({ version: name, status: 'accepted', cipher: null, error: null });
    const list = own(proto, 'ciphers');
    for (const c of Array.isArray(list) ? list.slice(0, 200) : []) {
      const cname = strOf(own(c, 'name'));
      if (cname !== null) ciphers.push({ name: cap(cname, 100), protocol: name, kexInfo: strOf(own(c, 'kex_info')) === null ? null : cap(strOf(own(c, 'kex_info')) ?? '', 60) });
    }
    const w = own(proto, 'warnings');
    for (const x of Array.isArray(w) ? w.slice(0, 20) : []) if (typeof x === 'string' && !warnings.includes(x)) warnings.push(cap(x, 200));
  }
  if (!any) return null;
  return { versions, ciphers, nmapWarnings: warnings };
}

function certFromNmap(scripts: ScriptOutput[] | undefined): Buffer | null {
  const script = scripts?.find((s) => s.id === 'ssl-cert');
  const pem = strOf(own(script?.table, 'pem'));
  if (pem === null) return null;
  return pemToDer(pem)[0] ?? null;
}


// ------------------------------------------------------------------------------------------------
// our own ClientHellos

function kexInfo(k: ProtocolResult['accepted'][number]['keyExchange']): string | null {
  if (k === null) return null;
  if (k.dhBits !== undefined) return `dh ${k.dhBits}`;
  if (k.curve !== undefined) return cap(`ecdh ${k.curve}`, 60);
  if (k.rsaBits !== undefined) return `rsa-export ${k.rsaBits}`;
  return null;
}

function versionOf(p: ProtocolResult): VersionResult {
  const version = p.protocol;
  if (p.supported === true) return { version, status: 'accepted', cipher: p.accepted[0]?.iana ?? null, error: null };
  const message = p.refusal ?? 'no answer';
  if (p.supported === false) return { version, status: 'rejected', cipher: null, error: { kind: 'tls-handshake', code: null, message } };
  const notTls = /not a TLS record|not an SSLv2/.test(message);
  const kind = notTls ? 'protocol-error' : p.errorKind ?? (/timeout/i.test(message) ? 'timeout' : 'internal');
  return { version, status: 'error', cipher: null, error: { kind, code: notTls ? 'NOT_TLS' : null, message: cap(message, 300) } };
}

async function collectHello(ctx: ProbeContext, port: number, evidence: TlsEvidence): Promise<Buffer | null> {
  const deadlineAt = Date.now() + TLS_JOB_TIMEOUT_MS - 20_000;
  const servername = ctx.device.hostnames.find((h) => /^[a-z0-9.-]+$/i.test(h) && !/^[\d.]+$/.test(h));
  const e = await enumerateTls({
    // The connection outlives the exchange timeout, so that silence is read as a timeout, not as a close.
    dial: () => ctx.net.tcp(port, { timeoutMs: EXCHANGE_MS + 3_000, maxBytes: 65_536 }) as Promise<Conn>,
    ...(servername ? { servername } : {}),
    exchangeMs: EXCHANGE_MS, parallel: 2, deadlineAt, maxConnections: HELLO_MAX_CONNECTIONS,
  });
  evidence.versions = e.protocols.map(versionOf);
  for (const p of e.protocols) {
    for (const s of p.accepted) {
      const prime = s.keyExchange?.dhPrimeHex;
      evidence.ciphers.push({
        name: s.iana, protocol: p.protocol, kexInfo: kexInfo(s.keyExchange), openssl: s.openssl, code: s.id.toString(16).padStart(s.id > 0xffff ? 6 : 4, '0'),
        ...(prime !== undefined ? { dhGroup: knownDhGroup(prime)?.name ?? null } : {}),
      });
    }
  }
  evidence.groups = e.groups.map((g) => ({
    protocol: g.protocol, groups: g.groups.slice(0, 40).map((n) => cap(n, 40)), complete: g.complete, refusal: g.refusal === null ? null : cap(g.refusal, 160),
  }));
  evidence.untestable = e.protocols.filter((p) => !p.complete).map((p) => p.protocol);
  evidence.hello = {
    connections: e.connections, elapsedMs: e.elapsedMs,
    protocols: e.protocols.map((p) => ({
      protocol: p.protocol, supported: p.supported, complete: p.complete, offered: offeredCount(p.protocol), accepted: p.accepted.length,
      refusal: p.refusal === null ? null : cap(p.refusal, 160), answeredWith: p.answeredWith, secureRenegotiation: p.secureRenegotiation,
      compression: p.compression, keyShareGroup: p.keyShareGroup,
    })),
  };
  return e.certificate;
}

// ------------------------------------------------------------------------------------------------
// certificate chain and HSTS

async function handshake(ctx: ProbeContext, port: number): Promise<{ conn: Conn | null; error: ErrorInfo | null }> {
  try {
    const conn = await ctx.net.tls(port, { timeoutMs: 8_000, maxBytes: 16 * 1024 });
    return { conn, error: null };
  } catch (e) {
    return { conn: null, error: errorInfo(e) };
  }
}

/** The whole chain from a node:tls handshake; else the leaf our hellos saw; else nmap's ssl-cert. */
async function collectChain(ctx: ProbeContext, port: number, evidence: TlsEvidence, helloLeaf: Buffer | null): Promise<void> {
  const h = await handshake(ctx, port);
  const chainDer = h.conn?.tls?.chainDer ?? [];
  h.conn?.close();
  if (chainDer.length > 0) {
    evidence.chain = chainDer.slice(0, 10).map((d) => describeCert(d));
    evidence.certSource = 'handshake';
    return;
  }
  if (helloLeaf !== null) {
    evidence.chain = [describeCert(helloLeaf)];
    evidence.certSource = 'hello';
    return;
  }
  evidence.certError = h.error;
  const fromNmap = certFromNmap(ctx.service?.scripts);
  if (fromNmap) {
    evidence.chain = [describeCert(fromNmap)];
    evidence.certSource = 'nmap-ssl-cert';
    evidence.certError = null;
  }
}

async function collectHttp(ctx: ProbeContext, port: number): Promise<HttpCheck> {
  try {
    const res = await ctx.net.http({ port, tls: true, path: '/', method: 'GET', maxBytes: 4096, timeoutMs: 8_000 });
    const sts = res.headers.get('strict-transport-security');
    return { status: res.status, hsts: sts && sts.length > 0 ? cap(sts.join(', '), 200) : null, error: null };
  } catch (e) {
    return { status: null, hsts: null, error: errorInfo(e) };
  }
}

export async function collectTls(ctx: ProbeContext): Promise<TlsEvidence> {
  const service = ctx.service;
  if (!service) throw new Error('tls-configuration runs on a service');
  const port = service.port;
  const evidence: TlsEvidence = {
    port, source: 'hello', versions: [], ciphers: [], nmapWarnings: [], untestable: [], groups: [], hello: null,
    chain: [], certSource: null, certError: null, http: null,
  };
  const leaf = await collectHello(ctx, port, evidence);
  const nmap = fromSslEnumCiphers(service.scripts);
  if (nmap && !evidence.versions.some((v) => v.status !== 'error')) {
    evidence.source = 'nmap';
    evidence.versions = nmap.versions;
    evidence.ciphers = nmap.ciphers;
    evidence.nmapWarnings = nmap.nmapWarnings;
    evidence.untestable = [];
    evidence.groups = [];
  }
  const speaksTls = evidence.versions.some((v) => v.status === 'accepted');
  // No certificate handshake on a port that is not TLS, refuses connections or never answers.
  const notTls = evidence.versions.some((v) => v.error?.code === 'NOT_TLS');
  const unreachable = evidence.versions.every((v) => v.status === 'error' && (v.error?.kind === 'refused' || v.error?.kind === 'timeout'));
  if (speaksTls || (!notTls && !unreachable)) await collectChain(ctx, port, evidence, leaf);
  if (speaksTls && isHttpService(service)) evidence.http = await collectHttp(ctx, port);
  return evidence;
}
