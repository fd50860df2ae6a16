import {
  assessGuesses, buildCandidates, deriveFromTemplate, guessEvidence, initialPolicy, normaliseMac, ownerPairs,
  publicEvidence, randomCredential, rankTypePairs, runGuesses, signalsOf,
  type AttemptOutcome, type Candidate, type CandidatePlan, type GuessOptions, type GuessRun,
} from '../../../src/probes/lib/credentials.js';
import { compileCredentialDb, credentialDb } from '../../../src/data/credentials.js';
import { CAUTIOUS_MAX_FAILURES, DEFAULT_MAX_FAILURES_PER_ACCOUNT, lockoutPolicy } from '../../../src/probes/lib/lockout.js';
import type { Device } from '../../../src/report/model.js';

function dev(extra: Partial<Device> = {}): Device {
  return { address: '10.0.0.2', hostnames: [], name: 'd', identification: { type: 'unknown', confidence: 'low', sources: [] }, services: [], ...extra };
}

const c = (username: string, password: string, origin: Candidate['origin'] = 'generic'): Candidate => ({ username, password, origin, source: 'test source' });

function options(attempt: (c: Candidate, step: string) => AttemptOutcome, over: Partial<GuessOptions> = {}): GuessOptions {
  return {
    negativeControl: c('iotcoprandom', 'Qrandom7'),
    candidates: [c('admin', 'admin'), c('admin', '1234'), c('root', 'root'), c('user', 'user')],
    maxAttempts: 10,
    policy: lockoutPolicy([]),
    attempt: async (x, step) => attempt(x, step),
    pace: async () => undefined,
    delayMs: 0,
    now: () => 0,
    deadlineAt: 1_000_000,
    attemptMs: 1,
    wrongPassword: () => 'Qwrong7',
    ...over,
  };
}

describe('signals and candidates', () => {
  it('normalises MACs and ignores randomised ones', () => {
    expect(normaliseMac('3c:ef:8c:4d:21:0a')).toBe('3CEF8C4D210A');
    expect(normaliseMac('nonsense')).toBeUndefined();
    expect(signalsOf(dev({ mac: '02:1a:b0:21:00:15', macRandomised: true })).mac).toBeUndefined();
  });

  it('fills derived templates only from what the device disclosed', () => {
    const s = signalsOf(dev({ mac: '3c:ef:8c:4d:21:0a', identification: { type: 'printer', confidence: 'high', sources: [], serial: 'X1234567890' } }));
    expect(deriveFromTemplate('{mac6}', s)).toBe('4D210A');
    expect(deriveFromTemplate('{mac6l}', s)).toBe('4d210a');
    expect(deriveFromTemplate('{serial}', s)).toBe('X1234567890');
    expect(deriveFromTemplate('{serial8}', s)).toBe('34567890');
    expect(deriveFromTemplate('{serial}', signalsOf(dev()))).toBeUndefined();
  });

  it('orders owner pairs, vendor pairs, derived, Mirai (telnet only), generic; no duplicates', () => {
    const d = dev({ macVendor: 'Zhejiang Dahua Technology Co., Ltd.', mac: '3c:ef:8c:4d:21:0a' });
    const plan = buildCandidates({ service: 'telnet', signals: signalsOf(d), owner: [{ username: 'root', password: 'mine', source: 'targets.yaml' }] });
    const origins = plan.candidates.map((x) => x.origin);
    expect(plan.candidates[0]).toMatchObject({ username: 'root', password: 'mine', origin: 'owner' });
    expect(plan.candidates[1]).toMatchObject({ username: 'root', password: 'vizxv', origin: 'vendor', ref: 'dahua' });
    expect(origins.indexOf('derived')).toBeGreaterThan(origins.lastIndexOf('vendor'));
    expect(origins.indexOf('mirai')).toBeGreaterThan(origins.lastIndexOf('derived'));
    expect(origins.lastIndexOf('mirai')).toBeLessThan(origins.indexOf('generic') === -1 ? Infinity : origins.indexOf('generic'));
    const keys = plan.candidates.map((x) => `${x.username}:${x.password}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(plan.matched.map((m) => [m.vendor.id, m.via])).toEqual([['dahua', 'mac-vendor']]);
    expect(buildCandidates({ service: 'ssh', signals: signalsOf(d), owner: [] }).candidates.some((x) => x.origin === 'mirai')).toBe(false);
  });

  it('matches vendors from text the probe saw (realm, banner) and flags lockout-prone vendors', () => {
    const plan = buildCandidates({ service: 'http', signals: signalsOf(dev(), undefined, ['DS-2CD2142FWD']), owner: [] });
    expect(plan.matched[0]?.vendor.id).toBe('hikvision');
    expect(plan.candidates[0]).toMatchObject({ username: 'admin', password: '12345', origin: 'vendor' });
    expect(plan.lockoutReasons.length).toBe(1);
    expect(initialPolicy(plan).cautious).toBe(true);
    expect(buildCandidates({ service: 'http', signals: signalsOf(dev()), owner: [] }).lockoutReasons).toEqual([]);
  });

  it('a device of known type but unknown brand gets its type\'s common factory defaults before the generic list', () => {
    const cam = (type: 'camera' | 'nas' | 'unknown') => dev({ identification: { type, confidence: 'medium', sources: ['port'] } });
    const plan = buildCandidates({ service: 'http', signals: signalsOf(cam('camera')), owner: [] });
    expect(plan.rankedByType).toBe('camera');
    // Ranked by how many camera brands ship a pair (ties in brand order): admin with no password (Reolink,
    // XiongMai, Foscam), admin/admin (Dahua, Amcrest), then Hikvision's admin/12345 and single-brand pairs.
    expect(plan.candidates.slice(0, 5).map((x) => `${x.username}/${x.password}/${x.ref ?? ''}`))
      .toEqual(['admin//reolink', 'admin/admin/dahua', 'admin/12345/hikvision', '888888/888888/dahua', '666666/666666/dahua']);
    expect(plan.candidates.slice(0, 5).every((x) => x.origin === 'type')).toBe(true);
    expect(plan.candidates.findIndex((x) => x.origin === 'generic')).toBeGreaterThan(plan.candidates.findLastIndex((x) => x.origin === 'type'));
    // Some camera brands lock: a camera of unknown brand is treated as cautiously as one of them.
    expect(plan.lockoutReasons.some((r) => /unknown brand/.test(r))).toBe(true);
    expect(initialPolicy(plan).cautious).toBe(true);
    // A matched vendor wins over the type; an unknown type ranks nothing in.
    const hik = buildCandidates({ service: 'http', signals: signalsOf(cam('camera'), undefined, ['DS-2CD2142FWD']), owner: [] });
    expect(hik.rankedByType).toBeUndefined();
    expect(hik.candidates.some((x) => x.origin === 'type')).toBe(false);
    expect(buildCandidates({ service: 'http', signals: signalsOf(cam('unknown')), owner: [] }).candidates.some((x) => x.origin === 'type')).toBe(false);
    // targets.yaml's type counts as much as identification's.
    const nas = buildCandidates({ service: 'http', signals: signalsOf(cam('unknown'), undefined, [], { type: 'nas' }), owner: [] });
    expect(nas.candidates[0]).toMatchObject({ username: 'admin', password: '', origin: 'type', ref: 'synology' });
  });

  it('a matched vendor with a documented lockout gives the plan its threshold; a device hint overrides it', () => {
    const syn = buildCandidates({ service: 'http', signals: signalsOf(dev({ macVendor: 'Synology Incorporated' })), owner: [] });
    expect(syn.vendorLockout).toEqual({ threshold: 10, scope: 'address', sharedBy: 3 });
    expect(initialPolicy(syn)).toMatchObject({ cautious: true, maxFailures: 3 });
    expect(initialPolicy(syn, ['2 attempts remaining'])).toMatchObject({ cautious: true, maxFailures: 2 });
    // XiongMai documents a lock without a threshold: the plain cautious policy.
    // A vendor that documents a lock without a threshold: the plain cautious policy.
    const file = structuredClone(credentialDb().file);
    const xmFile = file.vendors.find((v) => v.id === 'xiongmai');
    if (xmFile?.lockout === undefined) throw new Error('xiongmai has no lockout in credentials.json');
    delete xmFile.lockout.threshold;
    delete xmFile.lockout.scope;
    const db = compileCredentialDb(file);
    const xm = buildCandidates({ service: 'http', signals: signalsOf(dev({ macVendor: 'Hangzhou Xiongmai Technology Co.,Ltd' })), owner: [], db });
    expect(xm.matched[0]?.vendor.id).toBe('xiongmai');
    expect(xm.vendorLockout).toBeUndefined();
    expect(initialPolicy(xm)).toMatchObject({ cautious: true, maxFailures: 2 });
    // ... and on a camera of unknown brand, that one undocumented brand keeps the plain cap too.
    const cam = dev({ identification: { type: 'camera', confidence: 'medium', sources: ['port'] } });
    expect(buildCandidates({ service: 'http', signals: signalsOf(cam), owner: [], db }).vendorLockout).toBeUndefined();
  });

  it('a device of unknown brand takes the strictest documented lockout of its type\'s brands', () => {
    const nas = dev({ identification: { type: 'nas', confidence: 'medium', sources: ['port'] } });
    // Synology is the NAS brand that locks (10 wrong logins per address, shared by http, ssh and ftp).
    const plan = buildCandidates({ service: 'http', signals: signalsOf(nas), owner: [] });
    expect(plan.vendorLockout).toEqual({ threshold: 10, scope: 'address', sharedBy: 3 });
    expect(initialPolicy(plan)).toMatchObject({ cautious: true, maxFailures: 3, maxFailuresPerAccount: 3 });
    // Cameras: Hikvision's address lock (5, shared by three services) is the strictest.
    const cam = dev({ identification: { type: 'camera', confidence: 'medium', sources: ['port'] } });
    expect(buildCandidates({ service: 'http', signals: signalsOf(cam), owner: [] }).vendorLockout).toEqual({ threshold: 5, scope: 'address', sharedBy: 3 });
  });

  it('puts the type\'s pairs before the vendor-less label templates (admin/{mac6})', () => {
    const cam = dev({ mac: '00:11:22:4d:21:0a', identification: { type: 'camera', confidence: 'medium', sources: ['port'] } });
    const plan = buildCandidates({ service: 'http', signals: signalsOf(cam), owner: [] });
    const mac6 = plan.candidates.findIndex((x) => x.ref === 'generic-mac6');
    expect(mac6).toBeGreaterThan(plan.candidates.findLastIndex((x) => x.origin === 'type'));
    expect(plan.candidates[mac6]?.password).toBe('4D210A');
    // Without a type, the template still comes before the generic list.
    const plain = buildCandidates({ service: 'http', signals: signalsOf(dev({ mac: '00:11:22:4d:21:0a' })), owner: [] });
    expect(plain.candidates[0]).toMatchObject({ origin: 'derived', ref: 'generic-mac6' });
  });

  it('ranks a type\'s pairs by the number of its brands that ship them, counting a brand once', () => {
    const db = credentialDb();
    const brands = ['synology', 'qnap', 'western-digital'].map((id) => db.vendors.find((v) => v.id === id)!);
    const ranked = rankTypePairs(brands, 'http').map((x) => `${x.username}/${x.password}/${x.ref ?? ''}`);
    // Synology lists admin/'' twice (for different services): still one brand; WD's admin/'' makes it two.
    expect(ranked).toEqual(['admin//synology', 'admin/admin/qnap']);
    expect(rankTypePairs(brands, 'ssh').map((x) => `${x.username}/${x.password}`)).toEqual(['admin/', 'admin/admin', 'root/welc0me', 'sshd/welc0me']);
  });

  it('de-duplicates on the password for password-only logins and excludes user names', () => {
    const plan = buildCandidates({ service: 'telnet', signals: signalsOf(dev()), owner: [], passwordOnly: true });
    const pw = plan.candidates.map((x) => x.password);
    expect(new Set(pw).size).toBe(pw.length);
    const ftp = buildCandidates({ service: 'ftp', signals: signalsOf(dev()), owner: [{ username: 'anonymous', password: 'x', source: 'targets.yaml' }], excludeUsernames: ['anonymous', 'ftp'] });
    expect(ftp.candidates.some((x) => x.username === 'anonymous' || x.username === 'ftp')).toBe(false);
  });

  it('owner pairs tied to another service are not tried', () => {
    const creds = [{ username: 'a', password: '1', source: 'targets.yaml' }, { username: 'b', password: '2', source: 'targets.yaml' }, { username: 'c', password: '3', source: 'targets.yaml' }];
    const config = { credentials: [{ service: 'ssh', username: 'a', password: '1' }, { service: 'https', username: 'b', password: '2' }, { username: 'c', password: '3' }] };
    expect(ownerPairs(creds, config, 'http').map((x) => x.username)).toEqual(['b', 'c']);
    expect(ownerPairs(creds, config, 'ssh').map((x) => x.username)).toEqual(['a', 'c']);
  });

  it('random credentials differ and look like nothing a device has', () => {
    const a = randomCredential();
    const b = randomCredential();
    expect(a.username).not.toBe(b.username);
    expect(a.password).not.toBe(b.password);
    expect(a.username).toMatch(/^iotcop[0-9a-f]{8}$/);
    expect(a.password.length).toBeGreaterThanOrEqual(16);
  });
});

describe('runGuesses', () => {
  it('runs the negative control first, then candidates, and stops at the first success', async () => {
    const seen: string[] = [];
    const run = await runGuesses(options((x, step) => { seen.push(`${step}:${x.username}/${x.password}`); return x.password === '1234' ? { kind: 'success' } : { kind: 'failure' }; }));
    // After the success, the confirmation: a wrong password for that user, then the credential again.
    expect(seen).toEqual(['negative-control:iotcoprandom/Qrandom7', 'guess:admin/admin', 'guess:admin/1234', 'confirm-wrong:admin/Qwrong7', 'confirm-again:admin/1234']);
    expect(run.stop).toBe('success');
    expect(run.found?.attempt).toBe(3);
    expect(run.attempts).toBe(5);
    expect(run.confirmations).toBe(2);
    expect(run.confirmation).toEqual({ wrongPassword: 'rejected', again: 'succeeded' });
    expect(run.negativeControl).toBe('rejected');
  });

  it('a negative control that succeeds ends the run: accepts any password', async () => {
    let n = 0;
    const run = await runGuesses(options(() => { n += 1; return { kind: 'success' }; }));
    expect(n).toBe(1);
    expect(run.stop).toBe('accepts-any');
    expect(run.found).toBeUndefined();
  });

  it('never makes more attempts than the budget (negative control included)', async () => {
    let n = 0;
    const many = Array.from({ length: 30 }, (_, i) => c(`u${i}`, `p${i}`));
    const run = await runGuesses(options(() => { n += 1; return { kind: 'failure' }; }, { candidates: many, maxAttempts: 10 }));
    expect(n).toBe(10);
    expect(run.attempts).toBe(10);
    expect(run.stop).toBe('budget');
    const none = await runGuesses(options(() => { n += 1; return { kind: 'failure' }; }, { maxAttempts: 0 }));
    expect(none.stop).toBe('no-budget');
    expect(none.attempts).toBe(0);
  });

  it('stops on a lockout and reports the text', async () => {
    const run = await runGuesses(options((x) => (x.password === '1234' ? { kind: 'lockout', text: 'Too many failed attempts' } : { kind: 'failure' })));
    expect(run.stop).toBe('lockout');
    expect(run.lockoutText).toBe('Too many failed attempts');
    expect(run.attempts).toBe(3);
  });

  it('a cautious policy defers the negative control and keeps wrong logins below CAUTIOUS_MAX_FAILURES', async () => {
    const seen: string[] = [];
    const run = await runGuesses(options((x, step) => { seen.push(`${step}:${x.password}`); return { kind: 'failure' }; }, { policy: lockoutPolicy(['Hikvision locks']) }));
    expect(CAUTIOUS_MAX_FAILURES).toBe(2);
    expect(seen).toEqual(['guess:admin']); // one failure; the second is reserved for the negative control
    expect(run.stop).toBe('lockout-risk');
    expect(run.negativeControl).toBe('not-run');
  });

  it('cautious: after a default works, the negative control decides between "default" and "accepts any"', async () => {
    const seen: string[] = [];
    const ok = await runGuesses(options((x, step) => { seen.push(`${step}:${x.password}`); return x.password === 'admin' ? { kind: 'success' } : { kind: 'failure' }; }, { policy: lockoutPolicy(['locks']) }));
    // The confirm-wrong attempt plays the negative control's part: one wrong login in all.
    expect(seen).toEqual(['guess:admin', 'confirm-wrong:Qwrong7', 'confirm-again:admin']);
    expect(ok.stop).toBe('success');
    expect(ok.negativeControl).toBe('not-run');
    expect(ok.confirmation.wrongPassword).toBe('rejected');
    expect(ok.failures).toBe(1);
    expect(ok.found?.attempt).toBe(1);
    const any = await runGuesses(options(() => ({ kind: 'success' }), { policy: lockoutPolicy(['locks']) }));
    expect(any.stop).toBe('accepts-any');
    expect(any.found).toBeUndefined();
  });

  it('becomes cautious when the device mentions remaining attempts, and stops at 1 remaining', async () => {
    let n = 0;
    const run = await runGuesses(options(() => { n += 1; return { kind: 'failure', hint: '4 attempts remaining' }; }));
    expect(run.policy.cautious).toBe(true);
    expect(n).toBe(2);
    const run2 = await runGuesses(options(() => ({ kind: 'failure', remaining: 1 })));
    expect(run2.stop).toBe('lockout-risk');
    expect(run2.attempts).toBe(1);
  });

  it('limits wrong passwords per user name', async () => {
    const cands = [c('admin', '1'), c('admin', '2'), c('admin', '3'), c('admin', '4'), c('root', '1')];
    const tried: string[] = [];
    const run = await runGuesses(options((x, step) => { if (step === 'guess') tried.push(`${x.username}/${x.password}`); return { kind: 'failure' }; }, { candidates: cands }));
    expect(DEFAULT_MAX_FAILURES_PER_ACCOUNT).toBe(3);
    expect(tried).toEqual(['admin/1', 'admin/2', 'admin/3', 'root/1']);
    expect(run.skippedForAccountCap).toBe(1);
  });

  it('stops after two errors in a row, and treats a refusal mid-run as a block', async () => {
    const run = await runGuesses(options((x, step) => (step === 'guess' ? { kind: 'error', errorKind: 'timeout', message: 't' } : { kind: 'failure' })));
    expect(run.stop).toBe('error');
    expect(run.attempts).toBe(3);
    const run2 = await runGuesses(options((x, step) => (step === 'guess' ? { kind: 'error', errorKind: 'refused', message: 'r' } : { kind: 'failure' })));
    expect(run2.stop).toBe('lockout');
    expect(run2.attempts).toBe(2);
    const thrown = await runGuesses(options(() => { throw new Error('boom'); }));
    expect(thrown.stop).toBe('error');
    expect(thrown.errors[0]?.message).toBe('boom');
  });

  it('an error or "unsupported" on the negative control stops before any guess', async () => {
    const e = await runGuesses(options(() => ({ kind: 'error', errorKind: 'refused', message: 'refused' })));
    expect([e.stop, e.attempts, e.negativeControl]).toEqual(['error', 1, 'error']);
    const u = await runGuesses(options(() => ({ kind: 'unsupported', reason: 'keys only' })));
    expect([u.stop, u.unsupported]).toEqual(['unsupported', 'keys only']);
  });

  it('starts no attempt that cannot finish before the deadline', async () => {
    let t = 0;
    const run = await runGuesses(options(() => { t += 100; return { kind: 'failure' }; }, { now: () => t, deadlineAt: 250, attemptMs: 100 }));
    expect(run.stop).toBe('deadline');
    expect(run.attempts).toBe(2);
  });

  it('replans after the negative control (candidates learnt on the first connection)', async () => {
    const seen: string[] = [];
    const run = await runGuesses(options((x, step) => { seen.push(`${step}:${x.password}`); return { kind: 'failure' }; }, {
      candidates: [c('x', 'old')],
      replan: () => ({ candidates: [c('y', 'new')], policy: lockoutPolicy(['vendor locks']) }),
    }));
    expect(seen).toEqual(['negative-control:Qrandom7', 'guess:new']);
    expect(run.policy.cautious).toBe(true);
  });

  it("waits for the device's attempt slot before every attempt, the negative control included", async () => {
    const order: string[] = [];
    await runGuesses({
      ...options(() => ({ kind: 'failure' }), { pace: async () => { order.push('pace'); } }),
      attempt: async (x, step) => { order.push(step); return { kind: 'failure' }; },
    });
    expect(order).toEqual(['pace', 'negative-control', 'pace', 'guess', 'pace', 'guess', 'pace', 'guess', 'pace', 'guess']);
  });
});

describe('runGuesses: confirmation and allowances', () => {
  it('fail-open: wrong logins rejected, then anything accepted — unreliable, never a credential', async () => {
    let n = 0;
    // Rejects the first 3 logins, then lets anything in (a backend that times out to "allow").
    const run = await runGuesses(options(() => { n += 1; return n > 3 ? { kind: 'success' } : { kind: 'failure' }; }));
    expect(run.stop).toBe('unreliable');
    expect(run.found).toBeUndefined();
    expect(run.unconfirmed).toEqual({ attempt: 4, username: 'root' });
    expect(run.confirmation.wrongPassword).toBe('accepted');
    expect(run.attempts).toBe(5);
  });

  it('a credential that does not log in a second time is unreliable', async () => {
    const run = await runGuesses(options((x, step) => (x.password === '1234' && step === 'guess' ? { kind: 'success' } : { kind: 'failure' })));
    expect(run.stop).toBe('unreliable');
    expect(run.found).toBeUndefined();
    expect(run.confirmation).toEqual({ wrongPassword: 'rejected', again: 'failed' });
  });

  it('the confirmation is outside the guess budget: a success on the last guess is still confirmed', async () => {
    const seen: string[] = [];
    const run = await runGuesses(options((x, step) => { seen.push(step); return x.password === '1234' ? { kind: 'success' } : { kind: 'failure' }; }, { maxAttempts: 3 }));
    expect(seen).toEqual(['negative-control', 'guess', 'guess', 'confirm-wrong', 'confirm-again']);
    expect(run.stop).toBe('success');
    expect(run.attempts - run.confirmations).toBe(3);
  });

  it('no time left for the confirmation: reported, but not as verified', async () => {
    let t = 0;
    const run = await runGuesses(options((x) => { t += 10; return x.password === 'admin' ? { kind: 'success' } : { kind: 'failure' }; }, { now: () => t, deadlineAt: 20, attemptMs: 5 }));
    expect(run.stop).toBe('success');
    expect(run.confirmation).toEqual({ wrongPassword: 'not-run', again: 'not-run' });
    const ev = guessEvidence(run, { candidates: [], matched: [], lockoutReasons: [] }, 10);
    const [d] = assessGuesses(ev, { defaultCheck: 'd', label: 'X', anyTitle: 'any', cleartext: false });
    expect(d).toMatchObject({ status: 'fail', confidence: 'medium' });
    expect(d?.detail).toMatch(/could not be completed/);
  });

  it("the owner's allowance replaces the per-account cap and the cautious total", async () => {
    const cands = [c('admin', '1'), c('admin', '2'), c('admin', '3'), c('admin', '4'), c('admin', '5')];
    const tried: string[] = [];
    const run = await runGuesses(options((x, step) => { if (step === 'guess') tried.push(x.password); return { kind: 'failure' }; }, { candidates: cands, maxFailuresPerAccount: 5 }));
    // 5 wrong passwords for "admin" allowed (the default is 3); the negative control uses a random user name.
    expect(tried).toEqual(['1', '2', '3', '4', '5']);
    expect(run.skippedForAccountCap).toBe(0);
    expect(run.stop).toBe('exhausted');
    const cautious = await runGuesses(options(() => ({ kind: 'failure' }), { candidates: cands, policy: lockoutPolicy(['locks']), maxFailuresPerAccount: 4 }));
    expect(cautious.policy.maxFailures).toBe(4);
    expect(cautious.failures).toBe(3); // one of the 4 stays reserved for the confirm-wrong attempt
  });
});

describe('evidence and assessment', () => {
  const plan: CandidatePlan = { candidates: [c('admin', 'admin', 'vendor')], matched: [], lockoutReasons: [] };
  const base = (over: Partial<GuessRun>): GuessRun => ({
    attempts: 2, confirmations: 0, failures: 1, candidatesTried: 1, usernamesTried: ['iotcoprandom', 'admin'], negativeControl: 'rejected',
    stop: 'exhausted', errors: [], skippedForAccountCap: 0, policy: lockoutPolicy([]),
    confirmation: { wrongPassword: 'not-run', again: 'not-run' }, ...over,
  });
  const labels = { defaultCheck: 'x-default-credentials', anyCheck: 'x-accepts-any-password', label: 'X', anyTitle: 'X accepts any', cleartext: true };

  it('a success fails the default check with the credential, and the password is only in `credential`', () => {
    const ev = guessEvidence(base({ stop: 'success', found: { attempt: 2, candidate: c('admin', 's3cr3t-pass', 'vendor') } }), plan, 10);
    const rs = assessGuesses(ev, labels);
    const d = rs.find((r) => r.check === 'x-default-credentials')!;
    expect(d.status).toBe('fail');
    expect(d.credential).toEqual({ username: 'admin', password: 's3cr3t-pass' });
    expect(JSON.stringify(d.evidence)).not.toContain('s3cr3t-pass');
    expect(d.detail).not.toContain('s3cr3t-pass');
    expect(rs.find((r) => r.check === 'x-accepts-any-password')?.status).toBe('pass');
    expect(JSON.stringify(publicEvidence(ev))).not.toContain('s3cr3t-pass');
  });

  it('accepts-any fails its own check and never claims a default credential', () => {
    const rs = assessGuesses(guessEvidence(base({ stop: 'accepts-any', negativeControl: 'accepted', candidatesTried: 0, attempts: 1 }), plan, 10), labels);
    expect(rs.map((r) => [r.check, r.status])).toEqual([['x-accepts-any-password', 'fail'], ['x-default-credentials', 'not_applicable']]);
    expect(rs.some((r) => r.credential)).toBe(false);
    const single = assessGuesses(guessEvidence(base({ stop: 'accepts-any', negativeControl: 'accepted' }), plan, 10), { ...labels, anyCheck: undefined, anySeverity: 'high' as const });
    expect(single).toEqual([expect.objectContaining({ check: 'x-default-credentials', status: 'fail', title: 'X accepts any', severity: 'high' })]);
  });

  it('nothing worked: pass with medium confidence; nothing tried: not_tested; errors: error', () => {
    expect(assessGuesses(guessEvidence(base({}), plan, 10), labels)[0]).toMatchObject({ status: 'pass', confidence: 'medium' });
    expect(assessGuesses(guessEvidence(base({ stop: 'no-budget', attempts: 0, candidatesTried: 0, negativeControl: 'not-run' }), plan, 0), labels)[0]?.status).toBe('not_tested');
    const err = assessGuesses(guessEvidence(base({ stop: 'error', candidatesTried: 0, failures: 0, negativeControl: 'error', errors: [{ kind: 'timeout', message: 'slow' }] }), plan, 10), labels);
    expect(err.map((r) => r.status)).toEqual(['error', 'error']);
    expect(err[0]?.error).toEqual({ kind: 'timeout', message: 'slow' });
  });

  it('a lockout is reported as partly checked (not pass, not fail) with the text', () => {
    const rs = assessGuesses(guessEvidence(base({ stop: 'lockout', lockoutText: 'Account locked for 60 seconds' }), plan, 10), labels);
    expect(rs[0]).toMatchObject({ status: 'partial', confidence: 'low' });
    expect(rs[0]?.detail).toContain('Account locked');
  });

  it('coverage: nothing worked but candidates were skipped or not reached — partly checked, never pass', () => {
    const five: CandidatePlan = { candidates: [c('admin', '1'), c('admin', '2'), c('admin', '3'), c('admin', '4'), c('root', 'x')], matched: [], lockoutReasons: [] };
    const capped = guessEvidence(base({ candidatesPlanned: 5, candidatesTried: 4, skippedForAccountCap: 1, failures: 5 }), five, 10);
    const [d, any] = assessGuesses(capped, labels);
    expect(d).toMatchObject({ status: 'partial', title: 'Default-credential check only partly done' });
    expect(d?.detail).toMatch(/tried 4 of 5 planned candidates; 1 skipped to avoid locking an account/);
    expect(d?.detail).toMatch(/maxFailuresPerAccount/);
    expect(any?.status).toBe('pass');
    const budget = guessEvidence(base({ candidatesPlanned: 5, candidatesTried: 2, stop: 'budget' }), five, 3);
    expect(budget.candidatesNotReached).toBe(3);
    const [b] = assessGuesses(budget, labels);
    expect(b?.status).toBe('partial');
    expect(b?.detail).toMatch(/3 not reached because the guess budget was used up/);
    expect(b?.detail).toMatch(/--max-guesses 6/);
    const all = guessEvidence(base({ candidatesPlanned: 5, candidatesTried: 5 }), five, 10);
    expect(assessGuesses(all, labels)[0]?.status).toBe('pass');
  });

  it('unreliable: a fail-open login fails "accepts any", a flaky one is not_tested; neither carries a credential', () => {
    const open = guessEvidence(base({ stop: 'unreliable', unconfirmed: { attempt: 4, username: 'root' }, confirmation: { wrongPassword: 'accepted', again: 'not-run' } }), plan, 10);
    const rs = assessGuesses(open, labels);
    expect(rs.map((r) => [r.check, r.status])).toEqual([['x-accepts-any-password', 'fail'], ['x-default-credentials', 'not_applicable']]);
    expect(rs[0]?.detail).toMatch(/fails open/);
    const flaky = guessEvidence(base({ stop: 'unreliable', unconfirmed: { attempt: 2, username: 'admin' }, confirmation: { wrongPassword: 'rejected', again: 'failed' } }), plan, 10);
    const fr = assessGuesses(flaky, labels);
    expect(fr[0]).toMatchObject({ check: 'x-default-credentials', status: 'not_tested', title: 'Authentication unreliable: a login worked once but not again' });
    expect([...rs, ...fr].some((r) => r.credential)).toBe(false);
  });

  it('no password login at all: the probe decides pass or not_applicable', () => {
    const ev = guessEvidence(base({ stop: 'unsupported', negativeControl: 'unsupported', unsupported: 'publickey only', candidatesTried: 0 }), plan, 10);
    expect(assessGuesses(ev, { ...labels, unsupportedStatus: 'pass' }).map((r) => r.status)).toEqual(['pass', 'pass']);
    expect(assessGuesses(ev, labels).map((r) => r.status)).toEqual(['not_applicable', 'not_applicable']);
  });
});

describe('parallel guesses (issue 18: where the failure delay dominates)', () => {
  /** An attempt function that records how many attempts were in flight at once. */
  function tracked(answer: (x: Candidate, step: string) => AttemptOutcome) {
    let now = 0;
    let peak = 0;
    const order: string[] = [];
    const attempt = async (x: Candidate, step: string): Promise<AttemptOutcome> => {
      now += 1;
      peak = Math.max(peak, now);
      order.push(`${step}:${x.username}:${x.password}`);
      await new Promise((r) => setTimeout(r, 5));
      now -= 1;
      return answer(x, step);
    };
    return { attempt, peak: () => peak, order };
  }
  const fail = (): AttemptOutcome => ({ kind: 'failure' });

  it('sends two at a time, the negative control with the first candidate, within the budget, and stops at the first success in order', async () => {
    const t = tracked((x) => (x.password === 'root' ? { kind: 'success' } : fail()));
    const run = await runGuesses({ ...options(() => fail(), { parallel: 2 }), attempt: t.attempt });
    expect(t.peak()).toBe(2);
    expect(t.order.slice(0, 2)).toEqual(['negative-control:iotcoprandom:Qrandom7', 'guess:admin:admin']);
    expect(run.stop).toBe('success');
    expect(run.found).toMatchObject({ attempt: 4, candidate: { username: 'root', password: 'root' } });
    // control + admin:admin, admin:1234 + root:root, then the confirmation pair
    expect(run.candidatesTried).toBe(3);
    expect(run.attempts).toBe(6);
    expect(run.confirmation).toEqual({ wrongPassword: 'rejected', again: 'succeeded' });
  });

  it('a control that logs in decides: the candidate sent with it is only counted as tried', async () => {
    const t = tracked(() => ({ kind: 'success' }));
    const run = await runGuesses({ ...options(() => fail(), { parallel: 2 }), attempt: t.attempt });
    expect(run.stop).toBe('accepts-any');
    expect(run.negativeControl).toBe('accepted');
    expect(run.found).toBeUndefined();
    expect(run.candidatesTried).toBe(1);
    expect(run.attempts).toBe(2);
  });

  it('keeps the negative control alone first when the probe re-plans from its answer', async () => {
    const t = tracked(() => fail());
    await runGuesses({ ...options(() => fail(), { parallel: 2, replan: () => ({ candidates: [c('root', 'r'), c('user', 'u')], policy: lockoutPolicy([]) }) }), attempt: t.attempt });
    expect(t.order).toEqual(['negative-control:iotcoprandom:Qrandom7', 'guess:root:r', 'guess:user:u']);
  });

  it('a lockout in a wave stops the run; the rest of the wave counts as tried', async () => {
    const t = tracked((x) => (x.password === '1234' ? { kind: 'lockout', text: 'locked' } : fail()));
    const run = await runGuesses({ ...options(() => fail(), { parallel: 2 }), attempt: t.attempt });
    expect(run.stop).toBe('lockout');
    // control + admin:admin, then admin:1234 (lockout) + root:root
    expect(run.candidatesTried).toBe(3);
    expect(run.attempts).toBe(4);
  });

  it('never exceeds the guess budget or an account cap, and stays one at a time on a service that looks like it locks', async () => {
    const t = tracked(() => fail());
    const run = await runGuesses({ ...options(() => fail(), { parallel: 2, maxAttempts: 4 }), attempt: t.attempt });
    expect(run.attempts).toBe(4);
    expect(run.stop).toBe('budget');
    const capped = tracked(() => fail());
    const r2 = await runGuesses({ ...options(() => fail(), { parallel: 2, maxFailuresPerAccount: 1, candidates: [c('admin', 'a'), c('admin', 'b'), c('root', 'r')] }), attempt: capped.attempt });
    expect(capped.order.filter((o) => o.startsWith('guess:admin'))).toHaveLength(1);
    expect(r2.skippedForAccountCap).toBe(1);
    const cautious = tracked(() => fail());
    await runGuesses({ ...options(() => fail(), { parallel: 2, policy: lockoutPolicy(['the account locks after 5 wrong passwords']) }), attempt: cautious.attempt });
    expect(cautious.peak()).toBe(1);
  });
});
