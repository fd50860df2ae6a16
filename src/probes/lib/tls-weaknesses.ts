/**
 * tls-known-weaknesses: the known TLS attacks that follow from what the enumeration saw, with no extra
 * traffic (DROWN, POODLE, FREAK, Logjam, RC4 biases, SWEET32, BEAST, insecure renegotiation, CRIME).
 * Which attack, its level and its source are policy data (tls-policy.json `weaknesses`); the conditions
 * (`when`) are computed here from the evidence. A condition that could not be observed (a protocol whose
 * enumeration did not finish; renegotiation and compression without our own hellos) is "not tested",
 * never absent: the check is then `partial`, not `pass`. Heartbleed is the intrusive tls-heartbleed probe's.
 */
import type { CheckResult } from '../contract.js';
import type { Json, Severity } from '../../model.js';
import { CIPHER_SUITES, type CipherSuite } from '../../data/tls-suites.js';
import { TLS_POLICY } from './tls-policy.js';
import type { CipherEntry, TlsEvidence } from './tls-evidence.js';

export type WeaknessCondition = 'sslv2' | 'sslv3-cbc' | 'rsa-export' | 'dh-export-or-small' | 'dh-1024' | 'rc4' | 'block64' | 'tls10-cbc' | 'no-secure-renegotiation' | 'compression';

export interface WeaknessRule {
  id: string; name: string; cve: string; when: WeaknessCondition;
  status: 'fail' | 'warn'; severity: Severity; reason: string; source: string;
}

export const WEAKNESS_RULES = (TLS_POLICY as unknown as { weaknesses: WeaknessRule[] }).weaknesses;

const byName = new Map(CIPHER_SUITES.map((s) => [s.iana, s] as const));

interface Seen { entry: CipherEntry; suite: CipherSuite | undefined }

function dhBits(c: CipherEntry): number | null {
  const m = c.kexInfo === null ? null : /^dh (\d+)$/.exec(c.kexInfo);
  return m ? Number(m[1]) : null;
}

/** Where each condition holds: up to five examples ("TLS_RSA_WITH_RC4_128_SHA on TLSv1"), or [] when it does not. */
function examples(when: WeaknessCondition, ev: TlsEvidence, seen: Seen[]): string[] {
  const show = (xs: Seen[]): string[] => xs.slice(0, 5).map((x) => `${x.entry.name} on ${x.entry.protocol}`);
  switch (when) {
    case 'sslv2': return ev.versions.some((v) => v.version === 'SSLv2' && v.status === 'accepted') ? ['SSLv2 accepted'] : [];
    case 'sslv3-cbc': return show(seen.filter((x) => x.entry.protocol === 'SSLv3' && x.suite?.cbc === true));
    case 'rsa-export': return show(seen.filter((x) => x.suite !== undefined && x.suite.exportGrade && /^RSA/.test(x.suite.kex)));
    case 'dh-export-or-small': return show(seen.filter((x) => (x.suite !== undefined && x.suite.exportGrade && /^(DHE|DH_anon)/.test(x.suite.kex)) || (dhBits(x.entry) ?? 4096) < 1024));
    case 'dh-1024': return show(seen.filter((x) => dhBits(x.entry) === 1024));
    case 'rc4': return show(seen.filter((x) => x.suite?.cipher.startsWith('RC4') === true));
    case 'block64': return show(seen.filter((x) => x.suite?.blockBits === 64));
    case 'tls10-cbc': return show(seen.filter((x) => (x.entry.protocol === 'TLSv1' || x.entry.protocol === 'SSLv3') && x.suite?.cbc === true));
    case 'no-secure-renegotiation':
      return (ev.hello?.protocols ?? []).filter((p) => p.supported === true && p.secureRenegotiation === false).map((p) => `no renegotiation_info on ${p.protocol}`);
    case 'compression':
      return (ev.hello?.protocols ?? []).filter((p) => p.compression === true).map((p) => `DEFLATE chosen on ${p.protocol}`);
  }
}

/** What could not be observed for a condition, or null when it was. */
function notObserved(when: WeaknessCondition, ev: TlsEvidence): string | null {
  if (when === 'no-secure-renegotiation' || when === 'compression') {
    if (ev.hello === null) return 'needs our own ClientHellos (the evidence is nmap\'s)';
  }
  const incomplete = ev.untestable;
  const relevant: Record<WeaknessCondition, readonly string[]> = {
    sslv2: ['SSLv2'], 'sslv3-cbc': ['SSLv3'], 'tls10-cbc': ['SSLv3', 'TLSv1'],
    'rsa-export': ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'], 'dh-export-or-small': ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'], 'dh-1024': ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'],
    rc4: ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'], block64: ['SSLv2', 'SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'],
    'no-secure-renegotiation': ['TLSv1', 'TLSv1.1', 'TLSv1.2'], compression: ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2'],
  };
  const missing = incomplete.filter((p) => relevant[when].includes(p));
  return missing.length > 0 ? `${missing.join(', ')} not fully enumerated` : null;
}

const ORDER: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function assessWeaknesses(ev: TlsEvidence, rules: readonly WeaknessRule[] = WEAKNESS_RULES): CheckResult {
  const seen: Seen[] = ev.ciphers.map((entry) => ({ entry, suite: byName.get(entry.name) }));
  const found: { rule: WeaknessRule; where: string[] }[] = [];
  const untested: { rule: WeaknessRule; why: string }[] = [];
  for (const rule of rules) {
    const where = examples(rule.when, ev, seen);
    if (where.length > 0) { found.push({ rule, where }); continue; }
    const why = notObserved(rule.when, ev);
    if (why !== null) untested.push({ rule, why });
  }
  const evidence: Json = {
    found: found.map((f) => ({ id: f.rule.id, name: f.rule.name, cve: f.rule.cve, status: f.rule.status, why: f.rule.reason, where: f.where, source: f.rule.source })),
    notTested: [...untested.map((u) => ({ id: u.rule.id, name: u.rule.name, why: u.why })), { id: 'heartbleed', name: 'Heartbleed', why: 'needs a malformed heartbeat: checked by tls-heartbleed at --safety intrusive' }],
    checked: rules.filter((r) => !untested.some((u) => u.rule.id === r.id)).map((r) => r.id),
  };
  const worstOf = (xs: typeof found): Severity => xs.reduce<Severity>((s, f) => (ORDER.indexOf(f.rule.severity) > ORDER.indexOf(s) ? f.rule.severity : s), 'info');
  const names = (xs: typeof found): string => xs.map((f) => `${f.rule.name} (${f.rule.cve})`).join(', ');
  const fails = found.filter((f) => f.rule.status === 'fail');
  const warns = found.filter((f) => f.rule.status === 'warn');
  if (fails.length > 0) {
    return { check: 'tls-known-weaknesses', status: 'fail', severity: worstOf(fails), detail: `Port ${ev.port} is open to ${names(fails)}${warns.length > 0 ? `; also ${names(warns)}` : ''}.`, evidence };
  }
  if (warns.length > 0) return { check: 'tls-known-weaknesses', status: 'warn', severity: worstOf(warns), detail: `Port ${ev.port} is open to ${names(warns)}.`, evidence };
  if (untested.length > 0) {
    return { check: 'tls-known-weaknesses', status: 'partial', detail: `None of the known TLS weaknesses that were checked applies to port ${ev.port}; not tested: ${untested.map((u) => `${u.rule.name} (${u.why})`).join(', ')}.`, evidence };
  }
  return { check: 'tls-known-weaknesses', status: 'pass', detail: `None of ${rules.map((r) => r.name).join(', ')} applies to port ${ev.port} (Heartbleed is checked by tls-heartbleed at --safety intrusive).`, evidence };
}
