// Hostile device: HTTP with enormous headers.
//   port 80:   a status line, then header lines forever (the header section never ends);
//   port 8080: one 1 MB header value, then 5000 more headers, then a small body.
// A correct scanner hits its header limit, reports the check as an error, never as a pass.
//   node http-headers.mjs --host 10.231.1.133 --log lab/run/hostile/http-headers.log
import { ALL, flood, keepAlive, makeLogger, onRequest, options, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);

tcp(o.host, 80, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 80, method: method.slice(0, 10), path: path.slice(0, 100) });
    sock.write('HTTP/1.1 200 OK\r\nServer: HeaderFlood/1.0\r\n');
    let i = 0;
    flood(sock, () => Buffer.from(`X-Flood-${i++}: ${ALL}\r\n`), { tickMs: 20, bytesPerTick: 64 * 1024 });
  });
});

tcp(o.host, 8080, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 8080, method: method.slice(0, 10), path: path.slice(0, 100) });
    const parts = ['HTTP/1.1 200 OK\r\nServer: HugeHeader/1.0\r\n', `X-Huge: ${'H'.repeat(1024 * 1024)}\r\n`];
    for (let k = 0; k < 5000; k++) parts.push(`X-Many-${k}: ${k}\r\n`);
    parts.push('Content-Length: 27\r\nConnection: close\r\n\r\n<title>huge headers</title>');
    sock.end(Buffer.from(parts.join('')));
  });
});
log('ready', { host: o.host });
