/**
 * Candidates for the default-credential probes (pure): which vendor entries of src/data/credentials.json
 * match a device (vendor, model, MAC vendor, HTTP realm/title/Server, banners), and the ordered,
 * de-duplicated candidate list — owner pairs (targets.yaml), vendor pairs, derived passwords (from the MAC
 * or serial number the device discloses), the Mirai set (telnet), the generic list. docs/CREDENTIALS.md.
 */
import { randomBytes } from 'node:crypto';
import type { CredentialPair, DeviceConfig } from '../contract.js';
import type { Device, DeviceType, Service } from '../../model.js';
import {
  MATCH_INPUT_CHARS, credentialDb,
  type CompiledVendor, type CredentialDb, type CredentialService, type TemplateField,
} from '../../data/credentials.js';
import type { VendorLockout } from './lockout.js';

export type CandidateOrigin = 'owner' | 'vendor' | 'derived' | 'type' | 'mirai' | 'generic';

export interface Candidate {
  username: string;
  password: string;
  origin: CandidateOrigin;
  /** Where the pair comes from (data source text, "targets.yaml"), capped. */
  source: string;
  /** Data entry id (vendor id, derived id), when there is one. */
  ref?: string;
}

// ---------------------------------------------------------------------------------------------------
// Device signals and vendor matching

export interface DeviceSignals {
  vendor?: string;
  model?: string;
  macVendor?: string;
  /** 12 upper-case hex digits, when the MAC is known and not randomised. */
  mac?: string;
  serial?: string;
  /** The device's type (targets.yaml, else identification), when known: ranks candidates when no vendor matched. */
  type?: Exclude<DeviceType, 'unknown'>;
  /** Free text that may name the vendor: realm, title, Server, banners, products, host names (each capped). */
  texts: string[];
}

const MAX_TEXTS = 32;

function capStr(s: string | undefined | null): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.slice(0, MATCH_INPUT_CHARS).trim();
  return t === '' ? undefined : t;
}

/** Normalised MAC (12 upper-case hex digits) or undefined. */
export function normaliseMac(mac: string | undefined): string | undefined {
  if (!mac) return undefined;
  const hex = mac.slice(0, 64).replace(/[^0-9a-fA-F]/g, '').toUpperCase();
  return hex.length === 12 ? hex : undefined;
}

/** Signals of a device for vendor matching, plus extra text the probe saw itself (realm, title, banner). */
export function signalsOf(device: Device, service?: Service, extra: readonly (string | undefined | null)[] = [], config?: DeviceConfig): DeviceSignals {
  const texts: string[] = [];
  const add = (s: string | undefined | null): void => {
    const c = capStr(s);
    if (c !== undefined && texts.length < MAX_TEXTS && !texts.includes(c)) texts.push(c);
  };
  for (const e of extra) add(e);
  add(device.identification.model);
  add(device.identification.friendlyName);
  add(config?.model);
  for (const h of device.hostnames.slice(0, 4)) add(h);
  const services = service ? [service, ...device.services.filter((s) => s !== service)] : device.services;
  for (const s of services.slice(0, 16)) { add(s.product); add(s.banner); add(s.extraInfo); }
  const sig: DeviceSignals = { texts };
  const vendor = capStr(config?.vendor) ?? capStr(device.identification.vendor);
  if (vendor !== undefined) sig.vendor = vendor;
  const model = capStr(config?.model) ?? capStr(device.identification.model);
  if (model !== undefined) sig.model = model;
  const macVendor = capStr(device.macVendor);
  if (macVendor !== undefined) sig.macVendor = macVendor;
  const mac = device.macRandomised ? undefined : normaliseMac(device.mac);
  if (mac !== undefined) sig.mac = mac;
  const type = (config?.type as DeviceType | undefined) ?? device.identification.type;
  if (type !== undefined && type !== 'unknown') sig.type = type;
  const serial = capStr(device.identification.serial);
  if (serial !== undefined && /^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$/.test(serial)) sig.serial = serial;
  return sig;
}

export interface VendorMatch { vendor: CompiledVendor; via: 'vendor' | 'mac-vendor' | 'text' }

/** Vendor entries that match the signals, in data order, each with the first signal that matched. */
export function matchVendors(db: CredentialDb, s: DeviceSignals): VendorMatch[] {
  const out: VendorMatch[] = [];
  for (const v of db.vendors) {
    if (v.re.vendor && s.vendor !== undefined && v.re.vendor.test(s.vendor)) out.push({ vendor: v, via: 'vendor' });
    else if (v.re.macVendor && s.macVendor !== undefined && v.re.macVendor.test(s.macVendor)) out.push({ vendor: v, via: 'mac-vendor' });
    else if (v.re.text && s.texts.some((t) => v.re.text!.test(t))) out.push({ vendor: v, via: 'text' });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Candidates

/** Value of a template field from the signals, or undefined when the device did not disclose it. */
export function templateValue(field: TemplateField, s: DeviceSignals): string | undefined {
  switch (field) {
    case 'serial': return s.serial;
    case 'serial6': return s.serial && s.serial.length > 6 ? s.serial.slice(-6) : undefined;
    case 'serial8': return s.serial && s.serial.length > 8 ? s.serial.slice(-8) : undefined;
    case 'mac6': return s.mac?.slice(-6);
    case 'mac6l': return s.mac?.slice(-6).toLowerCase();
    case 'mac8': return s.mac?.slice(-8);
    case 'mac12': return s.mac;
    case 'mac12l': return s.mac?.toLowerCase();
  }
}

/** Fills a template ("{serial}", "admin{mac6}"), or undefined when a field is unknown for this device. */
export function deriveFromTemplate(template: string, s: DeviceSignals): string | undefined {
  let missing = false;
  const out = template.replace(/\{([a-z0-9]+)\}/g, (_, f: string) => {
    const v = templateValue(f as TemplateField, s);
    if (v === undefined) missing = true;
    return v ?? '';
  });
  return missing ? undefined : out;
}

export interface CandidateInput {
  service: CredentialService;
  signals: DeviceSignals;
  /** Owner pairs for this service (see ownerPairs). */
  owner: readonly CredentialPair[];
  db?: CredentialDb;
  /** Password-only logins (a telnet that asks only for a password): de-duplicate on the password. */
  passwordOnly?: boolean;
  /** User names that belong to another check (FTP "anonymous"): never tried here. */
  excludeUsernames?: readonly string[];
  /** Rank the type's common vendors in when no vendor matched (default true; false only to measure, bench/guesses.mjs). */
  typeDefaults?: boolean;
}

export interface CandidatePlan {
  candidates: Candidate[];
  matched: VendorMatch[];
  /** Why the service should be treated as one that locks (vendor data). */
  lockoutReasons: string[];
  /** The strictest documented lockout of the matched vendors for this service (threshold and scope known). */
  vendorLockout?: VendorLockout;
  /** The device type whose common vendors' defaults were ranked in (no vendor matched), if any. */
  rankedByType?: Exclude<DeviceType, 'unknown'>;
}

function shortSource(s: string): string {
  return s.length > 240 ? `${s.slice(0, 237)}...` : s;
}

/**
 * The type's vendor pairs for a service, ranked: a pair more of the type's brands ship goes first (each guess
 * then covers the most brands the device may be), ties in the brand order of typeDefaults (most common
 * first). The brand order alone would spend a cautious device's one or two wrong logins on the first
 * brand's own password (bench/guesses.mjs, BENCHMARKS.md "Guesses per found credential").
 */
export function rankTypePairs(vendors: readonly CompiledVendor[], service: CredentialService): Candidate[] {
  const byPair = new Map<string, { candidate: Candidate; brands: number; first: number }>();
  vendors.forEach((v, rank) => {
    const counted = new Set<string>();
    for (const p of v.pairs) {
      if (!p.services.includes(service)) continue;
      const key = `${p.username}\u0000${p.password}`;
      const entry = byPair.get(key);
      if (entry === undefined) byPair.set(key, { candidate: { username: p.username, password: p.password, origin: 'type', source: shortSource(p.source), ref: v.id }, brands: 1, first: rank });
      else if (!counted.has(key)) entry.brands += 1;
      counted.add(key);
    }
  });
  return [...byPair.values()].sort((a, b) => b.brands - a.brands || a.first - b.first).map((e) => e.candidate);
}

/** The ordered candidate list for one service of one device. */
export function buildCandidates(input: CandidateInput): CandidatePlan {
  const db = input.db ?? credentialDb();
  const matched = matchVendors(db, input.signals);
  const out: Candidate[] = [];
  const seen = new Set<string>();
  const excluded = new Set((input.excludeUsernames ?? []).map((u) => u.toLowerCase()));
  const push = (c: Candidate): void => {
    if (excluded.has(c.username.toLowerCase())) return;
    const key = input.passwordOnly ? `\u0000${c.password}` : `${c.username}\u0000${c.password}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(c);
  };
  for (const p of input.owner) push({ username: p.username, password: p.password, origin: 'owner', source: 'targets.yaml' });
  for (const m of matched) {
    for (const p of m.vendor.pairs) {
      if (p.services.includes(input.service)) push({ username: p.username, password: p.password, origin: 'vendor', source: shortSource(p.source), ref: m.vendor.id });
    }
  }
  const matchedIds = new Set(matched.map((m) => m.vendor.id));
  // No vendor matched, but the type is known: the common vendors of that type (docs/CREDENTIALS.md step 3).
  const typeEntry = matched.length === 0 && input.signals.type !== undefined && input.typeDefaults !== false ? db.file.typeDefaults.find((t) => t.type === input.signals.type) : undefined;
  const typeVendors = (typeEntry?.vendors ?? []).map((id) => db.vendors.find((v) => v.id === id)).filter((v): v is CompiledVendor => v !== undefined);
  const pushDerived = (vendorSpecific: boolean): void => {
    for (const d of db.file.derived) {
      if ((d.vendor !== undefined) !== vendorSpecific || (vendorSpecific && !matchedIds.has(d.vendor ?? '')) || !d.services.includes(input.service)) continue;
      const password = deriveFromTemplate(d.template, input.signals);
      if (password !== undefined && password !== '') push({ username: d.username, password, origin: 'derived', source: shortSource(d.source), ref: d.id });
    }
  };
  pushDerived(true);
  // The type's pairs go before the vendor-less label templates (admin/{mac6}): on a type whose brands lock,
  // only one or two wrong logins may be spent, and a brand's documented default is the likelier one.
  for (const c of rankTypePairs(typeVendors, input.service)) push(c);
  pushDerived(false);
  if (input.service === 'telnet') {
    for (const p of db.file.mirai.pairs) push({ username: p.username, password: p.password, origin: 'mirai', source: shortSource(db.file.mirai.source) });
  }
  for (const p of db.file.generic) {
    if (p.services.includes(input.service)) push({ username: p.username, password: p.password, origin: 'generic', source: shortSource(p.source) });
  }
  const lockoutReasons = matched
    .filter((m) => m.vendor.lockout?.services.includes(input.service))
    .map((m) => `${m.vendor.name}: ${m.vendor.lockout?.note ?? ''}`);
  // A device of unknown brand may be one of its type's brands that lock: as cautious as if it were.
  for (const v of typeVendors) {
    if (v.lockout?.services.includes(input.service)) lockoutReasons.push(`a ${input.signals.type ?? 'device'} of unknown brand, and ${v.name} devices lock: ${v.lockout.note}`);
  }
  const plan: CandidatePlan = { candidates: out, matched, lockoutReasons };
  // The matched vendors' lockouts, or (no vendor matched) those of the type's brands the device may be.
  const documented = [...matched.map((m) => m.vendor.lockout), ...typeVendors.map((v) => v.lockout)]
    .filter((l) => l?.services.includes(input.service) && l.threshold !== undefined && l.scope !== undefined);
  // Only when every lock reason is a documented one (an undocumented threshold keeps the plain cautious cap);
  // then the strictest of them sets the cap, for a type-inferred brand as for a matched one.
  if (documented.length > 0 && documented.length === lockoutReasons.length) {
    const strictest = documented.map((l): VendorLockout => ({ threshold: l!.threshold!, scope: l!.scope!, sharedBy: l!.services.length }))
      .sort((a, b) => a.threshold / a.sharedBy - b.threshold / b.sharedBy || (a.scope === 'address' ? -1 : 1))[0];
    if (strictest) plan.vendorLockout = strictest;
  }
  if (typeEntry && input.signals.type !== undefined) plan.rankedByType = input.signals.type;
  return plan;
}

/**
 * Owner pairs for a service: ctx.credentials (targets.yaml), minus those the owner tied to another service
 * (`service:` in targets.yaml; names like "http", "https", "web", "ssh" are understood loosely).
 */
export function ownerPairs(credentials: readonly CredentialPair[], config: DeviceConfig | undefined, service: CredentialService): CredentialPair[] {
  const tied = config?.credentials ?? [];
  const aliases: Record<CredentialService, string[]> = {
    ssh: ['ssh', 'sftp'], telnet: ['telnet'], http: ['http', 'https', 'web', 'www'], ftp: ['ftp', 'ftps'],
    mqtt: ['mqtt', 'mqtts', 'secure-mqtt'], rtsp: ['rtsp'], snmp: ['snmp'],
  };
  return credentials.filter((c) => {
    const entry = tied.find((t) => t.username === c.username && t.password === c.password);
    if (!entry?.service) return true;
    return aliases[service].includes(entry.service.trim().toLowerCase());
  });
}

/** A credential no device has: the negative control. */
export function randomCredential(random: (n: number) => Buffer = randomBytes): Candidate {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  const bytes = random(22);
  let password = '';
  for (let i = 0; i < 18; i++) password += alphabet[(bytes[i] ?? 0) % alphabet.length];
  const user = `iotcop${[...bytes.subarray(18, 22)].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
  return { username: user, password: `Q${password}7`, origin: 'generic', source: 'negative control (random)' };
}
