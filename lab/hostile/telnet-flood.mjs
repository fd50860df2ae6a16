// Hostile device: telnet that never stops talking and never asks for a login.
//   port 23:   an endless banner of terminal escape sequences, shell-prompt characters (`#`, `>`, `$`)
//              and interleaved option negotiation (IAC DO/WILL), but never "login:" or "Password:";
//   port 2323: a negotiation storm (IAC DO/WILL for every option, over and over) and a
//              subnegotiation (IAC SB) that never ends with IAC SE.
// Whatever the client sends is read and dropped. A correct scanner stops at its byte cap and its
// deadline and never reports a login (a `#` in a banner is not a shell).
//   node telnet-flood.mjs --host 10.231.1.130 --log lab/run/hostile/telnet-flood.log
import { ALL, TERMINAL, flood, keepAlive, makeLogger, options, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);
const IAC = 255, DO = 253, WILL = 251, SB = 250;

let n = 0;
const bannerChunk = () => {
  n += 1;
  const text = `${TERMINAL} root@dvr:~# ${ALL} admin> $ # > #\r\n${'#'.repeat(40)}>\r\n`;
  // An option request every few lines, so a client that answers each one is flooded in turn.
  const opt = Buffer.from([IAC, n % 2 ? DO : WILL, n % 40]);
  return Buffer.concat([opt, Buffer.from(text)]);
};

let m = 0;
const stormChunk = () => {
  const out = [];
  for (let i = 0; i < 256; i++) { m = (m + 1) % 256; out.push(IAC, m % 2 ? DO : WILL, m === 255 ? 254 : m); }
  return Buffer.from(out);
};

for (const port of [23]) {
  tcp(o.host, port, log, (sock) => {
    sock.on('data', () => {});
    flood(sock, bannerChunk, { tickMs: 50, bytesPerTick: 32 * 1024 });
  });
}
tcp(o.host, 2323, log, (sock) => {
  sock.on('data', () => {});
  sock.write(Buffer.from([IAC, SB, 24, 0]));
  let first = true;
  flood(sock, () => {
    // Inside the never-ending SB: negotiation bytes, then plain text that looks like a prompt.
    if (first) { first = false; return Buffer.from('login: Password: # '); }
    return stormChunk();
  }, { tickMs: 50, bytesPerTick: 32 * 1024 });
});
log('ready', { host: o.host });
