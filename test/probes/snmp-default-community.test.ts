import { jest } from '@jest/globals';
import probe, { assessSnmpCommunity, communityCandidates, type SnmpCommunityEvidence } from '../../src/probes/snmp-default-community.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device } from './helpers/credential-context.js';
import { fakeSnmpAgent as agent } from './helpers/fake-snmp.js';
import type { Service } from '../../src/report/model.js';

jest.setTimeout(30_000);

async function scan(o: Parameters<typeof agent>[0], maxGuesses = 10) {
  const a = await agent(o);
  const service: Service = { port: a.port, transport: 'udp', state: 'open', name: 'snmp' };
  const dev = device([service]);
  const t = credContext({ service, device: dev, maxGuesses });
  try {
    const ev = await probe.collect(t.ctx);
    return { ev, results: probe.assess(ev, assessInput(dev, service)), a };
  } finally {
    await a.close();
  }
}

describe('snmp-default-community collect (fake agent)', () => {
  it('finds "public" with SNMPv2c after a random community got no answer, and reads sysDescr/sysName', async () => {
    const { ev, results, a } = await scan({ communities: ['public'] });
    expect(results[0]).toMatchObject({ check: 'snmp-default-community', status: 'fail', credential: { username: '', password: 'public' } });
    expect(ev.version).toBe('2c');
    expect(ev.sysDescr).toBe('HP LaserJet Pro M404dn');
    expect(ev.sysName).toBe('NPI7A3B2C');
    // Random community, "public", then the confirmation: another random community, "public" again.
    expect(a.requests.map((r) => r.community === 'public')).toEqual([false, true, false, true]);
    expect(JSON.stringify(results[0]?.evidence)).not.toContain('"public"');
  });

  it('falls back to SNMPv1 for a v1-only agent', async () => {
    const { ev, a } = await scan({ communities: ['public'], v1Only: true });
    expect(ev.version).toBe('1');
    // version field: 1 = SNMPv2c, 0 = SNMPv1
    expect(a.requests.map((r) => `${r.version}:${r.community === 'public' ? 'public' : 'random'}`)).toEqual(['1:random', '1:public', '0:public', '0:random', '0:public']);
  });

  it('an agent that answers any community is reported as such, without a credential', async () => {
    const { results, a } = await scan({ acceptAny: true });
    expect(results[0]).toMatchObject({ status: 'fail', title: 'SNMP agent answers any community string' });
    expect(results[0]?.credential).toBeUndefined();
    expect(a.requests).toHaveLength(1);
  });

  it('an agent that is there (answers SNMPv3 discovery) and ignores every community: pass, every community tried', async () => {
    const { results, a, ev } = await scan({ communities: ['long-random-community'], v3: true });
    expect(ev.agent).toEqual({ v3: 'answered', engineId: '80001f8880aabbccdd', error: null });
    expect(results[0]?.status).toBe('pass');
    expect(results[0]?.detail).toMatch(/SNMPv3 discovery/);
    // 6 communities × (v2c, v1) and the negative control: one guess per community, so within 2 × --max-guesses.
    expect(a.requests).toHaveLength(13);
    expect(ev.attempts).toBe(13);
  });

  it('nothing answers at all (open|filtered port): not_tested "no answer", never pass, within the budget', async () => {
    const { results, a, ev } = await scan({ communities: ['long-random-community'] }, 2);
    expect(ev.agent.v3).toBe('silent');
    expect(results[0]).toMatchObject({ status: 'not_tested', title: 'No SNMP agent answered' });
    expect(a.requests).toHaveLength(4);
    expect(ev.attempts).toBe(4);
  });
});

describe('snmp-default-community helpers and assess', () => {
  it('tries each community with v2c then v1, owner communities first', () => {
    const cs = communityCandidates([{ password: 'mine' }]);
    expect(cs.slice(0, 4).map((c) => `${c.password}/${c.ref}`)).toEqual(['mine/v2c', 'mine/v1', 'public/v2c', 'public/v1']);
    expect(cs.every((c) => c.username === '')).toBe(true);
  });
  it('maps onto guidelines 1, 5 and 6', () => {
    expect(probe.meta.checks['snmp-default-community']?.guidelines).toEqual(['uk-cop-1', 'uk-cop-5', 'uk-cop-6']);
  });
  it('not tested when the budget is 0', () => {
    const ev: SnmpCommunityEvidence = {
      maxGuesses: 0, attempts: 0, failures: 0, candidatesPlanned: 12, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: [],
      negativeControl: 'not-run', stop: 'no-budget', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
      unsupported: null, skippedForAccountCap: 0, errors: [], found: null,
      port: 161, version: null, sysDescr: null, sysName: null, requests: { v2c: 0, v1: 0 }, agent: { v3: 'silent', engineId: null, error: null },
    };
    expect(assessSnmpCommunity(ev)[0]?.status).toBe('not_tested');
  });
});
