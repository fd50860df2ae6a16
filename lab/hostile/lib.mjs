// Shared pieces of the hostile lab devices (lab/hostile/*.mjs): argument parsing, a JSON-lines
// logger, TCP/UDP listeners that never crash the device, and the hostile strings every device
// reuses. These programs run only inside the lab's network namespaces (see
// lab/hostile/README.md): they bind the device's own address and nothing else.
import { appendFileSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { parseArgs } from 'node:util';

/** Common options: --host ADDR --log FILE, plus the device's own. */
export function options(extra = {}) {
  const { values } = parseArgs({ options: { host: { type: 'string' }, log: { type: 'string' }, ...extra } });
  if (!values.host) throw new Error('--host is required');
  return values;
}

export function makeLogger(file) {
  return (event, fields = {}) => {
    const line = JSON.stringify({ t: new Date().toISOString(), event, ...fields });
    if (file) appendFileSync(file, `${line}\n`);
    else process.stdout.write(`${line}\n`);
  };
}

/** A hostile device must outlive whatever its peers do: log and carry on. */
export function keepAlive(log) {
  process.on('uncaughtException', (e) => log('uncaught', { message: String(e?.message ?? e).slice(0, 200) }));
  process.on('unhandledRejection', (e) => log('unhandled', { message: String(e?.message ?? e).slice(0, 200) }));
}

/** TCP listener on host:port; `onConn(socket, from)` runs per connection; errors are swallowed. */
export function tcp(host, port, log, onConn) {
  const sockets = new Set();
  const server = net.createServer({ pauseOnConnect: false }, (sock) => {
    const from = `${sock.remoteAddress}:${sock.remotePort}`;
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    log('connect', { port, from });
    try {
      onConn(sock, from);
    } catch (e) {
      log('handler-error', { port, message: String(e?.message ?? e).slice(0, 200) });
      sock.destroy();
    }
  });
  server.on('error', (e) => { log('listen-error', { port, code: e.code }); process.exitCode = 1; });
  server.listen(port, host);
  return { server, sockets };
}

/** UDP listener on host:port; `onMessage(msg, rinfo, reply)` where reply(buf) answers the sender. */
export function udp(host, port, log, onMessage) {
  const sock = dgram.createSocket('udp4');
  sock.on('error', (e) => log('udp-error', { port, code: e.code }));
  sock.on('message', (msg, rinfo) => {
    log('datagram', { port, from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length });
    const reply = (buf) => sock.send(buf, rinfo.port, rinfo.address, () => {});
    try {
      onMessage(msg, rinfo, reply);
    } catch (e) {
      log('handler-error', { port, message: String(e?.message ?? e).slice(0, 200) });
    }
  });
  sock.bind(port, host);
  return sock;
}

/** Writes chunks from `next()` whenever the socket drains, at most `bytesPerTick` every `tickMs`, until it closes. */
export function flood(sock, next, { tickMs = 50, bytesPerTick = 64 * 1024 } = {}) {
  let closed = false;
  sock.on('close', () => { closed = true; });
  const tick = () => {
    if (closed || sock.destroyed) return;
    let sent = 0;
    while (sent < bytesPerTick) {
      const chunk = next();
      sent += chunk.length;
      if (!sock.write(chunk)) break;
    }
    setTimeout(tick, tickMs);
  };
  tick();
}

/** Sends `data` one byte every `everyMs` (then `after()` when given), until the socket closes. */
export function drip(sock, data, everyMs = 1000, after) {
  let i = 0;
  const timer = setInterval(() => {
    if (sock.destroyed) { clearInterval(timer); return; }
    if (i < data.length) { sock.write(data.subarray(i, i + 1)); i += 1; return; }
    clearInterval(timer);
    if (after) after();
  }, everyMs);
  sock.on('close', () => clearInterval(timer));
}

// ---------------------------------------------------------------------------------------------
// Hostile strings. lab/hostile-truth.json lists the markers a test looks for in the reports.

export const ESC = '\x1b';
/** Terminal attacks: set the window title, clear the screen, colour, a C1 CSI, a bidi override, CR overwrite, NUL, BEL, DEL. */
export const TERMINAL = `${ESC}]0;iotcop-pwned-title\x07${ESC}[2J${ESC}[H${ESC}[31mRED${ESC}[0m\x9b33m\u202eevil\u202c\rOVERWRITE\x00\x07\x7f`;
// Markup that marks the page (<html data-iotcop-xss=…>) if a browser ever runs it.
export const SCRIPT = "<script>document.documentElement.setAttribute('data-iotcop-xss','script')</script>";
export const IMG = '"><img src=x onerror="document.documentElement.setAttribute(\'data-iotcop-xss\',\'img\')">';
export const FORMULA = '=HYPERLINK("http://10.231.1.250/iotcop-formula","click")';
export const FORMULAS = [FORMULA, "+cmd|' /C calc'!A0", '@SUM(1+1)*cmd|\' /C calc\'!A0', '-2+3+cmd|\' /C calc\'!A0'];
export const MARKDOWN = '``` \n| a | b |\n[iotcop-md](javascript:alert(1))';
/** Everything at once, for a title, a banner or a body (no CR/LF: callers add those on purpose). */
export const ALL = `${FORMULA} ${SCRIPT}${IMG} ${TERMINAL} ${MARKDOWN.replace(/\n/g, ' ')}`;
/** What an HTTP parser lets through in a header value (no C0 controls): markup, formulas, a bidi override. */
export const PRINTABLE = `${FORMULA} ${SCRIPT}${IMG} \u202eevil\u202c ${MARKDOWN.replace(/\n/g, ' ')}`;

/** A raw HTTP/1.1 response (head + body) as bytes: header values are written exactly as given. */
export function rawHttp(status, reason, headers, body = '') {
  const b = Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
  const head = [`HTTP/1.1 ${status} ${reason}`, ...headers.map(([k, v]) => `${k}: ${v}`)].join('\r\n');
  return Buffer.concat([Buffer.from(`${head}\r\n`, 'utf8'), Buffer.from('\r\n'), b]);
}

/** Reads one HTTP request head (capped), then calls back with the request line. */
export function onRequest(sock, cb, cap = 16 * 1024) {
  let buf = Buffer.alloc(0);
  let done = false;
  sock.on('data', (d) => {
    if (done) return;
    buf = Buffer.concat([buf, d]);
    const end = buf.indexOf('\r\n\r\n');
    if (end >= 0 || buf.length > cap) {
      done = true;
      const head = buf.subarray(0, end >= 0 ? end : cap).toString('latin1');
      const [line = ''] = head.split('\r\n');
      const [method = '', path = ''] = line.split(' ');
      cb({ method, path, head });
    }
  });
}
