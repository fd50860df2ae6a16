/**
 * The device lab's ground truth (lab/ground-truth.json): its schema, and a pure checker that compares
 * a ScanResult with it. The e2e suite scans the lab and asserts `checkGroundTruth(...)` is empty.
 *
 * Semantics:
 * - openPorts: every listed port must be among the device's services; an `open` service that is not
 *   listed is a violation too (the list is complete).
 * - mustFind: a finding on the device with the same check and status (and port/transport when given)
 *   must exist; with `credential`, the finding must name that username (and password, when the
 *   result is not masked).
 * - mustNotFind: no finding on the device may match. A rule without `status` matches fail and warn;
 *   a rule without `check` matches every check (`{ status: 'fail' }` = "nothing fails here").
 * - verdicts: the device's verdict for that guideline.
 * - runFindings: a run-scope finding (device '*' naming every listed device's address in its
 *   evidence, or a finding on one of the devices) with that check and status.
 *
 * `opts.probes` (the ids of the registered probes) limits the mustFind, runFindings and verdict
 * checks to what those probes can report, so the suite stays honest while probes are still being
 * written. mustNotFind always applies: a finding can only exist if its probe ran.
 */
import { z } from 'zod';
import { DEVICE_TYPES, VERDICTS } from '../../src/report/model.js';
import type { CheckStatus, DeviceResult, Finding, GuidelineId, ScanResult, Transport } from '../../src/report/model.js';
import { checkProbes, probeGuidelines } from '../../src/probes/catalog.js';
import { PROBES } from '../../src/probes/registry.js';

/** check id -> probe id, from the probes' own meta (the same source as docs/CHECKS.md). */
export const CHECK_PROBES: Readonly<Record<string, string>> = checkProbes(PROBES);

/** probe id -> guideline numbers its checks can decide (from meta). */
export const PROBE_GUIDELINES: Readonly<Record<string, readonly number[]>> = Object.fromEntries(PROBES.map((p) => [p.meta.id, probeGuidelines(p)]));

// --- schema -------------------------------------------------------------------------------------

const GUIDELINE_IDS = Array.from({ length: 13 }, (_, i) => `uk-cop-${i + 1}`) as [GuidelineId, ...GuidelineId[]];
const ipv4 = z.string().regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/);
const mac = z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'lower-case MAC aa:bb:cc:dd:ee:ff');
const port = z.number().int().min(1).max(65535);
const transport = z.enum(['tcp', 'udp']);
const reported = z.enum(['fail', 'warn', 'info']);
const checkId = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/);

const OpenPortSchema = z.strictObject({ port, transport, service: z.string().min(1), daemon: z.string().min(1) });
const ExpectSchema = z.strictObject({
  check: checkId,
  port: port.optional(),
  transport: transport.optional(),
  status: reported,
  credential: z.strictObject({ username: z.string(), password: z.string() }).optional(),
  note: z.string().optional(),
});
const ForbidSchema = z.strictObject({
  check: checkId.optional(),
  port: port.optional(),
  transport: transport.optional(),
  status: reported.optional(),
  note: z.string().optional(),
}).refine((r) => r.check !== undefined || r.status !== undefined, 'a mustNotFind rule needs a check, a status or both');

const DeviceSchema = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9-]*$/),
  address: ipv4,
  mac,
  macVendor: z.string().nullable(),
  macRandomised: z.boolean().optional(),
  type: z.enum(DEVICE_TYPES as unknown as [string, ...string[]]),
  persona: z.string().min(1),
  hostname: z.string().min(1),
  accounts: z.array(z.strictObject({
    service: z.string(), username: z.string(), password: z.string().nullable(), source: z.string().min(1),
  })),
  openPorts: z.array(OpenPortSchema),
  // Ports the device's software really listens on that no default scan can see (outside the port list,
  // or a UDP responder that ignores unicast queries), each with why; the lab test compares `ss` with
  // openPorts + alsoListening, a scan may but need not report them.
  alsoListening: z.array(OpenPortSchema.extend({ why: z.string().min(1) })).optional(),
  retainedTopics: z.array(z.string()).optional(),
  noTraffic: z.array(z.strictObject({ port, transport, log: z.string(), note: z.string().optional() })).optional(),
  authLog: z.string().optional(),
  maxAuthAttempts: z.number().int().positive().optional(),
  mustFind: z.array(ExpectSchema),
  mustNotFind: z.array(ForbidSchema),
  verdicts: z.partialRecord(z.enum(GUIDELINE_IDS), z.enum(VERDICTS as unknown as [string, ...string[]])),
});

export const GroundTruthSchema = z.strictObject({
  description: z.string(),
  subnet: z.string(),
  scanner: z.strictObject({ namespace: z.string(), address: ipv4, mac }),
  devices: z.array(DeviceSchema).min(1),
  runFindings: z.array(z.strictObject({
    check: checkId, status: reported, devices: z.array(z.string()).min(2), note: z.string().optional(),
  })),
});

export type GroundTruth = z.infer<typeof GroundTruthSchema>;
export type TruthDevice = GroundTruth['devices'][number];
export type Expectation = z.infer<typeof ExpectSchema>;
export type Prohibition = z.infer<typeof ForbidSchema>;

/** Parse (throws a ZodError with paths on a malformed file). */
export function parseGroundTruth(json: unknown): GroundTruth {
  return GroundTruthSchema.parse(json);
}

/** Consistency beyond the schema: unique names/addresses/MACs, known check ids, ports that exist. */
export function validateGroundTruth(truth: GroundTruth): string[] {
  const problems: string[] = [];
  const seen = (what: string, values: string[]): void => {
    const dup = values.filter((v, i) => values.indexOf(v) !== i);
    for (const d of new Set(dup)) problems.push(`duplicate ${what}: ${d}`);
  };
  seen('device name', truth.devices.map((d) => d.name));
  seen('address', [truth.scanner.address, ...truth.devices.map((d) => d.address)]);
  seen('MAC', [truth.scanner.mac, ...truth.devices.map((d) => d.mac)]);
  const known = (check: string | undefined, where: string): void => {
    if (check !== undefined && !(check in CHECK_PROBES)) problems.push(`${where}: unknown check id ${check} (not in docs/CHECKS.md)`);
  };
  for (const d of truth.devices) {
    seen(`${d.name} open port`, d.openPorts.map((p) => `${p.port}/${p.transport}`));
    const open = new Set(d.openPorts.map((p) => `${p.port}/${p.transport}`));
    for (const e of d.mustFind) {
      known(e.check, `${d.name} mustFind`);
      if (e.port !== undefined && !open.has(`${e.port}/${e.transport ?? 'tcp'}`)) {
        problems.push(`${d.name} mustFind ${e.check}: port ${e.port}/${e.transport ?? 'tcp'} is not in openPorts`);
      }
    }
    for (const r of d.mustNotFind) known(r.check, `${d.name} mustNotFind`);
    for (const e of d.mustFind) {
      const contradicted = d.mustNotFind.find((r) => ruleMatches(r, { check: e.check, status: e.status, port: e.port, transport: e.transport }));
      if (contradicted) problems.push(`${d.name}: ${e.check} ${e.status} is both expected and forbidden`);
    }
  }
  const names = new Set(truth.devices.map((d) => d.name));
  for (const r of truth.runFindings) {
    known(r.check, 'runFindings');
    for (const n of r.devices) if (!names.has(n)) problems.push(`runFindings ${r.check}: unknown device ${n}`);
  }
  return problems;
}

// --- checker --------------------------------------------------------------------------------------

export interface CheckOptions {
  /** Ids of the registered probes: expectations whose check belongs to another probe are skipped. */
  probes?: readonly string[];
  /** Which open ports to require (default 'all'; 'tcp' when the scan did not cover UDP). */
  ports?: 'all' | 'tcp' | 'none';
}

interface FindingKey { check: string; status: CheckStatus; port?: number; transport?: Transport }

function ruleMatches(rule: Prohibition, f: FindingKey): boolean {
  const statuses: readonly CheckStatus[] = rule.status ? [rule.status] : ['fail', 'warn'];
  return (rule.check === undefined || rule.check === f.check)
    && statuses.includes(f.status)
    && (rule.port === undefined || rule.port === f.port)
    && (rule.transport === undefined || rule.transport === f.transport);
}

function where(port?: number, transport?: Transport): string {
  return port === undefined ? '' : ` on ${port}/${transport ?? 'tcp'}`;
}

function describe(f: Finding): string {
  return `${f.check} ${f.status}${where(f.port, f.transport)}`;
}

function guidelineNumber(id: string): number {
  return Number(id.slice('uk-cop-'.length));
}

export function checkGroundTruth(result: ScanResult, truth: GroundTruth, opts: CheckOptions = {}): string[] {
  const registered = opts.probes ? new Set(opts.probes) : null;
  const active = (check: string): boolean => registered === null || registered.has(CHECK_PROBES[check] ?? '');
  const portsMode = opts.ports ?? 'all';
  const wantPort = (t: Transport): boolean => portsMode === 'all' || (portsMode === 'tcp' && t === 'tcp');
  const violations: string[] = [];
  const byAddress = new Map<string, DeviceResult>(result.devices.map((d) => [d.address, d]));

  for (const device of truth.devices) {
    const label = `${device.name} (${device.address})`;
    const dr = byAddress.get(device.address);
    if (!dr) {
      violations.push(`${label}: device missing from the scan result`);
      continue;
    }
    if (dr.mac !== undefined && dr.mac.toLowerCase() !== device.mac) {
      violations.push(`${label}: MAC ${dr.mac}, expected ${device.mac}`);
    }

    // ports
    const expected = new Set([...device.openPorts, ...device.alsoListening ?? []].map((p) => `${p.port}/${p.transport}`));
    const seenPorts = new Set(dr.services.map((s) => `${s.port}/${s.transport}`));
    for (const p of device.openPorts) {
      if (wantPort(p.transport) && !seenPorts.has(`${p.port}/${p.transport}`)) {
        violations.push(`${label}: port missing: ${p.port}/${p.transport} (${p.service}, ${p.daemon})`);
      }
    }
    for (const s of dr.services) {
      if (s.state === 'open' && wantPort(s.transport) && !expected.has(`${s.port}/${s.transport}`)) {
        violations.push(`${label}: unexpected open port ${s.port}/${s.transport}${s.name ? ` (${s.name})` : ''}`);
      }
    }

    const findings = result.findings.filter((f) => f.device === device.address);

    // must find
    for (const e of device.mustFind) {
      if (!active(e.check)) continue;
      const match = findings.find((f) => f.check === e.check && f.status === e.status
        && (e.port === undefined || f.port === e.port) && (e.transport === undefined || f.transport === e.transport));
      if (!match) {
        const instead = findings.filter((f) => f.check === e.check).map(describe);
        violations.push(`${label}: expected finding missing: ${e.check} ${e.status}${where(e.port, e.transport)}`
          + ` (found ${instead.length ? instead.join(', ') : `no ${e.check} result`})`);
        continue;
      }
      if (e.credential) {
        const c = match.credential;
        if (!c) {
          violations.push(`${label}: ${e.check}${where(e.port, e.transport)} names no credential, expected user ${e.credential.username}`);
        } else if (c.username !== e.credential.username) {
          violations.push(`${label}: ${e.check}${where(e.port, e.transport)} names user ${c.username}, expected ${e.credential.username}`);
        } else if (!c.masked && c.password !== e.credential.password) {
          violations.push(`${label}: ${e.check}${where(e.port, e.transport)} names the wrong password for ${c.username}`);
        }
      }
    }

    // must not find
    for (const r of device.mustNotFind) {
      for (const f of findings) {
        if (ruleMatches(r, f)) {
          const rule = `${r.check ?? 'any check'} ${r.status ?? 'fail/warn'}`;
          violations.push(`${label}: forbidden finding: ${describe(f)} "${f.title}" (rule: no ${rule}${where(r.port, r.transport)})`);
        }
      }
    }

    // verdicts
    for (const [g, v] of Object.entries(device.verdicts)) {
      if (v === undefined || !verdictActive(device, g, v, truth, registered)) continue;
      const got = dr.guidelines.find((x) => x.id === g);
      if (!got) violations.push(`${label}: no verdict for ${g}, expected ${v}`);
      else if (got.verdict !== v) violations.push(`${label}: verdict ${g} is ${got.verdict}, expected ${v}`);
    }
  }

  // run-scope findings
  const addressOf = new Map(truth.devices.map((d) => [d.name, d.address]));
  for (const r of truth.runFindings) {
    if (!active(r.check)) continue;
    const addrs = r.devices.map((n) => addressOf.get(n) ?? n);
    const found = result.findings.some((f) => f.check === r.check && f.status === r.status
      && (addrs.includes(f.device) || (f.device === '*' && addrs.every((a) => JSON.stringify(f.evidence).includes(a)))));
    if (!found) violations.push(`run: expected finding missing: ${r.check} ${r.status} across ${r.devices.join(', ')}`);
  }
  return violations;
}

/**
 * Whether a verdict expectation can be judged with the registered probes: fail/warn once every probe
 * behind the device's expectations for that guideline is registered; pass and not_tested once every probe
 * that can decide the guideline is (a login no recipe knows is not_tested only if nothing else decides
 * guideline 1); manual always.
 */
function verdictActive(device: TruthDevice, g: string, v: string, truth: GroundTruth, registered: Set<string> | null): boolean {
  if (registered === null || v === 'manual') return true;
  const n = guidelineNumber(g);
  const probesFor = (check: string): string => CHECK_PROBES[check] ?? '';
  const decides = (probe: string): boolean => (PROBE_GUIDELINES[probe] ?? []).includes(n);
  if (v === 'pass' || v === 'not_tested') {
    return Object.keys(PROBE_GUIDELINES).filter(decides).every((p) => registered.has(p));
  }
  const behind = [
    ...device.mustFind.map((e) => probesFor(e.check)),
    ...truth.runFindings.filter((r) => r.devices.includes(device.name)).map((r) => probesFor(r.check)),
  ].filter(decides);
  return behind.length > 0 && behind.every((p) => registered.has(p));
}

/**
 * Authentication attempts recorded in a device's JSON-lines log (lab/run/<device>/attempts.log): lines
 * with event "attempt" (the lockout trap: a request that carried a credential) or with a "result" (the
 * vendor web-login fakes: one line per login). Compare with `maxAuthAttempts`.
 */
export function countAuthAttempts(log: string): number {
  let n = 0;
  for (const line of log.split('\n')) {
    if (line.trim() === '') continue;
    try {
      const entry: unknown = JSON.parse(line);
      if (typeof entry !== 'object' || entry === null) continue;
      const e = entry as { event?: unknown; result?: unknown };
      if (e.event === 'attempt' || typeof e.result === 'string') n += 1;
    } catch {
      // not a log line of ours
    }
  }
  return n;
}
