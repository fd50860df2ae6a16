/**
 * run: the scheduler. Devices arrive one by one from discovery and their jobs start at once
 * (pipelining); run-scope jobs run after every device job. Limits:
 * - a global limit on concurrent jobs (`concurrency`), and at most `jobsPerHost` jobs per device at once;
 * - per host at most `perHost` concurrent connections, across all jobs (enforced by the net layer's dialers);
 * - per job a connection budget and a deadline (`meta.budget`);
 * - a circuit breaker per host: after `breakerThreshold` consecutive timeouts/resets/unreachables the host
 *   is unresponsive, its running jobs are aborted and its pending ones skipped (`circuit-breaker`);
 * - a global time budget (`timeoutMs`) and an external signal (SIGINT/SIGTERM): the run stops, running jobs
 *   are aborted and recorded as not_tested, pending ones skipped, and finish() resolves with a partial result.
 * A probe that throws or overruns gives status `error`, never `pass`, and never stops other jobs; nothing a
 * probe does rejects out of the runner.
 */
import type {
  AnyProbe, AssessInput, CheckResult, CredentialPair, DeviceConfig, Logger, ProbeContext, ProbeSettings,
} from '../probes/contract.js';
import type { Device, ErrorKind, Json, RunError, SkipReason, Skipped, Transport } from '../model.js';
import type { VulnData } from '../probes/lib/versions.js';
import {
  NetError, classifyError, createBudget, createCircuitBreaker, createHostLimiter,
  type Budget, type CircuitBreaker, type HostLimiter, type NetDefaults,
} from '../net/index.js';
import { abortedError } from '../net/limits.js';
import { planDevice, planRun, safetyRank, type DeviceSelection, type Job, type PlanSettings } from './plan.js';
import { redactingLogger } from './redact.js';
import { createAttemptPacer } from './pacer.js';
import { buildProbeContext } from './context.js';
import { RUN_SCOPE_DEVICE, assessEvidence, errorMessage, keptEvidence, maskSecrets } from './assess.js';

export type JobStatus = 'done' | 'error' | 'not_tested';

export interface JobOutcome {
  jobId: string;
  probe: string;
  /** Device address, or '*' for run-scope jobs. */
  device: string;
  port?: number;
  transport?: Transport;
  status: JobStatus;
  /** assess() output when status is 'done'; empty otherwise. */
  results: CheckResult[];
  error?: { kind: ErrorKind; message: string };
  /** Why a job that started was stopped (status not_tested): timeout-global, aborted, circuit-breaker. */
  reason?: SkipReason;
  /** ISO time the job started. */
  startedAt: string;
  durationMs: number;
  /** Connections/exchanges/slots the job used from its budget. */
  connections: number;
  /**
   * What collect returned, kept (options.keepEvidence) so that the run can be judged again later;
   * owner passwords are masked in it. Only for status 'done'.
   */
  evidence?: Json;
  /** Why a done job's evidence was not kept (too large, not JSON). */
  evidenceOmitted?: string;
  /** `results` as the history stores them: passwords masked like the evidence (with keepEvidence). */
  keptResults?: CheckResult[];
}

export interface RunOutcome {
  outcomes: JobOutcome[];
  skipped: Skipped[];
  errors: RunError[];
  partial: boolean;
  stopReason?: 'timeout' | 'signal';
  /** Devices the circuit breaker marked unresponsive. */
  unresponsive: string[];
}

export interface ProgressCounts {
  devices: number;
  jobsTotal: number;
  /** Jobs finished, errored, stopped or cancelled (jobsDone reaches jobsTotal at the end). */
  jobsDone: number;
  jobsRunning: number;
  /** Results with status fail or warn so far. */
  findings: number;
}

export type RunnerEvent =
  | { type: 'device-added'; device: string; jobs: number; counts: ProgressCounts }
  | { type: 'job-start'; jobId: string; probe: string; device: string; counts: ProgressCounts }
  | { type: 'job-done'; jobId: string; probe: string; device: string; status: JobStatus; counts: ProgressCounts }
  | { type: 'host-unresponsive'; device: string; counts: ProgressCounts }
  | { type: 'run-stopping'; reason: 'timeout' | 'signal'; counts: ProgressCounts }
  | { type: 'run-done'; counts: ProgressCounts };

export interface RunnerOptions {
  /** Concurrent jobs over the whole run (default 16). */
  concurrency?: number;
  /** Concurrent connections per host across all jobs (default 2). */
  perHost?: number;
  /** Concurrent jobs per host (default: perHost), so that jobs do not spend their deadline queueing for connections. */
  jobsPerHost?: number;
  /** Global time budget in ms (0 or absent: none). */
  timeoutMs?: number;
  /** Delay between credential attempts on one host; overrides settings.attemptDelayMs when given. */
  attemptDelayMs?: number;
  /** Consecutive timeouts/resets/unreachables that mark a host unresponsive (default 5; 0 disables). */
  breakerThreshold?: number;
  /** External stop (SIGINT/SIGTERM from the CLI). */
  signal?: AbortSignal;
  settings: ProbeSettings;
  /** Command-line and targets.yaml selection for a device (default: everything). */
  selectionFor?(device: Device): DeviceSelection | undefined;
  credentialsFor?(device: Device): CredentialPair[];
  configFor?(device: Device): DeviceConfig | undefined;
  onProgress?(event: RunnerEvent): void;
  /** Each job's outcome as soon as it is known (the programmatic API streams findings from it). */
  onOutcome?(outcome: JobOutcome): void;
  log: Logger;
  now?(): Date;
  /** Connection defaults for the net layer (tests use short ones). */
  netDefaults?: Partial<NetDefaults>;
  /** The run's vulnerability data, handed to every assess (default: the bundled list). */
  vulnData?: VulnData;
  /** Keep each done job's evidence in its outcome (the history stores it for `report --reassess`). */
  keepEvidence?: boolean;
  /** The run shows found passwords (--reveal-credentials): kept evidence then masks only the owner's. */
  revealCredentials?: boolean;
}

export interface Runner {
  /** Plans the device's jobs and starts them at once. Ignored after finish() has been called. */
  addDevice(device: Device): void;
  /** Waits for every device job, runs the run-scope jobs, and resolves with everything. Never rejects. */
  finish(): Promise<RunOutcome>;
  /**
   * Fires when the run stops early (global timeout or external signal): pass it to discovery so that it
   * stops too (`AbortSignal.any([signal, runner.stopped])`).
   */
  readonly stopped: AbortSignal;
  /** Shared limits, exposed for tests and the benchmark. */
  readonly limiter: HostLimiter;
  readonly breaker: CircuitBreaker;
}

export { RUN_SCOPE_DEVICE };

type StopCause = 'deadline' | 'timeout-global' | 'aborted' | 'circuit-breaker';

interface Running {
  job: Job;
  controller: AbortController;
  cause?: StopCause;
}

const NOT_TESTED_MESSAGES: Record<Exclude<StopCause, 'deadline'>, string> = {
  'timeout-global': 'the run\'s time budget ran out before this job finished',
  aborted: 'the run was interrupted before this job finished',
  'circuit-breaker': 'the device stopped answering during the scan',
};

function skipFromJob(job: Job, reason: SkipReason, detail: string): Skipped {
  const s: Skipped = { probe: job.probe.meta.id, reason, detail };
  if (job.device) s.device = job.device.address;
  if (job.service) { s.port = job.service.port; s.transport = job.service.transport; }
  return s;
}

/** Resolves with the promise, or rejects as soon as the signal aborts; the promise's own rejection is always handled. */
function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  p.catch(() => undefined);
  if (signal.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (e: unknown) => { signal.removeEventListener('abort', onAbort); reject(e); },
    );
  });
}

export function createRunner(probes: readonly AnyProbe[], options: RunnerOptions): Runner {
  const concurrency = Math.max(1, options.concurrency ?? 64); // the CLI's default too (src/cli/options.ts)
  const perHost = Math.max(1, options.perHost ?? 2);
  const jobsPerHost = Math.max(1, options.jobsPerHost ?? perHost);
  const now = options.now ?? (() => new Date());
  const settings: ProbeSettings = {
    ...options.settings,
    attemptDelayMs: options.attemptDelayMs ?? options.settings.attemptDelayMs,
  };
  const log = options.log;

  const limiter = createHostLimiter(perHost);
  const pacer = createAttemptPacer(settings.attemptDelayMs);
  const breaker = createCircuitBreaker({
    threshold: options.breakerThreshold ?? 5,
    onTrip: (address) => tripHost(address),
  });

  const devices: Device[] = [];
  const addresses = new Set<string>();
  const queue: Job[] = [];
  const running = new Map<string, Running>();
  const runningPerHost = new Map<string, number>();
  const outcomes: JobOutcome[] = [];
  const skipped: Skipped[] = [];
  const errors: RunError[] = [];
  let stopReason: 'timeout' | 'signal' | undefined;
  let finishing: Promise<RunOutcome> | undefined;
  let runPhase = false;
  const counts: ProgressCounts = { devices: 0, jobsTotal: 0, jobsDone: 0, jobsRunning: 0, findings: 0 };
  let idleWaiters: (() => void)[] = [];
  let progressFailed = false;

  const emit = (event: RunnerEvent): void => {
    if (!options.onProgress) return;
    try {
      options.onProgress(event);
    } catch (e) {
      if (!progressFailed) {
        progressFailed = true;
        errors.push({ source: 'scheduler', kind: 'internal', message: `progress display failed: ${errorMessage(e)}` });
      }
    }
  };
  const snapshot = (): ProgressCounts => ({ ...counts, jobsRunning: running.size });

  const checkIdle = (): void => {
    if (queue.length > 0 || running.size > 0) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };
  const idle = (): Promise<void> => new Promise<void>((resolve) => { idleWaiters.push(resolve); checkIdle(); });

  const hostOf = (job: Job): string | undefined => job.device?.address;
  const hasRoom = (job: Job): boolean => {
    const h = hostOf(job);
    return h === undefined || (runningPerHost.get(h) ?? 0) < jobsPerHost;
  };

  const abortJob = (r: Running, cause: StopCause): void => {
    if (r.controller.signal.aborted) return;
    r.cause = cause;
    const reason = cause === 'deadline'
      ? new NetError('timeout', `probe deadline of ${r.job.probe.meta.budget.timeoutMs} ms reached`)
      : new NetError('aborted', NOT_TESTED_MESSAGES[cause]);
    r.controller.abort(reason);
  };

  function cancelQueued(predicate: (job: Job) => boolean, reason: SkipReason, detail: string): void {
    for (let i = queue.length - 1; i >= 0; i--) {
      const job = queue[i]!;
      if (!predicate(job)) continue;
      queue.splice(i, 1);
      skipped.push(skipFromJob(job, reason, detail));
      counts.jobsDone += 1;
    }
  }

  function tripHost(address: string): void {
    log.warn('device stopped answering: remaining checks on it are skipped', { device: address });
    cancelQueued((j) => hostOf(j) === address, 'circuit-breaker', NOT_TESTED_MESSAGES['circuit-breaker']);
    for (const r of running.values()) if (hostOf(r.job) === address) abortJob(r, 'circuit-breaker');
    emit({ type: 'host-unresponsive', device: address, counts: snapshot() });
    checkIdle();
  }

  const stoppedController = new AbortController();

  function stop(reason: 'timeout' | 'signal'): void {
    if (stopReason) return;
    stopReason = reason;
    stoppedController.abort(new NetError(reason === 'timeout' ? 'timeout' : 'aborted', reason === 'timeout' ? 'time budget reached' : 'interrupted'));
    const cause: StopCause = reason === 'timeout' ? 'timeout-global' : 'aborted';
    log.warn(reason === 'timeout' ? 'time budget reached: stopping the run' : 'interrupted: stopping the run');
    cancelQueued(() => true, cause, NOT_TESTED_MESSAGES[cause]);
    for (const r of running.values()) abortJob(r, cause);
    emit({ type: 'run-stopping', reason, counts: snapshot() });
    checkIdle();
  }

  const globalTimer = options.timeoutMs && options.timeoutMs > 0
    ? setTimeout(() => stop('timeout'), options.timeoutMs)
    : undefined;
  const onExternalAbort = (): void => stop('signal');
  if (options.signal?.aborted) stop('signal');
  else options.signal?.addEventListener('abort', onExternalAbort, { once: true });

  function pump(): void {
    while (running.size < concurrency && !stopReason) {
      const i = queue.findIndex(hasRoom);
      if (i < 0) break;
      const [job] = queue.splice(i, 1);
      if (job) start(job);
    }
    checkIdle();
  }

  function start(job: Job): void {
    const r: Running = { job, controller: new AbortController() };
    running.set(job.id, r);
    const h = hostOf(job);
    if (h !== undefined) runningPerHost.set(h, (runningPerHost.get(h) ?? 0) + 1);
    const device = job.device?.address ?? '*';
    emit({ type: 'job-start', jobId: job.id, probe: job.probe.meta.id, device, counts: snapshot() });
    void execute(r).catch((e: unknown): JobOutcome => ({
      // execute() handles everything itself; this is the last line of defence.
      ...baseOutcome(job, new Date(), Date.now(), 0),
      status: 'error',
      error: { kind: 'internal', message: `scheduler: ${errorMessage(e)}` },
    })).then((outcome) => {
      running.delete(job.id);
      if (h !== undefined) runningPerHost.set(h, (runningPerHost.get(h) ?? 1) - 1);
      outcomes.push(outcome);
      try { options.onOutcome?.(outcome); } catch { /* a failing listener never fails the run */ }
      counts.jobsDone += 1;
      counts.findings += outcome.results.filter((x) => x?.status === 'fail' || x?.status === 'warn').length;
      emit({ type: 'job-done', jobId: job.id, probe: job.probe.meta.id, device, status: outcome.status, counts: snapshot() });
      pump();
    }).catch((e: unknown) => {
      errors.push({ source: 'scheduler', kind: 'internal', message: errorMessage(e) });
      running.delete(job.id);
      checkIdle();
    });
  }

  function baseOutcome(job: Job, startedAt: Date, t0: number, connections: number): Omit<JobOutcome, 'status'> {
    const o: Omit<JobOutcome, 'status'> = {
      jobId: job.id,
      probe: job.probe.meta.id,
      device: job.device?.address ?? '*',
      results: [],
      startedAt: startedAt.toISOString(),
      durationMs: Math.max(0, Date.now() - t0),
      connections,
    };
    if (job.service) { o.port = job.service.port; o.transport = job.service.transport; }
    return o;
  }

  async function execute(r: Running): Promise<JobOutcome> {
    const { job } = r;
    const { meta } = job.probe;
    const startedAt = now();
    const t0 = Date.now();
    const signal = r.controller.signal;
    const deadline = setTimeout(() => abortJob(r, 'deadline'), Math.max(1, meta.budget.timeoutMs));
    const budget: Budget = createBudget(meta.budget.maxConnections);
    const device = job.device ?? RUN_SCOPE_DEVICE;
    const config = job.device ? options.configFor?.(job.device) : undefined;
    const failed = (kind: ErrorKind, message: string): JobOutcome =>
      ({ ...baseOutcome(job, startedAt, t0, budget.used), status: 'error', error: { kind, message } });
    const stopped = (cause: Exclude<StopCause, 'deadline'>): JobOutcome => ({
      ...baseOutcome(job, startedAt, t0, budget.used),
      status: 'not_tested',
      reason: cause,
      error: { kind: 'aborted', message: NOT_TESTED_MESSAGES[cause] },
    });
    const fromThrow = (e: unknown, where: 'collect' | 'setup'): JobOutcome => {
      if (r.cause === 'deadline') return failed('timeout', `probe did not finish within ${meta.budget.timeoutMs} ms`);
      if (r.cause) return stopped(r.cause);
      const kind = classifyError(e);
      return failed(kind, where === 'setup' ? `could not set up the probe: ${errorMessage(e)}` : errorMessage(e));
    };
    try {
      const withCredentials = safetyRank(meta.safety) >= safetyRank('credentials');
      const known = job.device ? [...(options.credentialsFor?.(job.device) ?? [])] : [];
      const credentials = withCredentials ? known : [];
      // Passwords are redacted from logs whether or not this probe may use them.
      const secrets = [...known.map((c) => c.password), ...(config?.credentials ?? []).map((c) => c.password)];
      const jobLog = redactingLogger(log, secrets, { job: job.id });
      let ctx: ProbeContext;
      try {
        ctx = buildProbeContext({
          job, device, devices, config, settings, credentials, log: jobLog, signal, budget,
          limiter, breaker, pacer, ...(options.netDefaults ? { netDefaults: options.netDefaults } : {}),
        });
      } catch (e) {
        return fromThrow(e, 'setup');
      }

      let evidence: unknown;
      try {
        evidence = await raceAbort(Promise.resolve().then(() => job.probe.collect(ctx)), signal);
      } catch (e) {
        return fromThrow(e, 'collect');
      }

      const input: AssessInput = {
        device,
        devices: [...devices],
        now: now(),
        ...(job.service ? { service: job.service } : {}),
        ...(config ? { config } : {}),
        ...(options.vulnData ? { vulnData: options.vulnData } : {}),
      };
      const judged = assessEvidence(job.probe, evidence as Json, input);
      if (judged.status === 'error') return failed(judged.error.kind, judged.error.message);
      const outcome: JobOutcome = { ...baseOutcome(job, startedAt, t0, budget.used), status: 'done', results: judged.results };
      if (options.keepEvidence) {
        const reveal = { revealCredentials: Boolean(options.revealCredentials) };
        const kept = keptEvidence(evidence, secrets, reveal);
        if ('evidence' in kept) outcome.evidence = kept.evidence; else outcome.evidenceOmitted = kept.omitted;
        // what is stored of the results is masked the same way (the report masks them again when it renders).
        outcome.keptResults = maskSecrets(judged.results as unknown as Json, secrets, reveal) as unknown as CheckResult[];
      }
      return outcome;
    } finally {
      clearTimeout(deadline);
      // Anything still open (a probe that forgot to close) is closed by aborting the job's signal.
      if (!signal.aborted) r.controller.abort(new NetError('aborted', 'job finished'));
    }
  }

  function enqueue(jobs: Job[]): void {
    counts.jobsTotal += jobs.length;
    if (stopReason) {
      const cause: StopCause = stopReason === 'timeout' ? 'timeout-global' : 'aborted';
      for (const job of jobs) skipped.push(skipFromJob(job, cause, NOT_TESTED_MESSAGES[cause]));
      counts.jobsDone += jobs.length;
      return;
    }
    queue.push(...jobs);
    pump();
  }

  function selectionOf(device: Device): PlanSettings {
    const sel = options.selectionFor?.(device);
    return {
      safety: settings.safety,
      only: sel?.only ?? [],
      skip: sel?.skip ?? [],
      ...(sel?.deviceOnly ? { deviceOnly: sel.deviceOnly } : {}),
      ...(sel?.deviceSkip ? { deviceSkip: sel.deviceSkip } : {}),
      ...(sel?.includeSelf ? { includeSelf: true } : {}),
    };
  }

  return {
    stopped: stoppedController.signal,
    limiter,
    breaker,
    addDevice(device: Device): void {
      if (runPhase) {
        log.warn('device handed over after the run phase began; ignored', { device: device.address });
        return;
      }
      if (addresses.has(device.address)) {
        log.warn('device handed over twice; the second is ignored', { device: device.address });
        return;
      }
      addresses.add(device.address);
      counts.devices += 1;
      let planned: ReturnType<typeof planDevice>;
      try {
        planned = planDevice(probes, device, selectionOf(device));
      } catch (e) {
        devices.push(device);
        errors.push({ source: 'scheduler', kind: 'internal', message: `planning failed: ${errorMessage(e)}`, device: device.address });
        return;
      }
      skipped.push(...planned.skipped);
      // The computer running iotcop, when not asked for, is not checked by the run-scope probes either
      // (shared-keys would open its SSH and TLS ports): they see only the devices being checked.
      if (!planned.skipped.some((s) => s.reason === 'this-computer')) devices.push(device);
      if (breaker.isOpen(device.address)) {
        counts.jobsTotal += planned.jobs.length;
        counts.jobsDone += planned.jobs.length;
        for (const job of planned.jobs) skipped.push(skipFromJob(job, 'circuit-breaker', NOT_TESTED_MESSAGES['circuit-breaker']));
      } else {
        enqueue(planned.jobs);
      }
      emit({ type: 'device-added', device: device.address, jobs: planned.jobs.length, counts: snapshot() });
    },
    finish(): Promise<RunOutcome> {
      finishing ??= (async (): Promise<RunOutcome> => {
        try {
          await idle();
          runPhase = true;
          // Run-scope jobs follow the command-line lists only: ask with the run stand-in device.
          const globalSel = selectionOf(RUN_SCOPE_DEVICE);
          const runSettings: PlanSettings = { safety: settings.safety, only: globalSel.only, skip: globalSel.skip };
          let runPlan: ReturnType<typeof planRun> = { jobs: [], skipped: [] };
          try {
            runPlan = planRun(probes, devices, runSettings);
          } catch (e) {
            errors.push({ source: 'scheduler', kind: 'internal', message: `planning failed: ${errorMessage(e)}` });
          }
          skipped.push(...runPlan.skipped);
          enqueue(runPlan.jobs);
          await idle();
        } catch (e) {
          errors.push({ source: 'scheduler', kind: 'internal', message: errorMessage(e) });
        } finally {
          if (globalTimer) clearTimeout(globalTimer);
          options.signal?.removeEventListener('abort', onExternalAbort);
        }
        emit({ type: 'run-done', counts: snapshot() });
        const result: RunOutcome = {
          outcomes: [...outcomes],
          skipped: [...skipped],
          errors: [...errors],
          partial: stopReason !== undefined,
          unresponsive: breaker.unresponsive(),
        };
        if (stopReason) result.stopReason = stopReason;
        return result;
      })();
      return finishing;
    },
  };
}
