import fc from 'fast-check';
import { plan, planDevice, planRun, selects, unknownSelectors, type PlanSettings } from '../../src/scheduler/plan.js';
import { device, fakeProbe, service } from './fake-probes.js';

const all: PlanSettings = { safety: 'intrusive', only: [], skip: [] };

const telnet = fakeProbe('telnet-default-credentials', { safety: 'credentials', appliesTo: { transport: 'tcp', services: ['telnet'], ports: [23, 2323] }, guidelines: ['uk-cop-1'] });
const tlsConf = fakeProbe('tls-configuration', { appliesTo: { transport: 'tcp', tls: true } });
const banner = fakeProbe('banner-grab', { appliesTo: { transport: 'tcp' } });
const surface = fakeProbe('attack-surface', { scope: 'host' });
const upnp = fakeProbe('upnp-disclosure', { scope: 'host', appliesTo: { ports: [1900] } });
const shared = fakeProbe('shared-keys', { scope: 'run', guidelines: ['uk-cop-4'] });
const fuzz = fakeProbe('input-fuzz', { scope: 'host', safety: 'intrusive', guidelines: ['uk-cop-13'] });
const probes = [banner, fuzz, shared, surface, telnet, tlsConf, upnp];

const cam = device('10.0.0.5', [
  service(443, 'https', { tls: { enabled: true } }),
  service(23, 'telnet'),
  service(2323),
  service(9100, 'jetdirect'),
  service(161, 'snmp', { transport: 'udp' }),
]);

describe('planDevice', () => {
  it('matches by service name, port and TLS, with deterministic ids in port order', () => {
    const p = planDevice(probes, cam, all);
    const ids = p.jobs.map((j) => j.id);
    expect(ids).toContain('telnet-default-credentials@10.0.0.5:23/tcp');
    expect(ids).toContain('telnet-default-credentials@10.0.0.5:2323/tcp');
    expect(ids).toContain('tls-configuration@10.0.0.5:443/tcp');
    expect(ids).not.toContain('tls-configuration@10.0.0.5:23/tcp');
    expect(ids.filter((i) => i.startsWith('banner-grab@'))).toEqual([
      'banner-grab@10.0.0.5:23/tcp', 'banner-grab@10.0.0.5:443/tcp', 'banner-grab@10.0.0.5:2323/tcp',
    ]);
    expect(ids).toContain('attack-surface@10.0.0.5');
    expect(ids).toContain('input-fuzz@10.0.0.5');
    expect(ids.some((i) => i.includes(':161/'))).toBe(false); // banner-grab is tcp only
    expect(planDevice(probes, cam, all)).toEqual(p);
  });

  it("starts a host's longest jobs first (typicalMs), otherwise keeps probe and port order", () => {
    const slowTelnet = fakeProbe('telnet-default-credentials', { safety: 'credentials', typicalMs: 12_000, appliesTo: { transport: 'tcp', services: ['telnet'], ports: [23, 2323] } });
    const httpCreds = fakeProbe('http-default-credentials', { safety: 'credentials', typicalMs: 3_000, appliesTo: { transport: 'tcp', tls: true } });
    const ids = planDevice([banner, httpCreds, slowTelnet, surface], cam, all).jobs.map((j) => j.id);
    expect(ids).toEqual([
      'telnet-default-credentials@10.0.0.5:23/tcp', 'telnet-default-credentials@10.0.0.5:2323/tcp',
      'http-default-credentials@10.0.0.5:443/tcp',
      'banner-grab@10.0.0.5:23/tcp', 'banner-grab@10.0.0.5:443/tcp', 'banner-grab@10.0.0.5:2323/tcp',
      'attack-surface@10.0.0.5',
    ]);
  });

  it('plans nothing on the computer running iotcop unless asked, with one entry that says why', () => {
    const self = { ...cam, address: '10.0.0.1', thisComputer: true as const };
    const p = planDevice(probes, self, all);
    expect(p.jobs).toEqual([]);
    expect(p.skipped).toEqual([{ probe: '*', device: '10.0.0.1', reason: 'this-computer', detail: expect.stringMatching(/computer running iotcop.*--include-self/) }]);
    const asked = planDevice(probes, self, { ...all, includeSelf: true });
    expect(asked.jobs.map((j) => j.id)).toEqual(planDevice(probes, { ...cam, address: '10.0.0.1' }, all).jobs.map((j) => j.id));
    expect(asked.jobs.length).toBeGreaterThan(0);
  });

  it('plans nothing on a UDP port that never answered (open|filtered) and says why; an answered one gets its job', () => {
    const snmp = fakeProbe('snmp-default-community', { safety: 'credentials', appliesTo: { transport: 'udp', services: ['snmp'], ports: [161] } });
    const silent = device('10.0.0.7', [service(161, 'snmp', { transport: 'udp', state: 'open|filtered' })]);
    const p = planDevice([snmp], silent, all);
    expect(p.jobs).toEqual([]);
    expect(p.skipped).toEqual([{ probe: 'snmp-default-community', device: '10.0.0.7', port: 161, transport: 'udp', reason: 'no-answer', detail: expect.stringMatching(/answered neither the port scan nor discovery's protocol request/) }]);
    const answered = device('10.0.0.7', [service(161, 'snmp', { transport: 'udp', state: 'open' })]);
    expect(planDevice([snmp], answered, all).jobs.map((j) => j.id)).toEqual(['snmp-default-community@10.0.0.7:161/udp']);
  });

  it('never plans a job on a raw printer port and says so', () => {
    const p = planDevice(probes, cam, all);
    expect(p.jobs.some((j) => j.service?.port === 9100)).toBe(false);
    expect(p.skipped).toContainEqual({ probe: 'banner-grab', device: '10.0.0.5', port: 9100, transport: 'tcp', reason: 'fragile-port', detail: expect.any(String) });
  });

  it('skips probes above the safety level per matching service', () => {
    const p = planDevice(probes, cam, { ...all, safety: 'safe' });
    expect(p.jobs.some((j) => j.probe === telnet || j.probe === fuzz)).toBe(false);
    const reasons = p.skipped.filter((s) => s.reason === 'above-safety-level').map((s) => `${s.probe}:${s.port ?? ''}`);
    expect(reasons.sort()).toEqual(['input-fuzz:', 'telnet-default-credentials:23', 'telnet-default-credentials:2323']);
    expect(planDevice(probes, cam, { ...all, safety: 'credentials' }).jobs.some((j) => j.probe === telnet)).toBe(true);
  });

  it('records no-matching-service for service probes and filtered host probes', () => {
    const bare = device('10.0.0.9', [service(80, 'http')]);
    const p = planDevice(probes, bare, all);
    const nm = p.skipped.filter((s) => s.reason === 'no-matching-service').map((s) => s.probe).sort();
    expect(nm).toEqual(['telnet-default-credentials', 'tls-configuration', 'upnp-disclosure']);
    // An unfiltered host probe still runs on a device with no service at all.
    expect(planDevice(probes, device('10.0.0.10'), all).jobs.map((j) => j.id)).toEqual(['input-fuzz@10.0.0.10', 'attack-surface@10.0.0.10']);
  });

  it('applies --only/--skip by probe id, check id or guideline, then the device lists from targets.yaml', () => {
    const onlyG1 = planDevice(probes, cam, { ...all, only: ['uk-cop-1'] });
    expect(new Set(onlyG1.jobs.map((j) => j.probe.meta.id))).toEqual(new Set(['telnet-default-credentials']));
    expect(onlyG1.skipped.filter((s) => s.reason === 'deselected').map((s) => s.probe)).toContain('banner-grab');
    const skipTelnet = planDevice(probes, cam, { ...all, skip: ['telnet-default-credentials'] });
    expect(skipTelnet.jobs.some((j) => j.probe === telnet)).toBe(false);
    expect(skipTelnet.skipped).toContainEqual(expect.objectContaining({ probe: 'telnet-default-credentials', reason: 'deselected', device: '10.0.0.5' }));
    const perDevice = planDevice(probes, cam, { ...all, deviceSkip: ['banner-grab'] });
    expect(perDevice.jobs.some((j) => j.probe === banner)).toBe(false);
    expect(perDevice.skipped.find((s) => s.probe === 'banner-grab')?.detail).toMatch(/targets\.yaml/);
  });

  it('accounts for every probe on every device: a job or a reason', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ port: fc.integer({ min: 1, max: 65535 }), tls: fc.boolean(), name: fc.constantFrom(undefined, 'telnet', 'http', 'ssh') }), { maxLength: 6 }),
      fc.constantFrom('safe', 'credentials', 'intrusive'),
      (svcs, safety) => {
        const d = device('10.1.1.1', svcs.map((s) => service(s.port, s.name, { tls: { enabled: s.tls } })));
        const p = planDevice(probes, d, { ...all, safety: safety as PlanSettings['safety'] });
        for (const probe of probes.filter((x) => x.meta.appliesTo.scope !== 'run')) {
          const covered = p.jobs.some((j) => j.probe === probe) || p.skipped.some((s) => s.probe === probe.meta.id);
          expect(covered).toBe(true);
        }
        expect(new Set(p.jobs.map((j) => j.id)).size).toBe(p.jobs.length);
        expect(p.jobs.every((j) => !(j.service && (j.service.port === 515 || (j.service.port >= 9100 && j.service.port <= 9107))))).toBe(true);
      },
    ));
  });
});

describe('planRun and plan', () => {
  it('plans one run-scope job, or says why not', () => {
    expect(planRun(probes, [cam], all).jobs.map((j) => j.id)).toEqual(['shared-keys@*']);
    expect(planRun(probes, [cam], { ...all, skip: ['uk-cop-4'] }).skipped).toEqual([
      { probe: 'shared-keys', reason: 'deselected', detail: expect.stringContaining('uk-cop-4') },
    ]);
  });

  it('combines devices (with per-device selection) and the run', () => {
    const other = device('10.0.0.6', [service(23, 'telnet')]);
    const p = plan(probes, [cam, other], all, (d) => (d.address === '10.0.0.6' ? { only: [], skip: [], deviceOnly: ['attack-surface'] } : undefined));
    expect(p.jobs.filter((j) => j.device?.address === '10.0.0.6').map((j) => j.id)).toEqual(['attack-surface@10.0.0.6']);
    expect(p.jobs.at(-1)?.id).toBe('shared-keys@*');
  });

  it('names selectors that match nothing', () => {
    expect(unknownSelectors(probes, ['uk-cop-1', 'banner-grab', 'nope'])).toEqual(['nope']);
    expect(selects(telnet, 'TELNET-DEFAULT-CREDENTIALS')).toBe(true);
  });
});
