import net from 'node:net';
import ssh2 from 'ssh2';
import probe, { assessSsh, PROBE_USER, type SshEvidence } from '../../src/probes/ssh-configuration.js';
import type { CheckResult } from '../../src/probes/contract.js';
import type { Service } from '../../src/report/model.js';
import { makeContext, makeDevice, tcpService } from './helpers/exposure-context.js';
import { kexInitPayload, packet } from './helpers/ssh-packets.js';
import { expectValidMeta } from './helpers/meta-check.js';
import { sshKeyPair } from '../helpers/ssh-keys.js';

function byCheck(results: CheckResult[]): Map<string, CheckResult> {
  return new Map(results.map((r) => [r.check, r]));
}

const MODERN = {
  kex: ['curve25519-sha256', 'kex-strict-s-v00@openssh.com'], hostKey: ['ssh-ed25519'],
  ciphers: ['aes256-gcm@openssh.com'], macs: ['hmac-sha2-256-etm@openssh.com'], compression: ['none'],
};

function evidence(over: Partial<SshEvidence> = {}): SshEvidence {
  return {
    port: 22,
    ident: { raw: 'SSH-2.0-OpenSSH_9.2p1 Debian-2', protoVersion: '2.0', software: 'OpenSSH_9.2p1', comments: 'Debian-2' },
    identError: null, algorithms: MODERN, algorithmsSource: 'handshake', kexError: null,
    hostKey: { type: 'ssh-ed25519', bits: 256, sha256: 'abc' },
    auth: { methods: ['publickey'], noneAccepted: false, error: null },
    ...over,
  };
}

describe('ssh-configuration assess (hand-built evidence)', () => {
  test('well-configured server passes all three checks', () => {
    const r = assessSsh(evidence());
    expect(r.map((x) => [x.check, x.status])).toEqual([
      ['ssh-weak-algorithms', 'pass'], ['ssh-protocol-1', 'pass'], ['ssh-password-authentication', 'pass'],
    ]);
  });

  test('router: password authentication offered is a low warning', () => {
    const r = byCheck(assessSsh(evidence({ auth: { methods: ['publickey', 'password'], noneAccepted: false, error: null } })));
    expect(r.get('ssh-password-authentication')).toMatchObject({ status: 'warn', severity: 'low' });
  });

  test('SSH-1 only (the lab has none): protocol 1 fails, the others do not apply', () => {
    const r = byCheck(assessSsh(evidence({
      ident: { raw: 'SSH-1.5-Cisco-1.25', protoVersion: '1.5', software: 'Cisco', comments: null }, algorithms: null, auth: null, hostKey: null,
    })));
    expect(r.get('ssh-protocol-1')!.status).toBe('fail');
    expect(r.get('ssh-weak-algorithms')!.status).toBe('not_applicable');
    expect(r.get('ssh-password-authentication')!.status).toBe('not_applicable');
  });

  test('SSH-1.99 fails protocol 1 and is still judged as SSH-2', () => {
    const r = byCheck(assessSsh(evidence({ ident: { raw: 'SSH-1.99-dropbear_0.46', protoVersion: '1.99', software: 'dropbear_0.46', comments: null } })));
    expect(r.get('ssh-protocol-1')!.status).toBe('fail');
    expect(r.get('ssh-protocol-1')!.detail).toContain('1.99');
    expect(r.get('ssh-weak-algorithms')!.status).toBe('pass');
  });

  test('weak key exchange (the lab has none) fails; a "none" cipher is high', () => {
    const weakKex = byCheck(assessSsh(evidence({ algorithms: { ...MODERN, kex: ['diffie-hellman-group1-sha1', 'kex-strict-s-v00@openssh.com'] } })));
    expect(weakKex.get('ssh-weak-algorithms')).toMatchObject({ status: 'fail', severity: 'medium' });
    expect(weakKex.get('ssh-weak-algorithms')!.detail).toContain('diffie-hellman-group1-sha1');
    const none = byCheck(assessSsh(evidence({ algorithms: { ...MODERN, ciphers: ['none'] } })));
    expect(none.get('ssh-weak-algorithms')).toMatchObject({ status: 'fail', severity: 'high' });
  });

  test('legacy only warns; notes alone pass', () => {
    const legacy = byCheck(assessSsh(evidence({ algorithms: { ...MODERN, hostKey: ['ssh-rsa', 'rsa-sha2-256'] } })));
    expect(legacy.get('ssh-weak-algorithms')).toMatchObject({ status: 'warn', severity: 'low' });
    const notes = byCheck(assessSsh(evidence({ algorithms: { ...MODERN, macs: ['hmac-sha2-256', 'hmac-sha1'] } })));
    expect(notes.get('ssh-weak-algorithms')!.status).toBe('pass');
    expect(notes.get('ssh-weak-algorithms')!.detail).toContain('hmac-sha1');
  });

  test('a 1024-bit RSA host key fails', () => {
    const r = byCheck(assessSsh(evidence({ hostKey: { type: 'ssh-rsa', bits: 1024, sha256: 'x' }, algorithms: { ...MODERN, hostKey: ['rsa-sha2-256'] } })));
    expect(r.get('ssh-weak-algorithms')!.status).toBe('fail');
    expect(r.get('ssh-weak-algorithms')!.detail).toContain('RSA 1024-bit host key');
  });

  test('"none" authentication accepted is a critical failure', () => {
    const r = byCheck(assessSsh(evidence({ auth: { methods: null, noneAccepted: true, error: null } })));
    expect(r.get('ssh-password-authentication')).toMatchObject({ status: 'fail', severity: 'critical' });
  });

  test('errors stay errors', () => {
    const r = byCheck(assessSsh(evidence({
      ident: null, identError: { kind: 'timeout', message: 'the server sent nothing' }, algorithms: null, auth: null, hostKey: null,
    })));
    expect(r.get('ssh-protocol-1')).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
    expect(r.get('ssh-weak-algorithms')).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
    expect(r.get('ssh-password-authentication')).toMatchObject({ status: 'error', error: { kind: 'timeout' } });
    const authErr = byCheck(assessSsh(evidence({ auth: { methods: null, noneAccepted: false, error: { kind: 'reset', message: 'closed' } } })));
    expect(authErr.get('ssh-password-authentication')).toMatchObject({ status: 'error', error: { kind: 'reset' } });
  });
});

// --- collect ------------------------------------------------------------------------------------

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}
function close(server: net.Server | ssh2.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function run(service: Service): Promise<{ results: Map<string, CheckResult>; ev: SshEvidence; used: number }> {
  const device = makeDevice('127.0.0.1', [service]);
  const t = makeContext({ service, device, maxConnections: probe.meta.budget.maxConnections, deadlineMs: 20_000 });
  const ev = await probe.collect(t.ctx);
  expect(() => JSON.stringify(ev)).not.toThrow();
  return { results: byCheck(probe.assess(ev, { device, service, devices: [device], now: new Date() })), ev, used: t.budget.used };
}

function sshServer(options: { bits?: number; type?: 'rsa' | 'ed25519'; algorithms?: ssh2.Algorithms; methods: ssh2.AuthenticationType[]; users?: string[] }): ssh2.Server & { seen: string[] } {
  const key = options.type === 'ed25519'
    ? sshKeyPair('ed25519')
    : sshKeyPair('rsa', options.bits ?? 2048);
  const seen: string[] = [];
  const server = new ssh2.Server({ hostKeys: [key.private], ...(options.algorithms ? { algorithms: options.algorithms } : {}) }, (client) => {
    client.on('authentication', (ctx) => {
      seen.push(`${ctx.method}:${ctx.username}`);
      ctx.reject(options.methods);
    });
    client.on('error', () => undefined);
  }) as ssh2.Server & { seen: string[] };
  server.seen = seen;
  return server;
}

describe('ssh-configuration collect against local servers', () => {
  test('weak server (ssh2): weak kex/cipher/MAC, 1024-bit RSA host key, passwords offered', async () => {
    const server = sshServer({
      bits: 1024, methods: ['publickey', 'password'],
      algorithms: {
        kex: ['diffie-hellman-group1-sha1', 'curve25519-sha256'],
        cipher: ['3des-cbc', 'aes128-ctr'],
        hmac: ['hmac-md5', 'hmac-sha2-256'],
        serverHostKey: ['ssh-rsa', 'rsa-sha2-256'],
      },
    });
    const port = await listen(server);
    try {
      const { results, ev, used } = await run(tcpService(port, 'ssh'));
      expect(ev.ident!.protoVersion).toBe('2.0');
      expect(ev.algorithmsSource).toBe('handshake');
      expect(ev.hostKey).toMatchObject({ type: 'ssh-rsa', bits: 1024 });
      const weak = results.get('ssh-weak-algorithms')!;
      expect(weak.status).toBe('fail');
      for (const name of ['diffie-hellman-group1-sha1', '3des-cbc', 'hmac-md5']) expect(weak.detail).toContain(name);
      expect(results.get('ssh-password-authentication')).toMatchObject({ status: 'warn', evidence: { methods: ['publickey', 'password'] } });
      expect(results.get('ssh-protocol-1')!.status).toBe('pass');
      expect(server.seen).toEqual([`none:${PROBE_USER}`]); // one "none" request, never a password
      expect(used).toBe(2);
    } finally {
      await close(server);
    }
  });

  test('key-only server with modern algorithms passes', async () => {
    const server = sshServer({
      type: 'ed25519', methods: ['publickey'],
      algorithms: { kex: ['curve25519-sha256'], cipher: ['aes256-gcm@openssh.com'], hmac: ['hmac-sha2-256'], serverHostKey: ['ssh-ed25519'] },
    });
    const port = await listen(server);
    try {
      const { results, ev } = await run(tcpService(port, 'ssh'));
      expect(ev.algorithms!.kex).toContain('kex-strict-s-v00@openssh.com');
      expect(results.get('ssh-weak-algorithms')!.status).toBe('pass');
      expect(results.get('ssh-password-authentication')!.status).toBe('pass');
    } finally {
      await close(server);
    }
  });

  test('SSH-1.5-only server: protocol 1 fails after one connection', async () => {
    const server = net.createServer((s) => { s.on('error', () => undefined); s.write('SSH-1.5-OldCam_1.0\n'); s.on('data', () => s.end()); });
    const port = await listen(server);
    try {
      const { results, used } = await run(tcpService(port, 'ssh'));
      expect(results.get('ssh-protocol-1')!.status).toBe('fail');
      expect(results.get('ssh-weak-algorithms')!.status).toBe('not_applicable');
      expect(used).toBe(1);
    } finally {
      await close(server);
    }
  });

  test('SSH-1.99 server with a hand-built KEXINIT that then hangs up: the auth check is an error', async () => {
    const kexinit = packet(kexInitPayload([['diffie-hellman-group-exchange-sha1'], ['ssh-dss'], ['arcfour'], ['arcfour'], ['hmac-sha1-96'], ['hmac-sha1-96'], ['none'], ['none']]));
    const server = net.createServer((s) => {
      s.on('error', () => undefined);
      s.write(Buffer.concat([Buffer.from('SSH-1.99-dropbear_0.46\r\n'), kexinit]));
      let got = 0;
      s.on('data', (d) => { got += d.length; if (got > 40) s.destroy(); });
    });
    const port = await listen(server);
    try {
      const { results } = await run(tcpService(port, 'ssh'));
      expect(results.get('ssh-protocol-1')!.status).toBe('fail');
      const weak = results.get('ssh-weak-algorithms')!;
      expect(weak.status).toBe('fail');
      for (const name of ['diffie-hellman-group-exchange-sha1', 'ssh-dss', 'arcfour', 'hmac-sha1-96']) expect(weak.detail).toContain(name);
      expect(results.get('ssh-password-authentication')!.status).toBe('error');
    } finally {
      await close(server);
    }
  });

  test('endless bytes without a newline: capped, a protocol error, no second connection', async () => {
    const server = net.createServer((s) => { s.on('error', () => undefined); s.resume(); s.write('A'.repeat(5000)); });
    const port = await listen(server);
    try {
      const { results, used } = await run(tcpService(port, 'ssh'));
      expect(results.get('ssh-protocol-1')).toMatchObject({ status: 'error', error: { kind: 'protocol-error' } });
      expect(used).toBe(1);
    } finally {
      await close(server);
    }
  });

  test('not SSH at all: errors, and nmap ssh2-enum-algos is used when our read fails', async () => {
    const server = net.createServer((s) => { s.on('error', () => undefined); s.resume(); s.end('HTTP/1.0 400 Bad Request\r\n\r\n'); });
    const port = await listen(server);
    try {
      const { results } = await run(tcpService(port, 'ssh'));
      expect(results.get('ssh-protocol-1')).toMatchObject({ status: 'error', error: { kind: 'protocol-error' } });
      expect(results.get('ssh-weak-algorithms')!.status).toBe('error');
      const withNmap = await run(tcpService(port, 'ssh', { scripts: [{ id: 'ssh2-enum-algos', output: '', table: { kex_algorithms: ['diffie-hellman-group1-sha1'], encryption_algorithms: ['aes128-ctr'] } }] }));
      expect(withNmap.ev.algorithmsSource).toBe('nmap');
      expect(withNmap.results.get('ssh-weak-algorithms')!.status).toBe('fail');
    } finally {
      await close(server);
    }
  });
});

test('ssh-configuration meta follows the registry rules', () => {
  expectValidMeta(probe, 'ssh-configuration');
});
