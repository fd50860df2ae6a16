// Hostile device: disappears in the middle of the scan. It looks like a small camera (web page on 80,
// an SSH banner on 22, a telnet login on 23) until the first TCP connection reaches it; a few
// seconds later it takes its own link down (`ip link set eth0 down` inside its namespace) and exits,
// so every later packet to it is lost. `lab hostile up` brings the link back up and restarts it.
// A correct scanner marks the device unresponsive (circuit breaker) or its checks as errors, never
// as passes, and finishes the rest of the scan.
//   node vanish.mjs --host 10.231.1.140 --after-ms 8000 --log lab/run/hostile/vanish.log
import { execFile } from 'node:child_process';
import { parseArgs } from 'node:util';
import { keepAlive, makeLogger, onRequest, rawHttp, tcp } from './lib.mjs';

const { values: o } = parseArgs({ options: { host: { type: 'string' }, log: { type: 'string' }, 'after-ms': { type: 'string', default: '8000' }, dev: { type: 'string', default: 'eth0' } } });
const log = makeLogger(o.log);
keepAlive(log);
let scheduled = false;
function vanishSoon() {
  if (scheduled) return;
  scheduled = true;
  const ms = Number(o['after-ms']);
  log('vanishing', { inMs: ms });
  setTimeout(() => {
    execFile('ip', ['link', 'set', 'dev', o.dev, 'down'], (err) => {
      log('vanished', { ok: !err, error: err ? String(err.message).slice(0, 200) : undefined });
      process.exit(err ? 1 : 0);
    });
  }, ms);
}

tcp(o.host, 80, log, (sock) => {
  vanishSoon();
  onRequest(sock, () => {
    const body = '<html><head><title>IPC Camera</title></head><body>Live view</body></html>';
    sock.end(rawHttp(200, 'OK', [['Server', 'GoAhead-Webs'], ['Content-Type', 'text/html'], ['Content-Length', String(body.length)], ['Connection', 'close']], body));
  });
});
tcp(o.host, 22, log, (sock) => { vanishSoon(); sock.write('SSH-2.0-dropbear_2019.78\r\n'); sock.on('data', () => {}); });
tcp(o.host, 23, log, (sock) => { vanishSoon(); sock.write(Buffer.from([255, 251, 1, 255, 251, 3])); sock.write('\r\nIPC login: '); sock.on('data', () => {}); });
log('ready', { host: o.host });
