// printer: raw JetDirect print port (tcp/9100). A real printer prints whatever arrives here, so a
// scanner must never send it a byte. This listener appends every byte it receives to the bytes log
// (one JSON line per chunk: count and hex), and connections to a separate log, so a test can assert
// that the bytes log stays empty while a scan connects.
//   node raw9100.mjs --host 10.231.0.14 --port 9100 --bytes-log lab/run/printer-9100.log --conn-log FILE
import net from 'node:net';
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeLogger, peer } from '../common/log.mjs';

const { values: o } = parseArgs({ options: {
  host: { type: 'string' }, port: { type: 'string', default: '9100' },
  'bytes-log': { type: 'string' }, 'conn-log': { type: 'string' } } });
const logConn = makeLogger(o['conn-log']);

const server = net.createServer((sock) => {
  const from = peer(sock);
  logConn('connect', { from });
  let total = 0;
  sock.on('data', (chunk) => {
    total += chunk.length;
    appendFileSync(o['bytes-log'], `${JSON.stringify({ t: new Date().toISOString(), from, bytes: chunk.length, hex: chunk.subarray(0, 4096).toString('hex') })}\n`);
  });
  sock.on('error', () => {});
  sock.on('close', () => logConn('close', { from, bytes: total }));
  sock.setTimeout(60_000, () => sock.destroy());
});
server.listen(Number(o.port), o.host, () => logConn('listening', { tcp: Number(o.port) }));
