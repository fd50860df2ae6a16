import { createBudget, createCircuitBreaker, createHostLimiter, NetError } from '../../src/net/index.js';

describe('host limiter', () => {
  it('never grants more than perHost slots on one address and hands slots over in order', async () => {
    const limiter = createHostLimiter(2);
    const a = await limiter.acquire('10.0.0.1');
    const b = await limiter.acquire('10.0.0.1');
    const order: string[] = [];
    const c = limiter.acquire('10.0.0.1').then((r) => { order.push('c'); return r; });
    const d = limiter.acquire('10.0.0.1').then((r) => { order.push('d'); return r; });
    // Another address is independent.
    const other = await limiter.acquire('10.0.0.2');
    await Promise.resolve();
    expect(limiter.active('10.0.0.1')).toBe(2);
    expect(order).toEqual([]);
    a();
    a(); // idempotent: a second call must not free another slot
    const rc = await c;
    expect(order).toEqual(['c']);
    expect(limiter.active('10.0.0.1')).toBe(2);
    b();
    const rd = await d;
    expect(order).toEqual(['c', 'd']);
    rc(); rd(); other();
    expect(limiter.active('10.0.0.1')).toBe(0);
    expect(limiter.highWater('10.0.0.1')).toBe(2);
  });

  it('stops waiting on abort with NetError aborted, without leaking the slot', async () => {
    const limiter = createHostLimiter(1);
    const held = await limiter.acquire('h');
    const ac = new AbortController();
    const waiting = limiter.acquire('h', ac.signal);
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toMatchObject({ kind: 'aborted' });
    held();
    expect(limiter.active('h')).toBe(0);
    const again = await limiter.acquire('h');
    expect(limiter.active('h')).toBe(1);
    again();
  });

  it('rejects a bad perHost', () => {
    expect(() => createHostLimiter(0)).toThrow(RangeError);
  });
});

describe('budget', () => {
  it('allows max units and throws budget-exceeded on the next', () => {
    const b = createBudget(2);
    b.take('one');
    b.take('two');
    expect(b.used).toBe(2);
    let thrown: unknown;
    try { b.take('three'); } catch (e) { thrown = e; }
    expect(thrown).toBeInstanceOf(NetError);
    expect((thrown as NetError).kind).toBe('budget-exceeded');
    expect(b.used).toBe(2);
  });
});

describe('circuit breaker', () => {
  it('trips after N consecutive failures, once, and a healthy signal resets the count', () => {
    const tripped: string[] = [];
    const br = createCircuitBreaker({ threshold: 3, onTrip: (a) => tripped.push(a) });
    br.record('h', 'failure');
    br.record('h', 'failure');
    br.record('h', 'healthy');
    br.record('h', 'failure');
    br.record('h', 'failure');
    expect(br.isOpen('h')).toBe(false);
    br.record('h', 'failure');
    expect(br.isOpen('h')).toBe(true);
    br.record('h', 'failure');
    expect(tripped).toEqual(['h']);
    expect(br.unresponsive()).toEqual(['h']);
    expect(br.isOpen('other')).toBe(false);
  });

  it('never trips with threshold 0', () => {
    const br = createCircuitBreaker({ threshold: 0 });
    for (let i = 0; i < 20; i++) br.record('h', 'failure');
    expect(br.isOpen('h')).toBe(false);
  });
});
