/**
 * An in-process fake Telnet login service on 127.0.0.1 for the telnet client and probe tests: IAC
 * negotiation, a banner, login/password prompts (or password-only, or no login at all), a shell that answers
 * an empty line with its prompt, failure messages, a lockout after N failures, and a log of every attempt.
 */
import type net from 'node:net';
import { tcpServer } from './credential-context.js';
import type { Authorize } from '../honeypot/decision.js';

export interface FakeTelnetOptions {
  banner?: string;
  mode?: 'login' | 'password-only' | 'no-auth';
  accounts?: Record<string, string>;
  acceptAny?: boolean;
  prompt?: string;
  hostname?: string;
  failureText?: string;
  /** Failures (over all connections) after which every answer is the lockout text. */
  lockAfter?: number;
  lockText?: string;
  /** The "shell" prints its prompt once and then ignores input (a banner that looks like a prompt). */
  deadShell?: boolean;
  /** Text printed after a successful login, before the prompt. */
  motd?: string;
  /** Send every byte in its own write (tests chunk handling). */
  dribble?: boolean;
  /** Close the connection after a failed login instead of prompting again. */
  hangupOnFailure?: boolean;
  /** Decides each login instead of accounts/acceptAny/lockAfter ('lock': the lockout text, then hang up). */
  authorize?: Authorize;
}

export interface FakeTelnet {
  port: number;
  attempts: { username: string; password: string; outcome: 'shell' | 'failure' | 'locked' }[];
  connections: number;
  close(): Promise<void>;
}

const IAC = 255;

export async function fakeTelnet(o: FakeTelnetOptions = {}): Promise<FakeTelnet> {
  const state: FakeTelnet = { port: 0, attempts: [], connections: 0, close: async () => undefined };
  let failures = 0;
  const prompt = o.prompt ?? '# ';
  const host = o.hostname ?? 'cam';
  const srv = await tcpServer((sock: net.Socket) => {
    state.connections += 1;
    const write = (s: string | Buffer): void => {
      const b = typeof s === 'string' ? Buffer.from(s, 'latin1') : s;
      if (o.dribble) { for (const byte of b) sock.write(Buffer.from([byte])); } else sock.write(b);
    };
    let stage: 'login' | 'password' | 'shell' = o.mode === 'password-only' ? 'password' : o.mode === 'no-auth' ? 'shell' : 'login';
    let user = '';
    let line = '';
    let iac = 0;
    const locked = (): boolean => o.lockAfter !== undefined && failures >= o.lockAfter;
    write(Buffer.from([IAC, 251, 1, IAC, 251, 3, IAC, 253, 24]));
    if (o.banner !== undefined) write(o.banner);
    if (locked()) { write(`\r\n${o.lockText ?? 'Too many failed login attempts. Try again later.'}\r\n`); sock.end(); return; }
    if (stage === 'login') write(`\r\n${host} login: `);
    else if (stage === 'password') write('\r\nPassword: ');
    else write(`\r\n${prompt}`);
    let shellAnswered = false;
    const onLine = (text: string): void => {
      if (stage === 'login') {
        if (text === '') { write(`\r\n${host} login: `); return; }
        user = text;
        stage = 'password';
        write('\r\nPassword: ');
        return;
      }
      if (stage === 'password') {
        const verdict = o.authorize?.(user, text);
        const ok = verdict !== undefined ? verdict === 'accept' : o.acceptAny === true || (o.accounts !== undefined && (o.mode === 'password-only'
          ? Object.values(o.accounts).includes(text)
          : o.accounts[user] === text));
        if (verdict === 'lock' || locked()) {
          state.attempts.push({ username: user, password: text, outcome: 'locked' });
          write(`\r\n${o.lockText ?? 'Too many failed login attempts. Try again later.'}\r\n`);
          sock.end();
          return;
        }
        if (ok) {
          state.attempts.push({ username: user, password: text, outcome: 'shell' });
          stage = 'shell';
          write(`\r\n${o.motd ?? ''}\r\n${prompt}`);
          return;
        }
        failures += 1;
        state.attempts.push({ username: user, password: text, outcome: 'failure' });
        if (locked()) { write(`\r\n${o.lockText ?? 'Too many failed login attempts. Try again later.'}\r\n`); sock.end(); return; }
        write(`\r\n${o.failureText ?? 'Login incorrect'}\r\n`);
        if (o.hangupOnFailure) { sock.end(); return; }
        stage = o.mode === 'password-only' ? 'password' : 'login';
        write(stage === 'login' ? `${host} login: ` : 'Password: ');
        return;
      }
      if (o.deadShell && shellAnswered) return;
      shellAnswered = true;
      if (o.deadShell) return; // never answers anything
      write(`\r\n${prompt}`);
    };
    sock.on('data', (chunk: Buffer) => {
      for (const b of chunk) {
        if (iac > 0) { iac -= 1; continue; }
        if (b === IAC) { iac = 2; continue; }
        if (b === 0) continue;
        if (b === 13 || b === 10) {
          if (b === 10 && line === '\u0000cr') { line = ''; continue; }
          const l = line === '\u0000cr' ? '' : line;
          line = b === 13 ? '\u0000cr' : '';
          onLine(l);
          continue;
        }
        if (line === '\u0000cr') line = '';
        if (line.length < 200) line += String.fromCharCode(b);
      }
    });
  });
  state.port = srv.port;
  state.close = srv.close;
  return state;
}
