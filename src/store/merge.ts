/**
 * Combines shard results into one (pure; `iotcop merge`). Devices, findings, skipped jobs and errors
 * are concatenated (a device or finding that appears in two inputs is kept once, from the later run),
 * the summary is recomputed with the roll-up's summarise(), and the run says it was merged from N
 * shards. Missing shards make the merged result partial, with a notice naming them; the same shard
 * given twice, or shards of different splits (1/3 with 0/4), is an error.
 */
import { UsageError } from '../errors.js';
import { summarise } from '../guidelines/rollup.js';
import type { DeviceResult, Finding, RunInfo, ScanResult } from '../model.js';

export interface MergeInput {
  results: readonly ScanResult[];
  /** Names of the inputs (file paths), for messages. */
  names?: readonly string[];
  id: string;
}

export interface MergeOutput {
  result: ScanResult;
  notices: string[];
}

export function mergeResults(input: MergeInput): MergeOutput {
  const { results } = input;
  const name = (i: number) => input.names?.[i] ?? `input ${i + 1}`;
  if (results.length === 0) throw new UsageError('merge needs at least one result');
  const notices: string[] = [];

  // Shard bookkeeping.
  const sharded = results.map((r) => r.run.shard);
  let missing: number[] = [];
  let count: number | undefined;
  if (sharded.some(Boolean)) {
    const seen = new Map<number, number>();
    results.forEach((r, i) => {
      const s = r.run.shard;
      if (!s) throw new UsageError(`${name(i)} is not a shard result (no --shard), but other inputs are`);
      if (count === undefined) count = s.count;
      if (s.count !== count) throw new UsageError(`${name(i)} is shard ${s.index}/${s.count}, but ${name(0)} is of a split into ${count}`);
      const prev = seen.get(s.index);
      if (prev !== undefined) throw new UsageError(`shard ${s.index}/${s.count} is given twice (${name(prev)} and ${name(i)})`);
      seen.set(s.index, i);
    });
    missing = Array.from({ length: count! }, (_, k) => k).filter((k) => !seen.has(k));
    if (missing.length) notices.push(`shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: the merged result is partial`);
  }

  // Later runs win when the same device or finding appears twice.
  const order = results.map((r, i) => ({ r, i })).sort((a, b) => a.r.run.startedAt.localeCompare(b.r.run.startedAt) || a.i - b.i);
  const devices = new Map<string, DeviceResult>();
  const findings = new Map<string, Finding>();
  const duplicates = new Set<string>();
  for (const { r } of order) {
    for (const d of r.devices) {
      if (devices.has(d.address)) duplicates.add(d.address);
      devices.set(d.address, d);
    }
    for (const f of r.findings) findings.set(f.id, f);
  }
  if (duplicates.size) notices.push(`${duplicates.size} device${duplicates.size > 1 ? 's' : ''} appeared in more than one input; kept the later scan of each (${[...duplicates].slice(0, 5).join(', ')}${duplicates.size > 5 ? ', …' : ''})`);
  // A finding belongs with the device copy that was kept.
  const kept = new Map<string, string>();
  for (const { r } of order) for (const d of r.devices) if (devices.get(d.address) === d) kept.set(d.address, r.run.id);
  const findingOwner = new Map<string, string>();
  for (const { r } of order) for (const f of r.findings) if (findings.get(f.id) === f) findingOwner.set(f.id, r.run.id);
  const mergedFindings = [...findings.values()].filter((f) => f.device === '*' || !kept.has(f.device) || kept.get(f.device) === findingOwner.get(f.id));

  const first = order[0]!.r;
  const last = order[order.length - 1]!.r;
  const startedAt = order.map((o) => o.r.run.startedAt).sort()[0]!;
  const finishedAt = results.map((r) => r.run.finishedAt).sort().at(-1)!;
  const safeties = new Set(results.map((r) => r.run.options.safety));
  if (safeties.size > 1) notices.push(`the inputs used different safety levels (${[...safeties].join(', ')}); options shown are those of the first`);
  const targets = [...new Set(results.flatMap((r) => r.run.targets))];
  const capabilityNotices = [...new Set(results.flatMap((r) => r.run.capabilities.notices))];
  const shards = count ?? results.length;
  const run: RunInfo = {
    id: input.id,
    startedAt,
    finishedAt,
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)),
    targets,
    autoTargets: results.some((r) => r.run.autoTargets),
    options: first.run.options,
    capabilities: {
      ...first.run.capabilities,
      privileged: results.every((r) => r.run.capabilities.privileged),
      notices: [`merged from ${shards} shard${shards === 1 ? '' : 's'}${missing.length ? ` (${missing.length} missing)` : ''}`, ...capabilityNotices],
    },
    partial: missing.length > 0 || results.some((r) => r.run.partial),
    merged: { shards, runs: results.map((r) => r.run.id) },
  };
  if (first.run.configFile) run.configFile = first.run.configFile;
  const stop = results.find((r) => r.run.stopReason)?.run.stopReason;
  if (stop) run.stopReason = stop;

  const deviceList = [...devices.values()].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }));
  const findingList = mergedFindings.sort((a, b) => a.device.localeCompare(b.device) || (a.port ?? 0) - (b.port ?? 0) || a.check.localeCompare(b.check));
  const result: ScanResult = {
    schemaVersion: last.schemaVersion,
    tool: last.tool,
    run,
    devices: deviceList,
    findings: findingList,
    skipped: results.flatMap((r) => r.skipped),
    errors: results.flatMap((r) => r.errors),
    summary: summarise(deviceList, findingList),
  };
  return { result, notices };
}
