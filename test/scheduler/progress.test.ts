// Tests src/cli/progress.ts (kept here with the runner whose events feed it).
import { createProgress, formatDuration, type ProgressStream } from '../../src/cli/progress.js';
import type { ProgressCounts, RunnerEvent } from '../../src/scheduler/run.js';

function fakeStream(isTTY: boolean): ProgressStream & { out: string } {
  const s = { out: '', isTTY, columns: 200, write(chunk: string) { s.out += chunk; return true; } };
  return s;
}

function counts(c: Partial<ProgressCounts>): ProgressCounts {
  return { devices: 0, jobsTotal: 0, jobsDone: 0, jobsRunning: 0, findings: 0, ...c };
}

function jobDone(c: Partial<ProgressCounts>): RunnerEvent {
  return { type: 'job-done', jobId: 'p@1.2.3.4', probe: 'p', device: '1.2.3.4', status: 'done', counts: counts(c) };
}

describe('progress display', () => {
  it('prints nothing with quiet', () => {
    const stream = fakeStream(true);
    const p = createProgress({ stream, quiet: true, timer: false });
    p.update({ type: 'hosts-found', count: 3 });
    p.update(jobDone({ jobsTotal: 4, jobsDone: 1 }));
    p.note('hello');
    p.stop();
    expect(stream.out).toBe('');
  });

  it('redraws one line in place on a TTY with hosts, checks, findings and an ETA', () => {
    let t = 0;
    const stream = fakeStream(true);
    const p = createProgress({ stream, timer: false, now: () => t });
    p.update({ type: 'hosts-found', count: 2 });
    t = 1_000;
    p.update({ type: 'job-start', jobId: 'p@1.2.3.4', probe: 'p', device: '1.2.3.4', counts: counts({ devices: 1, jobsTotal: 4, jobsRunning: 1 }) });
    t = 3_000;
    p.update(jobDone({ devices: 1, jobsTotal: 4, jobsDone: 2, findings: 1 }));
    p.stop();
    const frames = stream.out.split('\r\x1b[2K').filter(Boolean);
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(stream.out.endsWith('\n')).toBe(true);
    expect(stream.out.split('\n').length).toBe(2); // one live line, ended once
    const last = frames.at(-1)!;
    expect(last).toContain('hosts 2 found, 1 scanned');
    expect(last).toContain('checks 2/4');
    expect(last).toContain('findings 1');
    // 2 jobs in 2 s since the first started: 2 more take about 2 s.
    expect(last).toContain('ETA 2s');
  });

  it('prints plain lines at most every interval when not a TTY, and a final line', () => {
    let t = 0;
    const stream = fakeStream(false);
    const p = createProgress({ stream, timer: false, now: () => t, intervalMs: 5_000 });
    p.update(jobDone({ jobsTotal: 10, jobsDone: 1 }));
    t = 1_000;
    p.update(jobDone({ jobsTotal: 10, jobsDone: 2 }));
    t = 4_000;
    p.update(jobDone({ jobsTotal: 10, jobsDone: 3 }));
    t = 6_000;
    p.update(jobDone({ jobsTotal: 10, jobsDone: 4 }));
    t = 7_000;
    p.update(jobDone({ jobsTotal: 10, jobsDone: 10 }));
    p.stop();
    const lines = stream.out.trimEnd().split('\n');
    expect(stream.out).not.toContain('\r');
    expect(stream.out).not.toContain('\x1b');
    expect(lines.map((l) => /checks (\d+)\/10/.exec(l)?.[1])).toEqual(['1', '4', '10']);
  });

  it('reports a stopping run and unresponsive hosts', () => {
    const stream = fakeStream(false);
    const p = createProgress({ stream, timer: false, now: () => 0 });
    p.update({ type: 'host-unresponsive', device: '1.2.3.4', counts: counts({ devices: 1 }) });
    p.update({ type: 'run-stopping', reason: 'timeout', counts: counts({ devices: 1, jobsTotal: 3, jobsDone: 3 }) });
    p.stop();
    expect(stream.out).toContain('1 unresponsive');
    expect(stream.out).toContain('time budget reached');
  });

  it('keeps notes readable above the live line', () => {
    const stream = fakeStream(true);
    const p = createProgress({ stream, timer: false, now: () => 0 });
    p.update(jobDone({ jobsTotal: 2, jobsDone: 1 }));
    p.note('a warning');
    expect(stream.out).toContain('\r\x1b[2Ka warning\n');
    p.stop();
  });

  it('formats durations', () => {
    expect(formatDuration(0)).toBe('0s');
    expect(formatDuration(61_000)).toBe('1m01s');
    expect(formatDuration(3_600_000 + 120_000)).toBe('1h02m');
  });
});
