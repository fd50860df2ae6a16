// Hostile device: a well-behaved protocol carrying attacker-chosen text. Every string a report shows
// comes from the device: the page title, the Server header, the Basic and Digest realms, the telnet
// banner, the security.txt fields. They hold `<script>`, `"><img onerror=…>`, terminal escape
// sequences (window title, clear screen, C1 CSI, bidi override, CR, NUL) and spreadsheet formulas.
//   port 80:   401 with a hostile Basic realm (every credential refused), hostile Server header and
//              page title; /.well-known/security.txt with hostile fields;
//   port 8080: 200, an administration page open without a login (a true finding), hostile title;
//   port 8081: 401 with a hostile Digest challenge (realm, nonce, opaque; MD5), every credential refused;
//   port 8088: a Server header with raw control characters (an HTTP parser must refuse it);
//   port 23:   telnet with a hostile banner and a login prompt that refuses every password.
// Header values carry what an HTTP parser accepts (markup, formulas, a bidi override); bodies and
// banners carry everything, terminal escapes included. The text must be inert in every report format
// and on the terminal; JSON keeps it, escaped as JSON.
//   node webui.mjs --host 10.231.1.135 --log lab/run/hostile/webui.log
import { ALL, FORMULA, IMG, PRINTABLE, SCRIPT, TERMINAL, keepAlive, makeLogger, onRequest, options, rawHttp, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);
const loginPage = (title) => `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1>` +
  '<form method="post" action="/login"><input name="username"><input type="password" name="password"></form></body></html>';
// An administration page by the scanner's own rules: settings fields, admin actions, a logout link.
const adminPage = (title) => `<!doctype html><html><head><title>Admin settings ${title}</title></head><body><h1>${title}</h1>` +
  '<form action="/apply.cgi"><input name="ssid"><input name="dns1"><input name="gateway"><input name="netmask"></form>' +
  '<a href="/reboot.cgi">Reboot</a> <a href="/reset.cgi">Factory reset</a> <a href="/upgrade.cgi">Firmware upgrade</a> <a href="/logout">Logout</a>' +
  `<p>${SCRIPT}${IMG}</p></body></html>`;
const server = `lighttpd/1.4.35 ${PRINTABLE}`;
const realm = PRINTABLE.replace(/"/g, "'");
const securityTxt = [`Contact: mailto:${SCRIPT}@example.com`, `Contact: ${FORMULA}`, 'Expires: 2099-01-01T00:00:00Z',
  `Policy: https://example.com/${IMG}`, `Acknowledgments: ${TERMINAL}`, ''].join('\n');
const len = (s) => String(Buffer.byteLength(s));

tcp(o.host, 80, log, (sock) => {
  onRequest(sock, ({ method, path, head }) => {
    const auth = /\r\nauthorization:/i.test(head);
    log('request', { port: 80, method: method.slice(0, 10), path: path.slice(0, 100), auth });
    if (path.startsWith('/.well-known/security.txt')) {
      sock.end(rawHttp(200, 'OK', [['Server', server], ['Content-Type', 'text/plain'], ['Content-Length', len(securityTxt)], ['Connection', 'close']], securityTxt));
      return;
    }
    const body = loginPage(ALL);
    sock.end(rawHttp(401, 'Unauthorized', [['Server', server], ['WWW-Authenticate', `Basic realm="${realm}"`],
      ['Content-Type', 'text/html'], ['Content-Length', len(body)], ['Connection', 'close']], body));
  });
});

tcp(o.host, 8080, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 8080, method: method.slice(0, 10), path: path.slice(0, 100) });
    const body = adminPage(ALL);
    sock.end(rawHttp(200, 'OK', [['Server', server], ['Content-Type', 'text/html'], ['Content-Length', len(body)], ['Connection', 'close']], body));
  });
});

tcp(o.host, 8081, log, (sock) => {
  onRequest(sock, ({ method, path, head }) => {
    const auth = /\r\nauthorization:/i.test(head);
    log('request', { port: 8081, method: method.slice(0, 10), path: path.slice(0, 100), auth });
    const body = loginPage('digest');
    sock.end(rawHttp(401, 'Unauthorized', [['Server', server],
      ['WWW-Authenticate', `Digest realm="${realm}", qop="auth", nonce="${'n'.repeat(64)}", opaque="${SCRIPT.replace(/"/g, '')}", algorithm=MD5`],
      ['Content-Type', 'text/html'], ['Content-Length', len(body)], ['Connection', 'close']], body));
  });
});

tcp(o.host, 8088, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 8088, method: method.slice(0, 10), path: path.slice(0, 100) });
    const body = loginPage(ALL);
    sock.end(rawHttp(200, 'OK', [['Server', ALL], ['Content-Type', 'text/html'], ['Content-Length', len(body)], ['Connection', 'close']], body));
  });
});

// Telnet: hostile banner, a login prompt, every password refused (so a correct scan reports no credential).
const IAC = 255, WILL = 251, ECHO = 1, SGA = 3;
tcp(o.host, 23, log, (sock) => {
  let stage = 'login';
  let line = '';
  let bytes = 0;
  sock.setTimeout(60_000, () => sock.destroy());
  sock.write(Buffer.from([IAC, WILL, ECHO, IAC, WILL, SGA]));
  sock.write(Buffer.from(`\r\n${ALL}\r\n${TERMINAL}\r\nlogin: `));
  sock.on('data', (chunk) => {
    bytes += chunk.length;
    if (bytes > 64 * 1024) { sock.destroy(); return; }
    let skip = 0;
    for (const b of chunk) {
      if (skip > 0) { skip -= 1; continue; }
      if (b === IAC) { skip = 2; continue; }
      if (b === 13 || b === 10 || b === 0) {
        if (line === '') continue;
        if (stage === 'login') { stage = 'password'; sock.write('\r\nPassword: '); } else {
          log('attempt', { port: 23, outcome: 'refused' });
          stage = 'login';
          sock.write(`\r\nLogin incorrect ${SCRIPT}\r\nlogin: `);
        }
        line = '';
        continue;
      }
      if (line.length < 256) line += String.fromCharCode(b);
    }
  });
});
log('ready', { host: o.host });
