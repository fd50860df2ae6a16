// router: UPnP Internet Gateway Device. Answers SSDP M-SEARCH on udp/1900 (unicast, and multicast
// when the group can be joined) and serves the device description on tcp/49152. SOAP control
// requests are logged and refused: a scanner must never send one.
//   node upnp.mjs --host 10.231.0.11 --http-port 49152 --dir lab/devices/router --log FILE
import dgram from 'node:dgram';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { makeLogger } from '../common/log.mjs';

const { values: o } = parseArgs({ options: {
  host: { type: 'string' }, 'http-port': { type: 'string', default: '49152' },
  dir: { type: 'string' }, log: { type: 'string' } } });
const log = makeLogger(o.log);
const host = o.host;
const httpPort = Number(o['http-port']);
const files = {
  '/rootDesc.xml': readFileSync(`${o.dir}/rootDesc.xml`, 'utf8').replaceAll('@ADDR@', host),
  '/WANIPCn.xml': readFileSync(`${o.dir}/WANIPCn.xml`, 'utf8'),
};
const UUID = 'uuid:75802409-bccb-40e7-8e6c-5c6a803e910b';
const SERVER = 'Linux/3.4.11, UPnP/1.0, VMG1312-B10A/1.0';
const TYPES = ['upnp:rootdevice', UUID, 'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
  'urn:schemas-upnp-org:device:WANDevice:1', 'urn:schemas-upnp-org:service:WANIPConnection:1'];

const udp = dgram.createSocket({ type: 'udp4', reuseAddr: true });
udp.on('message', (msg, rinfo) => {
  const text = msg.subarray(0, 2048).toString('latin1');
  log('ssdp', { from: `${rinfo.address}:${rinfo.port}`, bytes: msg.length, start: text.split('\r\n')[0] });
  if (!text.startsWith('M-SEARCH')) return;
  const st = /^ST:\s*(.+)$/im.exec(text)?.[1]?.trim() ?? '';
  const matches = st === 'ssdp:all' ? TYPES : TYPES.filter((t) => t === st);
  for (const t of matches) {
    const usn = t === UUID ? UUID : `${UUID}::${t}`;
    const reply = ['HTTP/1.1 200 OK', 'CACHE-CONTROL: max-age=1800', `DATE: ${new Date().toUTCString()}`, 'EXT:',
      `LOCATION: http://${host}:${httpPort}/rootDesc.xml`, `SERVER: ${SERVER}`, `ST: ${t}`, `USN: ${usn}`, '', ''].join('\r\n');
    udp.send(reply, rinfo.port, rinfo.address);
  }
});
udp.bind(1900, '0.0.0.0', () => {
  try { udp.addMembership('239.255.255.250', host); } catch (e) { log('multicast-unavailable', { error: String(e) }); }
  log('listening', { udp: 1900 });
});

const server = http.createServer((req, res) => {
  log('http', { from: `${req.socket.remoteAddress}:${req.socket.remotePort}`, method: req.method, url: req.url });
  req.resume();
  const body = files[req.url ?? ''];
  if (req.method === 'GET' && body) {
    res.writeHead(200, { 'Content-Type': 'text/xml; charset="utf-8"', Server: SERVER });
    res.end(body);
  } else if (req.method === 'POST') {
    log('soap-action-refused', { action: String(req.headers.soapaction ?? '') });
    res.writeHead(500, { 'Content-Type': 'text/xml; charset="utf-8"', Server: SERVER });
    res.end('<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail><UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>606</errorCode><errorDescription>Action not authorized</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>');
  } else {
    res.writeHead(404, { Server: SERVER });
    res.end();
  }
});
server.listen(httpPort, host, () => log('listening', { tcp: httpPort }));
