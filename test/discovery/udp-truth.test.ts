// UDP truth (issue 18): a UDP port counts as a service only when something answered a protocol request.
// Real software, not our own echo: Debian's net-snmp snmpd with a changed community (it drops every
// v1/v2c request nmap and an empty datagram could send, and answers SNMPv3 discovery) and libcoap's
// coap-server (the CoAP server of lab device "hub"), which ignores an empty datagram and answers a
// CoAP ping with a Reset. Both installed by lab/install-deps; a missing one fails the test.
import { spawn } from 'node:child_process';
import { jest } from '@jest/globals';
import { udpCheck } from '../../src/discovery/collectors/udp-check.js';
import { udpRequest } from '../../src/discovery/collectors/udp-payloads.js';
import { startSnmpd } from '../helpers/snmpd.js';
import { freeUdpPort } from '../net/helpers.js';

jest.setTimeout(30_000);

describe('the UDP re-check asks each protocol its own question', () => {
  test('snmpd with a secret community: silent to an empty datagram, open to SNMPv3 discovery', async () => {
    const agent = await startSnmpd('rocommunity Long-Random-Community-7Q 127.0.0.1');
    try {
      expect(await udpCheck('127.0.0.1', agent.port, 800)).toBe('unknown');
      expect(await udpCheck('127.0.0.1', agent.port, 800, undefined, udpRequest('127.0.0.1', 161).payload)).toBe('open');
    } finally {
      await agent.stop();
    }
  });

  test('libcoap coap-server: silent to an empty datagram, open to a CoAP ping', async () => {
    const port = await freeUdpPort();
    const proc = spawn('/usr/bin/coap-server-openssl', ['-A', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const exited = new Promise<void>((r) => proc.once('exit', () => r()));
    try {
      const ping = udpRequest('127.0.0.1', 5683).payload;
      let state = 'unknown';
      for (let i = 0; i < 30 && state !== 'open'; i++) {
        state = await udpCheck('127.0.0.1', port, 200, undefined, ping);
        if (state !== 'open') await new Promise((r) => setTimeout(r, 100));
      }
      expect(state).toBe('open');
      expect(await udpCheck('127.0.0.1', port, 800)).toBe('unknown');
    } finally {
      proc.kill('SIGTERM');
      await exited;
    }
  });

  test('the requests: CoAP ping is an empty Confirmable, SSDP an M-SEARCH, other ports an empty datagram', () => {
    const ping = udpRequest('10.0.0.2', 5683).payload;
    expect(ping).toHaveLength(4);
    expect(ping[0]).toBe(0x40); // version 1, type CON, token length 0
    expect(ping[1]).toBe(0x00); // code 0.00: empty
    expect(udpRequest('10.0.0.2', 1900).payload.toString('latin1')).toMatch(/^M-SEARCH \* HTTP\/1\.1\r\nHOST: 239\.255\.255\.250:1900\r\nMAN: "ssdp:discover"/);
    expect(udpRequest('10.0.0.2', 161).protocol).toBe('an SNMPv3 discovery request');
    expect(udpRequest('10.0.0.2', 5684).payload).toHaveLength(0);
  });
});
