/** The web login engine's pure parts: transforms, templates, the cookie jar, answer matching, recognition. */
import { createHash, createHmac } from 'node:crypto';
import { compileRecipe, recipeById, type Recipe } from '../../src/data/web-logins.js';
import { CookieJar, cookiesSet, matches, valueAt } from '../../src/probes/lib/web-login.js';
import { applyTransform, fill, fillJson, newVars, runDerives, setVar, xmlEscape } from '../../src/probes/lib/web-login-transforms.js';
import { loginPageSignals, recogniseLoginPage, titleOf, type LoginSample } from '../../src/probes/lib/web-login-recognise.js';
import type { HttpResponse } from '../../src/probes/contract.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function res(status: number, body: string, headers: [string, string[]][] = []): HttpResponse {
  return { status, headers: new Map(headers), body: Buffer.from(body), truncated: false };
}
function sample(path: string, status: number, body: string, headers: [string, string[]][] = []): LoginSample {
  return { path, status, headers: new Map(headers), body: Buffer.from(body) };
}

describe('transforms and templates', () => {
  it('implements the fixed vocabulary', () => {
    expect(applyTransform('md5', 'admin')).toBe('21232f297a57a5a743894a0e4a801fc3');
    expect(applyTransform('sha256', 'abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(applyTransform('sha1', 'abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(applyTransform('base64', 'admin:admin')).toBe('YWRtaW46YWRtaW4=');
    expect(applyTransform('hex', 'AB')).toBe('4142');
    expect(applyTransform('upper', 'ab')).toBe('AB');
    expect(applyTransform('lower', 'AB')).toBe('ab');
    expect(applyTransform('urlencode', 'Basic a+b/=')).toBe('Basic%20a%2Bb%2F%3D');
    expect(applyTransform('hmac-md5', 'msg', 'key')).toBe(createHmac('md5', 'key').update('msg').digest('hex'));
    expect(applyTransform('hmac-sha256', 'msg', 'key')).toBe(createHmac('sha256', 'key').update('msg').digest('hex'));
  });

  it('computes the Dahua RPC2 challenge hash as the recipe composes it', () => {
    const step = recipeById('dahua-rpc2')!.steps![1]!;
    const vars = newVars({ username: 'admin', password: 'admin' });
    setVar(vars, 'realm', 'Login to 4M0A');
    setVar(vars, 'random', '123456789');
    expect(runDerives(step.derive!, vars)).toBeUndefined();
    const ha1 = md5('admin:Login to 4M0A:admin').toUpperCase();
    expect(vars.text.get('pw')).toBe(md5(`admin:123456789:${ha1}`).toUpperCase());
  });

  it('computes the Hikvision iterated sha256 for irreversible and reversible sessions', () => {
    const step = recipeById('hikvision-isapi')!.steps![1]!;
    const irr = newVars({ username: 'admin', password: '12345' });
    for (const [k, v] of [['challenge', 'c0ffee'], ['iterations', '5'], ['isIrreversible', 'true'], ['salt', 'NaCl']]) setVar(irr, k!, v);
    runDerives(step.derive!, irr);
    let h = sha256(sha256('adminNaCl12345') + 'c0ffee');
    for (let i = 2; i < 5; i++) h = sha256(h);
    expect(irr.text.get('pw')).toBe(h);
    const rev = newVars({ username: 'admin', password: '12345' });
    for (const [k, v] of [['challenge', 'c0ffee'], ['iterations', '5'], ['isIrreversible', 'false']]) setVar(rev, k!, v);
    runDerives(step.derive!, rev);
    let r = sha256(sha256('12345') + 'c0ffee');
    for (let i = 1; i < 4; i++) r = sha256(r);
    expect(rev.text.get('pw')).toBe(r);
  });

  it('caps repeat counts from the device and reports missing values', () => {
    const vars = newVars({ password: 'x' });
    setVar(vars, 'iterations', '999999999');
    const t0 = Date.now();
    expect(runDerives([{ name: 'pw', ops: ['sha256'], input: '{password}', repeat: { var: 'iterations', minus: 0, max: 100 } }], vars)).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(500);
    expect(runDerives([{ name: 'q', ops: ['md5'], input: '{nonce}' }], vars)).toBe('nonce');
  });

  it('escapes per context and keeps JSON types of values read from JSON', () => {
    const vars = newVars({ username: 'a&<b>', password: 'p"w' });
    setVar(vars, 'session', 12345);
    expect(fill('<u>{username}</u>', vars, xmlEscape)).toEqual({ value: '<u>a&amp;&lt;b&gt;</u>' });
    expect(fill('/x?u={username}', vars, encodeURIComponent)).toEqual({ value: '/x?u=a%26%3Cb%3E' });
    expect(fillJson({ s: '{session}', p: '{password}', n: ['{username}'] }, vars)).toEqual({ value: { s: 12345, p: 'p"w', n: ['a&<b>'] } });
    expect(fill('{nope}', vars)).toEqual({ missing: 'nope' });
  });
});

describe('cookie jar and answers', () => {
  it('keeps at most 16 cookies, drops deleted ones, never stores CR/LF', () => {
    const jar = new CookieJar();
    jar.absorb({ headers: new Map([['set-cookie', Array.from({ length: 40 }, (_, i) => `c${i}=v${i}; Path=/`)]]) });
    expect(jar.header()?.split('; ')).toHaveLength(16);
    jar.absorb({ headers: new Map([['set-cookie', ['c0=deleted; Max-Age=0', '__proto__=x']]]) });
    expect(jar.get('c0')).toBeUndefined();
    expect(jar.get('__proto__')).toBe('x'); // a Map key, harmless
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    jar.set('c99', 'full'); // 16 again: new names are not added
    expect(jar.get('c99')).toBeUndefined();
    const fresh = new CookieJar();
    fresh.set('evil', 'a\r\nSet-Cookie: x');
    fresh.set('fine', 'ok');
    expect(fresh.get('evil')).toBeUndefined();
    expect(fresh.header()).toBe('fine=ok');
    expect(cookiesSet(res(302, '', [['set-cookie', ['sysauth_http=abc; path=/', 'gone=; Max-Age=0']]]))).toEqual(new Set(['sysauth_http']));
  });

  it('reads JSON paths by own properties and indexes only', () => {
    const j = JSON.parse('{"__proto__":{"ok":true},"a":[{"b":1}]}') as unknown;
    expect(valueAt(j, ['a', '0', 'b'])).toBe(1);
    expect(valueAt(j, ['toString'])).toBeUndefined();
    expect(valueAt(j, ['a', 'length'])).toBeUndefined();
    expect(valueAt(j, ['__proto__', 'ok'])).toBe(true); // an own key named __proto__ from JSON.parse, not the prototype
    expect(valueAt({}, ['__proto__'])).toBeUndefined();
  });

  it('matches status, JSON, body, cookie, redirect and header conditions together', () => {
    const r = compileRecipe(recipeById('openwrt-luci')! as Recipe);
    const ok = res(302, '', [['set-cookie', ['sysauth_http=1; path=/']], ['location', ['/cgi-bin/luci/']]]);
    const a = { res: ok, text: '', json: null, cookies: cookiesSet(ok) };
    expect(r.successM.some((m) => matches(m, a))).toBe(true);
    const bad = res(403, '<input name="luci_password" type="password">');
    expect(r.successM.some((m) => matches(m, { res: bad, text: bad.body.toString(), json: null, cookies: new Set() }))).toBe(false);
    expect(r.failureM.some((m) => matches(m, { res: bad, text: bad.body.toString(), json: null, cookies: new Set() }))).toBe(true);
    const hdr = { header: { name: 'x-a', re: /^ok$/i }, redirect: /home/i };
    expect(matches(hdr, { res: res(302, '', [['x-a', ['ok']], ['location', ['/home']]]), text: '', json: null, cookies: new Set() })).toBe(true);
    expect(matches(hdr, { res: res(200, '', [['x-a', ['ok']], ['location', ['/home']]]), text: '', json: null, cookies: new Set() })).toBe(false);
  });
});

describe('recognition', () => {
  it('picks the recipe with the most signals, from title, Server, body, realm and redirect', () => {
    const hik = recogniseLoginPage([sample('/', 302, '', [['server', ['App-webs/']], ['location', ['/doc/page/login.asp?_1']]])]);
    expect(hik).toMatchObject({ kind: 'recipe', recipe: { id: 'hikvision-isapi' } });
    if (hik.kind === 'recipe') expect(hik.signals).toEqual(expect.arrayContaining(['server', 'redirect']));
    const tr = recogniseLoginPage([sample('/transmission/web/', 401, '', [['www-authenticate', ['Basic realm="Transmission"']]])]);
    expect(tr).toMatchObject({ kind: 'recipe', recipe: { id: 'transmission' }, signals: ['realm'] });
  });

  it('a server that redirects every path to HTTPS is no vendor (the lab\'s secure thermostat was taken for Hikvision)', () => {
    const toHttps = (path: string) => sample(path, 301, '', [['location', [`https://10.231.0.13${path}`]], ['server', ['lighttpd/1.4.69']]]);
    expect(recogniseLoginPage([toHttps('/'), toHttps('/doc/page/login.asp')]).kind).toBe('none');
    // A redirect that moves to the login page still counts, relative or absolute.
    const moves = recogniseLoginPage([sample('/', 302, '', [['location', ['http://10.0.0.5/doc/page/login.asp']]])]);
    expect(moves).toMatchObject({ kind: 'recipe', recipe: { id: 'hikvision-isapi' }, signals: ['redirect'] });
  });

  it('recognises by favicon hash when a recipe lists one', () => {
    const base = recipeById('reolink-json')!;
    const fav = 'b'.repeat(64);
    const r = compileRecipe({ ...base, recognise: { paths: ['/'], faviconSha256: [fav] } });
    expect(recogniseLoginPage([sample('/', 200, '<html></html>')], fav, [r])).toMatchObject({ kind: 'recipe', signals: ['favicon'] });
    expect(recogniseLoginPage([sample('/', 200, '<html></html>')], 'c'.repeat(64), [r]).kind).toBe('none');
  });

  it('says unknown-login for a password form or a login SPA shell, none otherwise', () => {
    expect(loginPageSignals([sample('/', 200, '<form><input name=p type=password></form>')])).toEqual(['password field on /']);
    expect(recogniseLoginPage([sample('/', 200, '<html><head><title>Sign in</title></head><body><div id="app"></div><script src="/a.js"></script></body></html>')], null, []).kind).toBe('unknown-login');
    expect(recogniseLoginPage([sample('/', 200, '<html><head><title>Status</title></head><body>ok</body></html>')], null, []).kind).toBe('none');
    expect(recogniseLoginPage([sample('/', 404, '<input type="password">')], null, []).kind).toBe('none');
  });

  it('makes titles inert and runs patterns on capped input only', () => {
    expect(titleOf(Buffer.from('<title>\x1b[2J\u202eevil\x00 \x07</title>'))).toBe('evil');
    const huge = `${'x'.repeat(100_000)}<title>Reolink</title>`;
    expect(titleOf(Buffer.from(huge))).toBeNull();
    const t0 = Date.now();
    recogniseLoginPage([sample('/', 200, `<input ${'a'.repeat(1_000_000)}`)]);
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
