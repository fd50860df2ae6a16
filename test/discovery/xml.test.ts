import { DiscoveryError } from '../../src/discovery/errors.js';
import { mapHost } from '../../src/discovery/map.js';
import { assertNoInternalSubset, parseNmapXml } from '../../src/discovery/xml.js';
import { fixture } from './helpers.js';

const oui = new Map([['3CEF8C', 'Zhejiang Dahua Technology Co., Ltd.\nNo.1199 Bin An Road\nHangzhou\nCN']]);

function xmlError(fn: () => unknown): DiscoveryError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryError);
    return e as DiscoveryError;
  }
  throw new Error('expected a DiscoveryError');
}

describe('parseNmapXml', () => {
  const run = parseNmapXml(fixture('full.xml'));

  test('reads the run header, scan types and every host (hosthint is not a host)', () => {
    expect(run.version).toBe('7.93');
    expect(run.args).toBe('nmap -oX - -sS -sV -- 192.0.2.10 2001:db8::1');
    expect(run.scanTypes).toEqual([{ type: 'syn', protocol: 'tcp' }, { type: 'udp', protocol: 'udp' }]);
    expect(run.hosts.map((h) => h.state)).toEqual(['up', 'up', 'down']);
    expect(run.finished?.exit).toBe('success');
  });

  test('addresses include the MAC with its vendor', () => {
    expect(run.hosts[0]!.addresses).toEqual([
      { addr: '192.0.2.10', addrtype: 'ipv4' },
      { addr: '3C:EF:8C:4D:21:0A', addrtype: 'mac', vendor: 'Zhejiang Dahua Technology' },
    ]);
  });

  test('service fields, CPEs, tunnel and a port without <service>', () => {
    const ports = run.hosts[0]!.ports;
    const ssh = ports.find((p) => p.port === 22)!;
    expect(ssh.service).toMatchObject({ name: 'ssh', product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u10', extrainfo: 'protocol 2.0', conf: 10 });
    expect(ssh.service!.cpe).toEqual(['cpe:/a:openbsd:openssh:9.2p1', 'cpe:/o:linux:linux_kernel']);
    const telnet = ports.find((p) => p.port === 23)!;
    expect(telnet.state).toBe('open');
    expect(telnet.service).toBeUndefined();
    expect(ports.find((p) => p.port === 443)!.service!.tunnel).toBe('ssl');
    expect(ports.find((p) => p.port === 80)!.service!.devicetype).toBe('webcam');
  });

  test('entities are decoded in attributes and elements (&#xa;, &lt;, &amp;)', () => {
    const title = run.hosts[0]!.ports.find((p) => p.port === 80)!.scripts.find((s) => s.id === 'http-title')!;
    expect(title.output).toBe('Camera & NVR <Live>\nRequested resource was /index.html');
    expect(title.table).toEqual({ title: 'Camera & NVR <Live>', redirect_url: '/index.html' });
  });

  test('NSE tables become structured JSON: keyed tables are objects, unkeyed ones arrays', () => {
    const cert = run.hosts[0]!.ports.find((p) => p.port === 443)!.scripts.find((s) => s.id === 'ssl-cert')!;
    const table = cert.table as Record<string, unknown>;
    expect(table['subject']).toEqual({ commonName: 'IPC', organizationName: 'Dahua' });
    expect(table['extensions']).toEqual([
      { name: 'X509v3 Basic Constraints', value: 'CA:TRUE' },
      { name: 'X509v3 Key Usage', value: 'Digital Signature' },
    ]);
    expect(table['sig_algo']).toBe('sha1WithRSAEncryption');
  });

  test('a device-chosen key "__proto__" is an own property, never the prototype', () => {
    const cert = run.hosts[0]!.ports.find((p) => p.port === 443)!.scripts.find((s) => s.id === 'ssl-cert')!;
    const table = cert.table as Record<string, unknown>;
    expect(Object.getPrototypeOf(table)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(table, '__proto__')).toBe(true);
    expect(JSON.parse(JSON.stringify(table))['__proto__']).toBe('polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('OS classes are kept for identification', () => {
    expect(run.hosts[0]!.os[0]!.classes[0]).toEqual({ type: 'webcam', vendor: 'Dahua', osfamily: 'embedded' });
  });

  test('a truncated document is a typed error, not a shorter result', () => {
    const e = xmlError(() => parseNmapXml(fixture('truncated.xml')));
    expect(e.kind).toBe('xml-invalid');
  });

  test('a DOCTYPE with an internal subset is rejected before parsing', () => {
    const e = xmlError(() => parseNmapXml(fixture('doctype-subset.xml')));
    expect(e.kind).toBe('xml-invalid');
    expect(e.message).toMatch(/internal subset/);
    expect(() => assertNoInternalSubset('<!DOCTYPE nmaprun><nmaprun/>')).not.toThrow();
    expect(() => assertNoInternalSubset('<nmaprun><!ENTITY x "y"></nmaprun>')).toThrow(DiscoveryError);
  });

  test('empty input, non-XML and a foreign root are typed errors', () => {
    expect(xmlError(() => parseNmapXml('')).kind).toBe('xml-invalid');
    expect(xmlError(() => parseNmapXml('Starting Nmap 7.93\nQUITTING!')).kind).toBe('xml-invalid');
    expect(xmlError(() => parseNmapXml('<?xml version="1.0"?><root/>')).kind).toBe('xml-invalid');
  });

  test('deep nesting is bounded', () => {
    const deep = `<nmaprun>${'<a>'.repeat(500)}${'</a>'.repeat(500)}</nmaprun>`;
    expect(xmlError(() => parseNmapXml(deep)).kind).toBe('xml-invalid');
  });

  test('finished exit="error" is reported with its message', () => {
    const r = parseNmapXml(fixture('error.xml'));
    expect(r.finished).toMatchObject({ exit: 'error', errormsg: 'Ports specified must be between 0 and 65535 inclusive' });
  });
});

describe('mapHost', () => {
  const run = parseNmapXml(fixture('full.xml'));

  test('maps to our Device: open ports only, name from the first hostname, MAC vendor from oui-data', () => {
    const { device, signals } = mapHost(run.hosts[0]!, oui)!;
    expect(device.address).toBe('192.0.2.10');
    expect(device.mac).toBe('3c:ef:8c:4d:21:0a');
    expect(device.macVendor).toBe('Zhejiang Dahua Technology Co., Ltd.');
    expect(device.macRandomised).toBeUndefined();
    expect(device.hostnames).toEqual(['ipc-frontdoor.lan']);
    expect(device.name).toBe('ipc-frontdoor.lan');
    expect(device.services.map((s) => `${s.port}/${s.transport}:${s.state}`)).toEqual(['22/tcp:open', '23/tcp:open', '80/tcp:open', '443/tcp:open', '161/udp:open|filtered']);
    const https = device.services.find((s) => s.port === 443)!;
    expect(https.name).toBe('https');
    expect(https.tls).toEqual({ enabled: true });
    expect(device.services.find((s) => s.port === 23)!.name).toBeUndefined();
    expect(device.services.find((s) => s.port === 80)!.scripts!.map((s) => s.id)).toEqual(['http-title', 'http-auth']);
    expect(signals.services.find((s) => s.port === 80)!.deviceType).toBe('webcam');
    expect(signals.osClasses).toEqual([{ type: 'webcam', vendor: 'Dahua' }]);
  });

  test('IPv6 addresses are canonical (compressed) and the name defaults to the address', () => {
    const { device } = mapHost(run.hosts[1]!, oui)!;
    expect(device.address).toBe('2001:db8::1');
    expect(device.name).toBe('2001:db8::1');
    expect(device.services).toEqual([{ port: 80, transport: 'tcp', state: 'open', name: 'http', product: 'lighttpd', version: '1.4.35' }]);
  });

  test('a MAC from host discovery fills in when the port scan had none', () => {
    const { device } = mapHost(run.hosts[1]!, oui, '02:00:00:00:00:01')!;
    expect(device.mac).toBe('02:00:00:00:00:01');
    expect(device.macRandomised).toBe(true);
    expect(device.macVendor).toBeUndefined();
  });
});
