/**
 * ftp-default-credentials (guideline 1; 5: FTP sends the password in cleartext).
 *
 * basic-ftp inside ctx.net.slot (it opens its own socket): per attempt one connection, USER/PASS, then QUIT
 * (only `connect` and `login`: no listing, no file access, no settings commands). The negative control is a
 * random user name and password; a server that lets it in "accepts any password" (reported on this check with
 * its own title, since there is no separate check id). Anonymous logins are ftp-anonymous' finding: the names
 * "anonymous" and "ftp" are never tried here.
 */
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { Service } from '../model.js';
import { classifyError } from '../net/errors.js';
import { findLockoutText, lockoutHint, remainingAttempts } from './lib/lockout.js';
import {
  fromContext, assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, randomCredential, runGuesses,
  signalsOf, type AttemptOutcome, type Candidate, type GuessEvidence,
} from './lib/credentials.js';
import { loadBasicFtp } from './lib/libraries.js';

export const CHECK_DEFAULT = 'ftp-default-credentials';

const JOB_TIMEOUT_MS = 180_000;
const CLIENT_TIMEOUT_MS = 10_000;
const ATTEMPT_MS = 15_000;

export type FtpEvidence = GuessEvidence & {
  port: number;
  implicitTls: boolean;
  /** The server's greeting (first line, capped). */
  greeting: string | null;
};

function implicitTls(service: Service | undefined, port: number): boolean {
  const name = service?.name?.toLowerCase() ?? '';
  return port === 990 || name === 'ftps' || name === 'ssl/ftp' || (service?.tls?.enabled === true && name !== 'ftp');
}

function firstLine(s: string): string {
  return s.split(/\r?\n/)[0]?.replace(/[\x00-\x1f\x7f]/g, ' ').trim().slice(0, 200) ?? ''; // eslint-disable-line no-control-regex
}

async function attemptLogin(ctx: ProbeContext, port: number, tls: boolean, c: Candidate, state: { greeting: string | null }): Promise<AttemptOutcome> {
  const { Client, FTPError } = await loadBasicFtp();
  return ctx.net.slot(async (address, signal) => {
    const client = new Client(CLIENT_TIMEOUT_MS);
    const onAbort = (): void => client.close();
    signal.addEventListener('abort', onAbort, { once: true });
    const guard = setTimeout(() => client.close(), ATTEMPT_MS);
    try {
      const hello = tls
        ? await client.connectImplicitTLS(address, port, { rejectUnauthorized: false })
        : await client.connect(address, port);
      state.greeting ??= firstLine(hello.message);
      const bannerLock = findLockoutText(hello.message);
      if (bannerLock !== undefined) return { kind: 'lockout', text: bannerLock };
      await client.login(c.username, c.password);
      return { kind: 'success' };
    } catch (e) {
      if (signal.aborted) throw e;
      if (e instanceof FTPError) {
        const text = e.message.slice(0, 400);
        const lock = findLockoutText(text);
        if (lock !== undefined || e.code === 421) return { kind: 'lockout', text: lock ?? firstLine(text) };
        if (e.code === 530 || e.code === 331 || e.code === 332 || (e.code >= 500 && e.code < 600)) {
          const r: { kind: 'failure'; hint?: string; remaining?: number } = { kind: 'failure' };
          const hint = lockoutHint(text);
          if (hint !== undefined) r.hint = hint;
          const remaining = remainingAttempts(text);
          if (remaining !== undefined) r.remaining = remaining;
          return r;
        }
        return { kind: 'error', errorKind: 'protocol-error', message: firstLine(text) };
      }
      const kind = classifyError(e);
      const message = (e instanceof Error ? e.message : String(e)).slice(0, 200);
      return { kind: 'error', errorKind: kind === 'internal' && /timeout/i.test(message) ? 'timeout' : kind === 'internal' ? 'protocol-error' : kind, message };
    } finally {
      clearTimeout(guard);
      signal.removeEventListener('abort', onAbort);
      client.close();
    }
  });
}

export function assessFtp(ev: FtpEvidence): CheckResult[] {
  return assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT,
    label: `FTP on port ${ev.port}`,
    anyTitle: 'FTP server accepts any user name and password',
    anySeverity: 'high',
    cleartext: !ev.implicitTls,
  });
}

export default defineProbe<FtpEvidence>({
  meta: {
    id: 'ftp-default-credentials',
    title: 'FTP default credentials',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['ftp', 'ftps'], ports: [21, 990] },
    budget: { maxConnections: 110, timeoutMs: JOB_TIMEOUT_MS, typicalMs: 1_700 },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'FTP rejects default credentials',
        failureTitle: 'FTP accepts a default credential',
        summary: 'This device\'s file service (FTP) still accepts a factory password, so anyone on your network can read — and often change — the files on it.',
        guidelines: ['uk-cop-1', 'uk-cop-5'],
        provisions: ['5.1-1', '5.1-2', '5.5-1'],
        severity: 'high',
        description: 'A default user name and password logs in to the device\'s FTP server. FTP gives access to stored files (recordings, scans, backups, sometimes the device\'s own configuration), and it sends the password unencrypted.',
        remediation: 'Change the password of this account to a long, unique one, or switch FTP off if you do not use it; prefer SFTP or FTPS where the device offers them. If the password cannot be changed, update the firmware or replace the device.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 21;
    const tls = implicitTls(ctx.service, port);
    const started = Date.now();
    const state = { greeting: null as string | null };
    const plan = buildCandidates({
      service: 'ftp',
      signals: signalsOf(ctx.device, ctx.service, [ctx.service?.banner], ctx.config),
      owner: ownerPairs(ctx.credentials, ctx.config, 'ftp'),
      excludeUsernames: ['anonymous', 'ftp'],
    });
    const run = await runGuesses({
      negativeControl: randomCredential(),
      candidates: plan.candidates,
      policy: initialPolicy(plan),
      attempt: (c) => attemptLogin(ctx, port, tls, c, state),
      ...fromContext(ctx),
      deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
      attemptMs: ATTEMPT_MS,
    });
    return { ...guessEvidence(run, plan, ctx.settings.maxGuesses), port, implicitTls: tls, greeting: state.greeting };
  },

  assess(evidence) {
    return assessFtp(evidence);
  },
});
