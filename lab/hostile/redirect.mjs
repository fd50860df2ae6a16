// Hostile device: points the scanner at an address outside the scan's scope. The scan of the
// hostile set targets 10.231.1.128/26; 10.231.1.250 (lab/hostile/outside.mjs) is outside it and
// logs whatever reaches it. Nothing may.
//   port 80:    every answer is a redirect (301/302/303/307/308) to 10.231.1.250 in a different
//               spelling each time (plain, with a port, protocol-relative, userinfo, hex, decimal,
//               IPv4-mapped IPv6), with a Refresh header and a meta refresh; /.well-known/security.txt
//               too;
//   port 554:   RTSP 301 with Location: rtsp://10.231.1.250/…;
//   1900/udp:   SSDP LOCATION http://10.231.1.250:49152/rootDesc.xml;
//   port 49152: a UPnP description whose URLBase, presentationURL and SCPDURLs all name 10.231.1.250.
//   node redirect.mjs --host 10.231.1.139 --out 10.231.1.250 --log lab/run/hostile/redirect.log
import { parseArgs } from 'node:util';
import { keepAlive, makeLogger, onRequest, rawHttp, tcp, udp } from './lib.mjs';

const { values: o } = parseArgs({ options: { host: { type: 'string' }, out: { type: 'string', default: '10.231.1.250' }, log: { type: 'string' } } });
const log = makeLogger(o.log);
keepAlive(log);
const out = o.out;
const [a, b, c, d] = out.split('.').map(Number);
const spellings = [
  `http://${out}/`,
  `http://${out}:8080/login`,
  `//${out}/protocol-relative`,
  `http://${o.host}@${out}/userinfo`,
  `http://0x${a.toString(16)}.0x${b.toString(16)}.0x${c.toString(16)}.0x${d.toString(16)}/hex`,
  `http://${((a << 24) >>> 0) + (b << 16) + (c << 8) + d}/decimal`,
  `http://[::ffff:${out}]/mapped`,
  `https://${out}/tls`,
  `http://${out}:49152/rootDesc.xml`,
];
const codes = [[301, 'Moved Permanently'], [302, 'Found'], [303, 'See Other'], [307, 'Temporary Redirect'], [308, 'Permanent Redirect']];
let turn = 0;

tcp(o.host, 80, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    const i = turn++;
    const location = path.startsWith('/.well-known/security.txt') ? `http://${out}/.well-known/security.txt` : spellings[i % spellings.length];
    const [code, reason] = codes[i % codes.length];
    log('request', { port: 80, method: method.slice(0, 10), path: path.slice(0, 100), location });
    const body = `<html><head><meta http-equiv="refresh" content="0;url=http://${out}/"><title>Redirecting</title></head><body><a href="http://${out}/">continue</a></body></html>`;
    sock.end(rawHttp(code, reason, [['Server', 'Redirector/1.0'], ['Location', location], ['Refresh', `0; url=http://${out}/`],
      ['Content-Type', 'text/html'], ['Content-Length', String(Buffer.byteLength(body))], ['Connection', 'close']], body));
  });
});

tcp(o.host, 554, log, (sock) => {
  sock.on('data', (chunk) => {
    const cseq = /CSeq:\s*(\d{1,9})/i.exec(chunk.toString('latin1'))?.[1] ?? '1';
    log('request', { port: 554 });
    sock.write(`RTSP/1.0 301 Moved Permanently\r\nCSeq: ${cseq}\r\nLocation: rtsp://${out}:554/live\r\n\r\n`);
  });
});

udp(o.host, 1900, log, (_m, _r, reply) => {
  reply(Buffer.from(['HTTP/1.1 200 OK', 'CACHE-CONTROL: max-age=1800', 'ST: upnp:rootdevice', 'USN: uuid:redirect-0001::upnp:rootdevice',
    'SERVER: Linux/3.4 UPnP/1.0 miniupnpd/1.9', `LOCATION: http://${out}:49152/rootDesc.xml`, '', ''].join('\r\n')));
  reply(Buffer.from(['HTTP/1.1 200 OK', 'ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1', 'USN: uuid:redirect-0001::urn:schemas-upnp-org:device:InternetGatewayDevice:1',
    `LOCATION: http://${o.host}:49152/rootDesc.xml`, '', ''].join('\r\n')));
});

const desc = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>0</minor></specVersion>
<URLBase>http://${out}:49152/</URLBase>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>Redirect Router</friendlyName>
<manufacturer>Hostile</manufacturer><modelName>RR-1</modelName><presentationURL>http://${out}/</presentationURL>
<serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<SCPDURL>http://${out}:49152/WANIPCn.xml</SCPDURL><controlURL>http://${out}:49152/ctl</controlURL><eventSubURL>http://${out}:49152/evt</eventSubURL></service></serviceList>
</device></root>
`;
tcp(o.host, 49152, log, (sock) => {
  onRequest(sock, ({ method, path }) => {
    log('request', { port: 49152, method: method.slice(0, 10), path: path.slice(0, 100) });
    if (path === '/rootDesc.xml') {
      sock.end(rawHttp(200, 'OK', [['Content-Type', 'text/xml'], ['Content-Length', String(Buffer.byteLength(desc))], ['Connection', 'close']], desc));
    } else {
      sock.end(rawHttp(302, 'Found', [['Location', `http://${out}:49152${path.slice(0, 200)}`], ['Content-Length', '0'], ['Connection', 'close']]));
    }
  });
});
log('ready', { host: o.host, out });
