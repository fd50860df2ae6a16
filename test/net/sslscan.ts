/**
 * sslscan (Debian package) as the reference for accepted cipher suites: its XML output parsed into
 * protocol → suite codes (and key-exchange groups), for the tests that hold our enumeration against it (unit: openssl s_server on
 * loopback; e2e: every TLS port of the lab, run inside the lab's namespace).
 */
import { execFileSync } from 'node:child_process';

export interface SslscanResult {
  /** TLSv1, TLSv1.1, TLSv1.2, TLSv1.3 (our names) → accepted suite codes. */
  accepted: Map<string, Set<number>>;
  /** Protocols sslscan reports enabled (SSLv2/SSLv3 included). */
  enabled: Set<string>;
  /** TLSv1.2, TLSv1.3 → key-exchange group codes ("Server Key Exchange Group(s)"). */
  groups: Map<string, Set<number>>;
}

export function parseSslscanXml(xml: string): SslscanResult {
  const accepted = new Map<string, Set<number>>();
  for (const m of xml.matchAll(/<cipher status="(?:accepted|preferred)" sslversion="([^"]+)"[^>]* id="0x([0-9A-Fa-f]+)"/g)) {
    const version = m[1] === 'TLSv1.0' ? 'TLSv1' : m[1]!;
    if (!accepted.has(version)) accepted.set(version, new Set());
    accepted.get(version)!.add(Number.parseInt(m[2]!, 16));
  }
  const enabled = new Set<string>();
  for (const m of xml.matchAll(/<protocol type="(ssl|tls)" version="([0-9.]+)" enabled="1"/g)) {
    enabled.add(m[1] === 'ssl' ? `SSLv${m[2]}` : m[2] === '1.0' ? 'TLSv1' : `TLSv${m[2]}`);
  }
  const groups = new Map<string, Set<number>>();
  for (const m of xml.matchAll(/<group sslversion="([^"]+)"[^>]* id="0x([0-9A-Fa-f]+)"/g)) {
    const version = m[1] === 'TLSv1.0' ? 'TLSv1' : m[1]!;
    if (!groups.has(version)) groups.set(version, new Set());
    groups.get(version)!.add(Number.parseInt(m[2]!, 16));
  }
  return { accepted, enabled, groups };
}

/** Runs sslscan on host:port, optionally inside a network namespace (`ip netns exec`). */
export function sslscan(target: string, namespace?: string): SslscanResult {
  const args = ['--no-colour', '--xml=-', target];
  const xml = namespace === undefined
    ? execFileSync('sslscan', args, { timeout: 60_000 }).toString()
    : execFileSync('ip', ['netns', 'exec', namespace, 'sslscan', ...args], { timeout: 120_000 }).toString();
  return parseSslscanXml(xml);
}

export const hexCodes = (s: Iterable<number>): string[] => [...s].sort((a, b) => a - b).map((id) => id.toString(16).padStart(4, '0'));

/** The suite codes this machine's OpenSSL (and so sslscan's full handshakes) can offer, at SECLEVEL=0. */
export function localOpensslSuites(): Set<number> {
  const out = execFileSync('openssl', ['ciphers', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { env: { ...process.env, OPENSSL_CONF: '/dev/null' } }).toString();
  return new Set([...out.matchAll(/0x([0-9A-F]{2}),0x([0-9A-F]{2})/g)].map((m) => Number.parseInt(`${m[1]}${m[2]}`, 16)));
}
