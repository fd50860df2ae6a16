import probe, { assessUpdateEndpoints, pageSignals, UPDATE_PATHS, type UpdateEndpointsEvidence } from '../../src/probes/update-endpoints.js';
import { createOnlineApi } from '../../src/net/online.js';
import type { CheckResult } from '../../src/probes/contract.js';
import { startServer, type FakeServer } from '../net/fakes.js';
import { makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { makeTestPki, startWeb, type FakeWeb, type TestPki } from './helpers/web-fake.js';

const NOW = new Date('2026-11-25T00:00:00Z');
const brief = (r: CheckResult[]) => r.map((x) => [x.check, x.port ?? '-', x.status, x.severity ?? '']);
const empty: UpdateEndpointsEvidence = { tr069: [], uploads: [] };
const UPLOAD_PAGE = '<html><title>Firmware Upgrade</title><form method="post" enctype="multipart/form-data"><input type="file" name="fw"><input type="submit" value="Upgrade"></form></html>';

describe('update-endpoints assess', () => {
  test('nothing applies: three not_applicable results', () => {
    expect(brief(assessUpdateEndpoints(empty))).toEqual([
      ['tr069-exposed', '-', 'not_applicable', ''],
      ['firmware-upload-unauthenticated', '-', 'not_applicable', ''],
      ['update-url-insecure', '-', 'not_applicable', ''],
    ]);
  });

  test('TR-069: 401 Digest warns, 200 fails, silence warns with low confidence', () => {
    const r = assessUpdateEndpoints({ ...empty, tr069: [
      { port: 7547, tls: false, status: 401, authScheme: 'Digest', realm: 'IgdAuthentication' },
      { port: 30005, tls: false, status: 200 },
    ] });
    expect(brief(r).slice(0, 2)).toEqual([['tr069-exposed', 7547, 'warn', ''], ['tr069-exposed', 30005, 'fail', 'high']]);
    expect(r[0]?.detail).toMatch(/Digest authentication \(realm "IgdAuthentication"\)/);
    const silent = assessUpdateEndpoints({ ...empty, tr069: [{ port: 7547, tls: false, error: { kind: 'timeout', message: 't' } }] });
    expect(silent[0]?.status).toBe('warn');
    expect(silent[0]?.confidence).toBe('low');
  });

  test('firmware upload: only a real unauthenticated upload form fails', () => {
    const form = { status: 200, uploadForm: true, firmwareWords: true, passwordField: false, sameAsCatchAll: false };
    const fail = assessUpdateEndpoints({ ...empty, uploads: [{ port: 80, tls: false, probes: [{ path: '/upgrade.html', ...form }] }] });
    expect(brief(fail)[1]).toEqual(['firmware-upload-unauthenticated', 80, 'fail', '']);
    for (const notIt of [{ passwordField: true }, { sameAsCatchAll: true }, { uploadForm: false }, { firmwareWords: false }, { status: 401 }]) {
      const r = assessUpdateEndpoints({ ...empty, uploads: [{ port: 80, tls: false, probes: [{ path: '/upgrade.html', ...form, ...notIt }] }] });
      expect([notIt, r[1]?.status]).toEqual([notIt, 'pass']);
    }
    const err = assessUpdateEndpoints({ ...empty, uploads: [{ port: 80, tls: false, probes: [{ path: '/a', error: { kind: 'timeout', message: 't' } }] }] });
    expect(err[1]?.status).toBe('error');
    expect(err[1]?.error?.kind).toBe('timeout');
  });

  test('update URL: http/ftp fail, https offline info, bad certificate or http redirect fail, good https pass, error', () => {
    const u = (updateUrl: UpdateEndpointsEvidence['updateUrl']) => brief(assessUpdateEndpoints({ ...empty, updateUrl }))[2];
    expect(u({ url: 'http://fw.example/x.bin', scheme: 'http', fetched: false })).toEqual(['update-url-insecure', '-', 'fail', '']);
    expect(u({ url: 'ftp://fw.example/x.bin', scheme: 'ftp', fetched: false })).toEqual(['update-url-insecure', '-', 'fail', '']);
    expect(u({ url: 'https://fw.example/x.bin', scheme: 'https', fetched: false, reason: 'not checked offline' })).toEqual(['update-url-insecure', '-', 'info', '']);
    expect(u({ url: 'https://fw.example/x.bin', scheme: 'https', fetched: true, status: 200, tlsAuthorized: false, tlsError: 'CERT_HAS_EXPIRED' })).toEqual(['update-url-insecure', '-', 'fail', '']);
    expect(u({ url: 'https://fw.example/x.bin', scheme: 'https', fetched: true, status: 301, tlsAuthorized: true, redirectRefused: 'http://fw.example/x.bin (redirect to http://)' })).toEqual(['update-url-insecure', '-', 'fail', '']);
    expect(u({ url: 'https://fw.example/x.bin', scheme: 'https', fetched: true, status: 200, tlsAuthorized: true })).toEqual(['update-url-insecure', '-', 'pass', '']);
    expect(u({ url: 'https://10.0.0.1/x.bin', scheme: 'https', fetched: false, error: { kind: 'out-of-scope', message: 'private' } })).toEqual(['update-url-insecure', '-', 'error', '']);
  });

  test('pageSignals', () => {
    expect(pageSignals(UPLOAD_PAGE)).toEqual({ uploadForm: true, firmwareWords: true, passwordField: false });
    expect(pageSignals('<form><input type="password"><input type=file></form> firmware')).toEqual({ uploadForm: true, firmwareWords: true, passwordField: true });
    expect(pageSignals('<input type="text"> upgrade')).toEqual({ uploadForm: false, firmwareWords: true, passwordField: false });
  });
});

describe('update-endpoints collect against fakes', () => {
  let pki: TestPki;
  const servers: (FakeWeb | FakeServer)[] = [];
  beforeAll(() => { pki = makeTestPki(); });
  afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

  test('the lab router shape: TR-069 on a cwmp port answers 401 Digest; web UI has no open upload page', async () => {
    const cwmp = await startWeb({}, { fallback: { status: 401, headers: { 'WWW-Authenticate': 'Digest realm="IgdAuthentication", nonce="abc", qop="auth"' } } });
    const web = await startWeb({ '/': { body: '<form><input type="password"></form>' } });
    servers.push(cwmp, web);
    const device = makeDevice('127.0.0.1', [tcpService(web.port, 'http'), tcpService(cwmp.port, 'cwmp')]);
    const { ctx } = makeContext({ device, maxConnections: probe.meta.budget.maxConnections });
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    expect(brief(r)).toEqual([
      ['tr069-exposed', cwmp.port, 'warn', ''],
      ['firmware-upload-unauthenticated', web.port, 'pass', ''],
      ['update-url-insecure', '-', 'not_applicable', ''],
    ]);
    expect(cwmp.requests).toEqual(['GET /']);
    expect(web.requests.every((q) => q.startsWith('GET '))).toBe(true);
    expect(web.requests.length).toBe(1 + UPDATE_PATHS.length);
  });

  test('an open upload page fails; a catch-all server that shows it on every path does not', async () => {
    const open = await startWeb({ '/upgrade.html': { body: UPLOAD_PAGE } });
    const catchAll = await startWeb({}, { fallback: { body: UPLOAD_PAGE } });
    servers.push(open, catchAll);
    const device = makeDevice('127.0.0.1', [tcpService(open.port, 'http'), tcpService(catchAll.port, 'http')]);
    const { ctx } = makeContext({ device, maxConnections: probe.meta.budget.maxConnections });
    const r = probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW });
    const up = r.filter((x) => x.check === 'firmware-upload-unauthenticated');
    expect(up.find((x) => x.port === open.port)?.status).toBe('fail');
    expect(up.find((x) => x.port === catchAll.port)?.status).toBe('pass');
    expect(up.find((x) => x.port === open.port)?.detail).toMatch(/\/upgrade\.html \("Firmware Upgrade"\)/);
  });

  test('a web server that never answers costs at most two requests', async () => {
    const silent = await startServer({ kind: 'silent' });
    servers.push(silent);
    const device = makeDevice('127.0.0.1', [tcpService(silent.port, 'http')]);
    const { ctx, connections } = makeContext({ device, maxConnections: probe.meta.budget.maxConnections, deadlineMs: 30_000 });
    const ev = await probe.collect(ctx);
    expect(connections.length).toBeLessThanOrEqual(2);
    expect(ev.uploads[0]?.stoppedEarly).toBe(true);
    expect(probe.assess(ev, { device, devices: [device], now: NOW })[1]?.status).toBe('error');
  }, 30_000);

  test('update URL over --online: a self-signed update server fails, a trusted one passes (HEAD only)', async () => {
    const bad = await startWeb({ '/fw.bin': { body: 'x'.repeat(10) } }, { tls: { cert: pki.selfCert, key: pki.selfKey } });
    const good = await startWeb({ '/fw.bin': { body: 'x'.repeat(10) } }, { tls: { cert: pki.leafCert, key: pki.leafKey } });
    servers.push(bad, good);
    const device = makeDevice('127.0.0.1', []);
    const run = async (url: string) => {
      const { ctx } = makeContext({ device, settings: { online: true } });
      ctx.config = { updateUrl: url };
      Object.assign(ctx, { online: createOnlineApi({ allowAddress: (a) => a === '127.0.0.1', lookup: async () => ['127.0.0.1'], ca: [pki.caCert] }) });
      return probe.assess(await probe.collect(ctx), { device, devices: [device], now: NOW })[2];
    };
    const r1 = await run(`https://vendor.test:${bad.port}/fw.bin`);
    expect(r1?.status).toBe('fail');
    expect(r1?.detail).toMatch(/SELF_SIGNED|certificate/i);
    expect((await run(`https://vendor.test:${good.port}/fw.bin`))?.status).toBe('pass');
    expect([...bad.requests, ...good.requests]).toEqual(['HEAD /fw.bin', 'HEAD /fw.bin']);
  });

  test('update URL offline: http fails, https is recorded as not checked', async () => {
    const device = makeDevice('127.0.0.1', []);
    const a = makeContext({ device });
    a.ctx.config = { updateUrl: 'http://fw.vendor.example/firmware.bin' };
    expect(probe.assess(await probe.collect(a.ctx), { device, devices: [device], now: NOW })[2]?.status).toBe('fail');
    const b = makeContext({ device });
    b.ctx.config = { updateUrl: 'https://fw.vendor.example/firmware.bin' };
    const r = probe.assess(await probe.collect(b.ctx), { device, devices: [device], now: NOW })[2];
    expect(r?.status).toBe('info');
    expect(r?.detail).toMatch(/not checked offline/);
  });
});
