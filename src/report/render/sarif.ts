/**
 * SARIF 2.1.0 report, shaped for GitHub code scanning.
 *
 * - One rule per check id seen in the findings; rule shortDescription = the check's title,
 *   fullDescription = why it matters, help = what to do.
 * - The 13 guidelines are a taxonomy (run.taxonomies[0]); each result and each rule points at
 *   its guidelines through `taxa` / `relationships`.
 * - Only problems are results: status fail (level from severity: critical/high → error,
 *   medium → warning, low/info → note) and warn (always note). A check only partly done (status partial:
 *   a password check that skipped likely candidates) is a result of kind "review" (level "none", as
 *   SARIF 3.27.9 requires for kinds other than "fail"), so a tester sees what is left to check. pass,
 *   info, not_applicable, error and not_tested are not results; errors of the run are tool execution
 *   notifications.
 * - partialFingerprints carries the stable finding id, so an alert survives re-scans and closes
 *   when the problem is fixed.
 *
 * Locations. GitHub rejects a result without a physical location, and rejects any absolute URI
 * whose scheme is not the checkout's (`file`): uploads with `docker://…`, `git://…` or
 * `https://…` locations fail with "SARIF URI scheme … did not match the checkout URI scheme
 * file" (github/codeql-action#754, goodwithtech/dockle#207), so an `iotcop://device/<address>`
 * URI would fail the same way. Each result is therefore anchored at:
 *   1. the targets file line where the device was declared (device.declaredAt), as a relative
 *      path (or a file:// URI when the path is absolute), or else
 *   2. a line of the generated artifact `iotcop-devices.txt` (one device per line, sorted by
 *      address; line 1 is a header that run-wide findings point at). Its content is embedded in
 *      run.artifacts, and `sarifDeviceListing()` returns it so the CLI can write it next to the
 *      report. GitHub accepts a relative path that is not in the repository; it shows the alert
 *      without a code preview.
 */
import type * as Sarif from 'sarif';
import { GUIDELINES } from '../../guidelines/catalogue.js';
import type { DeviceResult, Finding, ScanResult, Severity } from '../../model.js';
import { showControls, termSafe } from '../escape.js';
import {
  compareFindings, credentialText, deviceLabel, naturalCompare, plainSentence, portText, type RenderOptions,
} from './common.js';

export const SARIF_DEVICES_ARTIFACT = 'iotcop-devices.txt';
export const TAXONOMY_NAME = 'UK-CoP-IoT';
export const FINGERPRINT_KEY = 'iotcopFindingId/v1';

const SECURITY_SEVERITY: Record<Severity, string | undefined> = {
  critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: undefined,
};

/** Plain text for a SARIF message: controls visible, and square brackets escaped (SARIF §3.11.6: embedded links). */
function text(s: string): string {
  return showControls(s, true).replace(/[[\]]/g, (c) => `\\${c}`);
}

/** Plain text where SARIF gives brackets no meaning (descriptions, property values). */
function plain(s: string): string {
  return showControls(s, true);
}

function level(f: Finding): Sarif.Result.level {
  if (f.status === 'warn') return 'note';
  if (f.severity === 'critical' || f.severity === 'high') return 'error';
  if (f.severity === 'medium') return 'warning';
  return 'note';
}

function isResult(f: Finding): boolean {
  return f.status === 'fail' || f.status === 'warn' || f.status === 'partial';
}

/** A path from targets.yaml as a URI reference: relative stays relative, absolute becomes file://. */
export function pathToUri(path: string): string {
  const p = path.replace(/\\/g, '/');
  const enc = (seg: string): string => encodeURIComponent(seg);
  const drive = /^([A-Za-z]):\//.exec(p);
  if (drive) return `file:///${drive[1]}:/${p.slice(3).split('/').map(enc).join('/')}`;
  if (p.startsWith('/')) return `file://${p.split('/').map(enc).join('/')}`;
  return p.split('/').map(enc).join('/');
}

function devicesSorted(result: ScanResult): DeviceResult[] {
  return [...result.devices].sort((a, b) => naturalCompare(a.address, b.address));
}

/**
 * Content of iotcop-devices.txt: a header line, then one line per device (address, tab, name),
 * sorted by address. SARIF results of devices not declared in a targets file point at these
 * lines. Device text is made inert (no control characters, so no extra lines).
 */
export function sarifDeviceListing(result: ScanResult): string {
  const lines = [`# Devices found by iotcop run ${termSafe(result.run.id)}; SARIF results point at these lines.`];
  for (const d of devicesSorted(result)) lines.push(`${termSafe(d.address)}\t${termSafe(d.name)}`);
  return `${lines.join('\n')}\n`;
}

function location(result: ScanResult, f: Finding, listingLine: Map<string, number>): Sarif.Location {
  const d = result.devices.find((x) => x.address === f.device);
  const where = portText(f);
  const logical: Sarif.LogicalLocation = {
    name: plain(f.device === '*' ? 'network' : f.device),
    fullyQualifiedName: plain(`${f.device === '*' ? 'network' : f.device}${where ? `:${where}` : ''}`),
    kind: 'device',
  };
  if (d?.declaredAt) {
    const { file, line, column } = d.declaredAt;
    return {
      physicalLocation: {
        artifactLocation: { uri: pathToUri(file) },
        region: { startLine: Math.max(1, Math.floor(line) || 1), startColumn: Math.max(1, Math.floor(column) || 1) },
      },
      logicalLocations: [logical],
      message: { text: text(`declared here: ${deviceLabel(d)}`) },
    };
  }
  return {
    physicalLocation: {
      artifactLocation: { uri: SARIF_DEVICES_ARTIFACT, index: 0 },
      region: { startLine: listingLine.get(f.device) ?? 1 },
    },
    logicalLocations: [logical],
    ...(d ? { message: { text: text(deviceLabel(d)) } } : {}),
  };
}

export function renderSarif(result: ScanResult, _options: RenderOptions): string {
  const listingLine = new Map<string, number>(devicesSorted(result).map((d, i) => [d.address, i + 2]));
  const order = new Map<string, number>(devicesSorted(result).map((d, i) => [d.address, i]));
  const findings = [...result.findings].sort((a, b) =>
    (order.get(a.device) ?? -1) - (order.get(b.device) ?? -1) || compareFindings(a, b));

  // ---- rules: one per check id
  const byCheck = new Map<string, Finding>();
  for (const f of findings) {
    const seen = byCheck.get(f.check);
    // Prefer a failing finding's title ("Telnet accepts a default credential") for the rule.
    if (!seen || (!isResult(seen) && isResult(f))) byCheck.set(f.check, f);
  }
  const checkIds = [...byCheck.keys()].sort();
  const ruleIndex = new Map(checkIds.map((id, i) => [id, i]));
  const taxonRef = (id: string): Sarif.ReportingDescriptorReference => ({
    id, index: GUIDELINES.findIndex((g) => g.id === id), toolComponent: { name: TAXONOMY_NAME, index: 0 },
  });
  const rules: Sarif.ReportingDescriptor[] = checkIds.map((id) => {
    const f = byCheck.get(id)!;
    const sev = SECURITY_SEVERITY[f.severity];
    return {
      id: plain(id),
      name: plain(id.replace(/(^|-)([a-z0-9])/g, (_m, _d: string, c: string) => c.toUpperCase())),
      shortDescription: { text: plain(f.title) },
      fullDescription: { text: plain(f.description || f.title) },
      help: { text: plain(f.remediation || 'See the iotcop report.') },
      defaultConfiguration: { level: f.status === 'warn' ? 'note' : level({ ...f, status: 'fail' }) },
      relationships: f.guidelines.map((g) => ({ target: taxonRef(g), kinds: ['relevant'] })),
      properties: {
        tags: ['security', 'iot', ...f.guidelines],
        precision: f.confidence === 'high' ? 'high' : f.confidence === 'medium' ? 'medium' : 'low',
        ...(sev ? { 'security-severity': sev } : {}),
        probe: plain(f.probe),
        provisions: f.provisions.map(plain),
      },
    };
  });

  // ---- results: fail and warn, and partial as review
  const results: Sarif.Result[] = findings.filter(isResult).map((f) => {
    const d = result.devices.find((x) => x.address === f.device);
    const who = d ? deviceLabel(d) : 'Several devices';
    const where = portText(f);
    const parts = [`${who}: ${plainSentence(f)}`];
    if (plainSentence(f) !== f.title) parts.push(`${f.title}${where ? ` (${where})` : ''}.`);
    else if (where) parts.push(`Port ${where}.`);
    if (f.credential) parts.push(`Login that worked: ${credentialText(f.credential)}.`);
    return {
      ruleId: plain(f.check),
      ruleIndex: ruleIndex.get(f.check)!,
      ...(f.status === 'partial' ? { kind: 'review' as const, level: 'none' as const } : { kind: 'fail' as const, level: level(f) }),
      message: { text: text(parts.join(' ')) },
      locations: [location(result, f, listingLine)],
      partialFingerprints: { [FINGERPRINT_KEY]: plain(f.id) },
      taxa: f.guidelines.map(taxonRef),
      properties: {
        findingId: plain(f.id),
        device: plain(f.device),
        ...(d ? { deviceName: plain(d.name) } : {}),
        status: f.status,
        severity: f.severity,
        confidence: f.confidence,
        ...(f.port !== undefined ? { port: f.port, transport: f.transport ?? 'tcp' } : {}),
        guidelines: f.guidelines,
        provisions: f.provisions.map(plain),
        ...(f.credential ? { credential: { username: f.credential.username, password: f.credential.password, masked: f.credential.masked } } : {}),
        evidence: f.evidence,
      },
    };
  });

  const taxonomy: Sarif.ToolComponent = {
    name: TAXONOMY_NAME,
    fullName: 'UK Code of Practice for Consumer IoT Security (DCMS/NCSC, October 2018)',
    organization: 'UK Department for Digital, Culture, Media & Sport; National Cyber Security Centre',
    version: '2018-10',
    informationUri: 'https://www.gov.uk/government/publications/code-of-practice-for-consumer-iot-security',
    isComprehensive: true,
    shortDescription: { text: 'The 13 guidelines for consumer IoT security; ETSI EN 303 645 clause 5.N follows the same order.' },
    taxa: GUIDELINES.map((g) => ({
      id: g.id,
      name: g.title,
      shortDescription: { text: g.title },
      fullDescription: { text: g.summary },
      help: { text: `What a scan can decide: ${g.scanCan} Check by hand: ${g.manualChecks.join(' ')}` },
      properties: {
        number: g.number,
        etsiClause: g.clause,
        testability: g.testability,
        ...(g.psti ? { psti: `UK PSTI requirement ${g.psti.number}: ${g.psti.title}` } : {}),
      },
    })),
  };

  const run = result.run;
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'iotcop',
          fullName: 'iotcop: IoT devices against the UK Code of Practice for Consumer IoT Security',
          version: plain(result.tool.version),
          ...(/^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]*)?$/.test(result.tool.version) ? { semanticVersion: result.tool.version } : {}),
          rules,
          supportedTaxonomies: [{ name: TAXONOMY_NAME, index: 0 }],
        },
      },
      taxonomies: [taxonomy],
      automationDetails: { id: `iotcop/${plain(run.id)}` },
      invocations: [{
        executionSuccessful: !run.partial,
        startTimeUtc: run.startedAt,
        endTimeUtc: run.finishedAt,
        toolExecutionNotifications: result.errors.map((e) => ({
          level: 'warning',
          message: { text: text(`${e.source}${e.device ? ` on ${e.device}` : ''}: ${e.kind}: ${e.message}`) },
          descriptor: { id: plain(e.kind) },
        })),
        properties: {
          targets: run.targets.map(plain),
          safety: run.options.safety,
          ...(run.stopReason ? { stopReason: run.stopReason } : {}),
        },
      }],
      artifacts: [{
        location: { uri: SARIF_DEVICES_ARTIFACT },
        mimeType: 'text/plain',
        roles: ['analysisTarget'],
        contents: { text: sarifDeviceListing(result) },
      }],
      columnKind: 'utf16CodeUnits',
      results,
    }],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
