import { THIS_COMPUTER_NAME, THIS_COMPUTER_SOURCE, localAddresses, markThisComputer } from '../../src/discovery/this-computer.js';
import type { Device } from '../../src/model.js';

const dev = (address: string, over: Partial<Device> = {}): Device => ({
  address, hostnames: [], name: address, identification: { type: 'unknown', confidence: 'low', sources: [] }, services: [], ...over,
});

describe('this computer', () => {
  test('local addresses: every interface, canonical, zone dropped, junk ignored', () => {
    const set = localAddresses([
      { address: '127.0.0.1' }, { address: '10.231.0.1' }, { address: 'fe80::0001%eth0' }, { address: '2001:db8:0:0::5' }, { address: 'not-an-ip' },
    ]);
    expect([...set].sort()).toEqual(['10.231.0.1', '127.0.0.1', '2001:db8::5', 'fe80::1']);
  });

  test('a local address is marked, named and typed from its own interfaces; any other device is untouched', () => {
    const local = new Set(['10.231.0.1']);
    const other = dev('10.231.0.10');
    expect(markThisComputer(other, local)).toBe(other);
    const me = markThisComputer(dev('10.231.0.1', { identification: { type: 'unknown', confidence: 'low', sources: ['mac-oui'] } }), local);
    expect(me).toMatchObject({ thisComputer: true, name: THIS_COMPUTER_NAME, identification: { type: 'computer', confidence: 'high', sources: [THIS_COMPUTER_SOURCE, 'mac-oui'] } });
    // a name the owner gave it and a type discovery already found are kept
    const named = markThisComputer(dev('10.231.0.1', { name: 'Media PC', identification: { type: 'nas', confidence: 'medium', sources: [] } }), local, true);
    expect(named).toMatchObject({ thisComputer: true, name: 'Media PC', identification: { type: 'nas' } });
  });
});
