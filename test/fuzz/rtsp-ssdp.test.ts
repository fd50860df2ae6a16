/**
 * Fuzzing RTSP answers (src/net/rtsp.ts) and SSDP/UPnP announcements (the upnp-disclosure probe and
 * discovery's SSDP reader). Besides "no throw, bounded output", the scope property: whatever LOCATION
 * a device announces, the URL we agree to fetch is on that device, on a valid port that is not a raw
 * printer port — never another host, however it is spelled.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { MAX_RTSP_BODY_BYTES, MAX_RTSP_HEADER_BYTES, parseRtspResponse } from '../../src/net/rtsp.js';
import { descriptionTarget, parseSsdpReply } from '../../src/probes/upnp-disclosure.js';
import { parseSsdpResponse, safeLocation } from '../../src/discovery/collectors/ssdp.js';
import { isFragilePort } from '../../src/net/scope.js';
import { headerBlock, hostileBytes, hostileText, RUNS, textSize } from './arbitraries.js';

const rtspAnswer = headerBlock(['RTSP/1.0 200 OK', 'RTSP/1.0 401 Unauthorized', 'RTSP/2.0 301 Moved', 'RTSP/1.0 99999 X', 'HTTP/1.1 200 OK'],
  ['CSeq', 'Content-Length', 'WWW-Authenticate', 'Public', 'Location', 'Server', 'Content-Type', '__proto__']);

describe('RTSP answers', () => {
  it('parse to a response, "incomplete" or an error message; never throw; capped', () => {
    fc.assert(fc.property(fc.oneof(rtspAnswer.map((s) => Buffer.from(s, 'latin1')), hostileBytes(40_000)), fc.boolean(), (buf, closed) => {
      const r = parseRtspResponse(buf, closed);
      expect(['incomplete', 'error', 'response']).toContain(r.kind);
      if (r.kind === 'response') {
        expect(r.response.body.length).toBeLessThanOrEqual(MAX_RTSP_BODY_BYTES);
        expect(r.response.reason.length).toBeLessThanOrEqual(120);
        expect(r.response.headers.size).toBeLessThanOrEqual(64);
        expect(r.consumed).toBeLessThanOrEqual(buf.length);
        expect(r.response.status).toBeGreaterThanOrEqual(100);
        expect(r.response.status).toBeLessThanOrEqual(999);
      }
      if (r.kind === 'error') expect(r.message.length).toBeLessThanOrEqual(200);
    }), RUNS);
  });

  it('a header block longer than the cap is an error, not a wait for more', () => {
    fc.assert(fc.property(fc.integer({ min: MAX_RTSP_HEADER_BYTES + 1, max: MAX_RTSP_HEADER_BYTES * 4 }), (n) => {
      expect(parseRtspResponse(Buffer.from(`RTSP/1.0 200 OK\r\n${'X'.repeat(n)}`)).kind).toBe('error');
    }), { numRuns: 20 });
  });

  it('a Content-Length of gigabytes is not waited for once the peer closes', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 999_999_999 }), hostileText(100), (len, body) => {
      const r = parseRtspResponse(Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: ${len}\r\n\r\n${body}`), true);
      expect(r.kind).toBe('response');
    }), RUNS);
  });
});

const DEVICE = '10.0.0.5';
/** LOCATIONs in every spelling of "somewhere else" we know, and of "here". */
const location = fc.oneof(
  hostileText(300),
  fc.tuple(fc.constantFrom('http', 'https', 'HTTP', 'file', 'gopher', 'ftp', 'javascript', ''), fc.constantFrom(
    DEVICE, '10.0.0.6', '10.0.0.5.nip.io', 'localhost', '127.0.0.1', '0xa.0x0.0x0.0x5', '167772165', '0x0a000005', '10.0.5', '[::ffff:10.0.0.5]',
    `${DEVICE}@10.0.0.6`, `10.0.0.6@${DEVICE}`, `${DEVICE}%2f@10.0.0.6`, `${DEVICE}.`, '[::1]', '', `${DEVICE}\\@10.0.0.6`,
  ), fc.oneof(fc.constant(''), fc.integer({ min: -1, max: 70_000 }).map((p) => `:${p}`), fc.constantFrom(':9100', ':515', ':0', ':80', ':abc')),
  fc.oneof(fc.constant('/rootDesc.xml'), hostileText(40).map((p) => `/${p}`), fc.constant('')))
    .map(([scheme, host, port, path]) => `${scheme}${scheme ? '://' : '//'}${host}${port}${path}`),
);

describe('SSDP', () => {
  const reply = headerBlock(['HTTP/1.1 200 OK', 'NOTIFY * HTTP/1.1', 'HTTP/1.1 404 Not Found', 'M-SEARCH * HTTP/1.1'],
    ['LOCATION', 'Location', 'SERVER', 'ST', 'NT', 'USN', 'CACHE-CONTROL', '__proto__', 'constructor']);

  it('both readers parse any datagram without throwing, with capped fields', () => {
    fc.assert(fc.property(fc.oneof(reply.map((s) => Buffer.from(s, 'latin1')), hostileBytes(70_000)), (dg) => {
      const a = parseSsdpReply(dg);
      if (a) for (const v of Object.values(a)) if (v !== null) expect(v.length).toBeLessThanOrEqual(300);
      const b = parseSsdpResponse(dg);
      if (b) expect(textSize(b)).toBeLessThanOrEqual(4096);
      expect(({} as Record<string, unknown>)['location']).toBeUndefined();
    }), RUNS);
  });

  it('the probe fetches a description only from the device itself, on a valid non-printer port', () => {
    fc.assert(fc.property(location, (loc) => {
      const t = descriptionTarget(loc, DEVICE);
      if ('reason' in t) return;
      const url = new URL(loc);
      expect(url.hostname).toBe(DEVICE);
      expect(t.port).toBeGreaterThanOrEqual(1);
      expect(t.port).toBeLessThanOrEqual(65535);
      expect(isFragilePort(t.port)).toBe(false);
      expect(t.path.startsWith('/')).toBe(true);
      // The request the net layer builds from it stays on the device too (it also refuses a path starting with //).
      expect(new URL(`${t.tls ? 'https' : 'http'}://${DEVICE}:${t.port}${t.path}`).hostname).toBe(DEVICE);
    }), { numRuns: 1000 });
  });

  it('discovery follows a LOCATION only to the same device, over plain http, off the printer ports', () => {
    fc.assert(fc.property(location, (loc) => {
      const u = safeLocation(loc, DEVICE);
      if (!u) return;
      expect(u.protocol).toBe('http:');
      expect(u.hostname).toBe(DEVICE);
      expect(isFragilePort(u.port === '' ? 80 : Number(u.port))).toBe(false);
    }), { numRuns: 1000 });
  });
});
