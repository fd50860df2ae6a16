/**
 * Default-credential data (./credentials.json): types, validation and compiled access. Data, not code:
 * see docs/CREDENTIALS.md for how to add an entry. Validation runs once at load; a broken file fails
 * loudly (and test/data/credentials.test.ts catches it before a release).
 *
 * Patterns are ours (never a device string), compiled case-insensitively, and only ever run on
 * length-capped device strings (MATCH_INPUT_CHARS).
 */
import { z } from 'zod';
import raw from './credentials.json' with { type: 'json' };
import { DEVICE_TYPES, type DeviceType } from '../model.js';

import { CREDENTIAL_SERVICES, type CredentialService } from './credential-services.js';

export { CREDENTIAL_SERVICES, type CredentialService };

/** Device strings are cut to this many characters before any pattern runs on them. */
export const MATCH_INPUT_CHARS = 256;

/** Placeholders a derived template may use (see deriveFromTemplate). */
export const TEMPLATE_FIELDS = ['serial', 'serial6', 'serial8', 'mac6', 'mac6l', 'mac8', 'mac12', 'mac12l'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

const service = z.enum(CREDENTIAL_SERVICES);
const source = z.string().trim().min(12, 'a source must say where the entry comes from');
const pattern = z.string().min(2).max(400).refine((p) => {
  try { new RegExp(p, 'i'); return true; } catch { return false; }
}, 'not a valid regular expression');
const id = z.string().regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'ids are lower-case kebab-case');
const username = z.string().max(64);
const password = z.string().max(128);
const httpPath = z.string().regex(/^\/[^\s\\]*$/, 'an absolute path on the device').max(200);

const pairSchema = z.strictObject({
  services: z.array(service).min(1),
  username,
  password,
  source,
  note: z.string().optional(),
});

const vendorSchema = z.strictObject({
  id,
  name: z.string().min(2),
  match: z.strictObject({
    vendor: pattern.optional(),
    macVendor: pattern.optional(),
    text: pattern.optional(),
  }).refine((m) => m.vendor !== undefined || m.macVendor !== undefined || m.text !== undefined, 'a vendor needs at least one match pattern'),
  lockout: z.strictObject({
    services: z.array(service).min(1),
    note: z.string().min(10),
    source,
    /** Documented number of wrong logins before the lock (the vendor's default). */
    threshold: z.number().int().min(1).max(100).optional(),
    /** What the lock applies to: the account (user name) or the client address. */
    scope: z.enum(['account', 'address']).optional(),
  }).optional(),
  rtspPaths: z.array(httpPath).max(4).optional(),
  httpPaths: z.array(httpPath).max(3).optional(),
  pairs: z.array(pairSchema),
});

const derivedSchema = z.strictObject({
  id,
  /** Vendor id this template belongs to; absent = applies to every device. */
  vendor: id.optional(),
  services: z.array(service).min(1),
  username,
  template: z.string().min(3).max(64).refine((t) => {
    const fields = [...t.matchAll(/\{([a-z0-9]+)\}/g)].map((m) => m[1]);
    return fields.length > 0 && fields.every((f) => (TEMPLATE_FIELDS as readonly string[]).includes(f ?? ''));
  }, `a template uses at least one of {${TEMPLATE_FIELDS.join('}, {')}} and nothing else in braces`),
  source,
});

export const credentialFileSchema = z.strictObject({
  description: z.string(),
  version: z.literal(1),
  vendors: z.array(vendorSchema),
  derived: z.array(derivedSchema),
  mirai: z.strictObject({
    source,
    note: z.string(),
    pairs: z.array(z.strictObject({ username, password })).min(1),
  }),
  generic: z.array(pairSchema),
  snmpCommunities: z.array(z.strictObject({ community: z.string().min(1).max(64), source })).min(1),
  /**
   * Per device type, the vendors whose pairs come first when no vendor could be matched (a camera of
   * unknown brand gets the common camera defaults before the generic list). docs/CREDENTIALS.md step 3.
   */
  typeDefaults: z.array(z.strictObject({
    type: z.enum(DEVICE_TYPES.filter((t) => t !== 'unknown') as [DeviceType, ...DeviceType[]]),
    vendors: z.array(id).min(1).max(12),
    source,
  })),
});

export type CredentialFile = z.infer<typeof credentialFileSchema>;
export type VendorEntry = z.infer<typeof vendorSchema>;
export type PairEntry = z.infer<typeof pairSchema>;
export type DerivedEntry = z.infer<typeof derivedSchema>;

/** Problems beyond the schema: duplicate ids, derived templates naming unknown vendors, duplicate pairs. */
export function crossCheck(file: CredentialFile): string[] {
  const problems: string[] = [];
  const ids = new Set<string>();
  for (const v of file.vendors) {
    if (ids.has(v.id)) problems.push(`vendor id "${v.id}" appears twice`);
    ids.add(v.id);
    const seen = new Set<string>();
    for (const p of v.pairs) {
      for (const s of p.services) {
        const key = `${s}\u0000${p.username}\u0000${p.password}`;
        if (seen.has(key)) problems.push(`vendor "${v.id}": ${s} pair "${p.username}" listed twice`);
        seen.add(key);
      }
    }
    if (v.rtspPaths && !v.pairs.some((p) => p.services.includes('rtsp'))) problems.push(`vendor "${v.id}": rtspPaths without an rtsp pair`);
  }
  const derivedIds = new Set<string>();
  for (const d of file.derived) {
    if (derivedIds.has(d.id)) problems.push(`derived id "${d.id}" appears twice`);
    derivedIds.add(d.id);
    if (d.vendor !== undefined && !ids.has(d.vendor)) problems.push(`derived "${d.id}" names unknown vendor "${d.vendor}"`);
  }
  const generic = new Set<string>();
  for (const p of file.generic) {
    for (const s of p.services) {
      const key = `${s}\u0000${p.username}\u0000${p.password}`;
      if (generic.has(key)) problems.push(`generic ${s} pair "${p.username}" listed twice`);
      generic.add(key);
    }
  }
  const types = new Set<string>();
  for (const t of file.typeDefaults) {
    if (types.has(t.type)) problems.push(`typeDefaults: type "${t.type}" listed twice`);
    types.add(t.type);
    for (const v of t.vendors) if (!ids.has(v)) problems.push(`typeDefaults "${t.type}" names unknown vendor "${v}"`);
  }
  const communities = new Set<string>();
  for (const c of file.snmpCommunities) {
    if (communities.has(c.community)) problems.push(`SNMP community "${c.community}" listed twice`);
    communities.add(c.community);
  }
  return problems;
}

/** Validates a credential file; throws with every problem listed. */
export function validateCredentialFile(input: unknown): CredentialFile {
  const parsed = credentialFileSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`src/data/credentials.json is invalid:\n  ${lines.join('\n  ')}`);
  }
  const extra = crossCheck(parsed.data);
  if (extra.length > 0) throw new Error(`src/data/credentials.json is invalid:\n  ${extra.join('\n  ')}`);
  return parsed.data;
}

export interface CompiledVendor extends VendorEntry {
  re: { vendor?: RegExp; macVendor?: RegExp; text?: RegExp };
}

export interface CredentialDb {
  file: CredentialFile;
  vendors: readonly CompiledVendor[];
}

export function compileCredentialDb(file: CredentialFile): CredentialDb {
  const vendors = file.vendors.map((v): CompiledVendor => {
    const re: CompiledVendor['re'] = {};
    if (v.match.vendor) re.vendor = new RegExp(v.match.vendor, 'i');
    if (v.match.macVendor) re.macVendor = new RegExp(v.match.macVendor, 'i');
    if (v.match.text) re.text = new RegExp(v.match.text, 'i');
    return { ...v, re };
  });
  return { file, vendors };
}

let cached: CredentialDb | undefined;

/** The built-in credential data, validated and compiled once. */
export function credentialDb(): CredentialDb {
  cached ??= compileCredentialDb(validateCredentialFile(raw));
  return cached;
}

/** The raw JSON as imported (for the validator test). */
export const RAW_CREDENTIAL_FILE: unknown = raw;
