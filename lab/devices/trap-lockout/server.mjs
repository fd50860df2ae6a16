// Trap: a camera web UI behind HTTP Basic that locks out after 3 failed attempts: from then on,
// for --lock-seconds, every request from that client address gets 403 "account locked". The real
// password is random (read from --password-file), so no default credential can succeed. Every
// attempt is logged (username, password length, outcome) so a test can count them.
//   node server.mjs --host 10.231.0.22 --port 80 --password-file F --log F [--lock-seconds 60]
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';
import { makeLogger } from '../common/log.mjs';
import { basicCredentials } from '../common/basic-auth.mjs';

const { values: o } = parseArgs({ options: {
  host: { type: 'string' }, port: { type: 'string', default: '80' }, log: { type: 'string' },
  'password-file': { type: 'string' }, 'lock-seconds': { type: 'string', default: '60' },
  'max-failures': { type: 'string', default: '3' } } });
const log = makeLogger(o.log);
const PASSWORD = Buffer.from(readFileSync(o['password-file'], 'utf8').trim());
const LOCK_MS = Number(o['lock-seconds']) * 1000;
const MAX_FAILURES = Number(o['max-failures']);
/** client address -> { failures, lockedUntil } */
const clients = new Map();

function matches(password) {
  const p = Buffer.from(password);
  return p.length === PASSWORD.length && timingSafeEqual(p, PASSWORD);
}

const server = http.createServer((req, res) => {
  req.resume();
  const addr = req.socket.remoteAddress ?? '?';
  const from = `${addr}:${req.socket.remotePort}`;
  const state = clients.get(addr) ?? { failures: 0, lockedUntil: 0 };
  clients.set(addr, state);
  const cred = basicCredentials(req.headers.authorization);
  const base = { from, method: req.method, url: req.url, username: cred?.username, passwordLength: cred?.password.length };

  if (Date.now() < state.lockedUntil) {
    log(cred ? 'attempt' : 'request', { ...base, outcome: 'locked', status: 403 });
    res.writeHead(403, { 'Content-Type': 'text/html' });
    res.end(`<html><head><title>Account locked</title></head><body>Too many failed login attempts. The account is locked for ${Math.ceil((state.lockedUntil - Date.now()) / 1000)} seconds.</body></html>`);
    return;
  }
  if (!cred) {
    log('request', { ...base, outcome: 'challenge', status: 401 });
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="DS-2CD2142FWD"', 'Content-Type': 'text/html' });
    res.end('<html><head><title>401 Unauthorized</title></head><body>Authorization required</body></html>');
    return;
  }
  if (cred.username === 'admin' && matches(cred.password)) {
    state.failures = 0;
    log('attempt', { ...base, outcome: 'success', status: 200 });
    res.writeHead(200, { 'Content-Type': 'text/html' });
    res.end('<html><head><title>DS-2CD2142FWD</title></head><body>Live View</body></html>');
    return;
  }
  state.failures += 1;
  if (state.failures >= MAX_FAILURES) {
    state.lockedUntil = Date.now() + LOCK_MS;
    state.failures = 0;
  }
  const locked = state.lockedUntil > Date.now();
  log('attempt', { ...base, outcome: locked ? 'failure-now-locked' : 'failure', status: 401 });
  res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="DS-2CD2142FWD"', 'Content-Type': 'text/html' });
  res.end(locked
    ? `<html><head><title>401 Unauthorized</title></head><body>Invalid user name or password. The account is now locked for ${LOCK_MS / 1000} seconds.</body></html>`
    : '<html><head><title>401 Unauthorized</title></head><body>Invalid user name or password.</body></html>');
});
server.listen(Number(o.port), o.host, () => log('listening', { tcp: Number(o.port), maxFailures: MAX_FAILURES, lockSeconds: LOCK_MS / 1000 }));
