import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { discover, DiscoveryError, type DiscoveryEvent, type DiscoveryOptions } from '../../src/discovery/index.js';
import { liveNmapProcesses } from '../../src/discovery/nmap.js';
import { FIXTURES, installFakeNmap, isAliveProcess, setEnv, tcpServer, waitUntil, type FakeNmap } from './helpers.js';

let fake: FakeNmap;
let restore: () => void = () => {};
beforeEach(() => { fake = installFakeNmap(); });
afterEach(() => { restore(); restore = () => {}; fake.cleanup(); });

/** Fake-nmap runs never touch the network; identification stays off so nothing else does either. */
function options(extra: Partial<DiscoveryOptions> = {}): DiscoveryOptions {
  return { targets: ['127.0.0.1', '127.0.0.2'], exclude: [], nmapPath: fake.bin, identify: false, privileged: true, ...extra };
}

async function collect(opts: DiscoveryOptions): Promise<DiscoveryEvent[]> {
  const events: DiscoveryEvent[] = [];
  for await (const e of discover(opts)) events.push(e);
  return events;
}

async function failure(opts: DiscoveryOptions): Promise<{ error: DiscoveryError; events: DiscoveryEvent[] }> {
  const events: DiscoveryEvent[] = [];
  try {
    for await (const e of discover(opts)) events.push(e);
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryError);
    return { error: e as DiscoveryError, events };
  }
  throw new Error('expected a DiscoveryError');
}

const hosts = (events: DiscoveryEvent[]) => events.flatMap((e) => (e.type === 'host' ? [e.device] : []));

describe('discover with nmap (fake binary)', () => {
  test('privileged: capabilities first, host discovery, SYN+UDP port scans, version pass without telnet and printer ports', async () => {
    restore = setEnv({ FAKE_NMAP_LOG: fake.log, FAKE_NMAP_OPEN: '22,23,80,9100' });
    const events = await collect(options({ ports: '22,23,80,9100,U:161', exclude: ['127.0.0.9'] }));
    expect(events[0]).toEqual({ type: 'capabilities', capabilities: { nmap: { path: fake.bin, version: '7.93' }, privileged: true, scanType: 'syn', notices: [] } });
    expect(events[1]).toEqual({ type: 'hosts-found', addresses: ['127.0.0.1', '127.0.0.2'] });
    expect(hosts(events).map((d) => d.address).sort()).toEqual(['127.0.0.1', '127.0.0.2']);

    const runs = fake.runs();
    for (const argv of runs) {
      expect(argv.slice(0, 2)).toEqual(['-oX', '-']);
      expect(argv).toContain('--');
      expect(argv.indexOf('--')).toBeGreaterThan(argv.lastIndexOf('-p'));
    }
    const sn = runs.filter((a) => a.includes('-sn'));
    expect(sn).toHaveLength(1);
    expect(sn[0]).toEqual(expect.arrayContaining(['-n', '--exclude', '127.0.0.9']));
    expect(sn[0]!.slice(sn[0]!.indexOf('--') + 1)).toEqual(['127.0.0.1', '127.0.0.2']);
    const portScans = runs.filter((a) => !a.includes('-sn') && !a.includes('-sV'));
    expect(portScans).toHaveLength(2);
    for (const a of portScans) {
      expect(a).toEqual(expect.arrayContaining(['-sS', '-sU', '-Pn', '-n', '-T4', '--max-retries', '1', '--host-timeout']));
      expect(a[a.indexOf('-p') + 1]).toBe('T:22-23,80,9100,U:161');
    }
    const versionRuns = runs.filter((a) => a.includes('-sV'));
    expect(versionRuns).toHaveLength(2);
    for (const a of versionRuns) {
      expect(a).toContain('--version-light');
      expect(a[a.indexOf('-p') + 1]).toBe('T:22'); // 80 is identified by our own HTTP collector, not -sV
    }

    const d = hosts(events).find((x) => x.address === '127.0.0.1')!;
    expect(d.name).toBe('127.0.0.1');
    expect(d.identification.type).toBe('printer'); // jetdirect on 9100, from scan data only
    expect(d.services.map((s) => [s.port, s.name, s.product ?? null])).toEqual([
      [22, 'fake22', 'FakeProduct'], [23, 'telnet', null], [80, 'port80', null], [9100, 'jetdirect', null],
    ]);
  });

  test('identification first: nmap -sV skips a port our HTTP collector identified and still gets the silent one', async () => {
    const web = http.createServer((_q, r) => { r.setHeader('Server', 'nginx'); r.end('<title>Node-RED</title>'); });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const webPort = (web.address() as AddressInfo).port;
    const silent = await tcpServer();
    try {
      restore = setEnv({ FAKE_NMAP_LOG: fake.log, FAKE_NMAP_OPEN: `${webPort},${silent.port}` });
      const events = await collect(options({ targets: ['127.0.0.1'], ports: `${webPort},${silent.port}`, identify: true, timeoutMs: 400 }));
      const versionRuns = fake.runs().filter((a) => a.includes('-sV'));
      expect(versionRuns).toHaveLength(1);
      expect(versionRuns[0]![versionRuns[0]!.indexOf('-p') + 1]).toBe(`T:${silent.port}`);
      const d = hosts(events)[0]!;
      // the port-table guess ("portNNNN") gave way to what answered; the silent port has -sV's verdict
      expect(d.services.find((s) => s.port === webPort)).toMatchObject({ name: 'http', product: 'nginx' });
      expect(d.services.find((s) => s.port === silent.port)).toMatchObject({ name: `fake${silent.port}`, product: 'FakeProduct' });
    } finally {
      web.close();
      await silent.close();
    }
  }, 20_000);

  test('unprivileged: connect scan, no UDP, and a notice that says so', async () => {
    restore = setEnv({ FAKE_NMAP_LOG: fake.log });
    const events = await collect(options({ privileged: false, targets: ['127.0.0.1'], ports: '22,80,U:161' }));
    const caps = events[0]!;
    expect(caps.type === 'capabilities' && caps.capabilities.scanType).toBe('connect');
    expect(events.filter((e) => e.type === 'notice').map((e) => (e as { message: string }).message).join(' ')).toMatch(/not running as root.*connect scan.*UDP ports \(161\) are not scanned/);
    const portScan = fake.runs().find((a) => !a.includes('-sn') && !a.includes('-sV'))!;
    expect(portScan).toEqual(expect.arrayContaining(['-sT', '--unprivileged']));
    expect(portScan).not.toContain('-sU');
    expect(portScan[portScan.indexOf('-p') + 1]).toBe('T:22,80');
  });

  test('streaming: the first host is emitted while another host is still being scanned', async () => {
    const release = path.join(fake.dir, 'release');
    restore = setEnv({ FAKE_NMAP_BLOCK: '127.0.0.2', FAKE_NMAP_RELEASE: release });
    const order: string[] = [];
    for await (const e of discover(options({ ports: '22,80', hostConcurrency: 2 }))) {
      if (e.type !== 'host') continue;
      order.push(e.device.address);
      // The scan of 127.0.0.2 only finishes after this file exists: had discovery waited for every
      // host before emitting, this loop would never get here and the test would time out.
      if (e.device.address === '127.0.0.1') writeFileSync(release, 'go');
    }
    expect(order).toEqual(['127.0.0.1', '127.0.0.2']);
  });

  test('leaving the loop early stops nmap: no process is left behind', async () => {
    restore = setEnv({ FAKE_NMAP_BLOCK: '127.0.0.1', FAKE_NMAP_RELEASE: path.join(fake.dir, 'never'), FAKE_NMAP_PIDFILE: fake.pidFile, FAKE_NMAP_LOG: fake.log });
    let pid = 0;
    for await (const e of discover(options({ targets: ['127.0.0.1'], ports: '22' }))) {
      if (e.type === 'hosts-found') {
        await waitUntil(() => fake.runs().length === 2 && existsSync(fake.pidFile) && isAliveProcess(Number(readFileSync(fake.pidFile, 'utf8'))), 'the port scan to start');
        pid = Number(readFileSync(fake.pidFile, 'utf8'));
        break;
      }
    }
    expect(pid).toBeGreaterThan(0);
    expect(isAliveProcess(pid)).toBe(false);
    expect(liveNmapProcesses()).toBe(0);
  });

  test('aborting the signal ends the stream with an aborted error and kills nmap', async () => {
    restore = setEnv({ FAKE_NMAP_BLOCK: '127.0.0.1', FAKE_NMAP_RELEASE: path.join(fake.dir, 'never'), FAKE_NMAP_PIDFILE: fake.pidFile, FAKE_NMAP_LOG: fake.log });
    const ac = new AbortController();
    let pid = 0;
    const events: DiscoveryEvent[] = [];
    let error: unknown;
    try {
      for await (const e of discover(options({ targets: ['127.0.0.1'], ports: '22', signal: ac.signal }))) {
        events.push(e);
        if (e.type === 'hosts-found') {
          await waitUntil(() => fake.runs().length === 2 && existsSync(fake.pidFile) && isAliveProcess(Number(readFileSync(fake.pidFile, 'utf8'))), 'the port scan to start');
          pid = Number(readFileSync(fake.pidFile, 'utf8'));
          ac.abort();
        }
      }
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DiscoveryError);
    expect((error as DiscoveryError).kind).toBe('aborted');
    expect(isAliveProcess(pid)).toBe(false);
    expect(events.map((e) => e.type)).toEqual(['capabilities', 'hosts-found']);
  });

  test('a host with every port open (tarpit) is flagged; the port list and version detection are capped', async () => {
    restore = setEnv({ FAKE_NMAP_LOG: fake.log, FAKE_NMAP_OPEN: Array.from({ length: 700 }, (_, i) => i + 1).join(',') });
    const events = await collect(options({ targets: ['127.0.0.1'], ports: '1-700' }));
    const device = hosts(events)[0]!;
    expect(device.services.length).toBe(512);
    expect(device.services.some((s) => s.port === 699)).toBe(false);
    expect(device.services.some((s) => s.port === 554)).toBe(true);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message).join('\n');
    expect(warnings).toMatch(/700 open TCP ports — possibly a tarpit/);
    expect(warnings).toMatch(/version detection limited to 64 of/);
    const versionRun = fake.runs().find((a) => a.includes('-sV'))!;
    const spec = versionRun[versionRun.indexOf('-p') + 1]!;
    expect(spec).not.toMatch(/\b23\b/);
    expect(spec.split(',').length).toBeLessThanOrEqual(64);
  });

  test('stderr lines become warning events', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'warn' });
    const events = await collect(options({ targets: ['127.0.0.1'], ports: '22' }));
    expect(events.filter((e) => e.type === 'warning').map((e) => (e as { message: string }).message)).toContain('nmap: WARNING: a warning that is not a failure');
    expect(hosts(events)).toHaveLength(1);
  });

  test('nmap failing in host discovery ends the stream with nmap-failed', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'fail' });
    const { error, events } = await failure(options());
    expect(error.kind).toBe('nmap-failed');
    expect(events[0]!.type).toBe('capabilities');
  });

  test('bad arguments are rejected before anything runs', async () => {
    restore = setEnv({ FAKE_NMAP_LOG: fake.log });
    expect((await failure(options({ ports: '80;reboot' }))).error.kind).toBe('bad-arguments');
    expect((await failure(options({ targets: ['printer.local'] }))).error.kind).toBe('bad-arguments');
    expect((await failure(options({ targets: ['192.168.1'] }))).error.kind).toBe('bad-arguments');
    expect((await failure(options({ targets: [] }))).error.kind).toBe('bad-arguments');
    expect((await failure(options({ hostConcurrency: 0 }))).error.kind).toBe('bad-arguments');
    expect(fake.runs()).toEqual([]);
  });

  test('an explicit nmap path that does not exist is nmap-missing', async () => {
    const { error, events } = await failure(options({ nmapPath: path.join(fake.dir, 'missing') }));
    expect(error.kind).toBe('nmap-missing');
    expect(events).toEqual([]);
  });

  test('--require-nmap without nmap on PATH is nmap-missing', async () => {
    restore = setEnv({ PATH: '/nonexistent' });
    const { nmapPath: _omit, ...rest } = options({ requireNmap: true });
    const { error } = await failure(rest);
    expect(error.kind).toBe('nmap-missing');
    expect(error.message).toMatch(/install nmap/);
  });
});

describe('discover --nmap-xml (import)', () => {
  const file = path.join(FIXTURES, 'full.xml');

  test('emits the up hosts of the file without scanning', async () => {
    const events = await collect({ targets: [], exclude: [], nmapXmlFile: file, identify: false });
    const caps = events[0]!;
    expect(caps.type === 'capabilities' && caps.capabilities).toMatchObject({ nmap: null, scanType: 'import' });
    expect(events.find((e) => e.type === 'hosts-found')).toEqual({ type: 'hosts-found', addresses: ['192.0.2.10', '2001:db8::1'] });
    const devices = hosts(events);
    expect(devices).toHaveLength(2);
    const camera = devices.find((d) => d.address === '192.0.2.10')!;
    expect(camera.identification.type).toBe('camera');
    expect(camera.identification.confidence).toBe('high');
    expect(camera.services.find((s) => s.port === 443)!.scripts!.map((s) => s.id)).toEqual(['ssl-cert']);
  });

  test('targets scope the import; exclusions and overrides apply', async () => {
    const overrides = new Map([['192.0.2.10', { name: 'Front door', type: 'camera' as const, vendor: 'Dahua' }]]);
    const events = await collect({ targets: ['192.0.2.0/24'], exclude: [], nmapXmlFile: file, identify: false, overrides });
    expect(hosts(events).map((d) => [d.address, d.name, d.identification.vendor])).toEqual([['192.0.2.10', 'Front door', 'Dahua']]);
    expect(events.some((e) => e.type === 'warning' && /2001:db8::1 .*outside the targets/.test(e.message))).toBe(true);
    const excluded = await collect({ targets: [], exclude: ['192.0.2.10'], nmapXmlFile: file, identify: false });
    expect(hosts(excluded).map((d) => d.address)).toEqual(['2001:db8::1']);
  });

  test('a truncated or missing file is a typed error', async () => {
    expect((await failure({ targets: [], exclude: [], nmapXmlFile: path.join(FIXTURES, 'truncated.xml'), identify: false })).error.kind).toBe('xml-invalid');
    expect((await failure({ targets: [], exclude: [], nmapXmlFile: path.join(FIXTURES, 'missing.xml'), identify: false })).error.kind).toBe('io');
  });
});
