/**
 * The TLS policy (src/data/tls-policy.json, each rule with the document behind it) and the pure
 * judgement of one cipher-suite name against it. Used by tls-assess.ts.
 */
import type { Severity } from '../../model.js';
import policyJson from '../../data/tls-policy.json' with { type: 'json' };

export type ProtocolName = 'SSLv2' | 'SSLv3' | 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';
type Level = 'weak' | 'legacy';

interface TlsPolicy {
  protocols: { name: ProtocolName; status: 'fail' | 'warn' | 'pass'; severity: Severity; source: string }[];
  cipherRules: { id: string; level: Level; severity: Severity; tokens: string[]; match?: 'all' | 'any'; reason: string; source: string }[];
  noForwardSecrecy: {
    id: string; level: Level; severity: Severity; reason: string; source: string;
    ianaStaticKex: string[]; opensslForwardSecretPrefixes: string[]; opensslOtherPrefixes: string[];
  };
  weakGroups: { id: string; level: Level; severity: Severity; names: string[]; reason: string; source: string };
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
    const has = (p: string): boolean => tokens.some((t) => tokenMatches(p, t));
    if (r.match === 'all' ? r.tokens.every(has) : r.tokens.some(has)) {
      out.push({ id: r.id, level: r.level, severity: r.severity, reason: r.reason, source: r.source });
    }
  }
  // Static key exchange is its own weakness next to a legacy cipher (AES128-SHA: CBC-SHA1 and static
  // RSA); next to a broken one (RC4, EXPORT…) it adds nothing a reader needs.
  if (out.every((v) => v.level !== 'weak') && !hasForwardSecrecy(n, policy)) {
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

