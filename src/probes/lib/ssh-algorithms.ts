/**
 * SSH handshake parsing and the weak-algorithm policy (pure). Used by ssh-configuration:
 * - the identification line (RFC 4253 section 4.2), which also tells SSH-1 from SSH-2;
 * - the server's first binary packet, SSH_MSG_KEXINIT (RFC 4253 sections 6 and 7.1), and its name-lists;
 * - nmap's ssh2-enum-algos table as an alternative source of the same lists;
 * - an SSH public-key blob (RFC 4253 section 6.6) for the host key type and size;
 * - the policy in src/data/ssh-policy.json.
 * Every input is hostile: lengths are checked, lists and names are capped.
 */
import type { Json } from '../../model.js';
import policyJson from '../../data/ssh-policy.json' with { type: 'json' };

export type SshLevel = 'weak' | 'legacy' | 'note';
export type SshCategory = 'kex' | 'hostKey' | 'cipher' | 'mac';

export interface SshPolicyRule {
  category: SshCategory;
  patterns: string[];
  level: SshLevel;
  reason: string;
  source: string;
}

export interface SshPolicy {
  minRsaHostKeyBits: number;
  minRsaHostKeyBitsSource: string;
  ignore: string[];
  strictKex: { marker: string; affected: string[]; affectedCbcWithEtm: boolean; level: SshLevel; reason: string; source: string };
  rules: SshPolicyRule[];
}

export const SSH_POLICY: SshPolicy = policyJson as SshPolicy;

export const MAX_NAMES = 100;
export const MAX_NAME_CHARS = 64;
/** RFC 4253 section 6.1 lets implementations cap packets at 35000 bytes; we allow a little more. */
export const MAX_PACKET = 64 * 1024;
export const MSG_KEXINIT = 20;

export type SshIdent = {
  /** The whole line without CR LF, capped at 255 characters. */
  raw: string;
  /** "2.0", "1.99", "1.5"… */
  protoVersion: string;
  software: string;
  comments: string | null;
};

export type AlgorithmLists = {
  kex: string[];
  hostKey: string[];
  /** Union of both directions, in server order. */
  ciphers: string[];
  macs: string[];
  compression: string[];
};

export type AlgorithmFinding = {
  category: SshCategory | 'hostKeySize';
  name: string;
  level: SshLevel;
  reason: string;
  source: string;
};

export type HostKeyInfo = { type: string; bits: number | null };

/** Parses one identification line ("SSH-2.0-OpenSSH_9.2p1 Debian-2"); null when it is not one. */
export function parseIdent(line: string): SshIdent | null {
  const raw = line.replace(/\r?\n$/, '').replace(/\r$/, '').slice(0, 255);
  if (!raw.startsWith('SSH-')) return null;
  const rest = raw.slice(4);
  const dash = rest.indexOf('-');
  if (dash <= 0) return null;
  const protoVersion = rest.slice(0, dash);
  if (!/^\d+\.\d+$/.test(protoVersion)) return null;
  const afterProto = rest.slice(dash + 1);
  const space = afterProto.indexOf(' ');
  const software = space < 0 ? afterProto : afterProto.slice(0, space);
  const comments = space < 0 ? null : afterProto.slice(space + 1);
  return { raw, protoVersion, software, comments };
}

/** True for protocol versions that speak SSH-1 (1.x, including 1.99 which speaks both). */
export function speaksSsh1(protoVersion: string): boolean {
  return /^1\.\d+$/.test(protoVersion);
}

/** True when the server speaks SSH-2 (2.0, or 1.99 = both). */
export function speaksSsh2(protoVersion: string): boolean {
  return protoVersion === '2.0' || protoVersion === '1.99';
}

/**
 * Finds the server's identification line in what it sent first. RFC 4253 allows other lines before it.
 * Returns the ident and the offset just after its line, or null when no complete ident line has arrived.
 */
export function extractIdent(buf: Uint8Array): { ident: SshIdent | null; next: number } | null {
  let pos = 0;
  for (let lines = 0; lines < 50 && pos < buf.length; lines++) {
    let nl = -1;
    for (let i = pos; i < buf.length && i < pos + 1024; i++) {
      if (buf[i] === 0x0a) { nl = i; break; }
    }
    if (nl < 0) {
      // A line longer than 1 KiB, or not yet complete.
      return buf.length - pos >= 1024 ? { ident: null, next: buf.length } : null;
    }
    const line = Buffer.from(buf.subarray(pos, nl + 1)).toString('latin1');
    pos = nl + 1;
    if (line.startsWith('SSH-')) return { ident: parseIdent(line), next: pos };
  }
  return pos >= buf.length ? null : { ident: null, next: pos };
}

export type PacketResult =
  | { kind: 'incomplete' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'packet'; payload: Uint8Array; next: number };

/** Reads one unencrypted SSH binary packet (before NEWKEYS there is no MAC) from `buf` at `offset`. */
export function readPacket(buf: Uint8Array, offset: number): PacketResult {
  if (buf.length - offset < 5) return { kind: 'incomplete' };
  const view = new DataView(buf.buffer, buf.byteOffset + offset, buf.length - offset);
  const length = view.getUint32(0);
  const padding = view.getUint8(4);
  if (length < 5 || length > MAX_PACKET) return { kind: 'invalid', reason: `packet length ${length} out of range` };
  if (padding + 1 > length) return { kind: 'invalid', reason: 'padding longer than the packet' };
  if (buf.length - offset < 4 + length) return { kind: 'incomplete' };
  const payload = buf.subarray(offset + 5, offset + 4 + length - padding);
  return { kind: 'packet', payload, next: offset + 4 + length };
}

function nameList(payload: Uint8Array, pos: number): { names: string[]; next: number } {
  if (pos + 4 > payload.length) throw new Error('name-list length past the end of KEXINIT');
  const len = new DataView(payload.buffer, payload.byteOffset + pos, 4).getUint32(0);
  if (pos + 4 + len > payload.length) throw new Error('name-list past the end of KEXINIT');
  const text = Buffer.from(payload.subarray(pos + 4, pos + 4 + Math.min(len, 16 * 1024))).toString('latin1');
  const names = text === '' ? [] : text.split(',').slice(0, MAX_NAMES).map((n) => n.slice(0, MAX_NAME_CHARS));
  return { names, next: pos + 4 + len };
}

export type KexInit = {
  kex: string[];
  hostKey: string[];
  ciphersC2s: string[];
  ciphersS2c: string[];
  macsC2s: string[];
  macsS2c: string[];
  compressionC2s: string[];
  compressionS2c: string[];
};

/** Parses an SSH_MSG_KEXINIT payload. Throws Error on anything malformed. */
export function parseKexInit(payload: Uint8Array): KexInit {
  if (payload.length < 17 || payload[0] !== MSG_KEXINIT) throw new Error('not a KEXINIT message');
  let pos = 17; // message number + 16-byte cookie
  const lists: string[][] = [];
  for (let i = 0; i < 10; i++) {
    const r = nameList(payload, pos);
    lists.push(r.names);
    pos = r.next;
  }
  const at = (i: number): string[] => lists[i] ?? [];
  return {
    kex: at(0), hostKey: at(1), ciphersC2s: at(2), ciphersS2c: at(3),
    macsC2s: at(4), macsS2c: at(5), compressionC2s: at(6), compressionS2c: at(7),
  };
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])].slice(0, MAX_NAMES);
}

export function listsFromKexInit(k: KexInit): AlgorithmLists {
  return {
    kex: k.kex,
    hostKey: k.hostKey,
    ciphers: union(k.ciphersS2c, k.ciphersC2s),
    macs: union(k.macsS2c, k.macsC2s),
    compression: union(k.compressionS2c, k.compressionC2s),
  };
}

function stringArray(v: Json | undefined): string[] {
  if (!Array.isArray(v)) return [];
  return v.filter((x): x is string => typeof x === 'string').slice(0, MAX_NAMES).map((n) => n.slice(0, MAX_NAME_CHARS));
}

/** The lists from nmap's ssh2-enum-algos structured output; null when the table is not usable. */
export function listsFromNmap(table: Json | undefined): AlgorithmLists | null {
  if (typeof table !== 'object' || table === null || Array.isArray(table)) return null;
  const get = (k: string): Json | undefined => (Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined);
  const lists: AlgorithmLists = {
    kex: stringArray(get('kex_algorithms')),
    hostKey: stringArray(get('server_host_key_algorithms')),
    ciphers: stringArray(get('encryption_algorithms')),
    macs: stringArray(get('mac_algorithms')),
    compression: stringArray(get('compression_algorithms')),
  };
  return lists.kex.length > 0 || lists.ciphers.length > 0 ? lists : null;
}

/** Glob match with '*' wildcards (our own patterns only; no regular expressions built from data). */
export function globMatch(pattern: string, name: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === name;
  const first = parts[0]!;
  const last = parts[parts.length - 1]!;
  if (!name.startsWith(first) || name.length < first.length + last.length || !name.endsWith(last)) return false;
  let pos = first.length;
  const end = name.length - last.length;
  for (const mid of parts.slice(1, -1)) {
    const at = name.indexOf(mid, pos);
    if (at < 0 || at + mid.length > end) return false;
    pos = at + mid.length;
  }
  return true;
}

const CATEGORY_LIST: Record<SshCategory, keyof AlgorithmLists> = { kex: 'kex', hostKey: 'hostKey', cipher: 'ciphers', mac: 'macs' };

/** Judges the offered algorithms (and the host key, when known) against the policy. */
export function evaluateAlgorithms(lists: AlgorithmLists, hostKey: HostKeyInfo | null, policy: SshPolicy = SSH_POLICY): AlgorithmFinding[] {
  const out: AlgorithmFinding[] = [];
  const ignored = new Set(policy.ignore);
  for (const category of Object.keys(CATEGORY_LIST) as SshCategory[]) {
    for (const name of lists[CATEGORY_LIST[category]]) {
      if (ignored.has(name)) continue;
      const rule = policy.rules.find((r) => r.category === category && r.patterns.some((p) => globMatch(p, name)));
      if (rule) out.push({ category, name, level: rule.level, reason: rule.reason, source: rule.source });
    }
  }
  const sk = policy.strictKex;
  if (lists.kex.length > 0 && !lists.kex.includes(sk.marker)) {
    const hasEtm = lists.macs.some((m) => m.endsWith('-etm@openssh.com'));
    const affected = lists.ciphers.filter((c) => sk.affected.includes(c) || (sk.affectedCbcWithEtm && hasEtm && c.endsWith('-cbc')));
    if (affected.length > 0) {
      out.push({ category: 'kex', name: `no ${sk.marker} with ${affected.slice(0, 3).join(', ')}`, level: sk.level, reason: sk.reason, source: sk.source });
    }
  }
  if (hostKey && (hostKey.type === 'ssh-rsa') && hostKey.bits !== null && hostKey.bits < policy.minRsaHostKeyBits) {
    out.push({
      category: 'hostKeySize', name: `RSA ${hostKey.bits}-bit host key`, level: 'weak',
      reason: `RSA host key shorter than ${policy.minRsaHostKeyBits} bits`, source: policy.minRsaHostKeyBitsSource,
    });
  }
  return out;
}

function readString(buf: Uint8Array, pos: number): { value: Uint8Array; next: number } {
  if (pos + 4 > buf.length) throw new Error('string length past the end of the key blob');
  const len = new DataView(buf.buffer, buf.byteOffset + pos, 4).getUint32(0);
  if (pos + 4 + len > buf.length) throw new Error('string past the end of the key blob');
  return { value: buf.subarray(pos + 4, pos + 4 + len), next: pos + 4 + len };
}

function mpintBits(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/** Type and size of an SSH public-key blob ("ssh-rsa" → modulus bits, "ssh-dss" → p bits, ECDSA → curve bits). */
export function parseHostKeyBlob(blob: Uint8Array): HostKeyInfo {
  const t = readString(blob, 0);
  const type = Buffer.from(t.value).toString('latin1').slice(0, MAX_NAME_CHARS);
  if (type === 'ssh-rsa') {
    const e = readString(blob, t.next);
    const n = readString(blob, e.next);
    return { type, bits: mpintBits(n.value) };
  }
  if (type === 'ssh-dss') {
    const p = readString(blob, t.next);
    return { type, bits: mpintBits(p.value) };
  }
  if (type.startsWith('ecdsa-sha2-nistp')) {
    const bits = Number(type.slice('ecdsa-sha2-nistp'.length));
    return { type, bits: Number.isInteger(bits) ? bits : null };
  }
  if (type === 'ssh-ed25519') return { type, bits: 256 };
  if (type === 'ssh-ed448') return { type, bits: 448 };
  return { type, bits: null };
}
