import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import probe, {
  LEAKED_SSH_HOST_KEYS, assessSharedKeys, certFromNmap, keysFromDevices, normaliseFingerprint, opensshFingerprint,
  sshKeysFromNmap, type SharedKeysEvidence,
} from '../../src/probes/shared-keys.js';
import leaked from '../../src/data/leaked-keys.json' with { type: 'json' };
import type { CheckResult, NetApi } from '../../src/probes/contract.js';
import { createBudget, createCircuitBreaker, createHostLimiter, createNetApi } from '../../src/net/index.js';
import { makeContext, makeDevice, quietLog, tcpService } from './helpers/exposure-context.js';
import { makeTestPki, startWeb } from './helpers/web-fake.js';
import { sshKeyPair } from '../helpers/ssh-keys.js';

const brief = (r: CheckResult[]) => r.map((x) => [x.check, x.device ?? '*', x.port ?? '-', x.status]);
const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);

describe('fingerprints', () => {
  test('normaliseFingerprint accepts hex, colon hex and OpenSSH base64', () => {
    const hex = createHash('sha256').update('k').digest('hex');
    const b64 = Buffer.from(hex, 'hex').toString('base64').replace(/=+$/, '');
    expect(normaliseFingerprint(hex.toUpperCase())).toBe(hex);
    expect(normaliseFingerprint(hex.match(/../g)?.join(':'))).toBe(hex);
    expect(normaliseFingerprint(`SHA256:${b64}`)).toBe(hex);
    expect(normaliseFingerprint(b64)).toBe(hex);
    expect(opensshFingerprint(hex)).toBe(`SHA256:${b64}`);
    expect(normaliseFingerprint('b1946ac92492d2347c6235b4d2611184')).toBeUndefined(); // MD5-sized
    expect(normaliseFingerprint('nonsense')).toBeUndefined();
  });

  test('the leaked-key list is consistent: every fingerprint is the SHA-256 of its cited public key', () => {
    expect(LEAKED_SSH_HOST_KEYS.length).toBeGreaterThan(0);
    for (const e of leaked.sshHostKeys) {
      const blob = Buffer.from(e.publicKey, 'base64');
      expect(blob.subarray(4, 4 + blob.readUInt32BE(0)).toString()).toBe(e.keyType);
      const sha = createHash('sha256').update(blob).digest();
      expect(e.sha256).toBe(sha.toString('hex'));
      expect(e.openssh).toBe(`SHA256:${sha.toString('base64').replace(/=+$/, '')}`);
      expect(e.source).toMatch(/^https:\/\/github\.com\/rapid7\/ssh-badkeys\/blob\/[0-9a-f]{40}\/host\//);
    }
    expect(leaked.tlsCertificates).toEqual([]);
  });

  test('nmap ssh-hostkey and ssl-cert script tables', () => {
    const key = sshKeyPair('ed25519').public.split(' ')[1] ?? '';
    const keys = sshKeysFromNmap([{ id: 'ssh-hostkey', output: '256 … (ED25519)', table: [{ type: 'ssh-ed25519', key, bits: '256', fingerprint: 'md5' }, { type: 'x', key: '!!bad!!' }] }]);
    expect(keys).toEqual([{ sha256: createHash('sha256').update(Buffer.from(key, 'base64')).digest('hex'), keyType: 'ssh-ed25519' }]);
    const pki = makeTestPki();
    const fp = certFromNmap([{ id: 'ssl-cert', output: 'Subject: …', table: { pem: pki.selfCert, md5: 'x' } }]);
    expect(fp).toMatch(/^[0-9a-f]{64}$/);
    expect(certFromNmap([{ id: 'ssl-cert', output: '', table: { pem: 'garbage' } }])).toBeUndefined();
  });

  test('keysFromDevices: recorded fingerprints and what is missing', () => {
    const devices = [
      makeDevice('10.0.0.1', [tcpService(22, 'ssh', { sshHostKeySha256: HEX_A }), tcpService(443, 'https', { tls: { enabled: true, certSha256: HEX_B } })]),
      makeDevice('10.0.0.2', [tcpService(22, 'ssh'), tcpService(8883, 'secure-mqtt', { tls: { enabled: true } }), tcpService(80, 'http')]),
    ];
    const { keys, missing } = keysFromDevices(devices);
    expect(keys.map((k) => `${k.device}:${k.port} ${k.kind}`)).toEqual(['10.0.0.1:22 ssh', '10.0.0.1:443 tls']);
    expect(missing.map((k) => `${k.device}:${k.port} ${k.kind}`)).toEqual(['10.0.0.2:22 ssh', '10.0.0.2:8883 tls']);
  });
});

describe('shared-keys assess', () => {
  const k = (device: string, name: string, port: number, kind: 'ssh' | 'tls', sha256: string) => ({ device, name, port, kind, sha256, source: 'service' as const });

  test('the lab: router and NAS share an SSH host key → fail on both; the thermostat is unique → pass', () => {
    const ev: SharedKeysEvidence = {
      keys: [k('10.231.0.11', 'router', 22, 'ssh', HEX_A), k('10.231.0.15', 'nas', 22, 'ssh', HEX_A), k('10.231.0.13', 'secure', 22, 'ssh', HEX_B)],
      missing: [], collected: false,
    };
    const r = assessSharedKeys(ev);
    expect(brief(r.filter((x) => x.check === 'shared-host-key'))).toEqual([
      ['shared-host-key', '10.231.0.11', 22, 'fail'],
      ['shared-host-key', '10.231.0.15', 22, 'fail'],
      ['shared-host-key', '10.231.0.13', 22, 'pass'],
    ]);
    expect(r[0]?.detail).toMatch(/router \(10\.231\.0\.11:22\) presents the same SSH host key \(SHA256:.*\) as nas \(10\.231\.0\.15:22\)/);
    expect(JSON.stringify(r[0]?.evidence)).toContain('10.231.0.15');
    expect(brief(r.filter((x) => x.check === 'shared-tls-certificate'))).toEqual([['shared-tls-certificate', '*', '-', 'not_applicable']]);
  });

  test('two ports of one device with one key is not "shared"', () => {
    const r = assessSharedKeys({ keys: [k('10.0.0.1', 'a', 22, 'ssh', HEX_A), k('10.0.0.1', 'a', 2222, 'ssh', HEX_A)], missing: [], collected: false });
    expect(r.filter((x) => x.check === 'shared-host-key').map((x) => x.status)).toEqual(['pass', 'pass']);
  });

  test('shared TLS certificates; missing fingerprints are errors, never passes', () => {
    const r = assessSharedKeys({
      keys: [k('10.0.0.1', 'cam1', 443, 'tls', HEX_B), k('10.0.0.2', 'cam2', 443, 'tls', HEX_B)],
      missing: [{ device: '10.0.0.3', name: 'nas', port: 22, kind: 'ssh' }], collected: false,
    });
    expect(brief(r)).toEqual([
      ['shared-host-key', '10.0.0.3', 22, 'error'],
      ['shared-tls-certificate', '10.0.0.1', 443, 'fail'],
      ['shared-tls-certificate', '10.0.0.2', 443, 'fail'],
      ['leaked-key', '*', '-', 'not_applicable'],
    ]);
    expect(r[0]?.error?.message).toMatch(/no network access/);
  });

  test('a key on the leaked list fails (critical by default); others pass', () => {
    const zyxel = LEAKED_SSH_HOST_KEYS.find((e) => e.device === 'ZyXEL VMG1312');
    expect(zyxel).toBeDefined();
    const r = assessSharedKeys({ keys: [k('10.0.0.1', 'router', 22, 'ssh', zyxel?.sha256 ?? ''), k('10.0.0.2', 'nas', 22, 'ssh', HEX_A)], missing: [], collected: false });
    const lk = r.filter((x) => x.check === 'leaked-key');
    expect(brief(lk)).toEqual([['leaked-key', '10.0.0.1', 22, 'fail'], ['leaked-key', '10.0.0.2', 22, 'pass']]);
    expect(lk[0]?.detail).toMatch(/ZyXEL VMG1312; https:\/\/github\.com\/rapid7\/ssh-badkeys/);
    expect(probe.meta.checks['leaked-key']?.severity).toBe('critical');
  });

  test('nothing to compare: each check is not_applicable once', () => {
    expect(brief(assessSharedKeys({ keys: [], missing: [], collected: false }))).toEqual([
      ['shared-host-key', '*', '-', 'not_applicable'], ['shared-tls-certificate', '*', '-', 'not_applicable'], ['leaked-key', '*', '-', 'not_applicable'],
    ]);
  });
});

describe('shared-keys collect', () => {
  test('without network it only reads the devices', async () => {
    const devices = [makeDevice('10.0.0.1', [tcpService(22, 'ssh', { sshHostKeySha256: HEX_A })]), makeDevice('10.0.0.2', [tcpService(22, 'ssh', { sshHostKeySha256: `SHA256:${Buffer.from(HEX_A, 'hex').toString('base64')}` })])];
    const { ctx } = makeContext({ device: devices[0] });
    ctx.devices = devices;
    const r = probe.assess(await probe.collect(ctx), { device: devices[0]!, devices, now: new Date() });
    expect(brief(r).filter((x) => x[0] === 'shared-host-key')).toEqual([['shared-host-key', '10.0.0.1', 22, 'fail'], ['shared-host-key', '10.0.0.2', 22, 'fail']]);
  });

  describe('with the proposed ctx.netFor: one key exchange / handshake per device, no login', () => {
    const hostKey = sshKeyPair('ed25519');
    const otherKey = sshKeyPair('ed25519');
    const servers: { close: () => Promise<void> }[] = [];
    let authAttempts = 0;
    afterAll(async () => { await Promise.all(servers.map((s) => s.close())); });

    async function sshServer(host: string, key: string): Promise<number> {
      const server = new ssh2.Server({ hostKeys: [key] }, (client) => {
        client.on('authentication', (ctx) => { authAttempts++; ctx.reject(); });
        client.on('error', () => undefined);
      });
      await new Promise<void>((resolve) => server.listen(0, host, resolve));
      servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
      return (server.address() as AddressInfo).port;
    }

    test('two devices with the same SSH key and the same certificate; a third unique', async () => {
      const pki = makeTestPki();
      const p2 = await sshServer('127.0.0.2', hostKey.private);
      const p3 = await sshServer('127.0.0.3', hostKey.private);
      const p4 = await sshServer('127.0.0.4', otherKey.private);
      const w2 = await startWeb({}, { tls: { cert: pki.selfCert, key: pki.selfKey }, host: '127.0.0.2' });
      const w3 = await startWeb({}, { tls: { cert: pki.selfCert, key: pki.selfKey }, host: '127.0.0.3' });
      servers.push(w2, w3);

      const devices = [
        makeDevice('127.0.0.2', [tcpService(p2, 'ssh'), tcpService(w2.port, 'https', { tls: { enabled: true } })], { name: 'router' }),
        makeDevice('127.0.0.3', [tcpService(p3, 'ssh'), tcpService(w3.port, 'https', { tls: { enabled: true } })], { name: 'nas' }),
        makeDevice('127.0.0.4', [tcpService(p4, 'ssh')], { name: 'thermostat' }),
      ];
      const { ctx } = makeContext({ device: devices[0] });
      ctx.devices = devices;
      const limiter = createHostLimiter(2);
      const budget = createBudget(probe.meta.budget.maxConnections);
      const netFor = (address: string): NetApi => createNetApi({
        address, hostLimiter: limiter, budget, signal: ctx.signal, deadlineMs: 30_000, log: quietLog, breaker: createCircuitBreaker({ threshold: 50 }),
      });
      Object.assign(ctx, { netFor });
      const evidence = await probe.collect(ctx);
      expect(evidence.missing).toEqual([]);
      expect(evidence.keys.every((x) => x.source === 'collected')).toBe(true);
      const r = probe.assess(evidence, { device: devices[0]!, devices, now: new Date() });
      expect(brief(r.filter((x) => x.check !== 'leaked-key'))).toEqual([
        ['shared-host-key', '127.0.0.2', p2, 'fail'],
        ['shared-host-key', '127.0.0.3', p3, 'fail'],
        ['shared-host-key', '127.0.0.4', p4, 'pass'],
        ['shared-tls-certificate', '127.0.0.2', w2.port, 'fail'],
        ['shared-tls-certificate', '127.0.0.3', w3.port, 'fail'],
      ]);
      const expected = createHash('sha256').update(Buffer.from(hostKey.public.split(' ')[1] ?? '', 'base64')).digest('hex');
      expect(evidence.keys.find((x) => x.device === '127.0.0.2' && x.kind === 'ssh')?.sha256).toBe(expected);
      expect(authAttempts).toBe(0);
      expect(budget.used).toBe(5);
    }, 30_000);
  });
});

