/**
 * SNMPv3 engine discovery (RFC 3414 §4): a GetRequest with an empty user name and engine ID, flagged
 * reportable. Any agent that speaks SNMPv3 answers it with a Report (usmStatsUnknownEngineIDs) carrying its
 * engine ID — without any community or password. iotcop uses it only to learn whether an SNMP agent is
 * there at all, so that silence to every community is not mistaken for "default communities rejected"
 * (docs/CREDENTIALS.md "SNMP: no verdict from silence"). Pure: encode and parse; the probe sends it with
 * ctx.net.udp. The parser reads at most MAX_REPLY_BYTES, MAX_DEPTH levels, and never trusts a length.
 */

export const MAX_REPLY_BYTES = 2048;
const MAX_DEPTH = 6;

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  if (n < 0x100) return Buffer.from([0x81, n]);
  return Buffer.from([0x82, n >> 8, n & 0xff]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

function int(n: number): Buffer {
  const bytes: number[] = [];
  let v = Math.max(0, Math.floor(n));
  do { bytes.unshift(v & 0xff); v = Math.floor(v / 256); } while (v > 0);
  if ((bytes[0] ?? 0) & 0x80) bytes.unshift(0);
  return tlv(0x02, Buffer.from(bytes));
}

const oct = (b: Buffer | string = ''): Buffer => tlv(0x04, typeof b === 'string' ? Buffer.from(b) : b);
const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);

/** The discovery request; `id` (1..2^31-1) is both msgID and request-id. */
export function encodeDiscovery(id: number): Buffer {
  const header = seq(int(id), int(65507), oct(Buffer.from([0x04])), int(3));
  const usm = oct(seq(oct(), int(0), int(0), oct(), oct(), oct()));
  const pdu = tlv(0xa0, int(id), int(0), int(0), seq());
  return seq(int(3), header, usm, seq(oct(), oct(), pdu));
}

interface Node { tag: number; value: Buffer; children?: Node[] }

/** BER TLVs of a buffer (constructed tags parsed to MAX_DEPTH), or null when malformed. */
function parse(buf: Buffer, depth: number): Node[] | null {
  const out: Node[] = [];
  let i = 0;
  while (i < buf.length) {
    if (out.length > 32) return null;
    const tag = buf[i++];
    let l = buf[i++];
    if (tag === undefined || l === undefined) return null;
    if (l & 0x80) {
      const k = l & 0x7f;
      if (k < 1 || k > 2 || i + k > buf.length) return null;
      l = 0;
      for (let j = 0; j < k; j++) l = l * 256 + (buf[i++] ?? 0);
    }
    if (i + l > buf.length) return null;
    const value = buf.subarray(i, i + l);
    i += l;
    const node: Node = { tag, value };
    if ((tag & 0x20) !== 0 && depth < MAX_DEPTH) {
      const kids = parse(value, depth + 1);
      if (kids === null) return null;
      node.children = kids;
    }
    out.push(node);
  }
  return out;
}

function intValue(n: Node | undefined): number | null {
  if (!n || n.tag !== 0x02 || n.value.length < 1 || n.value.length > 6) return null;
  let v = 0;
  for (const b of n.value) v = v * 256 + b;
  return v;
}

export interface DiscoveryReply {
  /** The agent's authoritative engine ID, hex (at most 32 bytes shown). */
  engineId: string;
  engineBoots: number | null;
  engineTime: number | null;
  /** 'report' (the normal answer) or 'response'. */
  pdu: 'report' | 'response';
}

/** The agent's answer to encodeDiscovery(id), or null when the datagram is not one. */
export function parseDiscoveryReply(datagram: Buffer, id: number): DiscoveryReply | null {
  const top = parse(datagram.subarray(0, MAX_REPLY_BYTES), 0);
  const msg = top?.[0];
  if (!msg || msg.tag !== 0x30 || !msg.children) return null;
  const [version, header, security, scoped] = msg.children;
  if (intValue(version) !== 3 || !header?.children || intValue(header.children[0]) !== id) return null;
  if (!security || security.tag !== 0x04) return null;
  const usm = parse(security.value, 1)?.[0];
  if (!usm || usm.tag !== 0x30 || !usm.children) return null;
  const engine = usm.children[0];
  if (!engine || engine.tag !== 0x04) return null;
  const pdu = scoped?.children?.[2];
  if (!pdu || (pdu.tag !== 0xa8 && pdu.tag !== 0xa2)) return null;
  return {
    engineId: engine.value.subarray(0, 32).toString('hex'),
    engineBoots: intValue(usm.children[1]),
    engineTime: intValue(usm.children[2]),
    pdu: pdu.tag === 0xa8 ? 'report' : 'response',
  };
}
