/**
 * mDNS identification by unicast query to the device's port 5353 (RFC 6762 §6.7 "legacy unicast":
 * the responder answers to our source port). Round 1 asks for the DNS-SD service types and the
 * reverse-address name; round 2 asks for the instances of a few of those types (their TXT records
 * carry model and vendor). Every name and string is capped; records per packet are capped.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import makeMdns from 'multicast-dns';
import type { MdnsSignal } from '../identify.js';
import { cap } from '../text.js';

const MAX_RECORDS = 200;
const MAX_SERVICES = 32;
const MAX_TXT = 64;
const ROUND2_TYPES = 6;

export function reverseName(address: string): string | undefined {
  const family = net.isIP(address);
  if (family === 4) return `${address.split('.').reverse().join('.')}.in-addr.arpa`;
  if (family === 6) {
    const parts = expandIpv6(address);
    if (!parts) return undefined;
    return `${parts.join('').split('').reverse().join('.')}.ip6.arpa`;
  }
  return undefined;
}

function expandIpv6(address: string): string[] | undefined {
  const [head, tail] = address.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) return undefined;
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t];
  if (all.length !== 8 || all.some((p) => !/^[0-9a-f]{1,4}$/i.test(p))) return undefined;
  return all.map((p) => p.toLowerCase().padStart(4, '0'));
}

interface Rec { name: string; type: string; data: unknown }

function txtStrings(data: unknown): string[] {
  const list = Array.isArray(data) ? data : [data];
  return list.flatMap((d) => {
    if (Buffer.isBuffer(d)) return [d.toString('utf8')];
    if (typeof d === 'string') return [d];
    return [];
  }).map((s) => cap(s)).filter((s): s is string => s !== undefined);
}

/** Folds the records of one response into the signal (pure; exported for tests). */
export function absorbRecords(records: Rec[], reverse: string | undefined, signal: MdnsSignal): string[] {
  const serviceTypes: string[] = [];
  for (const r of records.slice(0, MAX_RECORDS)) {
    const name = cap(String(r.name ?? ''), 255);
    if (!name) continue;
    if (r.type === 'PTR' && typeof r.data === 'string') {
      const target = cap(r.data, 255);
      if (!target) continue;
      if (name.toLowerCase() === '_services._dns-sd._udp.local') {
        if (!signal.services.includes(target) && signal.services.length < MAX_SERVICES) signal.services.push(target);
        serviceTypes.push(target);
      } else if (reverse && name.toLowerCase() === reverse.toLowerCase()) {
        signal.hostname ??= target.replace(/\.$/, '');
      } else if (!signal.instances.includes(target) && signal.instances.length < MAX_SERVICES) {
        signal.instances.push(target);
        if (!signal.services.includes(name) && signal.services.length < MAX_SERVICES) signal.services.push(name);
      }
    } else if (r.type === 'TXT') {
      for (const t of txtStrings(r.data)) {
        if (signal.txt.length >= MAX_TXT) break;
        if (!signal.txt.includes(t)) signal.txt.push(t);
      }
    } else if (r.type === 'SRV' && typeof r.data === 'object' && r.data !== null) {
      const target = (r.data as { target?: unknown }).target;
      if (typeof target === 'string' && !signal.hostname) signal.hostname = cap(target.replace(/\.$/, ''), 255);
    } else if ((r.type === 'A' || r.type === 'AAAA') && !signal.hostname && name.endsWith('.local')) {
      signal.hostname = name;
    }
  }
  return serviceTypes;
}

/** Encodes a DNS query (RFC 1035 §4.1) with the given questions, class IN. */
export function encodeQuery(questions: { name: string; type: 'PTR' | 'TXT' }[], id = 0): Buffer {
  const TYPES = { PTR: 12, TXT: 16 } as const;
  const parts: Buffer[] = [];
  const header = Buffer.alloc(12);
  header.writeUInt16BE(id, 0);
  header.writeUInt16BE(questions.length, 4);
  parts.push(header);
  for (const q of questions) {
    for (const label of q.name.replace(/\.$/, '').split('.')) {
      const bytes = Buffer.from(label, 'utf8');
      if (bytes.length === 0 || bytes.length > 63) throw new RangeError(`bad DNS label in ${q.name}`);
      parts.push(Buffer.from([bytes.length]), bytes);
    }
    const tail = Buffer.alloc(5);
    tail.writeUInt8(0, 0);
    tail.writeUInt16BE(TYPES[q.type], 1);
    tail.writeUInt16BE(1, 3);
    parts.push(tail);
  }
  return Buffer.concat(parts);
}

/**
 * One query/response round on a connected UDP socket (so an ICMP port-unreachable ends it at once).
 * multicast-dns decodes the replies; the query is encoded here.
 */
async function round(host: string, port: number, questions: { name: string; type: 'PTR' | 'TXT' }[], windowMs: number, signal: AbortSignal | undefined, onRecords: (r: Rec[]) => void): Promise<boolean> {
  const family = net.isIP(host);
  const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
  const mdns = makeMdns({ multicast: false, port: 0, socket, type: family === 6 ? 'udp6' : 'udp4', ip: host, interface: family === 6 ? '::' : '0.0.0.0', bind: false });
  let answered = false;
  return new Promise<boolean>((resolve) => {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      try { mdns.destroy(); } catch { /* closed */ }
      resolve(answered);
    };
    let timer = setTimeout(finish, windowMs);
    signal?.addEventListener('abort', finish, { once: true });
    socket.on('error', finish);
    mdns.on('error', finish);
    mdns.on('warning', (e: NodeJS.ErrnoException) => { if (e?.code === 'ECONNREFUSED') finish(); });
    mdns.on('response', (packet, rinfo) => {
      if (rinfo.address.replace(/^::ffff:/, '') !== host) return;
      if (!answered) {
        // Responders answer in one packet or a quick burst: a short grace after the first is enough.
        clearTimeout(timer);
        timer = setTimeout(finish, 300);
      }
      answered = true;
      const records = [...(packet.answers ?? []), ...(packet.additionals ?? [])] as unknown as Rec[];
      onRecords(records);
    });
    socket.connect(port, host, () => {
      if (done) return;
      socket.send(encodeQuery(questions), (err) => { if (err) finish(); });
    });
  });
}

export const MDNS_PORT = 5353;

export async function mdnsIdentify(host: string, timeoutMs: number, signal?: AbortSignal, port = MDNS_PORT): Promise<MdnsSignal | undefined> {
  if (net.isIP(host) === 0 || signal?.aborted) return undefined;
  const reverse = reverseName(host);
  const result: MdnsSignal = { services: [], instances: [], txt: [] };
  const window = Math.min(timeoutMs, 1500);
  const types: string[] = [];
  const q1: { name: string; type: 'PTR' }[] = [{ name: '_services._dns-sd._udp.local', type: 'PTR' }];
  if (reverse) q1.push({ name: reverse, type: 'PTR' });
  const answered = await round(host, port, q1, window, signal, (records) => types.push(...absorbRecords(records, reverse, result)));
  if (!answered) return undefined;
  const wanted = [...new Set(types)].filter((t) => t.endsWith('.local')).slice(0, ROUND2_TYPES);
  if (wanted.length > 0 && !signal?.aborted) {
    await round(host, port, wanted.map((name) => ({ name, type: 'PTR' as const })), window, signal, (records) => { absorbRecords(records, reverse, result); });
  }
  return result;
}
