/**
 * The ScanResult as a zod schema: the source of schema/scan-result.schema.json (published JSON Schema)
 * and the validator the tests use. The type assertions at the bottom keep it in step with model.ts.
 */
import { z } from 'zod';
import {
  CHECK_STATUSES, DEVICE_TYPES, ERROR_KINDS, SAFETY_LEVELS, SEVERITIES, VERDICTS,
  type Json, type ScanResult,
} from '../model.js';

const e = <T extends string>(values: readonly T[]) => z.enum(values as [T, ...T[]]);

const json: z.ZodType<Json> = z.lazy(() => z.union([
  z.null(), z.boolean(), z.number(), z.string(), z.array(json), z.record(z.string(), json),
]));

const guidelineId = z.string().regex(/^uk-cop-(1[0-3]|[1-9])$/) as unknown as z.ZodType<`uk-cop-${1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13}`>;
const transport = e(['tcp', 'udp'] as const);
const confidence = e(['high', 'medium', 'low'] as const);
const severity = e(SEVERITIES);
const errorKind = e(ERROR_KINDS);

const service = z.object({
  port: z.number().int().min(0).max(65535),
  transport,
  state: e(['open', 'open|filtered'] as const),
  name: z.string().optional(),
  product: z.string().optional(),
  version: z.string().optional(),
  extraInfo: z.string().optional(),
  cpe: z.array(z.string()).optional(),
  tls: z.object({ enabled: z.boolean(), certSha256: z.string().optional(), subject: z.string().optional() }).optional(),
  banner: z.string().optional(),
  sshHostKeySha256: z.string().optional(),
  scripts: z.array(z.object({ id: z.string(), output: z.string(), table: json.optional() })).optional(),
});

const identification = z.object({
  vendor: z.string().optional(),
  model: z.string().optional(),
  type: e(DEVICE_TYPES),
  confidence,
  sources: z.array(z.string()),
  firmware: z.string().optional(),
  serial: z.string().optional(),
  friendlyName: z.string().optional(),
});

const sourceLocation = z.object({ file: z.string(), line: z.number().int(), column: z.number().int() });

const guidelineVerdict = z.object({
  id: guidelineId,
  verdict: e(VERDICTS),
  findings: z.array(z.string()),
  reason: z.string().optional(),
});

const psti = z.object({
  noUniversalDefaultPassword: e(['violated', 'no-issue-found', 'partly-tested', 'not-tested'] as const),
  disclosurePolicy: e(['found', 'configured', 'invalid', 'unknown'] as const),
  disclosurePolicyUrl: z.string().optional(),
  supportPeriod: e(['date', 'ended', 'unknown'] as const),
  supportPeriodEnd: z.string().optional(),
});

const device = z.object({
  address: z.string(),
  mac: z.string().optional(),
  macVendor: z.string().optional(),
  macRandomised: z.boolean().optional(),
  hostnames: z.array(z.string()),
  name: z.string(),
  identification,
  services: z.array(service),
  declaredAt: sourceLocation.optional(),
  thisComputer: z.literal(true).optional(),
  guidelines: z.array(guidelineVerdict),
  psti,
  unresponsive: z.boolean().optional(),
});

const finding = z.object({
  id: z.string().regex(/^[0-9a-f]{16}$/),
  check: z.string(),
  probe: z.string(),
  device: z.string(),
  status: e(CHECK_STATUSES),
  severity,
  confidence,
  title: z.string(),
  summary: z.string().optional(),
  description: z.string(),
  remediation: z.string(),
  guidelines: z.array(guidelineId),
  provisions: z.array(z.string()),
  port: z.number().int().optional(),
  transport: transport.optional(),
  evidence: json,
  credential: z.object({ username: z.string(), password: z.string(), masked: z.boolean() }).optional(),
  error: z.object({ kind: errorKind, message: z.string() }).optional(),
});

const skipped = z.object({
  probe: z.string(),
  device: z.string().optional(),
  port: z.number().int().optional(),
  transport: transport.optional(),
  reason: e(['no-matching-service', 'above-safety-level', 'deselected', 'fragile-port', 'no-answer', 'timeout-global', 'circuit-breaker', 'aborted', 'not-applicable', 'this-computer'] as const),
  detail: z.string().optional(),
});

const runError = z.object({ source: z.string(), kind: errorKind, message: z.string(), device: z.string().optional() });

const countsOf = <T extends string>(keys: readonly T[]) =>
  z.object(Object.fromEntries(keys.map((k) => [k, z.number().int().min(0)])) as Record<T, z.ZodNumber>);

export const scanResultSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('iotcop'), version: z.string() }),
  run: z.object({
    id: z.string(),
    startedAt: z.string(),
    finishedAt: z.string(),
    durationMs: z.number().min(0),
    targets: z.array(z.string()),
    autoTargets: z.boolean(),
    configFile: z.string().optional(),
    options: z.object({
      safety: e(SAFETY_LEVELS),
      ports: z.string().optional(),
      exclude: z.array(z.string()),
      allowPublic: z.boolean(),
      maxHosts: z.number().int(),
      timeoutMs: z.number(),
      concurrency: z.number().int(),
      perHost: z.number().int(),
      revealCredentials: z.boolean(),
      only: z.array(z.string()),
      skip: z.array(z.string()),
      failOn: e([...SEVERITIES, 'never'] as const),
    }),
    capabilities: z.object({
      nmap: z.object({ path: z.string(), version: z.string() }).nullable(),
      privileged: z.boolean(),
      scanType: e(['syn', 'connect', 'import', 'fallback-connect', 'none'] as const),
      notices: z.array(z.string()),
    }),
    partial: z.boolean(),
    stopReason: e(['timeout', 'signal', 'error'] as const).optional(),
    shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }).optional(),
    merged: z.object({ shards: z.number().int().min(1), runs: z.array(z.string()) }).optional(),
    // which vulnerability data the scan used, and its age.
    vulnData: z.object({
      bundledAdvisories: z.number().int().min(0),
      store: z.object({
        version: z.number().int().min(1), updatedAt: z.string(), ageDays: z.number().int().min(0),
        osvAdvisories: z.number().int().min(0), kevEntries: z.number().int().min(0), kevCatalogVersion: z.string().optional(),
      }).optional(),
      vulnDbAdvisories: z.number().int().min(0).optional(),
    }).optional(),
    reassessed: z.object({
      at: z.string(), scannedWith: z.string(),
      assessedJobs: z.number().int().min(0), keptJobs: z.number().int().min(0),
      kept: z.record(z.string(), z.number().int().min(0)),
    }).optional(),
  }),
  devices: z.array(device),
  findings: z.array(finding),
  skipped: z.array(skipped),
  errors: z.array(runError),
  summary: z.object({
    devices: z.number().int(),
    services: z.number().int(),
    findings: countsOf(CHECK_STATUSES),
    bySeverity: countsOf(SEVERITIES),
    failingGuidelines: z.array(guidelineId),
    worst: severity.nullable(),
  }),
});

// Compile-time agreement with model.ts, both ways.
type Parsed = z.infer<typeof scanResultSchema>;
const _toModel = (p: Parsed): ScanResult => p;
const _toSchema = (r: ScanResult): Parsed => r;
void _toModel; void _toSchema;

export function scanResultJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(scanResultSchema, { target: 'draft-2020-12', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    ...schema,
    $id: 'https://github.com/iotcop/iotcop/schema/scan-result.schema.json',
    title: 'iotcop ScanResult',
    description: 'The result of one iotcop scan (schemaVersion 1). Strings that came from devices are untrusted.',
  };
}
