/**
 * shared-keys: keys baked into firmware (guideline 4, EN 303 645 5.4-3 and 5.4-4). Run scope: it
 * compares every device of the scan.
 *
 * Where the fingerprints come from (design). A run-scope job has no device of its own (its ctx.net is
 * offline), so it reads what the rest of the scan recorded on ctx.devices:
 * 1. services[].sshHostKeySha256 and services[].tls.certSha256 (discovery fills certSha256 for the web
 *    ports it identifies; nothing fills sshHostKeySha256 yet, so SSH keys come from 2 or 3);
 * 2. nmap script output kept on the service: `ssh-hostkey` (the key blobs, every key type) and
 *    `ssl-cert` (the PEM), when discovery ran those scripts;
 * 3. for SSH and TLS services still without a fingerprint, and only when the runner offers
 *    `ctx.netFor(address)` (a NetApi bound to one device, sharing the per-host limits): one SSH key
 *    exchange (ssh2 over ctx.netFor(address).tcp; the host key is captured in hostVerifier and the
 *    connection is refused right there, before any authentication) or one TLS handshake per service.
 * Fingerprints are normalised to lower-case hex SHA-256 (of the SSH key blob, of the leaf certificate
 * DER); OpenSSH's "SHA256:base64" form is accepted too.
 *
 * Judgement (assess, pure), one result per device and service (`device` set, so each device's
 * guideline 4 verdict sees it):
 * - shared-host-key / shared-tls-certificate: fail (high) when another device presents the same key or
 *   certificate; pass when the fingerprint is unique in this scan; error when a device's SSH/TLS
 *   service has no fingerprint at all (the comparison could not include it: never a pass).
 * - leaked-key: fail (critical) when a fingerprint is on src/data/leaked-keys.json (public private
 *   keys); pass for devices whose SSH keys were compared against the list. The TLS list is empty
 *   (docs/VULN-DATA.md), so TLS certificates are not judged for leaks.
 * With no device having an SSH or TLS service, each check gives one run-level not_applicable.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { defineProbe, type CheckResult, type NetApi, type ProbeContext } from './contract.js';
import type { Device, ErrorKind, Json, ScriptOutput, Service } from '../model.js';
import { errorDetail } from '../net/errors.js';
import { isFragilePort } from '../net/scope.js';
import leakedJson from '../data/leaked-keys.json' with { type: 'json' };
import { sshStream } from './lib/ssh-stream.js';
import { loadSsh2 } from './lib/libraries.js';

type ErrorInfo = { kind: ErrorKind; message: string };

export type KeyKind = 'ssh' | 'tls';

export type KeyRecord = {
  device: string;
  name: string;
  port: number;
  kind: KeyKind;
  sha256: string;
  keyType?: string;
  source: 'service' | 'nmap-ssh-hostkey' | 'nmap-ssl-cert' | 'collected';
};

export type MissingRecord = { device: string; name: string; port: number; kind: KeyKind; error?: ErrorInfo };

export type SharedKeysEvidence = {
  keys: KeyRecord[];
  /** SSH/TLS services that gave no fingerprint. */
  missing: MissingRecord[];
  /** Whether the run gave this probe per-device network access (ctx.netFor). */
  collected: boolean;
};

export type LeakedEntry = { sha256: string; device: string; source: string; keyType?: string; openssh?: string; references?: string[] };

export const LEAKED_SSH_HOST_KEYS: readonly LeakedEntry[] = leakedJson.sshHostKeys;
export const LEAKED_TLS_CERTIFICATES: readonly LeakedEntry[] = leakedJson.tlsCertificates as LeakedEntry[];

const MAX_DEVICES = 512;
const MAX_COLLECT = 64;

// ------------------------------------------------------------------------------------------------
// Fingerprints (pure)

/** Lower-case hex SHA-256 from "SHA256:base64", bare base64 (43/44 chars), or hex with or without colons. */
export function normaliseFingerprint(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim().slice(0, 120);
  const hex = s.replace(/:/g, '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return hex;
  const b64 = s.replace(/^sha256:/i, '');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(b64)) {
    const buf = Buffer.from(b64, 'base64');
    if (buf.length === 32) return buf.toString('hex');
  }
  return undefined;
}

export function sshKeySha256(blob: Buffer): string {
  return createHash('sha256').update(blob).digest('hex');
}

/** OpenSSH's display form of a hex SHA-256 fingerprint. */
export function opensshFingerprint(hex: string): string {
  return `SHA256:${Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '')}`;
}

function tableEntries(table: Json | undefined): Json[] {
  if (table === undefined || table === null) return [];
  if (Array.isArray(table)) return table;
  if (typeof table === 'object') return Object.values(table);
  return [];
}

function field(entry: Json, key: string): string | undefined {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return undefined;
  const v = Object.prototype.hasOwnProperty.call(entry, key) ? (entry as { [k: string]: Json })[key] : undefined;
  return typeof v === 'string' ? v : undefined;
}

/** Host keys from nmap's ssh-hostkey script (structured output: a list of {type, key, fingerprint, bits}). */
export function sshKeysFromNmap(scripts: ScriptOutput[] | undefined): { sha256: string; keyType?: string }[] {
  const s = scripts?.find((x) => x.id === 'ssh-hostkey');
  if (!s) return [];
  const out: { sha256: string; keyType?: string }[] = [];
  for (const entry of tableEntries(s.table).slice(0, 16)) {
    const key = field(entry, 'key');
    if (!key || !/^[A-Za-z0-9+/]+=*$/.test(key) || key.length > 16_384) continue;
    const type = field(entry, 'type');
    out.push({ sha256: sshKeySha256(Buffer.from(key, 'base64')), ...(type ? { keyType: type.slice(0, 40) } : {}) });
  }
  return out;
}

/** The leaf certificate's SHA-256 from nmap's ssl-cert script (its PEM, or a sha256 element when present). */
export function certFromNmap(scripts: ScriptOutput[] | undefined): string | undefined {
  const s = scripts?.find((x) => x.id === 'ssl-cert');
  if (!s || s.table === undefined || s.table === null || typeof s.table !== 'object' || Array.isArray(s.table)) return undefined;
  const pem = field(s.table, 'pem');
  if (pem) {
    try {
      return new X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
    } catch { /* fall through */ }
  }
  return normaliseFingerprint(field(s.table, 'sha256'));
}

function isSsh(s: Service): boolean {
  return s.transport === 'tcp' && (s.name === 'ssh' || (s.name === undefined && s.port === 22) || s.sshHostKeySha256 !== undefined);
}

function isTlsService(s: Service): boolean {
  const n = s.name?.toLowerCase();
  return s.transport === 'tcp' && !isFragilePort(s.port) && !isSsh(s)
    && (s.tls?.enabled === true || n === 'https' || n === 'https-alt' || (n?.startsWith('ssl/') ?? false) || n === 'secure-mqtt' || n === 'imaps' || n === 'pop3s');
}

/** Fingerprints already recorded on the devices (no network). */
export function keysFromDevices(devices: Device[]): { keys: KeyRecord[]; missing: MissingRecord[] } {
  const keys: KeyRecord[] = [];
  const missing: MissingRecord[] = [];
  for (const d of devices.slice(0, MAX_DEVICES)) {
    const who = { device: d.address, name: d.name.slice(0, 100) };
    for (const s of d.services) {
      if (isSsh(s)) {
        const own = normaliseFingerprint(s.sshHostKeySha256);
        const fromNmap = sshKeysFromNmap(s.scripts);
        if (own) keys.push({ ...who, port: s.port, kind: 'ssh', sha256: own, source: 'service' });
        for (const k of fromNmap) if (k.sha256 !== own) keys.push({ ...who, port: s.port, kind: 'ssh', sha256: k.sha256, source: 'nmap-ssh-hostkey', ...(k.keyType ? { keyType: k.keyType } : {}) });
        if (!own && fromNmap.length === 0) missing.push({ ...who, port: s.port, kind: 'ssh' });
      } else if (isTlsService(s)) {
        const fp = normaliseFingerprint(s.tls?.certSha256) ?? certFromNmap(s.scripts);
        if (fp) keys.push({ ...who, port: s.port, kind: 'tls', sha256: fp, source: s.tls?.certSha256 ? 'service' : 'nmap-ssl-cert' });
        else missing.push({ ...who, port: s.port, kind: 'tls' });
      }
    }
  }
  return { keys, missing };
}

// ------------------------------------------------------------------------------------------------
// Collection of missing fingerprints (only with ctx.netFor)


function netForOf(ctx: ProbeContext): ((address: string) => NetApi) | undefined {
  const f: unknown = ctx.netFor;
  return typeof f === 'function' ? (f as (address: string) => NetApi) : undefined;
}

/** One SSH key exchange: the host key is captured and refused in hostVerifier, so no authentication happens. */
async function captureSshHostKey(net: NetApi, port: number, signal: AbortSignal): Promise<string> {
  const ssh2 = await loadSsh2();
  const conn = await net.tcp(port, { timeoutMs: 15_000, maxBytes: 256 * 1024 });
  const sock = await sshStream(conn);
  const client = new ssh2.Client();
  let key: Buffer | undefined;
  try {
    await new Promise<void>((resolve) => {
      let done = false;
      // a server that sends its identification and closes leaves ssh2 silent (no error,
      // no close): without its own deadline this waited for the whole job budget (3 minutes).
      const timer = setTimeout(() => finish(), 15_000);
      const finish = (): void => { if (!done) { done = true; clearTimeout(timer); resolve(); } };
      client.on('error', finish);
      client.on('close', finish);
      client.on('ready', finish);
      sock.once('close', finish);
      signal.addEventListener('abort', finish, { once: true });
      try {
        client.connect({
          sock, username: 'iotcop-hostkey', readyTimeout: 12_000, ident: 'iotcop_0.1',
          hostVerifier: (blob: Buffer) => { key = Buffer.from(blob); return false; },
        });
      } catch {
        finish();
      }
    });
  } finally {
    client.end();
    conn.close();
  }
  if (!key) throw new Error('the server sent no host key');
  return sshKeySha256(key);
}

async function captureCert(net: NetApi, port: number): Promise<string> {
  const conn = await net.tls(port, { timeoutMs: 10_000, maxBytes: 64 * 1024 });
  try {
    const leaf = conn.tls?.chainDer[0];
    if (!leaf) throw new Error('no certificate');
    return createHash('sha256').update(leaf).digest('hex');
  } finally {
    conn.close();
  }
}

// ------------------------------------------------------------------------------------------------
// assess (pure)

const CHECK_OF: Record<KeyKind, 'shared-host-key' | 'shared-tls-certificate'> = { ssh: 'shared-host-key', tls: 'shared-tls-certificate' };
const WHAT: Record<KeyKind, string> = { ssh: 'SSH host key', tls: 'TLS certificate' };

function display(k: KeyRecord): string {
  return k.kind === 'ssh' ? opensshFingerprint(k.sha256) : `SHA-256 ${k.sha256.slice(0, 16)}…`;
}

export function assessSharedKeys(
  evidence: SharedKeysEvidence, leaked: { ssh: readonly LeakedEntry[]; tls: readonly LeakedEntry[] } = { ssh: LEAKED_SSH_HOST_KEYS, tls: LEAKED_TLS_CERTIFICATES },
): CheckResult[] {
  const results: CheckResult[] = [];
  // Same key on several devices.
  for (const kind of ['ssh', 'tls'] as const) {
    const check = CHECK_OF[kind];
    const mine = evidence.keys.filter((k) => k.kind === kind);
    const holders = new Map<string, KeyRecord[]>();
    for (const k of mine) {
      const list = holders.get(k.sha256) ?? [];
      list.push(k);
      holders.set(k.sha256, list);
    }
    // One result per device and port: the worst over that port's keys.
    const perService = new Map<string, CheckResult>();
    for (const k of mine) {
      const others = (holders.get(k.sha256) ?? []).filter((o) => o.device !== k.device);
      const id = `${k.device}|${k.port}`;
      const prev = perService.get(id);
      if (others.length > 0) {
        const names = [...new Map(others.map((o) => [o.device, `${o.name} (${o.device}:${o.port})`])).values()];
        perService.set(id, {
          check, status: 'fail', device: k.device, port: k.port, transport: 'tcp',
          detail: `${k.name} (${k.device}:${k.port}) presents the same ${WHAT[kind]} (${display(k)}) as ${names.join(', ')}: the private key is not unique to this device.`,
          evidence: { fingerprint: k.sha256, ...(k.keyType ? { keyType: k.keyType } : {}), devices: [k.device, ...new Set(others.map((o) => o.device))], source: k.source },
        });
      } else if (!prev || prev.status !== 'fail') {
        perService.set(id, {
          check, status: 'pass', device: k.device, port: k.port, transport: 'tcp',
          detail: `The ${WHAT[kind]} of ${k.name} on port ${k.port} (${display(k)}) is not used by any other device in this scan.`,
          evidence: { fingerprint: k.sha256, comparedWith: holders.size },
        });
      }
    }
    results.push(...perService.values());
    const missing = evidence.missing.filter((m) => m.kind === kind);
    for (const m of missing) {
      results.push({
        check, status: 'error', device: m.device, port: m.port, transport: 'tcp',
        error: m.error ?? { kind: 'internal', message: `no ${WHAT[kind]} fingerprint was recorded for this service${evidence.collected ? '' : ' (the scan did not collect it and this probe has no network access)'}` },
        detail: `The ${WHAT[kind]} of ${m.name} on port ${m.port} could not be compared with the other devices.`,
      });
    }
    if (mine.length === 0 && missing.length === 0) {
      results.push({ check, status: 'not_applicable', detail: `No device in this scan offers a service with a ${WHAT[kind]}.` });
    }
  }

  // Publicly leaked keys.
  const leakedSsh = new Map(leaked.ssh.map((e) => [e.sha256.toLowerCase(), e]));
  const leakedTls = new Map(leaked.tls.map((e) => [e.sha256.toLowerCase(), e]));
  const leakedResults = new Map<string, CheckResult>();
  for (const k of evidence.keys) {
    const hit = (k.kind === 'ssh' ? leakedSsh : leakedTls).get(k.sha256);
    const id = `${k.device}|${k.port}`;
    if (hit) {
      leakedResults.set(id, {
        check: 'leaked-key', status: 'fail', device: k.device, port: k.port, transport: 'tcp',
        detail: `${k.name} (${k.device}:${k.port}) presents the ${WHAT[k.kind]} ${display(k)}, whose private key is public (${hit.device}; ${hit.source}).`,
        evidence: { fingerprint: k.sha256, knownAs: hit.device, source: hit.source, ...(hit.references ? { references: hit.references } : {}) },
      });
    } else if (k.kind === 'ssh' && leaked.ssh.length > 0 && !leakedResults.has(id)) {
      leakedResults.set(id, {
        check: 'leaked-key', status: 'pass', device: k.device, port: k.port, transport: 'tcp',
        detail: `The SSH host key of ${k.name} on port ${k.port} is not on iotcop's list of ${leaked.ssh.length} publicly leaked device keys.`,
        evidence: { fingerprint: k.sha256, listSize: leaked.ssh.length },
      });
    }
  }
  results.push(...leakedResults.values());
  if (leakedResults.size === 0) {
    results.push({ check: 'leaked-key', status: 'not_applicable', detail: 'No SSH host key fingerprint was available to compare with the list of publicly leaked device keys.' });
  }
  return results;
}

export default defineProbe<SharedKeysEvidence>({
  meta: {
    id: 'shared-keys',
    title: 'Keys shared between devices or publicly leaked',
    safety: 'safe',
    appliesTo: { scope: 'run' },
    budget: { maxConnections: MAX_COLLECT, timeoutMs: 180_000 },
    checks: {
      'shared-host-key': {
        title: 'SSH host key unique to the device',
        failureTitle: 'Several devices share the same SSH host key',
        summary: 'This device uses the same secret key as another device, so whoever has one device\'s key can pretend to be the other.',
        guidelines: ['uk-cop-4'],
        provisions: ['5.4-3', '5.4-4'],
        severity: 'high',
        description: 'Two or more devices on the network present the same SSH host key. The key was almost certainly built into the firmware, so every device of that model shares it, and anyone who extracts it from one device can impersonate the others and read their SSH sessions. Keys must be unique per device and not hard-coded (ETSI EN 303 645 provisions 5.4-3 and 5.4-4).',
        remediation: 'Install the latest firmware, which may generate a fresh key on first start. If the device lets you, regenerate its SSH host keys (for a Linux-based device: remove /etc/ssh/ssh_host_* and restart SSH, or use the "regenerate keys" option). Otherwise switch SSH off if you do not use it, and ask the maker for a fix.',
      },
      'shared-tls-certificate': {
        title: 'TLS certificate unique to the device',
        failureTitle: 'Several devices share the same TLS certificate',
        summary: 'This device\'s encrypted web or data connections use the same certificate and key as another device, so they can be impersonated.',
        guidelines: ['uk-cop-4'],
        provisions: ['5.4-3', '5.4-4'],
        severity: 'high',
        description: 'Two or more devices present the same TLS certificate, so they share its private key, which was built into the firmware. Anyone who extracts it from one device can impersonate all of them and decrypt traffic. Keys must be unique per device (ETSI EN 303 645 provisions 5.4-3 and 5.4-4).',
        remediation: 'Install the latest firmware; look for an option to generate a new certificate (often under HTTPS or certificate settings) or upload your own. Ask the maker to generate a unique key on each device.',
      },
      'leaked-key': {
        title: 'Key not on the list of publicly leaked device keys',
        failureTitle: 'The device uses a key whose private half is public',
        summary: 'The secret key this device uses to prove who it is has been published on the internet, so anyone can impersonate it.',
        guidelines: ['uk-cop-4'],
        provisions: ['5.4-3', '5.4-4'],
        severity: 'critical',
        description: 'The device presents an SSH host key (or TLS certificate) that security researchers found hard-coded in firmware and published with its private key. Anyone can use it to impersonate the device and read or alter its encrypted sessions. Hard-coded critical security parameters must not be used (ETSI EN 303 645 provision 5.4-3).',
        remediation: 'Regenerate the device\'s keys if it allows it, and install the latest firmware. If neither is possible, do not use SSH or HTTPS to the device over networks others can reach, and replace the device.',
      },
    },
  },

  async collect(ctx) {
    const { keys, missing } = keysFromDevices(ctx.devices);
    const netFor = netForOf(ctx);
    const evidence: SharedKeysEvidence = { keys, missing: [], collected: netFor !== undefined };
    if (!netFor) {
      evidence.missing = missing;
      return evidence;
    }
    const names = new Map(ctx.devices.map((d) => [d.address, d.name]));
    let budget = MAX_COLLECT;
    for (const m of missing) {
      if (budget-- <= 0 || ctx.signal.aborted) { evidence.missing.push({ ...m, error: { kind: 'budget-exceeded', message: 'not collected: limit reached' } }); continue; }
      try {
        const net = netFor(m.device);
        const sha256 = m.kind === 'ssh' ? await captureSshHostKey(net, m.port, ctx.signal) : await captureCert(net, m.port);
        keys.push({ device: m.device, name: names.get(m.device) ?? m.device, port: m.port, kind: m.kind, sha256, source: 'collected' });
      } catch (e) {
        evidence.missing.push({ ...m, error: errorDetail(e) });
      }
    }
    return evidence;
  },

  assess(evidence) {
    return assessSharedKeys(evidence);
  },
});
