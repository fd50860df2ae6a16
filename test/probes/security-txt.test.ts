import probe, { assessSecurityTxt, type SecurityTxtEvidence, type ServiceEvidence } from '../../src/probes/security-txt.js';
import { parseSecurityTxt } from '../../src/probes/lib/security-txt.js';
import { createOnlineApi } from '../../src/net/online.js';
import type { CheckResult } from '../../src/probes/contract.js';
import { makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { makeTestPki, startWeb, type FakeWeb, type TestPki } from './helpers/web-fake.js';
import { startServer } from '../net/fakes.js';

const NOW = new Date('2026-11-25T00:00:00Z');
const VALID = 'Contact: mailto:security@thermostat.example\nExpires: 2027-05-24T19:44:36Z\nPreferred-Languages: en\nCanonical: https://10.231.0.13/.well-known/security.txt\n';
const EXPIRED = 'Contact: mailto:psirt@nas-vendor.example\nExpires: 2023-06-30T00:00:00Z\nCanonical: https://10.231.0.15/.well-known/security.txt\n';

function svc(port: number, tls: boolean, text?: string, url?: string): ServiceEvidence {
  const ev: ServiceEvidence = { port, tls, fetches: [{ path: '/.well-known/security.txt', status: text ? 200 : 404 }] };
  if (text) ev.found = { url: url ?? `${tls ? 'https' : 'http'}://10.231.0.13${tls ? '' : ':80'}/.well-known/security.txt`, via: 'well-known', https: tls, truncated: false, parsed: parseSecurityTxt(text) };
  else ev.fetches.push({ path: '/security.txt', status: 404 });
  return ev;
}
const ev = (services: ServiceEvidence[], extra: Partial<SecurityTxtEvidence> = {}): SecurityTxtEvidence => ({ services, notChecked: [], online: false, ...extra });
const brief = (r: CheckResult[]) => r.map((x) => [x.port ?? '-', x.status, x.severity ?? '']);

describe('security-txt assess', () => {
  test('a valid file over HTTPS passes', () => {
    const r = assessSecurityTxt(ev([svc(443, true, VALID)]), NOW);
    expect(brief(r)).toEqual([[443, 'pass', '']]);
    expect(r[0]?.detail).toMatch(/valid until 2027-05-24/);
  });

  test('the NAS: an expired file warns (medium) with an "expired" title', () => {
    const r = assessSecurityTxt(ev([svc(443, true, EXPIRED, 'https://10.231.0.15/.well-known/security.txt')]), NOW);
    expect(brief(r)).toEqual([[443, 'warn', 'medium']]);
    expect(r[0]?.title).toBe('security.txt has expired');
    expect(JSON.stringify(r[0]?.evidence)).toMatch(/"code":"expired"/);
  });

  test('missing Contact is invalid', () => {
    const r = assessSecurityTxt(ev([svc(443, true, 'Expires: 2027-01-01T00:00:00Z\n')]), NOW);
    expect(brief(r)).toEqual([[443, 'warn', 'medium']]);
    expect(r[0]?.title).toBe('security.txt is invalid');
  });

  test('Expires more than a year away: warn, low', () => {
    const r = assessSecurityTxt(ev([svc(443, true, 'Contact: mailto:a@b.c\nExpires: 2029-01-01T00:00:00Z\n')]), NOW);
    expect(brief(r)).toEqual([[443, 'warn', 'low']]);
  });

  test('only over plain HTTP: warn, low; an HTTP copy next to a valid HTTPS file is only info', () => {
    expect(brief(assessSecurityTxt(ev([svc(80, false, VALID, 'http://10.231.0.13/.well-known/security.txt')]), NOW))).toEqual([[80, 'warn', 'low']]);
    const both = assessSecurityTxt(ev([svc(80, false, VALID, 'http://10.231.0.13/.well-known/security.txt'), svc(443, true, VALID)]), NOW);
    expect(brief(both)).toEqual([[80, 'info', ''], [443, 'pass', '']]);
  });

  test('absent: not_applicable, pointing at the vendor site (never pass)', () => {
    const r = assessSecurityTxt(ev([svc(80, false)]), NOW);
    expect(brief(r)).toEqual([[80, 'not_applicable', '']]);
    expect(r[0]?.detail).toMatch(/vendor may still publish/);
  });

  test('a redirect to the device\'s own HTTPS is judged there', () => {
    const s: ServiceEvidence = { port: 80, tls: false, fetches: [{ path: '/.well-known/security.txt', status: 301, location: 'https://10.231.0.13/.well-known/security.txt' }], redirect: { location: 'https://10.231.0.13/.well-known/security.txt', followed: false, reason: 'on this device' } };
    expect(brief(assessSecurityTxt(ev([s, svc(443, true, VALID)]), NOW))).toEqual([[80, 'not_applicable', ''], [443, 'pass', '']]);
  });

  test('every request failed: error with the kind', () => {
    const s: ServiceEvidence = { port: 443, tls: true, fetches: [{ path: '/.well-known/security.txt', error: { kind: 'timeout', message: 't' } }, { path: '/security.txt', error: { kind: 'timeout', message: 't' } }] };
    const r = assessSecurityTxt(ev([s]), NOW);
    expect(brief(r)).toEqual([[443, 'error', '']]);
    expect(r[0]?.error?.kind).toBe('timeout');
  });

  test('no web service and no configured URL: one not_applicable', () => {
    const r = assessSecurityTxt(ev([]), NOW);
    expect(brief(r)).toEqual([['-', 'not_applicable', '']]);
  });

  test('configured vendor URL offline: info naming the URL', () => {
    const r = assessSecurityTxt(ev([], { vendor: { url: 'https://vendor.example/security', fetched: false, reason: 'not fetched: the scan runs offline (use --online to fetch it)' } }), NOW);
    expect(brief(r)).toEqual([['-', 'info', '']]);
    expect(r[0]?.detail).toMatch(/https:\/\/vendor\.example\/security.*offline/);
  });

  test('vendor URL fetched online: security.txt judged, page found, 404, bad certificate, error', () => {
    const found = { url: 'https://vendor.example/.well-known/security.txt', via: 'redirect' as const, https: true, truncated: false, tlsAuthorized: true, parsed: parseSecurityTxt('Contact: mailto:psirt@vendor.example\nExpires: 2027-03-01T00:00:00Z\n') };
    expect(brief(assessSecurityTxt(ev([], { online: true, vendor: { url: found.url, fetched: true, status: 200, found } }), NOW))).toEqual([['-', 'pass', '']]);
    expect(brief(assessSecurityTxt(ev([], { online: true, vendor: { url: 'https://v.example/psirt', fetched: true, status: 200, tlsAuthorized: true } }), NOW))).toEqual([['-', 'pass', '']]);
    expect(brief(assessSecurityTxt(ev([], { online: true, vendor: { url: 'https://v.example/psirt', fetched: true, status: 404, tlsAuthorized: true } }), NOW))).toEqual([['-', 'warn', 'medium']]);
    expect(brief(assessSecurityTxt(ev([], { online: true, vendor: { url: 'https://v.example/psirt', fetched: true, status: 200, tlsAuthorized: false, tlsError: 'CERT_HAS_EXPIRED' } }), NOW))).toEqual([['-', 'warn', 'low']]);
    const err = assessSecurityTxt(ev([], { online: true, vendor: { url: 'https://v.example/psirt', fetched: false, error: { kind: 'out-of-scope', message: 'private' } } }), NOW);
    expect(brief(err)).toEqual([['-', 'error', '']]);
  });
});

describe('security-txt collect against fake web servers', () => {
  let pki: TestPki;
  const servers: FakeWeb[] = [];
  beforeAll(() => { pki = makeTestPki(); });
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

  test('HTTPS with a valid file and HTTP redirecting to it: pass on HTTPS, n/a on HTTP', async () => {
    const body = VALID.replace('https://10.231.0.13/', 'https://127.0.0.1:PORT/');
    // The Canonical line needs the real port: serve through a function.
    let port = 0;
    const https2 = await startWeb({ '/.well-known/security.txt': (_q, res) => { res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }); res.end(body.replace('PORT', String(port))); } }, { tls: { cert: pki.selfCert, key: pki.selfKey } });
    port = https2.port;
    servers.push(https2);
    const http = await startWeb({ '/.well-known/security.txt': { status: 301, headers: { Location: `https://127.0.0.1:${https2.port}/.well-known/security.txt` } } });
    servers.push(http);
    const device = makeDevice('127.0.0.1', [tcpService(http.port, 'http'), tcpService(https2.port, 'https', { tls: { enabled: true } })]);
    const { ctx, connections } = makeContext({ device, maxConnections: probe.meta.budget.maxConnections });
    const evidence = await probe.collect(ctx);
    const r = probe.assess(evidence, { device, devices: [device], now: NOW });
    // Services are checked in port order; compare without depending on which random port is lower.
    expect(brief(r).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([[http.port, 'not_applicable', ''], [https2.port, 'pass', '']].sort((a, b) => Number(a[0]) - Number(b[0])));
    expect(http.requests).toEqual(['GET /.well-known/security.txt']);
    expect(https2.requests).toEqual(['GET /.well-known/security.txt']);
    expect(connections.length).toBe(2);
  });

  test('the NAS case: an expired file on HTTPS warns', async () => {
    const nas = await startWeb({ '/.well-known/security.txt': { headers: { 'Content-Type': 'text/plain' }, body: EXPIRED } }, { tls: { cert: pki.selfCert, key: pki.selfKey } });
    servers.push(nas);
    const device = makeDevice('127.0.0.1', [tcpService(nas.port, 'https')]);
    const { ctx } = makeContext({ device, maxConnections: 14 });
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    expect(brief(r)).toEqual([[nas.port, 'warn', 'medium']]);
    expect(r[0]?.title).toBe('security.txt has expired');
  });

  test('absent file, HTML catch-all and login walls are not files; /security.txt is tried too', async () => {
    const catchAll = await startWeb({}, { fallback: { headers: { 'Content-Type': 'text/html' }, body: '<!doctype html><title>Login</title>Contact: support' } });
    const locked = await startWeb({}, { fallback: { status: 401, headers: { 'WWW-Authenticate': 'Basic realm="cam"' } } });
    servers.push(catchAll, locked);
    const device = makeDevice('127.0.0.1', [tcpService(catchAll.port, 'http'), tcpService(locked.port, 'http')]);
    const { ctx } = makeContext({ device, maxConnections: 14 });
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    expect(r.map((x) => x.status)).toEqual(['not_applicable', 'not_applicable']);
    expect(catchAll.requests).toEqual(['GET /.well-known/security.txt', 'GET /security.txt']);
  });

  test('a web server that never answers: one request, then an error result (never a pass)', async () => {
    const silent = await startServer({ kind: 'silent' });
    const device = makeDevice('127.0.0.1', [tcpService(silent.port, 'http')]);
    const { ctx, connections } = makeContext({ device, maxConnections: 14, deadlineMs: 1_500 });
    try {
      const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
      expect(brief(r)).toEqual([[silent.port, 'error', '']]);
      expect(r[0]?.error?.kind).toBe('timeout');
      expect(connections.length).toBe(1);
    } finally {
      await silent.close();
    }
  });

  test('legacy /security.txt over plain HTTP only', async () => {
    const web = await startWeb({ '/security.txt': { headers: { 'Content-Type': 'text/plain' }, body: 'Contact: mailto:a@b.c\r\nExpires: 2027-01-01T00:00:00Z\r\n' } });
    servers.push(web);
    const device = makeDevice('127.0.0.1', [tcpService(web.port, 'http')]);
    const { ctx } = makeContext({ device, maxConnections: 14 });
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    expect(brief(r)).toEqual([[web.port, 'warn', 'low']]);
    expect(r[0]?.title).toBe('security.txt is served only over plain HTTP');
  });

  test('a huge file is reported invalid, not read whole', async () => {
    const web = await startWeb({ '/.well-known/security.txt': { headers: { 'Content-Type': 'text/plain' }, body: `Contact: mailto:a@b.c\nExpires: 2027-01-01T00:00:00Z\n${'#'.repeat(2_000_000)}\n` } }, { tls: { cert: pki.selfCert, key: pki.selfKey } });
    servers.push(web);
    const device = makeDevice('127.0.0.1', [tcpService(web.port, 'https')]);
    const { ctx } = makeContext({ device, maxConnections: 14 });
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    expect(brief(r)).toEqual([[web.port, 'warn', 'medium']]);
    expect(JSON.stringify(r[0]?.evidence)).toMatch(/too-large|truncated/);
  });

  test('vendor URL: offline it is only recorded; with --online it is fetched from a local HTTPS server', async () => {
    const vendor = await startWeb({ '/.well-known/security.txt': { headers: { 'Content-Type': 'text/plain' }, body: 'Contact: https://vendor.test/psirt\nExpires: 2027-03-01T00:00:00Z\n' } }, { tls: { cert: pki.leafCert, key: pki.leafKey } });
    servers.push(vendor);
    const url = `https://vendor.test:${vendor.port}/.well-known/security.txt`;
    const device = makeDevice('127.0.0.1', []);

    const offline = makeContext({ device });
    offline.ctx.config = { disclosureUrl: url };
    const r1 = probe.assess(await probe.collect(offline.ctx), { device, devices: [device], now: NOW, config: { disclosureUrl: url } });
    expect(brief(r1)).toEqual([['-', 'info', '']]);
    expect(vendor.requests).toEqual([]);

    const onlineCtx = makeContext({ device, settings: { online: true } });
    onlineCtx.ctx.config = { disclosureUrl: url };
    Object.assign(onlineCtx.ctx, { online: createOnlineApi({ allowAddress: (a) => a === '127.0.0.1', lookup: async () => ['127.0.0.1'], ca: [pki.caCert] }) });
    const r2 = probe.assess(await probe.collect(onlineCtx.ctx), { device, devices: [device], now: NOW, config: { disclosureUrl: url } });
    expect(brief(r2)).toEqual([['-', 'pass', '']]);
    expect(vendor.requests).toEqual(['GET /.well-known/security.txt']);
    expect(onlineCtx.connections).toEqual([]); // nothing went through the device's net
  });

  test('--online without the runner providing ctx.online: recorded, not fetched', async () => {
    const device = makeDevice('127.0.0.1', []);
    const { ctx } = makeContext({ device, settings: { online: true } });
    ctx.config = { disclosureUrl: 'https://vendor.test/psirt' };
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    expect(r[0]?.status).toBe('info');
    expect(r[0]?.detail).toMatch(/not available/);
  });
});
