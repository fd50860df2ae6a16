/**
 * The programmatic API: the example in docs/API.md runs unchanged against a server on 127.0.0.1 (imported
 * as `iotcop` through the package's own exports), a scan streams its events and can be cancelled with an
 * AbortSignal, and bad input rejects with a UsageError before anything is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync, statSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { scan, render, UsageError, type ScanEvent } from '../../src/index.js';
import { bannerServer, root, runCommand, tempDir } from './loopback.js';

/** The first ```js block of docs/API.md's "## Example" section. */
function apiExample(): string {
  const doc = readFileSync(join(root, 'docs/API.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Example'));
  const m = /```js\n([\s\S]*?)```/.exec(section);
  if (!m?.[1]) throw new Error('docs/API.md has no ```js example under "## Example"');
  return m[1];
}

describe('docs/API.md example', () => {
  let server: Awaited<ReturnType<typeof bannerServer>>;
  beforeAll(async () => { server = await bannerServer('lighttpd/1.4.77'); });
  afterAll(async () => { await server.close(); });

  it('runs unchanged against 127.0.0.1, importing "iotcop" through the package exports', async () => {
    if (!existsSync(join(root, 'dist/index.js'))) throw new Error('dist/index.js is missing: run `npm run build` first (npm test does)');
    const dir = tempDir('iotcop-api-example-');
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(root, join(dir, 'node_modules', 'iotcop'), 'dir');
    writeFileSync(join(dir, 'scan.mjs'), apiExample());
    // The example's own imports resolve "iotcop" through node_modules/iotcop → this package's exports.
    const out = await runCommand(process.execPath, ['scan.mjs', '127.0.0.1', String(server.port)], { XDG_DATA_HOME: dir }, 180_000, dir);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^device 127\.0\.0\.1: 1 open port\(s\)$/m);
    expect(out.stdout).toMatch(/^1 device\(s\), worst: \w+, partial: false$/m);
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('127.0.0.1');
    expect(statSync(join(dir, 'report.html')).mode & 0o777).toBe(0o600);
  }, 300_000);
});

describe('scan()', () => {
  it('rejects an out-of-scope target with a UsageError, from the iterator and from .result', async () => {
    const run = scan(['8.8.8.8'], { nmapPath: '/nonexistent/nmap-must-not-run' });
    await expect(run.result).rejects.toBeInstanceOf(UsageError);
    const events: ScanEvent[] = [];
    await expect((async () => { for await (const e of run) events.push(e); })()).rejects.toBeInstanceOf(UsageError);
    expect(events.filter((e) => e.type === 'device')).toHaveLength(0);
  });

  it('lists this computer, found inside a range, as "This computer" and checks nothing on it unless includeSelf', async () => {
    const web = await bannerServer('lighttpd/1.4.77');
    try {
      // a range that holds 127.0.0.1 is not asking for it; the address itself (the other tests here) is
      const listed = await scan(['127.0.0.1-1'], { ports: String(web.port), safety: 'safe', dataDir: false }).result;
      expect(listed.devices).toEqual([expect.objectContaining({ address: '127.0.0.1', thisComputer: true, name: 'This computer' })]);
      expect(listed.devices[0]!.services.map((s) => s.port)).toEqual([web.port]);
      expect(listed.findings.filter((f) => f.device === '127.0.0.1')).toEqual([]);
      // nothing run-scope fails over it (that run-scope probes are not handed it is test/scheduler/run.test.ts's)
      expect(listed.findings.filter((f) => f.device === '*').every((f) => f.status === 'not_applicable')).toBe(true);
      expect(listed.skipped.filter((s) => s.device === '127.0.0.1')).toEqual([expect.objectContaining({ probe: '*', reason: 'this-computer' })]);
      const checked = await scan(['127.0.0.1-1'], { ports: String(web.port), safety: 'safe', dataDir: false, includeSelf: true }).result;
      expect(checked.devices[0]).toMatchObject({ thisComputer: true });
      expect(checked.findings.some((f) => f.device === '127.0.0.1' && f.status !== 'not_tested')).toBe(true);
      expect(checked.skipped.some((s) => s.reason === 'this-computer')).toBe(false);
    } finally {
      await web.close();
    }
  }, 300_000);

  it('streams device, progress and finding events, then done; an AbortSignal stops it with a partial result', async () => {
    // A service that accepts and never answers keeps probes busy until the scan is cancelled.
    const sockets = new Set<Socket>();
    const silent: Server = createServer((s) => { sockets.add(s); s.on('error', () => undefined); });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const web = await bannerServer('lighttpd/1.4.77');
    const controller = new AbortController();
    const started = Date.now();
    try {
      const run = scan(['127.0.0.1'], { ports: `${web.port},${port}`, safety: 'safe', signal: controller.signal, dataDir: false, timeoutMs: 240_000 });
      const seen: ScanEvent['type'][] = [];
      let doneResult: unknown;
      for await (const e of run) {
        seen.push(e.type);
        // Cancel once the first finding arrived (so the scan is certainly under way, with work left).
        if (e.type === 'finding' && !controller.signal.aborted) controller.abort(new Error('test cancels'));
        if (e.type === 'done') doneResult = e.result;
      }
      const result = await run.result;
      expect(doneResult).toBe(result);
      expect(seen[0]).not.toBe('done');
      expect(seen.at(-1)).toBe('done');
      expect(seen).toContain('device');
      expect(seen).toContain('progress');
      expect(seen).toContain('finding');
      expect(seen.indexOf('device')).toBeLessThan(seen.indexOf('finding'));
      expect(result.run.partial).toBe(true);
      expect(result.run.stopReason).toBe('signal');
      expect(result.devices.map((d) => d.address)).toEqual(['127.0.0.1']);
      // The silent port's probes were stopped, not waited for (their budgets are 20-45 s each).
      expect(Date.now() - started).toBeLessThan(120_000);
      expect(render('json', result)).toContain('"stopReason": "signal"');
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      await web.close();
    }
  }, 300_000);
});
