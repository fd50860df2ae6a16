import dgram from 'node:dgram';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import probe, {
  assessUpnp, descriptionTarget, mSearch, parseSsdpReply, type UpnpEvidence,
} from '../../src/probes/upnp-disclosure.js';
import { parseUpnpDescription } from '../../src/probes/lib/upnp-description.js';
import { assessInput, makeContext, makeDevice } from './helpers/exposure-context.js';

const ROUTER_XML = (addr: string, port: number) => `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0"><URLBase>http://${addr}:${port}/</URLBase><device>
<deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType><friendlyName>VMG1312-B10A</friendlyName>
<manufacturer>ZyXEL Communications Corp.</manufacturer>
<modelDescription>ZyXEL VDSL2 Router VMG1312-B10A, firmware V5.13(AAJD.7)C0</modelDescription>
<modelName>VMG1312-B10A</modelName><modelNumber>V5.13(AAJD.7)C0</modelNumber><serialNumber>S162Y14012345</serialNumber>
<UDN>uuid:75802409-bccb-40e7-8e6c-5c6a803e910b</UDN>
<deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType><deviceList><device>
<deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType><serviceList><service>
<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
<SCPDURL>/WANIPCn.xml</SCPDURL><controlURL>/ctl/IPConn</controlURL></service></serviceList></device></deviceList></device></deviceList>
</device></root>`;

const RENDERER_XML = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><device>
<deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType><friendlyName>Living room</friendlyName>
<manufacturer>Acme</manufacturer><modelName>Speaker One</modelName><serialNumber>0000000</serialNumber></device></root>`;

describe('upnp-disclosure helpers', () => {
  it('builds a unicast ssdp:all M-SEARCH addressed to the device', () => {
    const text = mSearch('10.231.0.11').toString();
    expect(text).toMatch(/^M-SEARCH \* HTTP\/1\.1\r\n/);
    expect(text).toContain('HOST: 10.231.0.11:1900\r\n');
    expect(text).toContain('ST: ssdp:all\r\n');
    expect(text.endsWith('\r\n\r\n')).toBe(true);
    expect(mSearch('fe80::1').toString()).toContain('HOST: [fe80::1]:1900');
  });

  it('parses SSDP answers and ignores anything else', () => {
    const r = parseSsdpReply(Buffer.from('HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nlocation: http://10.0.0.1:49152/rootDesc.xml\r\nST: upnp:rootdevice\r\nUSN: uuid:x::upnp:rootdevice\r\nSERVER: Linux/3.4 UPnP/1.0 x/1\r\n\r\n'));
    expect(r).toEqual({ st: 'upnp:rootdevice', usn: 'uuid:x::upnp:rootdevice', location: 'http://10.0.0.1:49152/rootDesc.xml', server: 'Linux/3.4 UPnP/1.0 x/1' });
    expect(parseSsdpReply(Buffer.from('NOTIFY * HTTP/1.1\r\n\r\n'))).toBeNull();
    expect(parseSsdpReply(Buffer.from([0, 1, 2]))).toBeNull();
    expect(parseSsdpReply(Buffer.from(`HTTP/1.1 200 OK\r\nLOCATION: ${'x'.repeat(5000)}\r\n\r\n`))!.location!.length).toBeLessThanOrEqual(300);
  });

  it.each([
    ['http://10.0.0.5:49152/rootDesc.xml', { port: 49152, tls: false, path: '/rootDesc.xml' }],
    ['http://10.0.0.5/d.xml?x=1', { port: 80, tls: false, path: '/d.xml?x=1' }],
    ['https://10.0.0.5/d.xml', { port: 443, tls: true, path: '/d.xml' }],
  ])('fetches %s on the device itself', (location, target) => {
    expect(descriptionTarget(location, '10.0.0.5')).toEqual(target);
  });

  it.each([
    ['http://10.0.0.6:49152/rootDesc.xml', /another host/],
    ['http://router.local:49152/rootDesc.xml', /another host/],
    ['http://10.0.0.5.evil.example/x', /another host/],
    ['http://user@10.0.0.6/x', /another host/],
    ['http://10.0.0.5:9100/x', /printer/],
    ['http://10.0.0.5:0/x', /another host|invalid port/],
    ['file:///etc/passwd', /scheme/],
    ['not a url', /not a URL/],
  ])('never fetches %s', (location, reason) => {
    const t = descriptionTarget(location, '10.0.0.5');
    expect('reason' in t && t.reason).toMatch(reason);
  });

  it('compares IPv6 literals in their URL form', () => {
    expect(descriptionTarget('http://[fe80::1]:5000/d.xml', 'fe80::1')).toEqual({ port: 5000, tls: false, path: '/d.xml' });
  });
});

function evidence(over: Partial<UpnpEvidence> = {}): UpnpEvidence {
  return {
    ssdp: { answered: true, replies: [{ st: 'upnp:rootdevice', usn: 'uuid:1::upnp:rootdevice', location: 'http://10.0.0.1:49152/rootDesc.xml', server: 'Linux/3.4.11, UPnP/1.0, VMG1312-B10A/1.0' }], error: null },
    descriptions: [{ location: 'http://10.0.0.1:49152/rootDesc.xml', status: 200, error: null, description: parseUpnpDescription(ROUTER_XML('10.0.0.1', 49152)) }],
    skipped: [], ...over,
  };
}

const check = (r: ReturnType<typeof assessUpnp>, id: string) => r.find((x) => x.check === id)!;

describe('upnp-disclosure assess', () => {
  it('warns on a description with serial number and firmware, and on an IGD', () => {
    const r = assessUpnp(evidence());
    const info = check(r, 'upnp-information-disclosure');
    expect(info).toMatchObject({ status: 'warn', port: 1900, transport: 'udp' });
    expect(info.detail).toContain('S162Y14012345');
    expect(info.detail).toContain('V5.13(AAJD.7)C0');
    const igd = check(r, 'upnp-igd-exposed');
    expect(igd.status).toBe('warn');
    expect(igd.detail).toMatch(/InternetGatewayDevice/);
  });

  it('passes a description that names only manufacturer and model, and a non-IGD device', () => {
    const r = assessUpnp(evidence({ descriptions: [{ location: 'http://10.0.0.1:1400/d.xml', status: 200, error: null, description: parseUpnpDescription(RENDERER_XML) }] }));
    expect(check(r, 'upnp-information-disclosure').status).toBe('pass');
    expect(check(r, 'upnp-igd-exposed').status).toBe('pass');
  });

  it('finds an IGD from the SSDP answer alone', () => {
    const r = assessUpnp(evidence({
      ssdp: { answered: true, replies: [{ st: 'urn:schemas-upnp-org:service:WANPPPConnection:1', usn: null, location: null, server: null }], error: null },
      descriptions: [],
    }));
    expect(check(r, 'upnp-igd-exposed').status).toBe('warn');
    expect(check(r, 'upnp-information-disclosure')).toMatchObject({ status: 'pass', confidence: 'low' });
  });

  it('is not applicable without an SSDP answer, and an error when the search failed', () => {
    const none = assessUpnp(evidence({ ssdp: { answered: false, replies: [], error: null }, descriptions: [] }));
    expect(none.map((x) => x.status)).toEqual(['not_applicable', 'not_applicable']);
    const refused = assessUpnp(evidence({ ssdp: { answered: false, replies: [], error: { kind: 'refused', message: 'ICMP' } }, descriptions: [] }));
    expect(refused.map((x) => x.status)).toEqual(['not_applicable', 'not_applicable']);
    const failed = assessUpnp(evidence({ ssdp: { answered: false, replies: [], error: { kind: 'budget-exceeded', message: 'b' } }, descriptions: [] }));
    expect(failed.map((x) => x.status)).toEqual(['error', 'error']);
  });

  it('never passes a description it could not read', () => {
    const broken = assessUpnp(evidence({ descriptions: [{ location: 'http://10.0.0.1/d.xml', status: 200, error: { kind: 'protocol-error', message: 'DOCTYPE' }, description: null }] }));
    expect(check(broken, 'upnp-information-disclosure')).toMatchObject({ status: 'error', error: { kind: 'protocol-error' } });
    const elsewhere = assessUpnp(evidence({ descriptions: [], skipped: [{ location: 'http://10.9.9.9/d.xml', reason: 'names another host (out of scope)' }] }));
    expect(check(elsewhere, 'upnp-information-disclosure')).toMatchObject({ status: 'error', error: { kind: 'out-of-scope' } });
  });
});

// --- an in-process UPnP device on its own loopback address (SSDP on 1900/udp, description over HTTP) ---

interface FakeUpnp { address: string; httpPort: number; requests: string[]; ssdpSeen: string[]; close(): Promise<void> }

async function startFakeUpnp(options: { address: string; xml?: (addr: string, port: number) => string; location?: (addr: string, port: number) => string; silent?: boolean }): Promise<FakeUpnp> {
  const requests: string[] = [];
  const ssdpSeen: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    if (req.method === 'GET' && req.url === '/rootDesc.xml' && options.xml) {
      res.writeHead(200, { 'Content-Type': 'text/xml' });
      res.end(options.xml(options.address, (server.address() as AddressInfo).port));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, options.address, resolve));
  const httpPort = (server.address() as AddressInfo).port;
  const udp = dgram.createSocket('udp4');
  udp.on('message', (msg, rinfo) => {
    ssdpSeen.push(msg.toString('latin1').split('\r\n')[0] ?? '');
    if (options.silent) return;
    const location = options.location?.(options.address, httpPort) ?? `http://${options.address}:${httpPort}/rootDesc.xml`;
    for (const st of ['upnp:rootdevice', 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', 'urn:schemas-upnp-org:service:WANIPConnection:1']) {
      udp.send(`HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=1800\r\nEXT:\r\nLOCATION: ${location}\r\nSERVER: Linux/3.4.11, UPnP/1.0, VMG1312-B10A/1.0\r\nST: ${st}\r\nUSN: uuid:1::${st}\r\n\r\n`, rinfo.port, rinfo.address);
    }
  });
  await new Promise<void>((resolve) => udp.bind(1900, options.address, resolve));
  return {
    address: options.address, httpPort, requests, ssdpSeen,
    close: () => new Promise<void>((resolve) => { udp.close(); server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

let next = 0;
function freshLoopback(): string {
  next += 1;
  return `127.77.${(process.pid % 200) + 1}.${(next % 250) + 1}`;
}

describe('upnp-disclosure collect (fake device on a loopback address)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => { while (cleanups.length) await cleanups.pop()!(); });

  async function run(address: string) {
    const device = makeDevice(address);
    const t = makeContext({ address, device, maxConnections: probe.meta.budget.maxConnections, udpTimeoutMs: 500 });
    const ev = await probe.collect(t.ctx);
    return { ev, t, results: probe.assess(ev, assessInput(device)) };
  }

  it('searches with one datagram, fetches the description once and reports the router\'s disclosure', async () => {
    const fake = await startFakeUpnp({ address: freshLoopback(), xml: ROUTER_XML });
    cleanups.push(fake.close);
    const { ev, t, results } = await run(fake.address);
    expect(fake.ssdpSeen).toEqual(['M-SEARCH * HTTP/1.1']);
    expect(ev.ssdp.replies).toHaveLength(3);
    expect(fake.requests).toEqual(['GET /rootDesc.xml']);
    expect(t.budget.used).toBe(2);
    expect(check(results, 'upnp-information-disclosure').status).toBe('warn');
    expect(check(results, 'upnp-igd-exposed').status).toBe('warn');
  });

  it('never fetches a description from another host', async () => {
    const other = await startFakeUpnp({ address: freshLoopback(), xml: ROUTER_XML, silent: true });
    cleanups.push(other.close);
    const fake = await startFakeUpnp({ address: freshLoopback(), location: () => `http://${other.address}:${other.httpPort}/rootDesc.xml` });
    cleanups.push(fake.close);
    const { ev, results } = await run(fake.address);
    expect(other.requests).toEqual([]);
    expect(other.ssdpSeen).toEqual([]);
    expect(ev.skipped[0]!.reason).toMatch(/another host/);
    expect(check(results, 'upnp-information-disclosure').error!.kind).toBe('out-of-scope');
    expect(check(results, 'upnp-igd-exposed').status).toBe('warn');
  });

  it('rejects a description with a DOCTYPE', async () => {
    const fake = await startFakeUpnp({ address: freshLoopback(), xml: () => '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "a">]><root><device/></root>' });
    cleanups.push(fake.close);
    const { ev, results } = await run(fake.address);
    expect(ev.descriptions[0]!.error!.message).toMatch(/DOCTYPE/);
    expect(check(results, 'upnp-information-disclosure').status).toBe('error');
  });

  it('is not applicable when nothing answers the search', async () => {
    const fake = await startFakeUpnp({ address: freshLoopback(), silent: true });
    cleanups.push(fake.close);
    const { ev, results } = await run(fake.address);
    expect(ev.ssdp.answered).toBe(false);
    expect(fake.requests).toEqual([]);
    expect(results.map((r) => r.status)).toEqual(['not_applicable', 'not_applicable']);
  });
});
