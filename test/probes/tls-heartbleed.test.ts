/**
 * tls-heartbleed against the legacy-tls fake in its three heartbeat modes (none; RFC 6520, which
 * discards the malformed request; OpenSSL 1.0.1f's over-read), Debian's openssl s_server (OpenSSL 3 has
 * no heartbeat support), plain HTTP and a closed port; and the plan runs it only at the intrusive level.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { startSServer } from '../net/helpers.js';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import probe, { assessHeartbleed, type HeartbleedEvidence } from '../../src/probes/tls-heartbleed.js';
import { PROBES } from '../../src/probes/registry.js';
import { planDevice } from '../../src/scheduler/plan.js';
import type { CheckResult } from '../../src/probes/contract.js';
import type { Service } from '../../src/report/model.js';
import { heartbeatRequest, findHeartbeatResponse } from '../../src/net/tls-heartbeat.js';
import { DEFAULT_CONFIG, HEARTBLEED_MEMORY, startLegacyTls } from '../../lab/devices/legacy-tls/server.mjs';
import { makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { expectValidMeta } from './helpers/meta-check.js';

const work = mkdtempSync(join(tmpdir(), 'iotcop-hb-'));
const key = join(work, 'k.pem');
const cert = join(work, 'c.pem');
let certDer: Buffer;
beforeAll(() => {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=hb.test'], { stdio: 'ignore' });
  certDer = new X509Certificate(execFileSync('cat', [cert]).toString()).raw;
}, 30_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function run(service: Service): Promise<{ result: CheckResult; ev: HeartbleedEvidence; connections: number }> {
  const device = makeDevice('127.0.0.1', [service]);
  const t = makeContext({ service, device, maxConnections: probe.meta.budget.maxConnections });
  const ev = await probe.collect(t.ctx);
  const results = probe.assess(ev, { device, service, devices: [device], now: new Date() });
  expect(results).toHaveLength(1);
  return { result: results[0]!, ev, connections: t.connections.length };
}

describe('tls-heartbleed', () => {
  test('has valid meta, intrusive safety', () => {
    expectValidMeta(probe, 'tls-heartbleed');
    expect(probe.meta.safety).toBe('intrusive');
  });

  test('the plan runs it only at the intrusive level', () => {
    const device = makeDevice('10.0.0.5', [{ port: 443, transport: 'tcp', state: 'open', name: 'https', tls: { enabled: true } } as Service]);
    const at = (safety: 'safe' | 'credentials' | 'intrusive') => planDevice(PROBES, device, { safety, only: [], skip: [] });
    expect(at('credentials').jobs.map((j) => j.id)).not.toContain('tls-heartbleed@10.0.0.5:443/tcp');
    expect(at('credentials').skipped.some((s) => s.probe === 'tls-heartbleed' && s.reason === 'above-safety-level')).toBe(true);
    expect(at('intrusive').jobs.map((j) => j.id)).toContain('tls-heartbleed@10.0.0.5:443/tcp');
  });

  test('an OpenSSL 1.0.1f-like stack over-reads: critical fail, and its memory is never kept or shown', async () => {
    const fake = await startLegacyTls({ certDer, config: { ...DEFAULT_CONFIG, heartbeat: 'heartbleed' } });
    try {
      const { result, ev } = await run(tcpService(fake.port, 'https'));
      expect(result).toMatchObject({ check: 'tls-heartbleed', status: 'fail', severity: 'critical' });
      expect(ev.result).toMatchObject({ outcome: 'over-read', protocol: 'TLSv1', overreadBytes: 16 });
      const everything = JSON.stringify({ result, ev });
      expect(everything).not.toContain('hunter2');
      expect(everything).not.toContain(HEARTBLEED_MEMORY.slice(0, 12));
    } finally { await fake.close(); }
  }, 30_000);

  test.each([
    ['rfc6520', 'discarded', 'discarded a request that declared more than it carried'], // RFC 6520 §4
    ['echo-sent', 'echoed-safely', 'no more than it was sent'], // padded with 48 bytes: padding is not an over-read
    ['none', 'no-heartbeat', 'does not negotiate TLS heartbeats'],
  ] as const)('a stack in heartbeat mode %s: %s, a pass', async (heartbeat, outcome, detail) => {
    const fake = await startLegacyTls({ certDer, config: { ...DEFAULT_CONFIG, heartbeat } });
    try {
      const { result, ev } = await run(tcpService(fake.port, 'https'));
      expect(ev.result).toMatchObject({ outcome, overreadBytes: 0 });
      expect(result).toMatchObject({ status: 'pass', confidence: 'high' });
      expect(result.detail).toContain(detail);
    } finally { await fake.close(); }
  }, 30_000);

  test("Debian's openssl s_server (OpenSSL 3, no heartbeat support): not vulnerable", async () => {
    const server = await startSServer(['-cert', cert, '-key', key, '-quiet', '-naccept', '20']);
    const port = server.port;
    try {
      const { result, ev } = await run(tcpService(port, 'https'));
      expect(ev.result).toMatchObject({ outcome: 'no-heartbeat', protocol: 'TLSv1.2' });
      expect(result.status).toBe('pass');
    } finally { server.kill(); }
  }, 30_000);

  test('plain HTTP is not TLS; a closed port is an error, never a pass', async () => {
    const web = http.createServer((_q, r) => r.end('hi'));
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const port = (web.address() as AddressInfo).port;
    try {
      expect((await run(tcpService(port, 'https'))).result.status).toBe('not_applicable');
    } finally { await new Promise<void>((r) => { web.close(() => r()); web.closeAllConnections(); }); }
    const closed = (await run(tcpService(port, 'https'))).result;
    expect(closed).toMatchObject({ status: 'error', error: { kind: 'refused' } });
  }, 30_000);

  test('request and answer framing: the request declares 16 bytes more than it carries', () => {
    const req = heartbeatRequest(0x0303, Buffer.alloc(16, 1), 32);
    expect([...req.subarray(0, 8)]).toEqual([24, 3, 3, 0, 19, 1, 0, 32]);
    const answer = Buffer.concat([Buffer.from([24, 3, 3, 0, 51, 2, 0, 32]), Buffer.alloc(48)]);
    expect(findHeartbeatResponse(answer)).toEqual({ declared: 32, recordLength: 51 });
    expect(findHeartbeatResponse(Buffer.from('HTTP/1.1 400'))).toBeNull();
  });

  test('assess: every outcome has a verdict; no handshake is an error', () => {
    const base = { protocol: null, overreadBytes: 0, connections: 1, note: 'handshake_failure', errorKind: null } as const;
    expect(assessHeartbleed({ port: 443, result: { ...base, outcome: 'no-handshake' } })[0]).toMatchObject({ status: 'error', error: { kind: 'protocol-error' } });
    expect(assessHeartbleed({ port: 443, result: { ...base, outcome: 'echoed-safely', protocol: 'TLSv1.2' } })[0]!.status).toBe('pass');
  });
});
