/**
 * The schema of targets.yaml (strict: an unknown key is an error). targets.example.yaml documents every key.
 * Pure: parsing text into a validated config lives in config.ts.
 */
import { PROBE_IDS } from '../probes/ids.js';
import { z } from 'zod';
import { DEVICE_TYPES, SAFETY_LEVELS, SEVERITIES } from '../model.js';
import { CREDENTIAL_SERVICES } from '../data/credential-services.js';

/** "90s", "10m", "1h", "1h30m" or a number of seconds. */
export const DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;

export function parseDuration(value: string | number): number | null {
  // round first (0.0001 s is 0 ms, which means "no time budget"), and 1e308 s is not finite in ms.
  if (typeof value === 'number') {
    const ms = Math.round(value * 1000);
    return Number.isFinite(ms) && ms > 0 ? ms : null;
  }
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return parseDuration(Number(text));
  const m = DURATION.exec(text);
  if (!m || text === '') return null;
  const n = (s: string | undefined) => (s ? Number(s.slice(0, -1)) : 0);
  const ms = ((n(m[1]) * 60 + n(m[2])) * 60 + n(m[3])) * 1000;
  return ms > 0 ? ms : null;
}

const duration = z.union([z.number().positive(), z.string()]).refine((v) => parseDuration(v) !== null, {
  message: 'expected a duration such as 90s, 10m or 1h',
});

const portSpec = z.union([
  z.number().int().min(1).max(65535),
  z.string().regex(/^\d{1,5}(\/(tcp|udp))?$/, 'expected a port such as 443 or 161/udp'),
]);

// a typo here (a device's `only: [telnet-default-credential]`) would silently leave the device unchecked
const probeIds = z.array(z.string().refine((id) => PROBE_IDS.includes(id), { error: (issue) => `unknown probe "${String(issue.input).slice(0, 60)}" (\`iotcop probes\` lists them)` }));

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)), 'not a real date');

const url = z.string().url('expected a URL such as https://example.com/security');

const credential = z.strictObject({
  service: z.enum(CREDENTIAL_SERVICES).optional(),
  username: z.string().max(256),
  password: z.string().max(256),
});

export const deviceSchema = z.strictObject({
  address: z.string().min(1),
  name: z.string().max(200).optional(),
  type: z.enum(DEVICE_TYPES as [string, ...string[]]).optional(),
  vendor: z.string().max(200).optional(),
  model: z.string().max(200).optional(),
  expectedPorts: z.array(portSpec).optional(),
  only: probeIds.optional(),
  skip: probeIds.optional(),
  credentials: z.array(credential).max(50).optional(),
  // Owner allowances for the credential checks (docs/CREDENTIALS.md "Coverage").
  maxGuesses: z.number().int().min(0).max(100).optional(),
  maxFailuresPerAccount: z.number().int().min(1).max(20).optional(),
  disclosureUrl: url.optional(),
  supportEnd: isoDate.optional(),
  updateUrl: url.optional(),
});

export const vendorSchema = z.strictObject({
  name: z.string().min(1).max(200),
  disclosureUrl: url.optional(),
  supportEnd: isoDate.optional(),
});

export const scanSchema = z.strictObject({
  targets: z.array(z.string().min(1)).optional(),
  exclude: z.array(z.string().min(1)).optional(),
  safety: z.enum(SAFETY_LEVELS as [string, ...string[]]).optional(),
  ports: z.string().optional(),
  allowPublic: z.boolean().optional(),
  maxHosts: z.number().int().positive().optional(),
  timeout: duration.optional(),
  concurrency: z.number().int().min(1).max(512).optional(),
  perHost: z.number().int().min(1).max(16).optional(),
  maxGuesses: z.number().int().min(0).max(100).optional(),
  formats: z.array(z.string()).optional(),
  out: z.string().optional(),
  failOn: z.enum(['never', ...SEVERITIES] as [string, ...string[]]).optional(),
  revealCredentials: z.boolean().optional(),
  only: probeIds.optional(),
  skip: probeIds.optional(),
});

export const configSchema = z.strictObject({
  scan: scanSchema.optional(),
  devices: z.array(deviceSchema).optional(),
  vendors: z.array(vendorSchema).optional(),
});

export type TargetsConfig = z.infer<typeof configSchema>;
export type DeviceEntry = z.infer<typeof deviceSchema>;
export type ScanSettings = z.infer<typeof scanSchema>;
