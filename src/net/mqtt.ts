/**
 * A small MQTT 3.1.1 client of our own (OASIS MQTT 3.1.1, §2-3), in place of mqtt.js: the probes need
 * CONNECT, SUBSCRIBE at QoS 0 and DISCONNECT, nothing more. mqtt.js cost ~5 MB of code and ~6 MB of heap
 * at import (mqtt-packet pre-builds a Buffer for each of the 65 536 packet ids), in every scan that met a
 * broker (BENCHMARKS.md, issue 18). This client never publishes and never acknowledges: it asks for QoS 0
 * only, so a broker owes it no PUBACK, and a PUBLISH at a higher QoS is read and left unanswered.
 *
 * It runs over a `Conn` from the net layer (its read cap and deadline hold) and never opens a socket.
 * The packet codec is pure and exported for tests; the session turns packets into promises and callbacks.
 */
import { NetError } from './errors.js';
import type { Conn } from './types.js';

/** The largest packet accepted from a broker; a longer one is a protocol error and ends the session. */
export const MQTT_MAX_PACKET_BYTES = 512 * 1024;

const CONNECT = 1, CONNACK = 2, PUBLISH = 3, SUBSCRIBE = 8, SUBACK = 9, DISCONNECT = 14;

export interface MqttConnectOptions {
  clientId: string;
  username?: string;
  password?: string;
  /** Seconds; the sessions here end well before it, so no PINGREQ is ever sent. */
  keepaliveS: number;
}

export type MqttPacket =
  | { type: 'connack'; sessionPresent: boolean; returnCode: number }
  | { type: 'suback'; packetId: number; codes: number[] }
  | { type: 'publish'; topic: string; payload: Buffer; qos: number; retain: boolean }
  | { type: 'other'; packetType: number };

function utf8Field(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  if (b.length > 0xffff) throw new RangeError(`MQTT string of ${b.length} bytes (at most 65535)`);
  const out = Buffer.allocUnsafe(2 + b.length);
  out.writeUInt16BE(b.length, 0);
  b.copy(out, 2);
  return out;
}

function remainingLength(n: number): Buffer {
  const bytes: number[] = [];
  do {
    let digit = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) digit |= 0x80;
    bytes.push(digit);
  } while (n > 0);
  return Buffer.from(bytes);
}

function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), remainingLength(body.length), body]);
}

/** CONNECT, protocol level 4 (3.1.1), clean session; user name and password only when given. */
export function encodeConnect(o: MqttConnectOptions): Buffer {
  let flags = 0x02;
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const header = Buffer.concat([utf8Field('MQTT'), Buffer.from([4, flags, (o.keepaliveS >> 8) & 0xff, o.keepaliveS & 0xff])]);
  const fields = [utf8Field(o.clientId)];
  if (o.username !== undefined) fields.push(utf8Field(o.username));
  if (o.password !== undefined) fields.push(utf8Field(o.password));
  return packet(CONNECT << 4, Buffer.concat([header, ...fields]));
}

/** SUBSCRIBE to one filter at QoS 0 (fixed-header flags 0b0010, as §3.8.1 requires). */
export function encodeSubscribe(packetId: number, filter: string): Buffer {
  const id = Buffer.from([(packetId >> 8) & 0xff, packetId & 0xff]);
  return packet((SUBSCRIBE << 4) | 0x02, Buffer.concat([id, utf8Field(filter), Buffer.from([0])]));
}

export function encodeDisconnect(): Buffer {
  return Buffer.from([DISCONNECT << 4, 0]);
}

function malformed(what: string): NetError {
  return new NetError('protocol-error', `malformed MQTT packet: ${what}`);
}

function decodePacket(type: number, flags: number, body: Buffer): MqttPacket {
  switch (type) {
    case CONNACK:
      if (body.length !== 2) throw malformed(`CONNACK of ${body.length} bytes`);
      return { type: 'connack', sessionPresent: (body[0]! & 1) === 1, returnCode: body[1]! };
    case SUBACK:
      if (body.length < 3) throw malformed(`SUBACK of ${body.length} bytes`);
      return { type: 'suback', packetId: body.readUInt16BE(0), codes: [...body.subarray(2)] };
    case PUBLISH: {
      const qos = (flags >> 1) & 3;
      if (qos === 3) throw malformed('PUBLISH with QoS 3');
      if (body.length < 2) throw malformed('PUBLISH without a topic');
      const topicLen = body.readUInt16BE(0);
      const start = 2 + topicLen + (qos > 0 ? 2 : 0);
      if (start > body.length) throw malformed('PUBLISH topic longer than the packet');
      return { type: 'publish', topic: body.toString('utf8', 2, 2 + topicLen), payload: body.subarray(start), qos, retain: (flags & 1) === 1 };
    }
    default:
      return { type: 'other', packetType: type };
  }
}

/** The CONNACK return code when `buf` starts with a CONNACK, else null (a one-shot read of the first answer). */
export function parseConnack(buf: Buffer): number | null {
  if (buf.length < 4 || buf[0] !== CONNACK << 4 || buf[1] !== 0x02) return null;
  return buf[3]!;
}

/** Splits a byte stream into packets; bytes of an incomplete packet wait for the next push. */
export class MqttDecoder {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxPacketBytes = MQTT_MAX_PACKET_BYTES) {}

  /** The complete packets now available. Throws a protocol-error NetError on a malformed packet. */
  push(chunk: Buffer): MqttPacket[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: MqttPacket[] = [];
    for (;;) {
      const buf = this.pending;
      if (buf.length < 2) break;
      let length = 0;
      let multiplier = 1;
      let i = 1;
      let complete = false;
      for (; i < buf.length && i <= 4; i++) {
        const digit = buf[i]!;
        length += (digit & 0x7f) * multiplier;
        multiplier *= 128;
        if ((digit & 0x80) === 0) { complete = true; break; }
      }
      if (!complete) {
        if (i > 4) throw malformed('remaining length longer than four bytes');
        break;
      }
      if (length > this.maxPacketBytes) throw malformed(`a packet of ${length} bytes (at most ${this.maxPacketBytes})`);
      const start = i + 1;
      if (buf.length < start + length) break;
      const first = buf[0]!;
      out.push(decodePacket(first >> 4, first & 0x0f, buf.subarray(start, start + length)));
      this.pending = buf.subarray(start + length);
    }
    return out;
  }
}

export type MqttConnackResult = { kind: 'accepted' } | { kind: 'refused'; code: number } | { kind: 'error'; error: Error };

function coded(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** The reason a session ends when the broker closes it (compared by identity). */
const PEER_CLOSED = coded('the broker closed the connection', 'ECONNRESET');

function abortError(): Error {
  return Object.assign(new Error('aborted'), { name: 'AbortError' });
}

/**
 * One MQTT session on a connection: connect, subscribe, receive, end. Every wait is bounded by its own
 * timeout and by `signal`; a malformed packet or a stream error closes the session.
 */
export class MqttSession {
  /** Called for each PUBLISH the broker sends after CONNACK. */
  onPublish: ((p: Extract<MqttPacket, { type: 'publish' }>) => void) | undefined;
  /** Called once when the connection closes, for whatever reason. */
  onClose: (() => void) | undefined;
  private readonly decoder = new MqttDecoder();
  private waiters: ((p: MqttPacket | Error) => void)[] = [];
  private closedWith: Error | null = null;
  private connected = false;
  private nextId = 1;

  constructor(private readonly conn: Conn, private readonly signal: AbortSignal) {
    const stream = conn.stream;
    stream.on('data', (chunk: Buffer) => {
      if (this.closedWith) return;
      let packets: MqttPacket[];
      try {
        packets = this.decoder.push(chunk);
      } catch (e) {
        this.close(e instanceof Error ? e : malformed(String(e)));
        return;
      }
      for (const p of packets) {
        if (this.closedWith) return;
        if (p.type === 'publish') { if (this.connected) this.onPublish?.(p); continue; }
        for (const w of [...this.waiters]) w(p);
      }
    });
    stream.on('error', (e: Error) => this.close(e));
    stream.on('close', () => this.close(PEER_CLOSED));
    stream.on('end', () => this.close(PEER_CLOSED));
  }

  get closed(): boolean {
    return this.closedWith !== null;
  }

  private close(why: Error): void {
    if (this.closedWith) return;
    this.closedWith = why;
    for (const w of [...this.waiters]) w(why);
    this.conn.close();
    this.onClose?.();
  }

  /** Waits for the first packet `pick` accepts; null on timeout, an Error when the session closed or was aborted. */
  private waitFor<T>(pick: (p: MqttPacket) => T | undefined, timeoutMs: number): Promise<T | Error | null> {
    if (this.closedWith) return Promise.resolve(this.closedWith);
    if (this.signal.aborted) return Promise.resolve(abortError());
    return new Promise((resolve) => {
      const finish = (v: T | Error | null): void => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', onAbort);
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(v);
      };
      const waiter = (p: MqttPacket | Error): void => {
        if (p instanceof Error) { finish(p); return; }
        const v = pick(p);
        if (v !== undefined) finish(v);
      };
      const onAbort = (): void => finish(abortError());
      const timer = setTimeout(() => finish(null), timeoutMs);
      this.signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** CONNECT and the broker's CONNACK: accepted (return code 0), refused (its code) or an error. */
  async connect(options: MqttConnectOptions, timeoutMs: number): Promise<MqttConnackResult> {
    const answer = this.waitFor((p) => (p.type === 'connack' ? p : undefined), timeoutMs);
    if (!this.closedWith) this.conn.stream.write(encodeConnect(options));
    const r = await answer;
    if (r === null) return { kind: 'error', error: coded(`no CONNACK within ${timeoutMs} ms`, 'ETIMEDOUT') };
    if (r === PEER_CLOSED) return { kind: 'error', error: coded('the broker closed the connection before CONNACK', 'ECONNRESET') };
    if (r instanceof Error) return { kind: 'error', error: r };
    if (r.returnCode !== 0) return { kind: 'refused', code: r.returnCode };
    this.connected = true;
    return { kind: 'accepted' };
  }

  /** SUBSCRIBE at QoS 0: the SUBACK's return code, or null when none came in time or the session ended. */
  async subscribe(filter: string, timeoutMs: number): Promise<number | null> {
    const id = this.nextId++;
    const answer = this.waitFor((p) => (p.type === 'suback' && p.packetId === id ? p.codes[0] ?? null : undefined), timeoutMs);
    if (!this.closedWith) this.conn.stream.write(encodeSubscribe(id, filter));
    const r = await answer;
    return r instanceof Error ? null : r;
  }

  /** DISCONNECT when the session is still up (waiting at most `flushMs` for it to be written), then close. */
  async end(flushMs = 1_000): Promise<void> {
    if (!this.closedWith && this.connected) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, flushMs);
        this.conn.stream.write(encodeDisconnect(), () => { clearTimeout(t); resolve(); });
      });
    }
    this.close(coded('ended', 'ENDED'));
  }
}
