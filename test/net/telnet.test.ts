import {
  DO, DONT, IAC, IacDecoder, SB, SE, TelnetSession, WILL, WONT, classifyScreen, escapeIac, findLockoutText,
  isShellPromptLine, lastLine, promptAnswered, stripTerminal,
} from '../../src/net/telnet.js';
import { credContext, tcp } from '../probes/helpers/credential-context.js';
import { fakeTelnet } from '../probes/helpers/fake-telnet.js';

describe('IacDecoder', () => {
  it('refuses DO, accepts WILL ECHO/SGA, refuses other WILLs, strips commands from the data', () => {
    const d = new IacDecoder();
    const r = d.feed(Buffer.from([IAC, DO, 24, IAC, WILL, 1, IAC, WILL, 3, IAC, WILL, 5, 0x6c, 0x6f, 0x67, 0x69, 0x6e]));
    expect(r.data.toString()).toBe('login');
    expect([...r.replies]).toEqual([IAC, WONT, 24, IAC, DO, 1, IAC, DO, 3, IAC, DONT, 5]);
    expect(d.accepted.has(1)).toBe(true);
  });

  it('answers each option once (no negotiation loop)', () => {
    const d = new IacDecoder();
    d.feed(Buffer.from([IAC, DO, 31, IAC, WILL, 1]));
    const again = d.feed(Buffer.from([IAC, DO, 31, IAC, WILL, 1, IAC, DONT, 31]));
    expect(again.replies.length).toBe(0);
  });

  it('survives commands split across chunks, skips SB…SE and keeps IAC IAC as 0xFF', () => {
    const d = new IacDecoder();
    const parts = [[IAC], [SB, 24, 1, IAC], [IAC, 7, IAC], [SE, 0x41, IAC], [IAC, 0x42, IAC], [WILL], [1]];
    const out: number[] = [];
    const replies: number[] = [];
    for (const p of parts) { const r = d.feed(Buffer.from(p)); out.push(...r.data); replies.push(...r.replies); }
    expect(out).toEqual([0x41, 0xff, 0x42]);
    expect(replies).toEqual([IAC, DO, 1]);
  });

  it('bounds an endless subnegotiation', () => {
    const d = new IacDecoder();
    const r = d.feed(Buffer.concat([Buffer.from([IAC, SB]), Buffer.alloc(100_000, 0x41)]));
    expect(r.data.length).toBe(0);
  });

  it('escapes 0xFF in what we send', () => {
    expect([...escapeIac(Buffer.from([0x61, 0xff, 0x62]))]).toEqual([0x61, 0xff, 0xff, 0x62]);
  });
});

describe('prompt logic', () => {
  it('removes terminal sequences and finds the last line', () => {
    expect(stripTerminal('\x1b[1;32mroot@cam\x1b[0m:~# ')).toBe('root@cam:~# ');
    expect(lastLine('Welcome\r\n\x1b]0;title\x07cam login: ')).toBe('cam login:');
  });

  it.each([
    ['dvr-0421 login: ', 'login-prompt'],
    ['\r\nUsername:', 'login-prompt'],
    ['Password: ', 'password-prompt'],
    ["admin@10.0.0.1's password:", 'password-prompt'],
    ['BusyBox v1.19.4 built-in shell (ash)\r\n# ', 'shell-prompt'],
    ['root@IPC:~# ', 'shell-prompt'],
    ['[admin@MikroTik] > ', 'shell-prompt'],
    ['user@host:~$ ', 'shell-prompt'],
  ])('classifies %j as %s', (text, screen) => {
    expect(classifyScreen(text, false).screen).toBe(screen);
  });

  it.each([
    ['#############################\r\n#   Welcome to the DVR      #\r\n#############################\r\nlogin: ', 'login-prompt'],
    ['Welcome to DVR>\r\n\r\ncam login: ', 'login-prompt'],
    ['##########', 'unknown'],
    ['=====>', 'unknown'],
    ['Press any key to continue to the login screen>', 'unknown'],
    ['Banner with a # in it\r\n', 'unknown'],
  ])('does not take a banner with # or > for a shell: %j', (text, screen) => {
    expect(classifyScreen(text, false).screen).toBe(screen);
  });

  it('recognises failures and lockouts only as answers to input', () => {
    expect(classifyScreen('\r\nLogin incorrect\r\ncam login: ', true).screen).toBe('login-failed');
    expect(classifyScreen('\r\nAccess denied\r\n', true).screen).toBe('login-failed');
    expect(classifyScreen('\r\nToo many failed login attempts. Try again later.\r\n', true).screen).toBe('lockout');
    // A warning banner before the first prompt is not a lockout.
    expect(classifyScreen('Accounts are locked after 3 failed attempts.\r\nlogin: ', false).screen).toBe('login-prompt');
    expect(findLockoutText('Your account has been locked')).toContain('locked');
    expect(findLockoutText('unlocked and ready')).toBeUndefined();
  });

  it('a shell prompt after a "failed login attempts" notice is still a shell (confirmed separately)', () => {
    const r = classifyScreen('There were 3 failed login attempts since the last successful login.\r\nroot@nas:~# ', true);
    expect(r.screen).toBe('shell-prompt');
    expect(r.prompt).toBe('root@nas:~#');
  });

  it('isShellPromptLine rejects decoration, sentences and prompts for credentials', () => {
    expect(isShellPromptLine('# ')).toBe(true);
    expect(isShellPromptLine('####')).toBe(false);
    expect(isShellPromptLine('Type help to get a list of the available commands >')).toBe(false);
    expect(isShellPromptLine('Password>')).toBe(false);
    expect(isShellPromptLine('x'.repeat(100) + '#')).toBe(false);
  });

  it('promptAnswered wants the same prompt again', () => {
    expect(promptAnswered('root@cam:~#', '\r\nroot@cam:~# ')).toBe(true);
    expect(promptAnswered('#', '\r\n# ')).toBe(true);
    expect(promptAnswered('root@cam:~#', '\r\ncam login: ')).toBe(false);
    expect(promptAnswered('#', '')).toBe(false);
  });
});

describe('TelnetSession over a real connection', () => {
  it('negotiates, logs in, and confirms the shell answers (bytes dribbled one by one)', async () => {
    const srv = await fakeTelnet({ accounts: { root: 'vizxv' }, banner: 'IPC-HFW4431R-Z\r\n', dribble: true });
    const { ctx } = credContext({ service: tcp(srv.port, 'telnet') });
    try {
      const s = new TelnetSession(await ctx.net.tcp(srv.port), { deadlineAt: Date.now() + 15_000, settleMs: 150 });
      const first = await s.waitForScreen(5_000, false);
      expect(first.screen).toBe('login-prompt');
      expect(stripTerminal(first.text)).toContain('IPC-HFW4431R-Z');
      await s.sendLine('root');
      expect((await s.waitForScreen(5_000, true)).screen).toBe('password-prompt');
      await s.sendLine('vizxv');
      const after = await s.waitForScreen(5_000, true);
      expect(after.screen).toBe('shell-prompt');
      const { confirmed } = await s.confirmShell(after.prompt ?? '', 3_000);
      expect(confirmed).toBe(true);
      s.close();
    } finally {
      await srv.close();
    }
    expect(srv.attempts).toEqual([{ username: 'root', password: 'vizxv', outcome: 'shell' }]);
  });

  it('a prompt-looking banner that never answers is not confirmed', async () => {
    const srv = await fakeTelnet({ mode: 'no-auth', prompt: 'DVR> ', deadShell: true });
    const { ctx } = credContext({ service: tcp(srv.port, 'telnet') });
    try {
      const s = new TelnetSession(await ctx.net.tcp(srv.port), { deadlineAt: Date.now() + 10_000, settleMs: 100 });
      const first = await s.waitForScreen(3_000, false);
      expect(first.screen).toBe('shell-prompt');
      const { confirmed } = await s.confirmShell(first.prompt ?? '', 800);
      expect(confirmed).toBe(false);
      s.close();
    } finally {
      await srv.close();
    }
  });

  it('returns on timeout with what it has when the device says nothing', async () => {
    const srv = await fakeTelnet({ mode: 'login', banner: '' });
    const { ctx } = credContext({ service: tcp(srv.port, 'telnet') });
    try {
      const s = new TelnetSession(await ctx.net.tcp(srv.port), { deadlineAt: Date.now() + 10_000, settleMs: 50 });
      await s.waitForScreen(2_000, false);
      await s.sendLine('x');
      await s.waitForScreen(2_000, true);
      const silent = await s.waitForScreen(300, true); // waiting for a password answer that never comes
      expect(silent.timedOut).toBe(true);
      expect(silent.text).toBe('');
      expect(silent.screen).toBe('unknown'); // the screen describes what arrived while waiting: nothing
      s.close();
    } finally {
      await srv.close();
    }
  });
});
