/**
 * security.txt (RFC 9116) parser and validator, pure. Input is whatever a device served, so:
 * the input is capped (SECURITY_TXT_MAX_BYTES), invalid UTF-8 is reported and decoded leniently,
 * lines and values are length-capped, and field names never become object keys.
 *
 * Issue levels:
 * - error   the RFC says the file must not be used or a MUST is broken (no Contact, no or bad or
 *           repeated Expires, Expires in the past, repeated Preferred-Languages, a value that is not
 *           a URI, a web URI that is not https://, a broken signature block, not served over HTTPS,
 *           a file too large to read whole, invalid UTF-8);
 * - warning a RECOMMENDED/SHOULD is not met in a way a reader should act on (Expires more than a
 *           year away; Canonical present but not naming the URL the file was fetched from);
 * - note    cosmetic or tolerated departures (byte-order mark, unknown lines, bad language tags,
 *           Content-Type other than text/plain, over-long lines skipped).
 */

export const SECURITY_TXT_MAX_BYTES = 32 * 1024;
const MAX_LINE_CHARS = 2048;
const MAX_VALUE_CHARS = 500;
const MAX_FIELDS = 100;
const YEAR_MS = 366 * 24 * 3600 * 1000;

export type IssueLevel = 'error' | 'warning' | 'note';

export type IssueCode =
  | 'not-utf8' | 'too-large' | 'truncated' | 'missing-contact' | 'missing-expires' | 'multiple-expires'
  | 'bad-expires' | 'expired' | 'multiple-preferred-languages' | 'bad-uri' | 'insecure-uri'
  | 'signature-malformed' | 'not-https' | 'expires-too-far' | 'canonical-mismatch' | 'bom'
  | 'invalid-line' | 'line-too-long' | 'bad-language' | 'content-type' | 'empty';

export type SecurityTxtIssue = { code: IssueCode; level: IssueLevel; message: string; line?: number };

export type SecurityTxtField = { name: string; value: string; line: number };

export type ParsedSecurityTxt = {
  /** Fields in file order (known and extension fields), names as written, values capped. */
  fields: SecurityTxtField[];
  contact: string[];
  expires: string[];
  canonical: string[];
  encryption: string[];
  policy: string[];
  acknowledgments: string[];
  hiring: string[];
  csaf: string[];
  preferredLanguages: string[];
  /** Cleartext OpenPGP signature block around the content (the signature is not verified). */
  signed: boolean;
  bom: boolean;
  lineEndings: 'lf' | 'crlf' | 'mixed' | 'none';
  lines: number;
  issues: SecurityTxtIssue[];
};

export type ValidateOptions = {
  now: Date;
  /** URL the file was fetched from (for Canonical). */
  url?: string;
  /** Whether it came over HTTPS. Undefined: not judged. */
  https?: boolean;
  /** The read stopped at a byte cap: the file is not complete. */
  truncated?: boolean;
  /** Content-Type header as served. */
  contentType?: string;
};

export type SecurityTxtValidation = {
  /** No error-level issue. */
  valid: boolean;
  expired: boolean;
  /** Expires as an ISO timestamp, when it parsed. */
  expiresAt?: string;
  signed: boolean;
  issues: SecurityTxtIssue[];
};

/** Field names RFC 9116 and the IANA registry define, lower-case, with the key they are collected under. */
const KNOWN: ReadonlyMap<string, keyof Pick<ParsedSecurityTxt,
  'contact' | 'expires' | 'canonical' | 'encryption' | 'policy' | 'acknowledgments' | 'hiring' | 'csaf' | 'preferredLanguages'>> = new Map([
  ['contact', 'contact'], ['expires', 'expires'], ['canonical', 'canonical'], ['encryption', 'encryption'],
  ['policy', 'policy'], ['acknowledgments', 'acknowledgments'], ['acknowledgements', 'acknowledgments'], ['hiring', 'hiring'],
  ['csaf', 'csaf'], ['preferred-languages', 'preferredLanguages'],
]);

const URI_FIELDS: ReadonlySet<string> = new Set(['contact', 'canonical', 'encryption', 'policy', 'acknowledgments', 'hiring', 'csaf']);

const SIGNED_HEADER = '-----BEGIN PGP SIGNED MESSAGE-----';
const SIGNATURE_BEGIN = '-----BEGIN PGP SIGNATURE-----';
const SIGNATURE_END = '-----END PGP SIGNATURE-----';

function capValue(s: string): string {
  return s.length > MAX_VALUE_CHARS ? `${s.slice(0, MAX_VALUE_CHARS)}…` : s;
}

function decode(input: Buffer | string, issues: SecurityTxtIssue[]): string {
  if (typeof input === 'string') return input;
  const bytes = input.subarray(0, SECURITY_TXT_MAX_BYTES);
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    issues.push({ code: 'not-utf8', level: 'error', message: 'The file is not valid UTF-8.' });
    return new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
  }
}

/** True when a response body looks like a security.txt rather than an HTML page or an error text. */
export function looksLikeSecurityTxt(body: Buffer | string): boolean {
  const text = (typeof body === 'string' ? body : body.subarray(0, 8192).toString('latin1')).slice(0, 8192).replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const head = text.trimStart();
  if (head.startsWith('<')) return false;
  if (head.startsWith(SIGNED_HEADER)) return true;
  return text.split(/\r?\n/).some((l) => {
    const m = /^([A-Za-z-]{3,40})[ \t]*:/.exec(l.replace(/^- /, ''));
    return m?.[1] !== undefined && KNOWN.has(m[1].toLowerCase());
  });
}

/** Parses a security.txt body (the signed content when it is cleartext-signed). Never throws. */
export function parseSecurityTxt(input: Buffer | string): ParsedSecurityTxt {
  const issues: SecurityTxtIssue[] = [];
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (size > SECURITY_TXT_MAX_BYTES) {
    issues.push({ code: 'too-large', level: 'error', message: `The file is larger than ${SECURITY_TXT_MAX_BYTES} bytes; only the start was read.` });
  }
  let text = decode(input, issues);
  if (text.length > SECURITY_TXT_MAX_BYTES) text = text.slice(0, SECURITY_TXT_MAX_BYTES);
  const bom = text.startsWith('\uFEFF');
  if (bom) {
    text = text.slice(1);
    issues.push({ code: 'bom', level: 'note', message: 'The file starts with a byte-order mark, which some parsers read as part of the first field name.' });
  }

  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const lineEndings = crlf === 0 && lf === 0 ? 'none' : crlf === 0 ? 'lf' : lf === 0 ? 'crlf' : 'mixed';
  let rawLines = text.split(/\r?\n/);
  if (rawLines.length > 0 && rawLines[rawLines.length - 1] === '') rawLines = rawLines.slice(0, -1);

  // Cleartext signature (RFC 4880 section 7): header, armor headers, blank line, dash-escaped text, signature.
  let signed = false;
  let firstLine = 1;
  const firstContent = rawLines.findIndex((l) => l.trim() !== '');
  if (firstContent >= 0 && rawLines[firstContent]?.trim() === SIGNED_HEADER) {
    signed = true;
    let i = firstContent + 1;
    while (i < rawLines.length && (rawLines[i] ?? '').trim() !== '') i++; // armor headers ("Hash: SHA256")
    const bodyStart = i + 1;
    const sigStart = rawLines.findIndex((l, k) => k >= bodyStart && l.trim() === SIGNATURE_BEGIN);
    const sigEnd = sigStart >= 0 ? rawLines.findIndex((l, k) => k > sigStart && l.trim() === SIGNATURE_END) : -1;
    if (i >= rawLines.length || sigStart < 0 || sigEnd < 0) {
      issues.push({ code: 'signature-malformed', level: 'error', message: 'The file starts a PGP signed message but the signature block is missing or incomplete.' });
    }
    const end = sigStart >= 0 ? sigStart : rawLines.length;
    firstLine = bodyStart + 1;
    rawLines = rawLines.slice(Math.min(bodyStart, end), end).map((l) => (l.startsWith('- ') ? l.slice(2) : l));
  }

  const parsed: ParsedSecurityTxt = {
    fields: [], contact: [], expires: [], canonical: [], encryption: [], policy: [], acknowledgments: [], hiring: [], csaf: [],
    preferredLanguages: [], signed, bom, lineEndings, lines: rawLines.length, issues,
  };
  let invalidLines = 0;
  rawLines.forEach((raw, idx) => {
    const line = firstLine + idx;
    if (raw.length > MAX_LINE_CHARS) {
      issues.push({ code: 'line-too-long', level: 'note', message: `Line ${line} is longer than ${MAX_LINE_CHARS} characters and was skipped.`, line });
      return;
    }
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    // field-name = 1*ftext (printable US-ASCII except ":"), then ":" and the value.
    const m = /^([\x21-\x39\x3b-\x7e]+):[ \t]*(.*?)[ \t]*$/.exec(raw);
    if (!m || m[1] === undefined) {
      if (invalidLines++ < 5) issues.push({ code: 'invalid-line', level: 'note', message: `Line ${line} is neither a field, a comment nor empty.`, line });
      return;
    }
    const name = m[1];
    const value = m[2] ?? '';
    const key = KNOWN.get(name.toLowerCase());
    if (parsed.fields.length < MAX_FIELDS) parsed.fields.push({ name: capValue(name), value: capValue(value), line });
    if (key === undefined) return; // extension field: allowed, ignored
    if (key === 'preferredLanguages') {
      parsed.preferredLanguages.push(capValue(value));
      return;
    }
    if (parsed[key].length < MAX_FIELDS) parsed[key].push(capValue(value));
    if (value === '') issues.push({ code: 'empty', level: 'error', message: `Line ${line}: ${name} has no value.`, line });
    else if (URI_FIELDS.has(key)) checkUri(name, value, line, issues);
  });
  return parsed;
}

function checkUri(name: string, value: string, line: number, issues: SecurityTxtIssue[]): void {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):(\S+)$/.exec(value);
  if (!m || m[1] === undefined || /[<>"{}|\\^`]/.test(value)) {
    issues.push({ code: 'bad-uri', level: 'error', message: `Line ${line}: ${name} is not a URI (it must start with a scheme such as mailto:, tel: or https:).`, line });
    return;
  }
  const scheme = m[1].toLowerCase();
  if (scheme === 'http') {
    issues.push({ code: 'insecure-uri', level: 'error', message: `Line ${line}: ${name} uses http://; web addresses in security.txt must use https://.`, line });
    return;
  }
  if (scheme === 'https') {
    try {
      new URL(value);
    } catch {
      issues.push({ code: 'bad-uri', level: 'error', message: `Line ${line}: ${name} is not a valid https URL.`, line });
    }
  }
}

/** RFC 3339 date-time ("2021-12-31T18:37:07z", "2026-01-01T00:00:00+01:00"), or null. */
export function parseRfc3339(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/.exec(value.trim());
  if (!m) return null;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return null;
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > daysInMonth) return null;
  const zone = m[8] ?? 'Z';
  if (zone !== 'Z' && zone !== 'z') {
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return null;
  }
  const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${s === 60 ? '59' : m[6]}${m[7] ?? ''}${zone === 'z' ? 'Z' : zone}`);
  return Number.isNaN(ms) ? null : new Date(ms);
}

function sameUrl(a: string, b: string): boolean {
  try {
    const x = new URL(a);
    const y = new URL(b);
    return x.protocol === y.protocol && x.host.toLowerCase() === y.host.toLowerCase() && x.pathname === y.pathname;
  } catch {
    return false;
  }
}

/** Checks a parsed file against RFC 9116 at time `now`. */
export function validateSecurityTxt(parsed: ParsedSecurityTxt, options: ValidateOptions): SecurityTxtValidation {
  const issues = [...parsed.issues];
  if (options.truncated) issues.push({ code: 'truncated', level: 'error', message: 'The file was cut off at the read limit, so it cannot be checked whole.' });
  if (options.https === false) issues.push({ code: 'not-https', level: 'error', message: 'The file was served over plain HTTP; RFC 9116 requires HTTPS so that it cannot be forged in transit.' });
  if (parsed.contact.length === 0) issues.push({ code: 'missing-contact', level: 'error', message: 'No Contact field: the file does not say where to report a vulnerability.' });

  let expired = false;
  let expiresAt: string | undefined;
  if (parsed.expires.length === 0) {
    issues.push({ code: 'missing-expires', level: 'error', message: 'No Expires field (required since RFC 9116).' });
  } else {
    if (parsed.expires.length > 1) issues.push({ code: 'multiple-expires', level: 'error', message: 'Expires appears more than once; it must appear exactly once.' });
    const raw = parsed.expires[0] ?? '';
    const date = parseRfc3339(raw);
    if (!date) {
      issues.push({ code: 'bad-expires', level: 'error', message: `Expires "${raw.slice(0, 60)}" is not an RFC 3339 date-time such as 2026-12-31T23:59:59Z.` });
    } else {
      expiresAt = date.toISOString();
      if (date.getTime() <= options.now.getTime()) {
        expired = true;
        issues.push({ code: 'expired', level: 'error', message: `The file expired on ${expiresAt.slice(0, 10)}; an expired security.txt must not be used.` });
      } else if (date.getTime() - options.now.getTime() > YEAR_MS) {
        issues.push({ code: 'expires-too-far', level: 'warning', message: `Expires is more than a year away (${expiresAt.slice(0, 10)}); RFC 9116 recommends less than a year so the file stays current.` });
      }
    }
  }
  if (parsed.preferredLanguages.length > 1) {
    issues.push({ code: 'multiple-preferred-languages', level: 'error', message: 'Preferred-Languages appears more than once; it may appear at most once.' });
  }
  for (const tag of (parsed.preferredLanguages[0] ?? '').split(',').map((t) => t.trim()).filter(Boolean)) {
    if (!/^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/.test(tag)) {
      issues.push({ code: 'bad-language', level: 'note', message: `"${tag.slice(0, 40)}" is not a language tag (such as en or pt-BR).` });
      break;
    }
  }
  if (options.url && parsed.canonical.length > 0 && !parsed.canonical.some((c) => sameUrl(c, options.url as string))) {
    issues.push({ code: 'canonical-mismatch', level: 'warning', message: 'Canonical does not list the address the file was fetched from, so its contents should not be trusted for this device.' });
  }
  if (options.contentType !== undefined && !/^text\/plain\b/i.test(options.contentType.trim())) {
    issues.push({ code: 'content-type', level: 'note', message: `Served as "${options.contentType.slice(0, 60)}" instead of text/plain; charset=utf-8.` });
  }
  const out: SecurityTxtValidation = { valid: !issues.some((i) => i.level === 'error'), expired, signed: parsed.signed, issues };
  if (expiresAt !== undefined) out.expiresAt = expiresAt;
  return out;
}
