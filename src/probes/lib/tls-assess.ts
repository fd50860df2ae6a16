/**
 * tls-configuration's judgement: pure functions over TlsEvidence (tls-evidence.ts) and the TLS policy
 * (tls-policy.ts). A protocol or suite family our hellos could not finish testing is never a `pass`:
 * the check is `partial` ("partly checked") and says which protocols are not tested.
 */
import ipaddr from 'ipaddr.js';
import type { CheckResult } from '../contract.js';
import type { Json, Severity } from '../../model.js';
import type { CertificateInfo } from './x509.js';
import { classifyCipher, TLS_POLICY, type ProtocolName } from './tls-policy.js';
import { looksNotTls, type ErrorInfo, type TlsEvidence } from './tls-evidence.js';
import { assessWeaknesses } from './tls-weaknesses.js';

// ------------------------------------------------------------------------------------------------
// certificate names

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
// checks

const CHECK_IDS = [
  'tls-legacy-protocol', 'tls-weak-cipher', 'tls-known-weaknesses', 'tls-certificate-expired', 'tls-certificate-not-yet-valid',
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
  const evidence: Json = {
    source: ev.source, accepted: accepted.map((v) => v.version), untestable: ev.untestable,
    ...(ev.hello ? { hello: { connections: ev.hello.connections, elapsedMs: ev.hello.elapsedMs, protocols: ev.hello.protocols } } : {}),
  };
  const weak = accepted.map((v) => ({ v, p: TLS_POLICY.protocols.find((p) => p.name === v.version) })).filter((x) => x.p?.status === 'warn');
  const flagged = [...bad, ...weak];
  const flaggedText = flagged.length === 0 ? ''
    : `Port ${ev.port} accepts ${flagged.map((x) => PRETTY[x.v.version]).join(' and ')} (${[...new Set(flagged.map((x) => x.p!.source))].join(' ')})`;
  if (bad.length > 0) {
    const severity = bad.reduce<Severity>((s, x) => worst(s, x.p!.severity), 'info');
    return { check: 'tls-legacy-protocol', status: 'fail', severity, detail: flaggedText, evidence };
  }
  const legacyOrder: readonly ProtocolName[] = ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1'];
  const errored = ev.versions.filter((v) => (v.status === 'error' || v.status === 'untested') && legacyOrder.includes(v.version));
  const notTested = errored.map((v) => `${PRETTY[v.version]}${v.error ? ` (${v.error.message.slice(0, 80)})` : ''}`).join(', ');
  if (weak.length > 0) {
    // A weak protocol accepted is a warning whether or not an older one could be tested; the gap is named.
    const severity = weak.reduce<Severity>((s, x) => worst(s, x.p!.severity), 'info');
    const refusedOld = ev.versions.filter((v) => v.status === 'rejected' && (v.version === 'SSLv2' || v.version === 'SSLv3')).map((v) => PRETTY[v.version]);
    const tail = [refusedOld.length > 0 ? `${refusedOld.join(' and ')} refused` : '', errored.length > 0 ? `not tested: ${notTested}` : ''].filter((x) => x !== '').join('; ');
    return {
      check: 'tls-legacy-protocol', status: 'warn', severity, confidence: errored.length > 0 ? 'medium' : 'high',
      detail: `${flaggedText}${tail === '' ? '' : `; ${tail}`}.`, evidence,
    };
  }
  if (errored.length > 0) {
    // Something answered, but whether an old version is accepted is not known: never a pass.
    return {
      check: 'tls-legacy-protocol', status: 'partial',
      detail: `Port ${ev.port} accepts ${accepted.map((v) => PRETTY[v.version]).join(' and ')}; not tested: ${notTested}.`,
      evidence,
    };
  }
  const refused = ev.versions.filter((v) => v.status === 'rejected' && legacyOrder.includes(v.version)).map((v) => PRETTY[v.version]);
  return {
    check: 'tls-legacy-protocol', status: 'pass', confidence: 'high',
    detail: `Port ${ev.port} accepts only ${accepted.map((v) => PRETTY[v.version]).join(' and ')}${refused.length > 0 ? `; ${refused.join(', ')} refused` : ''}.`,
    evidence,
  };
}

function acceptedByProtocol(ev: TlsEvidence): Json {
  const out: Record<string, Json> = {};
  for (const c of ev.ciphers.slice(0, 400)) {
    const list = (out[c.protocol] ??= []) as Json[];
    list.push({ iana: c.name, openssl: c.openssl ?? null, ...(c.code ? { code: c.code } : {}), ...(c.kexInfo ? { kex: c.kexInfo } : {}) });
  }
  return out;
}

/** The DH groups seen, by size and name: "1024 bits: RFC2409/Oakley Group 2 (12 suites)". */
function dhGroupSummary(ev: TlsEvidence): Json {
  const seen = new Map<string, { bits: number; name: string | null; suites: number }>();
  for (const c of ev.ciphers) {
    const m = c.kexInfo ? /^dh (\d+)$/.exec(c.kexInfo) : null;
    if (!m) continue;
    const key = `${m[1]} ${c.dhGroup ?? ''}`;
    const e = seen.get(key) ?? { bits: Number(m[1]), name: c.dhGroup ?? null, suites: 0 };
    e.suites += 1;
    seen.set(key, e);
  }
  return [...seen.values()].slice(0, 10);
}

/** "RC4 stream cipher: TLS_RSA_WITH_RC4_128_SHA, TLS_RSA_WITH_RC4_128_MD5; DH group of 1024 bits: …" — one clause per reason. */
function byReason(xs: readonly { name: string; why: string; curve?: boolean }[]): string {
  const groups = new Map<string, { names: string[]; curve: boolean }>();
  for (const x of xs) {
    const g = groups.get(x.why) ?? { names: [], curve: x.curve === true };
    if (!g.names.includes(x.name)) g.names.push(x.name);
    groups.set(x.why, g);
  }
  return [...groups].slice(0, 6).map(([why, { names, curve }]) => {
    const list = `${names.slice(0, 3).join(', ')}${names.length > 3 ? ` and ${names.length - 3} more` : ''}`;
    return curve ? `${why} (${list})` : `${names.length} suite${names.length === 1 ? '' : 's'} with ${why} (${list})`;
  }).join('; ');
}

function assessCiphers(ev: TlsEvidence): CheckResult {
  const weak: { name: string; protocol: string; why: string }[] = [];
  const legacy: { name: string; protocol: string; why: string; curve?: boolean }[] = [];
  let severity: Severity = 'info';
  let legacySeverity: Severity = 'info';
  for (const c of ev.ciphers) {
    for (const v of classifyCipher(c.name)) {
      if (v.level === 'legacy') legacySeverity = worst(legacySeverity, v.severity);
      (v.level === 'weak' ? weak : legacy).push({ name: c.name, protocol: c.protocol, why: v.reason });
      if (v.level === 'weak') severity = worst(severity, v.severity);
    }
    const dh = c.kexInfo ? /^dh (\d+)$/.exec(c.kexInfo) : null;
    if (dh) {
      const bits = Number(dh[1]);
      const why = `DH group of ${bits} bits${c.dhGroup ? ` (the widely shared prime ${c.dhGroup})` : ''}`;
      if (bits < TLS_POLICY.dhWeakBits) { weak.push({ name: c.name, protocol: c.protocol, why }); severity = worst(severity, 'high'); }
      else if (bits < TLS_POLICY.dhMinBits) { legacy.push({ name: c.name, protocol: c.protocol, why }); legacySeverity = worst(legacySeverity, 'medium'); }
    }
  }
  const wg = TLS_POLICY.weakGroups;
  for (const g of ev.groups) {
    for (const curve of g.groups.filter((n) => wg.names.includes(n))) {
      legacy.push({ name: curve, protocol: g.protocol, why: wg.reason, curve: true });
      legacySeverity = worst(legacySeverity, wg.severity);
    }
  }
  const dedupe = <T extends { name: string; why: string }>(xs: T[]): T[] => xs.filter((x, i) => xs.findIndex((y) => y.name === x.name && y.why === x.why) === i).slice(0, 40);
  const w = dedupe(weak);
  const l = dedupe(legacy);
  const evidence: Json = {
    source: ev.source, weak: w, legacy: l, suitesSeen: ev.ciphers.length,
    untestable: ev.untestable,
    groups: ev.groups.map((g) => ({ protocol: g.protocol, accepted: g.groups, complete: g.complete, ...(g.refusal && !g.complete ? { notFinished: g.refusal } : {}) })),
    dhGroups: dhGroupSummary(ev),
    // Every accepted suite per protocol, IANA and OpenSSL names, as testssl.sh lists them.
    accepted: acceptedByProtocol(ev),
  };
  if (w.length > 0) {
    return {
      check: 'tls-weak-cipher', status: 'fail', severity,
      detail: `Port ${ev.port} accepts ${byReason(w)}.`,
      evidence,
    };
  }
  if (l.length > 0) {
    return {
      check: 'tls-weak-cipher', status: 'warn', severity: legacySeverity,
      detail: `Port ${ev.port} accepts ${byReason(l)}.`,
      evidence,
    };
  }
  const untested = ev.untestable.filter((u): u is ProtocolName => (PRETTY as Record<string, string>)[u] !== undefined);
  const groupsUntested = ev.groups.filter((g) => !g.complete).map((g) => g.protocol as ProtocolName);
  if (untested.length > 0 || groupsUntested.length > 0) {
    const parts = [
      ...(untested.length > 0 ? [`the suites of ${untested.map((u) => PRETTY[u] ?? u).join(', ')}`] : []),
      ...(groupsUntested.length > 0 ? [`the key-exchange groups of ${groupsUntested.map((u) => PRETTY[u] ?? u).join(', ')}`] : []),
    ];
    return {
      check: 'tls-weak-cipher', status: 'partial', evidence,
      detail: `No weak suite among those tested on port ${ev.port}; ${parts.join(' and ')} are not tested (the enumeration did not finish).`,
    };
  }
  return {
    check: 'tls-weak-cipher', status: 'pass', confidence: 'high',
    detail: (ev.source === 'hello'
      ? `Every suite was offered on every protocol the server accepts, RC4, DES, 3DES, EXPORT, NULL and anonymous ones included: none of the ${ev.ciphers.length} it accepted on port ${ev.port} is weak.`
      : `nmap's ssl-enum-ciphers found no weak suite on port ${ev.port}.`),
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
    return all('error', `Port ${ev.port} refused every version from SSL 2.0 to TLS 1.3 our ClientHellos offered.`, {
      kind: 'tls-handshake', message: errors[0]?.message ?? 'every handshake was refused',
    });
  }
  return [assessProtocols(ev), assessCiphers(ev), assessWeaknesses(ev), ...assessCertificate(ev, address, hostnames, now), assessHsts(ev)];
}

