import dgram from 'node:dgram';
import { createServer } from 'node:net';
import type { Logger, NetApi } from '../../src/probes/contract.js';
import {
  createBudget, createCircuitBreaker, createHostLimiter, createNetApi,
  type Budget, type CircuitBreaker, type HostLimiter, type NetDefaults,
} from '../../src/net/index.js';

export const silentLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export interface TestApi {
  net: NetApi;
  limiter: HostLimiter;
  budget: Budget;
  breaker: CircuitBreaker;
  controller: AbortController;
}

export function testApi(options: {
  address?: string; perHost?: number; maxConnections?: number; deadlineMs?: number;
  defaults?: Partial<NetDefaults>; limiter?: HostLimiter; breaker?: CircuitBreaker;
} = {}): TestApi {
  const limiter = options.limiter ?? createHostLimiter(options.perHost ?? 2);
  const budget = createBudget(options.maxConnections ?? 20);
  const breaker = options.breaker ?? createCircuitBreaker({ threshold: 5 });
  const controller = new AbortController();
  const net = createNetApi({
    address: options.address ?? '127.0.0.1',
    hostLimiter: limiter,
    budget,
    signal: controller.signal,
    deadlineMs: options.deadlineMs ?? 5_000,
    log: silentLog,
    breaker,
    defaults: { connectTimeoutMs: 1_000, idleTimeoutMs: 2_000, connDeadlineMs: 3_000, httpTimeoutMs: 2_000, udpTimeoutMs: 300, ...options.defaults },
  });
  return { net, limiter, budget, breaker, controller };
}

/** A UDP port on 127.0.0.1 that was free a moment ago (for agents and silent sockets in tests). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A TCP server on 127.0.0.1 that sends one SSH banner and closes (a service for loopback CLI scans). */
export async function sshBannerServer(banner = 'SSH-2.0-OpenSSH_9.2p1'): Promise<{ port: number; close: () => void }> {
  const server = createServer((s) => s.end(`${banner}\r\n`));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP port');
  return { port: address.port, close: () => { server.close(); } };
}

/** Debian's `openssl s_server` on a free loopback port, started and accepting; `args` come after `-accept`. */
export async function startSServer(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ port: number; kill: () => void }> {
  const { spawn } = await import('node:child_process');
  const net = await import('node:net');
  const probe = net.createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, ...args], { env, stdio: 'ignore' });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('s_server did not start')), 10_000);
    const tryConnect = (): void => {
      const s = net.createConnection({ host: '127.0.0.1', port });
      s.on('connect', () => { s.destroy(); clearTimeout(t); resolve(); });
      s.on('error', () => setTimeout(tryConnect, 100));
    };
    tryConnect();
  });
  return { port, kill: () => { server.kill(); } };
}
