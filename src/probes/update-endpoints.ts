/**
 * update-endpoints: how the device gets its updates, as far as the network shows (guideline 3, with
 * guideline 6 for exposed management services).
 *
 * Host scope; three checks:
 * - tr069-exposed: a TR-069/CWMP connection-request service (7547/tcp, or a service nmap calls cwmp)
 *   is reachable from the LAN. One GET / confirms it speaks HTTP and records the answer (status,
 *   authentication scheme and realm, Server). Asking for authentication → warn (medium: the ISP's
 *   remote-management channel is exposed to every device on the LAN); answering 2xx without
 *   authentication → fail (high); open but no HTTP answer → warn (low confidence).
 * - firmware-upload-unauthenticated: on up to 2 web services, GET (never POST) a random missing path
 *   (the catch-all control) and the firmware-page paths of src/data/update-paths.json. A page counts
 *   only with all of: 200 without authentication, a file-upload field, firmware/upgrade wording, no
 *   password field, and a body different from the catch-all answer → fail (high). Stops on a service
 *   after 2 consecutive failed requests (a device that hangs costs at most two timeouts).
 * - update-url-insecure: the updateUrl the owner gave in targets.yaml: http://, ftp:// or tftp:// → fail;
 *   https:// → with --online (ctx.online), HEAD it and fail on a certificate that does not verify or a
 *   redirect to plain HTTP; offline → info "not checked offline".
 */
import { randomBytes } from 'node:crypto';
import { defineProbe, type CheckResult, type ProbeContext } from './contract.js';
import type { ErrorKind, Json, Service } from '../model.js';
import type { OnlineApi } from '../net/online.js';
import { errorDetail } from '../net/errors.js';
import { isWebService, speaksTls } from './security-txt.js';
import updatePaths from '../data/update-paths.json' with { type: 'json' };

const MAX_WEB = 2;
const BODY_CAP = 64 * 1024;
const REQUEST_TIMEOUT_MS = 5_000;
const TR069_PORTS = new Set([7547, 30005]);
const TR069_NAMES = new Set(['cwmp', 'tr069', 'tr-069', 'cwmp-http']);

type ErrorInfo = { kind: ErrorKind; message: string };

export type Tr069Evidence = {
  port: number;
  tls: boolean;
  status?: number;
  authScheme?: string;
  realm?: string;
  server?: string;
  bodySnippet?: string;
  error?: ErrorInfo;
};

export type PathProbe = {
  path: string;
  status?: number;
  bytes?: number;
  uploadForm?: boolean;
  firmwareWords?: boolean;
  passwordField?: boolean;
  sameAsCatchAll?: boolean;
  title?: string;
  error?: ErrorInfo;
};

export type UploadEvidence = {
  port: number;
  tls: boolean;
  catchAll?: { status?: number; bytes?: number; error?: ErrorInfo };
  probes: PathProbe[];
  stoppedEarly?: boolean;
};

export type UpdateUrlEvidence = {
  url: string;
  scheme: string;
  fetched: boolean;
  reason?: string;
  status?: number;
  finalUrl?: string;
  tlsAuthorized?: boolean;
  tlsError?: string;
  redirectRefused?: string;
  error?: ErrorInfo;
};

export type UpdateEndpointsEvidence = {
  tr069: Tr069Evidence[];
  uploads: UploadEvidence[];
  updateUrl?: UpdateUrlEvidence;
};

interface Signals { uploadForm: RegExp; firmwareWords: string[]; loginWords: string[] }

const SIGNALS: Signals = {
  uploadForm: new RegExp(updatePaths.signals.uploadForm, 'i'),
  firmwareWords: updatePaths.signals.firmwareWords.map((w) => w.toLowerCase()),
  loginWords: updatePaths.signals.loginWords.map((w) => w.toLowerCase()),
};

export const UPDATE_PATHS: readonly string[] = updatePaths.paths.map((p) => p.path);


function onlineOf(ctx: ProbeContext): OnlineApi | undefined {
  if (!ctx.settings.online) return undefined;
  const o = (ctx as ProbeContext & { online?: unknown }).online;
  return typeof o === 'object' && o !== null && typeof (o as { fetch?: unknown }).fetch === 'function' ? (o as OnlineApi) : undefined;
}

export function isTr069(s: Service): boolean {
  return s.transport === 'tcp' && (TR069_PORTS.has(s.port) || (s.name !== undefined && TR069_NAMES.has(s.name.toLowerCase())));
}

function titleOf(body: string): string | undefined {
  const m = /<title[^>]{0,100}>([^<]{0,200})</i.exec(body.slice(0, 8192));
  return m?.[1]?.trim().slice(0, 120) || undefined;
}

/** What a page body says (pure; the body is capped by the caller). */
export function pageSignals(body: string, signals: Signals = SIGNALS): Pick<PathProbe, 'uploadForm' | 'firmwareWords' | 'passwordField'> {
  const lower = body.slice(0, BODY_CAP).toLowerCase();
  return {
    uploadForm: signals.uploadForm.test(lower),
    firmwareWords: signals.firmwareWords.some((w) => lower.includes(w)),
    passwordField: signals.loginWords.some((w) => lower.includes(w)),
  };
}

async function checkTr069(ctx: ProbeContext, s: Service): Promise<Tr069Evidence> {
  const tls = s.tls?.enabled === true;
  const ev: Tr069Evidence = { port: s.port, tls };
  try {
    const res = await ctx.net.http({ port: s.port, tls, path: '/', method: 'GET', maxBytes: 4096, timeoutMs: REQUEST_TIMEOUT_MS });
    ev.status = res.status;
    const auth = res.headers.get('www-authenticate')?.[0];
    if (auth) {
      ev.authScheme = auth.trim().split(/\s+/)[0]?.slice(0, 20) ?? '';
      const realm = /realm="([^"]{0,100})"/i.exec(auth)?.[1];
      if (realm !== undefined) ev.realm = realm;
    }
    const server = res.headers.get('server')?.[0];
    if (server) ev.server = server.slice(0, 120);
    const snippet = res.body.subarray(0, 200).toString('latin1').replace(/\s+/g, ' ').trim();
    if (snippet) ev.bodySnippet = snippet;
  } catch (e) {
    ev.error = errorDetail(e);
  }
  return ev;
}

async function checkUploads(ctx: ProbeContext, s: Service): Promise<UploadEvidence> {
  const tls = speaksTls(s);
  const ev: UploadEvidence = { port: s.port, tls, probes: [] };
  let catchAllBody: Buffer | undefined;
  let failures = 0;
  const controlPath = `/iotcop-${randomBytes(6).toString('hex')}-missing.htm`;
  try {
    const res = await ctx.net.http({ port: s.port, tls, path: controlPath, method: 'GET', maxBytes: BODY_CAP, timeoutMs: REQUEST_TIMEOUT_MS });
    ev.catchAll = { status: res.status, bytes: res.body.length };
    if (res.status === 200) catchAllBody = res.body;
  } catch (e) {
    ev.catchAll = { error: errorDetail(e) };
    failures++;
  }
  for (const path of UPDATE_PATHS) {
    if (failures >= 2) { ev.stoppedEarly = true; break; }
    const p: PathProbe = { path };
    ev.probes.push(p);
    try {
      const res = await ctx.net.http({ port: s.port, tls, path, method: 'GET', maxBytes: BODY_CAP, timeoutMs: REQUEST_TIMEOUT_MS });
      failures = 0;
      p.status = res.status;
      p.bytes = res.body.length;
      if (res.status === 200) {
        const text = res.body.toString('latin1');
        Object.assign(p, pageSignals(text));
        p.sameAsCatchAll = catchAllBody !== undefined && catchAllBody.equals(res.body);
        const title = titleOf(text);
        if (title) p.title = title;
      }
    } catch (e) {
      p.error = errorDetail(e);
      failures++;
    }
  }
  return ev;
}

async function checkUpdateUrl(raw: string, online: OnlineApi | undefined, settingsOnline: boolean): Promise<UpdateUrlEvidence> {
  let scheme = '';
  try {
    scheme = new URL(raw).protocol.replace(/:$/, '').toLowerCase();
  } catch {
    scheme = 'invalid';
  }
  const ev: UpdateUrlEvidence = { url: raw.slice(0, 300), scheme, fetched: false };
  if (scheme !== 'https') return ev;
  if (!online) {
    ev.reason = settingsOnline ? 'online fetching is not available in this run' : 'not checked offline (use --online to check the certificate)';
    return ev;
  }
  try {
    const res = await online.fetch(raw, { method: 'HEAD' });
    ev.fetched = true;
    ev.status = res.status;
    ev.finalUrl = res.url.slice(0, 300);
    ev.tlsAuthorized = res.tls.authorized;
    if (res.tls.authorizationError) ev.tlsError = res.tls.authorizationError.slice(0, 100);
    if (res.redirectRefused) ev.redirectRefused = `${res.redirectRefused.location} (${res.redirectRefused.reason})`.slice(0, 300);
  } catch (e) {
    ev.error = errorDetail(e);
  }
  return ev;
}

// ------------------------------------------------------------------------------------------------
// assess (pure)

function assessTr069(list: Tr069Evidence[]): CheckResult[] {
  if (list.length === 0) return [{ check: 'tr069-exposed', status: 'not_applicable', detail: 'No TR-069 (CWMP) service is open on the device.' }];
  return list.map((t): CheckResult => {
    const base = { check: 'tr069-exposed', port: t.port, transport: 'tcp' as const, evidence: { ...t } as Json };
    if (t.error || t.status === undefined) {
      return { ...base, status: 'warn', severity: 'low', confidence: 'low', detail: `Port ${t.port} (TR-069/CWMP) is open but gave no HTTP answer (${t.error?.kind ?? 'no response'}).` };
    }
    if (t.status >= 200 && t.status < 300) {
      return { ...base, status: 'fail', severity: 'high', title: 'TR-069 remote management answers without authentication', detail: `Port ${t.port} answered HTTP ${t.status} to an unauthenticated request${t.server ? ` (Server: ${t.server})` : ''}.` };
    }
    const auth = t.authScheme ? ` and asks for ${t.authScheme} authentication${t.realm ? ` (realm "${t.realm}")` : ''}` : '';
    return { ...base, status: 'warn', detail: `Port ${t.port} answers HTTP ${t.status}${auth}: the ISP's remote-management (TR-069/CWMP) interface is reachable from the local network.` };
  });
}

function assessUploads(list: UploadEvidence[]): CheckResult[] {
  if (list.length === 0) return [{ check: 'firmware-upload-unauthenticated', status: 'not_applicable', detail: 'The device has no web interface.' }];
  return list.map((u): CheckResult => {
    const base = { check: 'firmware-upload-unauthenticated', port: u.port, transport: 'tcp' as const };
    const exposed = u.probes.filter((p) => p.status === 200 && p.uploadForm && p.firmwareWords && !p.passwordField && !p.sameAsCatchAll);
    if (exposed.length > 0) {
      return {
        ...base, status: 'fail', confidence: 'medium',
        detail: `A firmware upload page answers without a login: ${exposed.map((p) => `${p.path}${p.title ? ` ("${p.title}")` : ''}`).join(', ')}.`,
        evidence: { exposed: exposed.map((p) => ({ ...p })), checked: u.probes.length },
      };
    }
    const answered = u.probes.filter((p) => p.status !== undefined);
    if (answered.length === 0) {
      const kind = u.probes.find((p) => p.error)?.error ?? u.catchAll?.error ?? { kind: 'internal' as const, message: 'no request completed' };
      return { ...base, status: 'error', error: kind, detail: `No firmware-page request on port ${u.port} completed.`, evidence: { catchAll: u.catchAll ?? null, probes: u.probes.map((p) => ({ ...p })) } };
    }
    const note = u.stoppedEarly ? ` (stopped after repeated failures: ${answered.length} of ${UPDATE_PATHS.length} paths checked)` : '';
    return {
      ...base, status: 'pass', confidence: u.stoppedEarly ? 'low' : 'medium',
      detail: `None of ${answered.length} known firmware-upload paths is open without a login on port ${u.port}${note}.`,
      evidence: { statuses: answered.map((p) => `${p.path} ${p.status ?? '-'}`), ...(u.catchAll ? { catchAll: u.catchAll } : {}) },
    };
  });
}

function assessUpdateUrl(u: UpdateUrlEvidence | undefined): CheckResult[] {
  const check = 'update-url-insecure';
  if (!u) return [{ check, status: 'not_applicable', detail: 'No update URL is configured for this device in targets.yaml.' }];
  const evidence = { ...u } as Json;
  if (['http', 'ftp', 'tftp'].includes(u.scheme)) {
    return [{ check, status: 'fail', detail: `The update address ${u.url} uses ${u.scheme}://, which is not encrypted: anyone on the path can read or replace the firmware.`, evidence }];
  }
  if (u.scheme !== 'https') return [{ check, status: 'error', error: { kind: 'internal', message: `unsupported update URL scheme "${u.scheme}"` }, evidence }];
  if (u.error) return [{ check, status: 'error', error: u.error, detail: `Could not reach the update address ${u.url}.`, evidence }];
  if (!u.fetched) return [{ check, status: 'info', detail: `The update address ${u.url} uses HTTPS; ${u.reason ?? 'its certificate was not checked'}.`, evidence }];
  if (u.tlsAuthorized === false) {
    return [{ check, status: 'fail', title: 'The update server\'s HTTPS certificate is not valid', detail: `${u.finalUrl ?? u.url}: the certificate did not verify (${u.tlsError ?? 'unknown reason'}), so the download can be intercepted.`, evidence }];
  }
  if (u.redirectRefused) {
    return [{ check, status: 'fail', title: 'The update address redirects away from HTTPS', detail: `${u.url} redirects to ${u.redirectRefused}.`, evidence }];
  }
  return [{ check, status: 'pass', detail: `The update address ${u.finalUrl ?? u.url} is served over HTTPS with a valid certificate (HTTP ${u.status ?? '?'}).`, evidence }];
}

export function assessUpdateEndpoints(evidence: UpdateEndpointsEvidence): CheckResult[] {
  return [...assessTr069(evidence.tr069), ...assessUploads(evidence.uploads), ...assessUpdateUrl(evidence.updateUrl)];
}

export default defineProbe<UpdateEndpointsEvidence>({
  meta: {
    id: 'update-endpoints',
    title: 'Update and remote-management endpoints',
    safety: 'safe',
    appliesTo: { scope: 'host' },
    budget: { maxConnections: 4 + MAX_WEB * (UPDATE_PATHS.length + 1), timeoutMs: 120_000 },
    checks: {
      'tr069-exposed': {
        title: 'No TR-069 remote-management service reachable',
        failureTitle: 'TR-069 remote management is reachable from the local network',
        summary: 'Your internet provider\'s remote-control channel for this router answers on your home network, where any infected device could attack it.',
        guidelines: ['uk-cop-3', 'uk-cop-6'],
        provisions: ['5.3-2', '5.6-1'],
        severity: 'medium',
        description: 'TR-069 (CWMP) lets an internet provider manage and update a router remotely. Its connection-request service (normally port 7547) should only be reachable by the provider: when it answers on the local network, every device there can attack it, and flaws in TR-069 services were used by the Mirai variant that knocked 900,000 routers offline in 2016. Unused interfaces should be disabled (ETSI EN 303 645 provision 5.6-1).',
        remediation: 'If the router was not supplied by your internet provider, switch off TR-069/CWMP (often under Administration, Remote Management or TR-069). If it was, ask the provider to restrict it to their network, and keep the router\'s firmware current.',
      },
      'firmware-upload-unauthenticated': {
        title: 'No firmware upload page open without a login',
        failureTitle: 'Firmware can be uploaded without logging in',
        summary: 'Anyone on your network can open the page that replaces this device\'s software, without a password.',
        guidelines: ['uk-cop-3', 'uk-cop-6'],
        provisions: ['5.3-2', '5.3-10'],
        severity: 'high',
        description: 'A page that accepts a firmware file answered without authentication. Whoever can reach it can install modified software and take the device over for good. The update mechanism must be secure (ETSI EN 303 645 provision 5.3-2) and accept only authentic updates (5.3-10). iotcop only loads the page (GET); it never uploads anything.',
        remediation: 'Set an administrator password on the device\'s web interface and install the latest firmware from the maker, which may fix the missing login. If the page stays open, keep the device off shared networks and report it to the maker.',
      },
      'update-url-insecure': {
        title: 'The update address is served securely',
        failureTitle: 'Firmware updates are fetched insecurely',
        summary: 'This device downloads its updates in a way that lets someone on the way swap them for malicious software.',
        guidelines: ['uk-cop-3'],
        provisions: ['5.3-2', '5.3-7'],
        severity: 'high',
        description: 'The update address configured for this device (updateUrl in targets.yaml) uses an unencrypted protocol or a server whose HTTPS certificate does not verify. Updates must be delivered with best-practice cryptography (ETSI EN 303 645 provisions 5.3-2 and 5.3-7), otherwise they can be intercepted and replaced.',
        remediation: 'Ask the maker whether the device checks a signature on each update; if it does not, or the address cannot be changed to a valid https:// one, ask for a fixed firmware or replace the device.',
      },
    },
  },

  async collect(ctx) {
    const services = ctx.device.services;
    const tr069: Tr069Evidence[] = [];
    for (const s of services.filter(isTr069).slice(0, 2)) tr069.push(await checkTr069(ctx, s));
    const uploads: UploadEvidence[] = [];
    const web = services.filter((s) => isWebService(s) && !isTr069(s)).sort((a, b) => a.port - b.port);
    for (const s of web.slice(0, MAX_WEB)) uploads.push(await checkUploads(ctx, s));
    const evidence: UpdateEndpointsEvidence = { tr069, uploads };
    const url = ctx.config?.updateUrl;
    if (url) evidence.updateUrl = await checkUpdateUrl(url, onlineOf(ctx), ctx.settings.online);
    return evidence;
  },

  assess(evidence) {
    return assessUpdateEndpoints(evidence);
  },
});
