/**
 * Device identification: signals → { vendor, model, type, confidence, sources }. Pure.
 *
 * Signals come from nmap (service products, devicetype, OS classes), the MAC vendor, host names,
 * and the collectors (mDNS, SSDP/UPnP, HTTP title/Server/realm, TLS subject, banners). The type
 * rules are data (src/data/device-types.ts); owner overrides from targets.yaml always win.
 */
import { FIELD_SOURCE, KNOWN_VENDORS, TYPE_RULES, type SignalField, type TypeRule } from '../data/device-types.js';
import type { Confidence, Device, DeviceType, Identification, Transport } from '../model.js';
import { DEVICE_TYPES } from '../model.js';
import { cap } from './text.js';

export interface ServiceSignal {
  port: number;
  transport: Transport;
  name?: string;
  product?: string;
  version?: string;
  extraInfo?: string;
  /** nmap's service devicetype ("webcam", "router", "printer", …). */
  deviceType?: string;
}

export interface UpnpSignal {
  deviceType?: string;
  friendlyName?: string;
  manufacturer?: string;
  modelName?: string;
  modelNumber?: string;
  modelDescription?: string;
  serialNumber?: string;
  firmware?: string;
  /** SSDP SERVER header. */
  server?: string;
}

export interface MdnsSignal {
  hostname?: string;
  /** Service types, e.g. "_ipp._tcp.local". */
  services: string[];
  /** Service instance names, e.g. "HP LaserJet 400 [A1B2C3]._ipp._tcp.local". */
  instances: string[];
  /** TXT key=value strings. */
  txt: string[];
}

export interface HttpSignal { port: number; title?: string; server?: string; realm?: string }
export interface TlsSignal { port: number; subject?: string; issuer?: string }
export interface BannerSignal { port: number; text: string }

export interface IdentifySignals {
  macVendor?: string;
  macRandomised?: boolean;
  hostnames: string[];
  services: ServiceSignal[];
  /** nmap OS classes (imported scans with -O). */
  osClasses?: { type?: string; vendor?: string }[];
  mdns?: MdnsSignal;
  upnp?: UpnpSignal;
  http: HttpSignal[];
  tls: TlsSignal[];
  banners: BannerSignal[];
}

/** Owner-supplied facts (targets.yaml). They win over every signal. */
export interface IdentificationOverride {
  name?: string;
  type?: DeviceType;
  vendor?: string;
  model?: string;
}

export function emptySignals(): IdentifySignals {
  return { hostnames: [], services: [], http: [], tls: [], banners: [] };
}

interface CompiledRule extends TypeRule { re: RegExp }
const COMPILED: readonly CompiledRule[] = TYPE_RULES.map((r) => ({ ...r, re: new RegExp(r.pattern, 'i') }));
const VENDOR_RES: readonly { name: string; re: RegExp }[] = KNOWN_VENDORS.map((name) => ({
  name,
  re: new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[ -]?')}\\b`, 'i'),
}));

/** Longest string a rule ever sees (device strings are capped before this too). */
const MATCH_CAP = 1024;

/** The values of one signal field, each capped. */
export function fieldValues(s: IdentifySignals, field: SignalField): string[] {
  const out: (string | undefined)[] = [];
  switch (field) {
    case 'mac-vendor': out.push(s.macRandomised ? undefined : s.macVendor); break;
    case 'hostname': out.push(...s.hostnames, s.mdns?.hostname); break;
    case 'mdns-service': out.push(...(s.mdns?.services ?? [])); break;
    case 'mdns-text': out.push(...(s.mdns?.txt ?? []), ...(s.mdns?.instances ?? [])); break;
    case 'upnp-device-type': out.push(s.upnp?.deviceType); break;
    case 'upnp-text': if (s.upnp) out.push(s.upnp.manufacturer, s.upnp.modelName, s.upnp.modelDescription, s.upnp.friendlyName, s.upnp.server); break;
    case 'http-title': out.push(...s.http.map((h) => h.title)); break;
    case 'http-server': out.push(...s.http.map((h) => h.server)); break;
    case 'http-realm': out.push(...s.http.map((h) => h.realm)); break;
    case 'tls-subject': out.push(...s.tls.flatMap((t) => [t.subject, t.issuer])); break;
    case 'banner': out.push(...s.banners.map((b) => b.text)); break;
    case 'service-product': out.push(...s.services.map((v) => [v.product, v.version, v.extraInfo].filter(Boolean).join(' '))); break;
    case 'nmap-device-type': out.push(...s.services.map((v) => v.deviceType)); break;
    case 'service-name': out.push(...s.services.map((v) => v.name)); break;
    case 'os-type': out.push(...(s.osClasses ?? []).map((c) => c.type)); break;
    case 'port': out.push(...s.services.map((v) => `${v.port}/${v.transport}`)); break;
  }
  return out.filter((v): v is string => typeof v === 'string' && v.length > 0).map((v) => v.slice(0, MATCH_CAP));
}

export interface TypeScore { type: Exclude<DeviceType, 'unknown'>; score: number; sources: string[] }

/** Scores every type: per type and source, the strongest matching rule counts once. */
export function scoreTypes(signals: IdentifySignals): TypeScore[] {
  const best = new Map<string, Map<string, number>>(); // type → source → weight
  const valuesByField = new Map<SignalField, string[]>();
  for (const rule of COMPILED) {
    let values = valuesByField.get(rule.field);
    if (!values) { values = fieldValues(signals, rule.field); valuesByField.set(rule.field, values); }
    if (!values.some((v) => rule.re.test(v))) continue;
    const source = FIELD_SOURCE[rule.field];
    const perSource = best.get(rule.type) ?? new Map<string, number>();
    perSource.set(source, Math.max(perSource.get(source) ?? 0, rule.weight));
    best.set(rule.type, perSource);
  }
  const order = DEVICE_TYPES;
  return [...best.entries()]
    .map(([type, perSource]) => ({
      type: type as TypeScore['type'],
      score: [...perSource.values()].reduce((a, b) => a + b, 0),
      sources: [...perSource.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([src]) => src),
    }))
    .sort((a, b) => b.score - a.score || order.indexOf(a.type) - order.indexOf(b.type));
}

function confidenceOf(best: TypeScore, runnerUp: TypeScore | undefined): Confidence {
  let level: Confidence = best.score >= 6 && best.sources.length >= 2 ? 'high' : best.score >= 3 ? 'medium' : 'low';
  if (runnerUp && runnerUp.score >= best.score * 0.8) level = level === 'high' ? 'medium' : 'low';
  return level;
}

function findKnownVendor(values: string[]): string | undefined {
  for (const v of values) {
    for (const { name, re } of VENDOR_RES) if (re.test(v)) return name;
  }
  return undefined;
}

function txtValue(txt: string[], keys: string[]): string | undefined {
  for (const key of keys) {
    const prefix = `${key.toLowerCase()}=`;
    const hit = txt.find((t) => t.toLowerCase().startsWith(prefix));
    if (hit !== undefined) {
      const v = cap(hit.slice(prefix.length));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** Combines signals (and the owner's override) into an Identification. */
export function identify(signals: IdentifySignals, override?: IdentificationOverride): Identification {
  const scores = scoreTypes(signals);
  const top = scores[0];
  const sources = new Set<string>();

  let type: DeviceType = 'unknown';
  let confidence: Confidence = 'low';
  if (top) {
    type = top.type;
    confidence = confidenceOf(top, scores[1]);
    for (const s of top.sources) sources.add(s);
  }

  const txt = signals.mdns?.txt ?? [];
  // Vendor: UPnP manufacturer, mDNS TXT, a known name in device strings, then the MAC's IEEE vendor.
  let vendor: string | undefined;
  if (signals.upnp?.manufacturer) { vendor = cap(signals.upnp.manufacturer); sources.add('upnp'); }
  if (!vendor) {
    const v = txtValue(txt, ['usb_MFG', 'manufacturer', 'mfg', 'vendor']);
    if (v) { vendor = v; sources.add('mdns'); }
  }
  if (!vendor) {
    const candidates: [string, SignalField][] = [['http-title', 'http-title'], ['http-server', 'http-server'], ['http-realm', 'http-realm'], ['nmap-service', 'service-product'], ['banner', 'banner'], ['tls-cert', 'tls-subject']];
    for (const [source, field] of candidates) {
      const v = findKnownVendor(fieldValues(signals, field));
      if (v) { vendor = v; sources.add(source); break; }
    }
  }
  if (!vendor && signals.macVendor && !signals.macRandomised) { vendor = cap(signals.macVendor); sources.add('mac-oui'); }

  // Model: UPnP model name (+ number), then mDNS TXT.
  let model: string | undefined;
  if (signals.upnp?.modelName) {
    const name = signals.upnp.modelName;
    const number = signals.upnp.modelNumber;
    model = cap(number && !name.includes(number) ? `${name} ${number}` : name);
    sources.add('upnp');
  }
  if (!model) {
    const v = txtValue(txt, ['md', 'model', 'usb_MDL', 'ty', 'product']);
    if (v) { model = cap(v.replace(/^\((.*)\)$/, '$1')); sources.add('mdns'); }
  }

  const result: Identification = { type, confidence, sources: [...sources] };
  if (vendor) result.vendor = vendor;
  if (model) result.model = model;
  const firmware = cap(signals.upnp?.firmware);
  if (firmware) result.firmware = firmware;
  const serial = cap(signals.upnp?.serialNumber);
  if (serial) result.serial = serial;
  const friendlyName = cap(signals.upnp?.friendlyName) ?? txtValue(txt, ['fn', 'friendly_name', 'name']);
  if (friendlyName) result.friendlyName = friendlyName;

  return applyOverride(result, override);
}

/**
 * The device named by its own announcement (UPnP friendlyName, mDNS "fn"/"name" TXT) when it made one:
 * "LivingRoom Media" says more to its owner than a reverse-DNS host name or an address (pure). A name from
 * targets.yaml is applied afterwards and wins.
 */
export function withAnnouncedName(device: Device): Device {
  const own = device.identification.friendlyName;
  return own && own !== device.name ? { ...device, name: own } : device;
}

/** Owner overrides (targets.yaml) win: type, vendor and model replace what was guessed. */
export function applyOverride(id: Identification, override?: IdentificationOverride): Identification {
  if (!override || (override.type === undefined && override.vendor === undefined && override.model === undefined)) return id;
  const out: Identification = { ...id, sources: ['targets.yaml', ...id.sources.filter((s) => s !== 'targets.yaml')] };
  if (override.type !== undefined) { out.type = override.type; out.confidence = 'high'; }
  if (override.vendor !== undefined) out.vendor = override.vendor;
  if (override.model !== undefined) out.model = override.model;
  return out;
}
