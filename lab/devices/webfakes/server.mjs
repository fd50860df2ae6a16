#!/usr/bin/env node
/**
 * Fake vendor web logins, one source for the unit tests and the lab (Node stdlib only, no dependencies).
 * Each family (families/<id>.mjs) reproduces a vendor's login page and login exchange as the vendor's
 * documentation and published captures describe them (paths, fields, hashing, JSON/XML answers, cookies,
 * failure and lockout answers); src/data/web-logins.json says where each fact comes from.
 *
 * CLI: node server.mjs --family ID --host ADDR --port N [--log FILE] [--password-file F] [--username U] [--lock-after N]
 * The log has one JSON line per login attempt: {"t":…,"family":…,"user":…,"result":"ok|fail|locked"} — the
 * user name, never the password.
 *
 * In-process (tests): `const fake = await startFake('hikvision-isapi', { password: 'x' })` → { port, attempts, close }.
 */
import http from 'node:http';
import { appendFileSync, readFileSync } from 'node:fs';
import { randomBytes, createHash, createHmac } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const HERE = dirname(fileURLToPath(import.meta.url));
const FAMILY_ID = /^[a-z0-9][a-z0-9-]{1,40}$/;
const MAX_BODY = 64 * 1024;

export const md5 = (s) => createHash('md5').update(s, 'utf8').digest('hex');
export const sha256 = (s) => createHash('sha256').update(s, 'utf8').digest('hex');
export const hmacMd5 = (key, s) => createHmac('md5', key).update(s, 'utf8').digest('hex');
export const token = (n = 16) => randomBytes(n).toString('hex');
export const escapeHtml = (s) => String(s).replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]);

/** Parses a urlencoded form body into a Map (never an object keyed by client strings). */
export function form(body) {
  const m = new Map();
  for (const [k, v] of new URLSearchParams(body)) if (!m.has(k)) m.set(k, v);
  return m;
}

export function jsonBody(body) {
  try { return JSON.parse(body); } catch { return undefined; }
}

export function cookies(req) {
  const m = new Map();
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) m.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return m;
}

export async function loadFamily(id) {
  if (!FAMILY_ID.test(id)) throw new Error(`bad family id: ${id}`);
  const mod = await import(pathToFileURL(join(HERE, 'families', `${id}.mjs`)).href);
  return mod.default;
}

/**
 * Starts one fake. Options: host (127.0.0.1), port (0 = any), username / password (the family's factory
 * default unless given), lockAfter (failed logins before the fake locks; the family's documented default
 * unless given; 0 = locked from the start), lockSeconds (after which the failures are forgotten: the family's
 * documented lock time unless given; none = never), log (a file to append attempt lines to), decide (tests:
 * (user, rightPair) → 'ok' | 'fail' | 'locked', replacing the fake's own judgement and lock).
 */
export async function startFake(id, opts = {}) {
  const family = await loadFamily(id);
  const creds = { username: opts.username ?? family.username, password: opts.password ?? family.password };
  const lockAfter = opts.lockAfter ?? family.lockAfter ?? Infinity;
  const attempts = [];
  const lockSeconds = opts.lockSeconds ?? family.lockSeconds ?? Infinity;
  const state = { failures: 0, lastFailureAt: 0, sessions: new Map(), attemptsSeen: 0 };
  const record = (user, result) => {
    const line = { t: new Date().toISOString(), family: id, user: String(user).slice(0, 64), result };
    attempts.push(line);
    if (opts.log) appendFileSync(opts.log, `${JSON.stringify(line)}\n`);
  };
  const server = http.createServer((req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= MAX_BODY) chunks.push(c); });
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake.invalid');
      const body = Buffer.concat(chunks).toString('utf8');
      const send = (status, headers, text) => {
        const h = { 'Content-Type': 'text/html; charset=utf-8', ...headers };
        if (family.server && !('Server' in h)) h.Server = family.server;
        res.writeHead(status, h);
        res.end(req.method === 'HEAD' ? undefined : text ?? '');
      };
      const json = (status, obj, headers = {}) => send(status, { 'Content-Type': 'application/json', ...headers }, JSON.stringify(obj));
      /** Judges one login: returns 'ok' | 'fail' | 'locked' and logs it. */
      const judge = (user, ok) => {
        state.attemptsSeen += 1;
        // A test's own decision (the honeypot suite): 'ok' | 'fail' | 'locked' from the user and whether the pair was right.
        if (opts.decide) { const d = opts.decide(user, ok); record(user, d); return d; }
        // A lock (and the failures leading to it) expires after the family's documented lock time, as on the device.
        if (lockSeconds !== Infinity && state.failures > 0 && Date.now() - state.lastFailureAt >= lockSeconds * 1000) state.failures = 0;
        if (state.failures >= lockAfter) { record(user, 'locked'); return 'locked'; }
        if (ok) { record(user, 'ok'); return 'ok'; }
        state.failures += 1;
        state.lastFailureAt = Date.now();
        record(user, 'fail');
        return 'fail';
      };
      const ctx = { req, res, url, path: url.pathname, method: req.method ?? 'GET', body, send, json, judge, creds, state, lockAfter, host: req.headers.host ?? 'device' };
      try {
        if (family.handle(ctx) === false) send(404, {}, '<html><body><h1>404 Not Found</h1></body></html>');
      } catch (e) {
        send(500, {}, 'internal error');
        process.emitWarning(String(e));
      }
    });
  });
  await new Promise((resolve, reject) => { server.once('error', reject); server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', resolve); });
  const address = server.address();
  return {
    family: id,
    port: typeof address === 'object' && address ? address.port : 0,
    attempts,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

function arg(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main() {
  const id = arg('family');
  if (!id) { process.stderr.write('usage: server.mjs --family ID --host ADDR --port N [--log FILE] [--password-file F] [--username U] [--lock-after N]\n'); process.exit(2); }
  const passwordFile = arg('password-file');
  const lockAfter = arg('lock-after');
  const opts = {
    host: arg('host') ?? '127.0.0.1',
    port: Number(arg('port') ?? 8080),
    ...(arg('log') ? { log: arg('log') } : {}),
    ...(arg('username') !== undefined ? { username: arg('username') } : {}),
    ...(passwordFile ? { password: readFileSync(passwordFile, 'utf8').replace(/\r?\n$/, '') } : {}),
    ...(lockAfter !== undefined ? { lockAfter: Number(lockAfter) } : {}),
  };
  const fake = await startFake(id, opts);
  process.stdout.write(`webfake ${id} listening on ${opts.host}:${fake.port}\n`);
  const stop = () => { void fake.close().then(() => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

// No top-level await: the family modules import this file, which must finish evaluating first.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => { process.stderr.write(`webfake: ${e instanceof Error ? e.message : String(e)}\n`); process.exit(1); });
}
