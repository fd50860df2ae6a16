// router: TR-069 (CWMP) connection-request listener on tcp/7547, as ISPs configure it. Every
// request gets 401 with a Digest challenge (the ACS would answer it); nothing is ever accepted.
//   node tr069.mjs --host 10.231.0.11 --port 7547 --log FILE
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { makeLogger } from '../common/log.mjs';

const { values: o } = parseArgs({ options: {
  host: { type: 'string' }, port: { type: 'string', default: '7547' }, log: { type: 'string' } } });
const log = makeLogger(o.log);

const server = http.createServer((req, res) => {
  log('request', { from: `${req.socket.remoteAddress}:${req.socket.remotePort}`, method: req.method, url: req.url,
    authorization: req.headers.authorization ? 'present' : 'absent' });
  req.resume();
  const nonce = randomBytes(16).toString('hex');
  res.writeHead(401, {
    'WWW-Authenticate': `Digest realm="IgdAuthentication", domain="/", nonce="${nonce}", qop="auth", algorithm=MD5`,
    'Content-Type': 'text/html',
    Connection: 'close',
  });
  res.end('<html><head><title>401 Unauthorized</title></head><body><h1>401 Unauthorized</h1></body></html>');
});
server.listen(Number(o.port), o.host, () => log('listening', { tcp: Number(o.port) }));
