import net from 'node:net';
import mqttPacket from 'mqtt-packet';
import {
  MQTT_MAX_PACKET_BYTES, MqttDecoder, MqttSession, encodeConnect, encodeDisconnect, encodeSubscribe, parseConnack, type MqttPacket,
} from '../../src/net/mqtt.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { testApi } from './helpers.js';

/** What mqtt-packet, the parser mqtt.js uses, reads out of our bytes: an independent check of the encoder. */
function parseWithMqttPacket(buf: Buffer): mqttPacket.Packet[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: mqttPacket.Packet[] = [];
  const errors: Error[] = [];
  parser.on('packet', (p: mqttPacket.Packet) => out.push(p));
  parser.on('error', (e: Error) => errors.push(e));
  parser.parse(buf);
  expect(errors).toEqual([]);
  return out;
}

function decodeAll(bytes: Buffer, chunk = bytes.length): MqttPacket[] {
  const d = new MqttDecoder();
  const out: MqttPacket[] = [];
  for (let i = 0; i < bytes.length; i += chunk) out.push(...d.push(bytes.subarray(i, i + chunk)));
  return out;
}

describe('MQTT codec', () => {
  test('CONNECT, SUBSCRIBE and DISCONNECT read back by mqtt-packet', () => {
    const [anon] = parseWithMqttPacket(encodeConnect({ clientId: 'iotcop-ab', keepaliveS: 30 }));
    expect(anon).toMatchObject({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 30, clientId: 'iotcop-ab' });
    expect(anon).not.toHaveProperty('username');
    const [withCreds] = parseWithMqttPacket(encodeConnect({ clientId: 'c', username: 'admin', password: 'pässwörd', keepaliveS: 10 }));
    expect(withCreds).toMatchObject({ cmd: 'connect', username: 'admin', keepalive: 10 });
    expect(String((withCreds as mqttPacket.IConnectPacket).password)).toBe('pässwörd');
    // a client id long enough to need a two-byte remaining length
    const [long] = parseWithMqttPacket(encodeConnect({ clientId: 'x'.repeat(300), keepaliveS: 30 }));
    expect((long as mqttPacket.IConnectPacket).clientId).toHaveLength(300);
    const [sub] = parseWithMqttPacket(encodeSubscribe(7, '$SYS/#'));
    expect(sub).toMatchObject({ cmd: 'subscribe', messageId: 7, subscriptions: [{ topic: '$SYS/#', qos: 0 }] });
    expect(parseWithMqttPacket(encodeDisconnect())).toMatchObject([{ cmd: 'disconnect' }]);
    expect(() => encodeConnect({ clientId: 'c', password: 'p'.repeat(70_000), keepaliveS: 1 })).toThrow(RangeError);
  });

  test('decodes what mqtt-packet generates, whole or a byte at a time', () => {
    const bytes = Buffer.concat([
      mqttPacket.generate({ cmd: 'connack', returnCode: 5, sessionPresent: false }),
      mqttPacket.generate({ cmd: 'suback', messageId: 3, granted: [0x80] }),
      mqttPacket.generate({ cmd: 'publish', topic: 'home/alice/presence', payload: Buffer.from('{"lat":1}'), qos: 0, retain: true, dup: false }),
      mqttPacket.generate({ cmd: 'publish', topic: 'cam/ü', payload: Buffer.alloc(400, 1), qos: 1, messageId: 9, retain: false, dup: false }),
      mqttPacket.generate({ cmd: 'pingresp' }),
    ]);
    for (const chunk of [bytes.length, 1, 7]) {
      const packets = decodeAll(bytes, chunk);
      expect(packets.map((p) => p.type)).toEqual(['connack', 'suback', 'publish', 'publish', 'other']);
      expect(packets[0]).toEqual({ type: 'connack', sessionPresent: false, returnCode: 5 });
      expect(packets[1]).toEqual({ type: 'suback', packetId: 3, codes: [0x80] });
      expect(packets[2]).toMatchObject({ topic: 'home/alice/presence', qos: 0, retain: true });
      expect((packets[2] as { payload: Buffer }).payload.toString()).toBe('{"lat":1}');
      expect(packets[3]).toMatchObject({ topic: 'cam/ü', qos: 1, retain: false });
      expect((packets[3] as { payload: Buffer }).payload).toHaveLength(400);
    }
  });

  test('malformed input is a protocol error, never a hang or a crash', () => {
    expect(() => new MqttDecoder().push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))).toThrow(/remaining length/);
    expect(() => new MqttDecoder().push(Buffer.from([0x30, 0xff, 0xff, 0xff, 0x7f]))).toThrow(/at most/);
    expect(() => new MqttDecoder(100).push(Buffer.concat([Buffer.from([0x30, 0x80, 0x01]), Buffer.alloc(128)]))).toThrow(/128 bytes/);
    expect(() => new MqttDecoder().push(Buffer.from([0x20, 0x03, 0, 0, 0]))).toThrow(/CONNACK/);
    expect(() => new MqttDecoder().push(Buffer.from([0x36, 0x02, 0, 0]))).toThrow(/QoS 3/);
    expect(() => new MqttDecoder().push(Buffer.from([0x30, 0x03, 0, 9, 0x41]))).toThrow(/topic longer/);
    expect(new MqttDecoder().push(Buffer.from([0x30, 0x80]))).toEqual([]); // incomplete: waits
    expect(MQTT_MAX_PACKET_BYTES).toBeGreaterThan(256 * 1024);
    expect(parseConnack(Buffer.from([0x20, 0x02, 0x00, 0x05]))).toBe(5);
    expect(parseConnack(Buffer.from('HTTP/1.1'))).toBeNull();
  });
});

/** A raw client that publishes one retained message (the test's own doing; the scanner never publishes). */
async function publishRetained(port: number, topic: string, payload: string): Promise<void> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => { s.once('connect', resolve); s.once('error', reject); });
  s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, keepalive: 10, clientId: 'test-pub' }));
  s.write(mqttPacket.generate({ cmd: 'publish', topic, payload: Buffer.from(payload), qos: 1, messageId: 1, retain: true, dup: false }));
  // wait for the PUBACK (CONNACK + PUBACK = 8 bytes) so the message is stored before we leave
  let got = 0;
  await new Promise<void>((resolve) => { s.on('data', (d: Buffer) => { got += d.length; if (got >= 8) resolve(); }); setTimeout(resolve, 2_000); });
  s.end(mqttPacket.generate({ cmd: 'disconnect' }));
}

async function session(port: number): Promise<MqttSession> {
  const { net: api, controller } = testApi({ deadlineMs: 10_000 });
  return new MqttSession(await api.tcp(port, { timeoutMs: 5_000, maxBytes: 64 * 1024 }), controller.signal);
}

describe('MqttSession against Debian mosquitto', () => {
  let open: Mosquitto;
  let locked: Mosquitto;
  beforeAll(async () => {
    [open, locked] = await Promise.all([startMosquitto(), startMosquitto({ thermostat: 's3cret-pass' })]);
    await publishRetained(open.port, 'home/frontdoor/lock', 'locked');
  });
  afterAll(async () => { await Promise.all([open?.stop(), locked?.stop()]); });

  test('anonymous broker: accepted, # granted, the retained message arrives, $SYS granted', async () => {
    const s = await session(open.port);
    const seen: { topic: string; payload: string; retain: boolean }[] = [];
    s.onPublish = (p) => seen.push({ topic: p.topic, payload: p.payload.toString(), retain: p.retain });
    expect(await s.connect({ clientId: 'iotcop-test', keepaliveS: 30 }, 3_000)).toEqual({ kind: 'accepted' });
    expect(await s.subscribe('#', 3_000)).toBe(0);
    expect(await s.subscribe('$SYS/#', 3_000)).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toContainEqual({ topic: 'home/frontdoor/lock', payload: 'locked', retain: true });
    await s.end();
    expect(s.closed).toBe(true);
  });

  test('password broker: no credentials and wrong ones refused with 5, the right ones accepted', async () => {
    const anon = await session(locked.port);
    expect(await anon.connect({ clientId: 'a', keepaliveS: 30 }, 3_000)).toEqual({ kind: 'refused', code: 5 });
    await anon.end();
    const wrong = await session(locked.port);
    expect(await wrong.connect({ clientId: 'b', username: 'thermostat', password: 'nope', keepaliveS: 30 }, 3_000)).toEqual({ kind: 'refused', code: 5 });
    await wrong.end();
    const right = await session(locked.port);
    expect(await right.connect({ clientId: 'c', username: 'thermostat', password: 's3cret-pass', keepaliveS: 30 }, 3_000)).toEqual({ kind: 'accepted' });
    await right.end();
  });
});

describe('MqttSession against broken brokers', () => {
  async function server(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => void }> {
    const srv = net.createServer(onSocket);
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    return { port: (srv.address() as net.AddressInfo).port, close: () => srv.close() };
  }

  test('closes on CONNECT, talks garbage, stays silent, is aborted', async () => {
    const closer = await server((s) => s.once('data', () => s.destroy()));
    const garbage = await server((s) => s.once('data', () => s.write(Buffer.from([0x20, 0xff, 0xff, 0xff, 0xff, 0x7f]))));
    const silent = await server(() => undefined);
    try {
      const a = await (await session(closer.port)).connect({ clientId: 'x', keepaliveS: 30 }, 3_000);
      expect(a).toMatchObject({ kind: 'error', error: { message: 'the broker closed the connection before CONNACK', code: 'ECONNRESET' } });
      const b = await (await session(garbage.port)).connect({ clientId: 'x', keepaliveS: 30 }, 3_000);
      expect(b).toMatchObject({ kind: 'error', error: { kind: 'protocol-error' } });
      const c = await (await session(silent.port)).connect({ clientId: 'x', keepaliveS: 30 }, 300);
      expect(c).toMatchObject({ kind: 'error', error: { code: 'ETIMEDOUT' } });
      const { net: api, controller } = testApi();
      const s = new MqttSession(await api.tcp(silent.port), controller.signal);
      setTimeout(() => controller.abort(), 50);
      expect(await s.connect({ clientId: 'x', keepaliveS: 30 }, 5_000)).toMatchObject({ kind: 'error', error: { name: 'AbortError' } });
      await s.end();
    } finally {
      closer.close(); garbage.close(); silent.close();
    }
  });
});
