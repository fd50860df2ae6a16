/**
 * ssh-default-credentials (guideline 1; never 5: SSH is encrypted).
 *
 * ssh2 over a socket from ctx.net.tcp, one password attempt per connection, driven by a custom authHandler:
 * first `none` (learns the offered methods without a password guess; OpenSSH does not count it as a failure),
 * then exactly one of `password` or `keyboard-interactive` (answering the password to every prompt), then
 * stop. A server that accepts `none` or a random password accepts anyone (ssh-accepts-any-password).
 * A server that offers neither password nor keyboard-interactive (keys only) cannot have a default password.
 *
 * The server's identification line and host key SHA-256 are recorded (other probes use the key).
 */
import { createHash } from 'node:crypto';
import type { Duplex } from 'node:stream';
import type { Client, Algorithms, AuthenticationType, ClientErrorExtensions, NextAuthHandler } from 'ssh2';
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import { findLockoutText } from './lib/lockout.js';
import { sshErrorDetail, sshStream } from './lib/ssh-stream.js';
import type { Conn } from '../net/types.js';
import {
  GUESS_PARALLEL, fromContext, assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, randomCredential, runGuesses,
  signalsOf, type AttemptOutcome, type Candidate, type GuessEvidence,
} from './lib/credentials.js';
import { loadSsh2 } from './lib/libraries.js';

export const CHECK_DEFAULT = 'ssh-default-credentials';
export const CHECK_ANY = 'ssh-accepts-any-password';

const JOB_TIMEOUT_MS = 240_000;
/** ssh2 readyTimeout: failed logins take 1.5–4.4 s on OpenSSH (LIBRARIES.md); ≥ 8 s. */
const READY_TIMEOUT_MS = 12_000;
const ATTEMPT_MS = 20_000;

export type SshEvidence = GuessEvidence & {
  port: number;
  /** Server identification line ("SSH-2.0-OpenSSH_9.2p1 …"), capped. */
  serverIdent: string | null;
  /** SHA-256 of the host key blob, hex. */
  hostKeySha256: string | null;
  /** The same, in OpenSSH's notation ("SHA256:base64"). */
  hostKeyFingerprint: string | null;
  /** Authentication methods the server offered after `none`. */
  methods: string[];
  /** Method used for the password attempts. */
  passwordMethod: 'password' | 'keyboard-interactive' | null;
  /** The server let a user in with the `none` method (no password at all). */
  noneAccepted: boolean;
};

interface State {
  ident: string | null;
  hostKeySha256: string | null;
  hostKeyFingerprint: string | null;
  methods: string[];
  passwordMethod: 'password' | 'keyboard-interactive' | null;
  noneAccepted: boolean;
}

// Old embedded servers (dropbear on cameras and routers) often speak only these; ssh2 supports them but does
// not offer them by default. Regular expressions, so that only what this build of ssh2/OpenSSL supports is
// appended (a string it does not support would throw). Offering them costs nothing for a login test.
const LEGACY_ALGORITHMS = {
  kex: { append: [/^diffie-hellman-group(?:1|14|-exchange)-sha1$/] },
  cipher: { append: [/^(?:aes128-cbc|aes256-cbc|3des-cbc)$/] },
  serverHostKey: { append: [/^(?:ssh-rsa|ssh-dss)$/] },
  hmac: { append: [/^(?:hmac-sha1|hmac-md5)$/] },
} as unknown as Algorithms;

/** ssh2 ends authentication when the handler answers `false` (its types do not say so). */
function stopAuth(next: NextAuthHandler): void {
  (next as unknown as (method: false) => void)(false);
}

async function attemptLogin(ctx: ProbeContext, port: number, c: Candidate, state: State): Promise<AttemptOutcome> {
  const ssh2 = await loadSsh2();
  return ctx.net.tcp(port, { timeoutMs: ATTEMPT_MS, maxBytes: 512 * 1024 }).then(async (conn) => {
    let stream: Awaited<ReturnType<typeof sshStream>>;
    try {
      stream = await sshStream(conn);
    } catch (e) {
      conn.close();
      throw e;
    }
    return attemptOn(ctx, conn, stream, c, state, ssh2.Client);
  });
}

function attemptOn(ctx: ProbeContext, conn: Conn, stream: Duplex, c: Candidate, state: State, SshClient: typeof Client): Promise<AttemptOutcome> {
  return new Promise<AttemptOutcome>((resolve) => {
    const client = new SshClient();
    let settled = false;
    let step: 'none' | 'password' | 'done' = 'none';
    let usedNone = false;
    let authFailed = false;
    let head = '';
    const finish = (r: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      ctx.signal.removeEventListener('abort', onAbort);
      stream.off('data', onData);
      try { client.end(); } catch { /* already closed */ }
      conn.close();
      resolve(r);
    };
    const onAbort = (): void => finish({ kind: 'error', errorKind: 'aborted', message: 'aborted' });
    const guard = setTimeout(() => finish(authFailed ? { kind: 'failure' } : { kind: 'error', errorKind: 'timeout', message: 'no SSH answer in time' }), ATTEMPT_MS);
    ctx.signal.addEventListener('abort', onAbort, { once: true });

    const onData = (b: Buffer): void => {
      if (state.ident !== null || head.length > 1024) return;
      head += b.subarray(0, 1024).toString('latin1');
      // Lines before the identification line are allowed (RFC 4253 §4.2); the ident starts with "SSH-".
      for (const line of head.split('\n').slice(0, -1)) {
        if (line.startsWith('SSH-')) { state.ident = line.replace(/\r$/, '').slice(0, 255); break; }
      }
    };

    const authHandler = (methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: NextAuthHandler): void => {
      if (step === 'none') {
        step = 'password';
        usedNone = true;
        next({ type: 'none', username: c.username });
        return;
      }
      if (step === 'password') {
        step = 'done';
        usedNone = false;
        const methods = (methodsLeft ?? []).map((m) => String(m).slice(0, 40)).slice(0, 10);
        if (state.methods.length === 0) state.methods = methods;
        if (methods.includes('password')) {
          state.passwordMethod ??= 'password';
          next({ type: 'password', username: c.username, password: c.password });
          return;
        }
        if (methods.includes('keyboard-interactive')) {
          state.passwordMethod ??= 'keyboard-interactive';
          let rounds = 0;
          next({
            type: 'keyboard-interactive',
            username: c.username,
            prompt: (_name, _instructions, _lang, prompts, finishPrompts) => {
              rounds += 1;
              // Answer the password to every prompt; stop after a few rounds (a server asking forever).
              if (rounds > 3) { finishPrompts([]); return; }
              finishPrompts(prompts.map(() => c.password));
            },
          });
          return;
        }
        finish({ kind: 'unsupported', reason: `the server offers only ${methods.length ? methods.join(', ') : 'no'} authentication` });
        stopAuth(next);
        return;
      }
      authFailed = true;
      stopAuth(next);
    };

    client.on('ready', () => {
      if (usedNone) state.noneAccepted = true;
      finish({ kind: 'success' });
    });
    client.on('error', (err: Error & ClientErrorExtensions) => {
      const text = findLockoutText(`${err.message} ${err.description ?? ''}`);
      if (text !== undefined) { finish({ kind: 'lockout', text }); return; }
      if (err.level === 'client-authentication') { finish({ kind: 'failure' }); return; }
      if (authFailed) { finish({ kind: 'failure' }); return; }
      const d = sshErrorDetail(err, 200);
      finish({ kind: 'error', errorKind: d.kind === 'internal' ? 'protocol-error' : d.kind, message: d.message });
    });
    client.on('close', () => finish(authFailed ? { kind: 'failure' } : { kind: 'error', errorKind: 'reset', message: 'the server closed the connection before authentication finished' }));
    try {
      client.connect({
        sock: stream,
        username: c.username,
        readyTimeout: READY_TIMEOUT_MS,
        keepaliveInterval: 0,
        algorithms: LEGACY_ALGORITHMS,
        hostVerifier: (key: Buffer): boolean => {
          if (state.hostKeySha256 === null) {
            const digest = createHash('sha256').update(key).digest();
            state.hostKeySha256 = digest.toString('hex');
            state.hostKeyFingerprint = `SHA256:${digest.toString('base64').replace(/=+$/, '')}`;
          }
          return true;
        },
        authHandler,
      });
      // ssh2 paused the stream; this listener only observes the bytes ssh2 reads (the identification line).
      stream.on('data', onData);
    } catch (e) {
      const d = sshErrorDetail(e, 200);
      finish({ kind: 'error', errorKind: d.kind, message: d.message });
    }
  });
}

export function assessSsh(ev: SshEvidence): CheckResult[] {
  const label = `SSH on port ${ev.port}`;
  const results = assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT, anyCheck: CHECK_ANY, label, anyTitle: 'SSH accepts any password', cleartext: false,
    unsupportedStatus: 'pass',
  });
  if (ev.noneAccepted && ev.stop === 'accepts-any') {
    const any = results.find((r) => r.check === CHECK_ANY);
    if (any) {
      any.title = 'SSH lets anyone in without a password';
      any.detail = `${label} accepted the "none" authentication method for a random user name: no password is needed at all.`;
    }
  }
  return results;
}

export default defineProbe<SshEvidence>({
  meta: {
    id: 'ssh-default-credentials',
    title: 'SSH default credentials',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['ssh'], ports: [22, 2222] },
    budget: { maxConnections: 110, timeoutMs: JOB_TIMEOUT_MS, typicalMs: 1_000 },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'SSH rejects default credentials',
        failureTitle: 'SSH accepts a default credential',
        summary: 'This device still accepts its factory password over SSH, so anyone on your network can log in to it and take full control.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1', '5.1-2'],
        severity: 'critical',
        description: 'A default user name and password published by the vendor (or widely known) logs in to the device\'s SSH service, which gives a command shell or the management console.',
        remediation: 'Log in and change the password of this account (and of every other account) to a long, unique one; better, switch SSH to key-only logins (PasswordAuthentication no) or turn SSH off if you do not use it. If the device gives no way to change it, update the firmware or replace the device.',
      },
      [CHECK_ANY]: {
        title: 'SSH rejects a wrong password',
        failureTitle: 'SSH accepts any password',
        summary: 'This device lets anyone log in over SSH whatever password they type.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1'],
        severity: 'critical',
        description: 'A random user name and password that no device has logged in over SSH: the server does not check passwords (or needs none). iotcop therefore does not report a specific default credential for it.',
        remediation: 'Turn SSH off, or configure real accounts with key-only logins; update the firmware, and isolate the device until it is fixed.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 22;
    const started = Date.now();
    const state: State = { ident: null, hostKeySha256: null, hostKeyFingerprint: null, methods: [], passwordMethod: null, noneAccepted: false };
    const plan = buildCandidates({
      service: 'ssh',
      signals: signalsOf(ctx.device, ctx.service, [ctx.service?.banner], ctx.config),
      owner: ownerPairs(ctx.credentials, ctx.config, 'ssh'),
    });
    const run = await runGuesses({
      negativeControl: randomCredential(),
      candidates: plan.candidates,
      policy: initialPolicy(plan),
      attempt: (c) => attemptLogin(ctx, port, c, state),
      ...fromContext(ctx),
      deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
      attemptMs: ATTEMPT_MS,
      // OpenSSH answers a wrong password after 1.5–4 s: two at a time (the per-host default)
      parallel: GUESS_PARALLEL,
    });
    return {
      ...guessEvidence(run, plan, ctx.settings.maxGuesses),
      port,
      serverIdent: state.ident,
      hostKeySha256: state.hostKeySha256,
      hostKeyFingerprint: state.hostKeyFingerprint,
      methods: state.methods,
      passwordMethod: state.passwordMethod,
      noneAccepted: state.noneAccepted,
    };
  },

  assess(evidence) {
    return assessSsh(evidence);
  },
});
