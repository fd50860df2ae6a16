/**
 * What the three discovery strategies (nmap, the built-in connect scan, an imported nmap XML) share: the
 * run's context, the per-host caps, and finishing a host (identification, MAC vendor, services).
 */
import { promises as dns } from 'node:dns';
import { DEFAULT_TCP_PORTS } from '../data/ports.js';
import type { Capabilities, Device, Service } from '../model.js';
import { DiscoveryError } from './errors.js';
import { identify, type IdentifySignals, type ServiceSignal } from './identify.js';
import type { BannerResult } from './collectors/banner.js';
import { collectBanners, identifyHost } from './identify-host.js';
import { Semaphore } from './limit.js';
import { type OuiTable } from './mac.js';
import { type PortSet } from './portspec.js';
import { type PrivilegeInfo } from './privileges.js';
import { cap } from './text.js';
import type { DiscoveryEvent, DiscoveryOptions } from './types.js';

export const NMAP_MISSING_NOTICE = 'nmap not found: reduced discovery (TCP connect scan only), install nmap for SYN scanning, service and version detection, UDP ports and MAC addresses';

export const PORT_TABLE = new Map(DEFAULT_TCP_PORTS.map((e) => [e.port, e.service]));
/** More open TCP ports than this on one host looks like a tarpit (HOSTILE.md #8). */
const TARPIT_OPEN_PORTS = 100;
/** Services listed per host at most (a tarpit answering on all 65535 ports would swamp the report). */
const MAX_SERVICES_PER_HOST = 512;

/** Keeps the default-list ports first, then the lowest others, up to the cap (UDP kept). */
function capServices(services: Service[]): Service[] {
  const known = (s: Service) => (PORT_TABLE.has(s.port) ? 0 : 1);
  const tcp = services.filter((s) => s.transport === 'tcp').sort((a, b) => known(a) - known(b) || a.port - b.port).slice(0, MAX_SERVICES_PER_HOST);
  return [...tcp.sort((a, b) => a.port - b.port), ...services.filter((s) => s.transport === 'udp')];
}

export function checkAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DiscoveryError('aborted', 'discovery was cancelled');
}

export type Emit = (e: DiscoveryEvent) => void;

export interface Context {
  options: DiscoveryOptions;
  signal: AbortSignal;
  /** Aborted on the first fatal error so sibling work stops (and on cancellation). */
  controller: AbortController;
  emit: Emit;
  ports: PortSet;
  priv: PrivilegeInfo;
  oui: OuiTable;
  identifyNetwork: boolean;
  timeoutMs: number;
  hostConcurrency: number;
}

export function privilegeNotices(ctx: Context, nmapPresent: boolean): string[] {
  const notices: string[] = [];
  if (!ctx.priv.privileged && nmapPresent) {
    const udp = ctx.ports.udp.length > 0 ? `; UDP ports (${ctx.ports.udp.join(', ')}) are not scanned` : '';
    notices.push(`not running as root (no CAP_NET_RAW): TCP connect scan instead of SYN scan, no MAC addresses from nmap${udp}`);
  }
  return notices;
}

export function emitCapabilities(ctx: Context, capabilities: Capabilities): void {
  ctx.emit({ type: 'capabilities', capabilities });
  for (const message of capabilities.notices) ctx.emit({ type: 'notice', message });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** nmap -sV on `device`'s open TCP ports except telnet and `identifiedPorts`; mutates the device's services, returns their signals. */
export type VersionPass = (device: Device, telnetPorts: number[], identifiedPorts: number[]) => Promise<ServiceSignal[] | undefined>;

/**
 * The per-host tail shared by every source: tarpit check, banners (to spot telnet), our own
 * identification collectors, then the version pass (nmap only) on the ports they left unidentified,
 * and identification again with what it added. Identification comes first because nmap -sV waits
 * about 6 s on every client-first port (its NULL probe) and over 11 s on a web UI it must probe,
 * where the HTTP collector names the service in milliseconds (issue 18, BENCHMARKS.md).
 */
export async function finishHost(ctx: Context, device: Device, signals: IdentifySignals, versionPass?: VersionPass, udpScanned?: readonly number[]): Promise<Device> {
  const { signal, options } = ctx;
  const openTcp = device.services.filter((s) => s.transport === 'tcp').length;
  if (openTcp > TARPIT_OPEN_PORTS) {
    ctx.emit({ type: 'warning', message: `${device.address}: ${openTcp} open TCP ports — possibly a tarpit or a device answering on every port; identification is limited${openTcp > MAX_SERVICES_PER_HOST ? ` and only ${MAX_SERVICES_PER_HOST} ports are listed` : ''}` });
    if (openTcp > MAX_SERVICES_PER_HOST) device.services = capServices(device.services);
  }
  const override = options.overrides?.get(device.address);
  const semaphore = new Semaphore(2);
  // Banners (nothing sent) also keep version detection off telnet on unusual ports, so they are
  // read before a version pass even when identification is off.
  const banners = ctx.identifyNetwork || versionPass ? await collectBanners(device, semaphore, ctx.timeoutMs, signal) : [];
  checkAborted(signal);
  const telnetPorts = banners.filter((b) => b.telnet).map((b) => b.port);
  const hostOptions = {
    timeoutMs: ctx.timeoutMs, signal, udpPorts: ctx.ports.udp, network: ctx.identifyNetwork, udpScanned: udpScanned ?? [],
    ...(override ? { override } : {}),
  };
  const result = await identifyHost(device, signals, hostOptions, banners);
  checkAborted(signal);
  if (!ctx.identifyNetwork) applyBanners(result.device, banners);
  if (versionPass) {
    const extra = await versionPass(result.device, telnetPorts, result.identifiedPorts);
    checkAborted(signal);
    if (extra && extra.length > 0) {
      const byKey = new Map(result.signals.services.map((s) => [`${s.port}/${s.transport}`, s]));
      for (const s of extra) byKey.set(`${s.port}/${s.transport}`, s);
      result.device.identification = identify({ ...result.signals, services: [...byKey.values()] }, override);
    }
  }
  return result.device;
}

/** With identification off, banners read for the version pass still name telnet and fill Service.banner. */
function applyBanners(device: Device, banners: BannerResult[]): void {
  for (const b of banners) {
    const svc = device.services.find((s) => s.transport === 'tcp' && s.port === b.port);
    if (!svc) continue;
    if (b.telnet && (svc.name === undefined || svc.name === 'unknown')) svc.name = 'telnet';
    if (b.text && svc.banner === undefined) svc.banner = b.text;
  }
}

/** PTR lookup through the system's resolvers, one try, short deadline. Loopback is never looked up. */
export async function reverseDns(address: string, timeoutMs: number, signal: AbortSignal): Promise<string | undefined> {
  if (address.startsWith('127.') || address === '::1') return undefined;
  const resolver = new dns.Resolver({ timeout: Math.min(timeoutMs, 1500), tries: 1 });
  const onAbort = () => resolver.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const names = await resolver.reverse(address);
    return cap(names[0], 253);
  } catch {
    return undefined;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
