/**
 * A small Telnet client of our own (LIBRARIES.md: telnet-client pulls in unrelated packages and only parses
 * IAC at the start of a chunk). It runs over a `Conn` from the net layer, so every read stays capped and
 * deadline-bound, and it never opens a socket itself.
 *
 * - IacDecoder (pure): RFC 854 option negotiation as a byte-level state machine that survives any chunking:
 *   refuses every DO (WONT), accepts WILL ECHO and WILL SUPPRESS-GO-AHEAD (DO), refuses other WILLs (DONT),
 *   answers each option at most once (no negotiation loops), skips SB … SE (bounded), turns IAC IAC into 0xFF.
 * - Prompt logic (pure): what the end of the text a device sent means — a login prompt, a password prompt,
 *   a shell prompt, a failed login, a lockout message — with banners that merely contain `#` or `>` kept
 *   apart from prompts. A shell prompt only counts as a login when it answers again (see TelnetSession.confirmShell).
 * - TelnetSession: reads until the text settles into one of those states, writes lines, keeps a capped transcript.
 */
import type { Conn } from './types.js';
import { LOCKOUT_PATTERNS } from '../data/lockout-patterns.js';

export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;

/** Subnegotiation bytes we skip before giving up on finding SE (the rest is still skipped, just not stored). */
const MAX_SB = 1024;

type DecState = 'data' | 'iac' | 'opt' | 'sb' | 'sb-iac';

export interface DecodeResult {
  /** Application data with every Telnet command removed. */
  data: Buffer;
  /** Negotiation replies to send, in order. */
  replies: Buffer;
}

export class IacDecoder {
  private state: DecState = 'data';
  private verb = 0;
  private sbLength = 0;
  /** Options we answered on our side (DO/DONT received) and on theirs (WILL/WONT received). */
  private readonly ourAnswered = new Set<number>();
  private readonly theirEnabled = new Set<number>();
  private readonly theirRefused = new Set<number>();
  /** Options the peer turned on for itself with our consent (ECHO means the device echoes what we type). */
  readonly accepted: ReadonlySet<number> = this.theirEnabled;
  private static readonly ACCEPT = new Set([OPT_ECHO, OPT_SGA]);

  feed(chunk: Buffer): DecodeResult {
    const data: number[] = [];
    const replies: number[] = [];
    for (const b of chunk) {
      switch (this.state) {
        case 'data':
          if (b === IAC) this.state = 'iac';
          else data.push(b);
          break;
        case 'iac':
          if (b === IAC) { data.push(IAC); this.state = 'data'; }
          else if (b === SB) { this.state = 'sb'; this.sbLength = 0; }
          else if (b === WILL || b === WONT || b === DO || b === DONT) { this.verb = b; this.state = 'opt'; }
          else this.state = 'data'; // NOP, GA, DM, AYT, … carry no data for us
          break;
        case 'opt':
          this.negotiate(this.verb, b, replies);
          this.state = 'data';
          break;
        case 'sb':
          if (b === IAC) this.state = 'sb-iac';
          else this.sbLength++;
          break;
        case 'sb-iac':
          // IAC SE ends the subnegotiation; IAC IAC is a literal inside it; anything else: stay inside.
          this.state = b === SE ? 'data' : 'sb';
          if (b !== SE) this.sbLength++;
          break;
      }
      if (this.sbLength > MAX_SB) this.sbLength = MAX_SB; // keep counting bounded; bytes are dropped anyway
    }
    return { data: Buffer.from(data), replies: Buffer.from(replies) };
  }

  private negotiate(verb: number, opt: number, replies: number[]): void {
    if (verb === DO) {
      // We enable nothing on our side.
      if (!this.ourAnswered.has(opt)) { this.ourAnswered.add(opt); replies.push(IAC, WONT, opt); }
    } else if (verb === DONT) {
      this.ourAnswered.add(opt); // already off: no reply (RFC 854: do not acknowledge a non-change)
    } else if (verb === WILL) {
      if (IacDecoder.ACCEPT.has(opt)) {
        if (!this.theirEnabled.has(opt)) { this.theirEnabled.add(opt); replies.push(IAC, DO, opt); }
      } else if (!this.theirRefused.has(opt)) {
        this.theirRefused.add(opt);
        replies.push(IAC, DONT, opt);
      }
    } else if (verb === WONT) {
      if (this.theirEnabled.has(opt)) { this.theirEnabled.delete(opt); replies.push(IAC, DONT, opt); }
    }
  }
}

/** Escapes 0xFF in data we send (IAC IAC). */
export function escapeIac(data: Buffer): Buffer {
  if (!data.includes(IAC)) return data;
  const out: number[] = [];
  for (const b of data) { out.push(b); if (b === IAC) out.push(IAC); }
  return Buffer.from(out);
}

// ---------------------------------------------------------------------------------------------------
// Prompt logic (pure)

/** Text kept for classification: only the tail matters, and regexes must run on capped input. */
export const CLASSIFY_TAIL_CHARS = 2048;

/**
 * Removes terminal control sequences (CSI, OSC, other ESC sequences), NUL, BEL, backspace overstrikes
 * and other C0 controls except CR/LF/TAB, from a capped tail of the text.
 */
export function stripTerminal(text: string): string {
  const t = text.length > CLASSIFY_TAIL_CHARS * 2 ? text.slice(-CLASSIFY_TAIL_CHARS * 2) : text;
  return t
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b\][^\x07\x1b]{0,512}(?:\x07|\x1b\\)/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/\x1b[@-_]/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[^\x08]\x08/g, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '');
}

/** The last line of the text (what a device leaves on screen while it waits), trailing spaces removed. */
export function lastLine(text: string): string {
  const t = stripTerminal(text);
  const i = Math.max(t.lastIndexOf('\n'), t.lastIndexOf('\r'));
  return t.slice(i + 1).replace(/[ \t]+$/, '').slice(-200);
}

const LOGIN_PROMPT = /(?:^|[\s:>-])(?:log ?in|login as|user ?name|user(?: ?id)?|account|name)\s*[:>]$/i;
const PASSWORD_PROMPT = /\b(?:pass ?word|passwd|pass ?code|pass|pwd|pin)\b[^\n]{0,40}[:>]$/i;
const FAILURE_TEXT = /\b(?:log ?in incorrect|incorrect|invalid|denied|failed|failure|wrong|bad password|not authori[sz]ed|authentication error|unknown user)\b/i;
const SHELL_END = /[#$>%]$/;
/** A line made of decoration only ("######", "=====>", "#  #") is a banner, not a prompt (a lone "#" is a prompt). */
function isDecoration(line: string): boolean {
  const t = line.replace(/\s+/g, '');
  return t.length >= 2 && /^[#=*\-_+|.>]+$/.test(t);
}

/** The first lockout phrase in a capped text, as it appears (max 120 chars of context), or undefined. */
export function findLockoutText(text: string): string | undefined {
  const t = stripTerminal(text).slice(-CLASSIFY_TAIL_CHARS);
  for (const re of LOCKOUT_PATTERNS) {
    const m = re.exec(t);
    if (m) {
      const start = Math.max(0, t.lastIndexOf('\n', m.index) + 1);
      const endNl = t.indexOf('\n', m.index);
      const end = endNl < 0 ? t.length : endNl;
      return t.slice(start, Math.min(end, start + 120)).trim();
    }
  }
  return undefined;
}

export type TelnetScreen =
  | 'login-prompt' | 'password-prompt' | 'shell-prompt' | 'login-failed' | 'lockout' | 'unknown';

export interface ScreenInfo {
  screen: TelnetScreen;
  /** The prompt line when the screen is a prompt (shell prompts: used to confirm the shell answers). */
  prompt?: string;
  lockoutText?: string;
}

export function isLoginPrompt(line: string): boolean {
  return line.length <= 120 && LOGIN_PROMPT.test(line);
}

export function isPasswordPrompt(line: string): boolean {
  return line.length <= 120 && PASSWORD_PROMPT.test(line);
}

/**
 * Whether a last line looks like a shell prompt: short, ends with # $ > or %, is not decoration (a banner
 * of # characters), does not ask for a login or a password and is not a message about a failure.
 */
export function isShellPromptLine(line: string): boolean {
  const l = line.trim();
  if (l.length === 0 || l.length > 80) return false;
  if (!SHELL_END.test(l)) return false;
  if (isDecoration(l)) return false;
  if (isLoginPrompt(l) || isPasswordPrompt(l)) return false;
  if (FAILURE_TEXT.test(l) || findLockoutText(l) !== undefined) return false;
  // Sentences are not prompts: "Welcome to the DVR. Press any key>" has spaces between several words.
  if ((l.match(/\s+/g) ?? []).length > 3) return false;
  return true;
}

/**
 * What the device shows now, from the text it sent since our last input. Only the last line decides which
 * prompt is waiting (text that ends with a newline is still arriving, or is a banner: 'unknown').
 * `afterInput` is true when the text answers something we sent (then failure and lockout messages count).
 */
export function classifyScreen(text: string, afterInput: boolean): ScreenInfo {
  const clean = stripTerminal(text).slice(-CLASSIFY_TAIL_CHARS);
  const last = lastLine(clean);
  // A shell prompt on the last line wins over earlier text ("There were 3 failed login attempts since the
  // last successful login" is printed by a successful login); it is confirmed separately before it counts.
  if (isShellPromptLine(last)) return { screen: 'shell-prompt', prompt: last.trim() };
  const lockoutText = findLockoutText(clean);
  // Before any input, a lockout phrase followed by a login prompt is a banner ("accounts lock after 3 tries").
  if (lockoutText !== undefined && (afterInput || !(isLoginPrompt(last) || isPasswordPrompt(last)))) {
    return { screen: 'lockout', lockoutText };
  }
  if (isPasswordPrompt(last)) return { screen: 'password-prompt', prompt: last };
  if (isLoginPrompt(last)) {
    if (afterInput && FAILURE_TEXT.test(clean)) return { screen: 'login-failed', prompt: last };
    return { screen: 'login-prompt', prompt: last };
  }
  if (afterInput && FAILURE_TEXT.test(clean)) return { screen: 'login-failed' };
  return { screen: 'unknown' };
}

/**
 * Whether `text`, the answer to an empty line sent at a shell prompt, shows the same prompt again: the
 * proof that a shell (not a banner or a login program) is waiting.
 */
export function promptAnswered(prompt: string, text: string): boolean {
  const last = lastLine(text).trim();
  if (!isShellPromptLine(last)) return false;
  if (last === prompt) return true;
  // Some shells put the working directory or a counter in the prompt: same end character and same start.
  const head = prompt.slice(0, Math.min(prompt.length - 1, 8));
  return last.slice(-1) === prompt.slice(-1) && head.length > 0 && last.startsWith(head);
}

// ---------------------------------------------------------------------------------------------------
// Session over a Conn

export interface TelnetSessionOptions {
  /** Absolute deadline (epoch ms) of this session: nothing waits past it. */
  deadlineAt: number;
  /** Text kept in the transcript (the tail beyond this is dropped). Default 16 KiB. */
  maxTranscriptChars?: number;
  /** Quiet time after a recognised screen before it is trusted (more text may follow). Default 300 ms. */
  settleMs?: number;
  now?: () => number;
}

export interface WaitResult extends ScreenInfo {
  /** Text received while waiting (terminal sequences kept; capped). */
  text: string;
  timedOut: boolean;
  closed: boolean;
}

export class TelnetSession {
  private readonly decoder = new IacDecoder();
  private transcriptText = '';
  private closedFlag = false;
  private readonly maxTranscript: number;
  private readonly settleMs: number;
  private readonly now: () => number;

  constructor(private readonly conn: Conn, private readonly options: TelnetSessionOptions) {
    this.maxTranscript = options.maxTranscriptChars ?? 16 * 1024;
    this.settleMs = options.settleMs ?? 300;
    this.now = options.now ?? Date.now;
  }

  get closed(): boolean { return this.closedFlag; }
  /** Everything received so far (capped tail). */
  get transcript(): string { return this.transcriptText; }

  private remaining(): number { return Math.max(0, this.options.deadlineAt - this.now()); }

  /** Reads one batch of bytes (at least one, or until timeout/close), answers negotiation, returns the text. */
  private async readSome(timeoutMs: number): Promise<{ text: string; timedOut: boolean; closed: boolean }> {
    const wait = Math.min(timeoutMs, this.remaining());
    if (wait <= 0 || this.closedFlag) return { text: '', timedOut: !this.closedFlag, closed: this.closedFlag };
    const r = await this.conn.readUntil((b) => b.length > 0, wait);
    if (r.closed) this.closedFlag = true;
    const { data, replies } = this.decoder.feed(r.data);
    if (replies.length > 0 && !this.closedFlag) {
      try { await this.conn.write(replies); } catch { this.closedFlag = true; }
    }
    const text = data.toString('latin1').replace(/\0/g, '');
    this.transcriptText = (this.transcriptText + text).slice(-this.maxTranscript);
    return { text, timedOut: r.timedOut && r.data.length === 0, closed: this.closedFlag };
  }

  /**
   * Reads until the screen settles into a recognised state (then waits `settleMs` for more text), the peer
   * closes, or `timeoutMs` passes. Returns the state of everything received during the wait.
   */
  async waitForScreen(timeoutMs: number, afterInput: boolean): Promise<WaitResult> {
    const until = Math.min(this.now() + timeoutMs, this.options.deadlineAt);
    let text = '';
    let timedOut = false;
    for (;;) {
      const left = until - this.now();
      if (left <= 0) { timedOut = true; break; }
      const info = classifyScreen(text, afterInput);
      const r = await this.readSome(info.screen === 'unknown' ? left : Math.min(left, this.settleMs));
      text = (text + r.text).slice(-this.maxTranscript);
      if (r.closed) break;
      if (r.text === '' && info.screen !== 'unknown') break; // settled: nothing more came
      if (r.timedOut && info.screen === 'unknown') { timedOut = true; break; }
    }
    return { ...classifyScreen(text, afterInput), text, timedOut, closed: this.closedFlag };
  }

  /** Sends one line ending in CR LF. */
  async sendLine(line: string): Promise<void> {
    if (this.closedFlag) throw new Error('telnet connection is closed');
    await this.conn.write(escapeIac(Buffer.from(`${line}\r\n`, 'utf8')));
  }

  /**
   * Proves that a shell prompt is a live shell: sends an empty line and expects the same prompt again.
   * Runs no command (nothing is executed on the device). Returns what the device showed after the empty
   * line too, so a caller can go on when it was a banner followed by a login prompt.
   */
  async confirmShell(prompt: string, timeoutMs: number): Promise<{ confirmed: boolean; after: WaitResult }> {
    await this.sendLine('');
    const after = await this.waitForScreen(timeoutMs, true);
    return { confirmed: after.screen === 'shell-prompt' && promptAnswered(prompt, after.text), after };
  }

  close(): void {
    this.closedFlag = true;
    this.conn.close();
  }
}
