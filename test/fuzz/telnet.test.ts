/**
 * Fuzzing telnet parsing: option negotiation (src/net/telnet.ts IacDecoder, discovery's banner
 * reader) and prompt detection (stripTerminal, lastLine, classifyScreen, promptAnswered). A device
 * controls every byte: negotiation storms, subnegotiations that never end, IAC split across reads,
 * escape sequences and prompt-like characters.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  CLASSIFY_TAIL_CHARS, DO, DONT, IAC, IacDecoder, SB, SE, WILL, WONT, classifyScreen, escapeIac, lastLine, promptAnswered, stripTerminal,
} from '../../src/net/telnet.js';
import { looksLikeTelnet, stripTelnet } from '../../src/discovery/collectors/banner.js';
import { hostileBytes, hostileText, RUNS } from './arbitraries.js';

/** Bytes rich in telnet commands: IAC with every verb, SB without SE, literal 0xFF, text. */
const telnetBytes = fc.array(fc.oneof(
  fc.tuple(fc.constantFrom(DO, DONT, WILL, WONT), fc.integer({ min: 0, max: 255 })).map(([v, o]) => [IAC, v, o]),
  fc.constant([IAC, SB, 24, 0]), fc.constant([IAC, SE]), fc.constant([IAC, IAC]), fc.constant([IAC]),
  fc.integer({ min: 0, max: 255 }).map((b) => [b]),
  hostileText(40).map((s) => [...Buffer.from(s)]),
), { maxLength: 400 }).map((parts) => Buffer.from(parts.flat()));

function splitAt(buf: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (buf.length + 1)))].sort((a, b) => a - b);
  const out: Buffer[] = [];
  let prev = 0;
  for (const p of points) { out.push(buf.subarray(prev, p)); prev = p; }
  out.push(buf.subarray(prev));
  return out;
}

function decodeAll(chunks: Buffer[]): { data: Buffer; replies: Buffer } {
  const d = new IacDecoder();
  const data: Buffer[] = [];
  const replies: Buffer[] = [];
  for (const c of chunks) {
    const r = d.feed(c);
    data.push(r.data);
    replies.push(r.replies);
  }
  return { data: Buffer.concat(data), replies: Buffer.concat(replies) };
}

describe('telnet option negotiation', () => {
  it('never throws, never returns more data or replies than it was fed, replies only refuse or accept', () => {
    fc.assert(fc.property(fc.oneof(telnetBytes, hostileBytes()), (buf) => {
      const { data, replies } = decodeAll([buf]);
      expect(data.length).toBeLessThanOrEqual(buf.length);
      expect(replies.length).toBeLessThanOrEqual(buf.length);
      expect(replies.length % 3).toBe(0);
      for (let i = 0; i < replies.length; i += 3) {
        expect(replies[i]).toBe(IAC);
        expect([WONT, DO, DONT]).toContain(replies[i + 1]);
      }
    }), RUNS);
  });

  it('gives the same result however the bytes are split across reads (IAC in the middle of a chunk or across two)', () => {
    fc.assert(fc.property(telnetBytes, fc.array(fc.nat(), { maxLength: 12 }), (buf, cuts) => {
      const whole = decodeAll([buf]);
      const parts = decodeAll(splitAt(buf, cuts));
      expect(parts.data.equals(whole.data)).toBe(true);
      expect(parts.replies.equals(whole.replies)).toBe(true);
    }), RUNS);
  });

  it('answers a negotiation storm once per option, not once per request (no amplification)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 255 }), fc.constantFrom(DO, WILL), fc.integer({ min: 2, max: 5000 }), (opt, verb, n) => {
      const storm = Buffer.from(Array.from({ length: n }, () => [IAC, verb, opt]).flat());
      const { replies, data } = decodeAll([storm]);
      expect(data.length).toBe(0);
      expect(replies.length).toBe(3);
    }), { numRuns: 100 });
  });

  it('swallows a subnegotiation that never ends without keeping it', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 1, maxLength: 100_000 }), (body) => {
      const bytes = Buffer.concat([Buffer.from([IAC, SB, 24]), Buffer.from(body).map((b) => (b === IAC ? 0 : b))]);
      expect(decodeAll([bytes]).data.length).toBe(0);
    }), { numRuns: 50 });
  });

  it('escapes 0xFF in what we send so the decoder reads it back unchanged', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (a) => {
      const plain = Buffer.from(a);
      expect(decodeAll([escapeIac(plain)]).data.equals(plain)).toBe(true);
    }), RUNS);
  });

  it('discovery\'s banner reader: detection and stripping never throw and never grow the input', () => {
    fc.assert(fc.property(fc.oneof(telnetBytes, hostileBytes()), (buf) => {
      expect(typeof looksLikeTelnet(buf)).toBe('boolean');
      expect(stripTelnet(buf).length).toBeLessThanOrEqual(buf.length);
    }), RUNS);
  });
});

describe('telnet prompt detection', () => {
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/;
  const screenText = fc.oneof(hostileText(6000), fc.array(fc.constantFrom('login: ', 'Password: ', '# ', '> ', '$ ', '#####', '\r\n', '\x1b[2J', '\x1b]0;x\x07',
    'Login incorrect', 'Too many failures', 'root@dvr:~# ', 'BusyBox v1.19.4 built-in shell (ash)', 'Welcome to the DVR. Press any key>', '\x08'), { maxLength: 80 }).map((a) => a.join('')));

  it('stripTerminal removes every control sequence and stays within its cap', () => {
    fc.assert(fc.property(screenText, (t) => {
      const s = stripTerminal(t);
      expect(CONTROL.test(s)).toBe(false);
      expect(s.length).toBeLessThanOrEqual(CLASSIFY_TAIL_CHARS * 2);
    }), RUNS);
  });

  it('classifyScreen never throws, returns a known screen and a short prompt', () => {
    fc.assert(fc.property(screenText, fc.boolean(), (t, afterInput) => {
      const s = classifyScreen(t, afterInput);
      expect(['login-prompt', 'password-prompt', 'shell-prompt', 'login-failed', 'lockout', 'unknown']).toContain(s.screen);
      if (s.prompt !== undefined) expect(s.prompt.length).toBeLessThanOrEqual(200);
      if (s.lockoutText !== undefined) expect(s.lockoutText.length).toBeLessThanOrEqual(120);
      expect(lastLine(t).length).toBeLessThanOrEqual(200);
    }), RUNS);
  });

  it('text that ends with a line break is never a prompt (a banner is still arriving)', () => {
    fc.assert(fc.property(screenText, fc.constantFrom('\n', '\r\n', '\r'), fc.boolean(), (t, eol, afterInput) => {
      const text = `${t}${eol}`;
      fc.pre(/[\r\n]$/.test(stripTerminal(text)));
      expect(['login-prompt', 'password-prompt', 'shell-prompt']).not.toContain(classifyScreen(text, afterInput).screen);
    }), RUNS);
  });

  it('a banner made of # and > decoration is not a shell prompt', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom('#', '>', '=', '*', '-'), { minLength: 2, maxLength: 79 }), (chars) => {
      expect(classifyScreen(`Welcome\r\n${chars.join('')}`, false).screen).not.toBe('shell-prompt');
    }), RUNS);
  });

  it('promptAnswered never throws and never confirms a prompt against text without one', () => {
    fc.assert(fc.property(hostileText(200), screenText, (prompt, text) => {
      const ok = promptAnswered(prompt, text);
      if (ok) expect(classifyScreen(text, true).screen).toBe('shell-prompt');
    }), RUNS);
  });
});
