/**
 * What one job's probe receives (ProbeContext): a net API bound to its device (or, for run-scope jobs, an
 * offline one plus `netFor` to the run's own devices only), sharing the run's per-host limiter, circuit
 * breaker and the job's budget and signal; its settings with the owner's per-device allowances; the
 * credentials its safety level allows; a redacting logger; an abortable sleep. Built by the runner.
 */
import type { CredentialPair, DeviceConfig, Logger, ProbeContext, ProbeSettings } from '../probes/contract.js';
import type { Device } from '../model.js';
import { NetError, createNetApi, createOfflineNetApi, type Budget, type CircuitBreaker, type HostLimiter, type NetDefaults } from '../net/index.js';
import { abortedError } from '../net/limits.js';
import { createOnlineApi } from '../net/online.js';
import type { Job } from './plan.js';
import type { AttemptPacer } from './pacer.js';

export interface ContextInput {
  job: Job;
  /** The job's device, or the run-scope placeholder. */
  device: Device;
  devices: readonly Device[];
  config: DeviceConfig | undefined;
  settings: ProbeSettings;
  credentials: CredentialPair[];
  log: Logger;
  signal: AbortSignal;
  budget: Budget;
  limiter: HostLimiter;
  breaker: CircuitBreaker;
  /** The run's login-attempt pace per device. */
  pacer: AttemptPacer;
  netDefaults?: Partial<NetDefaults>;
}

export function sleeper(signal: AbortSignal): (ms: number) => Promise<void> {
  return (ms) => new Promise<void>((resolve, reject) => {
    if (signal.aborted) { reject(abortedError(signal)); return; }
    const onAbort = (): void => { clearTimeout(t); reject(abortedError(signal)); };
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, Math.max(0, ms));
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export function buildProbeContext(i: ContextInput): ProbeContext {
  const { job, device, devices, config, settings, credentials, signal, budget, limiter, breaker } = i;
  const { meta } = job.probe;
  const jobLog = i.log;
  const netOf = (address: string) => createNetApi({
    address,
    hostLimiter: limiter,
    budget,
    signal,
    deadlineMs: meta.budget.timeoutMs,
    log: jobLog,
    breaker,
    ...(i.netDefaults ? { defaults: i.netDefaults } : {}),
  });
  const net = job.device ? netOf(job.device.address) : createOfflineNetApi();
  // Run-scope jobs may reach the run's own devices (never another address), sharing the per-host
  // limits and the job's budget: e.g. shared-keys fetching a host key discovery could not record.
  const inRun = new Set(devices.map((d) => d.address));
  const netFor = job.device ? undefined : (address: string) => {
    if (!inRun.has(address)) throw new NetError('out-of-scope', `${address} is not a device of this scan`);
    return netOf(address);
  };
  return {
    device,
    devices: [...devices],
    net,
    signal,
    settings: {
      ...settings,
      // The owner's per-device allowances from targets.yaml (docs/CREDENTIALS.md "Coverage").
      ...(config?.maxGuesses !== undefined ? { maxGuesses: config.maxGuesses } : {}),
      ...(config?.maxFailuresPerAccount !== undefined ? { maxFailuresPerAccount: config.maxFailuresPerAccount } : {}),
    },
    credentials,
    log: jobLog,
    sleep: sleeper(signal),
    paceAttempt: () => i.pacer.next(device.address, sleeper(signal)),
    ...(job.service ? { service: job.service } : {}),
    ...(config ? { config } : {}),
    ...(settings.online ? { online: createOnlineApi({ signal, maxRequests: 4 }) } : {}),
    ...(netFor ? { netFor } : {}),
  };
}
