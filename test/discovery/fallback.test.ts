import http from 'node:http';
import net from 'node:net';
import { discover, NMAP_MISSING_NOTICE, type DiscoveryEvent } from '../../src/discovery/index.js';
import { connectScanHost, isAlive, probePort } from '../../src/discovery/fallback.js';
import { mapLimit } from '../../src/discovery/limit.js';
import { closedPort, concurrencyCounter, setEnv, tcpServer, waitUntil } from './helpers.js';

let restore: () => void = () => {};
afterEach(() => { restore(); restore = () => {}; });

describe('built-in connect scanner', () => {
  test('finds the open ports, sends nothing, and counts a refusal as "up"', async () => {
    const received: Buffer[] = [];
    const a = await tcpServer((s) => s.on('data', (d) => received.push(d)));
    const b = await tcpServer((s) => s.on('data', (d) => received.push(d)));
    const closed = await closedPort();
    try {
      const scan = await connectScanHost('127.0.0.1', [closed, b.port, a.port], { timeoutMs: 1000 });
      expect(scan).toEqual({ address: '127.0.0.1', up: true, open: [a.port, b.port].sort((x, y) => x - y) });
      expect(received).toEqual([]);
      expect(await probePort('127.0.0.1', closed, { timeoutMs: 1000 })).toBe('closed');
      expect(await isAlive('127.0.0.1', [closed], { timeoutMs: 1000 })).toBe(true);
      expect(await probePort('127.0.0.1', a.port, { timeoutMs: 1000, signal: AbortSignal.abort() })).toBe('aborted');
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('bounded concurrency: the worker pool never runs more tasks than allowed; each port is tried once', async () => {
    let active = 0;
    let peak = 0;
    const order = await mapLimit([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 3, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, 5));
      active--;
      return n * 2;
    });
    expect(order).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
    expect(peak).toBe(3);
    // The scanner closes each connection as soon as it is accepted, so the servers' own view of
    // overlap includes the accept backlog; what they can count exactly is one connection per port.
    const counter = concurrencyCounter();
    const servers = await Promise.all(Array.from({ length: 12 }, () => tcpServer(counter.track)));
    try {
      const scan = await connectScanHost('127.0.0.1', servers.map((s) => s.port), { timeoutMs: 1000, concurrency: 3 });
      expect(scan.open).toHaveLength(12);
      await waitUntil(() => counter.total() === 12, 'all connections to be accepted');
      expect(counter.total()).toBe(12);
    } finally {
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe('discover without nmap', () => {
  async function run(targets: string[], ports: string, identify = false): Promise<DiscoveryEvent[]> {
    restore = setEnv({ PATH: '/nonexistent' });
    const events: DiscoveryEvent[] = [];
    for await (const e of discover({ targets, exclude: [], ports, identify, timeoutMs: 1000 })) events.push(e);
    return events;
  }

  test('falls back to the connect scanner with a clear notice; same TCP ports', async () => {
    const a = await tcpServer();
    const b = await tcpServer();
    const closed = await closedPort();
    try {
      const events = await run(['127.0.0.1'], `${a.port},${b.port},${closed},U:161`);
      const caps = events[0]!;
      expect(caps.type === 'capabilities' && caps.capabilities).toMatchObject({ nmap: null, scanType: 'fallback-connect' });
      expect(caps.type === 'capabilities' && caps.capabilities.notices[0]).toBe(NMAP_MISSING_NOTICE);
      expect(NMAP_MISSING_NOTICE).toMatch(/^nmap not found: reduced discovery.*install nmap for/);
      const notices = events.filter((e) => e.type === 'notice').map((e) => (e as { message: string }).message);
      expect(notices[0]).toBe(NMAP_MISSING_NOTICE);
      expect(notices.join(' ')).toMatch(/UDP ports \(161\) are not scanned/);
      expect(events.find((e) => e.type === 'hosts-found')).toEqual({ type: 'hosts-found', addresses: ['127.0.0.1'] });
      const host = events.find((e) => e.type === 'host');
      expect(host && host.type === 'host' && host.device.services.map((s) => s.port)).toEqual([a.port, b.port].sort((x, y) => x - y));
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('ranges leave out network and broadcast addresses; an up host without open ports is still a device', async () => {
    const closed = await closedPort();
    const events = await run(['127.0.0.0/30'], String(closed));
    expect(events.find((e) => e.type === 'hosts-found')).toEqual({ type: 'hosts-found', addresses: ['127.0.0.1', '127.0.0.2'] });
    const devices = events.flatMap((e) => (e.type === 'host' ? [e.device] : []));
    expect(devices.map((d) => [d.address, d.services.length, d.name, d.identification.type]).sort()).toEqual([
      ['127.0.0.1', 0, '127.0.0.1', 'unknown'], ['127.0.0.2', 0, '127.0.0.2', 'unknown'],
    ]);
  });

  test('with identification: banner, web title and a port-table name on loopback', async () => {
    const web = http.createServer((_q, r) => { r.setHeader('Server', 'lighttpd/1.4.35'); r.end('<title>.:: Welcome to the Web-Based Configurator::. router</title>'); });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
    const webPort = (web.address() as net.AddressInfo).port;
    const ssh = await tcpServer((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'));
    try {
      const events = await run(['127.0.0.1'], `${webPort},${ssh.port}`, true);
      const host = events.find((e) => e.type === 'host');
      expect(host?.type).toBe('host');
      const device = (host as { device: import('../../src/report/model.js').Device }).device;
      const sshSvc = device.services.find((s) => s.port === ssh.port)!;
      expect(sshSvc).toMatchObject({ name: 'ssh', product: 'OpenSSH', version: '9.2p1', banner: 'SSH-2.0-OpenSSH_9.2p1 Debian-2' });
      const webSvc = device.services.find((s) => s.port === webPort)!;
      expect(webSvc).toMatchObject({ name: 'http', product: 'lighttpd', version: '1.4.35' });
      expect(device.identification.type).toBe('router');
      expect(device.identification.sources).toContain('http-title');
    } finally {
      web.close();
      await ssh.close();
    }
  });
});
