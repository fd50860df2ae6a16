/**
 * tls-configuration: protocol versions, cipher suites, the certificate and HSTS of any TLS service
 * (guideline 5, EN 303 645 5.5-1 and 5.5-7).
 *
 * Sources, in order of preference (the evidence says which one was used):
 * - nmap's ssl-enum-ciphers output in the service's scripts (it can offer SSLv3, RC4, 3DES and export
 *   suites, which Node 20 cannot), plus one handshake of our own for the certificate chain;
 * - otherwise node:tls through ctx.net.tls, one handshake per version (TLS 1.0/1.1 need
 *   `ALL@SECLEVEL=0`, which the net layer sets), then, per accepted version up to 1.2, one handshake
 *   offering only weak suites and one offering only suites without forward secrecy.
 * The certificate is read with our own DER walk (src/probes/lib/x509.ts): Node 20's X509Certificate
 * has no signature algorithm. HSTS is read from `GET /` on HTTP services only.
 */
import { createHash, X509Certificate } from 'node:crypto';
import ipaddr from 'ipaddr.js';
import { defineProbe, type CheckResult, type Conn, type ProbeContext } from './contract.js';
import type { Json, ScriptOutput, Service, Severity } from '../report/model.js';
import { parseCertificate, pemToDer, X509ParseError, type CertificateInfo } from './lib/x509.js';
import policyJson from '../data/tls-policy.json' with { type: 'json' };

// ------------------------------------------------------------------------------------------------
// Policy

export type ProtocolName = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
type Level = 'weak' | 'legacy';

interface TlsPolicy {
  protocols: { name: ProtocolName; status: 'fail' | 'pass'; severity: Severity; source: string }[];
  cipherRules: { id: string; level: Level; severity: Severity; tokens: string[]; reason: string; source: string }[];
  noForwardSecrecy: {
    id: string; level: Level; severity: Severity; reason: string; source: string;
    ianaStaticKex: string[]; opensslForwardSecretPrefixes: string[]; opensslOtherPrefixes: string[];
  };
  dhMinBits: number;
  dhWeakBits: number;
  dhSource: string;
  certificate: {
    minRsaBits: number; minDsaBits: number; minEcBits: number; keySource: string;
    weakSignatureHashes: string[]; signatureSource: string;
  };
  hsts: { source: string };
}

export const TLS_POLICY = policyJson as TlsPolicy;

export type CipherVerdict = { id: string; level: Level; severity: Severity; reason: string; source: string };

function tokenMatches(pattern: string, token: string): boolean {
  const p = pattern.toLowerCase();
  const t = token.toLowerCase();
  return p.endsWith('*') ? t.startsWith(p.slice(0, -1)) : p === t;
}

/** Judges one suite name (IANA as nmap prints it, or OpenSSL as node reports it). Empty: nothing wrong. */
export function classifyCipher(name: string, policy: TlsPolicy = TLS_POLICY): CipherVerdict[] {
  const n = name.slice(0, 100);
  const tokens = n.split(/[_-]/).filter((t) => t !== '');
  const out: CipherVerdict[] = [];
  for (const r of policy.cipherRules) {
    if (tokens.some((t) => r.tokens.some((p) => tokenMatches(p, t)))) {
      out.push({ id: r.id, level: r.level, severity: r.severity, reason: r.reason, source: r.source });
    }
  }
  if (out.length === 0 && !hasForwardSecrecy(n, policy)) {
    const f = policy.noForwardSecrecy;
    out.push({ id: f.id, level: f.level, severity: f.severity, reason: f.reason, source: f.source });
  }
  return out;
}

/** False only for suites whose key exchange is static RSA or static (EC)DH. */
export function hasForwardSecrecy(name: string, policy: TlsPolicy = TLS_POLICY): boolean {
  const f = policy.noForwardSecrecy;
  if (name.startsWith('TLS_') || name.startsWith('SSL_')) {
    const w = name.indexOf('_WITH_');
    if (w < 0) return true; // TLS 1.3 suites: always (EC)DHE
    const kex = name.slice(4, w);
    return !f.ianaStaticKex.includes(kex);
  }
  if (f.opensslForwardSecretPrefixes.some((p) => name.startsWith(p))) return true;
  if (f.opensslOtherPrefixes.some((p) => name.startsWith(p))) return true; // judged by other rules
  return false;
}

// ------------------------------------------------------------------------------------------------
// Evidence

export type ErrorInfo = { kind: string; code: string | null; message: string };
export type VersionResult = {
  version: ProtocolName;
  status: 'accepted' | 'rejected' | 'error' | 'untested';
  cipher: string | null;
  error: ErrorInfo | null;
};
export type CipherEntry = { name: string; protocol: string; kexInfo: string | null };
export type CipherTest = {
  set: 'weak' | 'no-forward-secrecy';
  version: ProtocolName;
  status: 'accepted' | 'rejected' | 'error';
  cipher: string | null;
  error: ErrorInfo | null;
};
export type CertEntry = {
  sha256: string;
  info: CertificateInfo | null;
  parseError: string | null;
  /** The certificate's signature verifies with its own public key (null: not checked or not possible). */
  selfSignatureValid: boolean | null;
};
export type HttpCheck = { status: number | null; hsts: string | null; error: ErrorInfo | null };
export type TlsEvidence = {
  port: number;
  source: 'nmap' | 'node';
  versions: VersionResult[];
  ciphers: CipherEntry[];
  cipherTests: CipherTest[];
  nmapWarnings: string[];
  /** What this source could not test (node: SSLv2/SSLv3 and suites OpenSSL 3 no longer has). */
  untestable: string[];
  chain: CertEntry[];
  certSource: 'handshake' | 'nmap-ssl-cert' | null;
  certError: ErrorInfo | null;
  /** null: not an HTTP service, HSTS does not apply. */
  http: HttpCheck | null;
};

const VERSIONS_TO_DIAL: readonly ('TLSv1.2' | 'TLSv1.3' | 'TLSv1.1' | 'TLSv1')[] = ['TLSv1.2', 'TLSv1.3', 'TLSv1.1', 'TLSv1'];
const ALL_PROTOCOLS: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];
/** Suites the node fallback offers to find weak ones (what OpenSSL 3 still has of them). */
/** Only keywords OpenSSL 3 knows: one unknown keyword (RC4, DES, EXPORT…) empties the whole list. */
const WEAK_SET = 'eNULL:aNULL:LOW:3DES:MD5@SECLEVEL=0';
const NO_FS_SET = 'kRSA@SECLEVEL=0';
const NODE_UNTESTABLE = ['SSLv2', 'SSLv3', 'RC4', '3DES', 'DES', 'EXPORT', 'IDEA', 'RC2'];
/** Error codes OpenSSL gives when the answer to a ClientHello is not TLS at all (e.g. an HTTP error page). */
const NOT_TLS_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG', 'ERR_SSL_UNKNOWN_PROTOCOL', 'ERR_SSL_RECORD_LAYER_FAILURE']);
const HTTP_TLS_PORTS = new Set([443, 4443, 5001, 7443, 8002, 8443, 9443, 10443]);

function cap(s: string, max = 300): string {
  return s.length > max ? s.slice(0, max) : s;
}

function errorInfo(e: unknown): ErrorInfo {
  const o = (typeof e === 'object' && e !== null ? e : {}) as { kind?: unknown; code?: unknown; message?: unknown };
  return {
    kind: typeof o.kind === 'string' ? o.kind : 'internal',
    code: typeof o.code === 'string' ? cap(o.code, 80) : null,
    message: cap(typeof o.message === 'string' ? o.message : String(e)),
  };
}

function isHandshakeRefusal(e: ErrorInfo): boolean {
  return e.kind === 'tls-handshake';
}

/** The answer was not TLS at all (HTTP, a banner…), judged from the error the handshake gave. */
export function looksNotTls(e: ErrorInfo | null): boolean {
  if (!e) return false;
  if (e.code !== null && NOT_TLS_CODES.has(e.code)) return true;
  return /wrong version number|packet length too long|unknown protocol|http request/i.test(e.message);
}

export function isHttpService(service: Pick<Service, 'name' | 'port'> | undefined): boolean {
  if (!service) return false;
  const name = service.name?.toLowerCase();
  if (name !== undefined && /mqtt|ssh|imap|pop3|smtp|ldap|ftp|rtsp|sip|xmpp|amqp|coap/.test(name)) return false;
  if (name !== undefined && /http|www|web/.test(name)) return true;
  return HTTP_TLS_PORTS.has(service.port);
}

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
// Certificate helpers

export function describeCert(der: Buffer): CertEntry {
  const sha256 = createHash('sha256').update(der).digest('hex');
  let info: CertificateInfo | null = null;
  let parseError: string | null = null;
  try {
    info = parseCertificate(der);
  } catch (e) {
    parseError = e instanceof X509ParseError ? e.message : cap(String(e));
  }
  let selfSignatureValid: boolean | null = null;
  if (info?.selfIssued) {
    try {
      const x = new X509Certificate(der);
      selfSignatureValid = x.verify(x.publicKey);
    } catch {
      selfSignatureValid = null;
    }
  }
  return { sha256, info, parseError, selfSignatureValid };
}

function normaliseIp(s: string): string | null {
  try {
    return ipaddr.process(s).toString();
  } catch {
    return null;
  }
}

/** RFC 6125 matching of one DNS pattern ("*.example.lan" matches exactly one left-most label). */
export function dnsMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p === h) return true;
  if (!p.startsWith('*.')) return false;
  const rest = p.slice(2);
  const dot = h.indexOf('.');
  return dot > 0 && h.slice(dot + 1) === rest && rest.includes('.');
}

export type NameMatch = { matched: boolean; by: 'san-ip' | 'san-dns' | 'cn' | null; name: string | null };

/** Whether the certificate names the device: IP SAN = address, DNS SAN = a hostname; the CN only counts without SANs. */
export function certificateMatches(info: CertificateInfo, address: string, hostnames: string[]): NameMatch {
  const addr = normaliseIp(address);
  for (const ip of info.sans.ip) if (addr !== null && normaliseIp(ip) === addr) return { matched: true, by: 'san-ip', name: ip };
  for (const d of info.sans.dns) for (const h of hostnames) if (dnsMatches(d, h)) return { matched: true, by: 'san-dns', name: h };
  if (info.sans.ip.length === 0 && info.sans.dns.length === 0 && info.subject.cn !== null) {
    const cn = info.subject.cn;
    if (addr !== null && normaliseIp(cn) === addr) return { matched: true, by: 'cn', name: cn };
    for (const h of hostnames) if (dnsMatches(cn, h)) return { matched: true, by: 'cn', name: h };
  }
  return { matched: false, by: null, name: null };
}

// ------------------------------------------------------------------------------------------------
// collect

async function handshake(ctx: ProbeContext, port: number, options: Parameters<ProbeContext['net']['tls']>[1]): Promise<{ conn: Conn | null; error: ErrorInfo | null }> {
  try {
    const conn = await ctx.net.tls(port, { timeoutMs: 8_000, maxBytes: 16 * 1024, ...options });
    return { conn, error: null };
  } catch (e) {
    return { conn: null, error: errorInfo(e) };
  }
}

/** The chain already seen, else (when `dial`) from a handshake of its own, else from nmap's ssl-cert. */
async function collectChain(ctx: ProbeContext, port: number, evidence: TlsEvidence, seen: Buffer[], dial: boolean): Promise<void> {
  let chainDer = seen;
  if (chainDer.length === 0 && dial) {
    const h = await handshake(ctx, port, {});
    if (h.conn) {
      chainDer = h.conn.tls?.chainDer ?? [];
      h.conn.close();
    } else {
      evidence.certError = h.error;
    }
  }
  if (chainDer.length > 0) {
    evidence.chain = chainDer.slice(0, 10).map((d) => describeCert(d));
    evidence.certSource = 'handshake';
    evidence.certError = null;
    return;
  }
  const fromNmap = certFromNmap(ctx.service?.scripts);
  if (fromNmap) {
    evidence.chain = [describeCert(fromNmap)];
    evidence.certSource = 'nmap-ssl-cert';
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

async function collect(ctx: ProbeContext): Promise<TlsEvidence> {
  const service = ctx.service;
  if (!service) throw new Error('tls-configuration runs on a service');
  const port = service.port;
  const nmap = fromSslEnumCiphers(service.scripts);
  const evidence: TlsEvidence = {
    port,
    source: nmap ? 'nmap' : 'node',
    versions: [],
    ciphers: [],
    cipherTests: [],
    nmapWarnings: [],
    untestable: [],
    chain: [],
    certSource: null,
    certError: null,
    http: null,
  };

  if (nmap) {
    evidence.versions = nmap.versions;
    evidence.ciphers = nmap.ciphers;
    evidence.nmapWarnings = nmap.nmapWarnings;
    await collectChain(ctx, port, evidence, [], true);
  } else {
    evidence.untestable = [...NODE_UNTESTABLE];
    const results = new Map<ProtocolName, VersionResult>();
    // The chain of the highest accepted version; connections are closed at once (per-host slots are scarce).
    let chainDer: Buffer[] = [];
    let chainVersion = -1;
    let timeouts = 0;
    for (const version of VERSIONS_TO_DIAL) {
      const h = await handshake(ctx, port, { minVersion: version, maxVersion: version });
      if (h.conn) {
        results.set(version, { version, status: 'accepted', cipher: h.conn.tls?.cipher ?? null, error: null });
        const order = ALL_PROTOCOLS.indexOf(version);
        const der = h.conn.tls?.chainDer ?? [];
        if (order > chainVersion && der.length > 0) {
          chainDer = der;
          chainVersion = order;
        }
        h.conn.close();
        timeouts = 0;
      } else {
        const err = h.error!;
        results.set(version, { version, status: isHandshakeRefusal(err) ? 'rejected' : 'error', cipher: null, error: err });
        // Nothing listening, a service that stalls every handshake, or not TLS at all: stop dialling.
        if (err.kind === 'refused' || err.kind === 'unreachable' || err.kind === 'aborted' || err.kind === 'budget-exceeded') break;
        timeouts = err.kind === 'timeout' ? timeouts + 1 : 0;
        if (timeouts >= 2) break;
        const r12 = results.get('TLSv1.2');
        if (version === 'TLSv1.3' && looksNotTls(r12?.error ?? null) && looksNotTls(err)) break;
      }
    }
    evidence.versions = ALL_PROTOCOLS.map((v) => results.get(v) ?? { version: v, status: 'untested', cipher: null, error: null });
    for (const v of evidence.versions) if (v.status === 'accepted' && v.cipher) evidence.ciphers.push({ name: v.cipher, protocol: v.version, kexInfo: null });

    const accepted12 = evidence.versions.filter((v) => v.status === 'accepted' && v.version !== 'TLSv1.3').map((v) => v.version).reverse();
    for (const version of accepted12) {
      const h = await handshake(ctx, port, { minVersion: version as 'TLSv1', maxVersion: version as 'TLSv1', ciphers: WEAK_SET });
      evidence.cipherTests.push(cipherTest('weak', version, h));
    }
    const best = accepted12[0];
    if (best) {
      const h = await handshake(ctx, port, { minVersion: best as 'TLSv1', maxVersion: best as 'TLSv1', ciphers: NO_FS_SET });
      evidence.cipherTests.push(cipherTest('no-forward-secrecy', best, h));
    }
    for (const t of evidence.cipherTests) {
      if (t.status === 'accepted' && t.cipher && !evidence.ciphers.some((c) => c.name === t.cipher && c.protocol === t.version)) {
        evidence.ciphers.push({ name: t.cipher, protocol: t.version, kexInfo: null });
      }
    }
    await collectChain(ctx, port, evidence, chainDer, false);
  }

  const speaksTls = evidence.versions.some((v) => v.status === 'accepted');
  if (speaksTls && isHttpService(service)) evidence.http = await collectHttp(ctx, port);
  return evidence;
}

function cipherTest(set: CipherTest['set'], version: ProtocolName, h: { conn: Conn | null; error: ErrorInfo | null }): CipherTest {
  if (h.conn) {
    const cipher = h.conn.tls?.cipher ?? null;
    h.conn.close();
    return { set, version, status: 'accepted', cipher, error: null };
  }
  const err = h.error!;
  // Our own OpenSSL had nothing to offer: that says nothing about the server.
  const local = err.code === 'ERR_SSL_NO_CIPHERS_AVAILABLE' || /no ciphers available/i.test(err.message);
  return { set, version, status: isHandshakeRefusal(err) && !local ? 'rejected' : 'error', cipher: null, error: local ? { ...err, kind: 'internal' } : err };
}

// ------------------------------------------------------------------------------------------------
// assess

const CHECK_IDS = [
  'tls-legacy-protocol', 'tls-weak-cipher', 'tls-certificate-expired', 'tls-certificate-not-yet-valid',
  'tls-certificate-weak-key', 'tls-certificate-weak-signature', 'tls-certificate-self-signed',
  'tls-certificate-name-mismatch', 'https-hsts',
] as const;
type CheckId = typeof CHECK_IDS[number];
const CERT_CHECKS: readonly CheckId[] = [
  'tls-certificate-expired', 'tls-certificate-not-yet-valid', 'tls-certificate-weak-key',
  'tls-certificate-weak-signature', 'tls-certificate-self-signed', 'tls-certificate-name-mismatch',
];

const SEVERITY_ORDER: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
function worst(a: Severity, b: Severity): Severity {
  return SEVERITY_ORDER.indexOf(a) >= SEVERITY_ORDER.indexOf(b) ? a : b;
}

const PRETTY: Record<ProtocolName, string> = {
  SSLv2: 'SSL 2.0', SSLv3: 'SSL 3.0', TLSv1: 'TLS 1.0', 'TLSv1.1': 'TLS 1.1', 'TLSv1.2': 'TLS 1.2', 'TLSv1.3': 'TLS 1.3',
};

type Kind = NonNullable<CheckResult['error']>['kind'];

function all(status: 'not_applicable' | 'error', detail: string, error?: { kind: Kind; message: string }): CheckResult[] {
  return CHECK_IDS.map((check) => ({ check, status, detail, ...(error ? { error } : {}) }));
}

const KINDS: readonly Kind[] = ['refused', 'timeout', 'reset', 'tls-handshake', 'protocol-error', 'budget-exceeded', 'aborted', 'out-of-scope', 'unreachable', 'internal'];
function kindOf(e: ErrorInfo | null): Kind {
  return e && (KINDS as readonly string[]).includes(e.kind) ? e.kind as Kind : 'internal';
}

function days(ms: number): number {
  return Math.floor(Math.abs(ms) / 86_400_000);
}

function assessProtocols(ev: TlsEvidence): CheckResult {
  const accepted = ev.versions.filter((v) => v.status === 'accepted');
  const bad = accepted.map((v) => ({ v, p: TLS_POLICY.protocols.find((p) => p.name === v.version) })).filter((x) => x.p?.status === 'fail');
  const evidence: Json = { source: ev.source, accepted: accepted.map((v) => v.version), untestable: ev.untestable.filter((u) => u.startsWith('SSL')) };
  if (bad.length > 0) {
    const severity = bad.reduce<Severity>((s, x) => worst(s, x.p!.severity), 'info');
    return {
      check: 'tls-legacy-protocol', status: 'fail', severity,
      detail: `Port ${ev.port} accepts ${bad.map((x) => PRETTY[x.v.version]).join(' and ')} (${[...new Set(bad.map((x) => x.p!.source))].join(' ')})`,
      evidence,
    };
  }
  const errored = ev.versions.filter((v) => v.status === 'error' && v.version !== 'TLSv1.3' && v.version !== 'TLSv1.2');
  if (errored.length > 0) {
    return {
      check: 'tls-legacy-protocol', status: 'error',
      error: { kind: kindOf(errored[0]!.error), message: `could not tell whether ${errored.map((v) => PRETTY[v.version]).join(', ')} is accepted: ${errored[0]!.error?.message ?? ''}`.slice(0, 300) },
      evidence,
    };
  }
  const nodeNote = ev.source === 'node' ? ' SSL 2.0/3.0 could not be tested without nmap.' : '';
  return {
    check: 'tls-legacy-protocol', status: 'pass', confidence: ev.source === 'node' ? 'medium' : 'high',
    detail: `Port ${ev.port} accepts only ${accepted.map((v) => PRETTY[v.version]).join(' and ')}.${nodeNote}`,
    evidence,
  };
}

function assessCiphers(ev: TlsEvidence): CheckResult {
  const weak: { name: string; protocol: string; why: string }[] = [];
  const legacy: { name: string; protocol: string; why: string }[] = [];
  const notes: { name: string; protocol: string; why: string }[] = [];
  let severity: Severity = 'info';
  // Suites without forward secrecy only warn when the server offers no forward-secret suite at all;
  // next to ECDHE/DHE (or TLS 1.3) suites a client never ends up with them unless it asks.
  const fsAvailable = ev.ciphers.some((c) => hasForwardSecrecy(c.name) && classifyCipher(c.name).every((v) => v.level !== 'weak'));
  for (const c of ev.ciphers) {
    for (const v of classifyCipher(c.name)) {
      if (v.id === TLS_POLICY.noForwardSecrecy.id && fsAvailable) {
        notes.push({ name: c.name, protocol: c.protocol, why: v.reason });
        continue;
      }
      (v.level === 'weak' ? weak : legacy).push({ name: c.name, protocol: c.protocol, why: v.reason });
      if (v.level === 'weak') severity = worst(severity, v.severity);
    }
    const dh = c.kexInfo ? /^dh (\d+)$/.exec(c.kexInfo) : null;
    if (dh) {
      const bits = Number(dh[1]);
      if (bits < TLS_POLICY.dhWeakBits) { weak.push({ name: c.name, protocol: c.protocol, why: `DH group of ${bits} bits` }); severity = worst(severity, 'high'); }
      else if (bits < TLS_POLICY.dhMinBits) legacy.push({ name: c.name, protocol: c.protocol, why: `DH group of ${bits} bits` });
    }
  }
  const dedupe = (xs: typeof weak) => xs.filter((x, i) => xs.findIndex((y) => y.name === x.name && y.why === x.why) === i).slice(0, 20);
  const w = dedupe(weak);
  const l = dedupe(legacy);
  const n = dedupe(notes);
  const evidence: Json = {
    source: ev.source, weak: w, legacy: l, alsoAccepted: n, suitesSeen: ev.ciphers.length,
    untestable: ev.untestable.filter((u) => !u.startsWith('SSL')),
  };
  if (w.length > 0) {
    return {
      check: 'tls-weak-cipher', status: 'fail', severity,
      detail: `Port ${ev.port} accepts ${w.slice(0, 4).map((x) => `${x.name} (${x.why})`).join(', ')}${w.length > 4 ? ` and ${w.length - 4} more` : ''}.`,
      evidence,
    };
  }
  if (l.length > 0) {
    return {
      check: 'tls-weak-cipher', status: 'warn', severity: TLS_POLICY.noForwardSecrecy.severity,
      detail: `Port ${ev.port} accepts ${l.slice(0, 3).map((x) => `${x.name} (${x.why})`).join(', ')}${l.length > 3 ? ` and ${l.length - 3} more` : ''}.`,
      evidence,
    };
  }
  const errored = ev.cipherTests.filter((t) => t.status === 'error');
  if (errored.length > 0) {
    return {
      check: 'tls-weak-cipher', status: 'error', evidence,
      error: { kind: kindOf(errored[0]!.error), message: `cipher test on ${PRETTY[errored[0]!.version]} did not complete: ${errored[0]!.error?.message ?? ''}`.slice(0, 300) },
    };
  }
  const noteText = n.length > 0 ? ` Also accepted when a client asks for it: ${n.slice(0, 3).map((x) => x.name).join(', ')} (no forward secrecy).` : '';
  return {
    check: 'tls-weak-cipher', status: 'pass', confidence: ev.source === 'node' ? 'medium' : 'high',
    detail: (ev.source === 'node'
      ? `No weak suite was accepted on port ${ev.port}; RC4, 3DES and export suites cannot be offered without nmap.`
      : `nmap's ssl-enum-ciphers found no weak suite on port ${ev.port}.`) + noteText,
    evidence,
  };
}

function certSummary(info: CertificateInfo): Json {
  return {
    subject: info.subject.dn, issuer: info.issuer.dn, notBefore: info.notBefore, notAfter: info.notAfter,
    signatureAlgorithm: info.signatureAlgorithm.name, key: `${info.publicKey.type}${info.publicKey.bits === null ? '' : ` ${info.publicKey.bits}`}${info.publicKey.curve ? ` ${info.publicKey.curve}` : ''}`,
    sans: [...info.sans.dns.map((d) => `DNS:${d}`), ...info.sans.ip.map((i) => `IP:${i}`)].slice(0, 20),
  };
}

function assessCertificate(ev: TlsEvidence, address: string, hostnames: string[], now: Date): CheckResult[] {
  const leaf = ev.chain[0];
  if (!leaf) {
    if (ev.certError) return CERT_CHECKS.map((check) => ({ check, status: 'error', error: { kind: kindOf(ev.certError), message: `no certificate: ${ev.certError?.message ?? ''}`.slice(0, 300) } }));
    return CERT_CHECKS.map((check) => ({ check, status: 'not_applicable', detail: 'The server sent no certificate (anonymous or PSK suites).' }));
  }
  const info = leaf.info;
  if (!info) {
    return CERT_CHECKS.map((check) => ({ check, status: 'error', error: { kind: 'protocol-error', message: `certificate could not be parsed: ${leaf.parseError ?? ''}`.slice(0, 300) } }));
  }
  const summary = certSummary(info);
  const base = { evidence: { certificate: summary, sha256: leaf.sha256, source: ev.certSource } as Json };
  const out: CheckResult[] = [];
  const t = now.getTime();

  // Expiry
  const notAfter = info.notAfter === null ? Number.NaN : Date.parse(info.notAfter);
  if (Number.isNaN(notAfter)) out.push({ check: 'tls-certificate-expired', status: 'error', error: { kind: 'protocol-error', message: 'notAfter could not be read' }, ...base });
  else if (notAfter < t) out.push({ check: 'tls-certificate-expired', status: 'fail', detail: `The certificate on port ${ev.port} expired on ${info.notAfter!.slice(0, 10)} (${days(t - notAfter)} days ago).`, ...base });
  else out.push({ check: 'tls-certificate-expired', status: 'pass', detail: `Valid until ${info.notAfter!.slice(0, 10)}.`, ...base });

  const notBefore = info.notBefore === null ? Number.NaN : Date.parse(info.notBefore);
  if (Number.isNaN(notBefore)) out.push({ check: 'tls-certificate-not-yet-valid', status: 'error', error: { kind: 'protocol-error', message: 'notBefore could not be read' }, ...base });
  else if (notBefore > t) out.push({ check: 'tls-certificate-not-yet-valid', status: 'fail', detail: `The certificate on port ${ev.port} is only valid from ${info.notBefore!.slice(0, 10)}; the device clock may be wrong.`, ...base });
  else out.push({ check: 'tls-certificate-not-yet-valid', status: 'pass', detail: `Valid since ${info.notBefore!.slice(0, 10)}.`, ...base });

  // Key
  const c = TLS_POLICY.certificate;
  const k = info.publicKey;
  const min = k.type === 'rsa' || k.type === 'rsa-pss' ? c.minRsaBits : k.type === 'dsa' ? c.minDsaBits : k.type === 'ec' ? c.minEcBits : k.type.startsWith('ed') || k.type.startsWith('x') ? 0 : null;
  if (min === null || k.bits === null) {
    out.push({ check: 'tls-certificate-weak-key', status: 'error', error: { kind: 'protocol-error', message: `key size of a ${k.type} key (${k.oid}) could not be determined` }, ...base });
  } else if (k.bits < min) {
    out.push({ check: 'tls-certificate-weak-key', status: 'fail', severity: k.bits < 1024 ? 'critical' : 'high', detail: `The certificate on port ${ev.port} has a ${k.bits}-bit ${k.type.toUpperCase()} key; at least ${min} bits are needed (${c.keySource})`, ...base });
  } else {
    out.push({ check: 'tls-certificate-weak-key', status: 'pass', detail: `${k.type.toUpperCase()} key of ${k.bits} bits.`, ...base });
  }

  // Signature: the leaf and any intermediate (a self-signed root's own signature does not matter).
  const weakHashes = new Set(c.weakSignatureHashes);
  const signed = ev.chain.filter((e, i) => i === 0 || (e.info !== null && !e.info.selfSigned));
  const weakSigned = signed.filter((e) => e.info && weakHashes.has(e.info.signatureAlgorithm.hash));
  if (weakSigned.length > 0) {
    const names = weakSigned.map((e, i) => `${e === leaf ? 'the certificate' : `intermediate ${i}`} (${e.info!.signatureAlgorithm.name})`);
    out.push({ check: 'tls-certificate-weak-signature', status: 'fail', detail: `Port ${ev.port}: ${names.join(', ')} is signed with a broken hash (${c.signatureSource})`, ...base });
  } else if (info.signatureAlgorithm.hash === 'unknown') {
    out.push({ check: 'tls-certificate-weak-signature', status: 'not_applicable', detail: `Unrecognised signature algorithm ${info.signatureAlgorithm.oid}.`, ...base });
  } else {
    out.push({ check: 'tls-certificate-weak-signature', status: 'pass', detail: `Signed with ${info.signatureAlgorithm.name}.`, ...base });
  }

  // Self-signed: a warning on a LAN device, not a failure.
  if (info.selfSigned && leaf.selfSignatureValid !== false) {
    out.push({ check: 'tls-certificate-self-signed', status: 'warn', detail: `The certificate on port ${ev.port} is self-signed (${info.subject.dn}); browsers cannot tell it from an impostor's.`, ...base });
  } else {
    out.push({ check: 'tls-certificate-self-signed', status: 'pass', detail: `Issued by ${info.issuer.dn}.`, ...base });
  }

  // Names
  const m = certificateMatches(info, address, hostnames);
  const names = [address, ...hostnames].slice(0, 6);
  if (m.matched && m.by !== 'cn') {
    out.push({ check: 'tls-certificate-name-mismatch', status: 'pass', detail: `The certificate names ${m.name}.`, ...base });
  } else if (m.matched) {
    out.push({ check: 'tls-certificate-name-mismatch', status: 'warn', severity: 'low', detail: `The certificate names ${m.name} only in its common name, which browsers ignore (RFC 6125); it has no subjectAltName.`, ...base });
  } else {
    out.push({ check: 'tls-certificate-name-mismatch', status: 'warn', detail: `The certificate on port ${ev.port} (${info.subject.cn ?? info.subject.dn}) does not name ${names.join(' or ')}.`, ...base });
  }
  return out;
}

function assessHsts(ev: TlsEvidence): CheckResult {
  if (ev.http === null) return { check: 'https-hsts', status: 'not_applicable', detail: 'Not an HTTPS web service.' };
  const h = ev.http;
  if (h.error) {
    if (h.error.kind === 'protocol-error') return { check: 'https-hsts', status: 'not_applicable', detail: 'The TLS service did not answer HTTP.' };
    return { check: 'https-hsts', status: 'error', error: { kind: kindOf(h.error), message: h.error.message } };
  }
  const evidence: Json = { status: h.status, header: h.hsts };
  const m = h.hsts === null ? null : /max-age\s*=\s*"?(\d+)/i.exec(h.hsts.slice(0, 200));
  const maxAge = m ? Number(m[1]) : null;
  if (maxAge !== null && maxAge > 0) return { check: 'https-hsts', status: 'pass', detail: `Strict-Transport-Security: max-age=${maxAge}.`, evidence };
  return {
    check: 'https-hsts', status: 'warn',
    detail: h.hsts === null ? `GET / on port ${ev.port} (HTTP ${h.status ?? '?'}) has no Strict-Transport-Security header.` : `The Strict-Transport-Security header on port ${ev.port} has no positive max-age.`,
    evidence,
  };
}

export function assessTls(ev: TlsEvidence, address: string, hostnames: string[], now: Date): CheckResult[] {
  const accepted = ev.versions.filter((v) => v.status === 'accepted');
  if (accepted.length === 0) {
    const errors = ev.versions.map((v) => v.error).filter((e): e is ErrorInfo => e !== null);
    if (errors.some((e) => looksNotTls(e))) return all('not_applicable', `Port ${ev.port} did not answer a TLS handshake: it does not speak TLS.`);
    const hard = errors.find((e) => e.kind !== 'tls-handshake');
    if (hard) return all('error', `No TLS handshake on port ${ev.port}.`, { kind: kindOf(hard), message: hard.message });
    if (errors.length === 0 && ev.source === 'nmap') return all('not_applicable', `nmap found no TLS version on port ${ev.port}.`);
    return all('error', `Port ${ev.port} refused every TLS version Node can offer (it may speak only SSL 3.0, or not TLS).`, {
      kind: 'tls-handshake', message: errors[0]?.message ?? 'every handshake was refused',
    });
  }
  return [assessProtocols(ev), assessCiphers(ev), ...assessCertificate(ev, address, hostnames, now), assessHsts(ev)];
}

// ------------------------------------------------------------------------------------------------
// meta

const G5 = ['uk-cop-5'] as const;

export default defineProbe<TlsEvidence>({
  meta: {
    id: 'tls-configuration',
    title: 'TLS configuration',
    safety: 'safe',
    appliesTo: {
      scope: 'service', transport: 'tcp', tls: true,
      services: ['https', 'ssl', 'ssl/http', 'https-alt', 'mqtts', 'secure-mqtt', 'ssl/mqtt', 'ftps', 'imaps', 'pop3s', 'ldaps', 'ipps', 'rtsps', 'sip-tls', 'castv2', 'coaps'],
      ports: [443, 4443, 5001, 7443, 8002, 8443, 8883, 9443, 10443],
    },
    budget: { maxConnections: 12, timeoutMs: 90_000 },
    checks: {
      'tls-legacy-protocol': {
        title: 'Only current TLS versions are accepted', failureTitle: 'Outdated TLS/SSL version accepted',
        summary: 'This device still accepts old encryption versions that attackers on your network can break or downgrade.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'medium',
        description: 'SSL 2.0/3.0 and TLS 1.0/1.1 are deprecated (RFC 6176, RFC 7568, RFC 8996): they rely on broken hashes and modes and allow downgrade attacks. Devices should accept only TLS 1.2 and TLS 1.3.',
        remediation: 'Update the device firmware; if the settings allow it, set the minimum TLS version to 1.2. If the vendor offers no update that removes TLS 1.0/1.1, ask them for one or replace the device.',
      },
      'tls-weak-cipher': {
        title: 'No weak cipher suites are accepted', failureTitle: 'Weak TLS cipher suites accepted',
        summary: 'The device accepts weak encryption settings, so traffic to it may be read or tampered with.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'medium',
        description: 'NULL, anonymous, export, RC4, DES/3DES and MD5 suites are broken (RFC 9325, RFC 7465); suites with static RSA key exchange give no forward secrecy, so a stolen device key decrypts recorded sessions.',
        remediation: 'Update the firmware. Where the device lets you choose, enable only ECDHE suites with AES-GCM or ChaCha20-Poly1305.',
      },
      'tls-certificate-expired': {
        title: 'Certificate is within its validity period', failureTitle: 'TLS certificate has expired',
        summary: 'The device presents an expired security certificate, which trains users to click through browser warnings.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'An expired certificate cannot be trusted by clients; users who click through the warning can no longer tell the device from an impostor.',
        remediation: 'Renew or regenerate the device certificate (often under the HTTPS or certificate settings, or by a firmware update) and set the device clock correctly.',
      },
      'tls-certificate-not-yet-valid': {
        title: 'Certificate is already valid', failureTitle: 'TLS certificate is not yet valid',
        summary: 'The device\'s certificate is dated in the future, usually because its clock is wrong.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'A certificate whose validity starts in the future is rejected by clients; a wrong device clock also breaks certificate checks the device itself makes.',
        remediation: 'Set the device clock (enable NTP time synchronisation) and regenerate the certificate.',
      },
      'tls-certificate-weak-key': {
        title: 'Certificate key is strong enough', failureTitle: 'TLS certificate uses a weak key',
        summary: 'The device\'s certificate uses a key short enough to be broken.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'high',
        description: 'RSA and DSA keys below 2048 bits and elliptic-curve keys below 224 bits are disallowed (NIST SP 800-131A); a 1024-bit RSA key is within reach of well-resourced attackers.',
        remediation: 'Regenerate the device certificate with an RSA key of at least 2048 bits or an ECDSA P-256 key, or update the firmware to one that does.',
      },
      'tls-certificate-weak-signature': {
        title: 'Certificate signature uses a current hash', failureTitle: 'TLS certificate signed with SHA-1 or MD5',
        summary: 'The device\'s certificate is signed with an outdated method that can be forged.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'MD5 and SHA-1 signatures can be forged with chosen-prefix collisions; browsers stopped accepting them in 2017.',
        remediation: 'Regenerate the certificate with a SHA-256 (or stronger) signature, or update the firmware.',
      },
      'tls-certificate-self-signed': {
        title: 'Certificate is issued by a certificate authority', failureTitle: 'TLS certificate is self-signed',
        summary: 'The device uses a self-made certificate, so your browser cannot confirm it is really talking to this device.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'low',
        description: 'Self-signed certificates are common on LAN devices, but clients cannot authenticate them, and users learn to accept certificate warnings. This is a warning, not a failure.',
        remediation: 'If the device lets you, install a certificate from your own or a public certificate authority; otherwise verify the certificate fingerprint once and pin it in your browser or app.',
      },
      'tls-certificate-name-mismatch': {
        title: 'Certificate names the device', failureTitle: 'TLS certificate does not match the device\'s address',
        summary: 'The certificate is for a different name than the one you use to reach the device.',
        guidelines: [...G5], provisions: ['5.5-1'], severity: 'medium',
        description: 'The certificate\'s subjectAltName should contain the address or host name used to reach the device (RFC 6125); otherwise every connection shows a warning that hides real impostors.',
        remediation: 'Regenerate the certificate for the device\'s host name or IP address (subjectAltName), or reach the device by the name its certificate carries.',
      },
      'https-hsts': {
        title: 'HTTPS web interface sends HSTS', failureTitle: 'HTTPS web interface without HSTS',
        summary: 'The web interface does not tell browsers to always use the encrypted connection.',
        guidelines: [...G5], provisions: ['5.5-1', '5.5-7'], severity: 'low',
        description: 'Without a Strict-Transport-Security header (RFC 6797) a browser can be tricked into the unencrypted version of the interface, where passwords travel in cleartext.',
        remediation: 'Enable HSTS in the device\'s web settings if offered, or ask the vendor to send Strict-Transport-Security on the HTTPS interface.',
      },
    },
  },
  collect,
  assess(evidence, input) {
    return assessTls(evidence, input.device.address, input.device.hostnames, input.now);
  },
});
