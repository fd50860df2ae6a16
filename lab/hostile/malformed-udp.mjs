// Hostile device: UDP services that answer with malformed packets.
//   5683/udp CoAP: to every request, a burst of broken messages (version 0, reserved token length,
//                  option delta 15, an option longer than the datagram, a payload marker with no
//                  payload, an empty datagram, a wrong token), then a 2.05 link-format answer whose
//                  links carry hostile strings;
//   161/udp SNMP:  only broken BER (4 GB and indefinite lengths, 400-deep nesting, a 100-byte
//                  integer) and a response with a request id nobody asked for;
//   1900/udp SSDP: answers with LOCATIONs a scanner must not follow (file://, localhost, this device's
//                  raw printer port, an 8 KB URL), a 60 KB datagram, binary noise, NUL bytes;
//   9100/tcp:      a raw printer port that logs every byte it receives (must stay at zero).
// A correct scanner survives each one (no crash, no unhandled error), reports errors, never a pass
// it could not check.
//   node malformed-udp.mjs --host 10.231.1.137 --log lab/run/hostile/malformed-udp.log --bytes-log FILE
import { appendFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ALL, TERMINAL, keepAlive, makeLogger, tcp, udp } from './lib.mjs';

const { values: o } = parseArgs({ options: { host: { type: 'string' }, log: { type: 'string' }, 'bytes-log': { type: 'string' } } });
const log = makeLogger(o.log);
keepAlive(log);
if (o['bytes-log']) writeFileSync(o['bytes-log'], '');

// --- CoAP ---------------------------------------------------------------------------------
function coapBurst(req) {
  const tkl = req.length > 0 ? req[0] & 0x0f : 0;
  const mid = req.length >= 4 ? req.subarray(2, 4) : Buffer.from([0, 0]);
  const token = tkl <= 8 && req.length >= 4 + tkl ? req.subarray(4, 4 + tkl) : Buffer.alloc(0);
  const ack = (code, rest) => Buffer.concat([Buffer.from([0x60 | token.length, code]), mid, token, rest]);
  const links = [];
  for (let i = 0; links.join(',').length < 1200; i++) links.push(`</x${i}/${encodeURIComponent(ALL).slice(0, 40)}>;rt="${ALL.replace(/"/g, '').slice(0, 60)}";title="${TERMINAL.replace(/"/g, '')}"`);
  return [
    Buffer.concat([Buffer.from([0x00 | token.length, 0x45]), mid, token]), // version 0
    Buffer.concat([Buffer.from([0x6f, 0x45]), mid, randomBytes(15)]), // TKL 15 (reserved)
    ack(0x45, Buffer.from([0xf1, 0x00])), // option delta 15 that is not the payload marker
    ack(0x45, Buffer.from([0xbe, 0xff, 0x00, 0x41, 0x41])), // option length 65000+ in a short datagram
    ack(0x45, Buffer.from([0xff])), // payload marker, no payload
    Buffer.alloc(0), // empty datagram
    Buffer.concat([Buffer.from([0x68, 0x45]), mid, randomBytes(8), Buffer.from([0xc1, 40, 0xff]), Buffer.from('</wrong-token>')]),
    ack(0x45, Buffer.concat([Buffer.from([0xc1, 40, 0xff]), Buffer.from(links.join(','))])),
  ];
}
udp(o.host, 5683, log, (msg, _r, reply) => { for (const d of coapBurst(msg)) reply(d); });

// --- SNMP ---------------------------------------------------------------------------------
const tlv = (tag, body) => {
  const len = body.length < 128 ? Buffer.from([body.length]) : body.length < 256 ? Buffer.from([0x81, body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
};
function deep(n) {
  let inner = Buffer.from([0x05, 0x00]);
  for (let i = 0; i < n; i++) inner = tlv(0x30, inner);
  return inner;
}
const snmpAnswers = () => [
  Buffer.from([0x30, 0x84, 0x7f, 0xff, 0xff, 0xff, 0x02, 0x01, 0x01]), // 2 GB sequence
  Buffer.from([0x30, 0x80, 0x02, 0x01, 0x01, 0x04, 0x06, ...Buffer.from('public'), 0x00, 0x00]), // indefinite length
  deep(400), // 400-deep nesting
  tlv(0x30, Buffer.concat([tlv(0x02, randomBytes(100)), tlv(0x04, Buffer.from('public')), tlv(0xa2, Buffer.alloc(0))])), // 100-byte version
  // A well-formed GetResponse with a request id nobody sent, carrying hostile text.
  tlv(0x30, Buffer.concat([tlv(0x02, Buffer.from([1])), tlv(0x04, Buffer.from('public')), tlv(0xa2, Buffer.concat([
    tlv(0x02, Buffer.from([0x7f, 0x12, 0x34, 0x56])), tlv(0x02, Buffer.from([0])), tlv(0x02, Buffer.from([0])),
    tlv(0x30, tlv(0x30, Buffer.concat([tlv(0x06, Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0])), tlv(0x04, Buffer.from(ALL))]))),
  ]))])),
  randomBytes(300),
];
udp(o.host, 161, log, (_m, _r, reply) => { for (const d of snmpAnswers()) reply(d); });

// --- SSDP ---------------------------------------------------------------------------------
const ssdp = (location) => Buffer.from(['HTTP/1.1 200 OK', 'CACHE-CONTROL: max-age=1800', 'ST: upnp:rootdevice',
  `USN: uuid:${ALL.replace(/[\r\n]/g, '')}::upnp:rootdevice`, `SERVER: ${TERMINAL.replace(/[\r\n]/g, '')} UPnP/1.0`, `LOCATION: ${location}`, '', ''].join('\r\n'));
const ssdpAnswers = () => [
  ssdp('file:///etc/passwd'),
  ssdp('http://localhost:80/rootDesc.xml'),
  ssdp(`http://${o.host}:9100/rootDesc.xml`),
  ssdp(`http://${o.host}:80/${'A'.repeat(8192)}`),
  ssdp('gopher://10.231.1.137:70/1'),
  Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\n'), Buffer.from('X'.repeat(60_000))]),
  Buffer.from('HTTP/1.1 200 OK\r\nno colon here\r\n\x00\x00\x00LOCATION\x00: http://10.231.1.137/\r\n\r\n'),
  randomBytes(512),
];
udp(o.host, 1900, log, (_m, _r, reply) => { for (const d of ssdpAnswers()) reply(d); });

// --- raw printer port: every byte is evidence of a bug ---------------------------------------
tcp(o.host, 9100, log, (sock) => {
  sock.on('data', (d) => {
    log('printer-bytes', { port: 9100, bytes: d.length });
    if (o['bytes-log']) appendFileSync(o['bytes-log'], d);
  });
});
log('ready', { host: o.host });
