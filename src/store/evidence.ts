/**
 * The evidence of a run, stored next to its result in the history database so that
 * `iotcop report RUN --reassess` can judge it again with today's data and policies, without rescanning.
 *
 * What is kept: every job's outcome as the scheduler produced it (status, error, results masked as the
 * evidence is) plus, for jobs
 * that finished, what collect returned (capped at 512 KiB per job by the runner), and each device's
 * non-secret owner configuration from targets.yaml. Passwords are masked in the evidence as reports
 * mask them (src/scheduler/assess.ts keptEvidence: the owner's always, found ones unless the scan used
 * --reveal-credentials) and left out of the configuration. The database file is 0600 (src/store/db.ts).
 *
 * Stored gzip-compressed JSON; read back through a schema, so a corrupt or foreign blob is an error
 * with a message, never a crash.
 */
import { z } from 'zod';
import type { DeviceConfig } from '../probes/contract.js';
import type { OutcomeLike } from '../report/build.js';
import type { Json } from '../model.js';
import { gunzipText, gzipJson } from '../json-pieces.js';

export const EVIDENCE_FORMAT = 1;
/** Largest stored blob read back (decompressed), against a corrupt or hostile database. */

export interface StoredJob extends OutcomeLike {
  jobId: string;
  startedAt: string;
  durationMs: number;
  connections: number;
  reason?: string;
  evidence?: Json;
  evidenceOmitted?: string;
}

/** Owner configuration without credentials. */
export type StoredConfig = Omit<DeviceConfig, 'credentials'>;

export interface RunEvidence {
  format: typeof EVIDENCE_FORMAT;
  /** iotcop version that collected it. */
  toolVersion: string;
  jobs: StoredJob[];
  /** By device address. */
  configs: Record<string, StoredConfig>;
}

const storedJob = z.object({
  jobId: z.string(),
  probe: z.string(),
  device: z.string(),
  port: z.number().int().optional(),
  transport: z.enum(['tcp', 'udp']).optional(),
  status: z.enum(['done', 'error', 'not_tested']),
  // results are the probes' own shape; the report's schema checks what is built from them.
  results: z.array(z.record(z.string(), z.unknown())),
  error: z.object({ kind: z.string(), message: z.string() }).optional(),
  reason: z.string().optional(),
  startedAt: z.string(),
  durationMs: z.number(),
  connections: z.number(),
  // JSON.parse only makes JSON values; the probe's assess judges their shape (a throw is an error).
  evidence: z.unknown().optional(),
  evidenceOmitted: z.string().optional(),
}).passthrough();

const runEvidence = z.object({
  format: z.literal(EVIDENCE_FORMAT),
  toolVersion: z.string(),
  jobs: z.array(storedJob),
  configs: z.record(z.string(), z.record(z.string(), z.unknown())),
});

/** The outcome fields a stored job keeps (anything else the scheduler adds is not stored). */
export function storedJobOf(o: StoredJob & { keptResults?: OutcomeLike['results'] }): StoredJob {
  const j: StoredJob = {
    jobId: o.jobId, probe: o.probe, device: o.device, status: o.status, results: o.keptResults ?? o.results,
    startedAt: o.startedAt, durationMs: o.durationMs, connections: o.connections,
  };
  if (o.port !== undefined) j.port = o.port;
  if (o.transport) j.transport = o.transport;
  if (o.error) j.error = o.error;
  if (o.reason) j.reason = o.reason;
  if (o.evidence !== undefined) j.evidence = o.evidence;
  if (o.evidenceOmitted) j.evidenceOmitted = o.evidenceOmitted;
  return j;
}

/** A device's owner configuration as stored: no credentials. */
export function storedConfigOf(c: DeviceConfig): StoredConfig {
  const { credentials: _dropped, ...rest } = c;
  void _dropped;
  return JSON.parse(JSON.stringify(rest)) as StoredConfig;
}

/** gzip of the evidence's JSON, built in pieces (a 250-device run's evidence is 6.6 MB of JSON). */
export function encodeEvidence(e: RunEvidence): Buffer {
  return gzipJson(e);
}

export class EvidenceFormatError extends Error {}

export function decodeEvidence(blob: Buffer): RunEvidence {
  let text: string;
  try {
    text = gunzipText(blob);
  } catch {
    throw new EvidenceFormatError('the stored evidence is not readable (corrupt, or too large)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new EvidenceFormatError('the stored evidence is not valid JSON');
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (typeof format === 'number' && format > EVIDENCE_FORMAT) {
    throw new EvidenceFormatError(`the stored evidence has format ${format}, newer than this iotcop knows (${EVIDENCE_FORMAT}); upgrade iotcop`);
  }
  const checked = runEvidence.safeParse(parsed);
  if (!checked.success) throw new EvidenceFormatError('the stored evidence does not have the expected shape');
  return parsed as RunEvidence;
}
