import fc from 'fast-check';
import {
  SECURITY_TXT_MAX_BYTES, looksLikeSecurityTxt, parseRfc3339, parseSecurityTxt, validateSecurityTxt,
  type IssueCode,
} from '../../../src/probes/lib/security-txt.js';

const NOW = new Date('2021-06-01T00:00:00Z');
const codes = (text: string | Buffer, opts: Partial<Parameters<typeof validateSecurityTxt>[1]> = {}): IssueCode[] =>
  validateSecurityTxt(parseSecurityTxt(text), { now: NOW, ...opts }).issues.map((i) => i.code);

// Built from the field examples in RFC 9116 section 2.5 (Expires 2021-12-31T18:37:07z, lower-case z as in the RFC).
const RFC_EXAMPLE = [
  '# Our security address',
  'Contact: mailto:security@example.com',
  'Contact: tel:+1-201-555-0123',
  'Contact: https://example.com/security-contact.html',
  '',
  '# Our OpenPGP key',
  'Encryption: https://example.com/pgp-key.txt',
  'Encryption: dns:5d2d37ab76d47d36._openpgpkey.example.com?type=OPENPGPKEY',
  'Encryption: openpgp4fpr:5f2de5521c63a801ab59ccb603d49de44b29100f',
  'Acknowledgments: https://example.com/hall-of-fame.html',
  'Policy: https://example.com/disclosure-policy.html',
  'Hiring: https://example.com/jobs.html',
  'Preferred-Languages: en, es, fr',
  'Canonical: https://www.example.com/.well-known/security.txt',
  'Canonical: https://someserver.example.com/.well-known/security.txt',
  'Expires: 2021-12-31T18:37:07z',
  '',
].join('\n');

describe('parseSecurityTxt / validateSecurityTxt', () => {
  test('the RFC 9116 examples parse and validate', () => {
    const p = parseSecurityTxt(RFC_EXAMPLE);
    expect(p.contact).toEqual(['mailto:security@example.com', 'tel:+1-201-555-0123', 'https://example.com/security-contact.html']);
    expect(p.encryption).toHaveLength(3);
    expect(p.policy).toEqual(['https://example.com/disclosure-policy.html']);
    expect(p.preferredLanguages).toEqual(['en, es, fr']);
    expect(p.canonical).toHaveLength(2);
    expect(p.signed).toBe(false);
    const v = validateSecurityTxt(p, { now: NOW, https: true, url: 'https://www.example.com/.well-known/security.txt' });
    expect(v.issues).toEqual([]);
    expect(v.valid).toBe(true);
    expect(v.expiresAt).toBe('2021-12-31T18:37:07.000Z');
  });

  test('a cleartext-signed file: content inside the signature, dash-escaping removed', () => {
    const signed = [
      '-----BEGIN PGP SIGNED MESSAGE-----',
      'Hash: SHA256',
      '',
      '- # dash-escaped comment',
      'Contact: mailto:security@example.com',
      'Expires: 2021-12-31T18:37:07z',
      '-----BEGIN PGP SIGNATURE-----',
      '',
      'iQIzBAEBCAAdFiEE...',
      '-----END PGP SIGNATURE-----',
    ].join('\r\n');
    const p = parseSecurityTxt(signed);
    expect(p.signed).toBe(true);
    expect(p.contact).toEqual(['mailto:security@example.com']);
    expect(p.fields.find((f) => f.name === 'Contact')?.line).toBe(5);
    expect(validateSecurityTxt(p, { now: NOW }).valid).toBe(true);
  });

  test('a signed header without a signature block is an error', () => {
    expect(codes('-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\nContact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\n'))
      .toContain('signature-malformed');
  });

  test('missing Contact', () => {
    expect(codes('Expires: 2021-12-31T18:37:07Z\n')).toEqual(['missing-contact']);
  });

  test('missing, repeated and malformed Expires', () => {
    expect(codes('Contact: mailto:a@b.c\n')).toEqual(['missing-expires']);
    expect(codes('Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\nExpires: 2021-11-30T18:37:07Z\n')).toEqual(['multiple-expires']);
    for (const bad of ['2021-12-31', 'Fri, 31 Dec 2021 18:37:07 GMT', '2021-02-30T00:00:00Z', '2021-13-01T00:00:00Z', '2021-12-31 18:37:07Z', '2021-12-31T25:00:00Z', 'soon']) {
      expect(codes(`Contact: mailto:a@b.c\nExpires: ${bad}\n`)).toEqual(['bad-expires']);
    }
  });

  test('expired, and more than a year away', () => {
    const expired = validateSecurityTxt(parseSecurityTxt('Contact: mailto:a@b.c\nExpires: 2021-05-31T23:59:59Z\n'), { now: NOW });
    expect(expired.expired).toBe(true);
    expect(expired.valid).toBe(false);
    expect(expired.issues.map((i) => i.code)).toEqual(['expired']);
    const far = validateSecurityTxt(parseSecurityTxt('Contact: mailto:a@b.c\nExpires: 2023-01-01T00:00:00Z\n'), { now: NOW });
    expect(far.valid).toBe(true);
    expect(far.issues.map((i) => [i.code, i.level])).toEqual([['expires-too-far', 'warning']]);
  });

  test('the lab NAS file (Expires 2023-06-30) is expired in 2026', () => {
    const nas = 'Contact: mailto:psirt@nas-vendor.example\nExpires: 2023-06-30T00:00:00Z\nPreferred-Languages: en\nCanonical: https://10.231.0.15/.well-known/security.txt\n';
    const v = validateSecurityTxt(parseSecurityTxt(nas), { now: new Date('2026-11-25T00:00:00Z'), https: true, url: 'https://10.231.0.15/.well-known/security.txt' });
    expect(v.issues.map((i) => i.code)).toEqual(['expired']);
  });

  test('time zones in Expires', () => {
    expect(parseRfc3339('2021-12-31T18:37:07+01:00')?.toISOString()).toBe('2021-12-31T17:37:07.000Z');
    expect(parseRfc3339('2021-12-31T18:37:07.123Z')?.toISOString()).toBe('2021-12-31T18:37:07.123Z');
    expect(parseRfc3339('2021-12-31T18:37:07+25:00')).toBeNull();
  });

  test('CRLF, LF and mixed line endings all parse', () => {
    const lf = parseSecurityTxt('Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\n');
    const crlf = parseSecurityTxt('Contact: mailto:a@b.c\r\nExpires: 2021-12-31T18:37:07Z\r\n');
    const mixed = parseSecurityTxt('Contact: mailto:a@b.c\r\nExpires: 2021-12-31T18:37:07Z\n');
    expect([lf.lineEndings, crlf.lineEndings, mixed.lineEndings]).toEqual(['lf', 'crlf', 'mixed']);
    for (const p of [lf, crlf, mixed]) {
      expect(p.contact).toEqual(['mailto:a@b.c']);
      expect(p.expires).toEqual(['2021-12-31T18:37:07Z']);
    }
  });

  test('a byte-order mark is noted and does not hide the first field', () => {
    const withBom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\n')]);
    const p = parseSecurityTxt(withBom);
    expect(p.bom).toBe(true);
    expect(p.contact).toEqual(['mailto:a@b.c']);
    const v = validateSecurityTxt(p, { now: NOW });
    expect(v.valid).toBe(true);
    expect(v.issues.map((i) => [i.code, i.level])).toEqual([['bom', 'note']]);
  });

  test('URIs: not a URI, http://, https OK, mailto OK', () => {
    expect(codes('Contact: security@example.com\nExpires: 2021-12-31T18:37:07Z\n')).toEqual(['bad-uri']);
    expect(codes('Contact: http://example.com/report\nExpires: 2021-12-31T18:37:07Z\n')).toEqual(['insecure-uri']);
    expect(codes('Contact: mailto:a@b.c\nPolicy: http://example.com/policy\nExpires: 2021-12-31T18:37:07Z\n')).toEqual(['insecure-uri']);
    expect(codes('Contact: https://example.com/report\nExpires: 2021-12-31T18:37:07Z\n')).toEqual([]);
  });

  test('Preferred-Languages at most once', () => {
    expect(codes('Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\nPreferred-Languages: en\nPreferred-Languages: fr\n')).toEqual(['multiple-preferred-languages']);
  });

  test('Canonical must list the URL the file came from', () => {
    const t = 'Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\nCanonical: https://10.0.0.5/.well-known/security.txt\n';
    expect(codes(t, { url: 'https://10.0.0.5/.well-known/security.txt' })).toEqual([]);
    expect(codes(t, { url: 'https://10.0.0.6/.well-known/security.txt' })).toEqual(['canonical-mismatch']);
    expect(codes('Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\n', { url: 'https://10.0.0.6/.well-known/security.txt' })).toEqual([]);
  });

  test('served over HTTP, truncated, wrong content type', () => {
    const ok = 'Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\n';
    expect(codes(ok, { https: false })).toEqual(['not-https']);
    expect(codes(ok, { truncated: true })).toEqual(['truncated']);
    expect(codes(ok, { contentType: 'text/html' })).toEqual(['content-type']);
    expect(codes(ok, { contentType: 'text/plain; charset=utf-8' })).toEqual([]);
  });

  test('field names are case-insensitive; extension fields and comments are ignored', () => {
    const p = parseSecurityTxt('CONTACT: mailto:a@b.c\nexpires: 2021-12-31T18:37:07Z\nX-Bug-Bounty: yes\n# comment\n');
    expect(p.contact).toEqual(['mailto:a@b.c']);
    expect(p.fields.map((f) => f.name)).toEqual(['CONTACT', 'expires', 'X-Bug-Bounty']);
    expect(validateSecurityTxt(p, { now: NOW }).valid).toBe(true);
  });

  test('a huge file is capped and reported, quickly', () => {
    const huge = `Contact: mailto:a@b.c\nExpires: 2021-12-31T18:37:07Z\n${'# padding\n'.repeat(200_000)}`;
    const p = parseSecurityTxt(Buffer.from(huge));
    expect(p.issues.map((i) => i.code)).toContain('too-large');
    expect(p.lines).toBeLessThanOrEqual(SECURITY_TXT_MAX_BYTES);
    expect(p.contact).toEqual(['mailto:a@b.c']);
    expect(validateSecurityTxt(p, { now: NOW }).valid).toBe(false);
  });

  test('invalid UTF-8 is an error; an over-long line is skipped', () => {
    expect(codes(Buffer.from([0x43, 0x6f, 0x6e, 0x74, 0x61, 0x63, 0x74, 0x3a, 0x20, 0xff, 0xfe, 0x0a]))).toContain('not-utf8');
    const long = `Contact: mailto:${'a'.repeat(5000)}@b.c\nContact: mailto:x@y.z\nExpires: 2021-12-31T18:37:07Z\n`;
    const p = parseSecurityTxt(long);
    expect(p.contact).toEqual(['mailto:x@y.z']);
    expect(p.issues.map((i) => i.code)).toEqual(['line-too-long']);
  });

  test('hostile field names never pollute prototypes', () => {
    const p = parseSecurityTxt('__proto__: polluted\nconstructor: x\nContact: mailto:a@b.c\n');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(p.fields.map((f) => f.name)).toEqual(['__proto__', 'constructor', 'Contact']);
  });

  test('never throws on arbitrary input', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
      const v = validateSecurityTxt(parseSecurityTxt(Buffer.from(bytes)), { now: NOW });
      expect(typeof v.valid).toBe('boolean');
    }), { numRuns: 200 });
  });
});

describe('looksLikeSecurityTxt', () => {
  test('recognises files and rejects HTML and error pages', () => {
    expect(looksLikeSecurityTxt('Contact: mailto:a@b.c\n')).toBe(true);
    expect(looksLikeSecurityTxt('\uFEFFContact: mailto:a@b.c\n')).toBe(true);
    expect(looksLikeSecurityTxt(Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\n'))).toBe(true);
    expect(looksLikeSecurityTxt('<!doctype html><html><body>Contact: us</body></html>')).toBe(false);
    expect(looksLikeSecurityTxt('404 Not Found')).toBe(false);
    expect(looksLikeSecurityTxt('')).toBe(false);
  });
});
