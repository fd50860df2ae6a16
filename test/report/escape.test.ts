/* eslint-disable no-control-regex -- these tests look for control characters on purpose */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { XMLValidator } from 'fast-xml-parser';
import { clip, csvCell, htmlEscape, mdCode, mdFence, mdInline, showControls, termSafe, xmlEscape, xmlText } from '../../src/report/escape.js';

/** Code points that must never reach a terminal raw. */
function hasDangerous(s: string): boolean {
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f)) return true;
    if ((cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp === 0x200e || cp === 0x200f || cp === 0x061c) return true;
    if (cp === 0x2028 || cp === 0x2029 || (cp >= 0xd800 && cp <= 0xdfff)) return true;
  }
  return false;
}

/** Strings rich in the characters that matter. */
const nasty = fc.array(
  fc.oneof(
    fc.string(),
    fc.constantFrom('\x1b', '\x1b[2J', '\x1b]0;t\x07', '\x9b', '\x00', '\r', '\n', '\t', '\x7f', '\u202e', '\u2066', '\u2028', '\ud800', '\udfff',
      '<', '>', '"', "'", '&', '`', '```', '|', '=', '+', '-', '@', '\\', '[', ']', '\ufffe', '\uffff', '\ufeff'),
  ),
  { maxLength: 12 },
).map((parts) => parts.join(''));

describe('termSafe', () => {
  it('shows escape sequences, controls and bidi overrides as inert text', () => {
    expect(termSafe('a\x1b[2J\x1b]0;pwned\x07b')).toBe('a\\x1b[2J\\x1b]0;pwned\\x07b');
    expect(termSafe('x\x00y\x7f\x9bz')).toBe('x\\x00y\\x7f\\x9bz');
    expect(termSafe('line1\nline2\r\tend')).toBe('line1\\x0aline2\\x0d\\x09end');
    expect(termSafe('abc\u202eexe.gpj')).toBe('abc\\u{202e}exe.gpj');
    expect(termSafe('\u2066x\u2069')).toBe('\\u{2066}x\\u{2069}');
    expect(termSafe('ok: Ünïcödé ✓ 日本')).toBe('ok: Ünïcödé ✓ 日本');
  });

  it('never lets a dangerous character through (property)', () => {
    fc.assert(fc.property(nasty, (s) => !hasDangerous(termSafe(s))));
  });

  it('shows lone surrogates instead of emitting invalid text', () => {
    expect(termSafe('a\ud800b')).toBe('a\\u{d800}b');
  });
});

describe('showControls', () => {
  it('keeps newlines and tabs, folds CRLF, shows a lone CR', () => {
    expect(showControls('a\r\nb\tc\rd\x1b')).toBe('a\nb\tc\\x0dd\\x1b');
  });
});

describe('htmlEscape', () => {
  it('escapes markup and quotes', () => {
    expect(htmlEscape('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(htmlEscape('"><img src=x onerror=alert(1)>')).toBe('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(htmlEscape("it's & <b>")).toBe('it&#39;s &amp; &lt;b&gt;');
  });

  it('makes controls and bidi overrides visible', () => {
    expect(htmlEscape('a\u202eb\x00c\x1b')).toBe('a\\u{202e}b\\x00c\\x1b');
  });

  it('never leaves a raw <, >, quote or dangerous character (property)', () => {
    fc.assert(fc.property(nasty, (s) => {
      const out = htmlEscape(s);
      const withoutNewlines = out.replace(/[\n\t]/g, '');
      return !/[<>"']/.test(out) && !hasDangerous(withoutNewlines) && !/&(?!(amp|lt|gt|quot|#39);)/.test(out);
    }));
  });
});

describe('csvCell', () => {
  it('neutralises formula starts with a quote prefix and always quotes text', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe('"\'=HYPERLINK(""http://x"")"');
    expect(csvCell('+1+2')).toBe('"\'+1+2"');
    expect(csvCell('-2+3')).toBe('"\'-2+3"');
    expect(csvCell('@SUM(A1)')).toBe('"\'@SUM(A1)"');
    expect(csvCell('\t=1')).toBe('"\'\t=1"');
    expect(csvCell('\r=1')).toBe('"\'\\x0d=1"');
    expect(csvCell('\uff1d1+1')).toBe('"\'\uff1d1+1"');
    expect(csvCell('plain')).toBe('"plain"');
    expect(csvCell('a=b')).toBe('"a=b"');
  });

  it('passes numbers and booleans, empties null', () => {
    expect(csvCell(23)).toBe('23');
    expect(csvCell(true)).toBe('true');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(Number.NaN)).toBe('');
  });

  it('yields a cell no spreadsheet evaluates (property)', () => {
    fc.assert(fc.property(nasty, (s) => {
      const cell = csvCell(s);
      if (!cell.startsWith('"') || !cell.endsWith('"')) return false;
      const inner = cell.slice(1, -1);
      // Only doubled quotes inside.
      if (/(^|[^"])"("")*([^"]|$)/.test(inner.replace(/""/g, ''))) return false;
      const value = inner.replace(/""/g, '"');
      return !/^[=+\-@\t\r\n\uff1d\uff0b\uff0d\uff20]/.test(value) && !value.includes('\x1b') && !value.includes('\x00');
    }));
  });
});

describe('mdInline', () => {
  it('escapes markup, raw HTML, links, mentions and list markers', () => {
    expect(mdInline('<script>alert(1)</script>')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mdInline('[x](javascript:alert(1))')).toBe('\\[x\\](javascript:alert(1))');
    expect(mdInline('**bold** _it_ `code` | ~~s~~')).toBe('\\*\\*bold\\*\\* \\_it\\_ \\`code\\` \\| \\~\\~s\\~\\~');
    expect(mdInline('see http://evil.example and www.evil.example')).toBe('see http\\://evil.example and www\\.evil.example');
    expect(mdInline('ping @octocat')).toBe('ping @\u200boctocat');
    expect(mdInline('- item')).toBe('\\- item');
    expect(mdInline('1. item')).toBe('1\\. item');
    expect(mdInline('# title')).toBe('\\# title');
    expect(mdInline('a\nb\x1b')).toBe('a\\\\x0ab\\\\x1b');
  });

  it('never leaves raw HTML, a newline or an unescaped link bracket (property)', () => {
    fc.assert(fc.property(nasty, (s) => {
      const out = mdInline(s);
      return !/[<>\n\r]/.test(out) && !/(^|[^\\])(\\\\)*[[\]`]/.test(out.replace(/\\\\/g, ''));
    }));
  });
});

describe('mdCode and mdFence', () => {
  it('uses a fence longer than any backtick run inside', () => {
    expect(mdCode('a`b')).toBe('``a`b``');
    expect(mdCode('`x`')).toBe('`` `x` ``');
    expect(mdCode('a|b', { table: true })).toBe('`a\\|b`');
    expect(mdCode('')).toBe('` `');
    expect(mdFence('x\n```\ny', 'json')).toBe('````json\nx\n```\ny\n````');
  });

  it('keeps the code span closed whatever it contains (property)', () => {
    fc.assert(fc.property(nasty, (s) => {
      const out = mdCode(s);
      const fence = /^`+/.exec(out)![0];
      const inner = out.slice(fence.length, out.length - fence.length);
      const runs = Array.from(inner.matchAll(/`+/g), (m) => m[0].length);
      return out.endsWith(fence) && runs.every((n) => n !== fence.length) && !out.includes('\n');
    }));
  });

  it('keeps the fenced block closed whatever it contains (property)', () => {
    fc.assert(fc.property(nasty, (s) => {
      const out = mdFence(s);
      const lines = out.split('\n');
      const fence = lines[0]!;
      const inner = lines.slice(1, -1);
      return lines[lines.length - 1] === fence && inner.every((l) => !l.trimStart().startsWith(fence));
    }));
  });
});

describe('xmlEscape', () => {
  it('escapes entities and shows characters XML 1.0 forbids', () => {
    expect(xmlEscape('<a href="x">&\'</a>')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlEscape('a\x00b\x1bc\ufffe')).toBe('a\\x00b\\x1bc\\u{fffe}');
    expect(xmlText('line\nnext')).toBe('line\nnext');
  });

  it('always produces well-formed XML (property)', () => {
    fc.assert(fc.property(nasty, (s) => {
      const doc = `<r a="${xmlEscape(s)}">${xmlText(s)}</r>`;
      return XMLValidator.validate(doc) === true && !/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(doc);
    }));
  });
});

describe('clip', () => {
  it('cuts on code points and marks the cut', () => {
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
    expect(clip('😀😀😀', 2)).toBe('😀…');
    // An escape sequence is never cut in half: clip first, escape after.
    expect(termSafe(clip('\x1b[2Jabc', 3))).toBe('\\x1b[…');
  });
});
