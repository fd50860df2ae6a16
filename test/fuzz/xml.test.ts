/**
 * Fuzzing the XML parsers fed by the network or the user: nmap XML (our own scan, or a user's
 * --nmap-xml file), UPnP device descriptions in discovery and in the upnp-disclosure probe.
 * Properties: they return or throw their own typed error (never anything else), reject DTDs and
 * entity declarations, and return no more text than they were given.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseNmapXml } from '../../src/discovery/xml.js';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { parseDescription } from '../../src/discovery/collectors/ssdp.js';
import { parseUpnpDescription, UpnpDescriptionError, MAX_DEVICES, MAX_SERVICES, MAX_FIELD_CHARS } from '../../src/probes/lib/upnp-description.js';
import { hostileText, RUNS, textSize, thrown } from './arbitraries.js';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
  // XML 1.0 cannot carry most C0 controls even escaped: a device's are dropped by the (hostile) generator too.
  // eslint-disable-next-line no-control-regex
  .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\uFFFE\uFFFF]/g, '').replace(/[\uD800-\uDFFF]/g, '');

/** Well-formed nmap XML with hostile values in every attribute and text node. */
const nmapDoc = fc.array(fc.record({
  addr: hostileText(80), vendor: hostileText(300), name: hostileText(400), product: hostileText(400), version: hostileText(200),
  port: fc.oneof(fc.integer({ min: -5, max: 70_000 }).map(String), hostileText(10)), state: hostileText(20),
  script: hostileText(3000), elem: hostileText(5000), hostname: hostileText(400),
}), { maxLength: 6 }).map((hosts) => `<?xml version="1.0"?>\n<!DOCTYPE nmaprun>\n<nmaprun scanner="nmap" args="${esc('nmap -oX - 10.0.0.0/24')}" version="7.93">` +
  hosts.map((h) => `<host><status state="${esc(h.state)}"/><address addr="${esc(h.addr)}" addrtype="ipv4" vendor="${esc(h.vendor)}"/>` +
    `<hostnames><hostname name="${esc(h.hostname)}" type="PTR"/></hostnames><ports><port protocol="tcp" portid="${esc(h.port)}"><state state="open"/>` +
    `<service name="${esc(h.name)}" product="${esc(h.product)}" version="${esc(h.version)}"><cpe>${esc(h.product)}</cpe></service>` +
    `<script id="${esc(h.name)}" output="${esc(h.script)}"><elem key="${esc(h.name)}">${esc(h.elem)}</elem><table><elem>${esc(h.elem)}</elem></table></script>` +
    '</port></ports></host>').join('') + '<runstats><finished exit="success"/></runstats></nmaprun>');

const upnpDoc = fc.record({
  type: hostileText(300), name: hostileText(500), serial: hostileText(300), model: hostileText(300),
  devices: fc.integer({ min: 0, max: 50 }), services: fc.integer({ min: 0, max: 100 }), depth: fc.integer({ min: 0, max: 20 }),
}).map((d) => {
  const service = `<service><serviceType>${esc(d.type)}</serviceType><serviceId>${esc(d.name)}</serviceId></service>`;
  const leaf = (i: number) => `<device><deviceType>${esc(d.type)}</deviceType><friendlyName>${esc(d.name)}</friendlyName><manufacturer>${esc(d.name)}</manufacturer>` +
    `<modelName>${esc(d.model)}</modelName><serialNumber>${esc(d.serial)}${i}</serialNumber><serviceList>${service.repeat(d.services)}</serviceList></device>`;
  let nested = leaf(0);
  for (let i = 0; i < d.depth; i++) nested = `<device><deviceType>x</deviceType><deviceList>${nested}</deviceList></device>`;
  return `<?xml version="1.0"?><root xmlns="urn:schemas-upnp-org:device-1-0"><URLBase>${esc(d.name)}</URLBase>${nested}` +
    `<deviceList>${Array.from({ length: d.devices }, (_, i) => leaf(i + 1)).join('')}</deviceList></root>`;
});

const XML_ATTACKS = [
  '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><nmaprun>&lol2;</nmaprun>',
  '<!DOCTYPE root SYSTEM "file:///etc/passwd"><root/>',
  '<!DOCTYPE x [<!ENTITY % p SYSTEM "http://10.0.0.1/x">%p;]><nmaprun/>',
  `<nmaprun>${'&#x41;'.repeat(200_000)}</nmaprun>`,
  `${'<a>'.repeat(5000)}${'</a>'.repeat(5000)}`,
  '<nmaprun><host><address addr="10.0.0.1" addrtype="ipv4"/><ports><port protocol="tcp" portid="22"><state state="open"/>',
];

function nmapOutcome(xml: string): void {
  const e = thrown(() => {
    const run = parseNmapXml(xml);
    expect(textSize(run)).toBeLessThanOrEqual(2 * xml.length + 1024);
    for (const h of run.hosts) {
      for (const p of h.ports) {
        for (const s of p.scripts) expect(s.output.length).toBeLessThanOrEqual(8192);
        if (p.service?.product !== undefined) expect(p.service.product.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
      }
      for (const n of h.hostnames) expect(n.name.length).toBeLessThanOrEqual(253);
    }
  });
  if (e !== undefined) {
    expect(e).toBeInstanceOf(DiscoveryError);
    expect((e as DiscoveryError).kind).toBe('xml-invalid');
  }
}

describe('nmap XML', () => {
  it('random text: a result or DiscoveryError(xml-invalid)', () => {
    fc.assert(fc.property(hostileText(5000), nmapOutcome), RUNS);
  });

  it('well-formed documents with hostile values: parsed, every field capped', () => {
    fc.assert(fc.property(nmapDoc, (xml) => {
      const run = parseNmapXml(xml);
      expect(run.hosts.length).toBeLessThanOrEqual(6);
      nmapOutcome(xml);
    }), { numRuns: 150 });
  });

  it('truncated documents (nmap killed mid-write) fail as xml-invalid', () => {
    fc.assert(fc.property(nmapDoc, fc.double({ min: 0, max: 0.999, noNaN: true }), (xml, at) => {
      const cut = xml.slice(0, Math.floor(xml.length * at));
      const e = thrown(() => parseNmapXml(cut));
      expect(e).toBeInstanceOf(DiscoveryError);
    }), { numRuns: 150 });
  });

  it.each(XML_ATTACKS.map((x) => [x.slice(0, 50), x]))('rejects or bounds %s…', (_label, xml) => {
    nmapOutcome(xml);
    if (/<!DOCTYPE[^>]*\[|<!ENTITY/.test(xml)) expect(thrown(() => parseNmapXml(xml))).toBeInstanceOf(DiscoveryError);
  });
});

describe('UPnP descriptions', () => {
  const check = (xml: string) => {
    const e = thrown(() => {
      const d = parseUpnpDescription(xml);
      expect(d.devices.length).toBeLessThanOrEqual(MAX_DEVICES);
      expect(d.services.length).toBeLessThanOrEqual(MAX_SERVICES);
      for (const dev of d.devices) {
        for (const v of Object.values(dev)) if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(MAX_FIELD_CHARS);
      }
    });
    if (e !== undefined) expect(e).toBeInstanceOf(UpnpDescriptionError);
    const e2 = thrown(() => {
      const sig = parseDescription(xml);
      for (const v of Object.values(sig)) if (typeof v === 'string') expect(v.length).toBeLessThanOrEqual(200);
    });
    if (e2 !== undefined) expect(e2).toBeInstanceOf(DiscoveryError);
  };

  it('random text: a description or the parser\'s own error (probe and discovery)', () => {
    fc.assert(fc.property(hostileText(4000), check), RUNS);
  });

  it('well-formed descriptions with hostile values, deep nesting and hundreds of devices: capped', () => {
    fc.assert(fc.property(upnpDoc, check), { numRuns: 150 });
  });

  it.each(XML_ATTACKS.map((x) => [x.slice(0, 50), x.replace(/nmaprun/g, 'root')]))('rejects or bounds %s…', (_l, xml) => check(xml));
});
