/**
 * cleartext-services: services that carry logins or personal data without encryption (guideline 5,
 * with guideline 8 where the data is personal). One job per matching service; each service kind has
 * one check and a small, read-only exchange that tells how bad it is:
 * - telnet: connect and read the banner (never write: not even option replies, never a login);
 * - ftp: banner, FEAT (is AUTH TLS offered?), and `USER <made-up name>` without a password, to tell an
 *   anonymous-only server (530) from one that asks for passwords (331); then QUIT;
 * - http (plain): GET / (and up to two same-port redirects): redirect to HTTPS, 401 Basic/Digest, a
 *   password form, or a web page;
 * - mqtt 1883: one CONNECT without credentials, read CONNACK, DISCONNECT (never subscribe or publish);
 * - snmp 161/udp: from service detection only (community strings are credentials: a guess belongs to
 *   snmp-default-community at the credentials safety level);
 * - rtsp: DESCRIBE on a few well-known paths over one connection, to see whether the camera asks for
 *   Basic credentials (sent in cleartext) or Digest.
 */
import { cap } from '../text.js';
import { errorDetail } from '../net/errors.js';
import { randomBytes } from 'node:crypto';
import { defineProbe, type CheckResult, type Conn, type ProbeContext } from './contract.js';
import type { Json, Service } from '../model.js';
import { parseAuthenticate } from '../net/digest.js';
import { encodeConnect, encodeDisconnect, parseConnack } from '../net/mqtt.js';
import { RtspClient, rtspUrl } from '../net/rtsp.js';
import { hostForUrl } from '../net/scope.js';

export type Kind = 'telnet' | 'ftp' | 'http' | 'mqtt' | 'snmp' | 'rtsp';
export type ErrorInfo = { kind: string; message: string };

export type TelnetEvidence = { banner: string; iac: boolean; loginPrompt: boolean; passwordPrompt: boolean; error: ErrorInfo | null };
export type FtpEvidence = {
  banner: string | null;
  authTls: boolean | null;
  /** Reply to USER <made-up name>: 331 asks for a password, 530 refuses (e.g. anonymous only), 230 logs in. */
  userReply: { code: number; text: string } | null;
  error: ErrorInfo | null;
};
export type HttpHop = { path: string; status: number; location: string | null };
export type HttpEvidence = {
  hops: HttpHop[];
  redirectsToHttps: boolean;
  /** Final response (after same-port redirects). */
  status: number | null;
  authSchemes: string[];
  passwordForm: boolean;
  html: boolean;
  title: string | null;
  error: ErrorInfo | null;
};
export type MqttEvidence = { returnCode: number | null; error: ErrorInfo | null };
export type SnmpEvidence = { state: string; product: string | null; version: string | null; extraInfo: string | null; scripts: string[]; v1v2cSeen: boolean };
export type RtspEvidence = { requests: { path: string; status: number; schemes: string[] }[]; error: ErrorInfo | null };

export type CleartextEvidence = {
  port: number;
  transport: 'tcp' | 'udp';
  kind: Kind | null;
  reason: string | null;
  telnet: TelnetEvidence | null;
  ftp: FtpEvidence | null;
  http: HttpEvidence | null;
  mqtt: MqttEvidence | null;
  snmp: SnmpEvidence | null;
  rtsp: RtspEvidence | null;
};

const HTTP_NAMES = new Set(['http', 'http-alt', 'http-proxy', 'http-mgmt', 'www', 'www-http']);
const PORT_GUESS_NAMES = new Set(['unknown', 'tcpwrapped', '3d-nfsd', 'rtsp-alt']);
const TLS_NAMES = new Set(['https', 'ftps', 'mqtts', 'secure-mqtt', 'rtsps', 'telnets', 'https-alt']);
const RTSP_PATHS = ['/', '/Streaming/Channels/101', '/cam/realmonitor?channel=1&subtype=0'];

/** Printable text of device bytes: C0 controls and DEL shown as '.', capped. */
export function printable(buf: Buffer, max = 200): string {
  // eslint-disable-next-line no-control-regex
  return cap(buf.toString('latin1').replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g, '.'), max);
}

const errorInfo: (e: unknown) => ErrorInfo = errorDetail;

/** Which cleartext check a service gets, or null (with the reason) when none does. */
export function classifyService(service: Pick<Service, 'port' | 'transport' | 'name' | 'tls' | 'state'>): { kind: Kind | null; reason: string | null } {
  const name = service.name?.toLowerCase();
  // No name, or only nmap's port-table guess (no version detection): judge by the port.
  const unnamed = name === undefined || PORT_GUESS_NAMES.has(name);
  if (service.transport === 'udp') {
    return name === 'snmp' || (unnamed && service.port === 161) ? { kind: 'snmp', reason: null } : { kind: null, reason: 'not a cleartext service this probe checks' };
  }
  if (service.tls?.enabled === true || (name !== undefined && (name.startsWith('ssl') || TLS_NAMES.has(name)))) {
    return { kind: null, reason: 'the service speaks TLS' };
  }
  if (name === 'telnet' || (unnamed && (service.port === 23 || service.port === 2323))) return { kind: 'telnet', reason: null };
  if (name === 'ftp' || (unnamed && service.port === 21)) return { kind: 'ftp', reason: null };
  if (name === 'mqtt' || (unnamed && service.port === 1883)) return { kind: 'mqtt', reason: null };
  if (name === 'rtsp' || (unnamed && (service.port === 554 || service.port === 8554))) return { kind: 'rtsp', reason: null };
  if ((name !== undefined && HTTP_NAMES.has(name)) || (unnamed && (service.port === 80 || service.port === 8080))) return { kind: 'http', reason: null };
  return { kind: null, reason: 'not a cleartext service this probe checks' };
}

// ------------------------------------------------------------------------------------------------
// telnet

const IAC = 0xff;

async function collectTelnet(ctx: ProbeContext, port: number): Promise<TelnetEvidence> {
  const ev: TelnetEvidence = { banner: '', iac: false, loginPrompt: false, passwordPrompt: false, error: null };
  let conn: Conn;
  try {
    conn = await ctx.net.tcp(port, { timeoutMs: 8_000, maxBytes: 8 * 1024 });
  } catch (e) {
    ev.error = errorInfo(e);
    return ev;
  }
  try {
    const prompt = (b: Buffer): boolean => /(login|user ?name|password)\s*:?\s*$/i.test(stripIac(b).toString('latin1').trimEnd().slice(-100));
    const r = await conn.readUntil(prompt, 4_000);
    const text = stripIac(r.data);
    ev.iac = r.data.some((b, i) => b === IAC && (r.data[i + 1] ?? 0) >= 0xfb);
    ev.banner = printable(text, 300);
    const tail = text.toString('latin1').trimEnd().slice(-100);
    ev.loginPrompt = /(login|user ?name)\s*:?\s*$/i.test(tail);
    ev.passwordPrompt = /password\s*:?\s*$/i.test(tail);
  } finally {
    conn.close();
  }
  return ev;
}

/** Removes telnet command sequences (IAC x y, IAC SB … IAC SE) from what the server sent. */
export function stripIac(buf: Buffer): Buffer {
  const out: number[] = [];
  for (let i = 0; i < buf.length; i++) {
    const b = buf[i]!;
    if (b !== IAC) { out.push(b); continue; }
    const cmd = buf[i + 1];
    if (cmd === IAC) { out.push(IAC); i++; continue; }
    if (cmd === 250) { // SB … IAC SE
      const end = buf.indexOf(Buffer.from([IAC, 240]), i + 2);
      i = end < 0 ? buf.length : end + 1;
      continue;
    }
    i += cmd !== undefined && cmd >= 251 ? 2 : 1;
  }
  return Buffer.from(out);
}

// ------------------------------------------------------------------------------------------------
// ftp

/** The last complete FTP reply in `text` ("220 …", after any "220-" continuation lines), or null. */
export function ftpReply(text: string): { code: number; text: string } | null {
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\d{3}) (.*)$/.exec(lines[i] ?? '');
    if (m && i < lines.length - 1) return { code: Number(m[1]), text: cap(m[2] ?? '', 200) };
  }
  return null;
}

async function ftpExchange(conn: Conn, command: string | null): Promise<{ code: number; text: string; raw: string } | null> {
  if (command !== null) await conn.write(`${command}\r\n`);
  const r = await conn.readUntil((b) => ftpReply(b.toString('latin1')) !== null, 5_000);
  const raw = r.data.toString('latin1');
  const reply = ftpReply(raw);
  return reply ? { ...reply, raw } : null;
}

export const FTP_PROBE_USER = 'iotcop-probe';

async function collectFtp(ctx: ProbeContext, port: number): Promise<FtpEvidence> {
  const ev: FtpEvidence = { banner: null, authTls: null, userReply: null, error: null };
  let conn: Conn;
  try {
    conn = await ctx.net.tcp(port, { timeoutMs: 15_000, maxBytes: 16 * 1024 });
  } catch (e) {
    ev.error = errorInfo(e);
    return ev;
  }
  try {
    const banner = await ftpExchange(conn, null);
    if (!banner) { ev.error = { kind: 'protocol-error', message: 'no FTP greeting' }; return ev; }
    ev.banner = printable(Buffer.from(`${banner.code} ${banner.text}`, 'latin1'));
    if (banner.code !== 220) { ev.error = { kind: 'protocol-error', message: `FTP greeting ${banner.code}` }; return ev; }
    const feat = await ftpExchange(conn, 'FEAT');
    ev.authTls = feat ? feat.code === 211 && feat.raw.split('\n', 200).some((l) => /^ *AUTH\b.{0,100}\bTLS\b/i.test(l.slice(0, 200))) : null;
    const user = await ftpExchange(conn, `USER ${FTP_PROBE_USER}`);
    if (user) ev.userReply = { code: user.code, text: printable(Buffer.from(user.text, 'latin1')) };
    await conn.write('QUIT\r\n').catch(() => undefined);
    await conn.readUntil((b) => ftpReply(b.toString('latin1')) !== null, 1_000).catch(() => undefined);
  } catch (e) {
    ev.error ??= errorInfo(e);
  } finally {
    conn.close();
  }
  return ev;
}

// ------------------------------------------------------------------------------------------------
// http

/**
 * The text of each `<name …>` start tag in `html` (case-insensitive), each capped at 2 KiB, at most
 * `max` of them. Linear: no regular expression runs over the whole document (ReDoS).
 */
export function startTags(html: string, name: string, max = 5_000): string[] {
  const lower = html.slice(0, 256 * 1024).toLowerCase();
  const needle = `<${name}`;
  const out: string[] = [];
  let pos = 0;
  while (out.length < max) {
    const at = lower.indexOf(needle, pos);
    if (at < 0) break;
    const after = lower[at + needle.length];
    pos = at + needle.length;
    if (after !== undefined && !/[\s/>]/.test(after)) continue; // <inputx is not <input
    const end = lower.indexOf('>', pos);
    const stop = end < 0 ? Math.min(lower.length, pos + 2048) : Math.min(end, pos + 2048);
    out.push(html.slice(at, stop));
  }
  return out;
}

/** True when the HTML has an <input type="password">. */
export function hasPasswordInput(html: string): boolean {
  return startTags(html, 'input').some((t) => /\btype\s*=\s*["']?password\b/i.test(t));
}

function titleOf(html: string): string | null {
  const head = html.slice(0, 64 * 1024);
  const at = head.toLowerCase().indexOf('<title');
  if (at < 0) return null;
  const open = head.indexOf('>', at);
  if (open < 0) return null;
  const close = head.indexOf('<', open + 1);
  const text = head.slice(open + 1, close < 0 ? open + 201 : Math.min(close, open + 201)).trim();
  return text === '' ? null : cap(text, 120);
}

/** A meta refresh target in the page, if any. */
function metaRefresh(html: string): string | null {
  for (const tag of startTags(html.slice(0, 64 * 1024), 'meta', 100)) {
    if (!/http-equiv\s*=\s*["']?refresh/i.test(tag)) continue;
    const m = /content\s*=\s*["'][^"']{0,100}?url\s*=\s*([^"'>\s]{1,300})/i.exec(tag);
    if (m) return m[1]!;
  }
  return null;
}

type RedirectTarget = { kind: 'https' } | { kind: 'same'; path: string } | { kind: 'elsewhere' };

/** Where a Location points, relative to http://address:port/current. Never followed off the device or port. */
export function redirectTarget(location: string, address: string, port: number, current: string): RedirectTarget {
  let url: URL;
  try {
    url = new URL(location, `http://${hostForUrl(address)}:${port}${current}`);
  } catch {
    return { kind: 'elsewhere' };
  }
  if (url.protocol === 'https:') return { kind: 'https' };
  if (url.protocol !== 'http:') return { kind: 'elsewhere' };
  const urlPort = url.port === '' ? 80 : Number(url.port);
  if (url.hostname !== hostForUrl(address) || urlPort !== port) return { kind: 'elsewhere' };
  return { kind: 'same', path: `${url.pathname}${url.search}` };
}

async function collectHttp(ctx: ProbeContext, port: number): Promise<HttpEvidence> {
  const ev: HttpEvidence = { hops: [], redirectsToHttps: false, status: null, authSchemes: [], passwordForm: false, html: false, title: null, error: null };
  let path = '/';
  for (let hop = 0; hop < 3; hop++) {
    let res;
    try {
      res = await ctx.net.http({ port, tls: false, path, method: 'GET', maxBytes: 256 * 1024, timeoutMs: 8_000 });
    } catch (e) {
      ev.error = errorInfo(e);
      return ev;
    }
    const location = res.headers.get('location')?.[0] ?? null;
    ev.hops.push({ path: cap(path, 200), status: res.status, location: location === null ? null : cap(location, 300) });
    const body = res.body.toString('latin1');
    const type = res.headers.get('content-type')?.[0] ?? '';
    const refresh = /html/i.test(type) || /^\s*</.test(body) ? metaRefresh(body) : null;
    const next = res.status >= 300 && res.status < 400 && location !== null ? location : refresh;
    if (next !== null && hop < 2) {
      const target = redirectTarget(next, ctx.device.address, port, path);
      if (target.kind === 'https') { ev.redirectsToHttps = true; ev.status = res.status; return ev; }
      if (target.kind === 'same' && target.path !== path) { path = target.path; continue; }
    }
    ev.status = res.status;
    ev.authSchemes = [...new Set(parseAuthenticate(res.headers.get('www-authenticate')).map((c) => cap(c.scheme, 30)))].slice(0, 8);
    ev.html = /html/i.test(type) || /<html|<!doctype html/i.test(body.slice(0, 2048));
    ev.passwordForm = ev.html && hasPasswordInput(body);
    ev.title = ev.html ? titleOf(body) : null;
    return ev;
  }
  return ev;
}

// ------------------------------------------------------------------------------------------------
// mqtt

/** One anonymous MQTT 3.1.1 CONNECT (clean session, no user name, password or will) and its CONNACK. */
async function collectMqtt(ctx: ProbeContext, port: number): Promise<MqttEvidence> {
  const ev: MqttEvidence = { returnCode: null, error: null };
  let conn: Conn;
  try {
    conn = await ctx.net.tcp(port, { timeoutMs: 10_000, maxBytes: 4 * 1024 });
  } catch (e) {
    ev.error = errorInfo(e);
    return ev;
  }
  try {
    await conn.write(encodeConnect({ clientId: `iotcop-${randomBytes(4).toString('hex')}`, keepaliveS: 10 }));
    const r = await conn.readUntil((b) => b.length >= 4, 6_000);
    ev.returnCode = parseConnack(r.data);
    if (ev.returnCode === null) {
      ev.error = r.data.length === 0
        ? { kind: r.timedOut ? 'timeout' : 'reset', message: 'no CONNACK from the broker' }
        : { kind: 'protocol-error', message: `not an MQTT CONNACK: ${printable(r.data.subarray(0, 16), 40)}` };
    } else if (ev.returnCode === 0) {
      await conn.write(encodeDisconnect()).catch(() => undefined);
    }
  } catch (e) {
    ev.error = errorInfo(e);
  } finally {
    conn.close();
  }
  return ev;
}

// ------------------------------------------------------------------------------------------------
// snmp, rtsp

const SNMP_V1V2C_SCRIPTS = new Set(['snmp-sysdescr', 'snmp-interfaces', 'snmp-netstat', 'snmp-processes', 'snmp-win32-services', 'snmp-win32-software', 'snmp-win32-users', 'snmp-ios-config', 'snmp-brute']);

function snmpEvidence(service: Service): SnmpEvidence {
  const text = [service.product, service.version, service.extraInfo].filter((x): x is string => typeof x === 'string').join(' ').slice(0, 400);
  const scripts = (service.scripts ?? []).map((s) => s.id).slice(0, 20);
  return {
    state: service.state,
    product: service.product ? cap(service.product, 200) : null,
    version: service.version ? cap(service.version, 200) : null,
    extraInfo: service.extraInfo ? cap(service.extraInfo, 200) : null,
    scripts,
    v1v2cSeen: /snmpv1|snmpv2c|\bv2c\b|community/i.test(text) || scripts.some((s) => SNMP_V1V2C_SCRIPTS.has(s)),
  };
}

async function collectRtsp(ctx: ProbeContext, port: number): Promise<RtspEvidence> {
  const ev: RtspEvidence = { requests: [], error: null };
  let conn: Conn;
  try {
    conn = await ctx.net.tcp(port, { timeoutMs: 15_000, maxBytes: 64 * 1024 });
  } catch (e) {
    ev.error = errorInfo(e);
    return ev;
  }
  const client = new RtspClient(conn, 5_000);
  try {
    for (const path of RTSP_PATHS) {
      const res = await client.request('DESCRIBE', rtspUrl(hostForUrl(ctx.device.address), port, path));
      const schemes = [...new Set(parseAuthenticate(res.headers.get('www-authenticate')).map((c) => cap(c.scheme, 30)))].slice(0, 8);
      ev.requests.push({ path, status: res.status, schemes });
      if (res.status === 401 || res.status === 200) break;
    }
  } catch (e) {
    if (ev.requests.length === 0) ev.error = errorInfo(e);
  } finally {
    client.close();
  }
  return ev;
}

// ------------------------------------------------------------------------------------------------
// collect / assess

async function collect(ctx: ProbeContext): Promise<CleartextEvidence> {
  const service = ctx.service;
  if (!service) throw new Error('cleartext-services runs on a service');
  const { kind, reason } = classifyService(service);
  const ev: CleartextEvidence = {
    port: service.port, transport: service.transport, kind, reason,
    telnet: null, ftp: null, http: null, mqtt: null, snmp: null, rtsp: null,
  };
  switch (kind) {
    case 'telnet': ev.telnet = await collectTelnet(ctx, service.port); break;
    case 'ftp': ev.ftp = await collectFtp(ctx, service.port); break;
    case 'http': ev.http = await collectHttp(ctx, service.port); break;
    case 'mqtt': ev.mqtt = await collectMqtt(ctx, service.port); break;
    case 'snmp': ev.snmp = snmpEvidence(service); break;
    case 'rtsp': ev.rtsp = await collectRtsp(ctx, service.port); break;
    default: break;
  }
  return ev;
}

type ErrKind = NonNullable<CheckResult['error']>['kind'];
const KINDS: readonly ErrKind[] = ['refused', 'timeout', 'reset', 'tls-handshake', 'protocol-error', 'budget-exceeded', 'aborted', 'out-of-scope', 'unreachable', 'internal'];
function err(check: string, e: ErrorInfo): CheckResult {
  const kind = (KINDS as readonly string[]).includes(e.kind) ? e.kind as ErrKind : 'internal';
  return { check, status: 'error', error: { kind, message: e.message } };
}

function assessTelnet(port: number, t: TelnetEvidence): CheckResult {
  if (t.error) return err('telnet-cleartext', t.error);
  const confirmed = t.iac || t.loginPrompt || t.passwordPrompt;
  const evidence: Json = { banner: t.banner, telnetNegotiation: t.iac, loginPrompt: t.loginPrompt, passwordPrompt: t.passwordPrompt };
  return {
    check: 'telnet-cleartext', status: 'fail', confidence: confirmed ? 'high' : 'medium', evidence,
    detail: `Telnet is open on port ${port}${t.loginPrompt || t.passwordPrompt ? ' and asks for a login' : ''}: user names, passwords and every command travel unencrypted.`,
  };
}

function assessFtp(port: number, f: FtpEvidence): CheckResult {
  if (f.error && !f.userReply) return err('ftp-cleartext', f.error);
  const evidence: Json = { banner: f.banner, authTls: f.authTls, userReply: f.userReply };
  const code = f.userReply?.code ?? null;
  if (code === 331 || code === 332) {
    return f.authTls
      ? { check: 'ftp-cleartext', status: 'warn', severity: 'medium', evidence, detail: `FTP on port ${port} asks for passwords; it offers AUTH TLS, but a client that does not ask for it sends the password in cleartext.` }
      : { check: 'ftp-cleartext', status: 'fail', severity: 'high', evidence, detail: `FTP on port ${port} asks for passwords and offers no encryption (no AUTH TLS): passwords and files travel in cleartext.` };
  }
  if (code === 230) {
    return { check: 'ftp-cleartext', status: 'fail', severity: 'high', evidence, detail: `FTP on port ${port} logged in the made-up user ${FTP_PROBE_USER} without a password; everything travels in cleartext.` };
  }
  return {
    check: 'ftp-cleartext', status: 'warn', severity: f.authTls ? 'low' : 'medium', evidence,
    detail: `FTP on port ${port} is unencrypted${code === 530 ? ` and refused a named user (${f.userReply?.text ?? '530'}), so it probably allows only anonymous logins` : ''}: file names and contents can be read on the network.`,
  };
}

function assessHttp(port: number, h: HttpEvidence): CheckResult {
  if (h.error) {
    if (h.error.kind === 'protocol-error') return { check: 'http-cleartext-login', status: 'not_applicable', detail: `Port ${port} did not answer HTTP.` };
    return err('http-cleartext-login', h.error);
  }
  const evidence: Json = { hops: h.hops, redirectsToHttps: h.redirectsToHttps, status: h.status, authSchemes: h.authSchemes, passwordForm: h.passwordForm, title: h.title };
  if (h.redirectsToHttps) return { check: 'http-cleartext-login', status: 'pass', evidence, detail: `Port ${port} redirects to HTTPS.` };
  if (h.authSchemes.includes('basic')) {
    return { check: 'http-cleartext-login', status: 'fail', severity: 'high', evidence, detail: `Port ${port} asks for a password with HTTP Basic over plain HTTP: the password is sent with every request, readable by anyone on the network.` };
  }
  if (h.passwordForm) {
    return { check: 'http-cleartext-login', status: 'fail', severity: 'high', evidence, detail: `Port ${port} serves a login form${h.title ? ` ("${h.title}")` : ''} over plain HTTP without redirecting to HTTPS: the password is sent unencrypted.` };
  }
  if (h.status === 401 || h.authSchemes.length > 0) {
    return { check: 'http-cleartext-login', status: 'warn', severity: 'medium', evidence, detail: `Port ${port} asks for a login (${h.authSchemes.join(', ') || 'HTTP 401'}) over plain HTTP; the password is not sent in the clear, but the session is.` };
  }
  if (h.html && h.status !== null && h.status >= 200 && h.status < 300) {
    return { check: 'http-cleartext-login', status: 'warn', severity: 'low', evidence, detail: `Port ${port} serves a web interface${h.title ? ` ("${h.title}")` : ''} over plain HTTP without redirecting to HTTPS.` };
  }
  return { check: 'http-cleartext-login', status: 'pass', evidence, detail: `No login or web interface on / of port ${port} (HTTP ${h.status ?? '?'}).` };
}

function assessMqtt(port: number, m: MqttEvidence): CheckResult {
  if (m.error && m.returnCode === null) {
    if (m.error.kind === 'protocol-error') return { check: 'mqtt-cleartext', status: 'not_applicable', detail: `Port ${port} did not answer MQTT.` };
    return err('mqtt-cleartext', m.error);
  }
  const evidence: Json = { connackReturnCode: m.returnCode };
  if (m.returnCode === 4 || m.returnCode === 5) {
    return {
      check: 'mqtt-cleartext', status: 'fail', severity: 'high', evidence,
      detail: `The MQTT broker on port ${port} requires credentials (CONNACK ${m.returnCode}) but speaks MQTT without TLS: every client's user name and password travel in cleartext.`,
    };
  }
  return {
    check: 'mqtt-cleartext', status: 'warn', severity: 'medium', evidence,
    detail: `The MQTT broker on port ${port} speaks without TLS${m.returnCode === 0 ? ' and accepted a client without credentials' : ''}: every message can be read and changed on the network.`,
  };
}

function assessSnmp(port: number, s: SnmpEvidence): CheckResult {
  const evidence: Json = { state: s.state, product: s.product, version: s.version, extraInfo: s.extraInfo, scripts: s.scripts };
  if (s.state !== 'open') {
    return { check: 'snmp-cleartext', status: 'not_applicable', detail: `UDP port ${port} did not answer the scan (open|filtered): no SNMP agent confirmed.`, evidence };
  }
  if (s.v1v2cSeen) {
    return { check: 'snmp-cleartext', status: 'fail', severity: 'medium', evidence, detail: `SNMP v1/v2c answers on UDP port ${port}: its community string is a password sent in cleartext with every request.` };
  }
  return {
    check: 'snmp-cleartext', status: 'warn', severity: 'medium', confidence: 'medium', evidence,
    detail: `An SNMP agent answers on UDP port ${port}; unless it accepts only SNMPv3 with privacy, its community strings travel in cleartext.`,
  };
}

function assessRtsp(port: number, r: RtspEvidence): CheckResult {
  if (r.error) {
    if (r.error.kind === 'internal' || r.error.kind === 'protocol-error') return { check: 'rtsp-cleartext', status: 'not_applicable', detail: `Port ${port} did not answer RTSP (${r.error.message}).` };
    return err('rtsp-cleartext', r.error);
  }
  const evidence: Json = { requests: r.requests };
  const challenged = r.requests.find((q) => q.status === 401);
  if (challenged?.schemes.includes('basic')) {
    return {
      check: 'rtsp-cleartext', status: 'fail', severity: 'high', evidence,
      detail: `The RTSP server on port ${port} accepts HTTP Basic authentication (DESCRIBE ${challenged.path}): the camera password travels in cleartext with every stream request, and so does the video.`,
    };
  }
  if (challenged) {
    return { check: 'rtsp-cleartext', status: 'pass', evidence, detail: `The RTSP server on port ${port} asks for ${challenged.schemes.join(', ') || 'credentials'} (not Basic); the video itself is still unencrypted.` };
  }
  if (r.requests.some((q) => q.status === 200)) {
    return { check: 'rtsp-cleartext', status: 'pass', evidence, detail: `The RTSP server on port ${port} asked for no credentials (see rtsp-unauthenticated-stream).` };
  }
  return { check: 'rtsp-cleartext', status: 'not_applicable', evidence, detail: `No authentication challenge on ${r.requests.map((q) => `${q.path} (${q.status})`).join(', ')}; the stream path is unknown.` };
}

const CHECK_OF: Record<Kind, string> = {
  telnet: 'telnet-cleartext', ftp: 'ftp-cleartext', http: 'http-cleartext-login', mqtt: 'mqtt-cleartext', snmp: 'snmp-cleartext', rtsp: 'rtsp-cleartext',
};

export function assessCleartext(ev: CleartextEvidence): CheckResult[] {
  switch (ev.kind) {
    case 'telnet': return ev.telnet ? [assessTelnet(ev.port, ev.telnet)] : [];
    case 'ftp': return ev.ftp ? [assessFtp(ev.port, ev.ftp)] : [];
    case 'http': return ev.http ? [assessHttp(ev.port, ev.http)] : [];
    case 'mqtt': return ev.mqtt ? [assessMqtt(ev.port, ev.mqtt)] : [];
    case 'snmp': return ev.snmp ? [assessSnmp(ev.port, ev.snmp)] : [];
    case 'rtsp': return ev.rtsp ? [assessRtsp(ev.port, ev.rtsp)] : [];
    default: return [];
  }
}

export { CHECK_OF as CLEARTEXT_CHECK_OF };

export default defineProbe<CleartextEvidence>({
  meta: {
    id: 'cleartext-services',
    title: 'Cleartext services',
    safety: 'safe',
    appliesTo: {
      scope: 'service',
      services: ['telnet', 'ftp', 'http', 'http-alt', 'http-proxy', 'http-mgmt', 'www', 'mqtt', 'snmp', 'rtsp'],
      ports: [21, 23, 80, 161, 554, 1883, 2323, 8080, 8554],
    },
    budget: { maxConnections: 4, timeoutMs: 40_000 },
    checks: {
      'telnet-cleartext': {
        title: 'No Telnet service', failureTitle: 'Telnet sends logins in cleartext',
        summary: 'The device runs Telnet, an old remote-login service that sends your password unencrypted across the network.',
        guidelines: ['uk-cop-5'], provisions: ['5.5-7', '5.5-1'], severity: 'high',
        description: 'Telnet has no encryption: user names, passwords and every command can be read by anyone on the network. It is also the service the Mirai botnet used to take over cameras and routers.',
        remediation: 'Switch Telnet off in the device settings (it is sometimes under "maintenance" or "debug"). If it cannot be switched off, ask the vendor for a firmware update, or keep the device on a separate network.',
      },
      'ftp-cleartext': {
        title: 'No cleartext FTP', failureTitle: 'FTP without encryption',
        summary: 'The device offers FTP, which sends passwords and files unencrypted across the network.',
        guidelines: ['uk-cop-5', 'uk-cop-8'], provisions: ['5.5-7', '5.8-1'], severity: 'medium',
        description: 'Plain FTP encrypts nothing: passwords (when asked) and the files themselves, such as scans or recordings, can be read on the network. A server that answers a named user with "331 password required" takes passwords in cleartext.',
        remediation: 'Switch FTP off if you do not use it. Otherwise use SFTP or FTPS (FTP with "AUTH TLS", set to required) if the device offers it.',
      },
      'http-cleartext-login': {
        title: 'Web logins use HTTPS', failureTitle: 'Web login over unencrypted HTTP',
        summary: 'The device\'s web page asks for your password over an unencrypted connection.',
        guidelines: ['uk-cop-5'], provisions: ['5.5-7', '5.5-1'], severity: 'high',
        description: 'A login page or HTTP Basic authentication served over plain HTTP sends the password across the network in cleartext (Basic sends it with every request). A web interface should redirect HTTP to HTTPS.',
        remediation: 'Turn on HTTPS in the device\'s web settings and the option to redirect HTTP to HTTPS (or switch HTTP off). Until then, log in only from a trusted wired network.',
      },
      'mqtt-cleartext': {
        title: 'MQTT uses TLS', failureTitle: 'MQTT without TLS',
        summary: 'The device\'s messaging service is unencrypted, so readings, commands and any passwords can be read on your network.',
        guidelines: ['uk-cop-5', 'uk-cop-8'], provisions: ['5.5-7', '5.8-1'], severity: 'medium',
        description: 'MQTT on port 1883 has no encryption. When the broker asks for credentials, every client sends its user name and password in cleartext; either way, sensor data and commands (often personal: presence, locks, cameras) can be read and changed.',
        remediation: 'Enable MQTT over TLS (port 8883) and switch off the plain listener on 1883; use per-client credentials over TLS.',
      },
      'snmp-cleartext': {
        title: 'No SNMP v1/v2c', failureTitle: 'SNMP v1/v2c community strings in cleartext',
        summary: 'The device answers SNMP, whose older versions send their password (the "community") unencrypted.',
        guidelines: ['uk-cop-5'], provisions: ['5.5-7', '5.5-1'], severity: 'medium',
        description: 'SNMP v1 and v2c authenticate with a community string sent in cleartext in every packet; anyone on the network can read it and then query (or, with a write community, change) the device. SNMPv3 with authPriv encrypts.',
        remediation: 'Switch SNMP off if you do not use it; otherwise allow only SNMPv3 with authentication and privacy (authPriv) and change the default communities.',
      },
      'rtsp-cleartext': {
        title: 'RTSP does not take Basic credentials', failureTitle: 'RTSP camera password sent in cleartext',
        summary: 'The camera\'s video stream asks for its password in a form anyone on your network can read.',
        guidelines: ['uk-cop-5', 'uk-cop-8'], provisions: ['5.5-7', '5.8-2'], severity: 'high',
        description: 'RTSP with HTTP Basic authentication sends the camera password base64-encoded (not encrypted) with each request, and the video stream itself is unencrypted personal data.',
        remediation: 'Set the camera\'s RTSP authentication to Digest (often "RTSP authentication: digest" in the network settings), use RTSPS/SRTP if offered, and switch RTSP off if no recorder uses it.',
      },
    },
  },
  collect,
  assess(evidence) {
    return assessCleartext(evidence);
  },
});
