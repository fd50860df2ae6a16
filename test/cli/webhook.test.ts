/** --webhook: POSTs to an in-process HTTP server on 127.0.0.1 only. */
import { describe, expect, it, afterEach } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeOutcome, parseWebhookUrl, postWebhook, redactUrl, webhookPayload } from '../../src/cli/webhook.js';
import { diffResults } from '../../src/store/diff.js';
import { UsageError } from '../../src/errors.js';
import { makeResult } from '../store/fixtures.js';

interface Hit { method: string; url: string; headers: IncomingMessage['headers']; body: string }

let server: Server | undefined;
afterEach(async () => {
  if (server) await new Promise((r) => { server!.closeAllConnections(); server!.close(r); });
  server = undefined;
});

async function serve(handler: (n: number, req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: URL; hits: Hit[] }> {
  const hits: Hit[] = [];
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c.toString(); });
    req.on('end', () => {
      hits.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      handler(hits.length, req, res);
    });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: new URL(`http://127.0.0.1:${port}/hooks/SECRET-TOKEN?key=abc`), hits };
}

const sleeps: number[] = [];
const fakeSleep = async (ms: number) => { sleeps.push(ms); };

const result = () => makeResult({
  id: 'run-2', devices: [{ address: '10.0.5.20', name: 'Camera', services: [23] }],
  findings: [{ device: '10.0.5.20', check: 'telnet-default-credentials', status: 'fail', severity: 'critical', port: 23,
    title: 'Telnet accepts root/PlantedSecret-9f3', credential: { username: 'root', password: 'PlantedSecret-9f3', masked: false } }],
});

describe('webhook', () => {
  it('POSTs the JSON summary of the changes once when the endpoint answers 2xx', async () => {
    const { url, hits } = await serve((_n, _req, res) => { res.writeHead(204); res.end(); });
    const r = result();
    const outcome = await postWebhook(url, webhookPayload(r, diffResults(null, r)), { sleep: fakeSleep });
    expect(outcome).toEqual({ ok: true, attempts: 1, status: 204 });
    expect(hits).toHaveLength(1);
    expect(hits[0]!.method).toBe('POST');
    expect(hits[0]!.url).toBe('/hooks/SECRET-TOKEN?key=abc');
    expect(hits[0]!.headers['content-type']).toBe('application/json');
    const body = JSON.parse(hits[0]!.body);
    expect(body).toMatchObject({ event: 'iotcop.run', run: { id: 'run-2' }, baseline: null, changes: { findings: { new: { items: [{ check: 'telnet-default-credentials', severity: 'critical' }] } } } });
    expect(body.changes.devices.new.items[0].address).toBe('10.0.5.20');
  });

  it('never carries a password: revealed ones are scrubbed from every string, evidence is left out', async () => {
    const { url, hits } = await serve((_n, _req, res) => { res.writeHead(200); res.end('ok'); });
    const r = result();
    r.findings[0]!.evidence = { tried: ['root:PlantedSecret-9f3'] };
    await postWebhook(url, webhookPayload(r, diffResults(null, r)), { sleep: fakeSleep });
    expect(hits[0]!.body).not.toContain('PlantedSecret-9f3');
    expect(hits[0]!.body).toContain('Telnet accepts root/***');
    expect(hits[0]!.body).not.toContain('"evidence"');
    expect(hits[0]!.body).not.toContain('"credential"');
  });

  it('retries a failing endpoint with growing backoff, then gives up without throwing', async () => {
    sleeps.length = 0;
    const { url, hits } = await serve((_n, _req, res) => { res.writeHead(503); res.end('down'); });
    const outcome = await postWebhook(url, { x: 1 }, { retries: 3, backoffMs: 100, random: () => 0.5, sleep: fakeSleep });
    expect(outcome).toEqual({ ok: false, attempts: 4, status: 503, error: 'HTTP 503' });
    expect(hits).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
    expect(describeOutcome(url, outcome)).toBe(`webhook: not delivered to http://${url.host} after 4 attempts: HTTP 503`);
  });

  it('succeeds on a later attempt, and honours Retry-After', async () => {
    sleeps.length = 0;
    const { url, hits } = await serve((n, _req, res) => {
      if (n === 1) { res.writeHead(429, { 'retry-after': '2' }); res.end(); return; }
      if (n === 2) { res.writeHead(500); res.end(); return; }
      res.writeHead(200); res.end();
    });
    const outcome = await postWebhook(url, { x: 1 }, { retries: 3, backoffMs: 100, random: () => 0.5, sleep: fakeSleep });
    expect(outcome).toEqual({ ok: true, attempts: 3, status: 200 });
    expect(hits).toHaveLength(3);
    expect(sleeps).toEqual([2000, 200]);
  });

  it('does not retry a client error (4xx other than 408/429)', async () => {
    const { url, hits } = await serve((_n, _req, res) => { res.writeHead(404); res.end(); });
    const outcome = await postWebhook(url, { x: 1 }, { retries: 3, sleep: fakeSleep });
    expect(outcome).toMatchObject({ ok: false, attempts: 1, status: 404 });
    expect(hits).toHaveLength(1);
  });

  it('an endpoint that never answers costs one deadline per attempt', async () => {
    const { url, hits } = await serve(() => { /* never answers */ });
    const outcome = await postWebhook(url, { x: 1 }, { retries: 1, timeoutMs: 200, sleep: fakeSleep });
    expect(outcome.ok).toBe(false);
    expect(outcome.attempts).toBe(2);
    expect(outcome.error).toMatch(/no answer within/);
    expect(hits).toHaveLength(2);
  });

  it('a refused connection is retried and reported, not thrown', async () => {
    const { url } = await serve(() => undefined);
    await new Promise((r) => { server!.close(r); });
    server = undefined;
    const outcome = await postWebhook(url, { x: 1 }, { retries: 2, sleep: fakeSleep });
    expect(outcome).toMatchObject({ ok: false, attempts: 3 });
    expect(outcome.error).toMatch(/ECONNREFUSED/);
  });

  it('validates the URL and shows only its origin in logs', () => {
    const u = parseWebhookUrl('https://user:pw@hooks.example.test:8443/services/T000/B000/XXXX?token=1');
    expect(redactUrl(u)).toBe('https://hooks.example.test:8443');
    expect(() => parseWebhookUrl('ftp://example.test/')).toThrow(UsageError);
    const bad = (() => { try { parseWebhookUrl('not a url with secret?token=zzz'); } catch (e) { return (e as Error).message; } return ''; })();
    expect(bad).toMatch(/is not a URL/);
    expect(bad).not.toContain('zzz');
  });
});
