/**
 * An in-process fake MQTT 3.1.1 broker on 127.0.0.1 (plain or TLS) for the mqtt-exposure tests, built on
 * mqtt-packet (the parser mqtt.js itself uses). It records every packet type a client sent, so a test can
 * prove the probe never published.
 */
import net from 'node:net';
import tls from 'node:tls';
import mqttPacket from 'mqtt-packet';
import type { Authorize } from '../honeypot/decision.js';

export interface FakeBrokerOptions {
  /** CONNACK return code (0 = accepted, 5 = not authorised). */
  connackCode?: number;
  /** SUBACK return code for a filter (0 = granted QoS 0, 128 = refused). */
  grant?: (filter: string) => number;
  /** Messages sent (retained) right after a matching subscription. */
  retained?: { topic: string; payload: Buffer | string }[];
  /** After a '#' subscription, send this many messages on distinct topics. */
  flood?: number;
  /** Payload size of each flood message. */
  floodPayloadBytes?: number;
  tls?: { key: string; cert: string };
  /** Decides each CONNECT with credentials instead of connackCode: accept → 0, reject and lock → 5 (MQTT has no lockout signal). */
  authorize?: Authorize;
}

export interface FakeBroker {
  port: number;
  /** Packet commands received from clients, in order (connect, subscribe, disconnect…). */
  received: string[];
  close(): Promise<void>;
}

function matches(filter: string, topic: string): boolean {
  if (filter === '#') return !topic.startsWith('$');
  if (filter === '$SYS/#') return topic.startsWith('$SYS/');
  return filter === topic;
}

export async function startFakeBroker(options: FakeBrokerOptions = {}): Promise<FakeBroker> {
  const received: string[] = [];
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const send = (packet: Record<string, unknown>): void => {
      if (!socket.destroyed) socket.write(mqttPacket.generate(packet as unknown as mqttPacket.Packet));
    };
    parser.on('packet', (packet: mqttPacket.Packet) => {
      received.push(packet.cmd);
      if (packet.cmd === 'connect') {
        const verdict = options.authorize?.(packet.username ?? '', packet.password?.toString('utf8') ?? '');
        const code = verdict !== undefined ? (verdict === 'accept' ? 0 : 5) : options.connackCode ?? 0;
        send({ cmd: 'connack', returnCode: code, sessionPresent: false });
        if (code !== 0) socket.end();
      } else if (packet.cmd === 'subscribe') {
        const filters = packet.subscriptions.map((s) => s.topic);
        send({ cmd: 'suback', messageId: packet.messageId, granted: filters.map((f) => options.grant?.(f) ?? 0) });
        for (const f of filters) {
          if ((options.grant?.(f) ?? 0) >= 0x80) continue;
          for (const m of options.retained ?? []) {
            if (matches(f, m.topic)) send({ cmd: 'publish', topic: m.topic, payload: m.payload, qos: 0, retain: true, dup: false });
          }
          if (f === '#' && options.flood) {
            const payload = Buffer.alloc(options.floodPayloadBytes ?? 8, 0x61);
            for (let i = 0; i < options.flood && !socket.destroyed; i++) {
              send({ cmd: 'publish', topic: i === 0 ? '__proto__' : `flood/${i}`, payload, qos: 0, retain: false, dup: false });
            }
          }
        }
      } else if (packet.cmd === 'pingreq') {
        send({ cmd: 'pingresp' });
      } else if (packet.cmd === 'disconnect') {
        socket.end();
      }
    });
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk: Buffer) => parser.parse(chunk));
  };
  const server = options.tls
    ? tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onSocket)
    : net.createServer(onSocket);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    received,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
