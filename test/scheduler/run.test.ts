import type { Logger, ProbeSettings } from '../../src/probes/contract.js';
import type { Json } from '../../src/report/model.js';
import { NetError } from '../../src/net/index.js';
import { createRunner, type RunnerEvent, type RunnerOptions, type RunOutcome } from '../../src/scheduler/run.js';
import { eventually, newCounter, startServer, type FakeServer } from '../net/fakes.js';
import { silentLog } from '../net/helpers.js';
import { device, fakeProbe, service } from './fake-probes.js';

const settings: ProbeSettings = { safety: 'intrusive', maxGuesses: 10, attemptDelayMs: 0, revealData: false, online: false };

function options(extra: Partial<RunnerOptions> = {}): RunnerOptions {
  return {
    settings,
    log: silentLog,
    netDefaults: { connectTimeoutMs: 1_000, idleTimeoutMs: 2_000, connDeadlineMs: 3_000 },
    ...extra,
  };
}

const servers: FakeServer[] = [];
async function server(...args: Parameters<typeof startServer>): Promise<FakeServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

function byProbe(out: RunOutcome, id: string) {
  return out.outcomes.filter((o) => o.probe === id);
}

describe('runner', () => {
  it('paces login attempts per device across probes (one --delay for the device, not one per probe)', async () => {
    const times: number[] = [];
    const probes = ['a', 'b'].map((id) => fakeProbe(`pace-${id}`, {
      scope: 'host',
      collect: async (ctx) => {
        for (let i = 0; i < 3; i++) { await ctx.paceAttempt(); times.push(Date.now()); }
        return {};
      },
      assess: () => [{ check: `pace-${id}`, status: 'pass' }],
    }));
    const runner = createRunner(probes, options({ attemptDelayMs: 40 }));
    runner.addDevice(device('10.0.0.5', []));
    await runner.finish();
    expect(times).toHaveLength(6);
    const sorted = [...times].sort((x, y) => x - y);
    // Both probes ran at once (two jobs per host), yet the six attempts took six slots of one pace: the last
    // came at least 5 delays after the first (a timer never fires early; 2 ms of clock rounding allowed).
    // A pace per probe would have let it come after 2 delays. A lower bound only: load can only add time.
    expect(sorted[5]! - sorted[0]!).toBeGreaterThanOrEqual(5 * 40 - 2);
  });

  it('never exceeds the per-host connection limit, across jobs and ports', async () => {
    const counter = newCounter();
    const ports = await Promise.all([1, 2, 3].map(() => server({ kind: 'banner', text: 'hi\n' }, { counter })));
    const probes = ['a', 'b', 'c', 'd'].map((id) => fakeProbe(`p-${id}`, {
      appliesTo: { transport: 'tcp' },
      maxConnections: 3,
      timeoutMs: 10_000,
      collect: async (ctx) => {
        for (let i = 0; i < 3; i++) {
          const conn = await ctx.net.tcp(ctx.service!.port);
          await conn.readUntil((b) => b.includes('\n'));
          await ctx.sleep(5);
          conn.close();
        }
        return null;
      },
    }));
    // Many jobs per host at once, so that only the connection limiter stands between them and the device.
    const runner = createRunner(probes, options({ concurrency: 16, perHost: 2, jobsPerHost: 16 }));
    runner.addDevice(device('127.0.0.1', ports.map((s) => service(s.port, 'x'))));
    const out = await runner.finish();
    expect(out.outcomes).toHaveLength(12);
    expect(out.outcomes.every((o) => o.status === 'done' && o.connections === 3)).toBe(true);
    expect(counter.accepted).toBe(36);
    expect(counter.max).toBeLessThanOrEqual(2);
    expect(runner.limiter.highWater('127.0.0.1')).toBe(2);
  });

  it('enforces the budget: one connection too many is an error, other jobs are unaffected', async () => {
    const s = await server({ kind: 'silent' });
    const greedy = fakeProbe('greedy', {
      maxConnections: 2,
      collect: async (ctx) => {
        for (let i = 0; i < 3; i++) (await ctx.net.tcp(ctx.service!.port)).close();
        return null;
      },
    });
    const modest = fakeProbe('modest', {
      maxConnections: 2,
      collect: async (ctx) => { (await ctx.net.tcp(ctx.service!.port)).close(); return null; },
    });
    const runner = createRunner([greedy, modest], options());
    runner.addDevice(device('127.0.0.1', [service(s.port)]));
    const out = await runner.finish();
    expect(byProbe(out, 'greedy')[0]).toMatchObject({ status: 'error', error: { kind: 'budget-exceeded' }, connections: 2, results: [] });
    expect(byProbe(out, 'modest')[0]).toMatchObject({ status: 'done', connections: 1 });
  });

  it('turns an overrun of the per-probe deadline into error/timeout, even for a probe that ignores its signal', async () => {
    const sleeper = fakeProbe('sleeper', { timeoutMs: 100, collect: async (ctx) => { await ctx.sleep(60_000); return null; } });
    const deaf = fakeProbe('deaf', { timeoutMs: 100, collect: () => new Promise<Json>(() => undefined) });
    const runner = createRunner([deaf, sleeper], options({ concurrency: 2, jobsPerHost: 2 }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    for (const id of ['sleeper', 'deaf']) {
      expect(byProbe(out, id)[0]).toMatchObject({ status: 'error', error: { kind: 'timeout' }, results: [] });
    }
    expect(out.partial).toBe(false);
  });

  it('gives a probe its timed-out read back so it can report a tarpit within its deadline', async () => {
    const s = await server({ kind: 'drip', everyMs: 10 });
    const reader = fakeProbe('reader', {
      timeoutMs: 2_000,
      collect: async (ctx) => {
        const conn = await ctx.net.tcp(ctx.service!.port, { timeoutMs: 150 });
        const r = await conn.readUntil(() => false, 60_000);
        return { timedOut: r.timedOut, bytes: r.data.length };
      },
      assess: (e) => [{ check: 'reader', status: (e as { timedOut: boolean }).timedOut ? 'warn' : 'pass', detail: 'tarpit suspected' }],
    });
    const runner = createRunner([reader], options({ netDefaults: { idleTimeoutMs: 30_000 } }));
    runner.addDevice(device('127.0.0.1', [service(s.port)]));
    const out = await runner.finish();
    expect(out.outcomes[0]).toMatchObject({ status: 'done', results: [{ check: 'reader', status: 'warn' }], connections: 1 });
    await eventually(() => s.counter.current === 0, 2_000, 'socket closed at its deadline');
  });

  it('gives error, never pass, for throwing probes and lets the others complete', async () => {
    const probes = [
      fakeProbe('async-throw', { collect: async () => { throw new Error('boom'); } }),
      fakeProbe('net-throw', { collect: async () => { throw new NetError('protocol-error', 'garbage from device'); } }),
      fakeProbe('sync-throw', { collect: (() => { throw new Error('sync'); }) as unknown as () => Promise<Json> }),
      fakeProbe('assess-throw', { assess: () => { throw new Error('bad evidence'); } }),
      fakeProbe('assess-junk', { assess: (() => 'not an array') as unknown as () => [] }),
      fakeProbe('fine', { assess: () => [{ check: 'fine', status: 'fail' }] }),
    ];
    const events: RunnerEvent[] = [];
    const runner = createRunner(probes, options({ onProgress: (e) => events.push(e) }));
    runner.addDevice(device('127.0.0.1', [service(8080)]));
    const out = await runner.finish();
    expect(byProbe(out, 'async-throw')[0]).toMatchObject({ status: 'error', error: { kind: 'internal', message: 'boom' } });
    expect(byProbe(out, 'net-throw')[0]).toMatchObject({ status: 'error', error: { kind: 'protocol-error' } });
    expect(byProbe(out, 'sync-throw')[0]).toMatchObject({ status: 'error', error: { kind: 'internal' } });
    expect(byProbe(out, 'assess-throw')[0]).toMatchObject({ status: 'error', error: { kind: 'internal' } });
    expect(byProbe(out, 'assess-junk')[0]).toMatchObject({ status: 'error', error: { kind: 'internal' } });
    expect(byProbe(out, 'fine')[0]).toMatchObject({ status: 'done', results: [{ check: 'fine', status: 'fail' }], device: '127.0.0.1', port: 8080, transport: 'tcp' });
    expect(out.outcomes.filter((o) => o.status === 'error').every((o) => o.results.length === 0)).toBe(true);
    const last = events.at(-1);
    expect(last).toMatchObject({ type: 'run-done', counts: { jobsTotal: 6, jobsDone: 6, findings: 1 } });
  });

  it('stops at the global timeout with a valid partial result', async () => {
    const slow = ['s1', 's2', 's3', 's4', 's5'].map((id) => fakeProbe(id, { timeoutMs: 30_000, collect: async (ctx) => { await ctx.sleep(30_000); return null; } }));
    const cross = fakeProbe('cross', { scope: 'run' });
    const events: RunnerEvent[] = [];
    const runner = createRunner([...slow, cross], options({ concurrency: 2, timeoutMs: 150, onProgress: (e) => events.push(e) }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(out.partial).toBe(true);
    expect(out.stopReason).toBe('timeout');
    expect(out.outcomes).toHaveLength(2);
    expect(out.outcomes.every((o) => o.status === 'not_tested' && o.reason === 'timeout-global')).toBe(true);
    const skippedIds = out.skipped.filter((s) => s.reason === 'timeout-global').map((s) => s.probe).sort();
    expect(skippedIds).toHaveLength(4); // three pending device jobs and the run-scope job
    expect(skippedIds).toContain('cross');
    // Every probe is accounted for once.
    const accounted = [...out.outcomes.map((o) => o.probe), ...out.skipped.map((s) => s.probe)].sort();
    expect(accounted).toEqual(['cross', 's1', 's2', 's3', 's4', 's5']);
    expect(events.some((e) => e.type === 'run-stopping' && e.reason === 'timeout')).toBe(true);
    expect(events.at(-1)).toMatchObject({ type: 'run-done', counts: { jobsTotal: 6, jobsDone: 6 } });
    expect(runner.stopped.aborted).toBe(true);
    // Devices arriving after the stop are recorded, not probed.
    runner.addDevice(device('127.0.0.2', [service(80)]));
  });

  it('stops on an external abort (SIGINT): partial result, no socket left open', async () => {
    const s = await server({ kind: 'silent' });
    const hang = (id: string) => fakeProbe(id, {
      timeoutMs: 30_000,
      collect: async (ctx) => {
        const conn = await ctx.net.tcp(ctx.service!.port, { timeoutMs: 30_000 });
        await conn.readUntil(() => false, 30_000);
        return null;
      },
    });
    const controller = new AbortController();
    const runner = createRunner([hang('h1'), hang('h2'), hang('h3')], options({
      signal: controller.signal,
      netDefaults: { idleTimeoutMs: 30_000, connDeadlineMs: 30_000 },
    }));
    runner.addDevice(device('127.0.0.1', [service(s.port)]));
    await eventually(() => s.counter.current === 2, 3_000, 'two jobs connected');
    controller.abort(new Error('SIGINT'));
    const out = await runner.finish();
    expect(out.partial).toBe(true);
    expect(out.stopReason).toBe('signal');
    expect(out.outcomes).toHaveLength(2);
    expect(out.outcomes.every((o) => o.status === 'not_tested' && o.reason === 'aborted' && o.error?.kind === 'aborted')).toBe(true);
    expect(out.skipped).toContainEqual(expect.objectContaining({ probe: 'h3', reason: 'aborted' }));
    await eventually(() => s.counter.current === 0, 3_000, 'all sockets closed');
    await eventually(() => runner.limiter.active('127.0.0.1') === 0, 3_000, 'all slots released');
  });

  it('probes nothing when the signal has already fired', async () => {
    let ran = false;
    const controller = new AbortController();
    controller.abort(new Error('SIGTERM'));
    const runner = createRunner([fakeProbe('p', { collect: async () => { ran = true; return null; } })], options({ signal: controller.signal }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(ran).toBe(false);
    expect(out).toMatchObject({ partial: true, stopReason: 'signal', outcomes: [] });
    expect(out.skipped).toEqual([expect.objectContaining({ probe: 'p', reason: 'aborted', device: '127.0.0.1', port: 80 })]);
    expect(runner.stopped.aborted).toBe(true);
  });

  it('closes connections a probe forgot to close when its job ends', async () => {
    const s = await server({ kind: 'silent' });
    const forgetful = fakeProbe('forgetful', { collect: async (ctx) => { await ctx.net.tcp(ctx.service!.port); return 'done'; } });
    const runner = createRunner([forgetful], options({ netDefaults: { idleTimeoutMs: 30_000, connDeadlineMs: 30_000 } }));
    runner.addDevice(device('127.0.0.1', [service(s.port)]));
    const out = await runner.finish();
    expect(out.outcomes[0]?.status).toBe('done');
    await eventually(() => s.counter.current === 0, 2_000, 'forgotten socket closed');
  });

  it('trips the circuit breaker on a host that resets every connection, and spares the other host', async () => {
    const bad = await server({ kind: 'reset' });
    const good = await server({ kind: 'banner', text: 'ok\n' }, { host: '127.0.0.2' });
    const hammer = (id: string) => fakeProbe(id, {
      appliesTo: { ports: [bad.port] },
      maxConnections: 20,
      collect: async (ctx) => {
        for (let i = 0; i < 20; i++) {
          try {
            const conn = await ctx.net.tcp(ctx.service!.port);
            await conn.readUntil(() => false, 500);
            conn.close();
          } catch (e) {
            if ((e as NetError).kind === 'aborted') throw e;
          }
        }
        return null;
      },
    });
    const banner = fakeProbe('banner', {
      appliesTo: { ports: [good.port] },
      collect: async (ctx) => {
        const conn = await ctx.net.tcp(ctx.service!.port);
        const r = await conn.readUntil((b) => b.includes('\n'));
        conn.close();
        return r.data.toString();
      },
    });
    const runner = createRunner([banner, hammer('h1'), hammer('h2'), hammer('h3')], options({ breakerThreshold: 3, concurrency: 4, jobsPerHost: 1 }));
    runner.addDevice(device('127.0.0.1', [service(bad.port)]));
    runner.addDevice(device('127.0.0.2', [service(good.port)]));
    const out = await runner.finish();
    expect(out.unresponsive).toEqual(['127.0.0.1']);
    const badJobs = out.outcomes.filter((o) => o.device === '127.0.0.1');
    expect(badJobs.length).toBeGreaterThanOrEqual(1);
    expect(badJobs.every((o) => o.status === 'not_tested' && o.reason === 'circuit-breaker')).toBe(true);
    const badSkips = out.skipped.filter((x) => x.device === '127.0.0.1' && x.reason === 'circuit-breaker');
    expect(badJobs.length + badSkips.length).toBe(3);
    expect(out.outcomes.find((o) => o.device === '127.0.0.2' && o.probe === 'banner')).toMatchObject({ status: 'done' });
    expect(out.partial).toBe(false);
  });

  it('records a probe that rejects after its deadline as a timeout (unhandled rejections: see no-unhandled.test.ts)', async () => {
    const late = fakeProbe('late', {
      timeoutMs: 50,
      collect: () => new Promise<Json>((_resolve, reject) => setTimeout(() => reject(new Error('late failure')), 150)),
    });
    const runner = createRunner([late], options());
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(out.outcomes[0]).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
    await new Promise((r) => setTimeout(r, 200));
  });

  it('gives credentials only to probes at the credentials level and never logs a password', async () => {
    const lines: string[] = [];
    const sink: Logger = {
      debug: (m, d) => lines.push(m + JSON.stringify(d ?? {})),
      info: (m, d) => lines.push(m + JSON.stringify(d ?? {})),
      warn: (m, d) => lines.push(m + JSON.stringify(d ?? {})),
    };
    const seen = new Map<string, number>();
    const mk = (id: string, safety: 'safe' | 'credentials') => fakeProbe(id, {
      safety,
      collect: async (ctx) => {
        seen.set(id, ctx.credentials.length);
        ctx.log.info('trying S3cret-Pass on the device', { password: 'S3cret-Pass', note: 'pw=S3cret-Pass', list: ['S3cret-Pass'] });
        ctx.log.warn('other', { user: 'admin', pass: 'anything' });
        return null;
      },
    });
    const runner = createRunner([mk('c-probe', 'credentials'), mk('s-probe', 'safe')], options({
      log: sink,
      credentialsFor: () => [{ username: 'admin', password: 'S3cret-Pass', source: 'targets.yaml' }],
    }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    await runner.finish();
    expect(seen.get('c-probe')).toBe(1);
    expect(seen.get('s-probe')).toBe(0);
    expect(lines.length).toBeGreaterThanOrEqual(4);
    expect(lines.join('\n')).not.toContain('S3cret-Pass');
    expect(lines.join('\n')).not.toContain('anything');
    expect(lines.join('\n')).toContain('admin');
  });

  it("a device's maxGuesses and maxFailuresPerAccount from targets.yaml reach its probes' settings, and only its own", async () => {
    const seen = new Map<string, Json>();
    const probe = fakeProbe('allowance', {
      collect: async (ctx) => {
        seen.set(ctx.device.address, { maxGuesses: ctx.settings.maxGuesses, perAccount: ctx.settings.maxFailuresPerAccount ?? null });
        return null;
      },
    });
    const runner = createRunner([probe], options({
      configFor: (d) => (d.address === '127.0.0.1' ? { maxGuesses: 25, maxFailuresPerAccount: 6 } : undefined),
    }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    runner.addDevice(device('127.0.0.2', [service(80)]));
    await runner.finish();
    expect(seen.get('127.0.0.1')).toEqual({ maxGuesses: 25, perAccount: 6 });
    expect(seen.get('127.0.0.2')).toEqual({ maxGuesses: 10, perAccount: null });
  });

  it('starts a device\'s jobs as soon as it is added (pipelining)', async () => {
    let releaseA!: () => void;
    const gateA = new Promise<void>((r) => { releaseA = r; });
    const probe = fakeProbe('wait', {
      collect: async (ctx) => { if (ctx.device.address === '127.0.0.1') await gateA; return ctx.device.address; },
    });
    const order: string[] = [];
    const runner = createRunner([probe], options({
      onProgress: (e) => {
        if (e.type === 'job-done') {
          order.push(e.device);
          if (e.device === '127.0.0.2') releaseA();
        }
      },
    }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    // Device B arrives while A's job is still running: B must not wait for A.
    await new Promise((r) => setTimeout(r, 10));
    runner.addDevice(device('127.0.0.2', [service(80)]));
    const out = await runner.finish();
    expect(order).toEqual(['127.0.0.2', '127.0.0.1']);
    expect(out.outcomes.every((o) => o.status === 'done')).toBe(true);
  });

  it('runs run-scope probes after every device job, with all devices and no network', async () => {
    const events: RunnerEvent[] = [];
    let seenDevices: string[] = [];
    let netError: unknown;
    const cross = fakeProbe('cross', {
      scope: 'run',
      collect: async (ctx) => {
        seenDevices = ctx.devices.map((d) => d.address);
        try { await ctx.net.tcp(80); } catch (e) { netError = e; }
        return null;
      },
      assess: () => [{ check: 'cross', status: 'warn', device: '127.0.0.1' }],
    });
    const host = fakeProbe('host-check', { scope: 'host' });
    const runner = createRunner([cross, host], options({ onProgress: (e) => events.push(e) }));
    runner.addDevice(device('127.0.0.1'));
    runner.addDevice(device('127.0.0.2'));
    runner.addDevice(device('127.0.0.2')); // a duplicate hand-over is ignored
    const out = await runner.finish();
    expect(seenDevices).toEqual(['127.0.0.1', '127.0.0.2']);
    expect(netError).toMatchObject({ kind: 'out-of-scope' });
    const crossStart = events.findIndex((e) => e.type === 'job-start' && e.probe === 'cross');
    const lastHostDone = events.map((e, i) => (e.type === 'job-done' && e.probe === 'host-check' ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    expect(crossStart).toBeGreaterThan(lastHostDone);
    expect(out.outcomes.find((o) => o.probe === 'cross')).toMatchObject({ jobId: 'cross@*', device: '*', status: 'done' });
    expect(out.outcomes.filter((o) => o.probe === 'host-check')).toHaveLength(2);
  });

  it('leaves the computer running iotcop out of every job, run-scope ones included, unless it is asked for', async () => {
    const seen: string[][] = [];
    const hostSeen: string[] = [];
    const cross = fakeProbe('cross', { scope: 'run', collect: async (ctx) => { seen.push(ctx.devices.map((d) => d.address)); return null; } });
    const host = fakeProbe('host-check', { scope: 'host', collect: async (ctx) => { hostSeen.push(ctx.device.address); return null; } });
    const self = { ...device('127.0.0.1'), thisComputer: true as const };
    const runner = createRunner([cross, host], options());
    runner.addDevice(self);
    runner.addDevice(device('127.0.0.2'));
    const out = await runner.finish();
    expect(seen).toEqual([['127.0.0.2']]);
    expect(hostSeen).toEqual(['127.0.0.2']);
    expect(out.skipped).toContainEqual(expect.objectContaining({ device: '127.0.0.1', reason: 'this-computer' }));
    seen.length = 0; hostSeen.length = 0;
    const asked = createRunner([cross, host], options({ selectionFor: () => ({ only: [], skip: [], includeSelf: true }) }));
    asked.addDevice(self);
    asked.addDevice(device('127.0.0.2'));
    await asked.finish();
    expect(seen).toEqual([['127.0.0.1', '127.0.0.2']]);
    expect(hostSeen.sort()).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  it('records plan skips (safety, selection) in the outcome', async () => {
    const risky = fakeProbe('risky', { safety: 'intrusive' });
    const other = fakeProbe('other');
    const runner = createRunner([other, risky], options({
      settings: { ...settings, safety: 'safe' },
      selectionFor: () => ({ only: [], skip: ['other'] }),
    }));
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(out.outcomes).toEqual([]);
    expect(out.skipped.map((s) => `${s.probe}:${s.reason}`).sort()).toEqual(['other:deselected', 'risky:above-safety-level']);
  });
});
