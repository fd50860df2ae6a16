/**
 * nmap XML (`-oX`) → our own intermediate types. Pure: no I/O.
 *
 * The document is treated as hostile (imported files, device strings inside script output):
 * a size cap, no DTD processing (a DOCTYPE with an internal subset or any ENTITY declaration is
 * rejected), a well-formedness check first (so a truncated document is an error, not a silently
 * shortened result), HTML entities decoded (NSE output carries `&#xa;`), nesting capped by the
 * parser, and device-chosen keys never used as plain property assignments.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Json, ScriptOutput } from '../model.js';
import { DiscoveryError } from './errors.js';
import { cap, MAX_FIELD_CHARS, MAX_SCRIPT_OUTPUT_CHARS } from './text.js';

export const MAX_NMAP_XML_BYTES = 128 * 1024 * 1024;

export interface NmapAddress { addr: string; addrtype: string; vendor?: string }
export interface NmapHostname { name: string; type?: string }

export interface NmapServiceInfo {
  name?: string;
  product?: string;
  version?: string;
  extrainfo?: string;
  tunnel?: string;
  method?: string;
  conf?: number;
  devicetype?: string;
  ostype?: string;
  hostname?: string;
  cpe: string[];
}

export interface NmapPort {
  protocol: string;
  port: number;
  state: string;
  reason?: string;
  service?: NmapServiceInfo;
  scripts: ScriptOutput[];
}

export interface NmapOsClass { type?: string; vendor?: string; osfamily?: string; osgen?: string }
export interface NmapOsMatch { name?: string; accuracy?: number; classes: NmapOsClass[] }

export interface NmapHost {
  state: string;
  reason?: string;
  addresses: NmapAddress[];
  hostnames: NmapHostname[];
  ports: NmapPort[];
  os: NmapOsMatch[];
  hostScripts: ScriptOutput[];
  /** nmap gave up on the host (--host-timeout). */
  timedOut: boolean;
}

export interface NmapRun {
  version?: string;
  args?: string;
  scanTypes: { type: string; protocol: string }[];
  hosts: NmapHost[];
  finished?: { exit?: string; errormsg?: string; summary?: string };
}

const ARRAY_TAGS = new Set([
  'host', 'address', 'hostname', 'port', 'script', 'elem', 'table', 'cpe', 'osmatch', 'osclass', 'scaninfo', 'extraports', 'hosthint',
]);

const MAX_SCRIPTS = 64;
const MAX_TABLE_ITEMS = 2000;
const MAX_ELEM_CHARS = 4096;
const MAX_HOSTNAMES = 16;
const MAX_CPES = 16;

type Node = Record<string, unknown>;

function parser(): XMLParser {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@',
    textNodeName: '#text',
    htmlEntities: true,
    processEntities: { enabled: true, maxTotalExpansions: 1_000_000, maxExpandedLength: MAX_NMAP_XML_BYTES },
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: true,
    ignoreDeclaration: true,
    ignorePiTags: true,
    maxNestedTags: 64,
    isArray: (name: string) => ARRAY_TAGS.has(name),
  });
}

/** Rejects DTD tricks before any parser sees them. */
export function assertNoInternalSubset(xml: string): void {
  const doctype = /<!DOCTYPE/i.exec(xml);
  if (doctype) {
    const end = xml.indexOf('>', doctype.index);
    const bracket = xml.indexOf('[', doctype.index);
    if (bracket !== -1 && (end === -1 || bracket < end)) {
      throw new DiscoveryError('xml-invalid', 'XML rejected: DOCTYPE with an internal subset (DTD processing is not allowed)');
    }
  }
  if (/<!ENTITY/i.test(xml)) throw new DiscoveryError('xml-invalid', 'XML rejected: entity declarations are not allowed');
}

/**
 * Checks size, DTD and well-formedness, then parses. Shared by the nmap parser and UPnP
 * description parsing. Throws DiscoveryError('xml-invalid').
 */
export function parseXmlSafely(xml: string, maxBytes: number, what: string): Node {
  if (Buffer.byteLength(xml, 'utf8') > maxBytes) {
    throw new DiscoveryError('xml-invalid', `${what}: document larger than ${maxBytes} bytes`);
  }
  assertNoInternalSubset(xml);
  let valid: true | { err: { code: string; msg: string; line: number; col: number } };
  try {
    valid = XMLValidator.validate(xml);
  } catch (e) {
    throw new DiscoveryError('xml-invalid', `${what}: not well-formed XML`, { cause: e });
  }
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new DiscoveryError('xml-invalid', `${what}: not well-formed XML (line ${line}, column ${col}: ${cap(msg, 160) ?? ''})`);
  }
  try {
    return parser().parse(xml) as Node;
  } catch (e) {
    throw new DiscoveryError('xml-invalid', `${what}: ${e instanceof Error ? cap(e.message, 160) : 'parse error'}`, { cause: e });
  }
}

/** Parses an nmap XML document. Throws DiscoveryError('xml-invalid') on anything that is not a complete nmaprun. */
export function parseNmapXml(xml: string): NmapRun {
  const doc = parseXmlSafely(xml, MAX_NMAP_XML_BYTES, 'nmap XML');
  const run = obj(doc['nmaprun']);
  if (!run) throw new DiscoveryError('xml-invalid', 'nmap XML: no <nmaprun> root element');
  const finishedNode = obj(obj(run['runstats'])?.['finished']);
  const result: NmapRun = {
    scanTypes: arr(run['scaninfo']).map(obj).filter(isNode).map((s) => ({ type: str(s['@type']) ?? '', protocol: str(s['@protocol']) ?? '' })),
    hosts: arr(run['host']).map(obj).filter(isNode).map(toHost),
  };
  const version = str(run['@version']);
  if (version !== undefined) result.version = version;
  const args = str(run['@args']);
  if (args !== undefined) result.args = args;
  if (finishedNode) {
    result.finished = {};
    const exit = str(finishedNode['@exit']);
    if (exit !== undefined) result.finished.exit = exit;
    const errormsg = cap(str(finishedNode['@errormsg']), 500);
    if (errormsg !== undefined) result.finished.errormsg = errormsg;
    const summary = cap(str(finishedNode['@summary']), 500);
    if (summary !== undefined) result.finished.summary = summary;
  }
  return result;
}

function toHost(h: Node): NmapHost {
  const status = obj(h['status']);
  const host: NmapHost = {
    state: str(status?.['@state']) ?? 'unknown',
    addresses: arr(h['address']).map(obj).filter(isNode).flatMap((a) => {
      const addr = str(a['@addr']);
      const addrtype = str(a['@addrtype']);
      if (addr === undefined || addrtype === undefined) return [];
      const out: NmapAddress = { addr: addr.slice(0, 64), addrtype };
      const vendor = cap(str(a['@vendor']));
      if (vendor !== undefined) out.vendor = vendor;
      return [out];
    }),
    hostnames: arr(obj(h['hostnames'])?.['hostname']).map(obj).filter(isNode).flatMap((n) => {
      const name = cap(str(n['@name']), 253);
      if (name === undefined) return [];
      const out: NmapHostname = { name };
      const type = str(n['@type']);
      if (type !== undefined) out.type = type;
      return [out];
    }).slice(0, MAX_HOSTNAMES),
    ports: arr(obj(h['ports'])?.['port']).map(obj).filter(isNode).flatMap(toPort),
    os: arr(obj(h['os'])?.['osmatch']).map(obj).filter(isNode).slice(0, 8).map((m) => {
      const match: NmapOsMatch = {
        classes: arr(m['osclass']).map(obj).filter(isNode).slice(0, 8).map((c) => {
          const cls: NmapOsClass = {};
          const type = cap(str(c['@type']));
          if (type !== undefined) cls.type = type;
          const vendor = cap(str(c['@vendor']));
          if (vendor !== undefined) cls.vendor = vendor;
          const family = cap(str(c['@osfamily']));
          if (family !== undefined) cls.osfamily = family;
          const gen = cap(str(c['@osgen']));
          if (gen !== undefined) cls.osgen = gen;
          return cls;
        }),
      };
      const name = cap(str(m['@name']));
      if (name !== undefined) match.name = name;
      const accuracy = num(m['@accuracy']);
      if (accuracy !== undefined) match.accuracy = accuracy;
      return match;
    }),
    hostScripts: toScripts(obj(h['hostscript'])?.['script']),
    timedOut: str(h['@timedout']) === 'true',
  };
  const reason = str(status?.['@reason']);
  if (reason !== undefined) host.reason = reason;
  return host;
}

function toPort(p: Node): NmapPort[] {
  const port = num(p['@portid']);
  const protocol = str(p['@protocol']);
  if (port === undefined || protocol === undefined || !Number.isInteger(port) || port < 0 || port > 65535) return [];
  const state = obj(p['state']);
  const out: NmapPort = { protocol, port, state: str(state?.['@state']) ?? 'unknown', scripts: toScripts(p['script']) };
  const reason = str(state?.['@reason']);
  if (reason !== undefined) out.reason = reason;
  const s = obj(p['service']);
  if (s) {
    const svc: NmapServiceInfo = { cpe: arr(s['cpe']).map((c) => cap(text(c), MAX_FIELD_CHARS)).filter(isString).slice(0, MAX_CPES) };
    for (const key of ['name', 'product', 'version', 'extrainfo', 'tunnel', 'method', 'devicetype', 'ostype', 'hostname'] as const) {
      const v = cap(str(s[`@${key}`]));
      if (v !== undefined) svc[key] = v;
    }
    const conf = num(s['@conf']);
    if (conf !== undefined) svc.conf = conf;
    out.service = svc;
  }
  return [out];
}

function toScripts(value: unknown): ScriptOutput[] {
  return arr(value).map(obj).filter(isNode).slice(0, MAX_SCRIPTS).flatMap((s) => {
    const id = cap(str(s['@id']), 100);
    if (id === undefined) return [];
    const out: ScriptOutput = { id, output: capKeepInner(str(s['@output']) ?? '', MAX_SCRIPT_OUTPUT_CHARS) };
    const table = toTable(s);
    if (table !== undefined) out.table = table;
    return [out];
  });
}

/** Script output keeps its inner newlines; only the length is capped. */
function capKeepInner(s: string, max: number): string {
  return s.length > max ? s.slice(0, max) : s;
}

/**
 * NSE structured output: <elem key="k">v</elem> and <table key="k">…</table>. Children that all
 * have keys become an object; children without keys become an array; a mix becomes an object whose
 * unkeyed children are under their index.
 */
function toTable(node: Node): Json | undefined {
  const items: { key?: string; value: Json }[] = [];
  for (const e of arr(node['elem'])) {
    if (items.length >= MAX_TABLE_ITEMS) break;
    const key = typeof e === 'object' && e !== null ? str((e as Node)['@key']) : undefined;
    const value = capKeepInner(text(e) ?? '', MAX_ELEM_CHARS);
    items.push(key === undefined ? { value } : { key, value });
  }
  for (const t of arr(node['table'])) {
    if (items.length >= MAX_TABLE_ITEMS) break;
    const tn = obj(t);
    const key = tn ? str(tn['@key']) : undefined;
    const value = (tn ? toTable(tn) : undefined) ?? [];
    items.push(key === undefined ? { value } : { key, value });
  }
  if (items.length === 0) return undefined;
  if (items.every((i) => i.key === undefined)) return items.map((i) => i.value);
  const out: { [key: string]: Json } = {};
  items.forEach((item, index) => {
    // defineProperty: a key such as "__proto__" becomes an own property, never the prototype.
    Object.defineProperty(out, (item.key ?? String(index)).slice(0, 200), { value: item.value, enumerable: true, writable: true, configurable: true });
  });
  return out;
}

function isNode(v: Node | undefined): v is Node {
  return v !== undefined;
}

function isString(v: string | undefined): v is string {
  return v !== undefined;
}

function obj(v: unknown): Node | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : undefined;
}

function arr(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** Text content of an element that may be a string or an object with attributes. */
function text(v: unknown): string | undefined {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return String(v);
  const o = obj(v);
  return o ? str(o['#text']) ?? '' : undefined;
}

function num(v: unknown): number | undefined {
  const s = str(v);
  if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s)) return undefined;
  return Number(s);
}
