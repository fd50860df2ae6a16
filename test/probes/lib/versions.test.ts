import fc from 'fast-check';
import {
  BUNDLED_VULN_DATA, compareVersions, distroOf, extractFromCpe, extractFromNmapService, extractFromText, firstFixed,
  inRange, isAffected, matchAdvisories, matchEndOfLife, normaliseVersion, productForName, upstreamOfPackageVersion,
  validateVulnData, type VersionObservation,
} from '../../../src/probes/lib/versions.js';

const lt = (a: string, b: string) => {
  expect(compareVersions(a, b)).toBeLessThan(0);
  expect(compareVersions(b, a)).toBeGreaterThan(0);
};

describe('compareVersions', () => {
  test('numbers compare as numbers, not strings', () => {
    lt('1.4.4', '1.4.35');
    lt('1.4.35', '1.4.36');
    lt('1.9', '1.10');
    lt('2.78', '2.83');
    expect(compareVersions('1.04', '1.4')).toBe(0);
  });

  test('OpenSSH p-suffixes sit just above the base release', () => {
    lt('7.4', '7.4p1');
    lt('7.4p1', '7.4p2');
    lt('7.4p2', '7.5');
    lt('7.7p1', '7.8');
    lt('9.7p1', '9.8');
    lt('9.8', '9.8p1');
  });

  test('Dropbear year.release versions', () => {
    lt('2016.73', '2016.74');
    lt('2019.78', '2020.79');
    lt('2018.76', '2019.77');
    lt('0.52', '2011.54');
  });

  test('busybox "v" prefix is ignored', () => {
    expect(compareVersions('v1.19.4', '1.19.4')).toBe(0);
    lt('v1.19.4', '1.25.0');
  });

  test('OpenSSL patch letters: shorter runs first, then alphabetical', () => {
    lt('0.9.8', '0.9.8a');
    lt('0.9.8y', '0.9.8z');
    lt('0.9.8z', '0.9.8za');
    lt('0.9.8za', '0.9.8zh');
    lt('0.9.8zh', '1.0.0');
    lt('1.0.1f', '1.0.1g');
    lt('1.0.2k', '1.0.2zd');
    lt('1.0.2zk', '1.0.3');
  });

  test('pre-releases come before the release, in alpha < beta < rc order', () => {
    lt('0.94.14rc21', '0.94.14');
    lt('1.0.0-alpha1', '1.0.0-beta2');
    lt('1.0.0-beta2', '1.0.0rc1');
    lt('1.0.0rc1', '1.0.0');
    lt('2.25', '2.25b'); // thttpd's "b" is a patch letter, not beta
  });

  test('a number beats a letter at the same position', () => {
    lt('1.2a', '1.2.1');
  });

  test('is a total order: antisymmetric and transitive on generated versions', () => {
    const part = fc.oneof(fc.integer({ min: 0, max: 3000 }).map(String), fc.constantFrom('a', 'b', 'p1', 'za', 'rc1', 'beta'));
    const version = fc.array(part, { minLength: 1, maxLength: 5 }).map((p) => p.join('.'));
    fc.assert(fc.property(version, version, version, (a, b, c) => {
      expect(Math.sign(compareVersions(a, b))).toBe(-Math.sign(compareVersions(b, a)) || 0);
      if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
    }), { numRuns: 300 });
  });

  test('does not blow up on huge or empty input', () => {
    expect(compareVersions('', '')).toBe(0);
    lt('', '1');
    expect(() => compareVersions('9'.repeat(100_000), '1')).not.toThrow();
  });
});

describe('ranges and normalisation', () => {
  test('inRange honours introduced, fixed and lastAffected', () => {
    expect(inRange('8.5p1', { introduced: '8.5', fixed: '9.8' })).toBe(true);
    expect(inRange('9.8p1', { introduced: '8.5', fixed: '9.8' })).toBe(false);
    expect(inRange('8.4p1', { introduced: '8.5', fixed: '9.8' })).toBe(false);
    expect(inRange('2018.76', { lastAffected: '2018.76' })).toBe(true);
    expect(inRange('2019.77', { lastAffected: '2018.76' })).toBe(false);
  });

  test('normaliseVersion keeps the version token only', () => {
    expect(normaliseVersion('9.2p1 Debian 2+deb12u3')).toBe('9.2p1');
    expect(normaliseVersion('v1.19.4')).toBe('1.19.4');
    expect(normaliseVersion('2.25b 29dec2003')).toBe('2.25b');
    expect(normaliseVersion('1.4.35.')).toBe('1.4.35');
    expect(normaliseVersion('unknown')).toBeNull();
  });

  test('upstreamOfPackageVersion drops epoch and Debian revision', () => {
    expect(upstreamOfPackageVersion('1:9.2p1-2+deb12u3')).toBe('9.2p1');
    expect(upstreamOfPackageVersion('2.0.11-1.2+deb12u1')).toBe('2.0.11');
    expect(upstreamOfPackageVersion('1.4.35')).toBe('1.4.35');
  });

  test('distroOf recognises distribution package strings', () => {
    expect(distroOf('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3')).toBe('debian');
    expect(distroOf('Apache/2.4.7 (Ubuntu) OpenSSL/1.0.1f')).toBe('ubuntu');
    expect(distroOf('lighttpd/1.4.35')).toBeUndefined();
  });
});

describe('extraction', () => {
  const ctx = { source: 'banner' as const, port: 22, transport: 'tcp' as const };
  const pv = (o: VersionObservation[]) => o.map((x) => `${x.product} ${x.version ?? '-'}`);

  test('banners and Server headers', () => {
    expect(pv(extractFromText('SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7', ctx))).toEqual(['openssh 7.4p1']);
    expect(extractFromText('SSH-2.0-OpenSSH_7.4p1 Debian-10+deb9u7', ctx)[0]?.distro).toBe('debian');
    expect(pv(extractFromText('SSH-2.0-dropbear_2019.78', ctx))).toEqual(['dropbear 2019.78']);
    expect(pv(extractFromText('BusyBox v1.19.4 (2012-03-01 12:00:00 CST) built-in shell (ash)', ctx))).toEqual(['busybox 1.19.4']);
    expect(pv(extractFromText('lighttpd/1.4.35', ctx))).toEqual(['lighttpd 1.4.35']);
    expect(pv(extractFromText('220 (vsFTPd 3.0.3)', ctx))).toEqual(['vsftpd 3.0.3']);
    expect(pv(extractFromText('Boa/0.94.14rc21', ctx))).toEqual(['boa 0.94.14rc21']);
    expect(pv(extractFromText('mini_httpd/1.19 19dec2003', ctx))).toEqual(['mini_httpd 1.19']);
    expect(pv(extractFromText('thttpd/2.25b 29dec2003', ctx))).toEqual(['thttpd 2.25b']);
    expect(pv(extractFromText('mosquitto version 1.4.10', ctx))).toEqual(['mosquitto 1.4.10']);
    expect(pv(extractFromText('bind.version: dnsmasq-2.78', ctx))).toEqual(['dnsmasq 2.78']);
    expect(pv(extractFromText('Linux/2.6.36 UPnP/1.0 Portable SDK for UPnP devices/1.6.6', ctx))).toEqual(['libupnp 1.6.6']);
    expect(pv(extractFromText('Linux/3.4 UPnP/1.1 MiniUPnPd/1.9', ctx))).toEqual(['miniupnpd 1.9']);
  });

  test('several products in one header; OpenSSL only when it shows', () => {
    const got = extractFromText('Apache/2.4.7 (Ubuntu) OpenSSL/1.0.1f', { source: 'http-server', port: 443, transport: 'tcp' });
    expect(pv(got)).toEqual(['openssl 1.0.1f']);
    expect(got[0]?.distro).toBe('ubuntu');
  });

  test('a product without a version counts only as a whole header token', () => {
    expect(pv(extractFromText('GoAhead-Webs', { source: 'http-server' }, { productOnly: true }))).toEqual(['goahead -']);
    expect(pv(extractFromText('uhttpd', { source: 'http-server' }, { productOnly: true }))).toEqual(['uhttpd -']);
    expect(extractFromText('welcome aboard the boat', { source: 'banner' }, { productOnly: true })).toEqual([]);
    expect(extractFromText('GoAhead-Webs', { source: 'banner' })).toEqual([]);
  });

  test('no false matches inside other words', () => {
    expect(extractFromText('nonopenssl/1.0.1f xboa/1.0', ctx)).toEqual([]);
  });

  test('nmap product/version', () => {
    expect(pv(extractFromNmapService({ product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u3', extraInfo: 'protocol 2.0' }, ctx))).toEqual(['openssh 9.2p1']);
    expect(extractFromNmapService({ product: 'OpenSSH', version: '9.2p1 Debian 2+deb12u3' }, ctx)[0]?.distro).toBe('debian');
    expect(pv(extractFromNmapService({ product: 'Dropbear sshd', version: '2019.78' }, ctx))).toEqual(['dropbear 2019.78']);
    expect(pv(extractFromNmapService({ product: 'Boa HTTPd', version: '0.94.14rc21' }, ctx))).toEqual(['boa 0.94.14rc21']);
    expect(pv(extractFromNmapService({ product: 'GoAhead WebServer' }, ctx))).toEqual(['goahead -']);
    expect(extractFromNmapService({ product: 'nginx', version: '1.2' }, ctx)).toEqual([]);
    expect(productForName('Dropbear sshd')).toBe('dropbear');
  });

  test('CPE 2.2 and 2.3', () => {
    expect(extractFromCpe('cpe:/a:openbsd:openssh:7.4p1', ctx)?.version).toBe('7.4p1');
    expect(extractFromCpe('cpe:2.3:a:openbsd:openssh:7.4:p1:*:*:*:*:*:*', ctx)?.version).toBe('7.4p1');
    expect(extractFromCpe('cpe:/a:lighttpd:lighttpd:1.4.35', ctx)?.product).toBe('lighttpd');
    expect(extractFromCpe('cpe:/a:matt_johnston:dropbear_ssh_server:2019.78', ctx)?.product).toBe('dropbear');
    expect(extractFromCpe('cpe:/a:thekelleys:dnsmasq', ctx)?.version).toBeUndefined();
    expect(extractFromCpe('cpe:/o:linux:linux_kernel:2.6', ctx)).toBeNull();
    expect(extractFromCpe('not a cpe', ctx)).toBeNull();
  });

  test('hostile input: long, control characters, __proto__', () => {
    const evil = `\x1b[2J__proto__/1.0 ${'A'.repeat(100_000)} lighttpd/1.4.35`;
    expect(() => extractFromText(evil, ctx)).not.toThrow();
    const got = extractFromText(`lighttpd/1.4.35 ${'x'.repeat(5000)}`, ctx);
    expect(got[0]?.raw.length).toBeLessThanOrEqual(201);
  });
});

describe('matching against the bundled data', () => {
  const obs = (product: string, version?: string): VersionObservation => ({ product, source: 'banner', raw: '', ...(version ? { version } : {}) });
  const ids = (product: string, version: string) => matchAdvisories(obs(product, version), BUNDLED_VULN_DATA.advisories).map((a) => a.id);

  test('the lab router lighttpd 1.4.35 is vulnerable; 1.4.50 is not', () => {
    expect(ids('lighttpd', '1.4.35')).toEqual(['lighttpd-cve-2015-3200', 'lighttpd-cve-2018-19052']);
    expect(ids('lighttpd', '1.4.50')).toEqual([]);
    expect(firstFixed('1.4.35', matchAdvisories(obs('lighttpd', '1.4.35'), BUNDLED_VULN_DATA.advisories))).toBe('1.4.50');
  });

  test('regreSSHion range', () => {
    expect(ids('openssh', '9.2p1')).toContain('openssh-cve-2024-6387');
    expect(ids('openssh', '9.8p1')).toEqual([]);
    expect(ids('openssh', '8.4p1')).not.toContain('openssh-cve-2024-6387');
    expect(ids('openssh', '4.3p2')).toContain('openssh-cve-2024-6387');
  });

  test('OpenSSL branches and letters', () => {
    expect(ids('openssl', '1.0.1f')).toContain('openssl-heartbleed');
    expect(ids('openssl', '1.0.1g')).not.toContain('openssl-heartbleed');
    expect(ids('openssl', '0.9.8zh')).not.toContain('openssl-ccs-injection');
    expect(ids('openssl', '0.9.8y')).toContain('openssl-ccs-injection');
    expect(ids('openssl', '1.0.2zd')).not.toContain('openssl-cve-2022-0778');
    expect(ids('openssl', '1.0.2k')).toContain('openssl-cve-2022-0778');
  });

  test('exact-version advisories', () => {
    expect(isAffected('2.3.4', { versions: ['2.3.4'] })).toBe(true);
    expect(ids('vsftpd', '2.3.4')).toContain('vsftpd-cve-2011-2523');
    expect(ids('vsftpd', '3.0.3')).toEqual([]);
  });

  test('no version: no advisory, but an all-versions end-of-life entry still applies', () => {
    expect(matchAdvisories(obs('boa'), BUNDLED_VULN_DATA.advisories)).toEqual([]);
    expect(matchEndOfLife(obs('boa'), BUNDLED_VULN_DATA.endOfLife, new Date('2026-01-01')).map((e) => e.id)).toEqual(['boa-discontinued']);
  });

  test('end of life depends on the date', () => {
    const e = (v: string, d: string) => matchEndOfLife(obs('openssl', v), BUNDLED_VULN_DATA.endOfLife, new Date(d)).map((x) => x.id);
    expect(e('1.0.2k', '2026-01-01')).toEqual(['openssl-1.0.2-eol']);
    expect(e('3.0.2', '2026-01-01')).toEqual([]);
    expect(e('3.0.2', '2026-09-08')).toEqual(['openssl-3.0-eol']);
    expect(e('3.2.0', '2030-01-01')).toEqual([]);
  });

  test('data validation rejects broken entries', () => {
    const base = { products: [{ id: 'x', name: 'X', aliases: ['x'], cpe: [], packages: [] }], endOfLife: [] };
    const adv = { id: 'a', product: 'x', cves: [], severity: 'high' as const, summary: '', source: ['s'] };
    expect(() => validateVulnData({ ...base, advisories: [{ ...adv, affected: [{ fixed: '1' }] }] })).not.toThrow();
    expect(() => validateVulnData({ ...base, advisories: [{ ...adv, product: 'y', affected: [{ fixed: '1' }] }] })).toThrow(/unknown product/);
    expect(() => validateVulnData({ ...base, advisories: [{ ...adv, affected: [{}] }] })).toThrow(/unbounded/);
    expect(() => validateVulnData({ ...base, advisories: [{ ...adv, affected: [{ introduced: '2', fixed: '1' }] }] })).toThrow(/introduced/);
    expect(() => validateVulnData({ ...base, advisories: [{ ...adv, source: [], affected: [{ fixed: '1' }] }] })).toThrow(/source/);
  });

  test('every bundled advisory cites CVEs and a source URL', () => {
    for (const a of BUNDLED_VULN_DATA.advisories) {
      expect(a.cves.length).toBeGreaterThan(0);
      for (const c of a.cves) expect(c).toMatch(/^CVE-\d{4}-\d{4,}$/);
      for (const s of a.source) expect(s).toMatch(/^https?:\/\//);
    }
  });
});
