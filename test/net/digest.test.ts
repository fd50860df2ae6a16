import { createHash } from 'node:crypto';
import {
  basicAuthorization, bestDigestChallenge, chooseAuth, digestAuthorization, parseAuthenticate, toDigestChallenge,
  type DigestChallenge,
} from '../../src/net/digest.js';

function md5(s: string): string { return createHash('md5').update(s).digest('hex'); }

function challenge(header: string): DigestChallenge {
  const c = parseAuthenticate([header]).map(toDigestChallenge).find((x) => x !== null);
  if (!c) throw new Error('no digest challenge');
  return c;
}

describe('parseAuthenticate', () => {
  it('parses several challenges in one header, quoted strings with escapes and commas', () => {
    const cs = parseAuthenticate(['Basic realm="a, \\"b\\"", Digest realm="x", nonce="n1", qop="auth,auth-int", algorithm=SHA-256']);
    expect(cs.map((c) => c.scheme)).toEqual(['basic', 'digest']);
    expect(cs[0]?.params.get('realm')).toBe('a, "b"');
    expect(cs[1]?.params.get('qop')).toBe('auth,auth-int');
    expect(cs[1]?.params.get('algorithm')).toBe('SHA-256');
  });

  it('parses challenges from several headers and token68', () => {
    const cs = parseAuthenticate(['Negotiate abc+/=', 'Bearer', 'Basic realm=plain']);
    expect(cs.map((c) => c.scheme)).toEqual(['negotiate', 'bearer', 'basic']);
    expect(cs[0]?.token68).toBe('abc+/=');
    expect(cs[2]?.params.get('realm')).toBe('plain');
  });

  it('keeps hostile parameter names out of object prototypes and caps the input', () => {
    const cs = parseAuthenticate([`Digest __proto__="x", constructor="y", realm="r", nonce="n"${', a="b"'.repeat(5000)}`]);
    expect(cs).toHaveLength(1);
    expect(cs[0]?.params.get('__proto__')).toBe('x');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(cs[0]?.params.size).toBeLessThanOrEqual(24);
  });

  it('survives junk and unterminated quotes', () => {
    expect(parseAuthenticate(['"""', ',,,', 'Digest realm="unterminated'])[0]?.params.get('realm')).toBe('unterminated');
    expect(parseAuthenticate(undefined)).toEqual([]);
  });
});

describe('Digest (RFC 7616 / 2617 / 2069)', () => {
  it('RFC 7616 §3.9.1 example, MD5', () => {
    const ch = challenge('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=MD5, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
    const r = digestAuthorization(ch, { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', nc: 1 });
    expect(r.response).toBe('8ca523f5e9506fed4657c9700eebdbec');
    expect(r.header).toContain('qop=auth, nc=00000001, cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"');
    expect(r.header).toContain('opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
    expect(r.header).toContain('algorithm=MD5');
  });

  it('RFC 7616 §3.9.1 example, SHA-256', () => {
    const ch = challenge('Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=SHA-256, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"');
    const r = digestAuthorization(ch, { username: 'Mufasa', password: 'Circle of Life', method: 'GET', uri: '/dir/index.html', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ', nc: 1 });
    expect(r.response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
    expect(r.header).toContain('algorithm=SHA-256');
  });

  it('RFC 2617 §3.5 example (qop=auth, MD5 by default)', () => {
    const ch = challenge('Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    const r = digestAuthorization(ch, { username: 'Mufasa', password: 'Circle Of Life', method: 'GET', uri: '/dir/index.html', cnonce: '0a4f113b', nc: 1 });
    expect(r.response).toBe('6629fae49393a05397450978507c4ef1');
  });

  it('RFC 2069 example (no qop)', () => {
    const ch = challenge('Digest realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"');
    const r = digestAuthorization(ch, { username: 'Mufasa', password: 'CircleOfLife', method: 'GET', uri: '/dir/index.html' });
    expect(r.response).toBe('1949323746fe6a43ef61f9606e7febea');
    expect(r.qop).toBe('none');
    expect(r.header).not.toContain('qop=');
    expect(r.header).not.toContain('cnonce=');
  });

  it('MD5-sess: HA1 = MD5(MD5(user:realm:pass):nonce:cnonce)', () => {
    const ch = challenge('Digest realm="r", nonce="N", qop="auth", algorithm=MD5-sess');
    expect(ch.sess).toBe(true);
    const r = digestAuthorization(ch, { username: 'u', password: 'p', method: 'GET', uri: '/x', cnonce: 'C', nc: 2 });
    const ha1 = md5(`${md5('u:r:p')}:N:C`);
    const expected = md5(`${ha1}:N:00000002:C:auth:${md5('GET:/x')}`);
    expect(r.response).toBe(expected);
    expect(r.header).toContain('algorithm=MD5-sess');
    expect(r.header).toContain('nc=00000002');
  });

  it('SHA-256-sess differs from SHA-256 for the same input', () => {
    const a = digestAuthorization(challenge('Digest realm="r", nonce="N", qop="auth", algorithm=SHA-256'), { username: 'u', password: 'p', method: 'GET', uri: '/', cnonce: 'C' });
    const b = digestAuthorization(challenge('Digest realm="r", nonce="N", qop="auth", algorithm=SHA-256-sess'), { username: 'u', password: 'p', method: 'GET', uri: '/', cnonce: 'C' });
    expect(a.response).toHaveLength(64);
    expect(b.response).toHaveLength(64);
    expect(a.response).not.toBe(b.response);
  });

  it('qop=auth-int hashes the (empty) body into A2', () => {
    const ch = challenge('Digest realm="r", nonce="N", qop="auth-int"');
    const r = digestAuthorization(ch, { username: 'u', password: 'p', method: 'GET', uri: '/', cnonce: 'C' });
    const expected = md5(`${md5('u:r:p')}:N:00000001:C:auth-int:${md5(`GET:/:${md5('')}`)}`);
    expect(r.qop).toBe('auth-int');
    expect(r.response).toBe(expected);
  });

  it('userhash=true sends H(user:realm) as the user name', () => {
    const ch = challenge('Digest realm="r", nonce="N", qop="auth", algorithm=MD5, userhash=true');
    const r = digestAuthorization(ch, { username: 'u', password: 'p', method: 'GET', uri: '/', cnonce: 'C' });
    expect(r.header).toContain(`username="${md5('u:r')}"`);
    expect(r.header).toContain('userhash=true');
  });

  it('escapes quotes in the user name and reads stale=true', () => {
    const ch = challenge('Digest realm="r", nonce="N", stale=TRUE');
    expect(ch.stale).toBe(true);
    const r = digestAuthorization(ch, { username: 'a"b\\c', password: 'p', method: 'GET', uri: '/' });
    expect(r.header).toContain('username="a\\"b\\\\c"');
  });

  it('rejects unknown algorithms and challenges without a nonce', () => {
    expect(parseAuthenticate(['Digest realm="r", nonce="n", algorithm=SHA-1']).map(toDigestChallenge)).toEqual([null]);
    expect(parseAuthenticate(['Digest realm="r"']).map(toDigestChallenge)).toEqual([null]);
  });

  it('picks the strongest Digest challenge, then Digest over Basic', () => {
    const cs = parseAuthenticate(['Digest realm="r", nonce="a", algorithm=MD5', 'Digest realm="r", nonce="b", algorithm=SHA-256', 'Basic realm="r"']);
    expect(bestDigestChallenge(cs)?.hash).toBe('SHA-256');
    const chosen = chooseAuth(cs);
    expect(chosen?.scheme).toBe('digest');
    expect(chooseAuth(parseAuthenticate(['Basic realm="cam"']))).toEqual({ scheme: 'basic', realm: 'cam' });
    expect(chooseAuth(parseAuthenticate(['Bearer']))).toBeNull();
  });
});

describe('Basic', () => {
  it('encodes user:password in UTF-8 base64 (RFC 7617)', () => {
    expect(basicAuthorization('Aladdin', 'open sesame')).toBe('Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    expect(basicAuthorization('test', '123£')).toBe('Basic dGVzdDoxMjPCow==');
  });
});
