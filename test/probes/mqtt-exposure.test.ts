import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import probe, { assessMqtt, MAX_TOPICS, WINDOW_MS, wantsTls, type MqttEvidence, type TopicEvidence } from '../../src/probes/mqtt-exposure.js';
import { assessInput, makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { startFakeBroker, type FakeBroker } from './helpers/fake-mqtt.js';

function evidence(over: Partial<MqttEvidence> = {}): MqttEvidence {
  return {
    port: 1883, tls: false, connect: 'accepted', returnCode: 0, error: null,
    subscriptions: [{ filter: '#', granted: true, code: 0 }, { filter: '$SYS/#', granted: true, code: 0 }],
    windowMs: 3000, topics: [], messages: 0, bytes: 0, droppedTopics: 0, stoppedBy: 'time', revealed: false, ...over,
  };
}

function topic(name: string, over: Partial<TopicEvidence> = {}): TopicEvidence {
  return { topic: name, topicTruncated: false, messages: 1, bytes: 10, retained: true, kind: 'text', preview: '<text, 10 bytes>', payloadCategories: [], ...over };
}

const byCheck = (results: ReturnType<typeof assessMqtt>, check: string) => results.find((r) => r.check === check);

describe('mqtt-exposure assess', () => {
  it('fails both checks when personal topics are readable anonymously', () => {
    const r = assessMqtt(evidence({ topics: [topic('home/alice/presence'), topic('sensors/livingroom/temperature'), topic('$SYS/broker/version')], messages: 3 }));
    expect(byCheck(r, 'mqtt-anonymous-access')).toMatchObject({ status: 'fail' });
    expect(byCheck(r, 'mqtt-anonymous-access')!.detail).toMatch(/2 topic/);
    const personal = byCheck(r, 'mqtt-personal-topics')!;
    expect(personal.status).toBe('fail');
    expect(personal.detail).toContain('home/alice/presence');
    expect(personal.detail).not.toContain('temperature');
  });

  it('personal topics over plain MQTT fail guideline 5 too; over TLS they do not; harmless or unread topics are not a pass of nothing', () => {
    const topics = [topic('home/alice/presence'), topic('home/frontdoor/lock'), topic('sensors/livingroom/temperature')];
    const plain = byCheck(assessMqtt(evidence({ topics })), 'mqtt-personal-data-cleartext')!;
    expect(plain.status).toBe('fail');
    expect(plain.detail).toMatch(/presence .*home\/alice\/presence.*no encryption at all/);
    expect(plain.detail).not.toContain('temperature');
    const tls = byCheck(assessMqtt(evidence({ topics, tls: true, port: 8883 })), 'mqtt-personal-data-cleartext')!;
    expect(tls.status).toBe('pass');
    expect(tls.detail).toContain('travels encrypted (TLS)');
    const harmless = byCheck(assessMqtt(evidence({ topics: [topic('sensors/livingroom/temperature')] })), 'mqtt-personal-data-cleartext')!;
    expect(harmless).toMatchObject({ status: 'pass', confidence: 'medium' });
    const none = byCheck(assessMqtt(evidence({ topics: [topic('$SYS/broker/uptime')] })), 'mqtt-personal-data-cleartext')!;
    expect(none.status).toBe('not_applicable');
  });

  it('flags a topic whose JSON payload keys are personal even when its name is not', () => {
    const r = assessMqtt(evidence({ topics: [topic('dev/42/state', { payloadCategories: ['location'] })] }));
    expect(byCheck(r, 'mqtt-personal-topics')).toMatchObject({ status: 'fail' });
  });

  it('passes the personal check when the readable topics look harmless', () => {
    const r = assessMqtt(evidence({ topics: [topic('sensors/livingroom/temperature')] }));
    expect(byCheck(r, 'mqtt-anonymous-access')!.status).toBe('fail');
    expect(byCheck(r, 'mqtt-personal-topics')!.status).toBe('pass');
  });

  it('warns when # is granted but nothing (or only $SYS) arrived', () => {
    const r = assessMqtt(evidence({ topics: [topic('$SYS/broker/uptime')] }));
    expect(byCheck(r, 'mqtt-anonymous-access')).toMatchObject({ status: 'warn', severity: 'medium' });
    expect(byCheck(r, 'mqtt-personal-topics')!.status).toBe('not_applicable');
  });

  it('warns low when only $SYS is readable or every subscription is refused', () => {
    const sysOnly = assessMqtt(evidence({
      subscriptions: [{ filter: '#', granted: false, code: 128 }, { filter: '$SYS/#', granted: true, code: 0 }],
      topics: [topic('$SYS/broker/uptime')],
    }));
    expect(byCheck(sysOnly, 'mqtt-anonymous-access')).toMatchObject({ status: 'warn', severity: 'low' });
    const none = assessMqtt(evidence({ subscriptions: [{ filter: '#', granted: false, code: 128 }, { filter: '$SYS/#', granted: false, code: 128 }] }));
    expect(byCheck(none, 'mqtt-anonymous-access')).toMatchObject({ status: 'warn', severity: 'low' });
    expect(byCheck(none, 'mqtt-anonymous-access')!.detail).toMatch(/refused the subscriptions/);
  });

  it('passes when the broker refuses anonymous clients (3.1.1 and 5 codes)', () => {
    for (const code of [4, 5, 0x86, 0x87]) {
      const r = assessMqtt(evidence({ connect: 'refused', returnCode: code, subscriptions: [] }));
      expect(byCheck(r, 'mqtt-anonymous-access')!.status).toBe('pass');
      expect(byCheck(r, 'mqtt-personal-topics')!.status).toBe('not_applicable');
    }
  });

  it('reports an error, never a pass, when the session could not be tested', () => {
    const r = assessMqtt(evidence({ connect: 'error', returnCode: null, error: { kind: 'timeout', message: 'no CONNACK' }, subscriptions: [] }));
    expect(r.map((x) => x.status)).toEqual(['error', 'error', 'error']);
    expect(r[0]!.error).toEqual({ kind: 'timeout', message: 'no CONNACK' });
    const odd = assessMqtt(evidence({ connect: 'refused', returnCode: 1, subscriptions: [] }));
    expect(odd.map((x) => x.status)).toEqual(['error', 'error', 'error']);
    expect(odd[0]!.error!.kind).toBe('protocol-error');
  });

  it('chooses TLS for 8883, secure-mqtt and TLS-flagged services', () => {
    expect(wantsTls(tcpService(8883))).toBe(true);
    expect(wantsTls(tcpService(9999, 'secure-mqtt'))).toBe(true);
    expect(wantsTls(tcpService(1883, 'mqtt', { tls: { enabled: true } }))).toBe(true);
    expect(wantsTls(tcpService(1883, 'mqtt'))).toBe(false);
  });
});

describe('mqtt-exposure collect (fake broker on 127.0.0.1)', () => {
  let broker: FakeBroker | undefined;
  afterEach(async () => { await broker?.close(); broker = undefined; });

  async function run(port: number, over: Parameters<typeof makeContext>[0] = {}) {
    const service = tcpService(port, 'mqtt');
    const t = makeContext({ service, maxConnections: probe.meta.budget.maxConnections, ...over });
    const ev = await probe.collect(t.ctx);
    return { ev, t, results: probe.assess(ev, assessInput(makeDevice('127.0.0.1', [service]), service)) };
  }

  it('reads retained topics anonymously, never publishes, and redacts payloads', async () => {
    broker = await startFakeBroker({
      retained: [
        { topic: 'home/alice/presence', payload: '{"name":"Alice","lat":51.5007,"lon":-0.1246,"state":"home"}' },
        { topic: 'home/frontdoor/lock', payload: 'LOCKED' },
        { topic: 'sensors/livingroom/temperature', payload: '21.5' },
        { topic: '$SYS/broker/version', payload: 'mosquitto version 2.0.11' },
      ],
    });
    const { ev, t, results } = await run(broker.port);
    expect(ev.connect).toBe('accepted');
    expect(ev.subscriptions.map((s) => [s.filter, s.granted])).toEqual([['#', true], ['$SYS/#', true]]);
    expect(ev.topics.map((x) => x.topic).sort()).toEqual(['$SYS/broker/version', 'home/alice/presence', 'home/frontdoor/lock', 'sensors/livingroom/temperature']);
    const presence = ev.topics.find((x) => x.topic === 'home/alice/presence')!;
    expect(presence.preview).toBe('{"name":<string>,"lat":<number>,"lon":<number>,"state":<string>}');
    expect(JSON.stringify(ev)).not.toMatch(/Alice|51\.5007|LOCKED/);
    expect(presence.payloadCategories).toEqual(['location']);
    expect(broker.received).not.toContain('publish');
    expect(broker.received).toEqual(expect.arrayContaining(['connect', 'subscribe']));
    expect(t.budget.used).toBe(1);
    expect(results.find((r) => r.check === 'mqtt-anonymous-access')!.status).toBe('fail');
    expect(results.find((r) => r.check === 'mqtt-personal-topics')!.status).toBe('fail');
  }, 15_000);

  it('shows payloads with --reveal-data', async () => {
    broker = await startFakeBroker({ retained: [{ topic: 'home/frontdoor/lock', payload: 'LOCKED' }] });
    const { ev } = await run(broker.port, { settings: { revealData: true } });
    expect(ev.revealed).toBe(true);
    expect(ev.topics[0]!.preview).toBe('LOCKED');
  }, 15_000);

  it('passes when the broker refuses anonymous clients', async () => {
    broker = await startFakeBroker({ connackCode: 5 });
    const { ev, results } = await run(broker.port);
    expect(ev.connect).toBe('refused');
    expect(ev.returnCode).toBe(5);
    expect(results.map((r) => r.status)).toEqual(['pass', 'not_applicable', 'not_applicable']);
    expect(broker.received).toEqual(['connect']);
  }, 15_000);

  it('stops at the topic cap, stays safe with a __proto__ topic, and closes the window early', async () => {
    broker = await startFakeBroker({ flood: MAX_TOPICS + 300 });
    const { ev } = await run(broker.port);
    expect(ev.topics.length).toBe(MAX_TOPICS);
    expect(ev.stoppedBy).toBe('topics');
    expect(ev.topics.some((x) => x.topic === '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>)['messages']).toBeUndefined();
    expect(ev.windowMs).toBeLessThan(WINDOW_MS);
  }, 15_000);

  it('stops at the byte cap', async () => {
    broker = await startFakeBroker({ flood: 400, floodPayloadBytes: 2048 });
    const { ev } = await run(broker.port);
    expect(ev.stoppedBy).toBe('bytes');
    expect(ev.bytes).toBeLessThan(300 * 1024);
  }, 15_000);

  it('ends the session when the job is aborted', async () => {
    broker = await startFakeBroker({ retained: [{ topic: 'a/b', payload: '1' }] });
    const service = tcpService(broker.port, 'mqtt');
    const t = makeContext({ service, maxConnections: 1 });
    setTimeout(() => t.controller.abort(), 300);
    const ev = await probe.collect(t.ctx);
    expect(ev.connect).toBe('accepted');
    expect(ev.stoppedBy).toBe('closed');
    expect(ev.topics.map((x) => x.topic)).toEqual(['a/b']);
  }, 15_000);

  it('records refused subscriptions', async () => {
    broker = await startFakeBroker({ grant: () => 0x80 });
    const { ev, results } = await run(broker.port);
    expect(ev.subscriptions.map((s) => [s.filter, s.granted, s.code])).toEqual([['#', false, 128], ['$SYS/#', false, 128]]);
    expect(results[0]).toMatchObject({ check: 'mqtt-anonymous-access', status: 'warn', severity: 'low' });
  }, 15_000);

  it('reports a refused port as an error', async () => {
    broker = await startFakeBroker();
    const port = broker.port;
    await broker.close();
    broker = undefined;
    const { ev, results } = await run(port);
    expect(ev.connect).toBe('error');
    expect(ev.error!.kind).toBe('refused');
    expect(results.map((r) => r.status)).toEqual(['error', 'error', 'error']);
  }, 15_000);

  describe('over TLS', () => {
    let dir: string;
    let key: string;
    let cert: string;
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'iotcop-mqtt-'));
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=broker'], { stdio: 'ignore' });
      key = readFileSync(join(dir, 'k.pem'), 'utf8');
      cert = readFileSync(join(dir, 'c.pem'), 'utf8');
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('tries an anonymous session over TLS on a secure-mqtt service and passes when refused', async () => {
      broker = await startFakeBroker({ connackCode: 5, tls: { key, cert } });
      const service = tcpService(broker.port, 'secure-mqtt');
      const t = makeContext({ service, maxConnections: 1 });
      const ev = await probe.collect(t.ctx);
      expect(ev.tls).toBe(true);
      expect(ev.connect).toBe('refused');
      expect(t.connections).toEqual([{ kind: 'tls', port: broker.port }]);
      expect(probe.assess(ev, assessInput(t.ctx.device, service))[0]!.status).toBe('pass');
    }, 15_000);
  });
});
