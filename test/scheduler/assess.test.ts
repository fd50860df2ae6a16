/**
 * The assessment stage (src/scheduler/assess.ts) and the evidence a job keeps for a later re-assessment:
 * kept as collected, owner passwords masked as the report masks them, too-large or non-JSON evidence
 * not kept (with the reason), and the runner keeping it only when asked.
 */
import type { ProbeSettings } from '../../src/probes/contract.js';
import type { Json } from '../../src/model.js';
import { MAX_KEPT_EVIDENCE_CHARS, assessEvidence, keptEvidence } from '../../src/scheduler/assess.js';
import { createRunner } from '../../src/scheduler/run.js';
import { silentLog } from '../net/helpers.js';
import { device, fakeProbe, service } from './fake-probes.js';

const settings: ProbeSettings = { safety: 'intrusive', maxGuesses: 10, attemptDelayMs: 0, revealData: false, online: false };
const d = device('127.0.0.1', [service(80)]);
const input = { device: d, devices: [d], now: new Date('2026-12-01T00:00:00Z') };

describe('assessEvidence', () => {
  it('returns the results, and turns a throwing or malformed assess into an error, never a pass', () => {
    expect(assessEvidence(fakeProbe('p'), null, input)).toEqual({ status: 'done', results: [{ check: 'p', status: 'pass' }] });
    const thrower = fakeProbe('t', { assess: () => { throw new Error('bad evidence'); } });
    expect(assessEvidence(thrower, null, input)).toEqual({ status: 'error', error: { kind: 'internal', message: 'assess failed: bad evidence' } });
    const odd = fakeProbe('o', { assess: () => ({ not: 'an array' }) as never });
    expect(assessEvidence(odd, null, input).status).toBe('error');
  });
});

describe('keptEvidence', () => {
  it('keeps the evidence as JSON, masking owner passwords wherever they appear', () => {
    const ev = { tried: [{ username: 'admin', password: 'Winter2026!' }, { username: 'admin', password: 'admin' }], banner: 'pw=Winter2026! ok', n: 3 };
    expect(keptEvidence(ev, ['Winter2026!'])).toEqual({
      evidence: { tried: [{ username: 'admin', password: 'Wi*********' }, { username: 'admin', password: 'admin' }], banner: 'pw=Wi********* ok', n: 3 },
    });
    // no owner secret: kept exactly (a default-list password is public data and stays, as in the results)
    expect(keptEvidence(ev, [])).toEqual({ evidence: ev });
  });

  it('does not keep evidence that is too large or not JSON, and says why', () => {
    expect(keptEvidence({ big: 'x'.repeat(MAX_KEPT_EVIDENCE_CHARS) }, [])).toEqual({ omitted: 'evidence larger than 512 KiB' });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect('omitted' in keptEvidence(cyclic, [])).toBe(true);
    expect(keptEvidence(undefined, [])).toEqual({ omitted: 'the probe returned no evidence' });
  });
});

describe('the runner keeps evidence only when asked', () => {
  const probe = fakeProbe('echo', { collect: async (ctx): Promise<Json> => ({ sent: ctx.config?.credentials?.[0]?.password ?? null, seen: 'x' }) });
  const config = { credentials: [{ username: 'admin', password: 'hunter22' }] };

  it('keepEvidence: the done job carries its evidence, the owner password masked', async () => {
    const runner = createRunner([probe], { settings, log: silentLog, keepEvidence: true, configFor: () => config });
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(out.outcomes.map((o) => o.evidence)).toEqual([{ sent: 'hu******', seen: 'x' }]);
  });

  it('without it, nothing is kept', async () => {
    const runner = createRunner([probe], { settings, log: silentLog, configFor: () => config });
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(out.outcomes.map((o) => o.evidence)).toEqual([undefined]);
  });
});
