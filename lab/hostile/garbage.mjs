// Hostile device: garbage where a protocol is expected.
//   port 22:   an SSH identification line full of escape sequences, then random bytes and a binary
//              packet whose length field claims 4 GB;
//   port 1883: to any CONNECT, a CONNACK whose remaining length never ends (0xff continuation bytes),
//              then random bytes;
//   port 554:  RTSP answers that answer nothing: a CSeq that is not ours with a 64 MB Content-Length,
//              binary interleaved data ($ frames), a 70 KB status line, broken Digest/Basic challenges;
//   port 443 and 8883: random bytes instead of a TLS ServerHello.
// A correct scanner reports a protocol error or a timeout, never a pass, never a credential.
//   node garbage.mjs --host 10.231.1.136 --log lab/run/hostile/garbage.log
import { randomBytes } from 'node:crypto';
import { ALL, TERMINAL, keepAlive, makeLogger, options, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);

tcp(o.host, 22, log, (sock) => {
  sock.write(Buffer.from(`SSH-2.0-${TERMINAL.replace(/[\r\n]/g, '')}_${ALL.replace(/[\r\n]/g, '').slice(0, 120)}\r\n`));
  sock.on('data', () => {
    // A "packet" claiming 4 GB, then noise.
    sock.write(Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0x04, 0x14]), randomBytes(2048)]));
    setTimeout(() => sock.end(randomBytes(512)), 200);
  });
});

tcp(o.host, 1883, log, (sock) => {
  let answered = false;
  sock.on('data', () => {
    if (answered) return;
    answered = true;
    // CONNACK type, then a remaining length whose continuation bit never clears.
    sock.write(Buffer.concat([Buffer.from([0x20]), Buffer.alloc(64, 0xff), randomBytes(1024)]));
    setTimeout(() => sock.destroy(), 2000);
  });
});

// Every answer on a connection, in turn: a 200 whose CSeq answers nothing we asked and whose body never
// comes, binary interleaved data, a status line of 70 KB, then a 401 whose challenges are broken.
const rtspAnswers = [
  () => Buffer.from(`RTSP/1.0 200 OK\r\nCSeq: ${ALL.replace(/[\r\n]/g, '')}\r\nContent-Length: 67108864\r\nPublic: ${TERMINAL}\r\n\r\nv=0\r\n`),
  () => Buffer.concat([Buffer.from([0x24, 0x00, 0xff, 0xff]), randomBytes(4096)]),
  () => Buffer.from(`RTSP/9.9 999999999999 ${'X'.repeat(70_000)}\r\n\r\n`),
  () => Buffer.from('RTSP/1.0 401 Unauthorized\r\nCSeq: 0\r\nWWW-Authenticate: Digest realm="unterminated, nonce=", algorithm="SHA-256\r\nWWW-Authenticate: Basic realm=\r\nWWW-Authenticate: \r\n\r\n'),
];
for (const port of [554]) {
  tcp(o.host, port, log, (sock) => {
    let turn = 0;
    sock.on('data', () => { sock.write(rtspAnswers[turn++ % rtspAnswers.length]()); });
  });
}

for (const port of [443, 8883]) {
  tcp(o.host, port, log, (sock) => {
    sock.on('data', () => { sock.write(randomBytes(4096)); });
  });
}
log('ready', { host: o.host });
