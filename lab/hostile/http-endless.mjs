// Hostile device: HTTP that never stops sending.
//   port 80:   200 OK without Content-Length and a body that never ends (HTML with hostile strings);
//   port 8080: 200 OK with Content-Encoding: gzip whatever the client asked for: a decompression bomb
//              (200 MB of zeros in about 200 KB), sent in full, Content-Length given.
// A correct scanner stops reading at its body cap, counts bytes after decompression (or does not
// decompress), and marks what it kept as truncated.
//   node http-endless.mjs --host 10.231.1.132 --log lab/run/hostile/http-endless.log
import { createGzip } from 'node:zlib';
import { ALL, flood, keepAlive, makeLogger, onRequest, options, rawHttp, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);

function gzipZeros(bytes) {
  return new Promise((resolve, reject) => {
    const gz = createGzip({ level: 9 });
    const out = [];
    gz.on('data', (d) => out.push(d));
    gz.on('end', () => resolve(Buffer.concat(out)));
    gz.on('error', reject);
    const chunk = Buffer.alloc(1024 * 1024);
    let left = bytes;
    const pump = () => {
      while (left > 0) {
        left -= chunk.length;
        if (!gz.write(chunk)) { gz.once('drain', pump); return; }
      }
      gz.end();
    };
    pump();
  });
}
const bomb = await gzipZeros(200 * 1024 * 1024);

tcp(o.host, 80, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 80, method: method.slice(0, 10), path: path.slice(0, 100) });
    sock.write(rawHttp(200, 'OK', [['Server', 'EndlessHTTP/1.0'], ['Content-Type', 'text/html'], ['Connection', 'close']],
      `<html><head><title>Endless ${ALL}</title></head><body>`));
    if (method === 'HEAD') { sock.end(); return; }
    const line = Buffer.from(`<p>${'A'.repeat(1000)}</p>\n`);
    flood(sock, () => line, { tickMs: 20, bytesPerTick: 128 * 1024 });
  });
});

tcp(o.host, 8080, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 8080, method: method.slice(0, 10), path: path.slice(0, 100) });
    sock.write(rawHttp(200, 'OK', [['Server', 'BombHTTP/1.0'], ['Content-Type', 'text/html'], ['Content-Encoding', 'gzip'],
      ['Content-Length', String(bomb.length)], ['Connection', 'close']]));
    if (method === 'HEAD') { sock.end(); return; }
    sock.end(bomb);
  });
});
log('ready', { host: o.host, bombBytes: bomb.length });
