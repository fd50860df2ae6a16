/**
 * The real nmap binary (installed on the build machine) against servers of this test on 127.0.0.1:
 * arguments, XML parsing and the version pass work end to end, and version detection stays off a
 * service that negotiates telnet on an unusual port.
 */
import { discover, type DiscoveryEvent } from '../../src/discovery/index.js';
import type { Device } from '../../src/report/model.js';
import { tcpServer } from './helpers.js';

test('connect scan + version detection of loopback services; telnet gets no probes', async () => {
  const ssh = await tcpServer((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'));
  const telnetBytes: Buffer[] = [];
  const telnet = await tcpServer((s) => {
    s.on('data', (d) => telnetBytes.push(d));
    s.write(Buffer.concat([Buffer.from([0xff, 0xfd, 0x01, 0xff, 0xfd, 0x1f, 0xff, 0xfb, 0x01, 0xff, 0xfb, 0x03]), Buffer.from('\r\ncam login: ')]));
  });
  try {
    const events: DiscoveryEvent[] = [];
    for await (const e of discover({ targets: ['127.0.0.1'], exclude: [], ports: `${ssh.port},${telnet.port}`, identify: false, privileged: false })) events.push(e);
    const caps = events[0]!;
    expect(caps.type === 'capabilities' && caps.capabilities.nmap?.version).toMatch(/^\d+\.\d+/);
    expect(caps.type === 'capabilities' && caps.capabilities.scanType).toBe('connect');
    expect(events.find((e) => e.type === 'hosts-found')).toEqual({ type: 'hosts-found', addresses: ['127.0.0.1'] });
    const device = (events.find((e) => e.type === 'host') as { device: Device }).device;
    const sshSvc = device.services.find((s) => s.port === ssh.port)!;
    expect(sshSvc).toMatchObject({ transport: 'tcp', state: 'open', name: 'ssh', product: 'OpenSSH' });
    expect(sshSvc.version).toMatch(/^9\.2p1/);
    expect(device.services.find((s) => s.port === telnet.port)).toMatchObject({ state: 'open', name: 'telnet', banner: 'cam login:' });
    expect(Buffer.concat(telnetBytes).length).toBe(0);
  } finally {
    await ssh.close();
    await telnet.close();
  }
}, 120_000);
