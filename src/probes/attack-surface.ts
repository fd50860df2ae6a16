/**
 * attack-surface (host scope, guideline 6): what the device exposes, judged from discovery alone; it
 * sends nothing.
 * - unexpected-open-ports: open ports against the owner's expectedPorts (targets.yaml), else the
 *   defaults for the device type (src/data/expected-ports.json). Unknown or general-purpose devices
 *   have no expected set: not applicable.
 * - debug-service-exposed: Telnet, ADB, gdbserver, TR-069, vendor port 9999, r-services, Docker API…
 *   (src/data/debug-services.json), one result per exposed service.
 * - service-version-disclosure: product and version that services give away without authentication
 *   (nmap version detection, banners). Information only.
 */
import { capOrNull } from '../text.js';
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { DeviceType, Json, Service, Severity, Transport } from '../model.js';
import expectedJson from '../data/expected-ports.json' with { type: 'json' };
import debugJson from '../data/debug-services.json' with { type: 'json' };

export interface ExpectedEntry { ports: string[]; why: string; source: string }
export interface DebugEntry {
  id: string;
  label: string;
  transport: Transport;
  ports: number[];
  names: string[];
  portNames: string[];
  nameRequired?: boolean;
  status: 'fail' | 'warn';
  severity: Severity;
  why: string;
  source: string;
}

export const EXPECTED_PORTS = (expectedJson as { types: Record<string, ExpectedEntry[]> }).types;
export const DEBUG_SERVICES = (debugJson as { entries: DebugEntry[] }).entries;

export type PortRange = { from: number; to: number; transport: Transport };

/** "80", 80, "161/udp", "49152-49160/tcp" → a range; null when malformed. */
export function parsePortSpec(spec: string | number): PortRange | null {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?(?:\/(tcp|udp))?$/.exec(String(spec).trim().toLowerCase());
  if (!m) return null;
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < 1 || to > 65535 || to < from) return null;
  return { from, to, transport: (m[3] ?? 'tcp') as Transport };
}

export type ServiceSummary = {
  port: number;
  transport: Transport;
  state: string;
  name: string | null;
  product: string | null;
  version: string | null;
  banner: string | null;
};

export type AttackSurfaceEvidence = {
  deviceType: DeviceType;
  typeConfidence: string;
  /** Where the expected set comes from; null when there is none. */
  expectedSource: 'targets.yaml' | 'defaults' | null;
  expected: string[];
  services: ServiceSummary[];
};

function summarise(s: Service): ServiceSummary {
  return {
    port: s.port, transport: s.transport, state: s.state,
    name: capOrNull(s.name, 60), product: capOrNull(s.product, 120), version: capOrNull(s.version, 60), banner: capOrNull(s.banner, 200),
  };
}

async function collect(ctx: ProbeContext): Promise<AttackSurfaceEvidence> {
  const type = (ctx.config?.type as DeviceType | undefined) ?? ctx.device.identification.type;
  const own = ctx.config?.expectedPorts;
  const defaults = EXPECTED_PORTS[type];
  const expectedSource = own && own.length > 0 ? 'targets.yaml' : defaults ? 'defaults' : null;
  const expected = expectedSource === 'targets.yaml' ? own!.map(String) : expectedSource === 'defaults' ? defaults!.flatMap((e) => e.ports) : [];
  return {
    deviceType: type,
    typeConfidence: ctx.config?.type ? 'high' : ctx.device.identification.confidence,
    expectedSource,
    expected: expected.slice(0, 500),
    services: ctx.device.services.slice(0, 1000).map(summarise),
  };
}

// ------------------------------------------------------------------------------------------------

/** The debug/legacy entry a service matches, if any. */
export function debugEntryFor(s: Pick<ServiceSummary, 'port' | 'transport' | 'name'>, entries: readonly DebugEntry[] = DEBUG_SERVICES): DebugEntry | undefined {
  const name = s.name?.toLowerCase() ?? null;
  return entries.find((e) => {
    if (e.transport !== s.transport) return false;
    if (name !== null && e.names.includes(name)) return true;
    if (e.nameRequired) return false;
    return e.ports.includes(s.port) && (name === null || e.portNames.includes(name) || e.names.includes(name));
  });
}

function label(s: ServiceSummary): string {
  return `${s.port}/${s.transport}${s.name ? ` (${s.name})` : ''}`;
}

function assessDebug(ev: AttackSurfaceEvidence, open: ServiceSummary[]): { results: CheckResult[]; flagged: Set<string> } {
  const results: CheckResult[] = [];
  const flagged = new Set<string>();
  for (const s of open) {
    const entry = debugEntryFor(s);
    if (!entry) continue;
    flagged.add(`${s.port}/${s.transport}`);
    const byName = s.name !== null && entry.names.includes(s.name.toLowerCase());
    results.push({
      check: 'debug-service-exposed', status: entry.status, severity: entry.severity,
      confidence: byName && s.product !== null ? 'high' : byName || entry.ports.includes(s.port) ? 'medium' : 'low',
      title: `${entry.label} reachable on port ${s.port}`,
      detail: `${entry.label} is open on ${label(s)}: ${entry.why}.`,
      port: s.port, transport: s.transport,
      evidence: { service: { port: s.port, transport: s.transport, name: s.name, product: s.product, version: s.version }, entry: entry.id, source: entry.source },
    });
  }
  if (results.length === 0) {
    results.push({
      check: 'debug-service-exposed', status: 'pass',
      detail: `None of the ${open.length} open services is a known debug or legacy service.`,
      evidence: { open: open.map(label).slice(0, 50) },
    });
  }
  return { results, flagged };
}

function assessUnexpected(ev: AttackSurfaceEvidence, open: ServiceSummary[], flagged: Set<string>): CheckResult {
  if (ev.expectedSource === null) {
    return {
      check: 'unexpected-open-ports', status: 'not_applicable',
      detail: ev.deviceType === 'computer'
        ? 'A general-purpose computer has no expected set of ports; list them as expectedPorts in targets.yaml to have them checked.'
        : 'The device type is unknown, so there is no expected set of ports; give the type or expectedPorts in targets.yaml to have them checked.',
    };
  }
  const ranges = ev.expected.map(parsePortSpec).filter((r): r is PortRange => r !== null);
  const isExpected = (s: ServiceSummary): boolean => ranges.some((r) => r.transport === s.transport && s.port >= r.from && s.port <= r.to);
  const unexpected = open.filter((s) => !isExpected(s) && !flagged.has(`${s.port}/${s.transport}`));
  const evidence: Json = {
    deviceType: ev.deviceType, expectedFrom: ev.expectedSource, expected: ev.expected.slice(0, 60),
    unexpected: unexpected.map((s) => ({ port: s.port, transport: s.transport, name: s.name, product: s.product })).slice(0, 100),
    alsoDebugServices: [...flagged],
  };
  const confidence = ev.expectedSource === 'targets.yaml' ? 'high' : ev.typeConfidence === 'high' ? 'high' : ev.typeConfidence === 'medium' ? 'medium' : 'low';
  const from = ev.expectedSource === 'targets.yaml' ? 'the expectedPorts in targets.yaml' : `what a ${ev.deviceType} is expected to offer`;
  if (unexpected.length === 0) {
    return { check: 'unexpected-open-ports', status: 'pass', confidence, evidence, detail: `Every open port is among ${from}.` };
  }
  return {
    check: 'unexpected-open-ports', status: 'warn', severity: unexpected.length > 3 ? 'medium' : 'low', confidence, evidence,
    detail: `${unexpected.length} open port${unexpected.length === 1 ? ' is' : 's are'} not among ${from}: ${unexpected.slice(0, 10).map(label).join(', ')}${unexpected.length > 10 ? ', …' : ''}.`,
  };
}

/** "product version" strings services give away (nmap -sV fields, else a version-looking banner). */
export function disclosedVersion(s: ServiceSummary): string | null {
  if (s.product && s.version) return `${s.product} ${s.version}`;
  const banner = s.banner?.slice(0, 200) ?? '';
  const m = /([A-Za-z][A-Za-z0-9+._-]{1,40})[/_ -]v?(\d+\.\d+(?:[.\w-]{0,20}))/.exec(banner);
  if (m && !/^(HTTP|RTSP|SIP|SSH-\d|TLS|SSL)$/i.test(m[1]!)) return `${m[1]} ${m[2]}`;
  return null;
}

function assessVersions(open: ServiceSummary[]): CheckResult {
  const disclosed = open.map((s) => ({ s, v: disclosedVersion(s) })).filter((x) => x.v !== null);
  if (disclosed.length === 0) {
    return { check: 'service-version-disclosure', status: 'pass', detail: 'No service named its software version without authentication.' };
  }
  return {
    check: 'service-version-disclosure', status: 'info', title: 'Software versions disclosed without authentication',
    detail: `Without logging in, ${disclosed.slice(0, 6).map((x) => `${label(x.s)} reports ${x.v}`).join('; ')}${disclosed.length > 6 ? '; …' : ''}.`,
    evidence: { services: disclosed.slice(0, 50).map((x) => ({ port: x.s.port, transport: x.s.transport, software: x.v })) },
  };
}

export function assessAttackSurface(ev: AttackSurfaceEvidence): CheckResult[] {
  const open = ev.services.filter((s) => s.state === 'open');
  const debug = assessDebug(ev, open);
  return [assessUnexpected(ev, open, debug.flagged), ...debug.results, assessVersions(open)];
}

export default defineProbe<AttackSurfaceEvidence>({
  meta: {
    id: 'attack-surface',
    title: 'Exposed attack surface',
    safety: 'safe',
    appliesTo: { scope: 'host' },
    // Never dials: discovery already saw everything it judges (1 because the registry requires a positive budget).
    budget: { maxConnections: 1, timeoutMs: 5_000 },
    checks: {
      'unexpected-open-ports': {
        title: 'Only expected ports are open', failureTitle: 'Unexpected open ports',
        summary: 'The device has network services open that a device of its kind does not normally need; each one is another way in.',
        guidelines: ['uk-cop-6'], provisions: ['5.6-1', '5.6-5'], severity: 'low',
        description: 'Every listening service is attack surface. EN 303 645 asks that unused network interfaces are disabled (5.6-1) and only needed services are enabled (5.6-5). The expected set comes from expectedPorts in targets.yaml, or else from typical ports for the device type.',
        remediation: 'Find out what each listed port is for (the device manual or settings), switch off the features you do not use, and if a port stays open with no explanation, ask the vendor. If a port is expected on your device, add it to expectedPorts in targets.yaml.',
      },
      'debug-service-exposed': {
        title: 'No debug or legacy service is exposed', failureTitle: 'Debug or legacy service exposed',
        summary: 'The device exposes a maintenance or debug service that can give an attacker full control.',
        guidelines: ['uk-cop-6'], provisions: ['5.6-1', '5.6-4', '5.6-5'], severity: 'high',
        description: 'Debug and legacy services (Telnet, Android Debug Bridge, gdbserver, TR-069 listeners, vendor maintenance ports, r-services, an unprotected Docker API) usually need no or weak authentication and are a favourite entry point of IoT malware.',
        remediation: 'Switch the service off in the device settings (look for "Telnet", "debug", "developer options", "remote management"), install the latest firmware, and if it cannot be switched off, keep the device on a separate network and ask the vendor to remove it.',
      },
      'service-version-disclosure': {
        title: 'Software versions are not disclosed', failureTitle: 'Software versions disclosed without authentication',
        summary: 'The device tells anyone on the network which software versions it runs, which helps attackers pick known exploits.',
        guidelines: ['uk-cop-6'], provisions: ['5.6-2'], severity: 'info',
        description: 'Service banners that name product and version let an attacker look up known vulnerabilities without any interaction (EN 303 645 5.6-2: minimise unauthenticated disclosure of security-relevant information). Information only: the versions themselves are judged by software-versions.',
        remediation: 'Keep the firmware updated; where the device allows it, hide version numbers in banners and server headers.',
      },
    },
  },
  collect,
  assess(evidence) {
    return assessAttackSurface(evidence);
  },
});
