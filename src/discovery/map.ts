/**
 * nmap hosts → our Device and Service types. Pure.
 */
import ipaddr from 'ipaddr.js';
import type { Device, Service, Transport } from '../model.js';
import type { IdentifySignals, ServiceSignal } from './identify.js';
import { emptySignals } from './identify.js';
import { isLocallyAdministered, lookupVendor, normaliseMac, type OuiTable } from './mac.js';
import { cap, MAX_BANNER_CHARS } from './text.js';
import type { NmapHost, NmapPort } from './xml.js';

/** Canonical text form: dotted quad, or compressed lower-case IPv6. undefined when not an address. */
export function canonicalAddress(addr: string): string | undefined {
  if (!ipaddr.isValid(addr)) return undefined;
  if (ipaddr.IPv4.isValid(addr) && !ipaddr.IPv4.isValidFourPartDecimal(addr)) return undefined;
  const parsed = ipaddr.parse(addr);
  return parsed.toString();
}

export function hostAddress(host: NmapHost): string | undefined {
  const a = host.addresses.find((x) => x.addrtype === 'ipv4') ?? host.addresses.find((x) => x.addrtype === 'ipv6');
  return a ? canonicalAddress(a.addr) : undefined;
}

export function hostMac(host: NmapHost): { mac: string; nmapVendor?: string } | undefined {
  const a = host.addresses.find((x) => x.addrtype === 'mac');
  const mac = a ? normaliseMac(a.addr) : undefined;
  if (!mac) return undefined;
  return a?.vendor ? { mac, nmapVendor: a.vendor } : { mac };
}

function isOpen(state: string): state is 'open' | 'open|filtered' {
  return state === 'open' || state === 'open|filtered';
}

export function toService(p: NmapPort): Service | undefined {
  if (p.protocol !== 'tcp' && p.protocol !== 'udp') return undefined;
  if (!isOpen(p.state)) return undefined;
  const service: Service = { port: p.port, transport: p.protocol as Transport, state: p.state };
  const s = p.service;
  if (s) {
    if (s.name) service.name = s.tunnel === 'ssl' && s.name === 'http' ? 'https' : s.name;
    if (s.product) service.product = s.product;
    if (s.version) service.version = s.version;
    if (s.extrainfo) service.extraInfo = s.extrainfo;
    if (s.cpe.length > 0) service.cpe = [...s.cpe];
    if (s.tunnel === 'ssl') service.tls = { enabled: true };
  }
  if (p.scripts.length > 0) service.scripts = p.scripts.map((x) => ({ ...x }));
  return service;
}

export function serviceSignal(p: NmapPort): ServiceSignal | undefined {
  if ((p.protocol !== 'tcp' && p.protocol !== 'udp') || !isOpen(p.state)) return undefined;
  const out: ServiceSignal = { port: p.port, transport: p.protocol as Transport };
  const s = p.service;
  if (s?.name) out.name = s.name;
  if (s?.product) out.product = s.product;
  if (s?.version) out.version = s.version;
  if (s?.extrainfo) out.extraInfo = s.extrainfo;
  if (s?.devicetype) out.deviceType = s.devicetype;
  return out;
}

export interface MappedHost {
  device: Device;
  signals: IdentifySignals;
}

/**
 * Maps one host. `oui` gives the IEEE vendor (nmap's own vendor string is the fallback); `extraMac`
 * comes from the host-discovery pass or the neighbour table when the port scan had none.
 */
export function mapHost(host: NmapHost, oui: OuiTable, extraMac?: string): MappedHost | undefined {
  const address = hostAddress(host);
  if (!address) return undefined;
  const hostnames = [...new Set(host.hostnames.map((h) => h.name))].slice(0, 8);
  const device: Device = {
    address,
    hostnames,
    name: hostnames[0] ?? address,
    identification: { type: 'unknown', confidence: 'low', sources: [] },
    services: [],
  };
  const macInfo = hostMac(host) ?? (extraMac ? { mac: extraMac } : undefined);
  if (macInfo) {
    device.mac = macInfo.mac;
    const randomised = isLocallyAdministered(macInfo.mac);
    if (randomised) device.macRandomised = true;
    const vendor = randomised ? undefined : lookupVendor(macInfo.mac, oui) ?? cap(macInfo.nmapVendor);
    if (vendor) device.macVendor = vendor;
  }
  const seen = new Set<string>();
  for (const p of host.ports) {
    const svc = toService(p);
    if (!svc) continue;
    const key = `${svc.port}/${svc.transport}`;
    if (seen.has(key)) continue;
    seen.add(key);
    device.services.push(svc);
  }
  device.services.sort((a, b) => (a.transport === b.transport ? a.port - b.port : a.transport === 'tcp' ? -1 : 1));

  const signals = emptySignals();
  signals.hostnames = hostnames;
  if (device.macVendor) signals.macVendor = device.macVendor;
  if (device.macRandomised) signals.macRandomised = true;
  signals.services = host.ports.map(serviceSignal).filter((s): s is ServiceSignal => s !== undefined);
  const osClasses = host.os.flatMap((m) => m.classes).filter((c) => c.type !== undefined || c.vendor !== undefined);
  if (osClasses.length > 0) {
    signals.osClasses = osClasses.map((c) => {
      const o: { type?: string; vendor?: string } = {};
      if (c.type) o.type = c.type;
      if (c.vendor) o.vendor = c.vendor;
      return o;
    });
  }
  for (const p of host.ports) {
    const banner = p.scripts.find((s) => s.id === 'banner');
    const text = cap(banner?.output, MAX_BANNER_CHARS);
    if (text) signals.banners.push({ port: p.port, text });
  }
  return { device, signals };
}

/**
 * Merges version-detection results into the port-scan services of a device: service fields from
 * the version pass replace the port table's guesses; ports are never added or removed.
 */
export function mergeVersionInfo(device: Device, versionHost: NmapHost | undefined): ServiceSignal[] {
  const signals: ServiceSignal[] = [];
  if (!versionHost) return signals;
  for (const p of versionHost.ports) {
    const updated = toService(p);
    const signal = serviceSignal(p);
    if (!updated || !signal) continue;
    const idx = device.services.findIndex((s) => s.port === updated.port && s.transport === updated.transport);
    if (idx === -1) continue;
    const current = device.services[idx]!;
    const merged: Service = { ...current, ...updated, state: current.state };
    if (current.banner !== undefined) merged.banner = current.banner;
    device.services[idx] = merged;
    signals.push(signal);
  }
  return signals;
}
