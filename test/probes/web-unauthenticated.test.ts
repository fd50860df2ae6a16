import http from 'node:http';
import type { AddressInfo } from 'node:net';
import probe, {
  adminScore, assessWeb, imageMagic, looksLikeAdminPage, MAX_REQUESTS, MAX_SCAN_BYTES, pageFeatures, PATHS, sameOriginPath,
  type WebEvidence, type WebRequest,
} from '../../src/probes/web-unauthenticated.js';
import { assessInput, makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';

// --- fixtures -------------------------------------------------------------------------------------

const ROUTER_LOGIN = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>.:: Welcome to the Web-Based Configurator::.</title></head>
<body><h2>VMG1312-B10A</h2>
<form method="post" action="/login.cgi">
  <label>User Name: <input name="username" value=""></label><br>
  <label>Password: <input name="password" type="password"></label><br>
  <input type="submit" value="Login">
</form><p>Firmware Version: V5.13(AAJD.7)C0</p></body></html>`;

const SIGN_IN = `<!DOCTYPE html><html><head><title>Thermostat - Sign in</title></head><body><h1>Thermostat</h1>
<form method="post" action="/api/session"><label>Email <input name="email" type="email" autocomplete="username"></label>
<label>Password <input name="password" type="password" autocomplete="current-password"></label><button>Sign in</button></form></body></html>`;

const OPEN_ADMIN = `<html><head><title>Router Administration - Wireless Settings</title>
<script>var x = "<input type=password name=login>";</script></head><body>
<a href="/logout.cgi">Logout</a> | <a href="/reboot.cgi">Reboot</a> | <a href="/upgrade.html">Firmware Upgrade</a>
<form action="/apply.cgi" method="post">
  SSID <input name="wl_ssid" value="HomeNet"> Key <input name="wl_wpa_psk" type="text">
  <select name="wl_channel"></select> DNS <input name="lan_dns1"> Gateway <input id="lanGateway">
  <input type="submit" value="Apply">
</form></body></html>`;

const SETUP_WIZARD = `<html><head><title>Setup</title></head><body><h1>Welcome</h1><p>Choose an administrator password to finish the setup.</p>
<form action="/setup"><input type="password" name="new_password" autocomplete="new-password"><input type="password" name="confirm_password"><button>Save</button></form></body></html>`;

const SPA_SHELL = '<!doctype html><html><head><title>Device</title><script src="/app.js"></script></head><body><div id="root"></div></body></html>';

const CAMERA_LIVE = `<!DOCTYPE html><html><head><title>WEB SERVICE</title></head><body><h1>IPC-HFW4431R-Z</h1>
<p>Live view | Playback | Setup | Alarm | Logout</p><img src="/cgi-bin/snapshot.jpg" alt="live view"></body></html>`;

const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF'), Buffer.alloc(2000, 7), Buffer.from([0xff, 0xd9])]);

describe('pageFeatures and the admin-page judgement', () => {
  it('sees a login form on the router and thermostat login pages', () => {
    for (const html of [ROUTER_LOGIN, SIGN_IN]) {
      const f = pageFeatures(html);
      expect(f.loginForm).toBe(true);
      expect(looksLikeAdminPage(f)).toBe(false);
    }
    expect(pageFeatures(ROUTER_LOGIN).title).toBe('.:: Welcome to the Web-Based Configurator::.');
  });

  it('recognises an administration page served without a login (and ignores markup inside scripts)', () => {
    const f = pageFeatures(OPEN_ADMIN);
    expect(f.loginForm).toBe(false);
    expect(f.passwordInputs).toBe(0);
    expect(f.settingsFields).toEqual(expect.arrayContaining(['ssid', 'psk', 'dns1', 'gateway']));
    expect(f.adminActions).toEqual(expect.arrayContaining(['reboot', 'firmware upgrade', 'reboot.cgi']));
    expect(f.logout).toBe(true);
    expect(f.adminTitle).toBe(true);
    expect(adminScore(f)).toBe(6);
    expect(looksLikeAdminPage(f)).toBe(true);
  });

  it.each([
    ['a first-time setup page asking for a new password', SETUP_WIZARD],
    ['a single-page-app shell', SPA_SHELL],
    ['a camera live view with a logout link only', CAMERA_LIVE],
    ['an empty body', ''],
  ])('does not call %s an admin page', (_what, html) => {
    expect(looksLikeAdminPage(pageFeatures(html))).toBe(false);
  });

  it('stays bounded on hostile markup: only the first MAX_SCAN_BYTES are looked at, titles are capped', () => {
    const f = pageFeatures(`<title>${'<'.repeat(200_000)}${'<input name="ssid" '.repeat(20_000)}`);
    expect(f.title === null || f.title.length <= 200).toBe(true);
    expect(f.settingsFields).toEqual([]);
    const long = pageFeatures(`<title>${'T'.repeat(5_000)}</title>${'x'.repeat(MAX_SCAN_BYTES)}<a href="/logout">Logout</a>`);
    expect(long.title!.length).toBe(200);
    expect(long.logout).toBe(false);
  });
});

describe('helpers', () => {
  it('recognises image signatures, also inside an MJPEG stream', () => {
    expect(imageMagic(JPEG, false)).toBe('image/jpeg');
    expect(imageMagic(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]), false)).toBe('image/png');
    expect(imageMagic(Buffer.from('GIF89a...'), false)).toBe('image/gif');
    expect(imageMagic(Buffer.from('<html>'), false)).toBeNull();
    expect(imageMagic(Buffer.concat([Buffer.from('--frame\r\nContent-Type: image/jpeg\r\n\r\n'), JPEG]), true)).toBe('image/jpeg');
  });

  it('follows only same-origin redirects', () => {
    expect(sameOriginPath('/index.html', 'http://10.0.0.1:80/')).toBe('/index.html');
    expect(sameOriginPath('main.htm?x=1', 'http://10.0.0.1:8080/')).toBe('/main.htm?x=1');
    expect(sameOriginPath('https://10.0.0.1/', 'http://10.0.0.1:80/')).toBeNull();
    expect(sameOriginPath('http://10.0.0.2/', 'http://10.0.0.1:80/')).toBeNull();
    expect(sameOriginPath('//evil.example/x', 'http://10.0.0.1:80/')).toBeNull();
  });

  it('keeps the request list within the per-service budget', () => {
    expect(PATHS.length).toBeLessThan(MAX_REQUESTS);
    expect(PATHS[0]).toMatchObject({ path: '/', kind: 'admin' });
    expect(PATHS.every((p) => p.source.length > 10)).toBe(true);
  });
});

function req(over: Partial<WebRequest>): WebRequest {
  return { path: '/', kind: 'admin', redirectedFrom: null, status: 200, contentType: 'text/html', bytes: 100, challenge: null, redirect: null, error: null, page: null, image: null, ...over };
}

const byCheck = (r: ReturnType<typeof assessWeb>, id: string) => r.find((x) => x.check === id)!;

describe('web-unauthenticated assess', () => {
  it('fails both checks on an open admin page and an open snapshot', () => {
    const ev: WebEvidence = { port: 80, tls: false, requests: [
      req({ page: pageFeatures(OPEN_ADMIN) }),
      req({ path: '/snapshot.jpg', kind: 'snapshot', contentType: 'image/jpeg', bytes: 2012, image: 'image/jpeg' }),
    ] };
    const r = assessWeb(ev);
    expect(byCheck(r, 'web-admin-unauthenticated')).toMatchObject({ status: 'fail', confidence: 'high' });
    expect(byCheck(r, 'web-admin-unauthenticated').detail).toMatch(/settings fields/);
    expect(byCheck(r, 'web-admin-no-login')).toMatchObject({ status: 'fail', detail: byCheck(r, 'web-admin-unauthenticated').detail });
    expect(byCheck(r, 'camera-snapshot-unauthenticated')).toMatchObject({ status: 'fail' });
    expect(byCheck(r, 'camera-snapshot-unauthenticated').detail).toContain('/snapshot.jpg');
  });

  it('passes login pages, challenges, and non-image or tiny answers on snapshot paths', () => {
    const ev: WebEvidence = { port: 80, tls: false, requests: [
      req({ page: pageFeatures(ROUTER_LOGIN) }),
      req({ path: '/snapshot.jpg', kind: 'snapshot', status: 401, challenge: 'Basic', contentType: 'text/html' }),
      req({ path: '/tmpfs/auto.jpg', kind: 'snapshot', status: 200, contentType: 'text/html', image: null }),
      req({ path: '/cgi-bin/snapshot.cgi', kind: 'snapshot', status: 200, contentType: 'image/jpeg', bytes: 40, image: 'image/jpeg' }),
      req({ path: '/axis-cgi/jpg/image.cgi', kind: 'snapshot', status: 200, contentType: 'text/plain', bytes: 4000, image: 'image/jpeg' }),
    ] };
    const r = assessWeb(ev);
    expect(byCheck(r, 'web-admin-unauthenticated').status).toBe('pass');
    expect(byCheck(r, 'web-admin-unauthenticated').detail).toMatch(/login form/);
    expect(byCheck(r, 'camera-snapshot-unauthenticated').status).toBe('pass');
  });

  it('reports errors when nothing answered, never a pass', () => {
    const err = { kind: 'refused' as const, message: 'ECONNREFUSED' };
    const r = assessWeb({ port: 80, tls: false, requests: [req({ status: null, error: err })] });
    expect(byCheck(r, 'web-admin-unauthenticated')).toMatchObject({ status: 'error', error: err });
    expect(byCheck(r, 'web-admin-no-login')).toMatchObject({ status: 'error', error: err });
    expect(byCheck(r, 'camera-snapshot-unauthenticated').status).toBe('not_applicable');
    const snapsFailed = assessWeb({ port: 80, tls: false, requests: [req({ status: 401, challenge: 'Digest' }), req({ path: '/snapshot.jpg', kind: 'snapshot', status: null, error: { kind: 'timeout', message: 't' } })] });
    expect(byCheck(snapsFailed, 'camera-snapshot-unauthenticated').status).toBe('error');
    expect(byCheck(snapsFailed, 'web-admin-unauthenticated').detail).toMatch(/asks for a login \(Digest\)/);
  });
});

// --- an in-process web server on 127.0.0.1 ------------------------------------------------------------

type Route = { status: number; headers?: Record<string, string>; body?: string | Buffer };

async function startWeb(routes: Record<string, Route>, fallback: Route = { status: 404 }): Promise<{ port: number; seen: { method: string; url: string; auth: boolean }[]; close(): Promise<void> }> {
  const seen: { method: string; url: string; auth: boolean }[] = [];
  const server = http.createServer((rq, rs) => {
    seen.push({ method: rq.method ?? '', url: rq.url ?? '', auth: rq.headers.authorization !== undefined });
    rq.resume();
    const route = routes[rq.url ?? ''] ?? fallback;
    rs.writeHead(route.status, route.headers ?? {});
    rs.end(route.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

describe('web-unauthenticated collect (web server on 127.0.0.1)', () => {
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  afterEach(async () => { await web?.close(); web = undefined; });

  async function run(port: number) {
    const service = tcpService(port, 'http');
    const t = makeContext({ service, maxConnections: probe.meta.budget.maxConnections, deadlineMs: 20_000 });
    const ev = await probe.collect(t.ctx);
    return { ev, t, results: probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service)) };
  }

  it('finds a snapshot left open behind a Basic-protected UI, with GETs only and no credentials', async () => {
    const basic: Route = { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="cam"', 'Content-Type': 'text/html' }, body: '<title>401</title>' };
    web = await startWeb({ '/cgi-bin/snapshot.cgi': { status: 200, headers: { 'Content-Type': 'image/jpeg' }, body: JPEG } }, basic);
    const { ev, t, results } = await run(web.port);
    expect(ev.requests.map((r) => r.path)).toEqual(PATHS.map((p) => p.path));
    expect(web.seen.every((s) => s.method === 'GET' && !s.auth)).toBe(true);
    expect(t.budget.used).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(byCheck(results, 'web-admin-unauthenticated').status).toBe('pass');
    const snap = byCheck(results, 'camera-snapshot-unauthenticated');
    expect(snap.status).toBe('fail');
    expect(snap.detail).toContain('/cgi-bin/snapshot.cgi');
  });

  it('follows one same-origin redirect to an open admin page', async () => {
    web = await startWeb({
      '/': { status: 302, headers: { Location: '/index.html' } },
      '/index.html': { status: 200, headers: { 'Content-Type': 'text/html' }, body: OPEN_ADMIN },
    });
    const { ev, results } = await run(web.port);
    expect(ev.requests[1]).toMatchObject({ path: '/index.html', redirectedFrom: '/' });
    expect(ev.requests.length).toBeLessThanOrEqual(MAX_REQUESTS);
    expect(byCheck(results, 'web-admin-unauthenticated').status).toBe('fail');
    expect(byCheck(results, 'camera-snapshot-unauthenticated').status).toBe('pass');
  });

  it('does not follow a redirect to a login page or to another origin', async () => {
    web = await startWeb({ '/': { status: 302, headers: { Location: '/login.html' } } });
    const a = await run(web.port);
    expect(web.seen.map((s) => s.url)).not.toContain('/login.html');
    expect(byCheck(a.results, 'web-admin-unauthenticated').status).toBe('pass');
    await web.close();
    web = await startWeb({ '/': { status: 301, headers: { Location: 'https://127.0.0.1/' } } });
    const b = await run(web.port);
    expect(b.ev.requests.filter((r) => r.redirectedFrom !== null)).toEqual([]);
    expect(byCheck(b.results, 'web-admin-unauthenticated').detail).toMatch(/redirects elsewhere/);
  });

  it('does not mistake a catch-all page for a snapshot or an admin page', async () => {
    web = await startWeb({}, { status: 200, headers: { 'Content-Type': 'text/html' }, body: SPA_SHELL });
    const { results } = await run(web.port);
    expect(results.map((r) => [r.check, r.status])).toEqual([['web-admin-unauthenticated', 'pass'], ['web-admin-no-login', 'not_applicable'], ['camera-snapshot-unauthenticated', 'pass']]);
  });

  it('stops after the first request when the port is closed', async () => {
    web = await startWeb({});
    const port = web.port;
    await web.close();
    web = undefined;
    const { ev, results } = await run(port);
    expect(ev.requests).toHaveLength(1);
    expect(byCheck(results, 'web-admin-unauthenticated')).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  });
});
