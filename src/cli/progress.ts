/**
 * Progress display fed by discovery and runner events (point 7):
 * - on a TTY, one line redrawn in place (hosts found/scanned, checks done/total, findings, ETA);
 * - otherwise a plain line at most every `intervalMs` (5 s), and only when something changed;
 * - with `quiet`, nothing.
 * It writes only numbers and its own words (no device-supplied text), to the stream it is given.
 */
import type { ProgressCounts } from '../scheduler/run.js';
import type { ProgressEvent } from '../api/events.js';

export type { ProgressEvent };

export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressOptions {
  stream: ProgressStream;
  quiet?: boolean;
  /** Default: stream.isTTY. */
  tty?: boolean;
  /** Plain-line interval when not a TTY (default 5000 ms). */
  intervalMs?: number;
  /** Minimum time between TTY redraws (default 100 ms). */
  redrawMs?: number;
  /** Keep a timer so the display moves even without events (default true; tests turn it off). */
  timer?: boolean;
  now?: () => number;
}

export interface Progress {
  update(event: ProgressEvent): void;
  /** Prints a message without garbling the live line. */
  note(message: string): void;
  /** Final line (TTY: ends the live line). Idempotent. */
  /** Ends the display; `final: false` (a fatal error follows) clears it without a last status line. */
  stop(final?: boolean): void;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

interface State extends ProgressCounts {
  hostsFound: number;
  stopping?: 'timeout' | 'signal';
  unresponsive: number;
}

export function renderLine(st: State, elapsedMs: number, etaMs: number | undefined): string {
  const parts = [
    `hosts ${st.hostsFound} found, ${st.devices} scanned`,
    `checks ${st.jobsDone}/${st.jobsTotal}`,
    `findings ${st.findings}`,
  ];
  if (st.unresponsive > 0) parts.push(`${st.unresponsive} unresponsive`);
  parts.push(`elapsed ${formatDuration(elapsedMs)}`);
  if (etaMs !== undefined) parts.push(`ETA ${formatDuration(etaMs)}`);
  else if (st.jobsRunning > 0 && st.jobsTotal - st.jobsDone <= st.jobsRunning) parts.push(`finishing the last ${st.jobsRunning} check${st.jobsRunning === 1 ? '' : 's'}`);
  if (st.stopping) parts.push(st.stopping === 'timeout' ? 'time budget reached, stopping' : 'stopping');
  return `iotcop: ${parts.join(' · ')}`;
}

export function createProgress(options: ProgressOptions): Progress {
  const { stream } = options;
  const quiet = options.quiet === true;
  const tty = options.tty ?? stream.isTTY === true;
  const now = options.now ?? (() => Date.now());
  const intervalMs = options.intervalMs ?? 5_000;
  const redrawMs = options.redrawMs ?? 100;
  const started = now();
  let firstJobAt: number | undefined;
  const st: State = { hostsFound: 0, devices: 0, jobsTotal: 0, jobsDone: 0, jobsRunning: 0, findings: 0, unresponsive: 0 };
  let lastWrite = Number.NEGATIVE_INFINITY;
  let lastLine = '';
  let dirty = false;
  let liveShown = false;
  let stopped = false;

  /**
   * an ETA only when the average pace can tell. When every check left is already running,
   * the average says nothing (the last ones are the slow ones: password guessing, long reads), and an estimate
   * under a second while checks remain is not true either: then there is no ETA, and the line says what is left.
   */
  const eta = (t: number): number | undefined => {
    if (firstJobAt === undefined || st.jobsDone === 0 || st.jobsDone >= st.jobsTotal) return undefined;
    const remaining = st.jobsTotal - st.jobsDone;
    if (remaining <= st.jobsRunning) return undefined;
    const estimate = ((t - firstJobAt) / st.jobsDone) * remaining;
    return estimate >= 1_000 ? estimate : undefined;
  };
  const line = (t: number): string => renderLine(st, t - started, eta(t));

  const drawTty = (t: number): void => {
    const width = Math.max(20, (stream.columns ?? 100) - 1);
    const text = line(t).slice(0, width);
    stream.write(`\r\x1b[2K${text}`);
    liveShown = true;
    lastWrite = t;
    dirty = false;
  };
  const printPlain = (t: number): void => {
    const text = line(t);
    stream.write(`${text}\n`);
    lastLine = text;
    lastWrite = t;
    dirty = false;
  };
  const tick = (force: boolean): void => {
    if (quiet || stopped) return;
    const t = now();
    if (tty) {
      if (force || t - lastWrite >= redrawMs) drawTty(t);
    } else if (dirty && (force || t - lastWrite >= intervalMs)) {
      printPlain(t);
    }
  };

  const timer = !quiet && options.timer !== false
    ? setInterval(() => {
      if (tty) tick(true);
      else if (dirty || now() - lastWrite >= intervalMs * 6) { dirty = true; tick(false); }
    }, tty ? 1_000 : intervalMs)
    : undefined;
  timer?.unref();

  return {
    update(event) {
      if (stopped) return;
      if (event.type === 'hosts-found') {
        st.hostsFound += Math.max(0, event.count);
      } else {
        Object.assign(st, {
          devices: event.counts.devices,
          jobsTotal: event.counts.jobsTotal,
          jobsDone: event.counts.jobsDone,
          jobsRunning: event.counts.jobsRunning,
          findings: event.counts.findings,
        });
        if (event.type === 'job-start' && firstJobAt === undefined) firstJobAt = now();
        if (event.type === 'host-unresponsive') st.unresponsive += 1;
        if (event.type === 'run-stopping') st.stopping = event.reason;
      }
      // Scanned hosts are found hosts too (imports and fallbacks may skip the hosts-found event).
      st.hostsFound = Math.max(st.hostsFound, st.devices);
      dirty = true;
      tick(event.type === 'run-stopping');
    },
    note(message) {
      if (quiet) return;
      if (tty && liveShown && !stopped) {
        stream.write(`\r\x1b[2K${message}\n`);
        drawTty(now());
      } else {
        stream.write(`${message}\n`);
      }
    },
    stop(final = true) {
      if (stopped) return;
      if (timer) clearInterval(timer);
      if (quiet) { stopped = true; return; }
      // before a fatal error the user gets one clear line, not a progress summary too.
      if (!final) {
        if (tty && liveShown) stream.write('\r\x1b[2K');
        stopped = true;
        return;
      }
      const t = now();
      if (tty) {
        drawTty(t);
        stream.write('\n');
      } else {
        const text = line(t);
        if (text !== lastLine) stream.write(`${text}\n`);
      }
      stopped = true;
    },
  };
}
