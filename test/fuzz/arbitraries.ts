/**
 * fast-check arbitraries for the parser fuzz tests (test/fuzz/*.test.ts): what a hostile device or a careless
 * user can send. Random text and bytes are mixed with fragments real attacks and broken devices use
 * (HOSTILE.md): terminal escapes, markup, formulas, prototype keys, huge numbers, unbalanced quotes,
 * half a protocol.
 */
import fc from 'fast-check';

/** Fragments that have broken parsers before. */
export const NASTY = [
  '\x1b[2J', '\x1b]0;pwned\x07', '\x9b31m', '\u202e', '\u2066', '\r', '\n', '\r\n', '\0', '\t', '\x7f', '\uFEFF', '\uFFFD', '\uD800', '\uDFFF',
  '<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', '=HYPERLINK("http://x")', '+cmd|', '@SUM(1)', '-2+3',
  '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty',
  '"', "'", '\\', '\\"', ',', ';', '=', ':', '/', '//', '%', '%00', '%0d%0a', '&', '&#x1b;', '&amp;', '&#99999999;', '&lt;',
  '99999999999999999999', '-1', '0x10', '1e308', 'NaN', '1.2.3.4.5', '255.255.255.256', '::', ':::', '[::1]', 'fe80::1%eth0',
  '<!DOCTYPE x [<!ENTITY a "b">]>', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!--', '-->', '<a><b><c>',
  'HTTP/1.1 200 OK', 'RTSP/1.0 200 OK', 'CSeq: 1', 'Content-Length: 99999999', 'WWW-Authenticate: Digest realm="',
  'LOCATION: http://10.0.0.1/', 'Contact: mailto:a@b', 'Expires: 2099-01-01T00:00:00Z', '-----BEGIN PGP SIGNED MESSAGE-----',
  'SSH-2.0-OpenSSH_9.2p1', 'lighttpd/1.4.35', 'Server: Boa/0.94.14rc21', 'login: ', 'Password: ', '# ', '> ', '$ ', 'root@dvr:~# ',
  '\xff\xfd\x18', '\xff\xfa\x18', '\xff\xf0', '\xff\xff',
];

/** Text: random Unicode, random code units, or a mix of nasty fragments, up to `max` characters. */
export function hostileText(max = 2000): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ maxLength: max }),
    fc.string({ unit: 'binary', maxLength: max }),
    fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: max }),
    fc.array(fc.oneof(fc.constantFrom(...NASTY), fc.string({ maxLength: 20 })), { maxLength: 60 }).map((a) => a.join('')),
  );
}

/** Bytes: random, or hostile text in UTF-8 or latin1. */
export function hostileBytes(max = 4096): fc.Arbitrary<Buffer> {
  return fc.oneof(
    fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a)),
    hostileText(max).map((s) => Buffer.from(s, 'utf8')),
    hostileText(max).map((s) => Buffer.from(s, 'latin1')),
  );
}

/** A line-based protocol message: a first line, then header-like lines with nasty names and values. */
export function headerBlock(firstLines: string[], names: string[]): fc.Arbitrary<string> {
  const line = fc.oneof(
    fc.tuple(fc.constantFrom(...names), hostileText(200)).map(([n, v]) => `${n}: ${v}`),
    hostileText(200),
  );
  return fc.tuple(fc.oneof(fc.constantFrom(...firstLines), hostileText(80)), fc.array(line, { maxLength: 40 }), fc.constantFrom('\r\n', '\n', '\r'), hostileText(500))
    .map(([first, lines, eol, body]) => `${[first, ...lines].join(eol)}${eol}${eol}${body}`);
}

/** Runs `fn` and returns the error it threw (or undefined). */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
    return undefined;
  } catch (e) {
    return e;
  }
}

/** Total length of every string in a JSON-like value (Maps and Sets included): the "output size" we bound. */
export function textSize(v: unknown, seen = new Set<unknown>()): number {
  if (typeof v === 'string') return v.length;
  if (v === null || typeof v !== 'object' || seen.has(v)) return 0;
  seen.add(v);
  if (Buffer.isBuffer(v)) return v.length;
  if (v instanceof Map) return [...v.entries()].reduce((n, [k, x]) => n + textSize(k, seen) + textSize(x, seen), 0);
  if (v instanceof Set || Array.isArray(v)) return [...v].reduce((n: number, x) => n + textSize(x, seen), 0);
  return Object.entries(v).reduce((n, [k, x]) => n + k.length + textSize(x, seen), 0);
}

export const RUNS = { numRuns: 300 };
