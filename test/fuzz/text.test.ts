/**
 * Fuzzing the text parsers fed by devices: security.txt (RFC 9116) and the version extraction that
 * reads banners, Server headers and script output (src/probes/lib/versions.ts). They must never throw
 * and never return more than their caps, whatever the device sends.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { SECURITY_TXT_MAX_BYTES, looksLikeSecurityTxt, parseRfc3339, parseSecurityTxt, validateSecurityTxt } from '../../src/probes/lib/security-txt.js';
import { MAX_TEXT, compareVersions, extractFromText, normaliseVersion, tokenize } from '../../src/probes/lib/versions.js';
import { headerBlock, hostileBytes, hostileText, RUNS } from './arbitraries.js';

const securityTxt = fc.oneof(
  headerBlock(['-----BEGIN PGP SIGNED MESSAGE-----', 'Contact: mailto:a@example.com', '# comment', ''],
    ['Contact', 'Expires', 'Canonical', 'Encryption', 'Policy', 'Acknowledgments', 'Hiring', 'CSAF', 'Preferred-Languages', '__proto__', 'constructor', 'Hash']),
  hostileText(40_000),
).map((s) => (s.length % 3 === 0 ? `${s}\n-----BEGIN PGP SIGNATURE-----\nxx\n-----END PGP SIGNATURE-----\n` : s));

describe('security.txt', () => {
  it('parses anything (text or bytes, signed or not) without throwing; fields capped', () => {
    fc.assert(fc.property(fc.oneof(securityTxt, hostileBytes(40_000)), fc.boolean(), fc.boolean(), (input, https, truncated) => {
      const parsed = parseSecurityTxt(input);
      expect(parsed.fields.length).toBeLessThanOrEqual(100);
      for (const f of parsed.fields) {
        expect(f.value.length).toBeLessThanOrEqual(500);
        expect(f.name.length).toBeLessThanOrEqual(2048);
      }
      expect(parsed.lines).toBeLessThanOrEqual(SECURITY_TXT_MAX_BYTES + 1);
      const v = validateSecurityTxt(parsed, { now: new Date('2026-01-01T00:00:00Z'), https, truncated, url: 'https://10.0.0.5/.well-known/security.txt' });
      expect(Array.isArray(v.issues)).toBe(true);
      expect(typeof looksLikeSecurityTxt(input)).toBe('boolean');
      expect(({} as Record<string, unknown>)['contact']).toBeUndefined();
    }), RUNS);
  });

  it('dates: a Date or null, never an exception or an Invalid Date', () => {
    fc.assert(fc.property(fc.oneof(hostileText(60), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.constantFrom('2026-02-30T00:00:00Z', '9999-12-31T23:59:60Z', '2026-01-01T00:00:00+99:99', '0000-00-00T00:00:00Z')), (s) => {
      const d = parseRfc3339(s);
      if (d !== null) expect(Number.isNaN(d.getTime())).toBe(false);
    }), RUNS);
  });
});

describe('banners and version extraction', () => {
  const banner = fc.oneof(hostileText(5000), fc.tuple(fc.constantFrom('OpenSSH_', 'lighttpd/', 'Boa/', 'dropbear_', 'GoAhead-Webs/', 'mini_httpd/', 'BusyBox v', 'nginx/', 'vsftpd ', 'mosquitto version '),
    fc.array(fc.oneof(fc.integer({ min: 0, max: 99_999 }).map(String), fc.constantFrom('.', 'p', 'rc', '-', '_', 'a', '~', '+deb12u1', '9'.repeat(400))), { maxLength: 30 }),
    hostileText(200)).map(([p, v, rest]) => `${rest.slice(0, 20)}${p}${v.join('')} ${rest}`));

  it('extracts observations from any text without throwing; raw text and versions capped', () => {
    fc.assert(fc.property(banner, fc.boolean(), (text, productOnly) => {
      const obs = extractFromText(text, { source: 'banner', port: 22, transport: 'tcp' }, { productOnly });
      expect(obs.length).toBeLessThanOrEqual(MAX_TEXT);
      for (const o of obs) {
        expect(o.raw.length).toBeLessThanOrEqual(MAX_TEXT);
        if (o.version !== undefined) expect(o.version.length).toBeLessThanOrEqual(MAX_TEXT);
      }
    }), RUNS);
  });

  it('version comparison is total and antisymmetric on anything a device calls a version', () => {
    const version = fc.oneof(hostileText(60), fc.array(fc.oneof(fc.nat(999_999).map(String), fc.constantFrom('.', 'p', 'rc', 'beta', '-', '~')), { maxLength: 12 }).map((a) => a.join('')));
    fc.assert(fc.property(version, version, (a, b) => {
      const ab = compareVersions(a, b);
      const ba = compareVersions(b, a);
      expect(Number.isFinite(ab)).toBe(true);
      expect(Math.sign(ab)).toBe(-Math.sign(ba) || 0);
      expect(compareVersions(a, a)).toBe(0);
      expect(tokenize(a).length).toBeLessThanOrEqual(a.length + 1);
      const n = normaliseVersion(a);
      if (n !== null) expect(n.length).toBeLessThanOrEqual(a.length);
    }), RUNS);
  });
});
