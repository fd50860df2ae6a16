/**
 * A ProbeContext over the real net layer (createNetApi) bound to 127.0.0.1, for the default-credential probe
 * tests and the telnet/RTSP client tests. Records every connection the probe opened; sleeps are instant.
 */
import net from 'node:net';
import type { AssessInput, CredentialPair, DeviceConfig, Logger, ProbeContext, ProbeSettings } from '../../../src/probes/contract.js';
import type { Device, Service } from '../../../src/report/model.js';
import { createAttemptPacer } from '../../../src/scheduler/pacer.js';
import { createBudget, createCircuitBreaker, createHostLimiter, createNetApi, type Budget } from '../../../src/net/index.js';

export const quietLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export function device(services: Service[] = [], extra: Partial<Device> = {}): Device {
  return {
    address: '127.0.0.1',
    hostnames: [],
    name: 'test device',
    identification: { type: 'unknown', confidence: 'low', sources: [] },
    services,
    ...extra,
  };
}

export function tcp(port: number, name?: string, extra: Partial<Service> = {}): Service {
  return { port, transport: 'tcp', state: 'open', ...(name === undefined ? {} : { name }), ...extra };
}

export interface CredTestContext {
  ctx: ProbeContext;
  budget: Budget;
  controller: AbortController;
  connections: { kind: string; port: number }[];
}

export function credContext(options: {
  service: Service;
  device?: Device;
  maxGuesses?: number;
  maxConnections?: number;
  deadlineMs?: number;
  credentials?: CredentialPair[];
  config?: DeviceConfig;
  settings?: Partial<ProbeSettings>;
}): CredTestContext {
  const dev = options.device ?? device([options.service]);
  const budget = createBudget(options.maxConnections ?? 200);
  const controller = new AbortController();
  const connections: { kind: string; port: number }[] = [];
  const netApi = createNetApi({
    address: '127.0.0.1',
    hostLimiter: createHostLimiter(2),
    budget,
    signal: controller.signal,
    deadlineMs: options.deadlineMs ?? 60_000,
    log: quietLog,
    breaker: createCircuitBreaker({ threshold: 100 }),
    defaults: { connectTimeoutMs: 1_000, idleTimeoutMs: 5_000, connDeadlineMs: 15_000, httpTimeoutMs: 5_000, udpTimeoutMs: 500 },
    onConnect: (info) => { connections.push({ kind: info.kind, port: info.port }); },
  });
  // The real per-device pace, with the test's attempt delay (0 unless a test sets one).
  const pacer = createAttemptPacer(options.settings?.attemptDelayMs ?? 0);
  const ctx: ProbeContext = {
    device: dev,
    service: options.service,
    devices: [dev],
    net: netApi,
    signal: controller.signal,
    settings: { safety: 'credentials', maxGuesses: options.maxGuesses ?? 10, attemptDelayMs: 0, revealData: false, online: false, ...options.settings },
    credentials: options.credentials ?? [],
    log: quietLog,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5))),
    paceAttempt: () => pacer.next(dev.address, (ms) => new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)))),
    ...(options.config ? { config: options.config } : {}),
  };
  return { ctx, budget, controller, connections };
}

export function assessInput(dev: Device, service?: Service): AssessInput {
  return { device: dev, ...(service ? { service } : {}), devices: [dev], now: new Date('2025-06-01T00:00:00Z') };
}

/** A TCP server on a random loopback port; every socket is destroyed on close. */
export async function tcpServer(onSocket: (s: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    onSocket(s);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}
