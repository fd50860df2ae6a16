/**
 * upnp-disclosure: what does the device's UPnP description tell anyone on the network, and does it
 * offer an Internet Gateway Device (the UPnP service that lets any program open ports in the router)?
 *
 * Host scope, one unicast SSDP M-SEARCH (ssdp:all) to the device's own 1900/udp, then a GET of at most
 * MAX_DESCRIPTIONS description URLs from the LOCATION headers — only when the LOCATION names the
 * device's own IP address literally (never another host, never a name that would need resolving:
 * scope) and its port parses as a valid, non-fragile port. Never a SOAP action, never SUBSCRIBE.
 * The XML goes through lib/upnp-description.ts (size cap, DOCTYPE rejected, capped fields).
 */
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { ErrorKind, Json } from '../model.js';
import { errorDetail } from '../net/errors.js';
import { hostForUrl, isFragilePort, isValidPort } from '../net/scope.js';
import {
  capText, firmwareInText, isIgdType, isRealSerial, MAX_DESCRIPTION_BYTES, parseUpnpDescription, type UpnpDescription,
} from './lib/upnp-description.js';

export const SSDP_PORT = 1900;
export const MAX_REPLIES = 16;
export const MAX_DESCRIPTIONS = 2;
const SSDP_WAIT_MS = 2_000;

export type SsdpReply = { st: string | null; usn: string | null; location: string | null; server: string | null };

export type DescriptionFetch = {
  location: string;
  status: number | null;
  error: { kind: ErrorKind; message: string } | null;
  description: UpnpDescription | null;
};

export type UpnpEvidence = {
  ssdp: { answered: boolean; replies: SsdpReply[]; error: { kind: ErrorKind; message: string } | null };
  descriptions: DescriptionFetch[];
  /** LOCATIONs not fetched, with the reason (another host, bad port, over the cap…). */
  skipped: { location: string; reason: string }[];
};

export function mSearch(address: string): Buffer {
  return Buffer.from([
    'M-SEARCH * HTTP/1.1', `HOST: ${hostForUrl(address)}:${SSDP_PORT}`, 'MAN: "ssdp:discover"', 'MX: 1', 'ST: ssdp:all',
    'USER-AGENT: iotcop/1 UPnP/1.1 iotcop/1', '', '',
  ].join('\r\n'));
}

/** Parses one SSDP answer (an HTTP/1.1 200 response over UDP); null when it is not one. */
export function parseSsdpReply(datagram: Buffer): SsdpReply | null {
  const text = datagram.subarray(0, 4096).toString('latin1');
  const lines = text.split(/\r?\n/).slice(0, 40);
  if (!/^HTTP\/1\.[01] 200\b/i.test(lines[0] ?? '')) return null;
  const reply: SsdpReply = { st: null, usn: null, location: null, server: null };
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = capText(line.slice(colon + 1), 300);
    if (name === 'st') reply.st = value;
    else if (name === 'usn') reply.usn = value;
    else if (name === 'location') reply.location = value;
    else if (name === 'server') reply.server = value;
  }
  return reply;
}

/** Where a LOCATION may be fetched: only on the device itself, by IP literal, on a valid non-fragile port. */
export function descriptionTarget(location: string, address: string): { port: number; tls: boolean; path: string } | { reason: string } {
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return { reason: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { reason: `scheme ${url.protocol.slice(0, 10)} is not HTTP` };
  if (url.hostname.toLowerCase() !== hostForUrl(address).toLowerCase()) return { reason: 'names another host (out of scope)' };
  const tls = url.protocol === 'https:';
  const port = url.port === '' ? (tls ? 443 : 80) : Number(url.port);
  if (!isValidPort(port)) return { reason: 'invalid port' };
  if (isFragilePort(port)) return { reason: `port ${port} is a raw printer port` };
  const path = `${url.pathname}${url.search}`;
  if (!path.startsWith('/') || path.length > 512) return { reason: 'unusable path' };
  return { port, tls, path };
}


async function fetchDescription(ctx: ProbeContext, location: string, target: { port: number; tls: boolean; path: string }): Promise<DescriptionFetch> {
  const out: DescriptionFetch = { location, status: null, error: null, description: null };
  try {
    const res = await ctx.net.http({ port: target.port, tls: target.tls, path: target.path, method: 'GET', maxBytes: MAX_DESCRIPTION_BYTES, timeoutMs: 5_000 });
    out.status = res.status;
    if (res.status !== 200) { out.error = { kind: 'protocol-error', message: `HTTP ${res.status}` }; return out; }
    if (res.truncated) { out.error = { kind: 'protocol-error', message: `description larger than ${MAX_DESCRIPTION_BYTES} bytes` }; return out; }
    try {
      out.description = parseUpnpDescription(res.body.toString('utf8'));
    } catch (e) {
      out.error = { kind: 'protocol-error', message: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
    }
  } catch (e) {
    out.error = errorDetail(e);
  }
  return out;
}

type Disclosure = { manufacturer: string | null; model: string | null; serial: string | null; firmware: string | null; friendlyName: string | null };

/** The identifying fields the descriptions give out (the first non-empty of each across devices). */
export function disclosed(ev: UpnpEvidence): Disclosure {
  const out: Disclosure = { manufacturer: null, model: null, serial: null, firmware: null, friendlyName: null };
  for (const d of ev.descriptions.flatMap((x) => x.description?.devices ?? [])) {
    out.manufacturer ??= d.manufacturer;
    out.friendlyName ??= d.friendlyName;
    const model = [d.modelName, d.modelNumber].filter((x): x is string => x !== null).join(' ');
    if (model !== '') out.model ??= model;
    if (isRealSerial(d.serialNumber)) out.serial ??= d.serialNumber;
    out.firmware ??= d.firmware ?? firmwareInText(d.modelDescription) ?? firmwareInText(d.friendlyName) ?? firmwareInText(d.modelNumber);
  }
  return out;
}

function igdSignals(ev: UpnpEvidence): string[] {
  const types = [
    ...ev.ssdp.replies.flatMap((r) => [r.st, r.usn]),
    ...ev.descriptions.flatMap((x) => [
      ...(x.description?.devices.map((d) => d.deviceType) ?? []),
      ...(x.description?.services.map((s) => s.serviceType) ?? []),
    ]),
  ];
  const found = new Set<string>();
  for (const t of types) {
    if (!isIgdType(t)) continue;
    const m = /(InternetGatewayDevice|WANDevice|WANConnectionDevice|WANIPConnection|WANPPPConnection|WANIPv6FirewallControl)/i.exec(t ?? '');
    if (m?.[1]) found.add(m[1]);
  }
  return [...found];
}

const AT = { port: SSDP_PORT, transport: 'udp' as const };

export function assessUpnp(ev: UpnpEvidence): CheckResult[] {
  if (!ev.ssdp.answered) {
    if (ev.ssdp.error && ev.ssdp.error.kind !== 'refused') {
      return [
        { check: 'upnp-information-disclosure', status: 'error', error: ev.ssdp.error, ...AT },
        { check: 'upnp-igd-exposed', status: 'error', error: ev.ssdp.error, ...AT },
      ];
    }
    const detail = 'The device did not answer a UPnP (SSDP) search.';
    return [
      { check: 'upnp-information-disclosure', status: 'not_applicable', detail, ...AT },
      { check: 'upnp-igd-exposed', status: 'not_applicable', detail, ...AT },
    ];
  }
  const results: CheckResult[] = [];
  const info = disclosed(ev);
  const servers = [...new Set(ev.ssdp.replies.map((r) => r.server).filter((s): s is string => s !== null))].slice(0, 3);
  const parsed = ev.descriptions.filter((d) => d.description !== null);
  const evidence: Json = {
    locations: ev.descriptions.map((d) => d.location), skipped: ev.skipped, servers,
    manufacturer: info.manufacturer, model: info.model, serialNumber: info.serial, firmware: info.firmware, friendlyName: info.friendlyName,
  };
  if (parsed.length === 0) {
    const outOfScope = ev.skipped.find((s) => s.reason.includes('another host'));
    const failed = ev.descriptions.find((d) => d.error !== null);
    if (failed?.error) {
      results.push({ check: 'upnp-information-disclosure', status: 'error', error: failed.error, evidence, ...AT });
    } else if (outOfScope) {
      results.push({ check: 'upnp-information-disclosure', status: 'error', error: { kind: 'out-of-scope', message: `the description URL ${outOfScope.location.slice(0, 120)} is on another host and was not fetched` }, evidence, ...AT });
    } else {
      results.push({ check: 'upnp-information-disclosure', status: 'pass', confidence: 'low', detail: `The device answers UPnP searches without naming a description${servers.length ? ` (server "${servers[0]}")` : ''}.`, evidence, ...AT });
    }
  } else if (info.serial !== null || info.firmware !== null) {
    const parts = [
      info.manufacturer && `manufacturer "${info.manufacturer}"`,
      info.model && `model "${info.model}"`,
      info.serial && `serial number "${info.serial}"`,
      info.firmware && `firmware "${info.firmware}"`,
    ].filter((x): x is string => typeof x === 'string' && x !== '');
    results.push({
      check: 'upnp-information-disclosure', status: 'warn', evidence, ...AT,
      detail: `Without a login, the UPnP description at ${parsed[0]!.location.slice(0, 120)} gives out ${parts.join(', ')}.`,
    });
  } else {
    results.push({
      check: 'upnp-information-disclosure', status: 'pass', confidence: 'medium', evidence, ...AT,
      detail: `The UPnP description names the device (${[info.manufacturer, info.model].filter(Boolean).join(' ') || 'no model'}) but no serial number or firmware version.`,
    });
  }

  const igd = igdSignals(ev);
  // an IGD is often named only in the description: when every announced description
  // failed or was out of reach, "no IGD" was never checked.
  const unread = parsed.length === 0 && (ev.descriptions.length > 0 || ev.skipped.length > 0);
  if (igd.length === 0 && unread) {
    const failed = ev.descriptions.find((d) => d.error !== null)?.error;
    results.push({
      check: 'upnp-igd-exposed', status: 'error', ...AT,
      error: failed ?? { kind: 'protocol-error', message: `no UPnP description could be read (${ev.skipped.map((s) => s.reason).slice(0, 3).join('; ').slice(0, 200)})` },
    });
  } else if (igd.length > 0) {
    results.push({
      check: 'upnp-igd-exposed', status: 'warn', ...AT,
      detail: `The device offers a UPnP Internet Gateway Device (${igd.join(', ')}): any program on the network can ask it, without a password, to open ports from the internet.`,
      evidence: { igd, locations: ev.descriptions.map((d) => d.location) },
    });
  } else {
    results.push({ check: 'upnp-igd-exposed', status: 'pass', detail: 'The device answers UPnP but announces no Internet Gateway Device.', ...AT });
  }
  return results;
}

export default defineProbe<UpnpEvidence>({
  meta: {
    id: 'upnp-disclosure',
    title: 'Information given out over UPnP',
    safety: 'safe',
    appliesTo: { scope: 'host' },
    budget: { maxConnections: 1 + MAX_DESCRIPTIONS, timeoutMs: 15_000, typicalMs: 2_000 },
    checks: {
      'upnp-information-disclosure': {
        title: 'UPnP gives out no serial number or firmware version',
        failureTitle: 'UPnP gives out the serial number and firmware version without a login',
        summary: 'This device tells anyone on your network its exact model, serial number and software version, which helps an attacker pick a known weakness or guess a password derived from the serial number.',
        guidelines: ['uk-cop-6'],
        provisions: ['5.6-2'],
        severity: 'medium',
        description: 'Devices that speak UPnP answer a discovery request (SSDP) with the address of an XML description. Anyone on the network can read it without logging in; many devices put the serial number, the exact model and the firmware version there. Serial numbers are sometimes the base of default passwords or Wi-Fi keys, and a firmware version tells an attacker which published vulnerabilities apply. EN 303 645 5.6-2 asks devices to minimise the unauthenticated disclosure of security-relevant information.',
        remediation: 'Switch UPnP off in the device\'s settings if you do not need it (media sharing and game consoles are the usual users). Ask the vendor for a firmware that leaves the serial number and software version out of its UPnP description.',
      },
      'upnp-igd-exposed': {
        title: 'No UPnP Internet Gateway Device offered',
        failureTitle: 'UPnP Internet Gateway Device lets any program open ports to the internet',
        summary: 'Any app or infected device on your network can tell this router to open a door from the internet to it, without asking you.',
        guidelines: ['uk-cop-6'],
        provisions: ['5.6-1'],
        severity: 'medium',
        description: 'The UPnP Internet Gateway Device (IGD) service with WANIPConnection or WANPPPConnection lets any program on the local network add port forwardings to the router without authentication. Malware uses it to make infected devices reachable from the internet, and flawed IGD implementations have been exploited directly. EN 303 645 5.6-1 asks that unused network interfaces be disabled.',
        remediation: 'Switch UPnP (often called "UPnP IGD" or "automatic port forwarding") off in the router\'s settings unless a device you use needs it; if you keep it, make sure the router\'s firmware is current and UPnP is not reachable from the internet side.',
      },
    },
  },
  async collect(ctx) {
    const ev: UpnpEvidence = { ssdp: { answered: false, replies: [], error: null }, descriptions: [], skipped: [] };
    let datagrams: Buffer[];
    try {
      datagrams = await ctx.net.udp({ port: SSDP_PORT, payload: mSearch(ctx.device.address), timeoutMs: SSDP_WAIT_MS, maxReplies: MAX_REPLIES, maxBytes: 32 * 1024 });
    } catch (e) {
      ev.ssdp.error = errorDetail(e);
      return ev;
    }
    ev.ssdp.replies = datagrams.map(parseSsdpReply).filter((r): r is SsdpReply => r !== null).slice(0, MAX_REPLIES);
    ev.ssdp.answered = ev.ssdp.replies.length > 0;
    const locations = [...new Set(ev.ssdp.replies.map((r) => r.location).filter((l): l is string => l !== null))];
    for (const location of locations) {
      const target = descriptionTarget(location, ctx.device.address);
      if ('reason' in target) { ev.skipped.push({ location, reason: target.reason }); continue; }
      if (ev.descriptions.length >= MAX_DESCRIPTIONS) { ev.skipped.push({ location, reason: 'over the description cap' }); continue; }
      ev.descriptions.push(await fetchDescription(ctx, location, target));
    }
    return ev;
  },
  assess(evidence) {
    return assessUpnp(evidence);
  },
});
