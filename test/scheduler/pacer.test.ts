import { createAttemptPacer } from '../../src/scheduler/pacer.js';

describe('attempt pace per device, across probes (issue 18 item 3)', () => {
  function clock() {
    let t = 1_000;
    const waits: number[] = [];
    return { now: () => t, advance: (ms: number) => { t += ms; }, waits, sleep: async (ms: number) => { waits.push(ms); } };
  }

  it('spaces the attempts of every probe on one device by the delay; another device keeps its own pace', async () => {
    const c = clock();
    const pacer = createAttemptPacer(250, c.now);
    await pacer.next('10.0.0.5', c.sleep); // telnet's first attempt: at once
    await pacer.next('10.0.0.5', c.sleep); // HTTP guessing on the same device, same moment: waits 250 ms
    await pacer.next('10.0.0.5', c.sleep); // and the next one 500 ms
    await pacer.next('10.0.0.6', c.sleep); // another device: at once
    expect(c.waits).toEqual([250, 500]);
    c.advance(2_000); // long after the last reserved slot: no wait
    await pacer.next('10.0.0.5', c.sleep);
    expect(c.waits).toEqual([250, 500]);
    c.advance(100); // 100 ms after it: the rest of the delay
    await pacer.next('10.0.0.5', c.sleep);
    expect(c.waits).toEqual([250, 500, 150]);
  });

  it('a delay of 0 never waits', async () => {
    const c = clock();
    const pacer = createAttemptPacer(0, c.now);
    for (let i = 0; i < 5; i++) await pacer.next('10.0.0.5', c.sleep);
    expect(c.waits).toEqual([]);
  });
});
