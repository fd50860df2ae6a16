// Hostile device: drips one byte a second, forever (an idle timeout alone never fires).
//   port 80:   the response itself, status line first, one byte a second;
//   port 8080: complete headers at once, then a body of one byte a second that never ends;
//   port 22:   an SSH identification line, one byte a second.
// A correct scanner's absolute deadline fires; it reports a timeout or a truncated answer, never a pass.
//   node drip.mjs --host 10.231.1.134 --log lab/run/hostile/drip.log
import { ALL, drip, keepAlive, makeLogger, onRequest, options, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);
const EVERY = 1000;
const forever = (s) => Buffer.from(s.repeat(10_000));

tcp(o.host, 80, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 80, method: method.slice(0, 10), path: path.slice(0, 100) });
    drip(sock, forever(`HTTP/1.1 200 OK\r\nServer: Drip/${ALL}\r\n`), EVERY);
  });
});
tcp(o.host, 8080, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 8080, method: method.slice(0, 10), path: path.slice(0, 100) });
    sock.write('HTTP/1.1 200 OK\r\nServer: DripBody/1.0\r\nContent-Type: text/html\r\nContent-Length: 100000000\r\n\r\n');
    drip(sock, forever('<title>drip</title>'), EVERY);
  });
});
tcp(o.host, 22, log, (sock) => {
  sock.on('data', () => {});
  drip(sock, forever('SSH-2.0-Drip_1.0 '), EVERY);
});
log('ready', { host: o.host });
