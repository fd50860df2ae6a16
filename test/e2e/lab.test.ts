/**
 * The device lab itself (lab/lab, lab/ground-truth.json): every device is up, answers on exactly the
 * ports the ground truth lists, and nothing can leave the LAN. Needs root (network namespaces); run
 * with `npm run test:e2e` (jest --selectProjects e2e --runInBand).
 *
 * Every packet here goes from the LAN namespace (iotcop-lan) to 10.231.0.0/24, except one connect to
 * 192.0.2.1 (TEST-NET-1, RFC 5737) that must fail with ENETUNREACH before anything is sent.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { parseGroundTruth } from '../lab/ground-truth.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const truth = parseGroundTruth(JSON.parse(readFileSync(`${root}lab/ground-truth.json`, 'utf8')));
const LAN = truth.scanner.namespace;

async function inLan(cmd: string, args: string[], timeout = 60_000): Promise<{ stdout: string; stderr: string }> {
  return run('ip', ['netns', 'exec', LAN, cmd, ...args], { timeout, maxBuffer: 8 * 1024 * 1024 });
}

/** Runs an ES module snippet with node inside the LAN namespace; `input` arrives as process.argv[1]. */
async function nodeInLan<T>(script: string, input: unknown, timeout = 60_000): Promise<T> {
  const { stdout } = await inLan(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(input)], timeout);
  return JSON.parse(stdout) as T;
}

// TCP: connect and close (never a byte: 9100 is a raw printer port). UDP: one read-only request.
const PROBE_PORTS = `
import net from 'node:net';
import dgram from 'node:dgram';
const targets = JSON.parse(process.argv[1]);
const tcp = (host, port) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const done = (r) => { clearTimeout(t); s.destroy(); resolve(r); };
  const t = setTimeout(() => done('timeout'), 3000);
  s.once('connect', () => done('open'));
  s.once('error', (e) => done(e.code));
});
const tlv = (tag, body) => Buffer.concat([Buffer.from([tag, body.length]), body]);
const snmp = () => tlv(0x30, Buffer.concat([tlv(2, Buffer.from([1])), tlv(4, Buffer.from('public')), tlv(0xa0, Buffer.concat([
  tlv(2, Buffer.from([7])), tlv(2, Buffer.from([0])), tlv(2, Buffer.from([0])),
  tlv(0x30, tlv(0x30, Buffer.concat([tlv(6, Buffer.from([0x2b, 6, 1, 2, 1, 1, 1, 0])), Buffer.from([5, 0])])))]))]));
const payloads = {
  snmp,
  upnp: () => Buffer.from('M-SEARCH * HTTP/1.1\\r\\nHOST: 239.255.255.250:1900\\r\\nMAN: "ssdp:discover"\\r\\nMX: 1\\r\\nST: ssdp:all\\r\\n\\r\\n'),
  coap: () => Buffer.concat([Buffer.from([0x40, 1, 0x12, 0x34, 0xbb]), Buffer.from('.well-known'), Buffer.from([4]), Buffer.from('core')]),
};
const udp = (host, port, service) => new Promise((resolve) => {
  const make = payloads[service];
  if (!make) { resolve('no-probe-for-' + service); return; }
  const s = dgram.createSocket('udp4');
  const done = (r) => { clearTimeout(t); s.close(); resolve(r); };
  const t = setTimeout(() => done('no answer'), 3000);
  s.once('message', () => done('open'));
  s.once('error', (e) => done(e.code));
  s.send(make(), port, host);
});
const out = await Promise.all(targets.map(async (x) => ({ ...x,
  result: x.transport === 'tcp' ? await tcp(x.address, x.port) : await udp(x.address, x.port, x.service) })));
process.stdout.write(JSON.stringify(out));
`;

// Connect to every TCP port of one address, 256 at a time; returns the open ones.
const SWEEP = `
import net from 'node:net';
const { host, from, to } = JSON.parse(process.argv[1]);
const open = [];
const errors = {};
const one = (port) => new Promise((resolve) => {
  const s = net.connect({ host, port });
  const done = (r) => { clearTimeout(t); s.destroy(); if (r === 'open') open.push(port); else errors[r] = (errors[r] ?? 0) + 1; resolve(); };
  const t = setTimeout(() => done('timeout'), 3000);
  s.once('connect', () => done('open'));
  s.once('error', (e) => done(e.code));
});
let next = from;
await Promise.all(Array.from({ length: 256 }, async () => { while (next <= to) await one(next++); }));
process.stdout.write(JSON.stringify({ open, errors }));
`;

const CONNECT_TEST_NET = `
import net from 'node:net';
const s = net.connect({ host: '192.0.2.1', port: 80 });
const done = (r) => { clearTimeout(t); s.destroy(); process.stdout.write(JSON.stringify(r)); };
const t = setTimeout(() => done('timeout'), 3000);
s.once('connect', () => done('connected'));
s.once('error', (e) => done(e.code));
`;

beforeAll(async () => {
  await run('bash', [`${root}lab/lab`, 'up'], { timeout: 180_000 });
}, 200_000);

// The e2e project's globalTeardown (test/e2e/global-teardown.mjs) takes the lab down after every e2e file.

describe('device lab', () => {
  it('every open port of the ground truth answers from the LAN namespace', async () => {
    const targets = truth.devices.flatMap((d) => d.openPorts.map((p) => ({ device: d.name, address: d.address, port: p.port, transport: p.transport, service: p.service })));
    expect(targets.length).toBe(37);
    const results = await nodeInLan<(typeof targets[number] & { result: string })[]>(PROBE_PORTS, targets);
    const notOpen = results.filter((r) => r.result !== 'open').map((r) => `${r.device} ${r.port}/${r.transport}: ${r.result}`);
    expect(notOpen).toEqual([]);
  }, 60_000);

  it('each device listens on exactly the ports the ground truth lists (ss inside each namespace)', async () => {
    const listening: Record<string, string[]> = {};
    const expected: Record<string, string[]> = {};
    for (const d of truth.devices) {
      const { stdout } = await run('ip', ['netns', 'exec', `iotcop-${d.name}`, 'ss', '-H', '-l', '-n', '-t', '-u']);
      // Listeners bound to loopback only are not reachable from the LAN (Homebridge opens one on
      // 127.0.0.1 for a moment after its HAP port), so they are not the device's open ports.
      const ports = stdout.split('\n').filter((l) => l.trim() !== '').flatMap((l) => {
        const [netid = '', , , , local = ''] = l.trim().split(/\s+/);
        const host = local.slice(0, local.lastIndexOf(':'));
        if (host.startsWith('127.') || host === '[::1]') return [];
        return [`${local.slice(local.lastIndexOf(':') + 1)}/${netid}`];
      });
      listening[d.name] = [...new Set(ports)].sort();
      expected[d.name] = [...new Set([...d.openPorts, ...d.alsoListening ?? []].map((p) => `${p.port}/${p.transport}`))].sort();
    }
    expect(listening).toEqual(expected);
  }, 30_000);

  it('each device has the MAC address the ground truth records', async () => {
    const { stdout } = await run('ip', ['-n', LAN, '-j', 'neigh', 'show', 'dev', 'br0']);
    const neigh = new Map((JSON.parse(stdout) as { dst: string; lladdr?: string }[]).map((n) => [n.dst, n.lladdr]));
    // The silent device has no port: ping it so it is in the neighbour table too.
    await inLan('busybox', ['ping', '-c', '1', '-W', '2', '10.231.0.16']);
    const { stdout: after } = await run('ip', ['-n', LAN, '-j', 'neigh', 'show', 'dev', 'br0']);
    for (const n of JSON.parse(after) as { dst: string; lladdr?: string }[]) neigh.set(n.dst, n.lladdr);
    expect(Object.fromEntries(truth.devices.map((d) => [d.name, neigh.get(d.address)])))
      .toEqual(Object.fromEntries(truth.devices.map((d) => [d.name, d.mac])));
  }, 30_000);

  it('the silent device answers ping and has no open TCP port', async () => {
    const silent = truth.devices.find((d) => d.name === 'silent')!;
    const ping = await inLan('busybox', ['ping', '-c', '2', '-W', '2', silent.address]);
    expect(ping.stdout).toMatch(/2 packets received/);
    const sweep = await nodeInLan<{ open: number[]; errors: Record<string, number> }>(SWEEP, { host: silent.address, from: 1, to: 65535 }, 120_000);
    expect(sweep).toEqual({ open: [], errors: { ECONNREFUSED: 65535 } });
  }, 150_000);

  it('nothing can leave the LAN: one link route, no IPv6 route, TEST-NET unreachable', async () => {
    const { stdout: v4 } = await run('ip', ['-n', LAN, '-4', 'route', 'show', 'table', 'all']);
    const routes = v4.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^(local|broadcast) /.test(l));
    expect(routes).toEqual(['10.231.0.0/24 dev br0 proto kernel scope link src 10.231.0.1']);
    const { stdout: v6 } = await run('ip', ['-n', LAN, '-6', 'route', 'show']);
    expect(v6.trim()).toBe('');
    expect(await nodeInLan<string>(CONNECT_TEST_NET, null)).toBe('ENETUNREACH');
    // a device namespace has no way out either
    const { stdout: fromCamera } = await run('ip', ['netns', 'exec', 'iotcop-camera', process.execPath, '--input-type=module', '-e', CONNECT_TEST_NET, 'null']);
    expect(JSON.parse(fromCamera)).toBe('ENETUNREACH');
  }, 30_000);

  it('lab up is idempotent: a second up starts nothing and keeps every daemon', async () => {
    const before = (await run('bash', [`${root}lab/lab`, 'status'])).stdout;
    const { stdout } = await run('bash', [`${root}lab/lab`, 'up'], { timeout: 120_000 });
    expect(stdout).toMatch(/\(0 daemons started, \d+ ms\)/);
    const after = (await run('bash', [`${root}lab/lab`, 'status'])).stdout;
    const pids = (s: string) => s.split('\n').filter((l) => l.includes(' running '));
    expect(pids(after)).toEqual(pids(before));
    expect(pids(after).length).toBeGreaterThanOrEqual(19);
  }, 150_000);

  it('the raw printer port was connected to and received no byte', () => {
    const connections = readFileSync(`${root}lab/run/printer/9100-connections.log`, 'utf8');
    expect(connections).toMatch(/"event":"connect"/);
    expect(readFileSync(`${root}lab/run/printer-9100.log`, 'utf8')).toBe('');
  });
});
