// Trap: a DVR-style telnet service that asks for a login and a password and then gives a root
// shell prompt whatever the password was. A scanner that reports the first password it tries as
// "default credential" without a negative control gets this wrong. Every attempt is logged
// (username and password length). The "shell" only answers a few harmless commands.
//   node server.mjs --host 10.231.0.21 --port 23 --log lab/run/trap-anytelnet/attempts.log
import net from 'node:net';
import { parseArgs } from 'node:util';
import { makeLogger, peer } from '../common/log.mjs';

const { values: o } = parseArgs({ options: {
  host: { type: 'string' }, port: { type: 'string', default: '23' }, log: { type: 'string' },
  hostname: { type: 'string', default: 'dvr-0421' } } });
const log = makeLogger(o.log);
const IAC = 255, SB = 250, SE = 240, WILL = 251, ECHO = 1, SGA = 3;
const MAX_LINE = 256;
const MAX_BYTES = 64 * 1024;

const server = net.createServer((sock) => {
  const from = peer(sock);
  log('connect', { from });
  let stage = 'login';
  let user = '';
  let line = '';
  let total = 0;
  let iac = null; // null | 'cmd' | 'opt' | 'sb' | 'sb-iac'
  let lastCr = false;
  sock.setTimeout(60_000, () => sock.destroy());
  sock.on('error', () => {});
  sock.on('close', () => log('close', { from, stage }));
  sock.write(Buffer.from([IAC, WILL, ECHO, IAC, WILL, SGA]));
  sock.write(`\r\n${o.hostname} login: `);

  const onLine = (text) => {
    if (stage === 'login') {
      if (text === '') { sock.write(`\r\n${o.hostname} login: `); return; }
      user = text;
      stage = 'password';
      sock.write('\r\nPassword: ');
    } else if (stage === 'password') {
      log('attempt', { from, username: user, passwordLength: text.length, outcome: 'shell' });
      stage = 'shell';
      sock.write('\r\n\r\n\r\nBusyBox v1.19.4 (2014-06-20 11:43:34 CST) built-in shell (ash)\r\nEnter \'help\' for a list of built-in commands.\r\n\r\n# ');
    } else {
      const cmd = text.trim();
      log('command', { from, length: cmd.length });
      if (cmd === 'exit' || cmd === 'logout') { sock.end('\r\n'); return; }
      let out = '';
      if (cmd === 'id') out = 'uid=0(root) gid=0(root)\r\n';
      else if (cmd.startsWith('echo ')) out = `${cmd.slice(5)}\r\n`;
      else if (cmd !== '') out = `-sh: ${cmd.split(/\s/)[0]}: not found\r\n`;
      sock.write(`\r\n${out}# `);
    }
  };

  sock.on('data', (chunk) => {
    total += chunk.length;
    if (total > MAX_BYTES) { sock.destroy(); return; }
    for (const b of chunk) {
      if (iac === 'cmd') {
        if (b === SB) iac = 'sb';
        else if (b >= WILL && b <= 254) iac = 'opt';
        else iac = null; // IAC IAC (a literal 255) is not expected in a login: drop it
        continue;
      }
      if (iac === 'opt') { iac = null; continue; }
      if (iac === 'sb') { if (b === IAC) iac = 'sb-iac'; continue; }
      if (iac === 'sb-iac') { iac = b === SE ? null : 'sb'; continue; }
      if (b === IAC) { iac = 'cmd'; continue; }
      if (b === 0 || (b === 10 && lastCr)) { lastCr = false; continue; }
      lastCr = b === 13;
      if (b === 13 || b === 10) { const l = line; line = ''; onLine(l); continue; }
      if (line.length < MAX_LINE) {
        line += String.fromCharCode(b);
        if (stage !== 'password') sock.write(Buffer.from([b]));
      }
    }
  });
});
server.listen(Number(o.port), o.host, () => log('listening', { tcp: Number(o.port) }));
