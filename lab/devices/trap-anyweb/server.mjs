// Trap: a camera web UI behind HTTP Basic that accepts ANY username and password. A scanner that
// tries a default credential without first checking that a wrong password fails would wrongly
// report "default credential". Every attempt is logged (username and password length only).
//   node server.mjs --host 10.231.0.20 --port 80 --log lab/run/trap-anyweb/attempts.log
import http from 'node:http';
import { parseArgs } from 'node:util';
import { makeLogger } from '../common/log.mjs';
import { basicCredentials } from '../common/basic-auth.mjs';

const { values: o } = parseArgs({ options: {
  host: { type: 'string' }, port: { type: 'string', default: '80' }, log: { type: 'string' } } });
const log = makeLogger(o.log);
const REALM = 'DCS-930L';

const server = http.createServer((req, res) => {
  req.resume();
  const from = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
  const cred = basicCredentials(req.headers.authorization);
  if (!cred) {
    log('request', { from, method: req.method, url: req.url, auth: 'none', status: 401 });
    res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${REALM}"`, 'Content-Type': 'text/html', Server: 'alphapd' });
    res.end('<html><head><title>401 Unauthorized</title></head><body>Authorization required</body></html>');
    return;
  }
  log('attempt', { from, method: req.method, url: req.url, username: cred.username, passwordLength: cred.password.length, status: 200 });
  res.writeHead(200, { 'Content-Type': 'text/html', Server: 'alphapd' });
  res.end('<html><head><title>DCS-930L</title></head><body><h1>D-Link DCS-930L</h1><p>Live Video | Setup | Maintenance | Status</p></body></html>');
});
server.listen(Number(o.port), o.host, () => log('listening', { tcp: Number(o.port) }));
