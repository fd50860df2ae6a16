import { discoveryArgs, portScanArgs, versionArgs, versionCandidates } from '../../src/discovery/args.js';
import { Channel } from '../../src/discovery/channel.js';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { mapLimit, Semaphore } from '../../src/discovery/limit.js';
import { isLocallyAdministered, loadOuiTable, lookupVendor, normaliseMac } from '../../src/discovery/mac.js';
import { canonicalAddress } from '../../src/discovery/map.js';
import { parseProcNetArp } from '../../src/discovery/neighbours.js';
import { detectPrivileges, parseCapabilityMask } from '../../src/discovery/privileges.js';
import { expandTargets, inNetworks, parseTarget } from '../../src/discovery/targets.js';
import { cap } from '../../src/discovery/text.js';
import type { Device } from '../../src/report/model.js';

describe('MAC addresses', () => {
  test('normalisation and the locally administered bit', () => {
    expect(normaliseMac('3C-EF-8C-4D-21-0A')).toBe('3c:ef:8c:4d:21:0a');
    expect(normaliseMac('3cef.8c4d.210a')).toBe('3c:ef:8c:4d:21:0a');
    expect(normaliseMac('nonsense')).toBeUndefined();
    expect(isLocallyAdministered('02:1a:b0:21:00:15')).toBe(true);
    expect(isLocallyAdministered('3c:ef:8c:4d:21:0a')).toBe(false);
  });

  test('vendor from oui-data, longest prefix first; none for random MACs', async () => {
    const table = await loadOuiTable();
    expect(table.size).toBeGreaterThan(30_000);
    expect(lookupVendor('3c:ef:8c:4d:21:0a', table)).toMatch(/Dahua/i);
    expect(lookupVendor('24:0a:c4:7c:1f:0c', table)).toMatch(/Espressif/i);
    expect(lookupVendor('02:1a:b0:21:00:15', table)).toBeUndefined();
    const fake = new Map([['AABBCC', 'Big block\nstreet'], ['AABBCCD', 'Medium block'], ['AABBCCDDE', 'Small block']]);
    expect(lookupVendor('a8:bb:cc:dd:ee:ff', fake)).toBeUndefined();
    expect(lookupVendor('AA:BB:CC:DD:EE:FF', new Map([['AABBCC', 'Big block\nstreet']]))).toBeUndefined(); // 0xAA has the local bit
    const universal = new Map([['A8BBCC', 'Big\nstreet'], ['A8BBCCD', 'Medium'], ['A8BBCCDDE', 'Small']]);
    expect(lookupVendor('a8:bb:cc:dd:ee:ff', universal)).toBe('Small');
    expect(lookupVendor('a8:bb:cc:d0:ee:ff', universal)).toBe('Medium');
    expect(lookupVendor('a8:bb:cc:00:ee:ff', universal)).toBe('Big');
  });
});

describe('targets', () => {
  test('validation, families and membership', () => {
    expect(parseTarget('10.0.0.0/24')).toMatchObject({ family: 4, size: 256n, single: false });
    expect(parseTarget('fd00::1')).toMatchObject({ family: 6, single: true });
    for (const bad of ['192.168.1', 'host.lan', '10.0.0.0/33', '10.0.0.0/24/1', '-oX']) expect(() => parseTarget(bad)).toThrow(DiscoveryError);
    expect(inNetworks('10.231.0.12', ['10.231.0.0/24'])).toBe(true);
    expect(inNetworks('10.231.1.12', ['10.231.0.0/24', 'fd00::/64'])).toBe(false);
    expect(inNetworks('fd00::5', ['fd00::/64'])).toBe(true);
  });

  test('expansion skips network, broadcast and exclusions, and is bounded', () => {
    expect(expandTargets(['10.0.0.0/29'], ['10.0.0.3'], 100).map((t) => t.address)).toEqual(['10.0.0.1', '10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
    expect(expandTargets(['10.0.0.7', '10.0.0.7'], [], 100)).toEqual([{ address: '10.0.0.7', fromRange: false }]);
    expect(() => expandTargets(['10.0.0.0/8'], [], 65_536)).toThrow(DiscoveryError);
  });

  test('canonical addresses', () => {
    expect(canonicalAddress('2001:0DB8:0:0::1')).toBe('2001:db8::1');
    expect(canonicalAddress('10.0.0.1')).toBe('10.0.0.1');
    expect(canonicalAddress('10.1')).toBeUndefined();
  });
});

describe('nmap argument arrays', () => {
  const priv = { privileged: true, needsPrivilegedFlag: false, family: 4 as const };
  const unpriv = { privileged: false, needsPrivilegedFlag: false, family: 6 as const };

  test('targets always follow "--"; IPv6 adds -6', () => {
    const a = discoveryArgs(['-oN', '/etc/passwd'], [], priv);
    expect(a.slice(a.indexOf('--'))).toEqual(['--', '-oN', '/etc/passwd']);
    expect(discoveryArgs(['fd00::/120'], [], unpriv)).toEqual(expect.arrayContaining(['-6', '--unprivileged', '-sn']));
  });

  test('the ping sweep keeps its pace on a mostly empty range (min rate and parallelism), the port scans do not get it', () => {
    const a = discoveryArgs(['10.0.0.0/24'], [], priv);
    expect(a[a.indexOf('--min-rate') + 1]).toBe('500');
    expect(a[a.indexOf('--min-parallelism') + 1]).toBe('64');
    expect(portScanArgs(['10.0.0.1'], { tcp: [80], udp: [] }, priv)).not.toContain('--min-rate');
  });

  test('capabilities without root add --privileged', () => {
    expect(portScanArgs(['10.0.0.1'], { tcp: [80], udp: [161] }, { ...priv, needsPrivilegedFlag: true })).toEqual(expect.arrayContaining(['--privileged', '-sS', '-sU']));
    expect(portScanArgs(['10.0.0.1'], { tcp: [], udp: [161] }, priv)).not.toContain('-sS');
    expect(versionArgs('10.0.0.1', [22, 80, 81], unpriv)).toEqual(expect.arrayContaining(['-sT', '-sV', '--version-light', 'T:22,80-81']));
  });

  test('version detection never gets telnet (by port, name or banner) or printer ports', () => {
    const d: Device = {
      address: '10.0.0.1', hostnames: [], name: 'x', identification: { type: 'unknown', confidence: 'low', sources: [] },
      services: [22, 23, 80, 515, 2323, 8023, 9100, 9107, 9999].map((port) => ({ port, transport: 'tcp' as const, state: 'open' as const, ...(port === 8023 ? { name: 'telnet' } : {}) })),
    };
    d.services.push({ port: 161, transport: 'udp', state: 'open' });
    expect(versionCandidates(d)).toEqual([22, 9999]); // 80: our own HTTP collector, not -sV
    expect(versionCandidates(d, [9999])).toEqual([22]);
  });
});

describe('small parts', () => {
  test('/proc/net/arp parsing keeps complete entries only', () => {
    const text = [
      'IP address       HW type     Flags       HW address            Mask     Device',
      '10.231.0.10      0x1         0x2         3c:ef:8c:4d:21:0a     *        br0',
      '10.231.0.99      0x1         0x0         00:00:00:00:00:00     *        br0',
      'garbage',
    ].join('\n');
    expect([...parseProcNetArp(text)]).toEqual([['10.231.0.10', '3c:ef:8c:4d:21:0a']]);
  });

  test('capability masks and the privilege override', async () => {
    expect(parseCapabilityMask('CapEff:\t0000000000002000\n', 'CapEff')).toBe(0x2000n);
    expect(parseCapabilityMask('nothing', 'CapAmb')).toBeNull();
    expect(await detectPrivileges(false)).toMatchObject({ privileged: false, reason: 'option' });
  });

  test('caps keep strings short without splitting surrogate pairs', () => {
    expect(cap('  x  ')).toBe('x');
    expect(cap('')).toBeUndefined();
    expect(cap('a'.repeat(199) + '😀', 200)).toBe('a'.repeat(199));
  });

  test('mapLimit: the first error stops new work, aborts the rest and is thrown after they settle', async () => {
    const ac = new AbortController();
    const started: number[] = [];
    let settled = 0;
    const p = mapLimit([1, 2, 3, 4, 5, 6], 2, async (n) => {
      started.push(n);
      if (n === 1) throw new DiscoveryError('bad-arguments', 'first');
      await new Promise((r) => setTimeout(r, 20));
      settled++;
      return n;
    }, ac);
    await expect(p).rejects.toThrow('first');
    expect(ac.signal.aborted).toBe(true);
    expect(started).toEqual([1, 2]);
    expect(settled).toBe(1);
  });

  test('semaphore and channel', async () => {
    const sem = new Semaphore(2);
    await Promise.all(Array.from({ length: 6 }, () => sem.run(() => new Promise((r) => setTimeout(r, 5)))));
    expect(sem.peak).toBe(2);
    const ch = new Channel<number>();
    ch.push(1);
    ch.fail(new Error('boom'));
    const seen: number[] = [];
    await expect((async () => { for await (const v of ch) seen.push(v); })()).rejects.toThrow('boom');
    expect(seen).toEqual([1]);
  });
});
