/**
 * web-unauthenticated: is the device's administration page, or a camera snapshot, reachable over HTTP
 * without logging in? A short list of GET requests without credentials (src/data/unauthenticated-paths.json,
 * at most MAX_REQUESTS per service including one same-origin redirect of an admin path).
 *
 * False positives are the most common complaint about web scanners (PEERS.md), so both checks need
 * strong signals:
 * - admin API: a known administration API answering its configuration without a login,
 *   by the data file's "apis" steps (Node-RED's admin API without adminAuth, the Homebridge UI with
 *   auth "none"; lib/web-admin-api.ts): a guideline 1 failure, with the answers as evidence;
 * - admin page: status 200, no login form on the page, and a score of at least 3 from settings-form
 *   fields (SSID, DNS, gateway, DHCP…), administration actions (reboot, factory reset, firmware
 *   upgrade, change password…), a logout link and an administration title;
 * - snapshot: status 200, an image (or MJPEG) content type, and the first bytes of a JPEG, PNG or GIF.
 * Page features are extracted during collect (linear scans of at most MAX_SCAN_BYTES, no regular
 * expression over unbounded input) so the evidence stays small; assess judges them.
 */
import { defineProbe, type CheckResult, type HttpResponse, type ProbeContext } from './contract.js';
import type { ErrorKind, Json, Service } from '../model.js';
import { errorDetail } from '../net/errors.js';
import { hostForUrl } from '../net/scope.js';
import pathData from '../data/unauthenticated-paths.json' with { type: 'json' };
import { adminScore, imageMagic, looksLikeAdminPage, MAX_SCAN_BYTES, pageFeatures, type PageFeatures } from './lib/web-page.js';
import { apiOpen, describeSteps, loadApis, matchStep, type ApiEntry, type ApiEvidence, type StepOutcome } from './lib/web-admin-api.js';

/** 8 for the paths (7 and one redirect) plus the admin-API steps of the data file. */
export const MAX_REQUESTS = 13;
const ADMIN_BODY_BYTES = 256 * 1024;
const SNAPSHOT_BODY_BYTES = 16 * 1024;
const REQUEST_MS = 6_000;

export type PathKind = 'admin' | 'snapshot';
export type PathEntry = { path: string; kind: PathKind; source: string };

function loadPaths(raw: unknown): PathEntry[] {
  const list = (raw as { paths?: unknown }).paths;
  if (!Array.isArray(list)) throw new Error('unauthenticated-paths: no paths');
  return list.map((p: { path?: unknown; kind?: unknown; source?: unknown }) => {
    if (typeof p.path !== 'string' || !p.path.startsWith('/') || (p.kind !== 'admin' && p.kind !== 'snapshot') || typeof p.source !== 'string') {
      throw new Error(`unauthenticated-paths: malformed entry ${String(p.path)}`);
    }
    return { path: p.path, kind: p.kind, source: p.source };
  });
}

export const PATHS: readonly PathEntry[] = loadPaths(pathData);
export const APIS: readonly ApiEntry[] = loadApis(pathData);

export { adminScore, imageMagic, looksLikeAdminPage, MAX_SCAN_BYTES, pageFeatures, type PageFeatures } from './lib/web-page.js';

// --- evidence and collect --------------------------------------------------------------------------

export type WebRequest = {
  path: string;
  kind: PathKind;
  /** The admin path this request followed a redirect from. */
  redirectedFrom: string | null;
  status: number | null;
  contentType: string | null;
  bytes: number;
  /** Scheme of a WWW-Authenticate challenge (Basic, Digest…). */
  challenge: string | null;
  /** Location of a redirect that was not followed (another origin, or a login page). */
  redirect: string | null;
  error: { kind: ErrorKind; message: string } | null;
  page: PageFeatures | null;
  image: string | null;
};

export type WebEvidence = { port: number; tls: boolean; requests: WebRequest[]; apis?: ApiEvidence[] };

export function wantsTls(service: Service | undefined): boolean {
  if (!service) return false;
  if (service.tls?.enabled === true) return true;
  const name = service.name?.toLowerCase() ?? '';
  return name.includes('https') || name.startsWith('ssl/') || service.port === 443 || service.port === 8443;
}

function header(res: HttpResponse, name: string): string | null {
  const v = res.headers.get(name);
  return v && v.length > 0 ? (v[0] ?? '').slice(0, 200) : null;
}


/** A same-origin redirect target's path, or null when the Location leaves the origin or is unusable. */
export function sameOriginPath(location: string, base: string): string | null {
  let url: URL;
  try {
    url = new URL(location, base);
  } catch {
    return null;
  }
  const origin = new URL(base);
  if (url.protocol !== origin.protocol || url.host !== origin.host) return null;
  const path = `${url.pathname}${url.search}`;
  return path.startsWith('/') && path.length <= 512 ? path : null;
}

async function request(ctx: ProbeContext, port: number, tls: boolean, path: string, kind: PathKind, redirectedFrom: string | null): Promise<WebRequest> {
  const out: WebRequest = { path, kind, redirectedFrom, status: null, contentType: null, bytes: 0, challenge: null, redirect: null, error: null, page: null, image: null };
  try {
    const res = await ctx.net.http({
      port, tls, path, method: 'GET', timeoutMs: REQUEST_MS,
      maxBytes: kind === 'admin' ? ADMIN_BODY_BYTES : SNAPSHOT_BODY_BYTES,
      headers: { Accept: kind === 'admin' ? 'text/html,*/*;q=0.5' : 'image/*,*/*;q=0.5' },
    });
    out.status = res.status;
    out.contentType = header(res, 'content-type');
    out.bytes = res.body.length;
    const challenge = header(res, 'www-authenticate');
    out.challenge = challenge ? (challenge.split(/\s/)[0] ?? '').slice(0, 20) : null;
    if (res.status >= 300 && res.status < 400) out.redirect = header(res, 'location');
    if (res.status === 200) {
      const ct = (out.contentType ?? '').toLowerCase();
      if (kind === 'admin' && (ct.includes('html') || ct === '' || ct.includes('xml'))) {
        const head = res.body.subarray(0, MAX_SCAN_BYTES);
        const utf8 = head.toString('utf8');
        out.page = pageFeatures(utf8.includes('\uFFFD') ? head.toString('latin1') : utf8);
      }
      if (kind === 'snapshot') out.image = imageMagic(res.body, ct.startsWith('multipart/'));
    }
  } catch (e) {
    out.error = errorDetail(e);
  }
  return out;
}

const LOGIN_PATH = /login|logon|signin|sign_in|auth|session/i;

/** Runs one admin-API entry's GET steps in order until one does not match (each step costs one request). */
async function apiSteps(ctx: ProbeContext, port: number, tls: boolean, entry: ApiEntry, take: () => boolean): Promise<ApiEvidence> {
  const ev: ApiEvidence = { id: entry.id, product: entry.product, steps: [] };
  for (const step of entry.steps) {
    if (ctx.signal.aborted || !take()) break;
    const out: StepOutcome = { path: step.path, role: step.role, status: null, contentType: null, bytes: 0, truncated: false, matched: false, why: null, reported: [], count: null, error: null };
    try {
      const res = await ctx.net.http({ port, tls, path: step.path, method: 'GET', timeoutMs: REQUEST_MS, maxBytes: ADMIN_BODY_BYTES, headers: { Accept: 'application/json' } });
      out.status = res.status;
      out.contentType = header(res, 'content-type');
      out.bytes = res.body.length;
      out.truncated = res.truncated;
      Object.assign(out, matchStep(step, res.status, out.contentType, res.body.toString('utf8'), res.truncated));
    } catch (e) {
      out.error = errorDetail(e);
      out.why = out.error.kind;
    }
    ev.steps.push(out);
    if (!out.matched) break;
  }
  return ev;
}

// --- assess ----------------------------------------------------------------------------------------

function snapshotExposed(r: WebRequest): boolean {
  const ct = (r.contentType ?? '').toLowerCase();
  return r.kind === 'snapshot' && r.status === 200 && r.image !== null && r.bytes >= 100
    && (ct.startsWith('image/') || ct.startsWith('multipart/x-mixed-replace'));
}

function stepSummary(s: StepOutcome): Json {
  return {
    path: s.path, role: s.role, status: s.status, contentType: s.contentType, bytes: s.bytes, matched: s.matched,
    ...(s.why ? { why: s.why } : {}), ...(s.reported.length ? { reported: s.reported } : {}), ...(s.count !== null ? { count: s.count } : {}),
    ...(s.error ? { error: s.error.kind } : {}),
  };
}

function requestSummary(r: WebRequest): Json {
  return {
    path: r.path, status: r.status, contentType: r.contentType, bytes: r.bytes, challenge: r.challenge, redirect: r.redirect,
    ...(r.redirectedFrom ? { redirectedFrom: r.redirectedFrom } : {}), ...(r.error ? { error: r.error.kind } : {}),
  };
}

/**
 * web-admin-no-login (guideline 1): the same open administration interface seen as "no password at all".
 * It only ever fails (or errors): when a login is asked for, or no admin interface was recognised, it is
 * not_applicable, because whether that login's password is a default is for the credential checks — a
 * pass here would read as "passwords: no issues" on a device whose login was never tried.
 */
function noLogin(admin: CheckResult): CheckResult {
  if (admin.status === 'fail') {
    const { check: _check, title: _title, ...rest } = admin;
    return { ...rest, check: 'web-admin-no-login' };
  }
  if (admin.status === 'error') return { check: 'web-admin-no-login', status: 'error', ...(admin.error ? { error: admin.error } : {}) };
  return {
    check: 'web-admin-no-login', status: 'not_applicable',
    detail: 'No administration interface opened without a login here (a login form, a challenge, or nothing recognised); whether a login still has its default password is for the credential checks.',
  };
}

export function assessWeb(ev: WebEvidence): CheckResult[] {
  const where = `${ev.tls ? 'HTTPS' : 'HTTP'} port ${ev.port}`;
  const admin = ev.requests.filter((r) => r.kind === 'admin');
  const snaps = ev.requests.filter((r) => r.kind === 'snapshot');
  const results: CheckResult[] = [];

  const adminAnswered = admin.filter((r) => r.error === null);
  const exposedAdmin = adminAnswered.find((r) => r.status === 200 && r.page !== null && looksLikeAdminPage(r.page));
  const apis = ev.apis ?? [];
  const openApi = apis.find((a) => apiOpen(a, APIS.find((x) => x.id === a.id)));
  if (openApi) {
    const entry = APIS.find((a) => a.id === openApi.id);
    results.push({
      check: 'web-admin-unauthenticated', status: 'fail', confidence: 'high',
      title: `${openApi.product} administration is open without a login`,
      detail: `${where}: no login protects ${entry?.what ?? openApi.product}: ${describeSteps(entry, openApi)}.`,
      evidence: { port: ev.port, api: openApi.id, product: openApi.product, steps: openApi.steps.map(stepSummary) },
    });
  } else if (exposedAdmin?.page) {
    const f = exposedAdmin.page;
    const signals = [
      f.settingsFields.length > 0 ? `settings fields (${f.settingsFields.slice(0, 5).join(', ')})` : null,
      f.adminActions.length > 0 ? `administration actions (${f.adminActions.slice(0, 4).join(', ')})` : null,
      f.logout ? 'a logout link' : null,
      f.adminTitle && f.title ? `the title "${f.title.slice(0, 60)}"` : null,
    ].filter((x): x is string => x !== null);
    results.push({
      check: 'web-admin-unauthenticated', status: 'fail', confidence: adminScore(f) >= 4 ? 'high' : 'medium',
      detail: `${where} serves an administration page at ${exposedAdmin.path} without asking for a login: it shows ${signals.join(', ')} and no login form.`,
      evidence: { port: ev.port, page: requestSummary(exposedAdmin), features: f },
    });
  } else if (adminAnswered.length === 0 && admin.length > 0 && !apis.some((a) => a.steps.some((x) => x.error === null))) {
    results.push({ check: 'web-admin-unauthenticated', status: 'error', error: admin[0]!.error ?? { kind: 'internal', message: 'no answer' } });
  } else if (admin.length === 0) {
    results.push({ check: 'web-admin-unauthenticated', status: 'not_applicable', detail: 'No administration path was requested.' });
  } else {
    const last = adminAnswered[adminAnswered.length - 1]!;
    const why = last.challenge ? `asks for a login (${last.challenge})`
      : last.status === 200 && last.page?.loginForm ? 'shows a login form'
        : last.redirect ? 'redirects elsewhere' : `answers ${String(last.status)}`;
    results.push({
      check: 'web-admin-unauthenticated', status: 'pass', confidence: 'medium',
      detail: `${where}: ${last.path} ${why}; no administration page was served without a login${apis.length ? ` (admin APIs asked: ${apis.map((a) => a.product).join(', ')})` : ''}.`,
      evidence: { port: ev.port, requests: admin.map(requestSummary), apis: apis.map((a) => ({ api: a.id, steps: a.steps.map(stepSummary) })) },
    });
  }

  results.push(noLogin(results[results.length - 1]!));

  const snapAnswered = snaps.filter((r) => r.error === null);
  const exposedSnaps = snapAnswered.filter(snapshotExposed);
  if (exposedSnaps.length > 0) {
    const first = exposedSnaps[0]!;
    results.push({
      check: 'camera-snapshot-unauthenticated', status: 'fail',
      detail: `${where} returns a camera image (${first.image ?? 'image'}, ${first.bytes}${first.bytes >= SNAPSHOT_BODY_BYTES ? '+' : ''} bytes) at ${exposedSnaps.map((r) => r.path).join(', ')} without a login.`,
      evidence: { port: ev.port, snapshots: exposedSnaps.map(requestSummary) },
    });
  } else if (snaps.length > 0 && snapAnswered.length === 0) {
    results.push({ check: 'camera-snapshot-unauthenticated', status: 'error', error: snaps[0]!.error ?? { kind: 'internal', message: 'no answer' } });
  } else if (snaps.length === 0) {
    results.push({ check: 'camera-snapshot-unauthenticated', status: 'not_applicable', detail: 'No snapshot path was requested.' });
  } else {
    results.push({
      check: 'camera-snapshot-unauthenticated', status: 'pass', confidence: 'medium',
      detail: `None of ${snapAnswered.length} common camera snapshot paths returned an image without a login on ${where}.`,
      evidence: { port: ev.port, requests: snaps.map(requestSummary) },
    });
  }
  return results;
}

export default defineProbe<WebEvidence>({
  meta: {
    id: 'web-unauthenticated',
    title: 'Web administration page or camera image without a login',
    safety: 'safe',
    // 1880: Node-RED's default port, which nmap -sV does not recognise (it keeps nmap-services' name
    // "vsat-control"), so the service name alone would skip the best-known open admin interface.
    appliesTo: { scope: 'service', transport: 'tcp', services: ['http', 'https', 'http-alt', 'http-proxy', 'https-alt', 'ssl/http', 'ssl/https', 'http-mgmt'], ports: [1880] },
    budget: { maxConnections: MAX_REQUESTS, timeoutMs: 45_000 },
    checks: {
      'web-admin-unauthenticated': {
        title: 'Web administration requires a login',
        failureTitle: 'Web administration page is open without a login',
        summary: 'Anyone on your network can open this device\'s settings page without a password and change how it works.',
        guidelines: ['uk-cop-6', 'uk-cop-8'],
        provisions: ['5.5-4', '5.5-5', '5.6-2'],
        severity: 'critical',
        description: 'The device\'s web interface shows its administration page — settings such as Wi-Fi, network addresses, firmware upgrade, reboot or password change — or its administration API answers its configuration (for example Node-RED\'s /settings and /flows without adminAuth) to a request that carries no credentials. Anyone on the network (including malware on another device) can reconfigure it, read the data it shows, or lock you out. EN 303 645 5.5-4 and 5.5-5 ask that device functionality, in particular security-relevant configuration changes, be reachable only after authentication (the missing password itself is reported under guideline 1 as web-admin-no-login).',
        remediation: 'Set an administrator password in the device\'s web interface (many devices ship with the login switched off), update the firmware, and if the device has no way to require a login, keep it on a separate network or switch its web interface off. Node-RED: set adminAuth in settings.js (Node-RED docs, "Securing Node-RED"); Homebridge UI: set the UI\'s authentication back to form login.',
      },
      'web-admin-no-login': {
        title: 'Web administration has a login',
        failureTitle: 'Web administration has no password at all',
        summary: 'This device\'s administration opens without any password: no password is worse than a factory default one.',
        guidelines: ['uk-cop-1'],
        provisions: ['5.1-1'],
        severity: 'critical',
        description: 'The administration page or API (for example Node-RED\'s editor and admin API without adminAuth) answers without any login. Guideline 1 (EN 303 645 5.1-1) asks that every password be unique per device or set by the user; an interface without any password gives everyone on the network what a default password would. Reported only as a failure: where a login exists, the default-credential checks judge it.',
        remediation: 'Switch the login on and set a long, unique password (Node-RED: adminAuth in settings.js, see "Securing Node-RED"; Homebridge UI: form login). If the device cannot require a login, keep it on a separate network or turn the interface off.',
      },
      'camera-snapshot-unauthenticated': {
        title: 'Camera images require a login',
        failureTitle: 'Camera image can be fetched without a login',
        summary: 'Anyone on your network can see what this camera sees, without a password.',
        guidelines: ['uk-cop-8'],
        provisions: ['5.5-4', '5.8-1', '5.8-2'],
        severity: 'high',
        description: 'A well-known snapshot URL of the camera returns the current picture to a request without credentials. Camera images are personal data (EN 303 645 clause 6; GDPR): they show who is at home and what they do. Snapshot endpoints left open, or opened by an authentication-bypass bug, are a common way camera images end up in public viewers.',
        remediation: 'In the camera\'s settings switch off anonymous (guest) viewing and any "snapshot without login" option, update the firmware (several vendors fixed snapshot authentication bypasses), and set a strong password for every account.',
      },
    },
  },
  async collect(ctx) {
    const port = ctx.service?.port ?? 80;
    const tls = wantsTls(ctx.service);
    const ev: WebEvidence = { port, tls, requests: [] };
    const origin = `${tls ? 'https' : 'http'}://${hostForUrl(ctx.device.address)}:${port}`;
    let budget = MAX_REQUESTS - APIS.reduce((n, a) => n + a.steps.length, 0);
    for (const entry of PATHS) {
      if (budget <= 0 || ctx.signal.aborted) break;
      budget -= 1;
      const r = await request(ctx, port, tls, entry.path, entry.kind, null);
      ev.requests.push(r);
      if (r.error && ev.requests.length === 1 && (r.error.kind === 'refused' || r.error.kind === 'timeout' || r.error.kind === 'unreachable' || r.error.kind === 'tls-handshake')) break;
      if (r.error?.kind === 'budget-exceeded' || r.error?.kind === 'aborted') break;
      // Follow one same-origin redirect of an admin path, unless it leads to a login page (that is a login).
      if (entry.kind === 'admin' && r.redirect && budget > 0) {
        const next = sameOriginPath(r.redirect, `${origin}${entry.path}`);
        if (next !== null && next !== entry.path && !LOGIN_PATH.test(next)) {
          budget -= 1;
          ev.requests.push(await request(ctx, port, tls, next, 'admin', entry.path));
        }
      }
    }
    // Admin APIs, unless the service did not answer at all.
    const answered = ev.requests.some((r) => r.error === null);
    if (answered) {
      let apiBudget = APIS.reduce((n, a) => n + a.steps.length, 0);
      const take = (): boolean => (apiBudget-- > 0);
      ev.apis = [];
      for (const entry of APIS) ev.apis.push(await apiSteps(ctx, port, tls, entry, take));
    }
    return ev;
  },
  assess(evidence) {
    return assessWeb(evidence);
  },
});
