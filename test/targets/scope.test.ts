import { describe, expect, it } from '@jest/globals';
import { UsageError } from '../../src/errors.js';
import { autoTargets, checkScope, type InterfaceAddress } from '../../src/targets/scope.js';
import { resolveTargets } from '../../src/targets/resolve.js';

const noDns = async () => { throw new Error('no DNS in unit tests'); };
const scope = async (targets: string[], extra: Partial<Parameters<typeof checkScope>[0]> = {}) =>
  checkScope({ targets: await resolveTargets(targets, noDns), exclude: [], allowPublic: false, maxHosts: 65_536, ...extra });

describe('checkScope', () => {
  it('allows loopback, RFC 1918, link-local and unique-local targets', async () => {
    const s = await scope(['127.0.0.1', '10.1.2.0/24', '172.16.5.5', '192.168.1.1-10', '169.254.1.1', 'fd12::1', 'fe80::1']);
    expect(s.size).toBe(1n + 256n + 1n + 10n + 1n + 1n + 1n);
  });

  it('refuses a public address before anything is sent, unless --allow-public', async () => {
    await expect(scope(['8.8.8.8'])).rejects.toThrow(/--allow-public/);
    await expect(scope(['192.168.1.0/24', '8.8.8.8'])).rejects.toThrow(UsageError);
    await expect(scope(['2001:db8::1'])).rejects.toThrow(/--allow-public/);
    expect((await scope(['8.8.8.8'], { allowPublic: true })).blocks).toEqual(['8.8.8.8']);
  });

  it('refuses a range that only partly lies in a private block', async () => {
    await expect(scope(['192.167.255.250-192.168.0.5'])).rejects.toThrow(/outside private/);
    await expect(scope(['0.0.0.0/0'], { allowPublic: true, maxHosts: 2 ** 33 })).rejects.toThrow(/0\.0\.0\.0/);
  });

  it('refuses more addresses than --max-hosts, and a /15 by default', async () => {
    await expect(scope(['10.0.0.0/15'])).rejects.toThrow(/131,072 addresses.*--max-hosts/);
    expect((await scope(['10.0.0.0/16'])).size).toBe(65_536n);
    await expect(scope(['10.0.0.0/24'], { maxHosts: 100 })).rejects.toThrow(/--max-hosts 100/);
  });

  it('removes --exclude addresses and refuses an empty result', async () => {
    const s = await scope(['10.0.0.0/30'], { exclude: ['10.0.0.0', '10.0.0.3'] });
    expect(s.blocks).toEqual(['10.0.0.1', '10.0.0.2']);
    await expect(scope(['10.0.0.1'], { exclude: ['10.0.0.0/24'] })).rejects.toThrow(/excluded/);
  });

  it('checks hostnames on their resolved addresses', async () => {
    const targets = await resolveTargets(['cam.example'], async () => ['93.184.216.34']);
    expect(() => checkScope({ targets, exclude: [], allowPublic: false, maxHosts: 10 })).toThrow(/93\.184\.216\.34/);
    const ok = await resolveTargets(['cam.lan'], async () => ['192.168.1.20']);
    expect(checkScope({ targets: ok, exclude: [], allowPublic: false, maxHosts: 10 }).blocks).toEqual(['192.168.1.20']);
    await expect(resolveTargets(['nowhere.lan'], noDns)).rejects.toThrow(/cannot resolve/);
  });
});

describe('autoTargets (pure, from a given interface list)', () => {
  const ifc = (address: string, netmask: string, internal = false, name = 'eth0'): InterfaceAddress => ({ name, family: 'IPv4', address, netmask, internal });

  it('takes private subnets of non-internal interfaces', () => {
    expect(autoTargets([ifc('192.168.1.23', '255.255.255.0'), ifc('127.0.0.1', '255.0.0.0', true, 'lo')])).toEqual(['192.168.1.0/24']);
  });
  it('narrows a large subnet to the /22 around the machine', () => {
    expect(autoTargets([ifc('10.20.30.40', '255.0.0.0')])).toEqual(['10.20.28.0/22']);
    expect(autoTargets([ifc('10.20.30.40', '255.0.0.0')], 4096)).toEqual(['10.20.16.0/20']);
  });
  it('ignores public, IPv6, point-to-point and malformed interfaces', () => {
    expect(autoTargets([
      ifc('81.2.69.160', '255.255.255.0'),
      { name: 'eth0', family: 'IPv6', address: 'fe80::1', netmask: 'ffff:ffff:ffff:ffff::', internal: false },
      ifc('10.8.0.2', '255.255.255.255', false, 'tun0'),
      ifc('10.9.0.2', '255.0.255.0'),
    ])).toEqual([]);
  });
  it('keeps two private interfaces', () => {
    expect(autoTargets([ifc('192.168.1.23', '255.255.255.0'), ifc('172.16.4.4', '255.255.0.0', false, 'wlan0')]))
      .toEqual(['172.16.4.0/22', '192.168.1.0/24']);
  });
});
