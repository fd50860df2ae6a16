/**
 * SSDP/UPnP identification: a unicast M-SEARCH to the device's port 1900, then the device
 * description from the LOCATION it announces — fetched only when that URL points at the same
 * device (same address, a non-fragile port, plain http), with a byte cap and a deadline, and parsed
 * as hostile XML (no DTDs).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { isFragilePort } from '../../net/scope.js';
import type { UpnpSignal } from '../identify.js';
import { cap } from '../text.js';
import { parseXmlSafely } from '../xml.js';
import { hostHeader, parseHttpResponse } from './http.js';
import { exchange } from './socket.js';

export const SSDP_MAX_RESPONSES = 16;
export const DESCRIPTION_MAX_BYTES = 128 * 1024;

export interface SsdpResponse { location?: string; server?: string; st?: string; usn?: string }

export function mSearch(host: string): Buffer {
  const h = host.includes(':') ? '[FF02::C]:1900' : '239.255.255.250:1900';
  return Buffer.from(`M-SEARCH * HTTP/1.1\r\nHOST: ${h}\r\nMAN: "ssdp:discover"\r\nMX: 1\r\nST: upnp:rootdevice\r\nUSER-AGENT: iotcop/1 UPnP/1.1 iotcop/1\r\n\r\n`, 'latin1');
}

export function parseSsdpResponse(buf: Buffer): SsdpResponse | undefined {
  const text = buf.subarray(0, 4096).toString('latin1');
  if (!/^HTTP\/1\.\d\s+200/i.test(text) && !/^NOTIFY\s/i.test(text)) return undefined;
  const out: SsdpResponse = {};
  for (const line of text.split(/\r?\n/).slice(1, 50)) {
    const idx = line.indexOf(':');
    if (idx <= 0) continue;
    const name = line.slice(0, idx).trim().toLowerCase();
    const value = cap(line.slice(idx + 1), 500);
    if (value === undefined) continue;
    if (name === 'location') out.location = value;
    else if (name === 'server') out.server = cap(value);
    else if (name === 'st' || name === 'nt') out.st = cap(value);
    else if (name === 'usn') out.usn = cap(value);
  }
  return out;
}

/** Sends one M-SEARCH and collects replies from `host` until the deadline (or the reply cap). */
export const SSDP_PORT = 1900;

export function ssdpSearch(host: string, timeoutMs: number, signal?: AbortSignal, port = SSDP_PORT): Promise<SsdpResponse[]> {
  return new Promise((resolve) => {
    const family = net.isIP(host);
    if (family === 0 || signal?.aborted) { resolve([]); return; }
    const socket = dgram.createSocket(family === 6 ? 'udp6' : 'udp4');
    const replies: SsdpResponse[] = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', finish);
      try { socket.close(); } catch { /* closed */ }
      resolve(replies);
    };
    let timer = setTimeout(finish, timeoutMs);
    signal?.addEventListener('abort', finish, { once: true });
    socket.on('error', finish);
    socket.on('message', (msg, rinfo) => {
      if (rinfo.address.replace(/^::ffff:/, '') !== host) return;
      if (replies.length === 0) {
        // Devices send one reply per service type in a quick burst.
        clearTimeout(timer);
        timer = setTimeout(finish, 500);
      }
      const r = parseSsdpResponse(msg);
      if (r) replies.push(r);
      if (replies.length >= SSDP_MAX_RESPONSES) finish();
    });
    // Connected: an ICMP port-unreachable ends the wait at once (ECONNREFUSED on the socket).
    socket.connect(port, host, () => {
      if (done) return;
      socket.send(mSearch(host), (err) => { if (err) finish(); });
    });
  });
}

/** Accepts a LOCATION only when it points back at the same device over plain http on a non-fragile port. */
export function safeLocation(location: string | undefined, host: string): URL | undefined {
  if (!location) return undefined;
  let url: URL;
  try { url = new URL(location); } catch { return undefined; }
  if (url.protocol !== 'http:') return undefined;
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  if (hostname.toLowerCase() !== host.toLowerCase()) return undefined;
  const port = url.port === '' ? 80 : Number(url.port);
  if (isFragilePort(port)) return undefined;
  return url;
}

type XNode = Record<string, unknown>;

function text(v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number') return cap(String(v));
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    const t = (v as XNode)['#text'];
    return typeof t === 'string' || typeof t === 'number' ? cap(String(t)) : undefined;
  }
  return undefined;
}

/** Extracts the root device of a UPnP description. Throws DiscoveryError('xml-invalid') on hostile or broken XML. */
export function parseDescription(xml: string): UpnpSignal {
  const doc = parseXmlSafely(xml, DESCRIPTION_MAX_BYTES, 'UPnP description');
  const root = Object.entries(doc).find(([k]) => k === 'root' || k.endsWith(':root'))?.[1] as XNode | undefined;
  let device = root?.['device'] as unknown;
  if (Array.isArray(device)) device = device[0];
  if (typeof device !== 'object' || device === null) return {};
  const d = device as XNode;
  const out: UpnpSignal = {};
  const pairs: [keyof UpnpSignal, string[]][] = [
    ['deviceType', ['deviceType']],
    ['friendlyName', ['friendlyName']],
    ['manufacturer', ['manufacturer']],
    ['modelName', ['modelName']],
    ['modelNumber', ['modelNumber']],
    ['modelDescription', ['modelDescription']],
    ['serialNumber', ['serialNumber']],
    ['firmware', ['firmwareVersion', 'softwareVersion', 'firmware', 'X_firmwareVersion', 'fwVersion']],
  ];
  for (const [key, names] of pairs) {
    for (const name of names) {
      const hit = Object.entries(d).find(([k]) => k === name || k.endsWith(`:${name}`));
      const v = hit ? text(hit[1]) : undefined;
      if (v) { out[key] = v; break; }
    }
  }
  return out;
}

export interface SsdpIdent { responses: SsdpResponse[]; upnp?: UpnpSignal; error?: string }

/**
 * Full SSDP collection. `httpSlot` wraps the description fetch so it counts against the per-host
 * connection limit.
 */
export async function ssdpIdentify(
  host: string, timeoutMs: number, signal: AbortSignal | undefined,
  httpSlot: <T>(fn: () => Promise<T>) => Promise<T>,
  ssdpPort = 1900,
): Promise<SsdpIdent> {
  const responses = await ssdpSearch(host, Math.min(timeoutMs, 2500), signal, ssdpPort);
  const out: SsdpIdent = { responses };
  if (responses.length === 0) return out;
  const server = responses.find((r) => r.server)?.server;
  const url = responses.map((r) => safeLocation(r.location, host)).find((u) => u !== undefined);
  const upnp: UpnpSignal = {};
  if (server) upnp.server = server;
  if (url) {
    const port = url.port === '' ? 80 : Number(url.port);
    const path = `${url.pathname}${url.search}`;
    const request = `GET ${path} HTTP/1.0\r\nHost: ${hostHeader(host, port, false)}\r\nUser-Agent: iotcop (device identification)\r\nConnection: close\r\n\r\n`;
    const r = await httpSlot(() => exchange({ host, port, send: request, maxBytes: DESCRIPTION_MAX_BYTES, timeoutMs, signal }));
    const parsed = parseHttpResponse(r.data);
    if (parsed && parsed.status === 200 && !r.truncated) {
      try {
        Object.assign(upnp, parseDescription(parsed.body.toString('utf8')));
      } catch (e) {
        out.error = e instanceof Error ? e.message : 'invalid description';
      }
    } else {
      out.error = r.truncated ? 'description too large' : r.error ?? (r.timedOut ? 'timeout' : `HTTP ${parsed?.status ?? 'invalid'}`);
    }
  }
  if (Object.keys(upnp).length > 0) out.upnp = upnp;
  return out;
}
