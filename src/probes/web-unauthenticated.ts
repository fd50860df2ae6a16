/**
 * web-unauthenticated: is the device's administration page, or a camera snapshot, reachable over HTTP
 * without logging in? A short list of GET requests without credentials (src/data/unauthenticated-paths.json,
 * at most MAX_REQUESTS per service including one same-origin redirect of an admin path).
 *
 * False positives are the most common complaint about web scanners (PEERS.md), so both checks need
 * strong signals:
 * - admin page: status 200, no login form on the page, and a score of at least 3 from settings-form
 *   fields (SSID, DNS, gateway, DHCP…), administration actions (reboot, factory reset, firmware
 *   upgrade, change password…), a logout link and an administration title;
 * - snapshot: status 200, an image (or MJPEG) content type, and the first bytes of a JPEG, PNG or GIF.
 * Page features are extracted during collect (linear scans of at most MAX_SCAN_BYTES, no regular
 * expression over unbounded input) so the evidence stays small; assess judges them.
 */
import { defineProbe, type CheckResult, type HttpResponse, type ProbeContext } from './contract.js';
import type { ErrorKind, Json, Service } from '../report/model.js';
import { classifyError } from '../net/errors.js';
import { hostForUrl } from '../net/scope.js';
import pathData from '../data/unauthenticated-paths.json' with { type: 'json' };

export const MAX_REQUESTS = 8;
export const MAX_SCAN_BYTES = 128 * 1024;
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

// --- page features (pure) --------------------------------------------------------------------------

export type PageFeatures = {
  title: string | null;
  heading: string | null;
  passwordInputs: number;
  newPasswordInputs: number;
  loginForm: boolean;
  settingsFields: string[];
  adminActions: string[];
  logout: boolean;
  adminTitle: boolean;
};

const SETTINGS_WORDS = new Set([
  'ssid', 'wpa', 'wpa2', 'psk', 'wifi', 'wlan', 'wep', 'dns', 'dns1', 'dns2', 'gateway', 'netmask', 'subnet', 'dhcp', 'ntp',
  'pppoe', 'mtu', 'ddns', 'dmz', 'upnp', 'firmware', 'wan', 'ipaddr', 'hostname', 'timezone', 'portforward', 'port_forward',
]);
const ADMIN_ACTIONS = [
  'reboot', 'restart device', 'restart the device', 'factory reset', 'factory default', 'restore default', 'reset to default',
  'firmware upgrade', 'upgrade firmware', 'update firmware', 'firmware update', 'change password', 'backup configuration',
  'backup settings', 'restore configuration', 'port forwarding', 'wireless settings', 'wi-fi settings', 'wifi settings',
  'network settings', 'system settings', 'user management', 'reboot.cgi', 'upgrade.cgi', 'reset.cgi',
];
const ADMIN_TITLE_WORDS = ['admin', 'administration', 'settings', 'configuration', 'setup', 'control panel', 'management', 'dashboard'];
const LOGOUT_WORDS = ['logout', 'log out', 'log off', 'logoff', 'sign out', 'signout'];

function attr(attrs: string, name: string): string | null {
  const lower = attrs.toLowerCase();
  let i = lower.indexOf(name);
  while (i >= 0) {
    const before = i === 0 ? ' ' : lower[i - 1]!;
    let j = i + name.length;
    while (lower[j] === ' ') j++;
    if (/[\s"'/]/.test(before) && lower[j] === '=') {
      j++;
      while (lower[j] === ' ') j++;
      const quote = attrs[j];
      if (quote === '"' || quote === "'") {
        const end = attrs.indexOf(quote, j + 1);
        return attrs.slice(j + 1, end < 0 ? Math.min(attrs.length, j + 201) : end).slice(0, 200);
      }
      let k = j;
      while (k < attrs.length && !/[\s>]/.test(attrs[k]!)) k++;
      return attrs.slice(j, k).slice(0, 200);
    }
    i = lower.indexOf(name, i + 1);
  }
  return null;
}

function words(s: string): string[] {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(/[^a-z0-9_]+/).flatMap((w) => [w, ...w.split('_')]).filter((w) => w.length > 0);
}

function collapse(s: string, max: number): string | null {
  const t = s.replace(/\s+/g, ' ').trim();
  return t === '' ? null : t.slice(0, max);
}

/** Extracts what the admin-page judgement needs from an HTML page, in one linear pass over at most MAX_SCAN_BYTES. */
export function pageFeatures(html: string): PageFeatures {
  const s = html.length > MAX_SCAN_BYTES ? html.slice(0, MAX_SCAN_BYTES) : html;
  const text: string[] = [];
  const links: string[] = [];
  let title = '';
  let heading = '';
  let inTitle = false;
  let inHeading = false;
  let skip: string | null = null; // inside <script> or <style>
  let passwordInputs = 0;
  let newPasswordInputs = 0;
  let userInputs = 0;
  let loginAction = false;
  const settings = new Set<string>();
  let i = 0;
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const chunk = s.slice(i, lt < 0 ? s.length : lt);
    if (!skip) {
      text.push(chunk);
      if (inTitle && title.length < 300) title += chunk;
      if (inHeading && heading.length < 300) heading += chunk;
    }
    if (lt < 0) break;
    const gt = s.indexOf('>', lt + 1);
    if (gt < 0) break;
    const tag = s.slice(lt + 1, Math.min(gt, lt + 4001));
    i = gt + 1;
    const nameEnd = tag.search(/[\s/>]|$/);
    const name = tag.slice(0, nameEnd === 0 && tag.startsWith('/') ? 1 + tag.slice(1).search(/[\s>]|$/) : nameEnd).toLowerCase();
    if (skip) {
      if (name === `/${skip}`) skip = null;
      continue;
    }
    if (name === 'script' || name === 'style') { skip = name; continue; }
    if (name === 'title') inTitle = true;
    else if (name === '/title') inTitle = false;
    else if (name === 'h1') inHeading = true;
    else if (name === '/h1') inHeading = false;
    else if (name === 'a') { const h = attr(tag, 'href'); if (h) links.push(h); }
    else if (name === 'form') {
      const action = attr(tag, 'action') ?? '';
      links.push(action);
      if (/login|logon|signin|sign_in|auth|session/i.test(action.slice(0, 200))) loginAction = true;
    } else if (name === 'input' || name === 'select' || name === 'textarea') {
      const type = (attr(tag, 'type') ?? '').toLowerCase();
      const ident = `${attr(tag, 'name') ?? ''} ${attr(tag, 'id') ?? ''}`;
      const auto = (attr(tag, 'autocomplete') ?? '').toLowerCase();
      if (type === 'password') {
        passwordInputs++;
        if (auto === 'new-password' || /new|confirm|again|repeat|verify|retype|pass(?:word)?2|pwd2/i.test(ident)) newPasswordInputs++;
      } else if (type !== 'hidden' && type !== 'submit' && type !== 'button') {
        if (/user|login|email|account/i.test(ident) || auto === 'username') userInputs++;
        for (const w of words(ident)) if (SETTINGS_WORDS.has(w)) settings.add(w);
      }
    }
  }
  const body = text.join(' ').replace(/\s+/g, ' ').toLowerCase();
  const linkText = links.join(' ').toLowerCase();
  const haystack = `${body} ${linkText}`;
  const loginWords = /\b(?:log ?in|sign ?in|logon)\b/.test(body.slice(0, 20_000));
  const loginForm = passwordInputs > 0 && newPasswordInputs === 0 && (loginAction || userInputs > 0 || loginWords);
  const titleText = collapse(title, 200);
  const headingText = collapse(heading, 200);
  const heads = `${titleText ?? ''} ${headingText ?? ''}`.toLowerCase();
  return {
    title: titleText,
    heading: headingText,
    passwordInputs,
    newPasswordInputs,
    loginForm,
    settingsFields: [...settings].sort(),
    adminActions: ADMIN_ACTIONS.filter((a) => haystack.includes(a)),
    logout: LOGOUT_WORDS.some((w) => haystack.includes(w)),
    adminTitle: ADMIN_TITLE_WORDS.some((w) => heads.includes(w)),
  };
}

/** Admin-page score: settings fields (≥3: 2, ≥1: 1), admin actions (≥2: 2, 1: 1), logout (1), admin title (1). */
export function adminScore(f: PageFeatures): number {
  const settings = f.settingsFields.length >= 3 ? 2 : f.settingsFields.length >= 1 ? 1 : 0;
  const actions = f.adminActions.length >= 2 ? 2 : f.adminActions.length === 1 ? 1 : 0;
  return settings + actions + (f.logout ? 1 : 0) + (f.adminTitle ? 1 : 0);
}

export function looksLikeAdminPage(f: PageFeatures): boolean {
  return !f.loginForm && adminScore(f) >= 3;
}

const IMAGE_MAGIC: [string, number[]][] = [
  ['image/jpeg', [0xff, 0xd8, 0xff]],
  ['image/png', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]],
  ['image/gif', [0x47, 0x49, 0x46, 0x38]],
];

/** The image format whose signature starts `body` (or, for an MJPEG stream, appears in its first 4 KiB). */
export function imageMagic(body: Buffer, multipart: boolean): string | null {
  for (const [media, magic] of IMAGE_MAGIC) {
    const sig = Buffer.from(magic);
    if (multipart ? body.subarray(0, 4096).includes(sig) : body.subarray(0, sig.length).equals(sig)) return media;
  }
  return null;
}

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

export type WebEvidence = { port: number; tls: boolean; requests: WebRequest[] };

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

function errorOf(e: unknown): { kind: ErrorKind; message: string } {
  return { kind: classifyError(e), message: (e instanceof Error ? e.message : String(e)).slice(0, 300) };
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
    out.error = errorOf(e);
  }
  return out;
}

const LOGIN_PATH = /login|logon|signin|sign_in|auth|session/i;

// --- assess ----------------------------------------------------------------------------------------

function snapshotExposed(r: WebRequest): boolean {
  const ct = (r.contentType ?? '').toLowerCase();
  return r.kind === 'snapshot' && r.status === 200 && r.image !== null && r.bytes >= 100
    && (ct.startsWith('image/') || ct.startsWith('multipart/x-mixed-replace'));
}

function requestSummary(r: WebRequest): Json {
  return {
    path: r.path, status: r.status, contentType: r.contentType, bytes: r.bytes, challenge: r.challenge, redirect: r.redirect,
    ...(r.redirectedFrom ? { redirectedFrom: r.redirectedFrom } : {}), ...(r.error ? { error: r.error.kind } : {}),
  };
}

export function assessWeb(ev: WebEvidence): CheckResult[] {
  const where = `${ev.tls ? 'HTTPS' : 'HTTP'} port ${ev.port}`;
  const admin = ev.requests.filter((r) => r.kind === 'admin');
  const snaps = ev.requests.filter((r) => r.kind === 'snapshot');
  const results: CheckResult[] = [];

  const adminAnswered = admin.filter((r) => r.error === null);
  const exposedAdmin = adminAnswered.find((r) => r.status === 200 && r.page !== null && looksLikeAdminPage(r.page));
  if (exposedAdmin?.page) {
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
  } else if (adminAnswered.length === 0 && admin.length > 0) {
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
      detail: `${where}: ${last.path} ${why}; no administration page was served without a login.`,
      evidence: { port: ev.port, requests: admin.map(requestSummary) },
    });
  }

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
    appliesTo: { scope: 'service', transport: 'tcp', services: ['http', 'https', 'http-alt', 'http-proxy', 'https-alt', 'ssl/http', 'ssl/https', 'http-mgmt'] },
    budget: { maxConnections: MAX_REQUESTS, timeoutMs: 45_000 },
    checks: {
      'web-admin-unauthenticated': {
        title: 'Web administration requires a login',
        failureTitle: 'Web administration page is open without a login',
        summary: 'Anyone on your network can open this device\'s settings page without a password and change how it works.',
        guidelines: ['uk-cop-6', 'uk-cop-8'],
        provisions: ['5.5-4', '5.5-5', '5.6-2'],
        severity: 'critical',
        description: 'The device\'s web interface shows its administration page — settings such as Wi-Fi, network addresses, firmware upgrade, reboot or password change — to a request that carries no credentials. Anyone on the network (including malware on another device) can reconfigure it, read the data it shows, or lock you out. EN 303 645 5.5-4 and 5.5-5 ask that device functionality, and in particular security-relevant configuration changes, be reachable only after authentication.',
        remediation: 'Set an administrator password in the device\'s web interface (many devices ship with the login switched off), update the firmware, and if the device has no way to require a login, keep it on a separate network or switch its web interface off.',
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
    let budget = MAX_REQUESTS;
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
    return ev;
  },
  assess(evidence) {
    return assessWeb(evidence);
  },
});
