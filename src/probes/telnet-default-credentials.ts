/**
 * telnet-default-credentials (guideline 1, and 5: Telnet carries the password in cleartext).
 *
 * Own Telnet client (src/net/telnet.ts), one login attempt per connection:
 * 0. First screen: connect, read the banner and prompt, close (nothing typed); the candidates are planned
 *    from it, and the negative control goes with the first of them (two at a time). When it is not a
 *    plain login or password prompt, step 1 runs alone and the candidates are planned after it.
 * 1. Negative control: connect, read what the device shows. A shell prompt that answers an empty line
 *    again, before any login, is `telnet-no-authentication` (critical). Otherwise log in with a random user
 *    name and password: a working shell then means the service accepts any password.
 * 2. Candidates: owner pairs, vendor pairs, derived passwords, the Mirai set, generic pairs — within the
 *    guess budget, with a delay between attempts, stopping at the first success or on a lockout message.
 * Success only when a shell prompt appears after the password AND answers an empty line with the same
 * prompt (no command is ever run); a banner containing `#` or `>` is not a prompt. Password-only prompts
 * ("Password:" with no login prompt) are handled: then only passwords are tried.
 */
import { capMarked } from '../text.js';
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { Json } from '../model.js';
import { TelnetSession, stripTerminal, type WaitResult } from '../net/telnet.js';
import { lockoutHint, remainingAttempts } from './lib/lockout.js';
import {
  GUESS_PARALLEL, fromContext, assessGuesses, buildCandidates, guessEvidence, initialPolicy, ownerPairs, publicEvidence, randomCredential, runGuesses,
  signalsOf, type AttemptOutcome, type Candidate, type CandidatePlan, type GuessEvidence,
} from './lib/credentials.js';

export const CHECK_DEFAULT = 'telnet-default-credentials';
export const CHECK_NO_AUTH = 'telnet-no-authentication';
export const CHECK_ANY = 'telnet-accepts-any-password';

const JOB_TIMEOUT_MS = 240_000;
/** Worst case of one attempt: banner 8 s + user name 6 s + password answer 12 s + shell check 4 s. */
const ATTEMPT_MS = 32_000;
const BANNER_MS = 8_000;
const AFTER_USER_MS = 6_000;
const AFTER_PASSWORD_MS = 12_000;
const CONFIRM_MS = 4_000;

export type TelnetEvidence = GuessEvidence & {
  port: number;
  /** What the device showed on the first connection before we typed anything. */
  firstScreen: 'login-prompt' | 'password-prompt' | 'shell-prompt' | 'lockout' | 'unknown' | 'none';
  /** Login style: a login prompt then a password prompt, or a password prompt only. */
  mode: 'login-password' | 'password-only' | null;
  /** A shell answered without any login. */
  noAuthentication: boolean;
  shellPrompt: string | null;
  /** First text the device sent (terminal sequences removed, capped). */
  banner: string | null;
  /** Shell-like prompts after a password that did not answer an empty line (not counted as logins). */
  unconfirmedShells: number;
};

interface State {
  firstScreen: TelnetEvidence['firstScreen'];
  mode: TelnetEvidence['mode'];
  noAuthentication: boolean;
  shellPrompt: string | null;
  banner: string | null;
  unconfirmedShells: number;
}

async function attemptLogin(ctx: ProbeContext, port: number, c: Candidate, state: State): Promise<AttemptOutcome> {
  const conn = await ctx.net.tcp(port, { timeoutMs: ATTEMPT_MS, maxBytes: 64 * 1024 });
  const session = new TelnetSession(conn, { deadlineAt: Date.now() + ATTEMPT_MS });
  try {
    let screen = await session.waitForScreen(BANNER_MS, false);
    if (state.banner === null) noteFirstScreen(state, screen);
    if (screen.screen === 'shell-prompt' && screen.prompt !== undefined) {
      const { confirmed, after } = await session.confirmShell(screen.prompt, CONFIRM_MS);
      if (confirmed) {
        state.noAuthentication = true;
        state.shellPrompt = capMarked(screen.prompt, 80);
        return { kind: 'success' };
      }
      screen = after; // a banner ending in '#' or '>', then (maybe) a login prompt
    }
    if (screen.screen === 'lockout') return { kind: 'lockout', text: screen.lockoutText ?? 'lockout' };
    if (screen.screen === 'login-prompt' || screen.screen === 'login-failed') {
      state.mode ??= 'login-password';
      await session.sendLine(c.username);
      screen = await session.waitForScreen(AFTER_USER_MS, true);
      if (screen.screen === 'shell-prompt' && screen.prompt !== undefined) {
        // No password asked: the account has none. That is a login with an empty password.
        const { confirmed } = await session.confirmShell(screen.prompt, CONFIRM_MS);
        if (confirmed) { state.shellPrompt = capMarked(screen.prompt, 80); return { kind: 'success' }; }
        state.unconfirmedShells += 1;
        return { kind: 'failure' };
      }
      if (screen.screen === 'lockout') return { kind: 'lockout', text: screen.lockoutText ?? 'lockout' };
      if (screen.screen === 'login-prompt' || screen.screen === 'login-failed') return failure(screen.text);
      if (screen.screen !== 'password-prompt') {
        if (session.closed) return failure(screen.text);
        return { kind: 'error', errorKind: 'protocol-error', message: 'no password prompt after the user name' };
      }
    } else if (screen.screen === 'password-prompt') {
      state.mode ??= 'password-only';
    } else {
      if (session.closed && screen.text === '') return { kind: 'error', errorKind: 'reset', message: 'the device closed the connection without a prompt' };
      return { kind: 'error', errorKind: 'protocol-error', message: `no login or password prompt within ${BANNER_MS / 1000} s` };
    }
    await session.sendLine(c.password);
    screen = await session.waitForScreen(AFTER_PASSWORD_MS, true);
    switch (screen.screen) {
      case 'shell-prompt': {
        const { confirmed } = await session.confirmShell(screen.prompt ?? '', CONFIRM_MS);
        if (confirmed) { state.shellPrompt = capMarked(screen.prompt ?? '', 80); return { kind: 'success' }; }
        state.unconfirmedShells += 1;
        return failure(screen.text);
      }
      case 'lockout': return { kind: 'lockout', text: screen.lockoutText ?? 'lockout' };
      default:
        // Login incorrect, a new prompt, a hang-up or silence: not a login.
        return failure(screen.text);
    }
  } finally {
    session.close();
  }
}

function noteFirstScreen(state: State, screen: WaitResult): void {
  const b = stripTerminal(screen.text).replace(/\s+/g, ' ').trim();
  state.banner = b === '' ? null : capMarked(b, 200);
  state.firstScreen = screen.screen === 'login-failed' ? 'unknown' : screen.screen;
}

/**
 * Reads the first screen on a connection of its own and closes it, typing nothing (not a login attempt):
 * the banner and login style the candidates are planned from, known before the negative control, so that
 * the control can go with the first candidates (issue 18: busybox's delay after a wrong login dominates).
 * False when the screen is not a plain login or password prompt (a shell, a lockout, silence): then the
 * negative control runs alone first, as before, and the candidates are re-planned from its connection.
 */
async function peekFirstScreen(ctx: ProbeContext, port: number, state: State): Promise<boolean> {
  let session: TelnetSession | undefined;
  try {
    const conn = await ctx.net.tcp(port, { timeoutMs: BANNER_MS + 2_000, maxBytes: 64 * 1024 });
    session = new TelnetSession(conn, { deadlineAt: Date.now() + BANNER_MS + 2_000 });
    const screen = await session.waitForScreen(BANNER_MS, false);
    if (screen.screen !== 'login-prompt' && screen.screen !== 'password-prompt') return false;
    noteFirstScreen(state, screen);
    state.mode = screen.screen === 'login-prompt' ? 'login-password' : 'password-only';
    return true;
  } catch (e) {
    if (ctx.signal.aborted) throw e;
    return false;
  } finally {
    session?.close();
  }
}

function failure(text: string): AttemptOutcome {
  const r: { kind: 'failure'; hint?: string; remaining?: number } = { kind: 'failure' };
  const hint = lockoutHint(text);
  if (hint !== undefined) r.hint = hint;
  const remaining = remainingAttempts(text);
  if (remaining !== undefined) r.remaining = remaining;
  return r;
}

export function assessTelnet(ev: TelnetEvidence): CheckResult[] {
  const pub: Json = publicEvidence(ev);
  if (ev.noAuthentication) {
    return [
      {
        check: CHECK_NO_AUTH, status: 'fail',
        detail: `Telnet on port ${ev.port} gives a shell (prompt "${ev.shellPrompt ?? ''}") without asking for any user name or password; it answered an empty line with the same prompt.`,
        evidence: pub,
      },
      { check: CHECK_DEFAULT, status: 'not_applicable', detail: 'Telnet asks for no login at all.', evidence: pub },
      { check: CHECK_ANY, status: 'not_applicable', detail: 'Telnet asks for no login at all.', evidence: pub },
    ];
  }
  const results = assessGuesses(ev, {
    defaultCheck: CHECK_DEFAULT, anyCheck: CHECK_ANY, label: `Telnet on port ${ev.port}`,
    anyTitle: 'Telnet accepts any password', cleartext: true,
  });
  const sawPrompt = ev.firstScreen === 'login-prompt' || ev.firstScreen === 'password-prompt';
  if (sawPrompt) {
    results.push({ check: CHECK_NO_AUTH, status: 'pass', detail: 'Telnet asked for a login before giving access.', evidence: pub });
  } else if (ev.stop === 'error' || ev.firstScreen === 'none') {
    const e = ev.errors[0];
    results.push({ check: CHECK_NO_AUTH, status: 'error', error: { kind: (e?.kind ?? 'protocol-error') as 'protocol-error', message: e?.message ?? 'no prompt seen' }, evidence: pub });
  } else {
    results.push({ check: CHECK_NO_AUTH, status: 'not_tested', detail: 'Telnet showed no recognisable prompt.', evidence: pub });
  }
  return results;
}

export default defineProbe<TelnetEvidence>({
  meta: {
    id: 'telnet-default-credentials',
    title: 'Telnet default credentials',
    safety: 'credentials',
    appliesTo: { scope: 'service', transport: 'tcp', services: ['telnet'], ports: [23, 2323] },
    budget: { maxConnections: 110, timeoutMs: JOB_TIMEOUT_MS, typicalMs: 12_000 },
    checks: {
      [CHECK_DEFAULT]: {
        title: 'Telnet rejects default credentials',
        failureTitle: 'Telnet accepts a default credential',
        summary: 'This device still accepts a factory password over Telnet, so anyone on your network can take full control of it — the way the Mirai botnet took over hundreds of thousands of cameras and recorders.',
        guidelines: ['uk-cop-1', 'uk-cop-5'],
        provisions: ['5.1-1', '5.1-2', '5.5-1'],
        severity: 'critical',
        description: 'A well-known default user name and password logs in to the device\'s Telnet service and gives a command shell. Telnet also sends that password unencrypted, so anyone who can watch the network sees it.',
        remediation: 'Change the password of this account (and every other account on the device) to a long, unique one, then switch Telnet off in the device settings; use SSH or the app instead. If the device offers no way to change the password or disable Telnet, update its firmware or replace it, and until then keep it on a separate network that untrusted devices cannot reach.',
      },
      [CHECK_NO_AUTH]: {
        title: 'Telnet asks for a login',
        failureTitle: 'Telnet gives a shell without any login',
        summary: 'Anyone on your network can type commands on this device over Telnet without a password.',
        guidelines: ['uk-cop-1', 'uk-cop-5'],
        provisions: ['5.1-1', '5.5-1', '5.6-1'],
        severity: 'critical',
        description: 'Connecting to the Telnet port gives a command prompt straight away, with no user name or password: full control of the device for anyone who can reach it.',
        remediation: 'Switch off the Telnet service (often a "debug" or "maintenance" option); if it cannot be switched off, update the firmware or replace the device, and keep it isolated from the rest of the network until then.',
      },
      [CHECK_ANY]: {
        title: 'Telnet rejects a wrong password',
        failureTitle: 'Telnet accepts any password',
        summary: 'This device lets anyone log in over Telnet whatever password they type.',
        guidelines: ['uk-cop-1', 'uk-cop-5'],
        provisions: ['5.1-1', '5.5-1'],
        severity: 'critical',
        description: 'A random user name and password that no device has logged in and got a shell: the Telnet login does not check passwords at all. (iotcop therefore does not report any specific default credential for this service.)',
        remediation: 'Switch off Telnet; if it cannot be switched off, update the firmware or replace the device, and isolate it from the rest of the network until then.',
      },
    },
  },

  async collect(ctx) {
    const port = ctx.service?.port ?? 23;
    const started = Date.now();
    const state: State = { firstScreen: 'none', mode: null, noAuthentication: false, shellPrompt: null, banner: null, unconfirmedShells: 0 };
    const owner = ownerPairs(ctx.credentials, ctx.config, 'telnet');
    const planFor = (): CandidatePlan => buildCandidates({
      service: 'telnet',
      signals: signalsOf(ctx.device, ctx.service, [state.banner], ctx.config),
      owner,
      passwordOnly: state.mode === 'password-only',
    });
    const peeked = await peekFirstScreen(ctx, port, state);
    let plan = planFor();
    const run = await runGuesses({
      negativeControl: randomCredential(),
      candidates: plan.candidates,
      ...(peeked ? {} : {
        replan: () => {
          // The first connection showed the banner and the login style: re-match vendors and de-duplicate.
          plan = planFor();
          return { candidates: plan.candidates, policy: initialPolicy(plan, [lockoutHint(state.banner ?? '')]) };
        },
      }),
      policy: initialPolicy(plan, [lockoutHint(state.banner ?? '')]),
      attempt: (c) => attemptLogin(ctx, port, c, state),
      ...fromContext(ctx),
      deadlineAt: started + JOB_TIMEOUT_MS - 8_000,
      attemptMs: ATTEMPT_MS,
      // busybox and most embedded logins wait about 1 s after a wrong password: two at a time (the per-host default)
      parallel: GUESS_PARALLEL,
    });
    const ev = guessEvidence(run, plan, ctx.settings.maxGuesses);
    if (state.mode === 'password-only') {
      // Only passwords were typed: user names from the lists were never sent.
      ev.usernamesTried = [];
      if (ev.found) ev.found.username = '';
    }
    return {
      ...ev,
      port,
      firstScreen: state.firstScreen,
      mode: state.mode,
      noAuthentication: state.noAuthentication,
      shellPrompt: state.shellPrompt,
      banner: state.banner,
      unconfirmedShells: state.unconfirmedShells,
    };
  },

  assess(evidence) {
    return assessTelnet(evidence);
  },
});
