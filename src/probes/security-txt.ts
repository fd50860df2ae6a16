/**
 * security-txt: does the device say where to report a vulnerability (guideline 2, EN 303 645 5.2-1,
 * PSTI requirement 2)?
 *
 * Scope: host (not per service), so that one job sees all of a device's web servers (an HTTP copy
 * can be judged against an HTTPS one) and does the owner-configured vendor check once.
 *
 * On every HTTP/HTTPS service of the device (at most 6): GET /.well-known/security.txt, and
 * /security.txt when the first is not there; parse and validate the file (src/probes/lib/security-txt.ts,
 * RFC 9116). A redirect to another address is followed only with --online (through ctx.online), a
 * redirect to the device's own HTTPS is judged on that service.
 *
 * Outcomes per web service (one result each, with its port):
 * - valid file over HTTPS                                  → pass (a warning-level departure: warn, low);
 * - present but expired or invalid, or only over plain HTTP → warn (medium; low for HTTP-only or
 *   warnings such as Expires more than a year away). Not `fail`: a broken file on the device does
 *   not show that the vendor has no policy (it may be on the vendor's website), and the lab's
 *   ground truth records the NAS's expired file as a warning;
 * - absent (404, an HTML page, a login wall)               → not_applicable, with a detail saying the
 *   policy may be published on the vendor's site. Decision: absence on the device alone is neither
 *   a pass nor a failure of guideline 2. The roll-up should turn "every security-txt result is
 *   not_applicable" into `manual` for guideline 2 (reason: look for the vendor's policy by hand); see
 *   the report to the lead. Until it does, the guideline reads not_tested, never pass.
 * - every request failed                                   → error.
 *
 * Vendor evidence (one device-level result, no port), when targets.yaml gives a disclosureUrl:
 * - with --online and ctx.online: fetch it over HTTPS (no private addresses), validate it when it is a
 *   security.txt, else record the status and certificate → pass / warn / error;
 * - otherwise: info "configured, not fetched" (the PSTI section shows it as configured).
 * A device with no web service and no configured URL gets one not_applicable result.
 */
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { ErrorKind, Json, Service, Severity } from '../model.js';
import type { OnlineApi } from '../net/online.js';
import { errorDetail } from '../net/errors.js';
import { hostForUrl, isFragilePort } from '../net/scope.js';
import {
  looksLikeSecurityTxt, parseSecurityTxt, validateSecurityTxt, SECURITY_TXT_MAX_BYTES,
  type ParsedSecurityTxt, type SecurityTxtIssue,
} from './lib/security-txt.js';

const CHECK = 'security-txt';
const MAX_SERVICES = 6;
const WELL_KNOWN = '/.well-known/security.txt';
const LEGACY = '/security.txt';
/** Read a little more than the parser takes, so that an over-long file is seen as such. */
const READ_CAP = SECURITY_TXT_MAX_BYTES + 1024;
const REQUEST_TIMEOUT_MS = 6_000;

type ErrorInfo = { kind: ErrorKind; message: string };

type FetchRecord = {
  path: string;
  status?: number;
  contentType?: string;
  location?: string;
  bytes?: number;
  truncated?: boolean;
  looksLikeFile?: boolean;
  error?: ErrorInfo;
};

type FoundFile = {
  url: string;
  via: 'well-known' | 'legacy' | 'redirect';
  https: boolean;
  truncated: boolean;
  contentType?: string;
  /** For files fetched online: whether the certificate verified. */
  tlsAuthorized?: boolean;
  parsed: ParsedSecurityTxt;
};

export type ServiceEvidence = {
  port: number;
  tls: boolean;
  fetches: FetchRecord[];
  found?: FoundFile;
  /** A redirect to somewhere else that was not followed (offline, or refused). */
  redirect?: { location: string; followed: boolean; reason?: string };
};

export type VendorEvidence = {
  url: string;
  fetched: boolean;
  /** Why it was not fetched. */
  reason?: string;
  status?: number;
  finalUrl?: string;
  tlsAuthorized?: boolean;
  tlsError?: string;
  redirectRefused?: string;
  found?: FoundFile;
  error?: ErrorInfo;
};

export type SecurityTxtEvidence = {
  services: ServiceEvidence[];
  /** Web services beyond MAX_SERVICES that were not checked. */
  notChecked: number[];
  online: boolean;
  vendor?: VendorEvidence;
};

const HTTP_NAMES = new Set(['http', 'https', 'http-alt', 'https-alt', 'http-proxy', 'ssl/http', 'ssl/https', 'http-mgmt', 'upnp', 'www', 'http-rpc-epmap']);
const HTTPS_NAMES = new Set(['https', 'https-alt', 'ssl/http', 'ssl/https']);
const HTTP_PORTS = new Set([80, 443, 8000, 8008, 8080, 8081, 8443, 8888]);

export function isWebService(s: Service): boolean {
  if (s.transport !== 'tcp' || isFragilePort(s.port) || s.port === 7547) return false;
  const name = s.name?.toLowerCase();
  if (name !== undefined && HTTP_NAMES.has(name)) return true;
  return name === undefined && HTTP_PORTS.has(s.port);
}

export function speaksTls(s: Service): boolean {
  const name = s.name?.toLowerCase();
  return s.tls?.enabled === true || (name !== undefined && HTTPS_NAMES.has(name)) || (name === undefined && (s.port === 443 || s.port === 8443));
}

function urlOf(address: string, port: number, tls: boolean, path: string): string {
  const defaultPort = tls ? 443 : 80;
  return `${tls ? 'https' : 'http'}://${hostForUrl(address)}${port === defaultPort ? '' : `:${port}`}${path}`;
}


/** The online API, when the run allows it and the runner provides it (ctx.online, with --online). */
function onlineOf(ctx: ProbeContext): OnlineApi | undefined {
  if (!ctx.settings.online) return undefined;
  const o: unknown = ctx.online;
  return typeof o === 'object' && o !== null && typeof (o as { fetch?: unknown }).fetch === 'function' ? (o as OnlineApi) : undefined;
}

async function checkService(ctx: ProbeContext, s: Service, online: OnlineApi | undefined): Promise<ServiceEvidence> {
  const tls = speaksTls(s);
  const ev: ServiceEvidence = { port: s.port, tls, fetches: [] };
  for (const [path, via] of [[WELL_KNOWN, 'well-known'], [LEGACY, 'legacy']] as const) {
    const rec: FetchRecord = { path };
    ev.fetches.push(rec);
    try {
      const res = await ctx.net.http({ port: s.port, tls, path, method: 'GET', maxBytes: READ_CAP, timeoutMs: REQUEST_TIMEOUT_MS, headers: { Accept: 'text/plain' } });
      rec.status = res.status;
      rec.bytes = res.body.length;
      if (res.truncated) rec.truncated = true;
      const ct = res.headers.get('content-type')?.[0];
      if (ct !== undefined) rec.contentType = ct.slice(0, 100);
      const location = res.headers.get('location')?.[0];
      if (location !== undefined) rec.location = location.slice(0, 300);
      if (res.status === 200) {
        rec.looksLikeFile = looksLikeSecurityTxt(res.body);
        if (rec.looksLikeFile) {
          ev.found = {
            url: urlOf(ctx.device.address, s.port, tls, path), via, https: tls, truncated: res.truncated,
            parsed: parseSecurityTxt(res.body.subarray(0, READ_CAP)),
            ...(ct !== undefined ? { contentType: ct.slice(0, 100) } : {}),
          };
          return ev;
        }
      } else if (res.status >= 300 && res.status < 400 && location !== undefined && path === WELL_KNOWN) {
        // Judged where it leads (the device's own HTTPS, or online); /security.txt would redirect the same way.
        ev.redirect = await followRedirect(ctx, s, tls, location, online, ev);
        return ev;
      }
    } catch (e) {
      rec.error = errorDetail(e);
      // A server that does not answer in time will not answer the second path either (HOSTILE.md #1/#2).
      if (rec.error.kind === 'timeout' || rec.error.kind === 'refused' || rec.error.kind === 'budget-exceeded') break;
    }
  }
  return ev;
}

/** Decides what to do with a redirect of /.well-known/security.txt; fetches it online when allowed. */
async function followRedirect(
  ctx: ProbeContext, s: Service, tls: boolean, location: string, online: OnlineApi | undefined, ev: ServiceEvidence,
): Promise<ServiceEvidence['redirect']> {
  let target: URL;
  try {
    target = new URL(location, urlOf(ctx.device.address, s.port, tls, WELL_KNOWN));
  } catch {
    return { location: location.slice(0, 300), followed: false, reason: 'not a valid URL' };
  }
  const onDevice = target.hostname.replace(/^\[|\]$/g, '') === ctx.device.address;
  if (onDevice) return { location: target.href.slice(0, 300), followed: false, reason: 'on this device' };
  if (!online) return { location: target.href.slice(0, 300), followed: false, reason: 'leaves the device (fetched only with --online)' };
  try {
    const res = await online.fetch(target.href, { maxBytes: READ_CAP });
    if (res.status === 200 && looksLikeSecurityTxt(res.body)) {
      const ct = res.headers.get('content-type')?.[0];
      ev.found = {
        url: res.url, via: 'redirect', https: true, truncated: res.truncated, tlsAuthorized: res.tls.authorized,
        parsed: parseSecurityTxt(res.body), ...(ct !== undefined ? { contentType: ct.slice(0, 100) } : {}),
      };
      return { location: target.href.slice(0, 300), followed: true };
    }
    return { location: target.href.slice(0, 300), followed: true, reason: `answered HTTP ${res.status} without a security.txt` };
  } catch (e) {
    return { location: target.href.slice(0, 300), followed: false, reason: errorDetail(e).message };
  }
}

async function checkVendor(url: string, online: OnlineApi | undefined, settingsOnline: boolean): Promise<VendorEvidence> {
  const ev: VendorEvidence = { url: url.slice(0, 300), fetched: false };
  if (!online) {
    ev.reason = settingsOnline ? 'online fetching is not available in this run' : 'not fetched: the scan runs offline (use --online to fetch it)';
    return ev;
  }
  try {
    const res = await online.fetch(url, { maxBytes: READ_CAP });
    ev.fetched = true;
    ev.status = res.status;
    ev.finalUrl = res.url.slice(0, 300);
    ev.tlsAuthorized = res.tls.authorized;
    if (res.tls.authorizationError) ev.tlsError = res.tls.authorizationError.slice(0, 100);
    if (res.redirectRefused) ev.redirectRefused = `${res.redirectRefused.location} (${res.redirectRefused.reason})`.slice(0, 300);
    if (res.status === 200 && (/security\.txt$/i.test(new URL(res.url).pathname) || looksLikeSecurityTxt(res.body))) {
      const ct = res.headers.get('content-type')?.[0];
      ev.found = {
        url: res.url.slice(0, 300), via: 'redirect', https: true, truncated: res.truncated, tlsAuthorized: res.tls.authorized,
        parsed: parseSecurityTxt(res.body), ...(ct !== undefined ? { contentType: ct.slice(0, 100) } : {}),
      };
    }
  } catch (e) {
    ev.error = errorDetail(e);
  }
  return ev;
}

// ------------------------------------------------------------------------------------------------
// assess (pure)

type Judgement = { status: 'pass' | 'warn'; severity?: Severity; title?: string; detail: string; issues: SecurityTxtIssue[] };

function judgeFile(found: FoundFile, now: Date): Judgement {
  const v = validateSecurityTxt(found.parsed, {
    now, url: found.url, https: found.https, truncated: found.truncated,
    ...(found.contentType !== undefined ? { contentType: found.contentType } : {}),
  });
  const errors = v.issues.filter((i) => i.level === 'error');
  const warnings = v.issues.filter((i) => i.level === 'warning');
  const notes = v.issues.filter((i) => i.level === 'note');
  const where = `${found.url}${found.parsed.signed ? ' (PGP-signed; signature not verified)' : ''}`;
  if (found.tlsAuthorized === false) {
    errors.push({ code: 'not-https', level: 'error', message: 'The HTTPS certificate of the site serving it did not verify.' });
  }
  if (errors.length > 0) {
    const onlyHttp = errors.every((i) => i.code === 'not-https');
    const title = v.expired ? 'security.txt has expired' : onlyHttp ? 'security.txt is served only over plain HTTP' : 'security.txt is invalid';
    return {
      status: 'warn', severity: onlyHttp ? 'low' : 'medium', title,
      detail: `${where}: ${errors.map((i) => i.message).join(' ')}`.slice(0, 600), issues: v.issues,
    };
  }
  if (warnings.length > 0) {
    return { status: 'warn', severity: 'low', title: 'security.txt does not follow RFC 9116 recommendations', detail: `${where}: ${warnings.map((i) => i.message).join(' ')}`.slice(0, 600), issues: v.issues };
  }
  const contacts = found.parsed.contact.slice(0, 3).join(', ');
  const noteText = notes.length ? ` Notes: ${notes.map((i) => i.message).join(' ')}` : '';
  return { status: 'pass', detail: `${where} is valid until ${v.expiresAt?.slice(0, 10) ?? '?'}; contact: ${contacts}.${noteText}`.slice(0, 600), issues: v.issues };
}

function fileEvidence(found: FoundFile, issues: SecurityTxtIssue[]): Json {
  const p = found.parsed;
  return {
    url: found.url,
    via: found.via,
    signed: p.signed,
    contact: p.contact.slice(0, 5),
    expires: p.expires.slice(0, 2),
    policy: p.policy.slice(0, 3),
    canonical: p.canonical.slice(0, 3),
    encryption: p.encryption.slice(0, 3),
    preferredLanguages: p.preferredLanguages.slice(0, 2),
    lineEndings: p.lineEndings,
    issues: issues.map((i) => ({ code: i.code, level: i.level, message: i.message })),
  };
}

function fetchEvidence(ev: ServiceEvidence): Json {
  return ev.fetches.map((f) => ({ ...f }));
}

export function assessSecurityTxt(evidence: SecurityTxtEvidence, now: Date): CheckResult[] {
  const results: CheckResult[] = [];
  // Files that validate over HTTPS on some port of the device: an HTTP copy is then only a note.
  const judged = evidence.services.map((s) => (s.found ? judgeFile(s.found, now) : undefined));
  const validHttps = evidence.services.some((s, i) => s.found?.https === true && judged[i]?.status === 'pass');

  evidence.services.forEach((s, i) => {
    const base = { check: CHECK, port: s.port, transport: 'tcp' as const };
    const j = judged[i];
    if (s.found && j) {
      const httpCopy = !s.found.https && validHttps && j.issues.every((x) => x.level !== 'error' || x.code === 'not-https');
      if (httpCopy) {
        results.push({ ...base, status: 'info', detail: `${s.found.url} serves the same kind of file over plain HTTP; the HTTPS copy is the one that counts.`, evidence: fileEvidence(s.found, j.issues) });
        return;
      }
      results.push({
        ...base, status: j.status, detail: j.detail, evidence: fileEvidence(s.found, j.issues),
        ...(j.severity ? { severity: j.severity } : {}), ...(j.title && j.status !== 'pass' ? { title: j.title } : {}),
      });
      return;
    }
    const errors = s.fetches.filter((f) => f.error);
    if (errors.length === s.fetches.length && errors[0]?.error) {
      results.push({ ...base, status: 'error', error: errors[0].error, detail: `Could not read ${WELL_KNOWN} on port ${s.port}.`, evidence: { fetches: fetchEvidence(s) } });
      return;
    }
    if (s.redirect && s.redirect.reason === 'on this device') {
      results.push({ ...base, status: 'not_applicable', detail: `${WELL_KNOWN} on port ${s.port} redirects to ${s.redirect.location}; it is judged there.`, evidence: { fetches: fetchEvidence(s), redirect: s.redirect } });
      return;
    }
    const statuses = s.fetches.map((f) => (f.status !== undefined ? `${f.path} → ${f.status}${f.looksLikeFile === false ? ' (not a security.txt)' : ''}` : `${f.path} → ${f.error?.kind ?? 'no answer'}`)).join(', ');
    const redirectNote = s.redirect ? ` It redirects to ${s.redirect.location} (${s.redirect.reason ?? 'not a security.txt'}).` : '';
    results.push({
      ...base, status: 'not_applicable',
      detail: `No security.txt on the web server on port ${s.port} (${statuses}).${redirectNote} The vendor may still publish its vulnerability disclosure policy on its own website: check there (guideline 2 needs a person to look).`,
      evidence: { fetches: fetchEvidence(s), ...(s.redirect ? { redirect: s.redirect } : {}) },
    });
  });

  const v = evidence.vendor;
  if (v) {
    const base = { check: CHECK };
    if (!v.fetched && !v.error) {
      results.push({ ...base, status: 'info', detail: `The owner's configuration names the vendor's disclosure policy at ${v.url}; ${v.reason ?? 'not fetched'}.`, evidence: { vendorUrl: v.url, fetched: false } });
    } else if (v.error) {
      results.push({ ...base, status: 'error', error: v.error, detail: `Could not fetch the configured disclosure policy ${v.url}.`, evidence: { vendorUrl: v.url, fetched: false } });
    } else if (v.found) {
      const j = judgeFile(v.found, now);
      results.push({
        ...base, status: j.status, detail: `Vendor security.txt: ${j.detail}`, evidence: { vendorUrl: v.url, fetched: true, ...(fileEvidence(v.found, j.issues) as { [k: string]: Json }) },
        ...(j.severity ? { severity: j.severity } : {}), ...(j.title && j.status !== 'pass' ? { title: `Vendor ${j.title}` } : {}),
      });
    } else {
      const ev = { vendorUrl: v.url, fetched: true, status: v.status ?? null, finalUrl: v.finalUrl ?? null, tlsAuthorized: v.tlsAuthorized ?? null, ...(v.tlsError ? { tlsError: v.tlsError } : {}), ...(v.redirectRefused ? { redirectRefused: v.redirectRefused } : {}) };
      if (v.status === 200 && v.tlsAuthorized !== false) {
        results.push({ ...base, status: 'pass', confidence: 'medium', detail: `The vendor's disclosure policy page ${v.finalUrl ?? v.url} answered over HTTPS (HTTP 200). Its content was not judged.`, evidence: ev });
      } else if (v.tlsAuthorized === false) {
        results.push({ ...base, status: 'warn', severity: 'low', title: 'The vendor disclosure policy is served with an invalid certificate', detail: `${v.finalUrl ?? v.url}: certificate did not verify (${v.tlsError ?? 'unknown reason'}).`, evidence: ev });
      } else {
        results.push({ ...base, status: 'warn', severity: 'medium', title: 'The configured vendor disclosure policy could not be found', detail: `${v.finalUrl ?? v.url} answered HTTP ${v.status ?? '?'}${v.redirectRefused ? `; redirect not followed: ${v.redirectRefused}` : ''}.`, evidence: ev });
      }
    }
  }

  if (results.length === 0) {
    results.push({
      check: CHECK, status: 'not_applicable',
      detail: 'The device has no web interface to publish a security.txt on, and no disclosure policy URL is configured for it. Look for the vendor\'s vulnerability disclosure policy on its website.',
      evidence: { services: 0 },
    });
  }
  if (evidence.notChecked.length > 0) {
    const first = results[0];
    if (first) first.detail = `${first.detail ?? ''} (Web services on ports ${evidence.notChecked.join(', ')} were not checked: limit of ${MAX_SERVICES}.)`.trim();
  }
  return results;
}

export default defineProbe<SecurityTxtEvidence>({
  meta: {
    id: 'security-txt',
    title: 'Vulnerability disclosure contact (security.txt, RFC 9116)',
    safety: 'safe',
    appliesTo: { scope: 'host' },
    budget: { maxConnections: 2 * MAX_SERVICES + 2, timeoutMs: 60_000 },
    checks: {
      [CHECK]: {
        title: 'The device publishes a valid security.txt',
        failureTitle: 'security.txt is missing required fields or out of date',
        summary: 'The file that tells security researchers how to report a problem with this device is out of date or broken, so reports may not reach the maker.',
        guidelines: ['uk-cop-2'],
        provisions: ['5.2-1'],
        severity: 'medium',
        description: 'Makers must publish how to report a security problem and what happens next (UK Code of Practice guideline 2, ETSI EN 303 645 provision 5.2-1, UK PSTI requirement 2). A device can point researchers at that policy with a /.well-known/security.txt file (RFC 9116), which must name a Contact, carry an Expires date in the future (ideally less than a year away) and be served over HTTPS. An expired or invalid file must not be relied on. A missing file is not a violation on its own: the policy may be on the maker\'s website.',
        remediation: 'Ask the maker (or, for your own products, publish) a vulnerability disclosure policy and a /.well-known/security.txt served over HTTPS with at least one Contact line, an Expires date less than a year ahead (renew it before it passes), and a Canonical line naming the address it is served from. If you own the device, record the maker\'s policy address as disclosureUrl in targets.yaml so the report shows it.',
      },
    },
  },

  async collect(ctx) {
    const web = ctx.device.services.filter(isWebService).sort((a, b) => a.port - b.port);
    const online = onlineOf(ctx);
    const services: ServiceEvidence[] = [];
    for (const s of web.slice(0, MAX_SERVICES)) services.push(await checkService(ctx, s, online));
    const evidence: SecurityTxtEvidence = { services, notChecked: web.slice(MAX_SERVICES).map((s) => s.port), online: online !== undefined };
    const url = ctx.config?.disclosureUrl;
    if (url) evidence.vendor = await checkVendor(url, online, ctx.settings.online);
    return evidence;
  },

  assess(evidence, input) {
    return assessSecurityTxt(evidence, input.now);
  },
});
