import { PROBES } from '../../src/probes/registry.js';
import { DTLS_PORT } from '../../src/probes/coap-exposure.js';
import { MDNS_PORT } from '../../src/discovery/collectors/mdns.js';
import { SSDP_PORT } from '../../src/discovery/collectors/ssdp.js';
import { DEFAULT_TCP_PORTS, DEFAULT_UDP_PORTS, FRAGILE_TCP_PORTS, NO_VERSION_DETECTION_TCP } from '../../src/data/ports.js';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { compressPorts, defaultPortSet, formatNmapPorts, parsePortSpec, resolvePorts } from '../../src/discovery/portspec.js';

describe('the default port lists', () => {
  test('100–200 unique TCP ports, each with a reason', () => {
    const ports = DEFAULT_TCP_PORTS.map((e) => e.port);
    expect(ports.length).toBeGreaterThanOrEqual(100);
    expect(ports.length).toBeLessThanOrEqual(200);
    expect(new Set(ports).size).toBe(ports.length);
    for (const e of DEFAULT_TCP_PORTS) {
      expect(e.transport).toBe('tcp');
      expect(e.why.length).toBeGreaterThan(15);
      expect(e.service).toMatch(/^[a-z0-9-]+$/);
    }
  });

  test('covers the IoT ports the issue names', () => {
    const ports = new Set(DEFAULT_TCP_PORTS.map((e) => e.port));
    for (const p of [21, 22, 23, 80, 81, 443, 554, 1883, 2323, 5000, 5555, 7547, 8000, 8080, 8081, 8443, 8883, 8888, 9999, 49152]) {
      expect(ports.has(p)).toBe(true);
    }
  });

  test('UDP is exactly the ports a probe or the identification speaks (derived from the probes\' meta)', () => {
    const spoken = new Set([
      ...PROBES.flatMap((p) => (p.meta.appliesTo.transport === 'tcp' ? [] : p.meta.appliesTo.ports ?? [])),
      MDNS_PORT, // identification: unicast mDNS (src/discovery/collectors/mdns.ts)
      SSDP_PORT, // identification: unicast M-SEARCH (src/discovery/collectors/ssdp.ts), read by upnp-disclosure
      DTLS_PORT, // coap-exposure judges whether CoAP over DTLS is offered from the port scan
    ]);
    const udp = DEFAULT_UDP_PORTS.map((e) => e.port);
    expect(udp.filter((p) => !spoken.has(p))).toEqual([]);
    for (const p of PROBES.filter((x) => x.meta.appliesTo.transport === 'udp')) for (const port of p.meta.appliesTo.ports ?? []) expect(udp).toContain(port);
  });

  test('telnet and printer ports are kept from version detection; printer ports from identification', () => {
    for (const p of [23, 2323, 515, 9100, 9107]) expect(NO_VERSION_DETECTION_TCP).toContain(p);
    for (const p of [515, 9100, 9101, 9102, 9103, 9104, 9105, 9106, 9107]) expect(FRAGILE_TCP_PORTS).toContain(p);
    for (const p of FRAGILE_TCP_PORTS) expect(NO_VERSION_DETECTION_TCP).toContain(p); // the printer part of the list, in step
  });
});

describe('parsePortSpec', () => {
  test('numbers, ranges and protocol prefixes (unprefixed = TCP)', () => {
    expect(parsePortSpec('22,80,8000-8003,U:161,1900,T:443')).toEqual({ tcp: [22, 80, 443, 8000, 8001, 8002, 8003], udp: [161, 1900] });
  });

  test('open ranges and "-" for every port', () => {
    expect(parsePortSpec('65530-').tcp).toEqual([65530, 65531, 65532, 65533, 65534, 65535]);
    expect(parsePortSpec('-3').tcp).toEqual([1, 2, 3]);
    expect(parsePortSpec('-').tcp).toHaveLength(65535);
  });

  test.each(['', '0', '65536', '80-70', 'http', '[1-1024]', 'S:80', '22;rm -rf', '1,,x'])('rejects %j', (spec) => {
    let error: unknown;
    try { parsePortSpec(spec); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as DiscoveryError).kind).toBe('bad-arguments');
  });
});

describe('resolvePorts and formatting', () => {
  test('--ports overrides, --all-ports scans TCP 1–65535 plus the UDP probe ports, both together is an error', () => {
    expect(resolvePorts({ ports: '80' })).toEqual({ tcp: [80], udp: [] });
    const all = resolvePorts({ allPorts: true });
    expect(all.tcp).toHaveLength(65535);
    expect(all.udp).toEqual([161, 1900, 5353, 5683, 5684]);
    expect(resolvePorts({})).toEqual(defaultPortSet());
    expect(() => resolvePorts({ ports: '80', allPorts: true })).toThrow(DiscoveryError);
  });

  test('ranges are compressed for the nmap -p argument', () => {
    expect(compressPorts([1, 2, 3, 5, 7, 8])).toBe('1-3,5,7-8');
    expect(formatNmapPorts({ tcp: [22, 80, 81], udp: [161] })).toBe('T:22,80-81,U:161');
    expect(formatNmapPorts({ tcp: [], udp: [161] })).toBe('U:161');
    expect(formatNmapPorts(resolvePorts({ allPorts: true }))).toBe('T:1-65535,U:161,1900,5353,5683-5684');
  });
});
