import { NetError } from '../../src/net/index.js';
import { closedPort, eventually, startServer, type FakeServer } from './fakes.js';
import { testApi } from './helpers.js';

const servers: FakeServer[] = [];
async function server(...args: Parameters<typeof startServer>): Promise<FakeServer> {
  const s = await startServer(...args);
  servers.push(s);
  return s;
}
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

describe('tcp dialer', () => {
  it('reads a banner until the predicate holds and writes', async () => {
    const s = await server({ kind: 'banner', text: 'SSH-2.0-Fake\r\nrest' });
    const { net, budget } = testApi();
    const conn = await net.tcp(s.port);
    const r = await conn.readUntil((b) => b.includes('\n'));
    expect(r.data.toString()).toContain('SSH-2.0-Fake\r\n');
    expect(r.timedOut).toBe(false);
    await conn.write('hello');
    await eventually(() => s.received().toString() === 'hello', 2_000, 'server to receive');
    conn.close();
    expect(budget.used).toBe(1);
    await eventually(() => s.counter.current === 0, 2_000, 'server-side close');
  });

  it('returns timedOut instead of throwing when a silent peer sends nothing', async () => {
    const s = await server({ kind: 'silent' });
    const { net } = testApi();
    const conn = await net.tcp(s.port);
    const r = await conn.readUntil(() => false, 50);
    expect(r).toMatchObject({ timedOut: true, closed: false, truncated: false });
    expect(r.data.length).toBe(0);
    conn.close();
  });

  it('stops at the byte cap against an endless sender and marks the read truncated', async () => {
    const s = await server({ kind: 'flood' });
    const { net, limiter } = testApi();
    const conn = await net.tcp(s.port, { maxBytes: 10_000 });
    const r = await conn.readUntil(() => false, 2_000);
    expect(r.truncated).toBe(true);
    expect(r.data.length).toBe(10_000);
    expect(r.closed).toBe(true);
    await eventually(() => limiter.active('127.0.0.1') === 0, 2_000, 'slot release');
  });

  it('ends a dripping connection at its absolute deadline although it is never idle', async () => {
    const s = await server({ kind: 'drip', everyMs: 10 });
    // idle timeout far above the drip interval: only the absolute deadline can end this
    const { net } = testApi({ defaults: { idleTimeoutMs: 5_000 } });
    const conn = await net.tcp(s.port, { timeoutMs: 300 });
    const r = await conn.readUntil(() => false, 10_000);
    expect(r.timedOut).toBe(true);
    expect(r.closed).toBe(true);
    expect(r.data.length).toBeGreaterThan(0);
    expect(r.truncated).toBe(false);
  });

  it('maps a closed port to refused', async () => {
    const port = await closedPort();
    const { net, breaker } = testApi();
    await expect(net.tcp(port)).rejects.toMatchObject({ kind: 'refused' });
    expect(breaker.isOpen('127.0.0.1')).toBe(false);
  });

  it('reports a peer that accepts and resets as closed, and counts it towards the breaker', async () => {
    const s = await server({ kind: 'reset' });
    const { net, breaker } = testApi({ breaker: undefined });
    for (let i = 0; i < 5; i++) {
      try {
        const conn = await net.tcp(s.port);
        const r = await conn.readUntil(() => false, 1_000);
        expect(r.closed).toBe(true);
      } catch (e) {
        // The reset may also arrive before the connect completes.
        expect((e as NetError).kind).toMatch(/reset|aborted/);
      }
    }
    expect(breaker.isOpen('127.0.0.1')).toBe(true);
    await expect(net.tcp(s.port)).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('enforces the connection budget', async () => {
    const s = await server({ kind: 'silent' });
    const { net } = testApi({ maxConnections: 2 });
    const a = await net.tcp(s.port);
    const b = await net.tcp(s.port);
    await expect(net.tcp(s.port)).rejects.toMatchObject({ kind: 'budget-exceeded' });
    a.close(); b.close();
  });

  it('never dials a raw printer port', async () => {
    const { net, budget } = testApi();
    await expect(net.tcp(9100)).rejects.toMatchObject({ kind: 'out-of-scope' });
    await expect(net.tcp(515)).rejects.toMatchObject({ kind: 'out-of-scope' });
    await expect(net.tcp(70000)).rejects.toBeInstanceOf(NetError);
    expect(budget.used).toBe(0);
  });

  it('closes the connection on abort: readUntil rejects with aborted and the server sees the close', async () => {
    const s = await server({ kind: 'silent' });
    const { net, controller, limiter } = testApi();
    const conn = await net.tcp(s.port);
    await eventually(() => s.counter.current === 1, 2_000, 'accept');
    const reading = conn.readUntil(() => false, 10_000);
    controller.abort(new Error('test stop'));
    await expect(reading).rejects.toMatchObject({ kind: 'aborted' });
    await eventually(() => s.counter.current === 0, 2_000, 'server-side close');
    await eventually(() => limiter.active('127.0.0.1') === 0, 2_000, 'slot release');
    await expect(net.tcp(s.port)).rejects.toMatchObject({ kind: 'aborted' });
  });

  it('waits for a per-host slot: a third connection opens only after one closes', async () => {
    const s = await server({ kind: 'silent' });
    const { net } = testApi({ perHost: 2 });
    const a = await net.tcp(s.port);
    const b = await net.tcp(s.port);
    let third = false;
    const c = net.tcp(s.port).then((x) => { third = true; return x; });
    await new Promise((r) => setTimeout(r, 50));
    expect(third).toBe(false);
    expect(s.counter.current).toBe(2);
    a.close();
    const cc = await c;
    expect(third).toBe(true);
    expect(s.counter.max).toBe(2);
    b.close(); cc.close();
  });

  it('hands bytes not yet read to the stream for libraries', async () => {
    const s = await server({ kind: 'banner', text: 'HELLO WORLD' });
    const { net } = testApi();
    const conn = await net.tcp(s.port);
    await eventually(() => s.counter.accepted === 1);
    await new Promise((r) => setTimeout(r, 30));
    const data = await new Promise<string>((resolve) => {
      conn.stream.once('data', (d: Buffer) => resolve(d.toString()));
    });
    expect(data).toBe('HELLO WORLD');
    conn.close();
  });

  it('refuses to be built for a host name', () => {
    expect(() => testApi({ address: 'example.com' })).toThrow(/not an IP address/);
  });
});
