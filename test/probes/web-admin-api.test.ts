/**
 * Issue 15 item 2: an administration API that answers without any login is a guideline 1 failure with the
 * evidence (web-unauthenticated, lib/web-admin-api.ts). The in-process fakes answer with the bodies and
 * headers captured from the real software in the lab (test/probes/fixtures/web-admin/: node-red 4.1.8 with
 * its default settings.js, and with adminAuth; homebridge-config-ui-x 5.10.0 with form login).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import probe, { APIS, MAX_REQUESTS, PATHS, assessWeb } from '../../src/probes/web-unauthenticated.js';
import { apiOpen, loadApis, matchStep, type ApiStep } from '../../src/probes/lib/web-admin-api.js';
import { assessInput, makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';

const fixtures = fileURLToPath(new URL('./fixtures/web-admin/', import.meta.url));
const fixture = (name: string): string => readFileSync(`${fixtures}${name}`, 'utf8');

const NR_SETTINGS = fixture('node-red-4.1.8-settings.json');
const NR_FLOWS = fixture('node-red-4.1.8-flows.json');
const NR_EDITOR = fixture('node-red-4.1.8-editor.html');
const NR_ADMINAUTH_LOGIN = fixture('node-red-4.1.8-adminauth-auth-login.json');
const HB_SETTINGS = fixture('homebridge-config-ui-x-5.10.0-auth-settings.json');
const HB_INDEX = fixture('homebridge-config-ui-x-5.10.0-index.html');

// Node-RED's headers (express): JSON with charset, HTML editor; 401 with a Bearer challenge under adminAuth.
const JSON_CT = { 'Content-Type': 'application/json; charset=utf-8', 'Access-Control-Allow-Origin': '*' };
const HTML_CT = { 'Content-Type': 'text/html; charset=utf-8' };
const BEARER_401: Route = { status: 401, headers: { 'WWW-Authenticate': 'Bearer realm="Users"' }, body: 'Unauthorized' };

type Route = { status: number; headers?: Record<string, string>; body?: string | Buffer };

async function startWeb(routes: Record<string, Route>, fallback: Route = { status: 404, body: 'Cannot GET' }) {
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

const nodeRedOpen: Record<string, Route> = {
  '/': { status: 200, headers: HTML_CT, body: NR_EDITOR },
  '/auth/login': { status: 200, headers: JSON_CT, body: '{}' },
  '/settings': { status: 200, headers: JSON_CT, body: NR_SETTINGS },
  '/flows': { status: 200, headers: JSON_CT, body: NR_FLOWS },
};
const nodeRedAdminAuth: Record<string, Route> = {
  '/': { status: 200, headers: HTML_CT, body: NR_EDITOR },
  '/auth/login': { status: 200, headers: JSON_CT, body: NR_ADMINAUTH_LOGIN },
  '/settings': BEARER_401,
  '/flows': BEARER_401,
};
const homebridge = (settings: string): Record<string, Route> => ({
  '/': { status: 200, headers: { 'Content-Type': 'text/html' }, body: HB_INDEX },
  '/api/auth/settings': { status: 200, headers: { 'content-type': 'application/json; charset=utf-8' }, body: settings },
});

const admin = (r: ReturnType<typeof assessWeb>) => r.find((x) => x.check === 'web-admin-unauthenticated')!;
const noLogin = (r: ReturnType<typeof assessWeb>) => r.find((x) => x.check === 'web-admin-no-login')!;

describe('the admin-API data', () => {
  it('has Node-RED and Homebridge entries with sources, GET paths only, within the request budget', () => {
    expect(APIS.map((a) => a.id)).toEqual(expect.arrayContaining(['node-red-admin-api', 'homebridge-ui-no-auth']));
    for (const a of APIS) {
      expect(a.source).toMatch(/nodered\.org|homebridge-config-ui-x/);
      expect(a.steps.some((s) => s.role === 'config')).toBe(true);
    }
    const steps = APIS.reduce((n, a) => n + a.steps.length, 0);
    expect(PATHS.length + 1 + steps).toBeLessThanOrEqual(MAX_REQUESTS); // paths, one redirect, every API step
    expect(probe.meta.budget.maxConnections).toBe(MAX_REQUESTS);
  });

  it('rejects malformed entries', () => {
    expect(() => loadApis({ apis: [{ id: 'x', product: 'X', what: 'x', source: 'somewhere long enough', steps: [] }] })).toThrow(/no steps/);
    expect(() => loadApis({ apis: [{ id: 'x', product: 'X', what: 'x', source: 'somewhere long enough',
      steps: [{ path: '/a', role: 'gate', meaning: 'm', expect: { status: 200, json: 'object' } }] }] })).toThrow(/no config step/);
    expect(() => loadApis({ apis: [{ id: 'x', product: 'X', what: 'x', source: 'short', steps: [] }] })).toThrow(/source/);
    expect(loadApis({})).toEqual([]);
  });

  it('reports no login at all under guideline 1 (5.1-1), and the open admin interface under 6 and 8', () => {
    expect(probe.meta.checks['web-admin-no-login']).toMatchObject({ guidelines: ['uk-cop-1'], provisions: ['5.1-1'] });
    expect(probe.meta.checks['web-admin-unauthenticated']!.guidelines).toEqual(['uk-cop-6', 'uk-cop-8']);
  });
});

describe('matchStep', () => {
  const settings: ApiStep = APIS.find((a) => a.id === 'node-red-admin-api')!.steps.find((s) => s.path === '/settings')!;
  const gate: ApiStep = APIS.find((a) => a.id === 'node-red-admin-api')!.steps.find((s) => s.path === '/auth/login')!;
  const flows: ApiStep = APIS.find((a) => a.id === 'node-red-admin-api')!.steps.find((s) => s.path === '/flows')!;
  const ct = 'application/json; charset=utf-8';

  it('reads the real Node-RED answers: {} at /auth/login, settings with a version, flows with a length', () => {
    expect(matchStep(gate, 200, ct, '{}', false)).toMatchObject({ matched: true });
    expect(matchStep(settings, 200, ct, NR_SETTINGS, false)).toMatchObject({ matched: true, reported: [{ key: 'version', value: '4.1.8' }, { key: 'httpNodeRoot', value: '/' }] });
    expect(matchStep(flows, 200, ct, NR_FLOWS, false)).toMatchObject({ matched: true, count: 5 });
  });

  it('does not match adminAuth, 401s, HTML, malformed or oversized answers', () => {
    expect(matchStep(gate, 200, ct, NR_ADMINAUTH_LOGIN, false)).toMatchObject({ matched: false, why: 'not an empty object' });
    expect(matchStep(settings, 401, null, 'Unauthorized', false)).toMatchObject({ matched: false, why: 'HTTP 401' });
    expect(matchStep(settings, 200, 'text/html', NR_EDITOR, false).matched).toBe(false);
    expect(matchStep(settings, 200, ct, '{"httpNodeRoot":', false)).toMatchObject({ matched: false, why: 'malformed JSON' });
    expect(matchStep(settings, 200, ct, '{"version":"1"}', false)).toMatchObject({ matched: false, why: 'no "httpNodeRoot" field' });
    expect(matchStep(settings, 200, ct, '[1,2]', false).matched).toBe(false);
    expect(matchStep(settings, 200, ct, `{"httpNodeRoot":"/","version":"1",${'"x":1,'.repeat(10)}`, true)).toMatchObject({ matched: false, why: 'answer too long to judge' });
    // a flow list too long to read completely is still the flow list, with an unknown length
    expect(matchStep(flows, 200, ct, '[{"id":"a"},', true)).toMatchObject({ matched: true, count: null });
  });

  it('caps quoted values and reads only the data file\'s own keys', () => {
    const long = JSON.stringify({ httpNodeRoot: '/', version: 'v'.repeat(5000), ['__proto__']: { polluted: true } });
    const r = matchStep(settings, 200, ct, long, false);
    expect(r.reported.find((x) => x.key === 'version')!.value).toHaveLength(80);
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined();
  });

  it('needs every gate: a config answer without its gate is not an open API', () => {
    const entry = APIS.find((a) => a.id === 'node-red-admin-api')!;
    const step = { path: '/settings', role: 'config' as const, status: 200, contentType: ct, bytes: 10, truncated: false, matched: true, why: null, reported: [], count: null, error: null };
    expect(apiOpen({ id: entry.id, product: entry.product, steps: [step] }, entry)).toBe(false);
  });
});

describe('web-unauthenticated on fakes of the real software (127.0.0.1)', () => {
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  afterEach(async () => { await web?.close(); web = undefined; });

  async function run(port: number) {
    const service = tcpService(port, 'http');
    const t = makeContext({ service, maxConnections: probe.meta.budget.maxConnections, deadlineMs: 20_000 });
    const ev = await probe.collect(t.ctx);
    return { ev, t, results: probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service)) };
  }

  it('fails on Node-RED without adminAuth, with the settings and the flow count as evidence, GETs only', async () => {
    web = await startWeb(nodeRedOpen);
    const { t, results } = await run(web.port);
    const r = admin(results);
    expect(r).toMatchObject({ status: 'fail', confidence: 'high', title: 'Node-RED administration is open without a login' });
    expect(r.detail).toContain('GET /auth/login → 200');
    expect(r.detail).toContain('version 4.1.8');
    expect(r.detail).toContain('GET /flows → 200');
    expect(r.detail).toContain('5 entries');
    expect(r.evidence).toMatchObject({ api: 'node-red-admin-api', steps: [{ path: '/auth/login', matched: true }, { path: '/settings', matched: true }, { path: '/flows', matched: true, count: 5 }] });
    expect(noLogin(results)).toMatchObject({ status: 'fail', confidence: 'high', evidence: { api: 'node-red-admin-api' } });
    expect(noLogin(results).detail).toBe(r.detail);
    expect(web.seen.every((s) => s.method === 'GET' && !s.auth)).toBe(true);
    expect(web.seen.map((s) => s.url)).not.toContain('/auth/token');
    expect(t.budget.used).toBeLessThanOrEqual(MAX_REQUESTS);
  });

  it('passes Node-RED with adminAuth and stops at the gate (never asks for /settings or /flows)', async () => {
    web = await startWeb(nodeRedAdminAuth);
    const { results } = await run(web.port);
    expect(admin(results).status).toBe('pass');
    // a login exists: the guideline 1 check leaves it to the credential checks, never a pass of its own
    expect(noLogin(results).status).toBe('not_applicable');
    expect(web.seen.map((s) => s.url)).not.toContain('/settings');
    expect(web.seen.map((s) => s.url)).not.toContain('/flows');
  });

  it('passes the Homebridge UI with form login (its real /api/auth/settings) and fails it with auth "none"', async () => {
    web = await startWeb(homebridge(HB_SETTINGS));
    expect(admin((await run(web.port)).results).status).toBe('pass');
    await web.close();
    const noAuth = HB_SETTINGS.replace('"formAuth":true', '"formAuth":false');
    expect(noAuth).not.toBe(HB_SETTINGS);
    web = await startWeb(homebridge(noAuth));
    const r = admin((await run(web.port)).results);
    expect(r).toMatchObject({ status: 'fail', evidence: { api: 'homebridge-ui-no-auth' } });
    expect(r.detail).toContain('formAuth false');
    expect(web.seen.every((s) => s.method === 'GET')).toBe(true);
  });

  it('does not fire on a page that is merely a login form, nor on a server that answers {} everywhere', async () => {
    const loginForm = '<html><head><title>Login</title></head><body><form action="/login.cgi" method="post"><input name="username"><input type="password" name="password"><button>Log in</button></form></body></html>';
    web = await startWeb({}, { status: 200, headers: HTML_CT, body: loginForm });
    expect(admin((await run(web.port)).results).status).toBe('pass');
    await web.close();
    web = await startWeb({}, { status: 200, headers: JSON_CT, body: '{}' });
    const { results } = await run(web.port);
    expect(admin(results).status).toBe('pass'); // the gate matches, but /settings holds no configuration
    expect(results.some((x) => x.check === 'web-admin-no-login' && x.status === 'pass')).toBe(false);
  });
});
