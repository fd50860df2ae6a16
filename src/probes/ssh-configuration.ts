/**
 * ssh-configuration: protocol version, offered algorithms, host key and authentication methods of an
 * SSH server (guideline 5, EN 303 645 5.5-1).
 *
 * Two connections at most:
 * 1. raw TCP: we send our identification line, read the server's (SSH-1.x / 1.99 / 2.0, product and
 *    version) and its SSH_MSG_KEXINIT, whose name-lists are everything the server offers; then close.
 *    nmap's ssh2-enum-algos output is used only when this read fails.
 * 2. ssh2 over a ctx.net.tcp stream: completes the key exchange (for the host key type and size) and
 *    sends one `none` authentication request for a user that should not exist; the server's answer
 *    lists the methods it accepts. No password or key is ever sent. OpenSSH does not count the first
 *    `none` request as a failed attempt (auth2.c).
 */
import { cap } from '../text.js';
import { createHash } from 'node:crypto';
import type { AuthHandlerMiddleware, ConnectConfig } from 'ssh2';
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { Json } from '../model.js';
import { sshErrorDetail, sshStream } from './lib/ssh-stream.js';
import {
  evaluateAlgorithms, extractIdent, listsFromKexInit, listsFromNmap, parseHostKeyBlob, parseKexInit, readPacket,
  speaksSsh1, speaksSsh2, type AlgorithmFinding, type AlgorithmLists, type HostKeyInfo, type SshIdent,
} from './lib/ssh-algorithms.js';
import { loadSsh2 } from './lib/libraries.js';

export const CLIENT_IDENT = 'SSH-2.0-iotcop_0.1';
/** The user of the `none` request: chosen so that it exists nowhere and cannot log in. */
export const PROBE_USER = 'iotcop-probe';

export type ErrorInfo = { kind: string; message: string };
export type SshEvidence = {
  port: number;
  ident: SshIdent | null;
  identError: ErrorInfo | null;
  algorithms: AlgorithmLists | null;
  algorithmsSource: 'handshake' | 'nmap' | null;
  kexError: ErrorInfo | null;
  hostKey: (HostKeyInfo & { sha256: string }) | null;
  /** null: not attempted (SSH-1 only, or the first connection failed). */
  auth: { methods: string[] | null; noneAccepted: boolean; error: ErrorInfo | null } | null;
};

const errorInfo: (e: unknown) => ErrorInfo = sshErrorDetail;

async function readHandshake(ctx: ProbeContext, port: number, evidence: SshEvidence): Promise<void> {
  let conn;
  try {
    conn = await ctx.net.tcp(port, { timeoutMs: 12_000, maxBytes: 128 * 1024 });
  } catch (e) {
    evidence.identError = errorInfo(e);
    return;
  }
  try {
    await conn.write(`${CLIENT_IDENT}\r\n`).catch(() => undefined);
    const r = await conn.readUntil((buf) => {
      const id = extractIdent(buf);
      if (!id) return false;
      if (!id.ident || !speaksSsh2(id.ident.protoVersion)) return true;
      return readPacket(buf, id.next).kind !== 'incomplete';
    }, 10_000);
    const id = extractIdent(r.data);
    if (!id || !id.ident) {
      evidence.identError = {
        kind: r.timedOut ? 'timeout' : 'protocol-error',
        message: r.data.length === 0 ? 'the server sent nothing' : 'no SSH identification line in what the server sent',
      };
      return;
    }
    evidence.ident = id.ident;
    if (!speaksSsh2(id.ident.protoVersion)) return;
    const packet = readPacket(r.data, id.next);
    if (packet.kind === 'packet') {
      try {
        evidence.algorithms = listsFromKexInit(parseKexInit(packet.payload));
        evidence.algorithmsSource = 'handshake';
      } catch (e) {
        evidence.kexError = { kind: 'protocol-error', message: cap(e instanceof Error ? e.message : String(e), 300) };
      }
    } else {
      evidence.kexError = {
        kind: packet.kind === 'invalid' ? 'protocol-error' : r.timedOut ? 'timeout' : 'reset',
        message: packet.kind === 'invalid' ? packet.reason : 'the server did not send its KEXINIT',
      };
    }
  } finally {
    conn.close();
  }
}

/** Every algorithm ssh2 supports (RegExp append: ssh2's own documented form), so weak-only servers still negotiate. */
const EVERYTHING = { append: /./ } as unknown as NonNullable<NonNullable<ConnectConfig['algorithms']>['kex']>;
const ALGORITHMS = {
  kex: EVERYTHING,
  serverHostKey: EVERYTHING as unknown as NonNullable<NonNullable<ConnectConfig['algorithms']>['serverHostKey']>,
  cipher: EVERYTHING as unknown as NonNullable<NonNullable<ConnectConfig['algorithms']>['cipher']>,
  hmac: EVERYTHING as unknown as NonNullable<NonNullable<ConnectConfig['algorithms']>['hmac']>,
} satisfies ConnectConfig['algorithms'];

async function probeAuth(ctx: ProbeContext, port: number, evidence: SshEvidence): Promise<void> {
  const auth: NonNullable<SshEvidence['auth']> = { methods: null, noneAccepted: false, error: null };
  evidence.auth = auth;
  const ssh2 = await loadSsh2();
  let conn;
  let sock;
  try {
    conn = await ctx.net.tcp(port, { timeoutMs: 20_000, maxBytes: 256 * 1024 });
    sock = await sshStream(conn);
  } catch (e) {
    conn?.close();
    auth.error = errorInfo(e);
    return;
  }
  const client = new ssh2.Client();
  let hostKey: Buffer | null = null;
  try {
    await new Promise<void>((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        resolve();
      };
      const authHandler: AuthHandlerMiddleware = (methodsLeft, _partial, next) => {
        if (methodsLeft === null || methodsLeft === undefined) {
          next({ type: 'none', username: PROBE_USER });
          return;
        }
        auth.methods = [...methodsLeft].slice(0, 20).map((m) => cap(String(m), 64));
        // Stop here: ssh2 emits "All configured authentication methods failed" and closes.
        (next as unknown as (v: false) => void)(false);
      };
      client.on('ready', () => {
        // `none` was accepted: the server lets this user in without any authentication. Leave at once.
        auth.noneAccepted = true;
        client.end();
        finish();
      });
      client.on('error', (e: Error & { level?: string }) => {
        if (auth.methods === null && !auth.noneAccepted) auth.error = errorInfo(e);
        finish();
      });
      client.on('close', finish);
      ctx.signal.addEventListener('abort', finish, { once: true });
      try {
        client.connect({
          sock,
          username: PROBE_USER,
          readyTimeout: 15_000,
          ident: CLIENT_IDENT.slice('SSH-2.0-'.length),
          algorithms: ALGORITHMS,
          hostVerifier: (key: Buffer) => {
            hostKey = Buffer.from(key);
            return true;
          },
          authHandler,
        });
      } catch (e) {
        auth.error = errorInfo(e);
        finish();
      }
    });
  } finally {
    client.end();
    conn.close();
  }
  if (hostKey !== null) {
    const blob: Buffer = hostKey;
    try {
      evidence.hostKey = { ...parseHostKeyBlob(blob), sha256: createHash('sha256').update(blob).digest('base64').replace(/=+$/, '') };
    } catch {
      evidence.hostKey = null;
    }
  }
}

async function collect(ctx: ProbeContext): Promise<SshEvidence> {
  const service = ctx.service;
  if (!service) throw new Error('ssh-configuration runs on a service');
  const evidence: SshEvidence = {
    port: service.port, ident: null, identError: null, algorithms: null, algorithmsSource: null,
    kexError: null, hostKey: null, auth: null,
  };
  await readHandshake(ctx, service.port, evidence);
  if (evidence.algorithms === null) {
    const fromNmap = listsFromNmap(service.scripts?.find((s) => s.id === 'ssh2-enum-algos')?.table);
    if (fromNmap) {
      evidence.algorithms = fromNmap;
      evidence.algorithmsSource = 'nmap';
    }
  }
  if (evidence.ident && speaksSsh2(evidence.ident.protoVersion)) await probeAuth(ctx, service.port, evidence);
  return evidence;
}

// ------------------------------------------------------------------------------------------------
// assess

type Kind = NonNullable<CheckResult['error']>['kind'];
const KINDS: readonly Kind[] = ['refused', 'timeout', 'reset', 'tls-handshake', 'protocol-error', 'budget-exceeded', 'aborted', 'out-of-scope', 'unreachable', 'internal'];
function kindOf(e: ErrorInfo | null): Kind {
  return e && (KINDS as readonly string[]).includes(e.kind) ? e.kind as Kind : 'internal';
}

function identEvidence(ident: SshIdent | null): Json {
  return ident ? { ident: ident.raw, protocol: ident.protoVersion, software: ident.software, comments: ident.comments } : null;
}

function assessProtocol1(ev: SshEvidence): CheckResult {
  if (!ev.ident) {
    return { check: 'ssh-protocol-1', status: 'error', error: { kind: kindOf(ev.identError), message: ev.identError?.message ?? 'no identification line' } };
  }
  const evidence = identEvidence(ev.ident);
  if (speaksSsh1(ev.ident.protoVersion)) {
    return {
      check: 'ssh-protocol-1', status: 'fail', evidence,
      detail: ev.ident.protoVersion === '1.99'
        ? `The server on port ${ev.port} announces SSH-1.99: it still accepts the broken SSH protocol 1 besides version 2.`
        : `The server on port ${ev.port} speaks only SSH protocol ${ev.ident.protoVersion}.`,
    };
  }
  return { check: 'ssh-protocol-1', status: 'pass', detail: `SSH-${ev.ident.protoVersion} (${ev.ident.software}).`, evidence };
}

function describe(f: AlgorithmFinding): string {
  return `${f.name} (${f.reason})`;
}

function assessAlgorithms(ev: SshEvidence): CheckResult {
  if (ev.ident && !speaksSsh2(ev.ident.protoVersion)) {
    return { check: 'ssh-weak-algorithms', status: 'not_applicable', detail: 'The server speaks only SSH protocol 1 (see ssh-protocol-1).' };
  }
  if (!ev.algorithms) {
    const err = ev.kexError ?? ev.identError;
    return { check: 'ssh-weak-algorithms', status: 'error', error: { kind: kindOf(err), message: err?.message ?? 'the offered algorithms could not be read' } };
  }
  const findings = evaluateAlgorithms(ev.algorithms, ev.hostKey);
  const weak = findings.filter((f) => f.level === 'weak');
  const legacy = findings.filter((f) => f.level === 'legacy');
  const notes = findings.filter((f) => f.level === 'note');
  const evidence: Json = {
    source: ev.algorithmsSource,
    ...(ev.ident ? { ident: ev.ident.raw } : {}),
    offered: ev.algorithms,
    hostKey: ev.hostKey,
    weak: weak.map((f) => ({ category: f.category, name: f.name, reason: f.reason, source: f.source })),
    legacy: legacy.map((f) => ({ category: f.category, name: f.name, reason: f.reason, source: f.source })),
    notes: notes.map((f) => ({ category: f.category, name: f.name, reason: f.reason })),
  };
  const hostKeyNote = ev.hostKey === null ? ' The host key size could not be read.' : '';
  if (weak.length > 0) {
    const none = weak.some((f) => f.name === 'none');
    return {
      check: 'ssh-weak-algorithms', status: 'fail', severity: none ? 'high' : 'medium', evidence,
      detail: `Port ${ev.port} offers ${weak.slice(0, 5).map(describe).join(', ')}${weak.length > 5 ? ` and ${weak.length - 5} more` : ''}.`,
    };
  }
  if (legacy.length > 0) {
    return {
      check: 'ssh-weak-algorithms', status: 'warn', severity: 'low', evidence,
      detail: `Port ${ev.port} offers deprecated ${legacy.slice(0, 4).map(describe).join(', ')}.`,
    };
  }
  return {
    check: 'ssh-weak-algorithms', status: 'pass', evidence,
    detail: `No weak key exchange, cipher, MAC or host-key algorithm offered on port ${ev.port}.${notes.length > 0 ? ` Also offered, not weak today: ${notes.map((n) => n.name).join(', ')}.` : ''}${hostKeyNote}`,
  };
}

const PASSWORD_METHODS = new Set(['password', 'keyboard-interactive']);

function assessPasswordAuth(ev: SshEvidence): CheckResult {
  if (ev.ident && !speaksSsh2(ev.ident.protoVersion)) {
    return { check: 'ssh-password-authentication', status: 'not_applicable', detail: 'The server speaks only SSH protocol 1.' };
  }
  if (!ev.auth) {
    return { check: 'ssh-password-authentication', status: 'error', error: { kind: kindOf(ev.identError), message: ev.identError?.message ?? 'not attempted' } };
  }
  if (ev.auth.noneAccepted) {
    return {
      check: 'ssh-password-authentication', status: 'fail', severity: 'critical',
      title: 'SSH lets a user in without any authentication',
      detail: `The server on port ${ev.port} accepted the "none" method for the made-up user ${PROBE_USER}: no password or key was needed.`,
      evidence: { noneAccepted: true },
    };
  }
  if (ev.auth.methods === null) {
    return { check: 'ssh-password-authentication', status: 'error', error: { kind: kindOf(ev.auth.error), message: ev.auth.error?.message ?? 'the server did not list its authentication methods' } };
  }
  const evidence: Json = { methods: ev.auth.methods };
  const passwordish = ev.auth.methods.filter((m) => PASSWORD_METHODS.has(m));
  if (passwordish.length > 0) {
    return {
      check: 'ssh-password-authentication', status: 'warn', severity: 'low', evidence,
      detail: `Port ${ev.port} accepts ${passwordish.join(' and ')} logins (methods offered: ${ev.auth.methods.join(', ')}).`,
    };
  }
  return { check: 'ssh-password-authentication', status: 'pass', evidence, detail: `Only ${ev.auth.methods.join(', ') || 'no'} authentication is offered.` };
}

export function assessSsh(ev: SshEvidence): CheckResult[] {
  return [assessAlgorithms(ev), assessProtocol1(ev), assessPasswordAuth(ev)];
}

export default defineProbe<SshEvidence>({
  meta: {
    id: 'ssh-configuration',
    title: 'SSH configuration',
    safety: 'safe',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['ssh'], ports: [22, 2222] },
    budget: { maxConnections: 3, timeoutMs: 45_000 },
    checks: {
      'ssh-weak-algorithms': {
        title: 'SSH offers only current algorithms', failureTitle: 'SSH offers weak algorithms',
        summary: 'The device\'s remote-login service still offers outdated encryption that weakens its protection.',
        guidelines: ['uk-cop-5'], provisions: ['5.5-1'], severity: 'medium',
        description: 'Weak key exchanges (diffie-hellman-group1-sha1, group-exchange-sha1), ciphers (3DES, RC4, Blowfish, CBC modes), MACs (MD5, 96-bit SHA-1) and DSA or short RSA host keys are deprecated (RFC 9142, RFC 8758, OpenSSH release notes); a client that still offers them can be downgraded.',
        remediation: 'Update the device firmware. Where you can edit the SSH server settings, remove these algorithms (for OpenSSH: KexAlgorithms, Ciphers, MACs, HostKeyAlgorithms) and use an Ed25519 or RSA-3072 host key.',
      },
      'ssh-protocol-1': {
        title: 'SSH protocol 1 is not offered', failureTitle: 'SSH protocol 1 is enabled',
        summary: 'The device still accepts SSH version 1, which is broken and lets attackers read or hijack sessions.',
        guidelines: ['uk-cop-5'], provisions: ['5.5-1'], severity: 'high',
        description: 'SSH-1 has known design flaws (CRC-32 integrity, session hijacking, CVE-2001-0361) and was removed from OpenSSH in 7.6. "SSH-1.99" means the server accepts both versions.',
        remediation: 'Disable SSH protocol 1 (OpenSSH: remove "Protocol 1") or update the firmware; replace the device if its SSH server cannot speak only version 2.',
      },
      'ssh-password-authentication': {
        title: 'SSH accepts keys only', failureTitle: 'SSH accepts password logins',
        summary: 'The device accepts passwords over SSH, so anyone on the network can try to guess them.',
        guidelines: ['uk-cop-5'], provisions: ['5.5-1'], severity: 'low',
        description: 'Password logins are encrypted by SSH but can be guessed: every SSH password on the network is exposed to online guessing. Public-key authentication is not. Learned from a "none" authentication request, which sends no credential.',
        remediation: 'If you use SSH, set up key-based login and switch off password authentication (OpenSSH: PasswordAuthentication no, KbdInteractiveAuthentication no). If you do not use SSH, disable it.',
      },
    },
  },
  collect,
  assess(evidence) {
    return assessSsh(evidence);
  },
});
