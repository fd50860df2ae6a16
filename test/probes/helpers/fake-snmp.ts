/**
 * A tiny in-process SNMP agent on 127.0.0.1 for the community tests: BER just good enough for
 * GetRequest → GetResponse (sysDescr, sysName), SNMPv3 discovery Reports, silence for a wrong community
 * (as real agents do), and an `authorize` hook for the honeypot suite.
 */
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Authorize } from '../honeypot/decision.js';

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 128 ? Buffer.from([n]) : n < 256 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
function read(buf: Buffer, off: number): { tag: number; start: number; end: number } {
  const tag = buf[off]!;
  let len = buf[off + 1]!;
  let start = off + 2;
  if (len & 0x80) {
    const k = len & 0x7f;
    len = 0;
    for (let i = 0; i < k; i++) len = (len << 8) | buf[off + 2 + i]!;
    start += k;
  }
  return { tag, start, end: start + len };
}
function children(buf: Buffer, start: number, end: number): { tag: number; start: number; end: number; raw: Buffer }[] {
  const out = [];
  let off = start;
  while (off < end) { const t = read(buf, off); out.push({ ...t, raw: buf.subarray(off, t.end) }); off = t.end; }
  return out;
}

export interface Agent { port: number; requests: { version: number; community: string }[]; close(): Promise<void> }

/** A Report as an SNMPv3 agent sends it to engine discovery: version 3, the request's msgID, an engine ID. */
function v3Report(msg: Buffer): Buffer {
  const top = read(msg, 0);
  const [ver, header] = children(msg, top.start, top.end);
  const msgId = children(msg, header!.start, header!.end)[0]!.raw;
  const int0 = tlv(0x02, Buffer.from([0]));
  const head = tlv(0x30, Buffer.concat([msgId, tlv(0x02, Buffer.from([0x00, 0xff, 0xe3])), tlv(0x04, Buffer.from([0])), tlv(0x02, Buffer.from([3]))]));
  const usm = tlv(0x04, tlv(0x30, Buffer.concat([tlv(0x04, Buffer.from('80001f8880aabbccdd', 'hex')), int0, int0, tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.alloc(0))])));
  const report = tlv(0xa8, Buffer.concat([int0, int0, int0, tlv(0x30, Buffer.alloc(0))]));
  const scoped = tlv(0x30, Buffer.concat([tlv(0x04, Buffer.alloc(0)), tlv(0x04, Buffer.alloc(0)), report]));
  return tlv(0x30, Buffer.concat([ver!.raw, head, usm, scoped]));
}

export async function fakeSnmpAgent(o: {
  communities?: string[]; acceptAny?: boolean; v1Only?: boolean; v3?: boolean;
  /** Decides each request's community instead of communities/acceptAny (reject and lock: silence). */
  authorize?: Authorize;
}): Promise<Agent> {
  const state: Agent = { port: 0, requests: [], close: async () => undefined };
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg, rinfo) => {
    try {
      const top = read(msg, 0);
      const [ver, comm, pdu] = children(msg, top.start, top.end);
      const version = msg[ver!.start]!;
      if (version === 3) { if (o.v3) sock.send(v3Report(msg), rinfo.port, rinfo.address); return; } // discovery: not a community request
      const community = msg.subarray(comm!.start, comm!.end).toString();
      state.requests.push({ version, community });
      if (o.v1Only && version !== 0) return;
      const ok = o.authorize ? o.authorize('', community) === 'accept' : o.acceptAny || (o.communities ?? []).includes(community);
      if (!ok) return; // wrong community: silence
      const [reqid, , , vbs] = children(msg, pdu!.start, pdu!.end);
      const oids = children(msg, vbs!.start, vbs!.end).map((vb) => children(msg, vb.start, vb.end)[0]!.raw);
      const values = oids.map((oid) => {
        const last = oid[oid.length - 2];
        return tlv(0x04, Buffer.from(last === 1 ? 'HP LaserJet Pro M404dn' : 'NPI7A3B2C'));
      });
      const varbinds = tlv(0x30, Buffer.concat(oids.map((oid, i) => tlv(0x30, Buffer.concat([oid, values[i]!])))));
      const resp = tlv(0xa2, Buffer.concat([reqid!.raw, tlv(0x02, Buffer.from([0])), tlv(0x02, Buffer.from([0])), varbinds]));
      sock.send(tlv(0x30, Buffer.concat([ver!.raw, comm!.raw, resp])), rinfo.port, rinfo.address);
    } catch { /* garbage: ignore */ }
  });
  await new Promise<void>((resolve) => sock.bind(0, '127.0.0.1', resolve));
  state.port = (sock.address() as AddressInfo).port;
  state.close = () => new Promise<void>((resolve) => sock.close(() => resolve()));
  return state;
}

