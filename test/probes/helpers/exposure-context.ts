/**
 * A ProbeContext over the real net layer (createNetApi) bound to a loopback address, for the
 * data-exposure probe tests (upnp-disclosure, mqtt-exposure, coap-exposure, ftp-anonymous,
 * snmp-disclosure, web-unauthenticated). Records every connection the probe opened.
 */
import type { AssessInput, Logger, ProbeContext, ProbeSettings } from '../../../src/probes/contract.js';
import type { Device, Service } from '../../../src/report/model.js';
import { createAttemptPacer } from '../../../src/scheduler/pacer.js';
import { createBudget, createCircuitBreaker, createHostLimiter, createNetApi, type Budget, type HostLimiter } from '../../../src/net/index.js';

export const quietLog: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined };

export function makeDevice(address: string, services: Service[] = [], extra: Partial<Device> = {}): Device {
  return {
    address,
    hostnames: [],
    name: address,
    identification: { type: 'unknown', confidence: 'low', sources: [] },
    services,
    ...extra,
  };
}

export function tcpService(port: number, name?: string, extra: Partial<Service> = {}): Service {
  return { port, transport: 'tcp', state: 'open', ...(name === undefined ? {} : { name }), ...extra };
}

export function udpService(port: number, name?: string, extra: Partial<Service> = {}): Service {
  return { port, transport: 'udp', state: 'open', ...(name === undefined ? {} : { name }), ...extra };
}

export interface TestContext {
  ctx: ProbeContext;
  budget: Budget;
  limiter: HostLimiter;
  controller: AbortController;
  connections: { kind: string; port: number }[];
}

export function makeContext(options: {
  address?: string;
  service?: Service;
  device?: Device;
  maxConnections?: number;
  deadlineMs?: number;
  settings?: Partial<ProbeSettings>;
  udpTimeoutMs?: number;
} = {}): TestContext {
  const address = options.address ?? '127.0.0.1';
  const device = options.device ?? makeDevice(address, options.service ? [options.service] : []);
  const limiter = createHostLimiter(2);
  const budget = createBudget(options.maxConnections ?? 10);
  const controller = new AbortController();
  const connections: { kind: string; port: number }[] = [];
  const net = createNetApi({
    address,
    hostLimiter: limiter,
    budget,
    signal: controller.signal,
    deadlineMs: options.deadlineMs ?? 10_000,
    log: quietLog,
    breaker: createCircuitBreaker({ threshold: 50 }),
    defaults: { connectTimeoutMs: 1_000, idleTimeoutMs: 3_000, connDeadlineMs: 8_000, httpTimeoutMs: 3_000, udpTimeoutMs: options.udpTimeoutMs ?? 400 },
    onConnect: (info) => { connections.push({ kind: info.kind, port: info.port }); },
  });
  // The real per-device pace, with the test's attempt delay (0 unless a test sets one).
  const pacer = createAttemptPacer(options.settings?.attemptDelayMs ?? 0);
  const ctx: ProbeContext = {
    device,
    ...(options.service ? { service: options.service } : {}),
    devices: [device],
    net,
    signal: controller.signal,
    settings: { safety: 'safe', maxGuesses: 10, attemptDelayMs: 0, revealData: false, online: false, ...options.settings },
    credentials: [],
    log: quietLog,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    paceAttempt: () => pacer.next(device.address, (ms) => new Promise((resolve) => setTimeout(resolve, ms))),
  };
  return { ctx, budget, limiter, controller, connections };
}

export function assessInput(device: Device, service?: Service): AssessInput {
  return { device, ...(service ? { service } : {}), devices: [device], now: new Date('2025-06-01T00:00:00Z') };
}
