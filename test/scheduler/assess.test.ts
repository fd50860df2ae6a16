/**
 * The assessment stage (src/scheduler/assess.ts) and the evidence a job keeps for a later re-assessment:
 * kept as collected, passwords masked as the report masks them, too-large or non-JSON evidence
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
  it('masks owner passwords wherever they appear, and values under password-like keys unless credentials are revealed', () => {
    const ev = { tried: [{ username: 'admin', password: 'Winter2026!' }], banner: 'pw=Winter2026! ok', n: 3, found: { username: 'root', password: 'xc3511', source: 'list: root/xc3511' }, empty: { password: '' } };
    expect(keptEvidence(ev, ['Winter2026!'], { revealCredentials: true })).toEqual({
      evidence: { ...ev, tried: [{ username: 'admin', password: 'Wi*********' }], banner: 'pw=Wi********* ok' },
    });
    // not revealed: the found password is masked, inside the source text too; an empty one stays empty
    expect(keptEvidence(ev, [])).toEqual({
      evidence: { ...ev, tried: [{ username: 'admin', password: 'Wi*********' }], banner: 'pw=Wi********* ok', found: { username: 'root', password: 'xc****', source: 'list: root/xc****' } },
    });
    // admin/admin: the password is masked where it is a password, the user name stays a user name
    expect(keptEvidence({ found: { username: 'admin', password: 'admin' }, tried: ['admin'], note: 'admin/admin from the manual' }, [])).toEqual({
      evidence: { found: { username: 'admin', password: 'a****' }, tried: ['admin'], note: 'a****/a**** from the manual' },
    });
    // inside longer text in any letter case, as data sources capitalise a password that is also a product name
    expect(keptEvidence({ found: { username: 'transmission', password: 'transmission' }, source: 'the Debian wiki "Transmission": password transmission', realm: 'Transmission' }, [])).toEqual({
      evidence: { found: { username: 'transmission', password: 'tr**********' }, source: 'the Debian wiki "tr**********": password tr**********', realm: 'Transmission' },
    });
    // nothing secret: kept exactly
    expect(keptEvidence({ banner: 'hello', n: [1, null] }, [])).toEqual({ evidence: { banner: 'hello', n: [1, null] } });
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

  it('the results the history keeps are masked like the evidence; the live results are not', async () => {
    const found = fakeProbe('finder', { assess: () => [{ check: 'finder', status: 'fail', credential: { username: 'root', password: 'xc3511' } }] });
    const runner = createRunner([found], { settings, log: silentLog, keepEvidence: true });
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const [o] = (await runner.finish()).outcomes;
    expect(o?.results[0]?.credential).toEqual({ username: 'root', password: 'xc3511' });
    expect(o?.keptResults?.[0]?.credential).toEqual({ username: 'root', password: 'xc****' });
  });

  it('without it, nothing is kept', async () => {
    const runner = createRunner([probe], { settings, log: silentLog, configFor: () => config });
    runner.addDevice(device('127.0.0.1', [service(80)]));
    const out = await runner.finish();
    expect(out.outcomes.map((o) => o.evidence)).toEqual([undefined]);
  });
});
