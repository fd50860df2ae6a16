import dgram from 'node:dgram';
import { freeUdpPort } from '../net/helpers.js';
import probe, { assessSnmp, varbindText, type SnmpEvidence } from '../../src/probes/snmp-disclosure.js';
import { assessInput, makeContext, makeDevice, udpService } from './helpers/exposure-context.js';

function evidence(over: Partial<SnmpEvidence> = {}): SnmpEvidence {
  return {
    port: 161, answered: true, version: '2c',
    values: { sysDescr: null, sysObjectID: null, sysName: null, sysLocation: null, sysContact: null },
    attempts: [{ version: '2c', outcome: 'answered', message: null }], error: null, agent: null, ...over,
  };
}

describe('snmp-disclosure assess', () => {
  it('warns when the default community gives out system data, naming what was disclosed', () => {
    const r = assessSnmp(evidence({
      values: {
        sysDescr: 'HP LaserJet Pro M404dn; JETDIRECT,JD153', sysObjectID: '1.3.6.1.4.1.11.2.3.9.1', sysName: 'NPI7A3B2C',
        sysLocation: 'Office 2nd floor', sysContact: 'it-helpdesk@office.example',
      },
    }));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ check: 'snmp-information-disclosure', status: 'warn' });
    expect(r[0]!.detail).toContain('HP LaserJet Pro M404dn');
    expect(r[0]!.detail).toMatch(/where the device is/);
    expect(r[0]!.detail).not.toContain('public');
  });

  it('warns for a description alone, without the location wording', () => {
    const r = assessSnmp(evidence({ values: { sysDescr: 'Linux cam 3.10', sysObjectID: null, sysName: null, sysLocation: null, sysContact: null } }));
    expect(r[0]!.status).toBe('warn');
    expect(r[0]!.detail).not.toMatch(/where the device is/);
  });

  it('passes when the agent answers without system data, or is there (SNMPv3) but ignores "public"; silence is not_tested', () => {
    expect(assessSnmp(evidence())[0]!.status).toBe('pass');
    const timeouts = { answered: false, version: null, attempts: [{ version: '2c' as const, outcome: 'timeout' as const, message: null }, { version: '1' as const, outcome: 'timeout' as const, message: null }] };
    const present = assessSnmp(evidence({ ...timeouts, agent: { v3: 'answered', engineId: '80001f8880', error: null } }));
    expect(present[0]).toMatchObject({ status: 'pass', confidence: 'medium' });
    expect(present[0]!.detail).toMatch(/SNMPv3 discovery/);
    const silent = assessSnmp(evidence({ ...timeouts, agent: { v3: 'silent', engineId: null, error: null } }));
    expect(silent[0]).toMatchObject({ status: 'not_tested' });
    expect(silent[0]!.detail).toMatch(/Nothing answered on port 161\/udp/);
  });

  it('reports an error when no attempt could be made', () => {
    const r = assessSnmp(evidence({ answered: false, version: null, attempts: [], error: { kind: 'budget-exceeded', message: 'budget' } }));
    expect(r[0]).toMatchObject({ status: 'error', error: { kind: 'budget-exceeded' } });
    const aborted = assessSnmp(evidence({
      answered: false, version: null, attempts: [{ version: '2c', outcome: 'error', message: 'aborted' }], error: { kind: 'aborted', message: 'aborted' },
    }));
    expect(aborted[0]!.status).toBe('error');
  });

  it('decodes and caps varbind values', () => {
    expect(varbindText(Buffer.from('HP\u0000'))).toBe('HP');
    expect(varbindText(Buffer.from([0x48, 0xe9]))).toBe('Hé');
    expect(varbindText(Buffer.alloc(5000, 0x41))!.length).toBe(300);
    expect(varbindText('1.3.6.1.4.1.11')).toBe('1.3.6.1.4.1.11');
    expect(varbindText(Buffer.alloc(0))).toBeNull();
    expect(varbindText(undefined)).toBeNull();
  });
});

// --- a real SNMP agent (net-snmp's own) on 127.0.0.1, optionally behind a relay that drops SNMPv2c -----

type Agent = { close(): void };
/** The part of net-snmp's agent API the fake uses (the package ships no type declarations). */
interface NetSnmpAgentApi {
  MibProviderType: { Scalar: unknown };
  ObjectType: { OctetString: unknown };
  MaxAccess: Record<string, unknown>;
  createAgent(options: Record<string, unknown>, cb: () => void): Agent & {
    getAuthorizer(): { addCommunity(c: string): void };
    getMib(): { registerProvider(p: Record<string, unknown>): void; setScalarValue(n: string, v: string): void };
  };
}
const NET_SNMP = 'net-snmp';
let snmp: NetSnmpAgentApi;
beforeAll(async () => {
  snmp = ((await import(NET_SNMP)) as { default: NetSnmpAgentApi }).default;
});

async function startAgent(values: Record<string, string>, community = 'public'): Promise<{ port: number; agent: Agent }> {
  const port = await freeUdpPort();
  const agent = snmp.createAgent({ port, address: '127.0.0.1' }, () => undefined);
  agent.getAuthorizer().addCommunity(community);
  const oids: Record<string, string> = { sysDescr: '1.3.6.1.2.1.1.1', sysContact: '1.3.6.1.2.1.1.4', sysName: '1.3.6.1.2.1.1.5', sysLocation: '1.3.6.1.2.1.1.6' };
  for (const [name, value] of Object.entries(values)) {
    agent.getMib().registerProvider({ name, type: snmp.MibProviderType.Scalar, oid: oids[name], scalarType: snmp.ObjectType.OctetString, maxAccess: snmp.MaxAccess['read-only'] });
    agent.getMib().setScalarValue(name, value);
  }
  await new Promise((r) => setTimeout(r, 50));
  return { port, agent };
}

/** Forwards only SNMPv1 requests (version byte 0) to the agent: a v1-only device. */
async function v1OnlyRelay(agentPort: number): Promise<{ port: number; close(): void; seen: number[] }> {
  const front = dgram.createSocket('udp4');
  const seen: number[] = [];
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve));
  front.on('message', (msg, rinfo) => {
    const version = msg[4] ?? -1;
    seen.push(version);
    if (version !== 0) return;
    const back = dgram.createSocket('udp4');
    back.on('message', (reply) => { front.send(reply, rinfo.port, rinfo.address); back.close(); });
    back.send(msg, agentPort, '127.0.0.1');
  });
  return { port: front.address().port, seen, close: () => front.close() };
}

describe('snmp-disclosure collect (net-snmp agent on 127.0.0.1)', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => { while (cleanups.length) cleanups.pop()!(); });

  it('reads the system group with SNMPv2c in one slot', async () => {
    const { port, agent } = await startAgent({ sysDescr: 'HP LaserJet Pro M404dn', sysName: 'NPI7A3B2C', sysLocation: 'Office', sysContact: 'it@office.example' });
    cleanups.push(() => agent.close());
    const service = udpService(port, 'snmp');
    const t = makeContext({ service, maxConnections: probe.meta.budget.maxConnections });
    const ev = await probe.collect(t.ctx);
    expect(ev).toMatchObject({ answered: true, version: '2c' });
    expect(ev.values).toMatchObject({ sysDescr: 'HP LaserJet Pro M404dn', sysName: 'NPI7A3B2C', sysLocation: 'Office', sysContact: 'it@office.example' });
    expect(t.budget.used).toBe(1);
    const r = probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service));
    expect(r[0]!.status).toBe('warn');
  }, 10_000);

  it('falls back to SNMPv1 when v2c gets no answer', async () => {
    const { port, agent } = await startAgent({ sysDescr: 'old printer' });
    cleanups.push(() => agent.close());
    const relay = await v1OnlyRelay(port);
    cleanups.push(() => relay.close());
    const t = makeContext({ service: udpService(relay.port, 'snmp') });
    const ev = await probe.collect(t.ctx);
    expect(ev.attempts.map((a) => [a.version, a.outcome])).toEqual([['2c', 'timeout'], ['1', 'answered']]);
    expect(ev.version).toBe('1');
    expect(ev.values.sysDescr).toBe('old printer');
    expect(relay.seen[0]).toBe(1);
  }, 10_000);

  it('an agent that ignores "public" but answers SNMPv3 discovery: pass, with its engine ID', async () => {
    const { port, agent } = await startAgent({ sysDescr: 'changed community' }, 'Long-Random-Community-7');
    cleanups.push(() => agent.close());
    const service = udpService(port, 'snmp');
    const t = makeContext({ service, maxConnections: probe.meta.budget.maxConnections });
    const ev = await probe.collect(t.ctx);
    expect(ev.answered).toBe(false);
    expect(ev.agent?.v3).toBe('answered');
    expect(ev.agent?.engineId).toMatch(/^[0-9a-f]{10,64}$/);
    expect(probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service))[0]!.status).toBe('pass');
  }, 10_000);

  it('a silent port (open|filtered, nothing answers) is not_tested, never pass', async () => {
    const port = await freeUdpPort();
    const quiet = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => quiet.bind(port, '127.0.0.1', resolve));
    cleanups.push(() => quiet.close());
    const t = makeContext({ service: udpService(port, 'snmp') });
    const ev = await probe.collect(t.ctx);
    expect(ev.answered).toBe(false);
    expect(ev.attempts.map((a) => a.outcome)).toEqual(['timeout', 'timeout']);
    expect(ev.agent?.v3).toBe('silent');
    expect(probe.assess(ev, assessInput(t.ctx.device))[0]!.status).toBe('not_tested');
  }, 10_000);
});
