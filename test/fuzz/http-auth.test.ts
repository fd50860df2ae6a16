/**
 * Fuzzing HTTP parsing fed by devices: WWW-Authenticate challenges (Basic/Digest, src/net/digest.ts),
 * the Authorization header built from them, the net layer's header map, and discovery's own HTTP
 * response, title and realm readers. Properties: no throw, capped output, no prototype keys, and no
 * header injection — nothing a device sends can put a line break into a request we send back.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_AUTH_HEADER_CHARS, authorizationFor, chooseAuth, digestAuthorization, parseAuthenticate, toDigestChallenge } from '../../src/net/digest.js';
import { headerMap } from '../../src/net/http.js';
import { decodeEntities, extractRealm, extractTitle, parseHttpResponse } from '../../src/discovery/collectors/http.js';
import { buildRtspRequest } from '../../src/net/rtsp.js';
import { headerBlock, hostileBytes, hostileText, NASTY, RUNS, textSize } from './arbitraries.js';

const scheme = fc.constantFrom('Basic', 'Digest', 'digest', 'Bearer', 'NTLM', 'Negotiate', '', 'x');
const param = fc.tuple(fc.constantFrom('realm', 'nonce', 'opaque', 'qop', 'algorithm', 'stale', 'userhash', 'domain', '__proto__', 'constructor', 'charset'),
  fc.oneof(hostileText(300), fc.constantFrom('MD5', 'SHA-256', 'SHA-256-sess', 'SHA-512-256', 'md5-sess', 'auth', 'auth,auth-int', 'true')),
  fc.boolean()).map(([k, v, quoted]) => `${k}=${quoted ? `"${v.replace(/"/g, '\\"')}"` : v}`);
const challenge = fc.oneof(
  fc.tuple(scheme, fc.array(param, { maxLength: 10 }), fc.constantFrom(', ', ',', ' ', '\t')).map(([s, ps, sep]) => `${s} ${ps.join(sep)}`),
  hostileText(MAX_AUTH_HEADER_CHARS * 2),
);
const challenges = fc.array(challenge, { maxLength: 6 });

describe('WWW-Authenticate', () => {
  it('parses anything into at most 16 challenges with lower-case schemes and Map-held parameters', () => {
    fc.assert(fc.property(challenges, (values) => {
      const parsed = parseAuthenticate(values);
      expect(parsed.length).toBeLessThanOrEqual(16);
      for (const c of parsed) {
        expect(c.scheme).toBe(c.scheme.toLowerCase());
        expect(c.params).toBeInstanceOf(Map);
        expect(c.params.size).toBeLessThanOrEqual(24);
      }
      // Every character comes from the input (plus the field names of each challenge).
      expect(textSize(parsed)).toBeLessThanOrEqual(values.reduce((n, v) => n + Math.min(v.length, MAX_AUTH_HEADER_CHARS), 0) + 32 * parsed.length);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    }), RUNS);
  });

  it('builds an Authorization header from any challenge without a line break (no header injection)', () => {
    fc.assert(fc.property(challenges, hostileText(60), hostileText(60), (values, user, pass) => {
      const auth = chooseAuth(parseAuthenticate(values));
      if (auth === null) return;
      const input = { username: user.replace(/[\r\n]/g, ''), password: pass, method: 'GET', uri: '/', cnonce: 'abc', nc: 1 };
      const header = authorizationFor(auth, input);
      expect(header.length).toBeLessThanOrEqual(8 * 1024);
      // Whatever the device's realm or nonce held, the RTSP request that carries it has exactly its own lines.
      const req = buildRtspRequest('DESCRIBE', 'rtsp://10.0.0.1/', 2, [['Authorization', header]]);
      expect(req.split('\r\n')).toHaveLength(5 + 2);
      expect(req.replace(/\r\n/g, '')).not.toMatch(/[\r\n\0]/);
    }), RUNS);
  });

  it('Digest: every challenge that converts yields a response of the hash\'s length', () => {
    fc.assert(fc.property(challenges, (values) => {
      for (const c of parseAuthenticate(values)) {
        const d = toDigestChallenge(c);
        if (!d) continue;
        expect(d.realm.length).toBeLessThanOrEqual(512);
        expect(d.nonce.length).toBeLessThanOrEqual(1024);
        const r = digestAuthorization(d, { username: 'u', password: 'p', method: 'GET', uri: '/', cnonce: 'c', nc: 1 });
        expect(r.response).toMatch(d.hash === 'MD5' ? /^[0-9a-f]{32}$/ : /^[0-9a-f]{64}$/);
      }
    }), RUNS);
  });
});

describe('HTTP responses read by the scanner', () => {
  const response = headerBlock(['HTTP/1.1 200 OK', 'HTTP/1.0 401 Unauthorized', 'HTTP/2 302 Found', 'HTTP/1.1 999', 'HTTP/1.1 200'],
    ['Server', 'WWW-Authenticate', 'Location', 'Content-Type', 'Content-Length', 'Set-Cookie', '__proto__', 'constructor', 'X-Flood']);

  it('discovery\'s raw response parser: a status or nothing, capped header names and values', () => {
    fc.assert(fc.property(fc.oneof(response.map((s) => Buffer.from(s)), hostileBytes(8000)), (raw) => {
      const r = parseHttpResponse(raw);
      if (r === undefined) return;
      expect(r.status).toBeGreaterThanOrEqual(0);
      expect(r.status).toBeLessThanOrEqual(999);
      expect(r.headers).toBeInstanceOf(Map);
      for (const [k, v] of r.headers) {
        expect(k.length).toBeLessThanOrEqual(100);
        for (const x of v) expect(x.length).toBeLessThanOrEqual(2000);
      }
      expect(r.body.length).toBeLessThanOrEqual(raw.length);
    }), RUNS);
  });

  it('title and realm readers: short text or nothing, whatever the page', () => {
    const page = fc.tuple(hostileText(3000), hostileText(500), hostileText(3000))
      .map(([a, t, b]) => Buffer.from(`${a}<title ${a.slice(0, 10)}>${t}</title>${b}`));
    fc.assert(fc.property(fc.oneof(page, hostileBytes()), challenges, (body, values) => {
      const t = extractTitle(body);
      if (t !== undefined) expect(t.length).toBeLessThanOrEqual(200);
      const realm = extractRealm(values);
      if (realm !== undefined) expect(realm.length).toBeLessThanOrEqual(200);
    }), RUNS);
  });

  it('entity decoding never throws and never resolves a prototype key', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.constantFrom(...NASTY, '&proto;', '&constructor;', '&valueOf;', '&#0;', '&#x110000;', '&#xD800;'), hostileText(20)), { maxLength: 50 }), (parts) => {
      const s = parts.join('');
      const d = decodeEntities(s);
      expect(d).not.toContain('[object');
      expect(d).not.toContain('function');
      expect(d.length).toBeLessThanOrEqual(s.length * 2);
    }), RUNS);
  });

  it('the net layer\'s header map keeps repeated challenges apart and never uses a plain object', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.oneof(fc.constantFrom('www-authenticate', 'set-cookie', 'server', '__proto__', 'constructor', 'hasOwnProperty'), hostileText(30)), hostileText(200)), { maxLength: 60 }), (pairs) => {
      const m = headerMap(pairs.flat());
      expect(m).toBeInstanceOf(Map);
      const auth = pairs.filter(([k]) => k.toLowerCase() === 'www-authenticate').length;
      expect(m.get('www-authenticate')?.length ?? 0).toBe(auth);
      expect(({} as Record<string, unknown>)['server']).toBeUndefined();
    }), RUNS);
  });
});
