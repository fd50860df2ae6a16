/**
 * All escaping of untrusted text, in one place (HOSTILE.md "Text from devices is escaped at the
 * output boundary"). Every renderer sends every string through one of these: device names,
 * hostnames, banners, titles, realms, evidence, but also our own text, because a value's origin
 * is easy to get wrong and cheap to not care about.
 *
 * The core is `showControls`: characters that can change how surrounding text is displayed
 * (C0 and C1 controls, DEL, ESC and therefore every escape sequence, bidi embeddings, overrides
 * and isolates, line/paragraph separators, lone surrogates) are replaced by a visible, inert
 * spelling: `\xNN` for code points below 0x100, `\u{NNNN}` above. Like nmap, a backslash is not
 * doubled: a device that sends the literal text `\x1b` looks like one that sent ESC, which is
 * harmless, and evidence already escaped by JSON.stringify stays readable.
 */

const HEX = '0123456789abcdef';

function hex2(n: number): string {
  return HEX[(n >> 4) & 15]! + HEX[n & 15]!;
}

/** True for code points that are displayed as an escape in every output. */
function isDangerous(cp: number): boolean {
  return (
    cp < 0x20 || // C0 controls, including NUL, BEL, BS, ESC, CR, LF, TAB
    (cp >= 0x7f && cp <= 0x9f) || // DEL and C1 controls (0x9b is an 8-bit CSI)
    cp === 0x061c || // ARABIC LETTER MARK
    cp === 0x200e || cp === 0x200f || // LRM, RLM
    (cp >= 0x202a && cp <= 0x202e) || // LRE, RLE, PDF, LRO, RLO
    (cp >= 0x2066 && cp <= 0x2069) || // LRI, RLI, FSI, PDI
    cp === 0x2028 || cp === 0x2029 || // LINE / PARAGRAPH SEPARATOR
    (cp >= 0xd800 && cp <= 0xdfff) || // lone surrogates (never valid text)
    cp === 0xfeff // BOM / zero-width no-break space
  );
}

function escapeCodePoint(cp: number): string {
  return cp < 0x100 ? `\\x${hex2(cp)}` : `\\u{${cp.toString(16)}}`;
}

/**
 * Replace every dangerous character with a visible escape. `keepNewlines` keeps `\n` and `\t`
 * as they are (for outputs where a line break is harmless: HTML <pre>, CSV, XML, SARIF text);
 * a CR-LF pair becomes a plain LF there, and a lone CR is shown as `\x0d`.
 */
export function showControls(s: string, keepNewlines = true): string {
  let text = String(s);
  if (keepNewlines) text = text.replace(/\r\n/g, '\n');
  let out = '';
  // Iterating a string yields code points; lone surrogates come out as single units.
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (keepNewlines && (ch === '\n' || ch === '\t')) out += ch;
    else if (isDangerous(cp)) out += escapeCodePoint(cp);
    else out += ch;
  }
  return out;
}

/**
 * For terminals: every control character is shown as `\xNN` (newlines and tabs too, so a
 * banner cannot fake lines of our output), bidi controls as `\u{…}`. The result contains no
 * byte below 0x20 and no ESC, so nothing a device sent can move the cursor, clear the screen,
 * set the window title or reorder the text around it.
 */
export function termSafe(s: string): string {
  return showControls(s, false);
}

/**
 * For HTML text and double- or single-quoted attribute values. Never use the result in a URL,
 * a tag or attribute name, inside <script> or <style>: the HTML renderer puts untrusted text
 * nowhere else.
 */
export function htmlEscape(s: string): string {
  return showControls(s, true)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV Injection"), plus
 * their full-width forms, which some spreadsheet locales accept too.
 */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r', '\n', '\uff1d', '\uff0b', '\uff0d', '\uff20']);

/**
 * One CSV cell (RFC 4180): always quoted, quotes doubled. A cell that a spreadsheet would read
 * as a formula (leading `= + - @`, tab, CR, LF) gets a leading `'`, which spreadsheets show as
 * text and do not evaluate. Numbers pass through unquoted.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Check the raw first character: showControls keeps tab and LF, turns a lone CR into `\x0d`.
  const raw = String(value);
  let text = showControls(raw, true);
  if (raw.length > 0 && FORMULA_START.has(raw[0]!)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * Markdown inline text (paragraphs, list items, headings, table cells), shown literally:
 * - backslash-escapes the characters that open emphasis, code, links, images, headings, tables,
 *   strikethrough, entities and math (`\ ` * _ [ ] # | ~ & $`);
 * - escapes a list or block-quote marker at the start (`-`, `+`, `1.`, `1)`);
 * - writes `<` and `>` as entities, so there is no raw HTML and no `<http://…>` autolink;
 * - breaks GFM's extended autolinks (`scheme://`, `www.`) by escaping their `:` or `.`, and
 *   `@name` mentions and e-mail autolinks with a zero-width space after `@`;
 * - keeps everything on one line (newlines become `\x0a`).
 * Other punctuation is left alone so the raw Markdown stays readable.
 */
export function mdInline(s: string): string {
  return showControls(s, false)
    .replace(/[\\`*_[\]#|~&$]/g, (c) => `\\${c}`)
    .replace(/^(\s*)([-+]|\d+[.)])/, (_m, sp: string, marker: string) => `${sp}${marker.length === 1 ? `\\${marker}` : `${marker.slice(0, -1)}\\${marker.slice(-1)}`}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/:(?=\/\/)/g, '\\:')
    .replace(/(www)\./gi, '$1\\.')
    .replace(/@(?=\w)/g, '@\u200b');
}

/**
 * A Markdown code span that shows `s` literally. The fence is one backtick longer than the
 * longest run of backticks inside, so the text cannot close it early. In a table cell pass
 * `{ table: true }`: GFM splits cells on `|` even inside code spans unless it is written `\|`.
 */
export function mdCode(s: string, opts: { table?: boolean } = {}): string {
  let text = showControls(s, false);
  if (text === '') return '` `';
  if (opts.table) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || (text.startsWith(' ') && text.endsWith(' ')) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * A fenced Markdown code block holding `s` verbatim (controls made visible). The fence is longer
 * than any backtick run in `s`, so no line inside can close the block.
 */
export function mdFence(s: string, lang = ''): string {
  const text = showControls(s, true);
  const longest = Math.max(0, ...Array.from(text.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

/**
 * XML 1.0 text and attribute values: the five entities, and every character XML 1.0 forbids
 * (C0 controls other than tab, LF, CR; lone surrogates; U+FFFE/U+FFFF) shown as a visible escape
 * instead, together with C1 controls and bidi controls. The result is always well-formed.
 */
export function xmlEscape(s: string): string {
  return showControls(s, true)
    .replace(/[\ufffe\uffff]/g, (c) => escapeCodePoint(c.codePointAt(0)!))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** XML text content: like xmlEscape but keeps line breaks and tabs readable. */
export function xmlText(s: string): string {
  return showControls(s, true)
    .replace(/[\ufffe\uffff]/g, (c) => escapeCodePoint(c.codePointAt(0)!))
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/**
 * Shorten `s` to at most `max` code points (before escaping, so an escape is never cut in half),
 * marking the cut with `…`.
 */
export function clip(s: string, max: number): string {
  const cps = Array.from(String(s));
  if (cps.length <= max) return String(s);
  return `${cps.slice(0, Math.max(0, max - 1)).join('')}…`;
}
