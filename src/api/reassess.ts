/**
 * Re-assessment of a stored run (`iotcop report RUN --reassess`): every job that finished has its saved
 * evidence judged again by its probe's assess (src/scheduler/assess.ts, the one the scan uses), with
 * today's vulnerability data and policies. Nothing is sent to any device.
 *
 * - Devices, their services and the run's skipped checks and errors are the stored ones.
 * - Each judgement uses the time its job ran (the evidence describes that moment: a certificate that
 *   expired since, or a support end passed since, is a matter for a new scan).
 * - A job kept as stored: one that errored or was not tested, one whose evidence was not kept (too
 *   large), and one whose probe this iotcop no longer has. The report counts them.
 * - Checks added to iotcop after the scan need collect, so they do not appear: rescan for them.
 * - Credentials: the original run's --reveal-credentials setting applies; owner passwords were masked
 *   when the evidence was stored, so they stay masked.
 */
import { UsageError } from '../errors.js';
import type { AnyProbe, AssessInput, DeviceConfig, ProbeMeta } from '../probes/contract.js';
import type { VulnData } from '../probes/lib/versions.js';
import type { Device, DeviceResult, RunInfo, ScanResult, VulnDataInfo } from '../model.js';
import { buildResult } from '../report/build.js';
import { RUN_SCOPE_DEVICE, assessEvidence } from '../scheduler/assess.js';
import type { RunEvidence, StoredJob } from '../store/evidence.js';

export interface ReassessInput {
  stored: ScanResult;
  evidence: RunEvidence;
  probes: readonly AnyProbe[];
  vulnData: VulnData;
  vulnInfo: VulnDataInfo;
  toolVersion: string;
  now: Date;
}

/** The device a stored device result describes (what the scan's probes saw). */
function deviceOf(d: DeviceResult): Device {
  const { guidelines: _g, psti: _p, unresponsive: _u, ...device } = d;
  void _g; void _p; void _u;
  return device;
}


export function reassessRun(input: ReassessInput): ScanResult {
  const { stored, evidence } = input;
  const devices = stored.devices.map(deviceOf);
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  const probes = new Map(input.probes.map((p) => [p.meta.id, p]));
  const configFor = (d: Device): DeviceConfig | undefined => evidence.configs[d.address];

  let assessed = 0;
  const kept: Record<string, number> = {};
  const keep = (j: StoredJob, why: string): StoredJob => { kept[why] = (kept[why] ?? 0) + 1; return j; };
  const outcomes = evidence.jobs.map((job): StoredJob => {
    if (job.status !== 'done') return keep(job, 'did not finish in the scan');
    const probe = probes.get(job.probe);
    if (!probe) return keep(job, 'probe no longer in iotcop');
    if (job.evidence === undefined) return keep(job, 'evidence not stored');
    const device = job.device === '*' ? RUN_SCOPE_DEVICE : byAddress.get(job.device);
    if (!device) return keep(job, 'device not in the stored result');
    const service = job.port === undefined ? undefined : device.services.find((s) => s.port === job.port && s.transport === job.transport);
    const config = configFor(device);
    const at = new Date(Date.parse(job.startedAt) + job.durationMs);
    const assessInput: AssessInput = {
      device, devices, now: Number.isNaN(at.getTime()) ? new Date(stored.run.finishedAt) : at, vulnData: input.vulnData,
      ...(service ? { service } : {}), ...(config ? { config } : {}),
    };
    const judged = assessEvidence(probe, job.evidence, assessInput);
    assessed += 1;
    return judged.status === 'done'
      ? { ...job, results: judged.results }
      : { ...job, status: 'error', results: [], error: judged.error };
  });

  // a job of a probe this iotcop no longer has cannot become findings: its catalogue entry is gone.
  const meta = new Map<string, ProbeMeta>(input.probes.map((p) => [p.meta.id, p.meta]));
  const run: RunInfo = {
    ...stored.run,
    vulnData: input.vulnInfo,
    reassessed: {
      at: input.now.toISOString(),
      scannedWith: stored.tool.version,
      assessedJobs: assessed,
      keptJobs: Object.values(kept).reduce((a, b) => a + b, 0),
      kept,
    },
  };
  return buildResult({
    run, toolVersion: input.toolVersion, devices, outcomes, probes: meta,
    skipped: stored.skipped, errors: stored.errors, revealCredentials: stored.run.options.revealCredentials,
    unresponsive: stored.devices.filter((d) => d.unresponsive).map((d) => d.address),
    configFor, safety: stored.run.options.safety, now: new Date(stored.run.finishedAt),
  });
}

/** Why a stored run cannot be re-assessed, in words. */
export function noEvidence(label: string, result: ScanResult): UsageError {
  const why = result.run.merged
    ? 'it was combined from shard results by `iotcop merge`, which keeps no evidence'
    : 'it was stored without evidence (by an older iotcop)';
  return new UsageError(`${label} cannot be re-assessed: ${why}; scan again to judge it with today's data`);
}
