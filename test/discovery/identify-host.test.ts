import http from 'node:http';
import net from 'node:net';
import { bannerCandidates, fillFromBanner, fillFromServerHeader, identifyHost, webCandidates, webServiceName } from '../../src/discovery/identify-host.js';
import { emptySignals } from '../../src/discovery/identify.js';
import type { Device, Service } from '../../src/report/model.js';
import { concurrencyCounter, tcpServer } from './helpers.js';

function device(services: Service[]): Device {
  return { address: '127.0.0.1', hostnames: [], name: '127.0.0.1', identification: { type: 'unknown', confidence: 'low', sources: [] }, services };
}

describe('identifyHost', () => {
  test('never more than two connections to the host at once', async () => {
    const counter = concurrencyCounter();
    const track = counter.track;
    const slowWeb = await Promise.all(Array.from({ length: 3 }, () => {
      const server = http.createServer((_q, r) => setTimeout(() => r.end('<title>hub bridge</title>'), 150));
      server.on('connection', track);
      return new Promise<{ port: number; close: () => void }>((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() })));
    }));
    const silent = await Promise.all(Array.from({ length: 4 }, () => tcpServer(track)));
    const services: Service[] = [
      ...slowWeb.map((s) => ({ port: s.port, transport: 'tcp' as const, state: 'open' as const, name: 'http' })),
      ...silent.map((s) => ({ port: s.port, transport: 'tcp' as const, state: 'open' as const })),
    ];
    try {
      const r = await identifyHost(device(services), emptySignals(), { timeoutMs: 400 });
      // 7 banner looks + 3 web requests, never more than two at once.
      expect(counter.total()).toBe(10);
      expect(counter.peak()).toBe(2);
      expect(r.device.identification.type).toBe('hub');
      expect(r.signals.http.length).toBe(3);
    } finally {
      slowWeb.forEach((s) => s.close());
      await Promise.all(silent.map((s) => s.close()));
    }
  });

  test('raw printer ports are never candidates; telnet ports are not web candidates', () => {
    const d = device([
      { port: 9100, transport: 'tcp', state: 'open', name: 'jetdirect' },
      { port: 515, transport: 'tcp', state: 'open', name: 'printer' },
      { port: 9103, transport: 'tcp', state: 'open', name: 'http' },
      { port: 80, transport: 'tcp', state: 'open', name: 'http' },
      { port: 8023, transport: 'tcp', state: 'open' },
    ]);
    expect(bannerCandidates(d).map((s) => s.port)).toEqual([80, 8023]);
    expect(webCandidates(d).map((s) => s.port)).toEqual([80, 8023]);
    expect(webCandidates(d, [8023]).map((s) => s.port)).toEqual([80]);
  });

  test('a port-table guess does not keep a silent port from the web collector; NOT_WEB names do', () => {
    const d = device([
      { port: 1880, transport: 'tcp', state: 'open', name: 'vsat-control' },
      { port: 2222, transport: 'tcp', state: 'open', name: 'ssh' },
      { port: 9091, transport: 'tcp', state: 'open', name: 'xmltec-xmlmail', banner: 'hello' },
    ]);
    expect(webCandidates(d).map((s) => s.port)).toEqual([1880]);
  });

  test('an HTTP answer names the service the way nmap -sV would have', () => {
    expect(webServiceName(undefined, false, undefined)).toBe('http');
    expect(webServiceName('vsat-control', false, 'nginx')).toBe('http');
    expect(webServiceName('vsat-control', true, undefined)).toBe('https');
    expect(webServiceName('http-alt', false, undefined)).toBe('http-alt');
    expect(webServiceName('cwmp', false, undefined)).toBe('cwmp');
    expect(webServiceName('upnp', false, 'Linux/3.4 UPnP/1.0 MiniUPnPd/2.2')).toBe('upnp');
    expect(webServiceName('upnp', false, 'nginx')).toBe('http');
  });

  test('reports the ports its HTTP collector identified', async () => {
    const server = http.createServer((_q, r) => r.end('<title>Transmission Web Interface</title>'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    const quiet = await tcpServer();
    try {
      const r = await identifyHost(device([
        { port, transport: 'tcp', state: 'open', name: 'xmltec-xmlmail' },
        { port: quiet.port, transport: 'tcp', state: 'open', name: 'unknown' },
      ]), emptySignals(), { timeoutMs: 400 });
      expect(r.identifiedPorts).toEqual([port]);
      expect(r.device.services.find((s) => s.port === port)?.name).toBe('http');
    } finally {
      server.close();
      await quiet.close();
    }
  });

  test('with network collectors off, identification uses the scan data only', async () => {
    const r = await identifyHost(device([{ port: 9100, transport: 'tcp', state: 'open', name: 'jetdirect' }]), {
      ...emptySignals(), services: [{ port: 9100, transport: 'tcp', name: 'jetdirect' }],
    }, { network: false, override: { name: 'Office printer' } });
    expect(r.device.identification.type).toBe('printer');
    expect(r.device.name).toBe('Office printer');
  });

  test('a UDP port that never answered (open|filtered) is no evidence of the type; one that answered is', async () => {
    const services: Service[] = [{ port: 80, transport: 'tcp', state: 'open', name: 'http' }];
    const coap = (state: Service['state']): Service => ({ port: 5683, transport: 'udp', state, name: 'coap' });
    const sig = { ...emptySignals(), services: [{ port: 80, transport: 'tcp' as const, name: 'http' }, { port: 5683, transport: 'udp' as const, name: 'coap' }] };
    const silent = await identifyHost(device([...services, coap('open|filtered')]), sig, { network: false });
    expect(silent.device.identification.type).not.toBe('hub');
    expect(silent.signals.services.map((s) => `${s.port}/${s.transport}`)).toEqual(['80/tcp']);
    const answered = await identifyHost(device([...services, coap('open')]), sig, { network: false });
    expect(answered.device.identification.type).toBe('hub');
  });

  test('telnet negotiation names an unclassified port "telnet"', async () => {
    const srv = await tcpServer((s) => s.write(Buffer.from([0xff, 0xfd, 0x18, 0x6c, 0x6f, 0x67, 0x69, 0x6e, 0x3a, 0x20])));
    try {
      const r = await identifyHost(device([{ port: srv.port, transport: 'tcp', state: 'open' }]), emptySignals(), { timeoutMs: 500 });
      expect(r.telnetPorts).toEqual([srv.port]);
      expect(r.device.services[0]).toMatchObject({ name: 'telnet', banner: 'login:' });
    } finally {
      await srv.close();
    }
  });

  test('product and version from greetings and Server headers fill gaps only', () => {
    const svc: Service = { port: 22, transport: 'tcp', state: 'open' };
    fillFromBanner(svc, 'SSH-2.0-dropbear_2019.78');
    expect(svc).toMatchObject({ name: 'ssh', product: 'Dropbear sshd', version: '2019.78' });
    const ftp: Service = { port: 2121, transport: 'tcp', state: 'open' };
    fillFromBanner(ftp, '220 JD FTP Server Ready');
    expect(ftp.name).toBe('ftp');
    const web: Service = { port: 80, transport: 'tcp', state: 'open', product: 'nginx' };
    fillFromServerHeader(web, 'lighttpd/1.4.35');
    expect(web.product).toBe('nginx');
    const web2: Service = { port: 80, transport: 'tcp', state: 'open' };
    fillFromServerHeader(web2, 'lighttpd/1.4.35');
    expect(web2).toMatchObject({ product: 'lighttpd', version: '1.4.35' });
  });
});
