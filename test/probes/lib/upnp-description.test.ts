import {
  firmwareInText, isIgdType, isRealSerial, MAX_DESCRIPTION_BYTES, MAX_DEVICES, parseUpnpDescription, UpnpDescriptionError,
} from '../../../src/probes/lib/upnp-description.js';

const ROUTER = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
  <specVersion><major>1</major><minor>0</minor></specVersion>
  <device>
    <deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
    <friendlyName>VMG1312-B10A</friendlyName>
    <manufacturer>ZyXEL Communications Corp.</manufacturer>
    <modelDescription>ZyXEL VDSL2 Router VMG1312-B10A, firmware V5.13(AAJD.7)C0</modelDescription>
    <modelName>VMG1312-B10A</modelName>
    <modelNumber>V5.13(AAJD.7)C0</modelNumber>
    <serialNumber>S162Y14012345</serialNumber>
    <UDN>uuid:75802409-bccb-40e7-8e6c-5c6a803e910b</UDN>
    <deviceList>
      <device>
        <deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
        <deviceList>
          <device>
            <deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
            <serviceList>
              <service>
                <serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>
                <serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId>
              </service>
            </serviceList>
          </device>
        </deviceList>
      </device>
    </deviceList>
  </device>
</root>`;

describe('parseUpnpDescription', () => {
  it('reads the identifying fields of every nested device and their services', () => {
    const d = parseUpnpDescription(ROUTER);
    expect(d.devices).toHaveLength(3);
    expect(d.devices[0]).toMatchObject({
      manufacturer: 'ZyXEL Communications Corp.', modelName: 'VMG1312-B10A', modelNumber: 'V5.13(AAJD.7)C0',
      serialNumber: 'S162Y14012345', udn: 'uuid:75802409-bccb-40e7-8e6c-5c6a803e910b', firmware: null,
    });
    expect(d.services).toEqual([{ serviceType: 'urn:schemas-upnp-org:service:WANIPConnection:1', serviceId: 'urn:upnp-org:serviceId:WANIPConn1' }]);
    expect(d.truncated).toBe(false);
  });

  it('reads vendor firmware fields and namespaced tags', () => {
    const xml = `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0" xmlns:x="urn:x"><device>
      <deviceType>urn:schemas-upnp-org:device:MediaRenderer:1</deviceType><x:serialNumber>AB123456</x:serialNumber>
      <firmwareVersion>1.2.3</firmwareVersion><friendlyName attr="1">TV &amp; more</friendlyName></device></root>`;
    const d = parseUpnpDescription(xml).devices[0]!;
    expect(d.firmware).toBe('1.2.3');
    expect(d.serialNumber).toBe('AB123456');
    expect(d.friendlyName).toBe('TV & more');
  });

  it.each([
    ['a DOCTYPE with an internal subset', '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaa">]><root><device/></root>', /DOCTYPE/],
    ['any DOCTYPE', '<!DOCTYPE root SYSTEM "http://example.invalid/x.dtd"><root><device/></root>', /DOCTYPE/],
    ['an entity declaration', '<root><!ENTITY x "y"><device/></root>', /entity|well-formed/],
    ['broken XML', '<root><device><deviceType>x</root>', /well-formed/],
    ['no root', '<html><body>hi</body></html>', /root/],
    ['a root without a device', '<root><specVersion/></root>', /device/],
    ['an oversized document', `<root>${' '.repeat(MAX_DESCRIPTION_BYTES)}</root>`, /larger/],
  ])('rejects %s', (_what, xml, message) => {
    expect(() => parseUpnpDescription(xml)).toThrow(UpnpDescriptionError);
    expect(() => parseUpnpDescription(xml)).toThrow(message);
  });

  it('rejects __proto__ and constructor tags without polluting any prototype', () => {
    const xml = '<root><device><__proto__><polluted>1</polluted></__proto__><constructor><prototype><polluted>1</polluted></prototype></constructor></device></root>';
    expect(() => parseUpnpDescription(xml)).toThrow(UpnpDescriptionError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(() => parseUpnpDescription('<root><device><constructor><prototype><polluted>1</polluted></prototype></constructor></device></root>')).toThrow(UpnpDescriptionError);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(parseUpnpDescription('<root><device><deviceType>proto</deviceType></device></root>').devices).toHaveLength(1);
  });

  it('caps the number of devices and the length of every field', () => {
    const one = `<device><deviceType>t</deviceType><friendlyName>${'N'.repeat(5000)}</friendlyName></device>`;
    const xml = `<root><device><deviceType>root</deviceType><deviceList>${one.repeat(MAX_DEVICES + 10)}</deviceList></device></root>`;
    const d = parseUpnpDescription(xml);
    expect(d.devices).toHaveLength(MAX_DEVICES);
    expect(d.truncated).toBe(true);
    expect(d.devices[1]!.friendlyName!.length).toBeLessThanOrEqual(200);
  });

  it('decodes many character references and caps the result', () => {
    const xml = `<root><device><friendlyName>${'&#65;'.repeat(40_000)}</friendlyName></device></root>`;
    expect(parseUpnpDescription(xml).devices[0]!.friendlyName).toBe('A'.repeat(200));
  });
});

describe('helpers', () => {
  it('finds a firmware version in free text', () => {
    expect(firmwareInText('ZyXEL VDSL2 Router VMG1312-B10A, firmware V5.13(AAJD.7)C0')).toBe('V5.13(AAJD.7)C0');
    expect(firmwareInText('FW: 1.0.22 build 5')).toBe('1.0.22');
    expect(firmwareInText('Software version 2.31.149')).toBe('2.31.149');
    expect(firmwareInText('Smart plug')).toBeNull();
    expect(firmwareInText(null)).toBeNull();
  });

  it('ignores placeholder serial numbers', () => {
    expect(isRealSerial('S162Y14012345')).toBe(true);
    for (const s of [null, '', '0000000', '123456789', 'N/A', 'none', 'xxx', '12']) expect(isRealSerial(s)).toBe(false);
  });

  it('recognises Internet Gateway Device types', () => {
    expect(isIgdType('urn:schemas-upnp-org:device:InternetGatewayDevice:1')).toBe(true);
    expect(isIgdType('uuid:x::urn:schemas-upnp-org:service:WANPPPConnection:1')).toBe(true);
    expect(isIgdType('urn:schemas-upnp-org:device:MediaRenderer:1')).toBe(false);
    expect(isIgdType(null)).toBe(false);
  });
});
