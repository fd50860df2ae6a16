// Hostile device: connection resets (TCP RST) at every stage of an exchange.
//   port 80:   RST as soon as the connection is accepted;
//   port 8080: RST after the response headers and half a body;
//   port 22:   an SSH identification line, then RST when the client speaks;
//   port 23:   half a telnet option negotiation (IAC DO), then RST;
//   port 443:  RST on the TLS ClientHello;
//   port 1883: RST on the MQTT CONNECT;
//   port 554:  half an RTSP answer, then RST;
//   port 21:   half an FTP greeting, then RST.
// A correct scanner classifies "reset by peer", has no unhandled ECONNRESET, and reports no pass.
//   node resets.mjs --host 10.231.1.138 --log lab/run/hostile/resets.log
import { keepAlive, makeLogger, options, tcp } from './lib.mjs';

const o = options();
const log = makeLogger(o.log);
keepAlive(log);
const rst = (sock) => { if (!sock.destroyed) sock.resetAndDestroy(); };
const rstOnData = (sock, first) => {
  if (first) sock.write(first);
  sock.once('data', () => rst(sock));
};

tcp(o.host, 80, log, (sock) => rst(sock));
tcp(o.host, 8080, log, (sock) => sock.once('data', () => {
  sock.write('HTTP/1.1 200 OK\r\nServer: Reset/1.0\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html><head><title>half a pa');
  setTimeout(() => rst(sock), 50);
}));
tcp(o.host, 22, log, (sock) => rstOnData(sock, 'SSH-2.0-OpenSSH_7.4\r\n'));
tcp(o.host, 23, log, (sock) => { sock.write(Buffer.from([255, 253])); setTimeout(() => rst(sock), 100); });
tcp(o.host, 443, log, (sock) => rstOnData(sock));
tcp(o.host, 1883, log, (sock) => rstOnData(sock));
tcp(o.host, 554, log, (sock) => sock.once('data', () => { sock.write('RTSP/1.0 200 OK\r\nCSe'); setTimeout(() => rst(sock), 50); }));
tcp(o.host, 21, log, (sock) => { sock.write('220-'); setTimeout(() => rst(sock), 100); });
log('ready', { host: o.host });
