/**
 * Runs the identification collectors against one device — banners, mDNS, SSDP/UPnP, HTTP
 * title/Server/realm, TLS certificate subject — within a per-host limit of concurrent connections
 * (default 2), a per-exchange deadline and a connection budget, never touching the raw printer
 * ports; then folds the answers into the device and its Identification.
 */
import { WEB_PORTS } from '../data/ports.js';
import { isFragilePort } from '../net/scope.js';
import type { Device, Service } from '../model.js';
import { grabBanner, type BannerResult } from './collectors/banner.js';
import { httpIdentify, tlsCertificate, type HttpIdent } from './collectors/http.js';
import { mdnsIdentify } from './collectors/mdns.js';
import { ssdpIdentify, type SsdpIdent } from './collectors/ssdp.js';
import { udpCheck } from './collectors/udp-check.js';
import { udpRequest } from './collectors/udp-payloads.js';
import type { CertInfo } from './collectors/socket.js';
import { identify, type IdentificationOverride, type IdentifySignals } from './identify.js';
import { mapLimit, Semaphore } from './limit.js';
import { cap, MAX_BANNER_CHARS } from './text.js';

export interface HostIdentifyOptions {
  /** Deadline of each exchange (default 3000 ms). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Concurrent connections to the host (default 2). */
  perHostConnections?: number;
  override?: IdentificationOverride;
  /** UDP ports of the port list (a collector's answer on one of them adds it as an open service). */
  udpPorts?: readonly number[];
  /** UDP ports nmap actually scanned: a collector skips its port when the scan found it closed. */
  udpScanned?: readonly number[];
  /** Network collectors on/off (pure identification from the scan data still runs). */
  network?: boolean;
}

const MAX_BANNER_PORTS = 16;
const MAX_HTTP_PORTS = 3;
const MAX_TLS_PORTS = 2;
/** Services that wait for the client to speak: a short look is enough to see they volunteer nothing. */
const CLIENT_FIRST = new Set(['http', 'https', 'http-alt', 'http-proxy', 'https-alt', 'ipp', 'rtsp', 'rtsp-alt', 'upnp', 'mqtt', 'secure-mqtt', 'domain', 'microsoft-ds', 'netbios-ssn', 'rpcbind', 'nfs', 'sip', 'coap']);
const TLS_PORTS = new Set([443, 8443, 4443, 5001, 7443, 9443, 8002, 8009, 8729, 8883, 49443, 55443]);
const WEB_NAMES = new Set(['http', 'https', 'http-alt', 'https-alt', 'http-proxy', 'ssl/http', 'upnp']);
const NOT_WEB = new Set(['ssh', 'telnet', 'ftp', 'mqtt', 'secure-mqtt', 'rtsp', 'domain', 'smtp', 'pop3', 'imap', 'microsoft-ds', 'netbios-ssn', 'rpcbind', 'nfs', 'mysql', 'vnc', 'sip']);

function isFragile(port: number): boolean {
  return isFragilePort(port);
}

/** Open TCP services whose banner is worth a look (fragile ports never). */
export function bannerCandidates(device: Device): Service[] {
  return device.services.filter((s) => s.transport === 'tcp' && !isFragile(s.port)).slice(0, MAX_BANNER_PORTS);
}

/** Grabs banners (nothing sent) within the per-host limit. */
export async function collectBanners(device: Device, semaphore: Semaphore, timeoutMs: number, signal?: AbortSignal): Promise<BannerResult[]> {
  const candidates = bannerCandidates(device);
  return mapLimit(candidates, candidates.length, (svc) => semaphore.run(() => {
    const look = svc.name && CLIENT_FIRST.has(svc.name) ? Math.min(600, timeoutMs) : Math.min(1500, timeoutMs);
    return grabBanner(device.address, svc.port, look, signal);
  }));
}

function isTls(svc: Service): boolean {
  return svc.tls?.enabled === true || svc.name === 'https' || svc.name === 'https-alt' || (svc.name?.startsWith('ssl') ?? false) || TLS_PORTS.has(svc.port);
}

/**
 * Web UIs to look at, at most three: known web ports first, then services nmap calls http, then
 * services that volunteered no banner and have no product (never telnet, never the printer ports).
 * Identification runs before nmap -sV, so a name here is usually nmap's port-table guess (1880
 * "vsat-control" is Node-RED, 9091 "xmltec-xmlmail" is Transmission): only the names of NOT_WEB rule a
 * port out.
 */
export function webCandidates(device: Device, telnetPorts: readonly number[] = []): Service[] {
  const tcp = device.services.filter((s) => s.transport === 'tcp' && !isFragile(s.port) && !telnetPorts.includes(s.port));
  const rank = (s: Service) => {
    const i = WEB_PORTS.indexOf(s.port);
    if (i !== -1) return i;
    return s.name !== undefined && WEB_NAMES.has(s.name) ? 1000 + s.port : 100_000 + s.port;
  };
  const unclassified = (s: Service) => s.banner === undefined && !s.product;
  return tcp
    .filter((s) => WEB_PORTS.includes(s.port) || (s.name !== undefined && WEB_NAMES.has(s.name)) || unclassified(s))
    .filter((s) => !NOT_WEB.has(s.name ?? ''))
    .sort((a, b) => rank(a) - rank(b))
    .slice(0, MAX_HTTP_PORTS);
}

function applyCert(svc: Service, cert: CertInfo | undefined): void {
  if (!cert) return;
  svc.tls = { ...(svc.tls ?? {}), enabled: true };
  if (cert.sha256) svc.tls.certSha256 = cert.sha256;
  const subject = cap(cert.subject);
  if (subject) svc.tls.subject = subject;
}

export interface HostIdentifyResult {
  device: Device;
  signals: IdentifySignals;
  /** Ports whose banner shows telnet option negotiation. */
  telnetPorts: number[];
  /** TCP ports our own collectors identified (an HTTP answer): nmap -sV is not spent on them. */
  identifiedPorts: number[];
}

/**
 * Identifies `device` (mutated copy returned). `signals` holds what the scan already knows
 * (nmap services, MAC vendor, host names); `banners` may come from an earlier banner pass.
 */
export async function identifyHost(
  device: Device, signals: IdentifySignals, options: HostIdentifyOptions, banners?: BannerResult[],
): Promise<HostIdentifyResult> {
  const out: Device = { ...device, services: device.services.map((s) => ({ ...s })), hostnames: [...device.hostnames] };
  const sig: IdentifySignals = { ...signals, http: [...signals.http], tls: [...signals.tls], banners: [...signals.banners] };
  const timeoutMs = options.timeoutMs ?? 3000;
  const semaphore = new Semaphore(options.perHostConnections ?? 2);
  const signal = options.signal;
  const telnetPorts: number[] = [];
  const identifiedPorts: number[] = [];

  if (options.network !== false) {
    const grabbed = banners ?? await collectBanners(out, semaphore, timeoutMs, signal);
    for (const b of grabbed) {
      const svc = out.services.find((s) => s.transport === 'tcp' && s.port === b.port);
      if (b.telnet) {
        telnetPorts.push(b.port);
        if (svc && (svc.name === undefined || svc.name === 'unknown')) svc.name = 'telnet';
      }
      if (!b.text) continue;
      if (svc && svc.banner === undefined) svc.banner = cap(b.text, MAX_BANNER_CHARS);
      if (svc) fillFromBanner(svc, b.text);
      sig.banners.push({ port: b.port, text: b.text });
    }

    // UDP ports nmap left open|filtered: ask each with its protocol's inert request; a reply proves
    // it open, an ICMP unreachable closed (dropped). One at a time, spaced, so the host's ICMP rate
    // limit does not hide the answer again. What stays open|filtered gets no probes (plan.ts).
    const unsure = out.services.filter((s) => s.transport === 'udp' && s.state === 'open|filtered');
    for (const [i, svc] of unsure.entries()) {
      if (signal?.aborted) break;
      if (i > 0) await new Promise((r) => setTimeout(r, 250));
      const state = await udpCheck(out.address, svc.port, Math.min(timeoutMs, 1000), signal, udpRequest(out.address, svc.port).payload);
      if (state === 'closed') out.services = out.services.filter((s) => s !== svc);
      else if (state === 'open') svc.state = 'open';
    }

    const web = webCandidates(out, telnetPorts);
    const webPorts = new Set(web.map((s) => s.port));
    const tlsOnly = out.services.filter((s) => s.transport === 'tcp' && !isFragile(s.port) && !webPorts.has(s.port) && isTls(s)).slice(0, MAX_TLS_PORTS);

    // Skip a UDP collector when nmap scanned its port and found it closed.
    const udpClosed = (port: number) => (options.udpScanned ?? []).includes(port) && !out.services.some((s) => s.transport === 'udp' && s.port === port);
    const [mdns, ssdp, https, certs] = await Promise.all([
      udpClosed(5353) ? undefined : semaphore.run(() => mdnsIdentify(out.address, timeoutMs, signal)),
      udpClosed(1900) ? ({ responses: [] } as SsdpIdent) : ssdpIdentify(out.address, timeoutMs, signal, (fn) => semaphore.run(fn)),
      Promise.all(web.map((svc) => semaphore.run(async (): Promise<HttpIdent> => {
        const first = await httpIdentify(out.address, svc.port, isTls(svc), timeoutMs, signal);
        // A web port nmap could not classify may speak TLS: one retry over TLS when plain HTTP failed.
        if (first.status === undefined && !isTls(svc) && first.error !== 'refused' && first.error !== 'aborted' && !signal?.aborted) {
          const second = await httpIdentify(out.address, svc.port, true, timeoutMs, signal);
          if (second.status !== undefined || second.cert) return second;
        }
        return first;
      }))),
      Promise.all(tlsOnly.map((svc) => semaphore.run(async () => ({ port: svc.port, cert: await tlsCertificate(out.address, svc.port, timeoutMs, signal) })))),
    ]);

    if (mdns) {
      sig.mdns = mdns;
      if (mdns.hostname) {
        const name = mdns.hostname;
        if (!out.hostnames.includes(name) && out.hostnames.length < 8) out.hostnames.push(name);
        if (!sig.hostnames.includes(name)) sig.hostnames = [...sig.hostnames, name];
      }
      addUdpService(out, options.udpPorts, 5353, 'mdns');
    }
    if (ssdp.responses.length > 0) addUdpService(out, options.udpPorts, 1900, 'upnp');
    if (ssdp.upnp) sig.upnp = ssdp.upnp;

    for (const h of https) {
      const svc = out.services.find((s) => s.transport === 'tcp' && s.port === h.port);
      if (svc && h.tls && h.cert) applyCert(svc, h.cert);
      if (svc && h.status !== undefined) svc.name = webServiceName(svc.name, h.tls === true, h.server);
      if (h.status !== undefined) identifiedPorts.push(h.port);
      if (svc && h.server) fillFromServerHeader(svc, h.server);
      const entry: { port: number; title?: string; server?: string; realm?: string } = { port: h.port };
      if (h.title) entry.title = h.title;
      if (h.server) entry.server = h.server;
      if (h.realm) entry.realm = h.realm;
      if (h.status !== undefined) sig.http.push(entry);
      if (h.cert) sig.tls.push(certSignal(h.port, h.cert));
    }
    for (const c of certs) {
      if (!c.cert) continue;
      const svc = out.services.find((s) => s.transport === 'tcp' && s.port === c.port);
      if (svc) applyCert(svc, c.cert);
      sig.tls.push(certSignal(c.port, c.cert));
    }
  }

  // A UDP port is evidence of what the device is only when it answered: nmap's open|filtered on a silent
  // 5683 or 1900 once made a router a "smart-home hub" on one scan and not the next.
  const answeredUdp = (port: number): boolean => out.services.some((s) => s.transport === 'udp' && s.port === port && s.state !== 'open|filtered');
  sig.services = sig.services.filter((s) => s.transport !== 'udp' || answeredUdp(s.port));
  out.identification = identify(sig, options.override);
  if (options.override?.name) out.name = options.override.name;
  else out.name = out.hostnames[0] ?? out.address;
  return { device: out, signals: sig, telnetPorts, identifiedPorts };
}

/** HTTP-carried protocols whose name says more than "http": an HTTP answer keeps them. */
const HTTP_CARRIED = new Set(['cwmp']);

/**
 * The name of a service that answered HTTP. Identification runs before nmap -sV, so the name it had
 * is usually the port table's guess; this stands in for -sV's verdict: a web name stays, `upnp` stays
 * only when the Server header says UPnP (as nmap's own match lines require), a TR-069 name stays, and
 * anything else becomes http or https.
 */
export function webServiceName(current: string | undefined, tls: boolean, server: string | undefined): string {
  const plain = tls ? 'https' : 'http';
  if (current === undefined) return plain;
  if (current === 'upnp') return server !== undefined && /upnp/i.test(server) ? current : plain;
  return WEB_NAMES.has(current) || HTTP_CARRIED.has(current) ? current : plain;
}

/** SSH and FTP greetings name the software: fills name/product/version when the scan left them empty. */
export function fillFromBanner(svc: Service, banner: string): void {
  const ssh = /^SSH-[\d.]+-([A-Za-z][\w.-]*?)[_-]v?(\d[\w.]*)/.exec(banner);
  if (ssh) {
    if (svc.name === undefined || svc.name === 'unknown') svc.name = 'ssh';
    if (!svc.product) {
      svc.product = cap(ssh[1] === 'dropbear' ? 'Dropbear sshd' : ssh[1])!;
      svc.version = cap(ssh[2])!;
    }
    return;
  }
  if (/^220[ -]/.test(banner) && /ftp/i.test(banner.slice(0, 200)) && (svc.name === undefined || svc.name === 'unknown')) svc.name = 'ftp';
}

/** "lighttpd/1.4.35" → product lighttpd, version 1.4.35, when version detection left them empty. */
export function fillFromServerHeader(svc: Service, server: string): void {
  if (svc.product) return;
  const m = /^([A-Za-z][\w.-]{0,60})\/(\d[\w.-]{0,40})/.exec(server);
  if (m) {
    svc.product = m[1]!;
    svc.version = m[2]!;
  } else if (/^[A-Za-z][\w .-]{0,60}$/.test(server)) {
    svc.product = server;
  }
}

function certSignal(port: number, cert: CertInfo): { port: number; subject?: string; issuer?: string } {
  const s: { port: number; subject?: string; issuer?: string } = { port };
  const subject = cap(cert.subject);
  if (subject) s.subject = subject;
  const issuer = cap(cert.issuer);
  if (issuer) s.issuer = issuer;
  return s;
}

/** A UDP answer proves the port open: list it when the port is in the scanned UDP set and not already there. */
function addUdpService(device: Device, udpPorts: readonly number[] | undefined, port: number, name: string): void {
  if (!udpPorts?.includes(port)) return;
  const existing = device.services.find((s) => s.transport === 'udp' && s.port === port);
  if (existing) {
    existing.state = 'open';
    existing.name ??= name;
    return;
  }
  device.services.push({ port, transport: 'udp', state: 'open', name });
  device.services.sort((a, b) => (a.transport === b.transport ? a.port - b.port : a.transport === 'tcp' ? -1 : 1));
}
