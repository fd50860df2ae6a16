import probe, {
  assessAttackSurface, debugEntryFor, disclosedVersion, DEBUG_SERVICES, EXPECTED_PORTS, parsePortSpec,
  type AttackSurfaceEvidence, type ServiceSummary,
} from '../../src/probes/attack-surface.js';
import type { CheckResult } from '../../src/probes/contract.js';
import { DEVICE_TYPES, type Service } from '../../src/report/model.js';
import { makeContext, makeDevice, tcpService, udpService } from './helpers/exposure-context.js';
import { expectValidMeta } from './helpers/meta-check.js';

function svc(port: number, name: string | null, over: Partial<ServiceSummary> = {}): ServiceSummary {
  return { port, transport: 'tcp', state: 'open', name, product: null, version: null, banner: null, ...over };
}
function ev(over: Partial<AttackSurfaceEvidence>): AttackSurfaceEvidence {
  return { deviceType: 'unknown', typeConfidence: 'low', expectedSource: null, expected: [], services: [], ...over };
}
const of = (r: CheckResult[], check: string): CheckResult[] => r.filter((x) => x.check === check);

describe('attack-surface data', () => {
  test('every expected-port spec parses and every entry has a source', () => {
    for (const [type, entries] of Object.entries(EXPECTED_PORTS)) {
      expect(DEVICE_TYPES).toContain(type);
      for (const e of entries) {
        expect(e.source.length).toBeGreaterThan(5);
        for (const p of e.ports) expect([type, p, parsePortSpec(p)]).not.toEqual([type, p, null]);
      }
    }
    expect(EXPECTED_PORTS['computer']).toBeUndefined();
    expect(EXPECTED_PORTS['unknown']).toBeUndefined();
  });

  test('no debug service is an expected default port', () => {
    for (const entries of Object.values(EXPECTED_PORTS)) {
      for (const spec of entries.flatMap((e) => e.ports)) {
        const r = parsePortSpec(spec)!;
        for (let p = r.from; p <= r.to; p++) expect([spec, debugEntryFor({ port: p, transport: r.transport, name: null })?.id]).toEqual([spec, undefined]);
      }
    }
    for (const d of DEBUG_SERVICES) expect(d.source.length).toBeGreaterThan(10);
  });

  test('parsePortSpec', () => {
    expect(parsePortSpec(80)).toEqual({ from: 80, to: 80, transport: 'tcp' });
    expect(parsePortSpec('161/udp')).toEqual({ from: 161, to: 161, transport: 'udp' });
    expect(parsePortSpec('49152-49160/tcp')).toEqual({ from: 49152, to: 49160, transport: 'tcp' });
    expect(parsePortSpec('70000')).toBeNull();
    expect(parsePortSpec('10-5')).toBeNull();
    expect(parsePortSpec('http')).toBeNull();
  });

  test('debugEntryFor: names anywhere, ports only with a missing or port-table name', () => {
    expect(debugEntryFor({ port: 23, transport: 'tcp', name: 'telnet' })?.id).toBe('telnet');
    expect(debugEntryFor({ port: 2323, transport: 'tcp', name: '3d-nfsd' })?.id).toBe('telnet');
    expect(debugEntryFor({ port: 23, transport: 'tcp', name: 'ssh' })).toBeUndefined();
    expect(debugEntryFor({ port: 8023, transport: 'tcp', name: 'telnet' })?.id).toBe('telnet');
    expect(debugEntryFor({ port: 5555, transport: 'tcp', name: 'freeciv' })?.id).toBe('adb');
    expect(debugEntryFor({ port: 1234, transport: 'tcp', name: 'hotline' })).toBeUndefined();
    expect(debugEntryFor({ port: 1234, transport: 'tcp', name: 'gdb' })?.id).toBe('gdbserver');
    expect(debugEntryFor({ port: 7547, transport: 'tcp', name: 'cwmp' })?.id).toBe('tr069');
    expect(debugEntryFor({ port: 9999, transport: 'tcp', name: 'abyss' })?.id).toBe('vendor-9999');
    expect(debugEntryFor({ port: 69, transport: 'udp', name: 'tftp' })?.id).toBe('tftp');
    expect(debugEntryFor({ port: 69, transport: 'tcp', name: 'tftp' })).toBeUndefined();
  });

  test('disclosedVersion', () => {
    expect(disclosedVersion(svc(22, 'ssh', { product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u3' }))).toBe('OpenSSH 9.2p1 Debian 2+deb12u3');
    expect(disclosedVersion(svc(80, 'http', { banner: 'Server: lighttpd/1.4.35' }))).toBe('lighttpd 1.4.35');
    expect(disclosedVersion(svc(21, 'ftp', { banner: '220 JD FTP Server Ready' }))).toBeNull();
    expect(disclosedVersion(svc(554, 'rtsp', { banner: 'RTSP/1.0 200 OK' }))).toBeNull();
  });
});

describe('attack-surface assess (hand-built evidence)', () => {
  test('camera from the lab: Telnet is a debug service, 80/443 expected, versions disclosed', () => {
    const r = assessAttackSurface(ev({
      deviceType: 'camera', typeConfidence: 'high', expectedSource: 'defaults', expected: EXPECTED_PORTS['camera']!.flatMap((e) => e.ports),
      services: [svc(23, 'telnet'), svc(80, 'http', { product: 'lighttpd', version: '1.4.69' }), svc(443, 'https')],
    }));
    const debug = of(r, 'debug-service-exposed');
    expect(debug).toHaveLength(1);
    expect(debug[0]).toMatchObject({ status: 'fail', severity: 'high', port: 23, transport: 'tcp' });
    expect(of(r, 'unexpected-open-ports')[0]).toMatchObject({ status: 'pass' });
    expect(of(r, 'service-version-disclosure')[0]).toMatchObject({ status: 'info' });
  });

  test('router: TR-069 warns as a debug service and is not counted twice; SSH is unexpected', () => {
    const r = assessAttackSurface(ev({
      deviceType: 'router', typeConfidence: 'medium', expectedSource: 'defaults', expected: EXPECTED_PORTS['router']!.flatMap((e) => e.ports),
      services: [svc(22, 'ssh'), svc(80, 'http'), svc(7547, 'cwmp'), svc(49152, 'http'), svc(1900, 'upnp', { transport: 'udp' })],
    }));
    expect(of(r, 'debug-service-exposed')[0]).toMatchObject({ status: 'warn', severity: 'medium', port: 7547 });
    const u = of(r, 'unexpected-open-ports')[0]!;
    expect(u).toMatchObject({ status: 'warn', severity: 'low', confidence: 'medium' });
    expect(u.detail).toContain('22/tcp');
    expect(u.detail).not.toContain('7547');
  });

  test('cases the lab lacks: ADB, gdbserver, Docker API, port 9999', () => {
    const r = assessAttackSurface(ev({
      deviceType: 'tv', expectedSource: 'defaults', expected: EXPECTED_PORTS['tv']!.flatMap((e) => e.ports),
      services: [svc(5555, 'adb', { product: 'Android Debug Bridge' }), svc(2345, 'gdb'), svc(2375, 'docker'), svc(9999, null), svc(8008, 'http')],
    }));
    const debug = of(r, 'debug-service-exposed');
    expect(debug.map((d) => [d.port, d.status, d.severity])).toEqual([
      [5555, 'fail', 'critical'], [2345, 'fail', 'critical'], [2375, 'fail', 'critical'], [9999, 'warn', 'medium'],
    ]);
    expect(debug[0]!.confidence).toBe('high');
    expect(debug[3]!.confidence).toBe('medium');
    expect(of(r, 'unexpected-open-ports')[0]!.status).toBe('pass');
  });

  test('unknown type: unexpected-open-ports does not apply, debug list still does', () => {
    const r = assessAttackSurface(ev({ services: [svc(23, 'telnet'), svc(80, 'http')] }));
    expect(of(r, 'unexpected-open-ports')[0]).toMatchObject({ status: 'not_applicable' });
    expect(of(r, 'unexpected-open-ports')[0]!.detail).toContain('unknown');
    expect(of(r, 'debug-service-exposed')[0]).toMatchObject({ status: 'fail', port: 23 });
  });

  test('targets.yaml expectedPorts replace the defaults; UDP open|filtered is not counted', () => {
    const r = assessAttackSurface(ev({
      deviceType: 'camera', expectedSource: 'targets.yaml', expected: ['80', '5683/udp'],
      services: [svc(80, 'http'), svc(443, 'https'), svc(554, 'rtsp'), svc(5683, 'coap', { transport: 'udp' }), svc(161, 'snmp', { transport: 'udp', state: 'open|filtered' })],
    }));
    const u = of(r, 'unexpected-open-ports')[0]!;
    expect(u).toMatchObject({ status: 'warn', confidence: 'high' });
    expect(u.detail).toContain('443/tcp');
    expect(u.detail).toContain('554/tcp');
    expect(u.detail).not.toContain('161');
    expect(u.detail).toContain('targets.yaml');
  });

  test('a well-configured device with no debug service and no banner passes everything', () => {
    const r = assessAttackSurface(ev({ deviceType: 'hub', typeConfidence: 'high', expectedSource: 'defaults', expected: EXPECTED_PORTS['hub']!.flatMap((e) => e.ports), services: [svc(443, 'https'), svc(8883, 'secure-mqtt')] }));
    expect(r.map((x) => x.status)).toEqual(['pass', 'pass', 'pass']);
  });

  test('many unexpected ports raise the severity to medium', () => {
    const r = assessAttackSurface(ev({ deviceType: 'plug', expectedSource: 'defaults', expected: ['80/tcp'], services: [1, 2, 3, 4].map((i) => svc(3000 + i, null)) }));
    expect(of(r, 'unexpected-open-ports')[0]).toMatchObject({ status: 'warn', severity: 'medium' });
  });
});

describe('attack-surface collect', () => {
  test('collects from the device and the owner config without touching the network', async () => {
    const services: Service[] = [tcpService(23, 'telnet'), tcpService(80, 'http', { product: 'lighttpd', version: '1.4.35' }), udpService(161, 'snmp')];
    const device = makeDevice('127.0.0.1', services, { identification: { type: 'printer', confidence: 'medium', sources: ['mac-oui'] } });
    const t = makeContext({ device });
    t.ctx.config = { expectedPorts: ['80', '161/udp'] };
    const evidence = await probe.collect(t.ctx);
    expect(t.budget.used).toBe(0);
    expect(evidence).toMatchObject({ deviceType: 'printer', expectedSource: 'targets.yaml', expected: ['80', '161/udp'] });
    const r = probe.assess(evidence, { device, devices: [device], now: new Date() });
    expect(of(r, 'debug-service-exposed')[0]).toMatchObject({ status: 'fail', port: 23 });
    expect(of(r, 'unexpected-open-ports')[0]!.status).toBe('pass');

    const t2 = makeContext({ device });
    const defaults = await probe.collect(t2.ctx);
    expect(defaults.expectedSource).toBe('defaults');
    expect(defaults.typeConfidence).toBe('medium');
  });
});

test('attack-surface meta follows the registry rules', () => {
  expectValidMeta(probe, 'attack-surface');
});
