import { createHash, X509Certificate } from 'node:crypto';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import makeMdns from 'multicast-dns';
import { grabBanner, looksLikeTelnet, stripTelnet } from '../../src/discovery/collectors/banner.js';
import { decodeEntities, extractRealm, extractTitle, httpIdentify, HTTP_MAX_BYTES, parseHttpResponse, tlsCertificate } from '../../src/discovery/collectors/http.js';
import { encodeQuery, mdnsIdentify, reverseName } from '../../src/discovery/collectors/mdns.js';
import { parseDescription, parseSsdpResponse, safeLocation, ssdpIdentify } from '../../src/discovery/collectors/ssdp.js';
import { udpCheck } from '../../src/discovery/collectors/udp-check.js';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { closedPort, FIXTURES, tcpServer } from './helpers.js';

const certPem = readFileSync(path.join(FIXTURES, 'tls-cert.pem'));
const keyPem = readFileSync(path.join(FIXTURES, 'tls-key.pem'));

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return (server.address() as net.AddressInfo).port;
}

describe('HTTP identification', () => {
  test('title, Server header and Basic realm', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(401, { Server: 'alphapd', 'WWW-Authenticate': 'Basic realm="DCS-930L"', 'Content-Type': 'text/html' });
      res.end('<html><head><TITLE id="x">401 &amp; Unauthorized</TITLE></head></html>');
    });
    const port = await listen(server);
    try {
      const r = await httpIdentify('127.0.0.1', port, false, 2000);
      expect(r).toEqual({ port, tls: false, status: 401, server: 'alphapd', realm: 'DCS-930L', title: '401 & Unauthorized' });
    } finally {
      server.close();
    }
  });

  test('over TLS: the certificate subject and fingerprint come along', async () => {
    const server = https.createServer({ cert: certPem, key: keyPem }, (_req, res) => res.end('<title>Secure</title>'));
    const port = await listen(server);
    try {
      const r = await httpIdentify('127.0.0.1', port, true, 3000);
      expect(r.status).toBe(200);
      expect(r.title).toBe('Secure');
      const fp = createHash('sha256').update(new X509Certificate(certPem).raw).digest('hex');
      expect(r.cert).toEqual({ sha256: fp, subject: 'C=CN, O=Dahua, CN=IPC', issuer: 'C=CN, O=Dahua, CN=IPC' });
      const only = await tlsCertificate('127.0.0.1', port, 3000);
      expect(only?.sha256).toBe(fp);
    } finally {
      server.close();
    }
  });

  test('an endless body stops at the byte cap', async () => {
    const srv = await tcpServer((s) => {
      s.write('HTTP/1.0 200 OK\r\nServer: flood\r\n\r\n<title>big</title>');
      const chunk = Buffer.alloc(64 * 1024, 0x41);
      const pump = () => { while (!s.destroyed && s.write(chunk)) { /* fill */ } };
      s.on('drain', pump);
      pump();
    });
    try {
      const r = await httpIdentify('127.0.0.1', srv.port, false, 3000);
      expect(r.title).toBe('big');
      expect(r.server).toBe('flood');
    } finally {
      await srv.close();
    }
  });

  test('a server that drips bytes is cut off by the absolute deadline', async () => {
    const timers: NodeJS.Timeout[] = [];
    const srv = await tcpServer((s) => {
      s.write('HTTP/1.0 200 OK\r\n');
      timers.push(setInterval(() => { if (!s.destroyed) s.write('X'); }, 50));
    });
    try {
      const r = await httpIdentify('127.0.0.1', srv.port, false, 400);
      expect(r.error).toBeUndefined();
      expect(r.status).toBe(200);
      expect(r.title).toBeUndefined();
    } finally {
      timers.forEach(clearInterval);
      await srv.close();
    }
  });

  test('refused and non-HTTP answers are reported, not thrown', async () => {
    const port = await closedPort();
    expect((await httpIdentify('127.0.0.1', port, false, 1000)).error).toBe('refused');
    const srv = await tcpServer((s) => s.end('SSH-2.0-OpenSSH_9.2\r\n'));
    try {
      expect((await httpIdentify('127.0.0.1', srv.port, false, 1000)).error).toBe('not-http');
    } finally {
      await srv.close();
    }
  });

  test('parsing helpers', () => {
    expect(parseHttpResponse(Buffer.from('garbage'))).toBeUndefined();
    const p = parseHttpResponse(Buffer.from('HTTP/1.1 302 Found\r\nLocation: /x\r\nSet-Cookie: a\r\nSet-Cookie: b\r\n\r\nbody'))!;
    expect(p.status).toBe(302);
    expect(p.headers.get('set-cookie')).toEqual(['a', 'b']);
    expect(p.body.toString()).toBe('body');
    expect(extractTitle(Buffer.from(`<title>${'x'.repeat(500)}</title>`))).toHaveLength(200);
    expect(extractTitle(Buffer.from(`${'a'.repeat(HTTP_MAX_BYTES)}<title>late</title>`))).toBeUndefined();
    expect(extractRealm(['Digest realm="cam", nonce="1"'])).toBe('cam');
    expect(decodeEntities('&lt;b&gt; &#x41;&#66; &bogus; &#99999999;')).toBe('<b> AB &bogus; &#99999999;');
  });
});

describe('banners', () => {
  test('telnet option negotiation is recognised and stripped; nothing is sent', async () => {
    const received: Buffer[] = [];
    const srv = await tcpServer((s) => {
      s.on('data', (d) => received.push(d));
      s.write(Buffer.concat([Buffer.from([0xff, 0xfd, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfa, 0x18, 0x01, 0xff, 0xf0]), Buffer.from('\r\ndvr-0421 login: ')]));
    });
    try {
      const b = await grabBanner('127.0.0.1', srv.port, 500);
      expect(b).toEqual({ port: srv.port, connected: true, telnet: true, text: 'dvr-0421 login:' });
      expect(Buffer.concat(received).length).toBe(0);
    } finally {
      await srv.close();
    }
  });

  test('a greeting line ends the read early; binary junk is kept printable as text', async () => {
    const srv = await tcpServer((s) => s.write('SSH-2.0-dropbear_2019.78\r\n'));
    try {
      const b = await grabBanner('127.0.0.1', srv.port, 5000);
      expect(b.telnet).toBe(false);
      expect(b.text).toBe('SSH-2.0-dropbear_2019.78');
    } finally {
      await srv.close();
    }
    expect(looksLikeTelnet(Buffer.from('plain'))).toBe(false);
    expect(stripTelnet(Buffer.from([0x41, 0xff, 0xff, 0x42]))).toEqual(Buffer.from([0x41, 0xff, 0x42]));
  });
});

describe('SSDP / UPnP', () => {
  const description = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major></specVersion>
<device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
<friendlyName>VMG1312-B10A</friendlyName><manufacturer>ZyXEL</manufacturer><modelName>VMG1312-B10A</modelName>
<modelNumber>B10A</modelNumber><serialNumber>S162Y14012345</serialNumber><softwareVersion>V5.13(AAJD.7)C0</softwareVersion>
<modelDescription>VDSL &amp; router</modelDescription></device></root>`;

  async function responder(location: (httpPort: number) => string, body: string): Promise<{ udpPort: number; requests: string[]; close: () => void }> {
    const requests: string[] = [];
    const web = http.createServer((req, res) => { requests.push(req.url ?? ''); res.setHeader('Content-Type', 'text/xml'); res.end(body); });
    const httpPort = await listen(web);
    const udp = dgram.createSocket('udp4');
    udp.on('message', (msg, rinfo) => {
      if (!/^M-SEARCH/.test(msg.toString())) return;
      const reply = `HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nLOCATION: ${location(httpPort)}\r\nSERVER: Linux/3.4 UPnP/1.0 MiniUPnPd/1.9\r\nST: upnp:rootdevice\r\nUSN: uuid:1::upnp:rootdevice\r\n\r\n`;
      udp.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((r) => udp.bind(0, '127.0.0.1', r));
    return { udpPort: udp.address().port, requests, close: () => { udp.close(); web.close(); } };
  }

  const slot = <T>(fn: () => Promise<T>) => fn();

  test('M-SEARCH reply, then the description from the same device', async () => {
    const r = await responder((p) => `http://127.0.0.1:${p}/rootDesc.xml`, description);
    try {
      const id = await ssdpIdentify('127.0.0.1', 2000, undefined, slot, r.udpPort);
      expect(id.responses[0]).toMatchObject({ server: 'Linux/3.4 UPnP/1.0 MiniUPnPd/1.9', st: 'upnp:rootdevice' });
      expect(id.upnp).toEqual({
        server: 'Linux/3.4 UPnP/1.0 MiniUPnPd/1.9', deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1',
        friendlyName: 'VMG1312-B10A', manufacturer: 'ZyXEL', modelName: 'VMG1312-B10A', modelNumber: 'B10A',
        modelDescription: 'VDSL & router', serialNumber: 'S162Y14012345', firmware: 'V5.13(AAJD.7)C0',
      });
      expect(r.requests).toEqual(['/rootDesc.xml']);
    } finally {
      r.close();
    }
  });

  test('a LOCATION on another host is never fetched', async () => {
    const r = await responder(() => 'http://192.0.2.1/rootDesc.xml', description);
    try {
      const id = await ssdpIdentify('127.0.0.1', 1500, undefined, slot, r.udpPort);
      expect(id.responses).toHaveLength(1);
      expect(id.upnp).toEqual({ server: 'Linux/3.4 UPnP/1.0 MiniUPnPd/1.9' });
      expect(r.requests).toEqual([]);
    } finally {
      r.close();
    }
    expect(safeLocation('http://127.0.0.1:9100/x', '127.0.0.1')).toBeUndefined();
    expect(safeLocation('file:///etc/passwd', '127.0.0.1')).toBeUndefined();
    expect(safeLocation('https://127.0.0.1/x', '127.0.0.1')).toBeUndefined();
    expect(safeLocation('http://[::1]:80/d.xml', '::1')?.pathname).toBe('/d.xml');
  });

  test('a description with a DTD is refused (reported, no fields)', async () => {
    const evil = '<?xml version="1.0"?><!DOCTYPE root [<!ENTITY a "aaaaaaaa">]><root><device><manufacturer>&a;</manufacturer></device></root>';
    const r = await responder((p) => `http://127.0.0.1:${p}/d.xml`, evil);
    try {
      const id = await ssdpIdentify('127.0.0.1', 1500, undefined, slot, r.udpPort);
      expect(id.error).toMatch(/internal subset/);
      expect(id.upnp?.manufacturer).toBeUndefined();
    } finally {
      r.close();
    }
    expect(() => parseDescription(evil)).toThrow(DiscoveryError);
  });

  test('no responder: nothing, without waiting for the whole deadline on a closed port', async () => {
    const port = await closedPort();
    const id = await ssdpIdentify('127.0.0.1', 5000, undefined, slot, port);
    expect(id).toEqual({ responses: [] });
    expect(parseSsdpResponse(Buffer.from('HTTP/1.1 404 Not Found\r\n\r\n'))).toBeUndefined();
  });
});

describe('mDNS (unicast query)', () => {
  test('service types, instance TXT records and the reverse-address host name', async () => {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
    const port = socket.address().port;
    const responder = makeMdns({ multicast: false, socket, port: 0, bind: false });
    responder.on('query', (q, rinfo) => {
      const answers: Parameters<typeof responder.respond>[0] = [];
      const additionals: typeof answers = [];
      for (const question of q.questions) {
        if (question.name === '_services._dns-sd._udp.local') {
          answers.push({ name: question.name, type: 'PTR', data: '_ipp._tcp.local' }, { name: question.name, type: 'PTR', data: '_http._tcp.local' });
        } else if (question.name === '1.0.0.127.in-addr.arpa') {
          answers.push({ name: question.name, type: 'PTR', data: 'NPI7A3B2C.local' });
        } else if (question.name === '_ipp._tcp.local') {
          answers.push({ name: '_ipp._tcp.local', type: 'PTR', data: 'HP LaserJet Pro M404dn._ipp._tcp.local' });
          additionals.push({ name: 'HP LaserJet Pro M404dn._ipp._tcp.local', type: 'TXT', data: ['ty=HP LaserJet Pro M404dn', 'usb_MFG=HP'] });
        }
      }
      if (answers.length > 0) responder.respond({ answers, additionals }, { port: rinfo.port, address: rinfo.address });
    });
    try {
      const m = await mdnsIdentify('127.0.0.1', 2000, undefined, port);
      expect(m).toBeDefined();
      expect(m!.hostname).toBe('NPI7A3B2C.local');
      expect(m!.services).toEqual(expect.arrayContaining(['_ipp._tcp.local', '_http._tcp.local']));
      expect(m!.instances).toEqual(['HP LaserJet Pro M404dn._ipp._tcp.local']);
      expect(m!.txt).toEqual(['ty=HP LaserJet Pro M404dn', 'usb_MFG=HP']);
    } finally {
      responder.destroy();
    }
  });

  test('no responder: undefined; names and queries are well-formed', async () => {
    expect(await mdnsIdentify('127.0.0.1', 1000, undefined, await closedPort())).toBeUndefined();
    expect(reverseName('10.231.0.12')).toBe('12.0.231.10.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe(`1.${'0.'.repeat(23)}8.b.d.0.1.0.0.2.ip6.arpa`);
    const q = encodeQuery([{ name: '_services._dns-sd._udp.local', type: 'PTR' }]);
    expect(q.readUInt16BE(4)).toBe(1);
    expect(q.subarray(12, 23).toString('latin1')).toBe('\u0009_services\u0007');
  });
});

describe('UDP re-check', () => {
  test('closed (ICMP port unreachable) and open (a reply)', async () => {
    const echo = dgram.createSocket('udp4');
    echo.on('message', (m, r) => echo.send('pong', r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, '127.0.0.1', r));
    try {
      expect(await udpCheck('127.0.0.1', echo.address().port, 1000)).toBe('open');
    } finally {
      echo.close();
    }
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    const silentPort = silent.address().port;
    try {
      expect(await udpCheck('127.0.0.1', silentPort, 300)).toBe('unknown');
    } finally {
      silent.close();
    }
    await new Promise((r) => setTimeout(r, 50));
    expect(await udpCheck('127.0.0.1', silentPort, 1000)).toBe('closed');
  });
});
