/**
 * UPnP device description (the XML at an SSDP LOCATION) → the few fields a disclosure check needs.
 * Pure. The document is hostile (HOSTILE.md #12): a size cap, any DOCTYPE or ENTITY declaration is
 * rejected before a parser sees it, a well-formedness check, no DTD processing, nesting capped, at most
 * MAX_DEVICES devices and MAX_SERVICES services, every field length-capped, and tag names chosen by
 * the device only ever read (never used as keys we assign; fast-xml-parser itself refuses a
 * `__proto__` tag, which makes the whole description invalid).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export const MAX_DESCRIPTION_BYTES = 256 * 1024;
export const MAX_DEVICES = 32;
export const MAX_SERVICES = 64;
export const MAX_DEPTH = 8;
export const MAX_FIELD_CHARS = 200;

export class UpnpDescriptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UpnpDescriptionError';
  }
}

export type UpnpDevice = {
  deviceType: string | null;
  friendlyName: string | null;
  manufacturer: string | null;
  modelName: string | null;
  modelNumber: string | null;
  modelDescription: string | null;
  serialNumber: string | null;
  udn: string | null;
  presentationUrl: string | null;
  /** Vendor fields such as <firmwareVersion> or <softwareVersion> (no standard field exists). */
  firmware: string | null;
};

export type UpnpService = { serviceType: string | null; serviceId: string | null };

export type UpnpDescription = {
  devices: UpnpDevice[];
  services: UpnpService[];
  /** True when devices or services beyond the caps were dropped. */
  truncated: boolean;
};

type Node = Record<string, unknown>;

/** Cuts a device string to `max` characters without splitting a surrogate pair; '' becomes null. */
export function capText(value: string | null | undefined, max = MAX_FIELD_CHARS): string | null {
  if (value === null || value === undefined) return null;
  let s = value.length > max * 4 ? value.slice(0, max * 4) : value;
  s = s.trim();
  if (s.length === 0) return null;
  if (s.length <= max) return s;
  let cut = s.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return cut;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(n: Node, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(n, key) ? n[key] : undefined;
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return capText(v);
  if (typeof v === 'number' || typeof v === 'boolean') return capText(String(v));
  if (isNode(v)) {
    const t = own(v, '#text');
    if (typeof t === 'string' || typeof t === 'number') return capText(String(t));
  }
  return null;
}

/** Rejects any DOCTYPE (UPnP descriptions never need one) and any entity declaration. */
export function assertNoDtd(xml: string): void {
  if (/<!DOCTYPE/i.test(xml)) throw new UpnpDescriptionError('description rejected: a DOCTYPE is not allowed (no DTD processing)');
  if (/<!ENTITY/i.test(xml)) throw new UpnpDescriptionError('description rejected: entity declarations are not allowed');
}

const FIRMWARE_TAG = /^(?:x_)?(?:firmware|software|fw|sw)[_-]?(?:version|ver|rev|revision)?$/i;

function vendorFirmware(d: Node): string | null {
  for (const key of Object.keys(d).slice(0, 64)) {
    if (key.length > 40 || !FIRMWARE_TAG.test(key)) continue;
    const v = text(own(d, key));
    if (v !== null) return v;
  }
  return null;
}

function parser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: true,
    removeNSPrefix: true,
    textNodeName: '#text',
    // Numeric character references (&#65;) are decoded only with htmlEntities; the named ones it adds are a fixed table.
    htmlEntities: true,
    processEntities: { enabled: true, maxTotalExpansions: 100_000, maxExpandedLength: MAX_DESCRIPTION_BYTES * 2 },
    parseTagValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: 64,
    isArray: (name: string) => name === 'device' || name === 'service',
  });
}

/** Parses a device description. Throws UpnpDescriptionError on anything that is not a bounded, well-formed UPnP root. */
export function parseUpnpDescription(xml: string): UpnpDescription {
  if (xml.length > MAX_DESCRIPTION_BYTES || Buffer.byteLength(xml, 'utf8') > MAX_DESCRIPTION_BYTES) {
    throw new UpnpDescriptionError(`description larger than ${MAX_DESCRIPTION_BYTES} bytes`);
  }
  assertNoDtd(xml);
  let valid: ReturnType<typeof XMLValidator.validate>;
  try {
    valid = XMLValidator.validate(xml);
  } catch {
    throw new UpnpDescriptionError('description is not well-formed XML');
  }
  if (valid !== true) {
    throw new UpnpDescriptionError(`description is not well-formed XML (line ${valid.err.line}: ${capText(valid.err.msg, 120) ?? ''})`);
  }
  let doc: unknown;
  try {
    doc = parser().parse(xml);
  } catch (e) {
    throw new UpnpDescriptionError(`description could not be parsed: ${capText(e instanceof Error ? e.message : String(e), 160) ?? ''}`);
  }
  const root = isNode(doc) ? own(doc, 'root') : undefined;
  if (!isNode(root)) throw new UpnpDescriptionError('description has no <root> element');

  const out: UpnpDescription = { devices: [], services: [], truncated: false };
  const walk = (deviceNodes: unknown[], depth: number): void => {
    for (const d of deviceNodes) {
      if (!isNode(d)) continue;
      if (out.devices.length >= MAX_DEVICES) { out.truncated = true; return; }
      out.devices.push({
        deviceType: text(own(d, 'deviceType')),
        friendlyName: text(own(d, 'friendlyName')),
        manufacturer: text(own(d, 'manufacturer')),
        modelName: text(own(d, 'modelName')),
        modelNumber: text(own(d, 'modelNumber')),
        modelDescription: text(own(d, 'modelDescription')),
        serialNumber: text(own(d, 'serialNumber')),
        udn: text(own(d, 'UDN')),
        presentationUrl: text(own(d, 'presentationURL')),
        firmware: vendorFirmware(d),
      });
      const serviceList = own(d, 'serviceList');
      for (const s of isNode(serviceList) ? list(own(serviceList, 'service')) : []) {
        if (!isNode(s)) continue;
        if (out.services.length >= MAX_SERVICES) { out.truncated = true; break; }
        out.services.push({ serviceType: text(own(s, 'serviceType')), serviceId: text(own(s, 'serviceId')) });
      }
      const deviceList = own(d, 'deviceList');
      if (isNode(deviceList)) {
        if (depth >= MAX_DEPTH) { out.truncated = true; continue; }
        walk(list(own(deviceList, 'device')), depth + 1);
      }
    }
  };
  walk(list(own(root, 'device')), 1);
  if (out.devices.length === 0) throw new UpnpDescriptionError('description has no <device> element');
  return out;
}

/** A firmware version named in free text ("firmware V5.13(AAJD.7)C0", "FW: 1.2.3"), or null. Input is length-capped. */
export function firmwareInText(value: string | null): string | null {
  if (value === null) return null;
  const s = value.slice(0, MAX_FIELD_CHARS);
  const m = /\b(?:firmware|fw|software|sw)(?:[ _-]?(?:version|ver\.?|rev\.?))?[\s:=#-]{0,3}(v?\d{1,4}(?:[.\-_]\w{1,12}){0,6}(?:\([\w.]{1,20}\)\w{0,6})?)/i.exec(s);
  return m?.[1] ? capText(m[1], 64) : null;
}

const PLACEHOLDER_SERIAL = /^(?:0+|1234567890?|123456789|n\/?a|none|null|unknown|serial(?:number)?|x+|-+|\*+|default)$/i;

/** A serial number that is real data, not an empty or placeholder value. */
export function isRealSerial(serial: string | null): boolean {
  if (serial === null) return false;
  const s = serial.trim();
  return s.length >= 4 && !PLACEHOLDER_SERIAL.test(s);
}

const IGD_PATTERN = /urn:schemas-upnp-org:(?:device:(?:InternetGatewayDevice|WANDevice|WANConnectionDevice)|service:(?:WANIPConnection|WANPPPConnection|WANIPv6FirewallControl)):\d+/i;

/** True when a device or service type (or an SSDP ST/NT/USN) belongs to an Internet Gateway Device. */
export function isIgdType(value: string | null): boolean {
  return value !== null && IGD_PATTERN.test(value.slice(0, MAX_FIELD_CHARS));
}
