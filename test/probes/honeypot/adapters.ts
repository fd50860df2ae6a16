/**
 * One adapter per credential probe for the honeypot suite: how to start that protocol's fake with a
 * decision hook behind a chosen transport, which check reports a working default, and whether the
 * protocol has a lockout signal the probe can see (MQTT, SSH and SNMP have none: a locked device there
 * looks like one that rejects, and the suite asserts only that the probe stays within its budget).
 */
import { GUESS_PARALLEL } from '../../../src/probes/lib/guessing.js';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { AnyProbe } from '../../../src/probes/contract.js';
import type { Service } from '../../../src/model.js';
import telnetProbe from '../../../src/probes/telnet-default-credentials.js';
import sshProbe from '../../../src/probes/ssh-default-credentials.js';
import ftpProbe from '../../../src/probes/ftp-default-credentials.js';
import httpProbe from '../../../src/probes/http-default-credentials.js';
import mqttProbe from '../../../src/probes/mqtt-default-credentials.js';
import rtspProbe from '../../../src/probes/rtsp-default-credentials.js';
import snmpProbe from '../../../src/probes/snmp-default-community.js';
import webLoginProbe from '../../../src/probes/web-login-credentials.js';
import { startFake } from '../../../lab/devices/webfakes/server.mjs';
import { fakeTelnet } from '../helpers/fake-telnet.js';
import { startFakeFtp } from '../helpers/fake-ftp.js';
import { startFakeBroker } from '../helpers/fake-mqtt.js';
import { fakeRtsp } from '../helpers/fake-rtsp.js';
import { fakeSnmpAgent } from '../helpers/fake-snmp.js';
import type { Started } from '../helpers/probe-tester.js';
import type { Authorize } from './decision.js';
import { OWNER } from './behaviours.js';
import { front, type TransportMode } from './transport.js';
import { sshKeyPair } from '../../helpers/ssh-keys.js';

export interface Adapter {
  probe: AnyProbe;
  defaultCheck: string;
  lockSignal: boolean;
  /** Requests one guess costs (SNMP sends each community as v2c and as v1). */
  attemptsPerGuess?: number;
  /** Guesses the probe sends at once (GuessOptions.parallel): a lock is seen up to this many attempts late. */
  parallel?: number;
  /** The user name the found credential carries (SNMP communities have none). */
  credentialUser?: string;
  /**
   * The probe connects without credentials first (MQTT): a service that accepts anything then lets an
   * anonymous client in, which mqtt-exposure reports, and this probe stops with "no password login".
   */
  anonymousFirst?: boolean;
  start(authorize: Authorize, mode: TransportMode): Promise<Started>;
}

const tcp = (port: number, name: string): Service => ({ port, transport: 'tcp', state: 'open', name });

/** A fake on its own port, reached through the transport front. */
async function behind(fake: { port: number; close(): Promise<void> }, name: string, mode: TransportMode): Promise<Started> {
  const f = await front(fake.port, mode);
  return { service: tcp(f.port, name), close: async () => { await f.close(); await fake.close(); } };
}

async function basicAuthWeb(authorize: Authorize): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const h = req.headers.authorization ?? '';
    const [user = '', ...rest] = h.startsWith('Basic ') ? Buffer.from(h.slice(6), 'base64').toString('utf8').split(':') : [];
    const d = h.startsWith('Basic ') ? authorize(user, rest.join(':')) : 'reject';
    if (d === 'accept') { res.writeHead(200, { 'Content-Type': 'text/html' }); res.end('<html><title>Router admin</title><body>Status</body></html>'); return; }
    if (d === 'lock') { res.writeHead(403, { 'Content-Type': 'text/html' }); res.end('<html><body>Too many failed login attempts. Account locked for 30 minutes.</body></html>'); return; }
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Router"', 'Content-Type': 'text/html' });
    res.end('<html><body>401 Unauthorized</body></html>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const HOST_KEY = sshKeyPair('ed25519').private;

async function passwordSsh(authorize: Authorize): Promise<{ port: number; close(): Promise<void> }> {
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [HOST_KEY], ident: 'OpenSSH_9.2p1 Debian-2' }, (client) => {
    clients.add(client);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.method !== 'password') { ctx.reject(['password']); return; }
      if (authorize(ctx.username, ctx.password) === 'accept') ctx.accept(); else ctx.reject(['password']);
    });
    client.on('ready', () => client.end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => { for (const c of clients) c.end(); server.close(() => r()); }) };
}

export const ADAPTERS: Record<string, Adapter> = {
  'telnet-default-credentials': {
    probe: telnetProbe, defaultCheck: 'telnet-default-credentials', lockSignal: true, parallel: GUESS_PARALLEL,
    start: async (authorize, mode) => behind(await fakeTelnet({ authorize, banner: 'BusyBox v1.36.1 (Debian) built-in shell\r\n' }), 'telnet', mode),
  },
  'ssh-default-credentials': {
    probe: sshProbe, defaultCheck: 'ssh-default-credentials', lockSignal: false, parallel: GUESS_PARALLEL,
    start: async (authorize, mode) => behind(await passwordSsh(authorize), 'ssh', mode),
  },
  'ftp-default-credentials': {
    probe: ftpProbe, defaultCheck: 'ftp-default-credentials', lockSignal: true,
    start: async (authorize, mode) => behind(await startFakeFtp({ authorize, anonymousUsers: [] }), 'ftp', mode),
  },
  'http-default-credentials': {
    probe: httpProbe, defaultCheck: 'http-default-credentials', lockSignal: true,
    start: async (authorize, mode) => behind(await basicAuthWeb(authorize), 'http', mode),
  },
  'mqtt-default-credentials': {
    probe: mqttProbe, defaultCheck: 'mqtt-default-credentials', lockSignal: false, anonymousFirst: true,
    start: async (authorize, mode) => behind(await startFakeBroker({ authorize }), 'mqtt', mode),
  },
  'rtsp-default-credentials': {
    probe: rtspProbe, defaultCheck: 'rtsp-default-credentials', lockSignal: true,
    start: async (authorize, mode) => behind(await fakeRtsp({ paths: ['/', '/live', '/stream1', '/h264', '/11', '/cam/realmonitor', '/Streaming/Channels/101'], auth: 'basic', authorize }), 'rtsp', mode),
  },
  'snmp-default-community': {
    // UDP: no stream to drip or reset; 'reset' is a closed port (the agent is gone), 'drip' the plain agent.
    probe: snmpProbe, defaultCheck: 'snmp-default-community', lockSignal: false, credentialUser: '', attemptsPerGuess: 2,
    start: async (authorize, mode) => {
      const agent = await fakeSnmpAgent({ authorize: (_u, community) => authorize(OWNER.username, community) });
      if (mode === 'reset') await agent.close();
      return { service: { port: agent.port, transport: 'udp', state: 'open', name: 'snmp' }, close: async () => { if (mode !== 'reset') await agent.close(); } };
    },
  },
  'web-login-credentials': {
    probe: webLoginProbe, defaultCheck: 'web-login-default-credentials', lockSignal: true,
    start: async (authorize, mode) => {
      const verdict = { accept: 'ok', reject: 'fail', lock: 'locked' } as const;
      const fake = await startFake('node-red-admin', {
        username: OWNER.username, password: OWNER.password,
        decide: (user, right) => verdict[authorize(user, right ? OWNER.password : '\u0000wrong')],
      });
      return behind(fake, 'http', mode);
    },
  },
};
