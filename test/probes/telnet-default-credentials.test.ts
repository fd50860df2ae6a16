import probe, { assessTelnet, type TelnetEvidence } from '../../src/probes/telnet-default-credentials.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device, tcp } from './helpers/credential-context.js';
import { fakeTelnet, type FakeTelnetOptions } from './helpers/fake-telnet.js';

import { jest } from '@jest/globals';

jest.setTimeout(30_000);

async function scan(opts: FakeTelnetOptions, extra: { macVendor?: string; maxGuesses?: number } = {}) {
  const srv = await fakeTelnet(opts);
  const service = tcp(srv.port, 'telnet');
  const dev = device([service], extra.macVendor ? { macVendor: extra.macVendor } : {});
  const t = credContext({ service, device: dev, ...(extra.maxGuesses !== undefined ? { maxGuesses: extra.maxGuesses } : {}) });
  try {
    const ev = await probe.collect(t.ctx);
    const results = probe.assess(ev, assessInput(dev, service));
    return { ev, results, srv, connections: t.connections.length };
  } finally {
    await srv.close();
  }
}

const byCheck = <T extends { check: string }>(rs: T[], id: string): T | undefined => rs.find((r) => r.check === id);

describe('telnet-default-credentials collect (fake Telnet service)', () => {
  it('finds the vendor default after a rejected negative control, with one attempt per connection', async () => {
    const { ev, results, srv, connections } = await scan({ accounts: { root: 'vizxv' }, banner: 'IPC-HFW4431R-Z\r\n' }, { macVendor: 'Zhejiang Dahua Technology Co., Ltd.' });
    const d = byCheck(results, 'telnet-default-credentials');
    expect(d?.status).toBe('fail');
    expect(d?.credential).toEqual({ username: 'root', password: 'vizxv' });
    expect(byCheck(results, 'telnet-accepts-any-password')?.status).toBe('pass');
    expect(byCheck(results, 'telnet-no-authentication')?.status).toBe('pass');
    expect(ev.negativeControl).toBe('rejected');
    // A look at the first screen (nothing typed) ranks the Dahua default first; the negative control and
    // the default go together (two at once, GUESS_PARALLEL); then the confirmation on new connections, also
    // together: a wrong password for root, the default again.
    expect(ev.attempts).toBe(4);
    expect(ev.confirmations).toBe(2);
    const outcomes = srv.attempts.map((a) => a.outcome);
    expect([...outcomes.slice(0, 2)].sort()).toEqual(['failure', 'shell']);
    expect([...outcomes.slice(2)].sort()).toEqual(['failure', 'shell']);
    expect(srv.connections).toBe(5);
    expect(connections).toBe(5);
    expect(ev.banner).toContain('IPC-HFW4431R-Z');
    expect(JSON.stringify(d?.evidence)).not.toContain('vizxv');
  });

  it('reports "accepts any password", never a default credential, when the random login works', async () => {
    const { results, srv } = await scan({ acceptAny: true });
    expect(byCheck(results, 'telnet-accepts-any-password')?.status).toBe('fail');
    expect(byCheck(results, 'telnet-default-credentials')?.status).toBe('not_applicable');
    expect(results.some((r) => r.credential)).toBe(false);
    // the control and the first candidate went together; the control decided
    expect(srv.attempts).toHaveLength(2);
  });

  it('reports a shell with no login at all as telnet-no-authentication', async () => {
    const { results, ev, srv } = await scan({ mode: 'no-auth', prompt: '~ # ' });
    expect(byCheck(results, 'telnet-no-authentication')?.status).toBe('fail');
    expect(byCheck(results, 'telnet-default-credentials')?.status).toBe('not_applicable');
    expect(byCheck(results, 'telnet-accepts-any-password')?.status).toBe('not_applicable');
    expect(ev.shellPrompt).toBe('~ #');
    // the look at the first screen saw no login prompt: the control then ran alone, and nothing else
    expect(srv.connections).toBe(2);
  });

  it('a "#" that appears after the password but never answers is not a login (false success)', async () => {
    const { results, ev } = await scan({ acceptAny: true, deadShell: true }, { maxGuesses: 3 });
    expect(byCheck(results, 'telnet-accepts-any-password')?.status).toBe('pass');
    // Nothing logged in, and a budget of 3 leaves candidates untried: partly checked.
    expect(byCheck(results, 'telnet-default-credentials')?.status).toBe('partial');
    expect(ev.unconfirmedShells).toBe(3);
  });

  it('a banner full of # and > before the login prompt is not a shell', async () => {
    const { results, ev } = await scan({ banner: '##########\r\n# DVR #\r\nVersion 1.0 >\r\n', accounts: { admin: 'x-not-in-lists' } }, { maxGuesses: 2 });
    expect(ev.firstScreen).toBe('login-prompt');
    expect(byCheck(results, 'telnet-no-authentication')?.status).toBe('pass');
    expect(byCheck(results, 'telnet-default-credentials')?.status).toBe('partial'); // budget 2: not a login, not all tried
  });

  it('handles password-only prompts: only passwords are typed, and the credential has no user name', async () => {
    const { results, ev, srv } = await scan({ mode: 'password-only', accounts: { any: 'xc3511' } }, { maxGuesses: 5 });
    const d = byCheck(results, 'telnet-default-credentials');
    expect(ev.mode).toBe('password-only');
    expect(d?.status).toBe('fail');
    expect(d?.credential).toEqual({ username: '', password: 'xc3511' });
    expect(ev.usernamesTried).toEqual([]);
    expect(srv.attempts.at(-1)?.outcome).toBe('shell');
  });

  it('stops on a lockout message and reports it', async () => {
    const { results, ev, srv } = await scan({ accounts: { admin: 'x-not-in-lists' }, lockAfter: 2 });
    expect(ev.stop).toBe('lockout');
    expect(ev.lockoutText).toMatch(/too many/i);
    expect(srv.attempts.filter((a) => a.outcome === 'failure')).toHaveLength(2);
    expect(byCheck(results, 'telnet-default-credentials')?.status).toBe('partial');
  });

  it('never makes more login attempts than the budget', async () => {
    const { ev, srv } = await scan({ accounts: { nobody: 'x-not-in-lists' }, hangupOnFailure: true }, { maxGuesses: 4 });
    expect(ev.attempts).toBe(4);
    expect(srv.attempts).toHaveLength(4);
    expect(srv.connections).toBe(5); // and the first look, where nothing was typed
  });

  it('a port that answers with nothing is an error, never a pass', async () => {
    const { results } = await scan({ mode: 'login', banner: '', hostname: '' , failureText: '' , prompt: '', lockAfter: 0, lockText: ' ' });
    expect(byCheck(results, 'telnet-default-credentials')?.status).toBe('error');
  });
});

describe('telnet-default-credentials assess (hand-built evidence)', () => {
  const base: TelnetEvidence = {
    maxGuesses: 10, attempts: 3, failures: 2, candidatesPlanned: 70, candidatesTried: 2, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: ['iotcopx', 'root'],
    negativeControl: 'rejected', stop: 'exhausted', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
    unsupported: null, skippedForAccountCap: 0, errors: [], found: null,
    port: 23, firstScreen: 'login-prompt', mode: 'login-password', noAuthentication: false, shellPrompt: null, banner: null, unconfirmedShells: 0,
  };

  it('every check is answered for every outcome', () => {
    const outcomes: Partial<TelnetEvidence>[] = [
      {},
      { stop: 'success', found: { username: 'root', password: 'xc3511', origin: 'mirai', source: 'Mirai', ref: null, attempt: 3 } },
      { stop: 'accepts-any', negativeControl: 'accepted', candidatesTried: 0 },
      { noAuthentication: true, stop: 'accepts-any', negativeControl: 'accepted', firstScreen: 'shell-prompt', shellPrompt: '#' },
      { stop: 'lockout', lockoutText: 'Too many failures' },
      { stop: 'error', candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, negativeControl: 'error', firstScreen: 'none', errors: [{ kind: 'refused', message: 'refused' }] },
      { stop: 'no-budget', attempts: 0, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, negativeControl: 'not-run', firstScreen: 'none' },
    ];
    for (const o of outcomes) {
      const rs = assessTelnet({ ...base, ...o });
      expect(rs.map((r) => r.check).sort()).toEqual(['telnet-accepts-any-password', 'telnet-default-credentials', 'telnet-no-authentication']);
    }
  });

  it('success: critical default with the credential; the password stays out of evidence and detail', () => {
    const rs = assessTelnet({ ...base, stop: 'success', found: { username: 'root', password: 'xc3511', origin: 'mirai', source: 'Mirai', ref: null, attempt: 3 } });
    const d = rs.find((r) => r.check === 'telnet-default-credentials')!;
    expect(d.status).toBe('fail');
    expect(d.credential).toEqual({ username: 'root', password: 'xc3511' });
    expect(JSON.stringify(d.evidence) + (d.detail ?? '')).not.toContain('xc3511');
    expect(d.detail).toContain('cleartext');
  });

  it('a connection error before any prompt is an error for all checks', () => {
    const rs = assessTelnet({ ...base, stop: 'error', attempts: 1, failures: 0, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, negativeControl: 'error', firstScreen: 'none', errors: [{ kind: 'refused', message: 'refused' }] });
    expect(rs.map((r) => r.status)).toEqual(['error', 'error', 'error']);
  });

  it('meta: critical checks on guidelines 1 and 5 with provisions 5.1-1/5.1-2', () => {
    const c = probe.meta.checks['telnet-default-credentials']!;
    expect(c.severity).toBe('critical');
    expect(c.guidelines).toEqual(['uk-cop-1', 'uk-cop-5']);
    expect(c.provisions).toEqual(expect.arrayContaining(['5.1-1', '5.1-2']));
    expect(probe.meta.safety).toBe('credentials');
  });
});
