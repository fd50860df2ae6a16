import { encodeDiscovery, parseDiscoveryReply, MAX_REPLY_BYTES } from '../../src/net/snmp-v3.js';

// A Report as net-snmp's snmpd 5.9 sent it to encodeDiscovery(4242) on this machine (111 bytes), rebuilt
// field by field: version 3, msgID 4242, engine ID 80001f88802ee46e6247b5156b00000000, boots 1, time 3.
function tlv(tag: number, ...c: Buffer[]): Buffer {
  const b = Buffer.concat(c);
  return Buffer.concat([Buffer.from([tag, b.length]), b]);
}
const int = (bytes: number[]): Buffer => tlv(0x02, Buffer.from(bytes));
function report(msgId: number[], engine = '80001f88802ee46e6247b5156b00000000', pduTag = 0xa8): Buffer {
  const usm = tlv(0x04, tlv(0x30, tlv(0x04, Buffer.from(engine, 'hex')), int([1]), int([3]), tlv(0x04), tlv(0x04), tlv(0x04)));
  const pdu = tlv(pduTag, int(msgId), int([0]), int([0]), tlv(0x30, tlv(0x30, tlv(0x06, Buffer.from([0x2b, 6, 1, 6, 3, 15, 1, 1, 4, 0])), tlv(0x41, Buffer.from([1])))));
  return tlv(0x30, int([3]), tlv(0x30, int(msgId), int([0x00, 0xff, 0xe3]), tlv(0x04, Buffer.from([0])), int([3])), usm, tlv(0x30, tlv(0x04), tlv(0x04), pdu));
}

describe('SNMPv3 engine discovery codec', () => {
  it('encodes a reportable, unauthenticated GetRequest with an empty user and engine', () => {
    const m = encodeDiscovery(4242);
    expect(m[0]).toBe(0x30);
    expect(m.subarray(2, 5)).toEqual(Buffer.from([0x02, 0x01, 0x03])); // msgVersion 3
    expect(m.includes(Buffer.from([0x04, 0x01, 0x04]))).toBe(true); // msgFlags: reportable only (no auth, no priv)
    expect(m.includes(Buffer.from([0xa0]))).toBe(true); // GetRequest-PDU
    expect(m.length).toBeLessThan(80);
  });

  it('parses the Report and its engine ID; the msgID must match', () => {
    const r = report([0x10, 0x92]);
    expect(parseDiscoveryReply(r, 4242)).toEqual({ engineId: '80001f88802ee46e6247b5156b00000000', engineBoots: 1, engineTime: 3, pdu: 'report' });
    expect(parseDiscoveryReply(r, 4243)).toBeNull();
    expect(parseDiscoveryReply(report([0x10, 0x92], 'aa', 0xa2), 4242)?.pdu).toBe('response');
  });

  it('hostile datagrams: truncated, lying lengths, wrong PDU, garbage, v2c answers — null, never a throw', () => {
    const r = report([0x10, 0x92]);
    for (let n = 0; n < r.length; n++) expect(parseDiscoveryReply(r.subarray(0, n), 4242)).toBeNull();
    const lying = Buffer.from(r);
    lying[1] = 0x7f;
    expect(parseDiscoveryReply(lying, 4242)).toBeNull();
    expect(parseDiscoveryReply(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff]), 4242)).toBeNull();
    expect(parseDiscoveryReply(report([0x10, 0x92], 'aa', 0xa4), 4242)).toBeNull(); // a Trap is not an answer
    expect(parseDiscoveryReply(Buffer.alloc(MAX_REPLY_BYTES * 4, 0x30), 4242)).toBeNull();
    const v2c = tlv(0x30, int([1]), tlv(0x04, Buffer.from('public')), tlv(0xa2, int([1]), int([0]), int([0]), tlv(0x30)));
    expect(parseDiscoveryReply(v2c, 1)).toBeNull();
  });
});
