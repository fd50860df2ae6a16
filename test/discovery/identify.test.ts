import { TYPE_RULES } from '../../src/data/device-types.js';
import { applyOverride, emptySignals, identify, scoreTypes, type IdentifySignals } from '../../src/discovery/identify.js';
import { DEVICE_TYPES } from '../../src/report/model.js';

function signals(extra: Partial<IdentifySignals>): IdentifySignals {
  return { ...emptySignals(), ...extra };
}

describe('identify', () => {
  test('nothing known: unknown with low confidence and no sources', () => {
    expect(identify(emptySignals())).toEqual({ type: 'unknown', confidence: 'low', sources: [] });
  });

  test('camera from realm, banner and MAC vendor; the MAC vendor is the vendor when nothing better names it', () => {
    const id = identify(signals({
      macVendor: 'Zhejiang Dahua Technology Co., Ltd.',
      http: [{ port: 80, realm: 'Login to IPC-HFW4431R-Z', server: 'lighttpd' }],
      banners: [{ port: 23, text: 'IPC-HFW4431R-Z login:' }],
      services: [{ port: 23, transport: 'tcp', name: 'telnet' }, { port: 80, transport: 'tcp', name: 'http' }],
    }));
    expect(id.type).toBe('camera');
    expect(id.confidence).toBe('high');
    expect(id.sources).toEqual(expect.arrayContaining(['http-realm', 'banner', 'mac-oui']));
    expect(id.vendor).toBe('Zhejiang Dahua Technology Co., Ltd.');
    // A known vendor named by the device itself (certificate, title, Server…) wins over the MAC's.
    const withCert = identify(signals({ macVendor: 'Zhejiang Dahua Technology Co., Ltd.', tls: [{ port: 443, subject: 'C=CN, O=Dahua, CN=IPC' }] }));
    expect(withCert.vendor).toBe('Dahua');
    expect(withCert.sources).toContain('tls-cert');
  });

  test('router from a UPnP IGD description, with vendor, model, serial and firmware from it', () => {
    const id = identify(signals({
      macVendor: 'Zyxel Communications Corporation',
      upnp: {
        deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', manufacturer: 'ZyXEL', modelName: 'VMG1312-B10A',
        modelNumber: 'B10A', serialNumber: 'S162Y14012345', firmware: 'V5.13(AAJD.7)C0', friendlyName: 'Living-room router',
      },
      services: [{ port: 7547, transport: 'tcp', name: 'cwmp' }],
    }));
    expect(id).toMatchObject({
      type: 'router', confidence: 'high', vendor: 'ZyXEL', model: 'VMG1312-B10A',
      serial: 'S162Y14012345', firmware: 'V5.13(AAJD.7)C0', friendlyName: 'Living-room router',
    });
    expect(id.sources[0]).toBe('upnp');
  });

  test('printer from mDNS service types and TXT (model from ty=)', () => {
    const id = identify(signals({
      mdns: { services: ['_ipp._tcp.local', '_pdl-datastream._tcp.local'], instances: ['HP LaserJet Pro M404dn._ipp._tcp.local'], txt: ['ty=HP LaserJet Pro M404dn', 'usb_MFG=HP'] },
    }));
    expect(id).toMatchObject({ type: 'printer', vendor: 'HP', model: 'HP LaserJet Pro M404dn' });
    expect(id.sources).toContain('mdns');
  });

  test('printer from nmap product and the raw-print port', () => {
    const id = identify(signals({
      macVendor: 'Hewlett Packard',
      services: [{ port: 21, transport: 'tcp', name: 'ftp', product: 'HP JetDirect ftpd' }, { port: 9100, transport: 'tcp', name: 'jetdirect' }],
    }));
    expect(id.type).toBe('printer');
    expect(id.vendor).toBe('HP');
  });

  test('hub from MQTT and CoAP services outvotes a plug hint from an ESP32 MAC', () => {
    const id = identify(signals({
      macVendor: 'Espressif Inc.',
      services: [{ port: 1883, transport: 'tcp', name: 'mqtt' }, { port: 5683, transport: 'udp', name: 'coap' }],
    }));
    expect(id.type).toBe('hub');
    expect(id.vendor).toBe('Espressif Inc.');
  });

  test('nmap devicetype and OS class are strong signals', () => {
    expect(identify(signals({ services: [{ port: 80, transport: 'tcp', deviceType: 'webcam' }] })).type).toBe('camera');
    expect(identify(signals({ osClasses: [{ type: 'storage-misc', vendor: 'Synology' }] })).type).toBe('nas');
  });

  test('a randomised MAC gives no vendor and no type hint', () => {
    const id = identify(signals({ macVendor: 'Hangzhou Hikvision Digital Technology Co.,Ltd.', macRandomised: true }));
    expect(id).toEqual({ type: 'unknown', confidence: 'low', sources: [] });
  });

  test('close scores lower the confidence', () => {
    const scores = scoreTypes(signals({ http: [{ port: 80, title: 'NAS camera bridge' }] }));
    expect(scores.length).toBeGreaterThan(1);
    const id = identify(signals({ http: [{ port: 80, title: 'NAS camera bridge' }] }));
    expect(id.confidence).toBe('low');
  });

  test('device strings are matched only as capped text, and hostile titles do not throw', () => {
    const hostile = '<title>"><img src=x onerror=alert(1)></title>' + 'a'.repeat(100_000) + 'camera';
    const id = identify(signals({ http: [{ port: 80, title: hostile }] }));
    expect(id.type).toBe('unknown');
  });

  test('targets.yaml overrides win over every signal', () => {
    const s = signals({ upnp: { deviceType: 'urn:schemas-upnp-org:device:InternetGatewayDevice:1', manufacturer: 'ZyXEL' } });
    const id = identify(s, { type: 'nas', vendor: 'Synology', model: 'DS920+' });
    expect(id).toMatchObject({ type: 'nas', confidence: 'high', vendor: 'Synology', model: 'DS920+' });
    expect(id.sources[0]).toBe('targets.yaml');
    expect(applyOverride(id, undefined)).toBe(id);
  });
});

describe('type rules (data)', () => {
  test('every rule compiles, names a real type and has a weight 1–4', () => {
    for (const r of TYPE_RULES) {
      expect(() => new RegExp(r.pattern, 'i')).not.toThrow();
      expect(DEVICE_TYPES).toContain(r.type);
      expect(r.type).not.toBe('unknown');
      expect([1, 2, 3, 4]).toContain(r.weight);
    }
  });

  test('rules run in linear time on long hostile input', () => {
    const long = `${'a-'.repeat(512)}!`;
    for (const r of TYPE_RULES) new RegExp(r.pattern, 'i').test(long);
    expect(true).toBe(true);
  });
});
