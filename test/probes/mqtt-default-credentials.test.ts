import { jest } from '@jest/globals';
import mqttPacket from 'mqtt-packet';
import probe, { assessMqtt, isMqttTls, type MqttEvidence } from '../../src/probes/mqtt-default-credentials.js';
import { lockoutPolicy } from '../../src/probes/lib/lockout.js';
import { assessInput, credContext, device, tcp, tcpServer } from './helpers/credential-context.js';

jest.setTimeout(30_000);

interface Broker { port: number; connects: { username: string | null; ok: boolean }[]; commands: string[]; close(): Promise<void> }

/** MQTT 3.1.1 broker that checks CONNECT credentials like mosquitto 2 (code 5 for missing and wrong ones). */
async function broker(o: { anonymous?: boolean; accounts?: Record<string, string>; acceptAny?: boolean }): Promise<Broker> {
  const state: Broker = { port: 0, connects: [], commands: [], close: async () => undefined };
  const srv = await tcpServer((s) => {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (p: mqttPacket.Packet) => {
      state.commands.push(p.cmd);
      if (p.cmd !== 'connect') return;
      const user = p.username ?? null;
      const pass = p.password === undefined ? null : Buffer.from(p.password).toString();
      const ok = user === null ? o.anonymous === true : o.acceptAny === true || o.anonymous === true || (o.accounts?.[user] !== undefined && o.accounts[user] === pass);
      state.connects.push({ username: user, ok });
      s.write(mqttPacket.generate({ cmd: 'connack', returnCode: ok ? 0 : 5, sessionPresent: false } as mqttPacket.IConnackPacket));
      if (!ok) s.end();
    });
    s.on('data', (d: Buffer) => parser.parse(d));
  });
  state.port = srv.port;
  state.close = srv.close;
  return state;
}

async function scan(o: Parameters<typeof broker>[0], maxGuesses = 10) {
  const b = await broker(o);
  const service = tcp(b.port, 'mqtt');
  const dev = device([service]);
  const t = credContext({ service, device: dev, maxGuesses });
  try {
    const ev = await probe.collect(t.ctx);
    return { ev, results: probe.assess(ev, assessInput(dev, service)), b };
  } finally {
    await b.close();
  }
}

describe('mqtt-default-credentials collect (fake broker)', () => {
  it('anonymous CONNECT refused, random login refused, then a default pair works', async () => {
    const { ev, results, b } = await scan({ accounts: { admin: 'password' } });
    expect(ev.anonymous).toBe('refused');
    expect(ev.refusalCodes).toEqual([5]);
    expect(results[0]).toMatchObject({ status: 'fail', credential: { username: 'admin', password: 'password' } });
    expect(b.connects[0]).toEqual({ username: null, ok: false });
    expect(b.connects[1]?.ok).toBe(false);
    expect(b.connects.at(-1)).toEqual({ username: 'admin', ok: true });
    expect(ev.attempts).toBe(b.connects.length);
    expect(b.commands.filter((c) => c === 'publish' || c === 'subscribe')).toEqual([]);
  });

  it('a broker open to anonymous clients (the lab hub): no default credential claimed, nothing else tried', async () => {
    const { results, b, ev } = await scan({ anonymous: true });
    expect(results).toEqual([expect.objectContaining({ check: 'mqtt-default-credentials', status: 'not_applicable' })]);
    expect(b.connects).toHaveLength(1);
    expect(ev.anonymous).toBe('accepted');
  });

  it('a broker that takes any user name and password is reported as such, without a credential', async () => {
    const { results, b } = await scan({ acceptAny: true });
    expect(results[0]).toMatchObject({ status: 'fail', title: 'MQTT broker accepts any user name and password' });
    expect(results[0]?.credential).toBeUndefined();
    expect(b.connects).toHaveLength(2);
  });

  it('nothing works within a budget of 5: partly checked, within the budget (the anonymous CONNECT counts)', async () => {
    const { results, b, ev } = await scan({ accounts: { thermostat: 'long-random-secret' } }, 5);
    expect(results[0]?.status).toBe('partial');
    expect(ev.stop).toBe('budget');
    expect(results[0]?.detail).toMatch(/--max-guesses/);
    expect(b.connects).toHaveLength(5);
    expect(ev.attempts).toBe(5);
  });
});

describe('mqtt-default-credentials assess and helpers', () => {
  it('TLS on 8883 or secure-mqtt', () => {
    expect(isMqttTls(undefined, 8883)).toBe(true);
    expect(isMqttTls(tcp(1883, 'mqtt'), 1883)).toBe(false);
    expect(isMqttTls(tcp(9999, 'secure-mqtt'), 9999)).toBe(true);
  });
  it('an unreachable broker is an error', () => {
    const ev: MqttEvidence = {
      maxGuesses: 10, attempts: 1, failures: 0, candidatesPlanned: 7, candidatesTried: 0, candidatesNotReached: 0, confirmations: 0, confirmation: { wrongPassword: 'not-run', again: 'not-run' }, unconfirmed: null, usernamesTried: [],
      negativeControl: 'not-run', stop: 'error', vendorsMatched: [], rankedByType: null, lockoutPolicy: { ...lockoutPolicy([]) }, lockoutText: null,
      unsupported: null, skippedForAccountCap: 0, errors: [{ kind: 'tls-handshake', message: 'alert' }], found: null,
      port: 8883, tls: true, anonymous: 'error', anonymousReturnCode: null, refusalCodes: [],
    };
    expect(assessMqtt(ev)[0]).toMatchObject({ status: 'error', error: { kind: 'tls-handshake' } });
  });
});
