import fc from 'fast-check';
import {
  evaluateAlgorithms, extractIdent, globMatch, listsFromKexInit, listsFromNmap, parseHostKeyBlob, parseIdent, parseKexInit,
  readPacket, speaksSsh1, speaksSsh2, SSH_POLICY, type AlgorithmLists,
} from '../../../src/probes/lib/ssh-algorithms.js';
import { kexInitPayload, packet, sshString } from '../helpers/ssh-packets.js';

const MODERN: AlgorithmLists = {
  kex: ['sntrup761x25519-sha512@openssh.com', 'curve25519-sha256', 'kex-strict-s-v00@openssh.com'],
  hostKey: ['ssh-ed25519'],
  ciphers: ['chacha20-poly1305@openssh.com', 'aes256-gcm@openssh.com'],
  macs: ['hmac-sha2-256-etm@openssh.com'],
  compression: ['none'],
};

describe('identification line', () => {
  test('parses product, version and comments', () => {
    expect(parseIdent('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')).toEqual({
      raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3', protoVersion: '2.0', software: 'OpenSSH_9.2p1', comments: 'Debian-2+deb12u3',
    });
    expect(parseIdent('SSH-1.99-dropbear_0.46')).toMatchObject({ protoVersion: '1.99', software: 'dropbear_0.46', comments: null });
    expect(parseIdent('HTTP/1.1 400 Bad Request')).toBeNull();
    expect(parseIdent('SSH-x.y-foo')).toBeNull();
  });

  test('protocol versions', () => {
    expect(speaksSsh1('1.5')).toBe(true);
    expect(speaksSsh1('1.99')).toBe(true);
    expect(speaksSsh2('1.99')).toBe(true);
    expect(speaksSsh2('1.5')).toBe(false);
    expect(speaksSsh1('2.0')).toBe(false);
  });

  test('extractIdent skips lines before the ident and waits for a complete line', () => {
    const buf = Buffer.from('Welcome\r\nSSH-2.0-X\r\nrest');
    const r = extractIdent(buf)!;
    expect(r.ident!.software).toBe('X');
    expect(buf.subarray(r.next).toString()).toBe('rest');
    expect(extractIdent(Buffer.from('SSH-2.0-Open'))).toBeNull();
    expect(extractIdent(Buffer.alloc(2000, 0x41))).toEqual({ ident: null, next: 2000 });
  });
});

describe('KEXINIT', () => {
  test('round trip through a binary packet', () => {
    const payload = kexInitPayload([['curve25519-sha256', 'diffie-hellman-group1-sha1'], ['ssh-rsa'], ['aes128-ctr'], ['3des-cbc'], ['hmac-sha2-256'], ['hmac-md5'], ['none'], ['none']]);
    const buf = Buffer.concat([packet(payload), Buffer.from('trailing')]);
    const p = readPacket(buf, 0);
    expect(p.kind).toBe('packet');
    if (p.kind !== 'packet') return;
    const lists = listsFromKexInit(parseKexInit(p.payload));
    expect(lists).toEqual({
      kex: ['curve25519-sha256', 'diffie-hellman-group1-sha1'], hostKey: ['ssh-rsa'],
      ciphers: ['3des-cbc', 'aes128-ctr'], macs: ['hmac-md5', 'hmac-sha2-256'], compression: ['none'],
    });
  });

  test('incomplete, oversized and malformed packets', () => {
    const full = packet(kexInitPayload([['a']]));
    expect(readPacket(full.subarray(0, 10), 0).kind).toBe('incomplete');
    expect(readPacket(Buffer.from([0xff, 0xff, 0xff, 0xff, 4, 0]), 0).kind).toBe('invalid');
    expect(readPacket(Buffer.from([0, 0, 0, 8, 9, 0, 0, 0, 0, 0, 0, 0]), 0).kind).toBe('invalid');
    expect(() => parseKexInit(Buffer.from([21, 1, 2]))).toThrow();
    const lying = kexInitPayload([['a']]);
    lying.writeUInt32BE(0xffff, 17);
    expect(() => parseKexInit(lying)).toThrow();
  });

  test('fuzz: parseKexInit throws plain Errors or returns capped lists', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
      const b = Buffer.concat([Buffer.from([20]), Buffer.from(bytes)]);
      try {
        const k = parseKexInit(b);
        expect(k.kex.length).toBeLessThanOrEqual(100);
      } catch (e) {
        expect(e).toBeInstanceOf(Error);
      }
    }), { numRuns: 300 });
  });
});

describe('policy', () => {
  test('globMatch', () => {
    expect(globMatch('*-cbc', 'aes128-cbc')).toBe(true);
    expect(globMatch('*-cbc', 'aes128-ctr')).toBe(false);
    expect(globMatch('gss-group1-sha1-*', 'gss-group1-sha1-toWM5Slw5Ew8Mqkay+al2g==')).toBe(true);
    expect(globMatch('a*b*c', 'abc')).toBe(true);
    expect(globMatch('a*b*c', 'acb')).toBe(false);
    expect(globMatch('none', 'none')).toBe(true);
  });

  test('a modern OpenSSH offer has no findings', () => {
    expect(evaluateAlgorithms(MODERN, { type: 'ssh-ed25519', bits: 256 })).toEqual([]);
  });

  test('Debian 12 OpenSSH defaults: only notes (hmac-sha1, umac-64), no weak or legacy', () => {
    const f = evaluateAlgorithms({
      ...MODERN,
      kex: [...MODERN.kex, 'ecdh-sha2-nistp256', 'diffie-hellman-group-exchange-sha256', 'diffie-hellman-group14-sha256'],
      hostKey: ['rsa-sha2-512', 'rsa-sha2-256', 'ecdsa-sha2-nistp256', 'ssh-ed25519'],
      ciphers: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes256-gcm@openssh.com'],
      macs: ['umac-64-etm@openssh.com', 'hmac-sha2-256-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha1', 'umac-64@openssh.com'],
    }, { type: 'ssh-rsa', bits: 3072 });
    expect(f.every((x) => x.level === 'note')).toBe(true);
    expect(f.map((x) => x.name).sort()).toEqual(['hmac-sha1', 'hmac-sha1-etm@openssh.com', 'umac-64-etm@openssh.com', 'umac-64@openssh.com']);
  });

  test('weak kex, ciphers, MACs and host keys the lab does not have', () => {
    const f = evaluateAlgorithms({
      kex: ['diffie-hellman-group1-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group14-sha1', 'kex-strict-s-v00@openssh.com'],
      hostKey: ['ssh-dss', 'ssh-rsa'],
      ciphers: ['arcfour256', '3des-cbc', 'aes256-cbc', 'blowfish-cbc', 'none'],
      macs: ['hmac-md5-96', 'hmac-sha1-96', 'umac-32@openssh.com'],
      compression: [],
    }, { type: 'ssh-rsa', bits: 1024 });
    const level = (name: string): string | undefined => f.find((x) => x.name === name)?.level;
    for (const w of ['diffie-hellman-group1-sha1', 'diffie-hellman-group-exchange-sha1', 'ssh-dss', 'arcfour256', '3des-cbc', 'aes256-cbc', 'blowfish-cbc', 'none', 'hmac-md5-96', 'hmac-sha1-96', 'umac-32@openssh.com']) {
      expect([w, level(w)]).toEqual([w, 'weak']);
    }
    expect(level('diffie-hellman-group14-sha1')).toBe('legacy');
    expect(level('ssh-rsa')).toBe('legacy');
    expect(f.find((x) => x.category === 'hostKeySize')).toMatchObject({ level: 'weak', name: 'RSA 1024-bit host key' });
    for (const x of f) expect(x.source.length).toBeGreaterThan(10);
  });

  test('Terrapin: ChaCha20-Poly1305 without strict KEX is legacy; with it, nothing', () => {
    const without = evaluateAlgorithms({ ...MODERN, kex: ['curve25519-sha256'] }, null);
    expect(without).toHaveLength(1);
    expect(without[0]).toMatchObject({ level: 'legacy', category: 'kex' });
    expect(without[0]!.reason).toContain('CVE-2023-48795');
    expect(evaluateAlgorithms(MODERN, null)).toEqual([]);
  });

  test('pseudo-algorithms are ignored; every policy rule has a source', () => {
    expect(evaluateAlgorithms({ ...MODERN, kex: [...MODERN.kex, 'ext-info-s'] }, null)).toEqual([]);
    for (const r of SSH_POLICY.rules) expect(r.source.length).toBeGreaterThan(10);
  });

  test('listsFromNmap', () => {
    expect(listsFromNmap({
      kex_algorithms: ['curve25519-sha256'], server_host_key_algorithms: ['ssh-ed25519'],
      encryption_algorithms: ['aes128-ctr'], mac_algorithms: ['hmac-sha2-256'], compression_algorithms: ['none'],
    })).toEqual({ kex: ['curve25519-sha256'], hostKey: ['ssh-ed25519'], ciphers: ['aes128-ctr'], macs: ['hmac-sha2-256'], compression: ['none'] });
    expect(listsFromNmap('text')).toBeNull();
    expect(listsFromNmap({})).toBeNull();
  });
});

describe('host key blobs', () => {
  test('RSA modulus, DSA prime, ECDSA curve, Ed25519', () => {
    const n = Buffer.concat([Buffer.from([0]), Buffer.alloc(128, 0xc3)]);
    expect(parseHostKeyBlob(Buffer.concat([sshString('ssh-rsa'), sshString(Buffer.from([1, 0, 1])), sshString(n)]))).toEqual({ type: 'ssh-rsa', bits: 1024 });
    expect(parseHostKeyBlob(Buffer.concat([sshString('ssh-dss'), sshString(Buffer.alloc(128, 0x80))]))).toEqual({ type: 'ssh-dss', bits: 1024 });
    expect(parseHostKeyBlob(Buffer.concat([sshString('ecdsa-sha2-nistp384'), sshString('nistp384')]))).toEqual({ type: 'ecdsa-sha2-nistp384', bits: 384 });
    expect(parseHostKeyBlob(Buffer.concat([sshString('ssh-ed25519'), sshString(Buffer.alloc(32))]))).toEqual({ type: 'ssh-ed25519', bits: 256 });
    expect(() => parseHostKeyBlob(Buffer.concat([sshString('ssh-rsa'), Buffer.from([0, 0, 0, 9])]))).toThrow();
  });
});
