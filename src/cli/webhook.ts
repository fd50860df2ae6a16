/**
 * `--webhook URL`: after a run, POST a JSON summary of the run and of what changed since the previous
 * run of the same targets. Bounded: a deadline per attempt, a few retries with exponential backoff and
 * jitter (on network errors, timeouts, 408, 429 and 5xx; Retry-After honoured up to the backoff cap),
 * a capped response read. It never throws: the caller gets an outcome to log. The payload carries no
 * evidence and no credentials, and any password a finding revealed is scrubbed from every string.
 * Logs show the URL's origin only (a webhook path or query often is the secret).
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { UsageError } from '../errors.js';
import type { ScanResult } from '../model.js';
import type { FindingRef, RunDiff } from '../store/diff.js';
import { diffSummaryLine } from '../store/diff.js';
import { printable } from '../targets/spec.js';
import { TOOL_VERSION } from './version.js';

export interface WebhookOptions {
  /** Deadline of one attempt, connect to end of response (default 10 s). */
  timeoutMs?: number;
  /** Attempts after the first (default 3). */
  retries?: number;
  /** First backoff (default 1 s), doubled each retry, ±20 % jitter, capped at maxBackoffMs (default 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  signal?: AbortSignal;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface WebhookOutcome {
  ok: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/** Validates `--webhook`: an absolute http(s) URL. */
export function parseWebhookUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--webhook "${printable(redactText(text))}" is not a URL (give http://… or https://…)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--webhook must be an http:// or https:// URL, not ${printable(url.protocol)}`);
  }
  return url;
}

/** What logs may show of a webhook URL: its origin (no user, password, path or query). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function redactText(text: string): string {
  return text.replace(/\/\/[^/@]*@/, '//***@').replace(/[?#].*$/, '');
}

const LIST_CAP = 100;

function capped<T>(items: readonly T[]): { items: T[]; more: number } {
  return { items: items.slice(0, LIST_CAP), more: Math.max(0, items.length - LIST_CAP) };
}

function findingSummary(f: FindingRef) {
  return { id: f.id, device: f.device, deviceName: f.deviceName, check: f.check, status: f.status, severity: f.severity, title: f.title, port: f.port, transport: f.transport, guidelines: f.guidelines };
}

export interface WebhookPayload {
  event: 'iotcop.run';
  tool: { name: 'iotcop'; version: string };
  text: string;
  run: Pick<ScanResult['run'], 'id' | 'startedAt' | 'finishedAt' | 'durationMs' | 'targets' | 'partial' | 'stopReason' | 'shard' | 'merged'>;
  summary: ScanResult['summary'];
  baseline: { id: string; startedAt: string } | null;
  changes: null | {
    summary: string;
    devices: { new: unknown; gone: unknown; moved: unknown };
    services: { opened: unknown; closed: unknown };
    findings: { new: unknown; fixed: unknown; unverified: number; persisting: number };
    verdicts: unknown;
  };
}

/** Replaces every revealed password (and the values of obviously secret keys) in all strings. */
function scrub<T>(value: T, secrets: readonly string[]): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const secret of secrets) if (secret.length >= 1) s = s.split(secret).join('***');
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = /^(password|passwd|secret|token|community|credential)$/i.test(k) ? '***' : walk(x);
      return out;
    }
    return v;
  };
  return walk(value) as T;
}

/** The JSON body the webhook receives (pure). `diff` is null when nothing was compared. */
export function webhookPayload(result: ScanResult, diff: RunDiff | null): WebhookPayload {
  const run = result.run;
  const payload: WebhookPayload = {
    event: 'iotcop.run',
    tool: { name: 'iotcop', version: result.tool.version },
    text: `iotcop run ${run.id.slice(0, 8)}: ${result.summary.devices} device(s), ${result.summary.findings.fail} failed check(s)` +
      `${result.summary.worst ? ` (worst ${result.summary.worst})` : ''}${run.partial ? ', partial' : ''}; ${diff ? diffSummaryLine(diff) : 'no earlier run compared'}`,
    run: {
      id: run.id, startedAt: run.startedAt, finishedAt: run.finishedAt, durationMs: run.durationMs, targets: run.targets, partial: run.partial,
      ...(run.stopReason ? { stopReason: run.stopReason } : {}),
      ...(run.shard ? { shard: run.shard } : {}),
      ...(run.merged ? { merged: run.merged } : {}),
    },
    summary: result.summary,
    baseline: diff?.old ? { id: diff.old.id, startedAt: diff.old.startedAt } : null,
    changes: diff ? {
      summary: diffSummaryLine(diff),
      devices: { new: capped(diff.devices.new), gone: capped(diff.devices.gone), moved: capped(diff.devices.moved) },
      services: { opened: capped(diff.services.opened), closed: capped(diff.services.closed) },
      findings: {
        new: capped(diff.findings.new.map(findingSummary)),
        fixed: capped(diff.findings.fixed.map((f) => ({ ...findingSummary(f), how: f.how }))),
        unverified: diff.findings.unverified.length,
        persisting: diff.findings.persisting.length,
      },
      verdicts: capped(diff.verdicts),
    } : null,
  };
  const secrets = result.findings.flatMap((f) => (f.credential && !f.credential.masked ? [f.credential.password] : []));
  return scrub(payload, secrets);
}

const defaultSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  t.unref();
  signal?.addEventListener('abort', () => { clearTimeout(t); resolve(); }, { once: true });
});

interface AttemptResult { status?: number; retryAfterMs?: number; error?: string }

function attempt(url: URL, body: string, timeoutMs: number, signal?: AbortSignal): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: AttemptResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
    const req = send({
      protocol: url.protocol,
      hostname: url.hostname.replace(/^\[|\]$/g, ''),
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      auth,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'user-agent': `iotcop/${TOOL_VERSION}`,
      },
      signal,
    }, (res: IncomingMessage) => {
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > 64 * 1024) res.destroy();
      });
      const settle = () => {
        const ra = res.headers['retry-after'];
        const secs = typeof ra === 'string' && /^\d{1,6}$/.test(ra.trim()) ? Number(ra.trim()) * 1000 : undefined;
        finish({ status: res.statusCode ?? 0, ...(secs !== undefined ? { retryAfterMs: secs } : {}) });
      };
      res.on('end', settle);
      res.on('close', settle);
      res.on('error', settle);
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${Math.round(timeoutMs / 1000)} s`));
    }, timeoutMs);
    timer.unref();
    req.on('error', (e: NodeJS.ErrnoException) => finish({ error: e.code ? `${e.code}: ${e.message}` : e.message }));
    req.end(body);
  });
}

function retryable(r: AttemptResult): boolean {
  if (r.error !== undefined) return true;
  const s = r.status ?? 0;
  return s === 408 || s === 429 || s >= 500;
}

/** POSTs `payload` as JSON; never throws. */
export async function postWebhook(url: URL, payload: unknown, options: WebhookOptions = {}): Promise<WebhookOutcome> {
  const body = JSON.stringify(payload);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const retries = options.retries ?? 3;
  const base = options.backoffMs ?? 1000;
  const cap = options.maxBackoffMs ?? 30_000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? defaultSleep;
  let last: AttemptResult = {};
  for (let n = 1; n <= retries + 1; n++) {
    if (options.signal?.aborted) return { ok: false, attempts: n - 1, error: 'cancelled' };
    last = await attempt(url, body, timeoutMs, options.signal);
    if (last.error === undefined && (last.status ?? 0) >= 200 && (last.status ?? 0) < 300) {
      return { ok: true, attempts: n, status: last.status! };
    }
    if (!retryable(last) || n === retries + 1) {
      return { ok: false, attempts: n, ...(last.status !== undefined ? { status: last.status } : {}), error: last.error !== undefined ? printable(redactText(last.error)) : `HTTP ${last.status}` };
    }
    const backoff = Math.min(cap, base * 2 ** (n - 1)) * (0.8 + 0.4 * random());
    await sleep(Math.min(cap, Math.max(backoff, last.retryAfterMs ?? 0)), options.signal);
  }
  return { ok: false, attempts: retries + 1, error: 'gave up' };
}

/** One log line for an outcome. */
export function describeOutcome(url: URL, o: WebhookOutcome): string {
  const where = redactUrl(url);
  return o.ok
    ? `webhook: delivered to ${where} (HTTP ${o.status}, ${o.attempts} attempt${o.attempts === 1 ? '' : 's'})`
    : `webhook: not delivered to ${where} after ${o.attempts} attempt${o.attempts === 1 ? '' : 's'}: ${o.error ?? 'failed'}`;
}
