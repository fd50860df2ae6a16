/**
 * Discovery against the device lab (lab/lab up; lab/ground-truth.json). Needs root and the lab:
 * run with `npm run test:e2e`. Discovery runs inside the LAN namespace (iotcop-lan), so every packet
 * stays on 10.231.0.0/24; the scan excludes the scanner's own address.
 *
 * The discovery modules are transpiled (no type check: ts-jest does that) to a temporary directory
 * and run by a child `node` under `ip netns exec`, which prints each event with a timestamp.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import type { DiscoveryEvent } from '../../src/discovery/index.js';
import type { Device } from '../../src/report/model.js';
import { parseGroundTruth } from '../lab/ground-truth.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const truth = parseGroundTruth(JSON.parse(readFileSync(path.join(root, 'lab/ground-truth.json'), 'utf8')));
const LAN = truth.scanner.namespace;

interface Stamped { t: number; event: DiscoveryEvent }

let build = '';

/** Transpiles src (discovery and what it imports: the model, data, text, net/scope) to ESM JavaScript (imports keep their .js suffixes); data JSON is copied. */
function transpile(): string {
  const out = mkdtempSync(path.join(tmpdir(), 'iotcop-e2e-discovery-'));
  writeFileSync(path.join(out, 'package.json'), '{"type":"module"}\n');
  symlinkSync(path.join(root, 'node_modules'), path.join(out, 'node_modules'), 'dir');
  const walk = (dir: string): string[] => readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? walk(full) : full.endsWith('.ts') || full.endsWith('.json') ? [full] : [];
  });
  for (const file of walk(path.join(root, 'src'))) {
    if (file.endsWith('.json')) {
      const copy = path.join(out, path.relative(path.join(root, 'src'), file));
      mkdirSync(path.dirname(copy), { recursive: true });
      writeFileSync(copy, readFileSync(file));
      continue;
    }
    const js = ts.transpileModule(readFileSync(file, 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      fileName: file,
    }).outputText;
    const dest = path.join(out, path.relative(path.join(root, 'src'), file)).replace(/\.ts$/, '.js');
    mkdirSync(path.dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
  return out;
}

const RUNNER = `
const [dir, json] = process.argv.slice(1);
const { discover } = await import(dir + '/discovery/index.js');
try {
  for await (const event of discover(JSON.parse(json))) console.log(JSON.stringify({ t: Date.now(), event }));
} catch (e) {
  console.log(JSON.stringify({ t: Date.now(), error: { kind: e.kind, message: e.message } }));
}
`;

/** Runs discovery in the LAN namespace. `noNmap` hides nmap (PATH without it) to test the fallback. */
async function discoverInLan(options: Record<string, unknown>, noNmap = false): Promise<Stamped[]> {
  const node = ['--input-type=module', '-e', RUNNER, build, JSON.stringify(options)];
  const args = noNmap
    ? ['netns', 'exec', LAN, '/usr/bin/env', 'PATH=/nonexistent', process.execPath, ...node]
    : ['netns', 'exec', LAN, process.execPath, ...node];
  const { stdout } = await run('ip', args, { timeout: 280_000, maxBuffer: 32 * 1024 * 1024 });
  const lines = stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Stamped & { error?: { kind: string; message: string } });
  const failed = lines.find((l) => l.error);
  if (failed) throw new Error(`discovery failed in the lab: ${failed.error!.kind}: ${failed.error!.message}`);
  return lines;
}

const labOptions = { targets: [truth.subnet], exclude: [truth.scanner.address], timeoutMs: 3000 };
const devicesOf = (events: Stamped[]): Map<string, Device> =>
  new Map(events.flatMap((s) => (s.event.type === 'host' ? [[s.event.device.address, s.event.device] as const] : [])));
const tcpPorts = (d: Device | undefined) => (d?.services ?? []).filter((s) => s.transport === 'tcp').map((s) => s.port).sort((a, b) => a - b);

beforeAll(async () => {
  const { stdout } = await run('ip', ['netns', 'list']);
  if (!stdout.split('\n').some((l) => l.split(' ')[0] === LAN)) {
    throw new Error(`the device lab is not up (no ${LAN} namespace): run \`sudo bash lab/lab up\` first`);
  }
  build = transpile();
});

afterAll(() => {
  if (build) rmSync(build, { recursive: true, force: true });
});

describe('discovery with nmap in the lab', () => {
  let events: Stamped[] = [];
  let printerLogBefore = -1;
  const printerLog = truth.devices.flatMap((d) => d.noTraffic ?? []).map((n) => path.join(root, n.log));

  beforeAll(async () => {
    printerLogBefore = printerLog.reduce((sum, f) => sum + statSync(f).size, 0);
    events = await discoverInLan({ ...labOptions, hostConcurrency: 4 });
  }, 300_000);

  test('capabilities first: SYN scan as root', () => {
    expect(events[0]!.event.type).toBe('capabilities');
    const caps = events[0]!.event.type === 'capabilities' ? events[0]!.event.capabilities : undefined;
    expect(caps).toMatchObject({ privileged: true, scanType: 'syn' });
    expect(caps!.nmap?.path).toMatch(/nmap$/);
  });

  test('every ground-truth device is found, with its MAC; the silent one too', () => {
    const found = events.find((s) => s.event.type === 'hosts-found')!.event as { addresses: string[] };
    const devices = devicesOf(events);
    for (const d of truth.devices) {
      expect(found.addresses).toContain(d.address);
      const dev = devices.get(d.address);
      expect(dev).toBeDefined();
      expect(dev!.mac).toBe(d.mac);
      if (d.macRandomised) expect(dev!.macRandomised).toBe(true);
    }
    // The silent device has no open port. A UDP port that never answers can still be listed as
    // open|filtered (Linux rate-limits its "port unreachable" replies), which says "no answer", not "open".
    expect(devices.get(truth.devices.find((d) => d.name === 'silent')!.address)!.services.filter((s) => s.state === 'open')).toEqual([]);
    expect(found.addresses).not.toContain(truth.scanner.address);
  });

  test('every ground-truth open port is found, and no TCP port that is not there', () => {
    const devices = devicesOf(events);
    for (const d of truth.devices) {
      const dev = devices.get(d.address)!;
      const have = new Set(dev.services.map((s) => `${s.port}/${s.transport}`));
      for (const p of d.openPorts) expect([d.name, have.has(`${p.port}/${p.transport}`), p.port, p.transport]).toEqual([d.name, true, p.port, p.transport]);
      expect([d.name, tcpPorts(dev)]).toEqual([d.name, d.openPorts.filter((p) => p.transport === 'tcp').map((p) => p.port).sort((a, b) => a - b)]);
      const definitelyOpenUdp = dev.services.filter((s) => s.transport === 'udp' && s.state === 'open').map((s) => `${s.port}/udp`);
      for (const u of definitelyOpenUdp) expect([d.name, d.openPorts.some((p) => `${p.port}/${p.transport}` === u)]).toEqual([d.name, true]);
    }
  });

  test('the camera, router, printer and hub are identified by type', () => {
    const devices = devicesOf(events);
    for (const name of ['camera', 'router', 'printer', 'hub']) {
      const d = truth.devices.find((x) => x.name === name)!;
      expect([name, devices.get(d.address)!.identification.type]).toEqual([name, d.type]);
    }
    const router = devices.get(truth.devices.find((x) => x.name === 'router')!.address)!;
    expect(router.identification.sources).toContain('upnp');
  });

  test('service details: versions where nmap can tell, telnet named from its negotiation', () => {
    const devices = devicesOf(events);
    const router = devices.get(truth.devices.find((x) => x.name === 'router')!.address)!;
    expect(router.services.find((s) => s.port === 80)).toMatchObject({ product: 'lighttpd', version: '1.4.35' });
    const camera = devices.get(truth.devices.find((x) => x.name === 'camera')!.address)!;
    expect(camera.services.find((s) => s.port === 23)?.name).toBe('telnet');
    expect(camera.services.find((s) => s.port === 443)?.tls?.enabled).toBe(true);
  });

  test('streaming: the first host is handed over well before the last one is done', () => {
    const hostTimes = events.filter((s) => s.event.type === 'host').map((s) => s.t);
    expect(hostTimes.length).toBe(truth.devices.length);
    const first = Math.min(...hostTimes);
    const last = Math.max(...hostTimes);
    // All hosts emitted in one burst at the end would put these within a few milliseconds.
    expect(last - first).toBeGreaterThan(1000);
  });

  test('not a byte reached the raw printer port', () => {
    const after = printerLog.reduce((sum, f) => sum + statSync(f).size, 0);
    expect(after).toBe(printerLogBefore);
  });
});

describe('discovery without nmap in the lab', () => {
  let withNmap: Stamped[] = [];
  let without: Stamped[] = [];

  beforeAll(async () => {
    without = await discoverInLan({ ...labOptions, identify: false }, true);
    withNmap = await discoverInLan({ ...labOptions, identify: false });
  }, 300_000);

  test('falls back to the connect scanner with the notice', () => {
    const caps = without[0]!.event;
    expect(caps.type === 'capabilities' && caps.capabilities).toMatchObject({ nmap: null, scanType: 'fallback-connect' });
    expect(without.some((s) => s.event.type === 'notice' && /^nmap not found: reduced discovery/.test(s.event.message))).toBe(true);
  });

  test('finds the same TCP ports as nmap on every device with open ports', () => {
    const a = devicesOf(withNmap);
    const b = devicesOf(without);
    for (const d of truth.devices) {
      const expected = d.openPorts.filter((p) => p.transport === 'tcp').map((p) => p.port).sort((x, y) => x - y);
      if (expected.length === 0) continue;
      expect([d.name, tcpPorts(b.get(d.address))]).toEqual([d.name, expected]);
      expect([d.name, tcpPorts(b.get(d.address))]).toEqual([d.name, tcpPorts(a.get(d.address))]);
    }
  });
});
