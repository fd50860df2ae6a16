/**
 * software-versions: known-vulnerable and end-of-life software versions a device reveals
 * (guideline 3, EN 303 645 5.3-8 and 5.3-13).
 *
 * Host scope. Inputs, most specific first:
 * - what discovery already knows, without touching the network: nmap product/version/extrainfo,
 *   CPEs, the captured banner and nmap script output of every service (http-server-header,
 *   snmp-sysdescr, upnp-info, dns-nsid, …), and the identified firmware string;
 * - what it reads itself, within budget: the HTTP Server header (HEAD /, GET / when HEAD fails) of up
 *   to 3 web services, the SSH identification line and the FTP greeting when discovery has neither.
 * Collect only records what it read (the grabs); versions are extracted and matched in assess, against
 * the run's vulnerability data (`input.vulnData`: src/data/vulnerable-versions.json, curated and
 * offline, plus the offline store and --vuln-db FILE when the run has them; see src/api/vuln-data.ts).
 * So a stored run re-assessed with newer data (`iotcop report RUN --reassess`) finds what the new
 * data knows. No network lookups.
 *
 * Judgement (assess, pure):
 * - vulnerable-software: per port (or device-level for firmware strings), fail when a version matches
 *   an advisory of severity medium or above, warn for low severity or low-confidence advisories
 *   (vsftpd 2.3.4), info when the banner names a distribution package (Debian, Ubuntu, …): those
 *   backport fixes without changing the upstream version, so the version alone proves nothing;
 *   pass (device-level) when versions of products the data covers were seen and none matched;
 *   not_applicable when no version of a covered product is visible.
 * - end-of-life-software: warn per port when a version is past its end of support (or the project is
 *   discontinued, e.g. Boa); pass/not_applicable as above, for products with end-of-life data.
 * Version matches are `medium` confidence: vendors sometimes patch without changing the version.
 */
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { Device, ErrorKind, Json, Service, Severity, Transport } from '../model.js';
import { classifyError, errorDetail } from '../net/errors.js';
import { isWebService, speaksTls } from './security-txt.js';
import {
  BUNDLED_VULN_DATA, dedupe, extractFromCpe, extractFromNmapService, extractFromText, firstFixed, matchAdvisories,
  matchEndOfLife, productName, worstSeverity, type Advisory, type EndOfLife, type VersionObservation, type VulnData,
} from './lib/versions.js';

const MAX_OBSERVATIONS = 60;
const MAX_WEB = 3;
const MAX_SCRIPTS_PER_SERVICE = 16;

type ErrorInfo = { kind: ErrorKind; message: string };

export type GrabRecord = {
  port: number;
  kind: 'http-server' | 'ssh-banner' | 'ftp-banner';
  value?: string;
  status?: number;
  error?: ErrorInfo;
};

export type SoftwareVersionsEvidence = {
  grabs: GrabRecord[];
};

/** What the judgement reads: every version observation, from discovery and from the grabs. */
export type SoftwareVersionsView = {
  observations: VersionObservation[];
  grabs: GrabRecord[];
};


function printable(s: string, max = 200): string {
  // Evidence keeps device text raw but short; renderers escape it.
  return s.length > max ? s.slice(0, max) : s;
}

/** Observations from what discovery recorded (no network). */
export function observationsFromDevice(device: Device, data: VulnData = BUNDLED_VULN_DATA): VersionObservation[] {
  const products = data.products;
  const out: VersionObservation[] = [];
  for (const s of device.services) {
    const where = { port: s.port, transport: s.transport };
    out.push(...extractFromNmapService(s, { source: 'nmap-service', ...where }, products));
    for (const cpe of (s.cpe ?? []).slice(0, 16)) {
      const o = extractFromCpe(cpe, { source: 'nmap-cpe', ...where }, products);
      if (o) out.push(o);
    }
    if (s.banner) out.push(...extractFromText(s.banner, { source: 'banner', ...where }, { products }));
    for (const script of (s.scripts ?? []).slice(0, MAX_SCRIPTS_PER_SERVICE)) {
      const header = script.id === 'http-server-header';
      out.push(...extractFromText(script.output, { source: header ? 'http-server' : 'script', script: script.id.slice(0, 60), ...where }, { products, productOnly: header }));
    }
  }
  const fw = device.identification.firmware;
  if (fw) out.push(...extractFromText(fw, { source: 'firmware' }, { products }));
  return out;
}

/** Drops product-only observations where the same product on the same port has a version; dedupes; caps. */
export function tidy(list: VersionObservation[]): VersionObservation[] {
  const versioned = new Set(list.filter((o) => o.version !== undefined).map((o) => `${o.product}|${o.port ?? ''}|${o.transport ?? ''}`));
  const kept = list.filter((o) => o.version !== undefined || !versioned.has(`${o.product}|${o.port ?? ''}|${o.transport ?? ''}`));
  return dedupe(kept).slice(0, MAX_OBSERVATIONS);
}

function isSsh(s: Service): boolean {
  return s.transport === 'tcp' && (s.name === 'ssh' || (s.name === undefined && s.port === 22));
}

function isFtp(s: Service): boolean {
  return s.transport === 'tcp' && (s.name === 'ftp' || (s.name === undefined && s.port === 21));
}

async function readLine(ctx: ProbeContext, port: number): Promise<string> {
  const conn = await ctx.net.tcp(port, { timeoutMs: 6_000, maxBytes: 1024 });
  try {
    const r = await conn.readUntil((b) => b.includes(0x0a), 5_000);
    const text = r.data.toString('latin1');
    const line = text.split(/\r?\n/)[0] ?? '';
    return line;
  } finally {
    conn.close();
  }
}

async function serverHeader(ctx: ProbeContext, s: Service): Promise<GrabRecord> {
  const rec: GrabRecord = { port: s.port, kind: 'http-server' };
  const tls = speaksTls(s);
  try {
    // GET only when HEAD is refused by the server software (405/501/5xx, protocol error, reset);
    // a port that is closed or does not answer in time is not asked twice.
    let res = await ctx.net.http({ port: s.port, tls, path: '/', method: 'HEAD', maxBytes: 1024, timeoutMs: 6_000 }).catch((e: unknown) => {
      const kind = classifyError(e);
      if (kind === 'refused' || kind === 'timeout' || kind === 'budget-exceeded' || kind === 'aborted') throw e;
      return undefined;
    });
    if (!res || res.status === 405 || res.status === 501 || res.status >= 500) {
      res = await ctx.net.http({ port: s.port, tls, path: '/', method: 'GET', maxBytes: 2048, timeoutMs: 6_000 });
    }
    rec.status = res.status;
    const server = res.headers.get('server')?.[0];
    if (server !== undefined) rec.value = printable(server);
  } catch (e) {
    rec.error = errorDetail(e);
  }
  return rec;
}

// ------------------------------------------------------------------------------------------------
// assess (pure)

const SOURCE_TEXT: Record<VersionObservation['source'], string> = {
  'nmap-service': 'service detection', 'nmap-cpe': 'service detection (CPE)', banner: 'banner', 'ssh-banner': 'SSH banner',
  'ftp-banner': 'FTP greeting', 'http-server': 'HTTP Server header', script: 'scan script output', firmware: 'firmware string',
};

function describeObs(o: VersionObservation, data: VulnData): string {
  const name = productName(o.product, data.products);
  const where = o.port !== undefined ? `${SOURCE_TEXT[o.source]}, port ${o.port}` : SOURCE_TEXT[o.source];
  return `${name}${o.version ? ` ${o.version}` : ''} (${where}${o.distro ? `, ${o.distro} package` : ''})`;
}

function groupKey(o: VersionObservation): string {
  return o.port === undefined ? 'device' : `${o.port}/${o.transport ?? 'tcp'}`;
}

function advisoryEvidence(a: Advisory): Json {
  return {
    id: a.id, cves: a.cves, severity: a.severity, summary: a.summary, source: a.source[0] ?? null,
    ...(a.confidence ? { confidence: a.confidence } : {}), ...(a.note ? { note: a.note } : {}),
  };
}

function obsEvidence(o: VersionObservation): Json {
  return {
    product: o.product, version: o.version ?? null, source: o.source, raw: o.raw,
    ...(o.distro ? { distro: o.distro } : {}), ...(o.script ? { script: o.script } : {}),
  };
}

function locate(key: string): Pick<CheckResult, 'port' | 'transport'> {
  if (key === 'device') return {};
  const [port, transport] = key.split('/');
  return { port: Number(port), transport: (transport === 'udp' ? 'udp' : 'tcp') as Transport };
}

export function assessSoftwareVersions(evidence: SoftwareVersionsView, data: VulnData, now: Date): CheckResult[] {
  const obs = evidence.observations;
  const results: CheckResult[] = [];
  const covered = new Set(data.advisories.map((a) => a.product));
  const eolCovered = new Set(data.endOfLife.map((e) => e.product));

  // --- vulnerable-software
  const groups = new Map<string, { o: VersionObservation; adv: Advisory[] }[]>();
  for (const o of obs) {
    const adv = matchAdvisories(o, data.advisories);
    if (adv.length === 0) continue;
    const k = groupKey(o);
    const list = groups.get(k) ?? [];
    list.push({ o, adv });
    groups.set(k, list);
  }
  for (const [key, hits] of groups) {
    const firm = hits.filter((h) => h.o.distro === undefined);
    const considered = firm.length > 0 ? firm : hits;
    const parts = considered.map(({ o, adv }) => {
      const fixed = o.version ? firstFixed(o.version, adv) : undefined;
      return `${describeObs(o, data)}: ${adv.map((a) => `${a.cves.slice(0, 3).join(', ')}${a.cves.length > 3 ? ' …' : ''} (${a.severity})`).join('; ')}${fixed ? `; fixed in ${fixed}` : ''}`;
    });
    const evidenceJson: Json = {
      matches: considered.map(({ o, adv }) => ({ observation: obsEvidence(o), advisories: adv.map(advisoryEvidence) })),
    };
    if (firm.length === 0) {
      results.push({
        check: 'vulnerable-software', status: 'info', ...locate(key), evidence: evidenceJson,
        detail: `${parts.join('. ')}. The banner names a distribution package, and distributions backport fixes without changing the version: check that the device's updates are current.`.slice(0, 900),
      });
      continue;
    }
    const all = firm.flatMap((h) => h.adv);
    const strong = all.filter((a) => a.confidence !== 'low' && a.severity !== 'low');
    const severity = (worstSeverity(strong.length ? strong : all) ?? 'medium') as Severity;
    const lowConfidence = strong.length === 0 && all.every((a) => a.confidence === 'low');
    results.push({
      check: 'vulnerable-software', status: strong.length ? 'fail' : 'warn', severity, confidence: lowConfidence ? 'low' : 'medium',
      ...locate(key), evidence: evidenceJson, detail: `${parts.join('. ')}.`.slice(0, 900),
    });
  }
  if (groups.size === 0) {
    const checked = obs.filter((o) => o.version !== undefined && covered.has(o.product));
    if (checked.length > 0) {
      results.push({
        check: 'vulnerable-software', status: 'pass', confidence: 'medium',
        detail: `No known vulnerability in iotcop's list (${data.advisories.length} advisories) for: ${checked.map((o) => describeObs(o, data)).join(', ')}.`.slice(0, 900),
        evidence: { observations: checked.map(obsEvidence), advisories: data.advisories.length },
      });
    } else {
      const seen = obs.map((o) => describeObs(o, data));
      results.push({
        check: 'vulnerable-software', status: 'not_applicable',
        detail: seen.length
          ? `No version number of software iotcop tracks is visible (seen: ${seen.join(', ')}).`.slice(0, 900)
          : 'The device reveals no software version iotcop can check.',
        evidence: { observations: obs.map(obsEvidence), grabs: evidence.grabs.map((g) => ({ ...g })) },
      });
    }
  }

  // --- end-of-life-software
  const eolGroups = new Map<string, { o: VersionObservation; eol: EndOfLife[] }[]>();
  for (const o of obs) {
    const eol = matchEndOfLife(o, data.endOfLife, now);
    if (eol.length === 0) continue;
    const k = groupKey(o);
    const list = eolGroups.get(k) ?? [];
    list.push({ o, eol });
    eolGroups.set(k, list);
  }
  for (const [key, hits] of eolGroups) {
    results.push({
      check: 'end-of-life-software', status: 'warn', confidence: hits.some((h) => h.o.distro) ? 'low' : 'medium', ...locate(key),
      detail: hits.map(({ o, eol }) => `${describeObs(o, data)}: ${eol.map((e) => e.summary).join(' ')}`).join(' ').slice(0, 900),
      evidence: { matches: hits.map(({ o, eol }) => ({ observation: obsEvidence(o), endOfLife: eol.map((e) => ({ id: e.id, branch: e.branch, eolDate: e.eolDate ?? null, source: e.source[0] ?? null })) })) },
    });
  }
  if (eolGroups.size === 0) {
    const checked = obs.filter((o) => eolCovered.has(o.product) && (o.version !== undefined || data.endOfLife.some((e) => e.product === o.product && e.affected.length === 0)));
    results.push(checked.length > 0
      ? { check: 'end-of-life-software', status: 'pass', confidence: 'medium', detail: `Still supported according to iotcop's list: ${checked.map((o) => describeObs(o, data)).join(', ')}.`.slice(0, 900), evidence: { observations: checked.map(obsEvidence) } }
      : { check: 'end-of-life-software', status: 'not_applicable', detail: 'No software with known end-of-support dates is visible on this device.', evidence: { observations: obs.length } });
  }
  return results;
}

/** Every observation: what discovery recorded, then what the grabs read. */
export function observationsOf(device: Device, grabs: readonly GrabRecord[], data: VulnData): VersionObservation[] {
  const found = observationsFromDevice(device, data);
  for (const g of grabs) {
    if (!g.value) continue;
    const where = { source: g.kind, port: g.port, transport: 'tcp' as const };
    found.push(...extractFromText(g.value, where, { products: data.products, productOnly: g.kind === 'http-server' }));
  }
  return tidy(found);
}

async function lineGrab(ctx: ProbeContext, port: number, kind: 'ssh-banner' | 'ftp-banner'): Promise<GrabRecord> {
  const rec: GrabRecord = { port, kind };
  try {
    rec.value = printable(await readLine(ctx, port));
  } catch (e) {
    rec.error = errorDetail(e);
  }
  return rec;
}

export default defineProbe<SoftwareVersionsEvidence>({
  meta: {
    id: 'software-versions',
    title: 'Known-vulnerable and end-of-life software versions',
    safety: 'safe',
    appliesTo: { scope: 'host' },
    budget: { maxConnections: 2 * MAX_WEB + 4, timeoutMs: 45_000 },
    checks: {
      'vulnerable-software': {
        title: 'No known-vulnerable software version seen',
        failureTitle: 'The device runs software with known vulnerabilities',
        summary: 'This device runs an old version of a program with publicly known security holes that attackers have tools for.',
        guidelines: ['uk-cop-3'],
        provisions: ['5.3-8', '5.3-2'],
        severity: 'high',
        description: 'The version numbers the device announces (in banners, web server headers or service detection) match versions with published vulnerabilities (CVEs) in iotcop\'s curated list. Security updates must be timely (ETSI EN 303 645 provision 5.3-8); old versions of embedded web, SSH, DNS and UPnP servers are among the most common ways into consumer devices. A version number can be wrong (vendors sometimes patch without changing it), so confirm with the maker.',
        remediation: 'Install the latest firmware for the device from the maker (in its settings or app, or from the maker\'s support site), then scan again. If no newer firmware exists, ask the maker when a fix will ship; if the device no longer gets updates, replace it or keep it on a separate network with no access from the internet.',
      },
      'end-of-life-software': {
        title: 'No end-of-life software version seen',
        failureTitle: 'The device runs software that no longer gets security fixes',
        summary: 'Part of this device\'s software is so old that its makers stopped fixing security problems in it.',
        guidelines: ['uk-cop-3'],
        provisions: ['5.3-13', '5.3-8'],
        severity: 'medium',
        description: 'The device announces a software version whose project no longer publishes security fixes for it (for example an OpenSSL branch past its end of life, or the discontinued Boa web server). New flaws in it will not be fixed unless the device maker backports fixes itself. The maker must state how long the device gets security updates (provision 5.3-13).',
        remediation: 'Check whether the maker still supports the device and install its latest firmware. Ask the maker which versions of the components it ships and until when it fixes them; if support has ended, plan to replace the device.',
      },
    },
  },

  async collect(ctx) {
    const grabs: GrabRecord[] = [];
    const services = ctx.device.services;
    for (const s of services.filter(isWebService).slice(0, MAX_WEB)) grabs.push(await serverHeader(ctx, s));
    for (const s of services.filter((x) => isSsh(x) && !x.banner && !x.product).slice(0, 2)) {
      grabs.push(await lineGrab(ctx, s.port, 'ssh-banner'));
    }
    for (const s of services.filter((x) => isFtp(x) && !x.banner && !x.product).slice(0, 1)) {
      grabs.push(await lineGrab(ctx, s.port, 'ftp-banner'));
    }
    return { grabs };
  },

  assess(evidence, input) {
    const data = input.vulnData ?? BUNDLED_VULN_DATA;
    return assessSoftwareVersions({ ...evidence, observations: observationsOf(input.device, evidence.grabs, data) }, data, input.now);
  },
});

