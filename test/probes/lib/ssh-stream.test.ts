/**
 * sshStream (src/probes/lib/ssh-stream.ts): ssh2 mis-parses a server identification line split into small
 * pieces; behind a relay that drips a real ssh2 server's bytes 1–3 at a time, a handshake on the raw stream
 * fails, and on sshStream's stream it completes. If the first expectation ever fails, ssh2 has fixed the
 * parser and the workaround can go.
 */
import { expect, it, jest } from '@jest/globals';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import ssh2 from 'ssh2';
import { sshStream } from '../../../src/probes/lib/ssh-stream.js';
import { credContext, tcp } from '../helpers/credential-context.js';
import { front } from '../honeypot/transport.js';
import { sshKeyPair } from '../../helpers/ssh-keys.js';

jest.setTimeout(30_000);

async function handshake(useHelper: boolean): Promise<string> {
  const key = sshKeyPair('ed25519').private;
  const server = new ssh2.Server({ hostKeys: [key] }, (c) => { c.on('error', () => undefined); c.on('authentication', (a) => a.reject(['password'])); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const f = await front((server.address() as AddressInfo).port, 'drip');
  const { ctx } = credContext({ service: tcp(f.port, 'ssh') });
  try {
    const conn = await ctx.net.tcp(f.port, { timeoutMs: 10_000 });
    const sock: Duplex = useHelper ? await sshStream(conn) : conn.stream;
    return await new Promise<string>((resolve) => {
      const client = new ssh2.Client();
      client.on('error', (e) => resolve(`error: ${e.message}`));
      client.connect({ sock, username: 'x', readyTimeout: 6_000, hostVerifier: () => { resolve('host key seen'); return false; } });
    });
  } finally {
    await f.close();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

it('a dripped identification line breaks ssh2 on the raw stream, not on sshStream\'s', async () => {
  expect(await handshake(false)).toMatch(/^error: /);
  expect(await handshake(true)).toBe('host key seen');
});
