/**
 * Command-line conventions (issue 19): NO_COLOR and --color, shell completion, an ETA that never claims
 * "0s" while checks run, and --verbose lines that name the probe, device, port and what happened — and
 * never a password.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { useColor } from '../../src/cli/color.js';
import { createProgress, type ProgressStream } from '../../src/cli/progress.js';
import { verboseLine } from '../../src/cli/scan.js';
import { redactingLogger } from '../../src/scheduler/redact.js';
import { bannerServer, iotcop, main, root, tempDir } from '../api/loopback.js';

const rich = join(root, 'test/report/golden/rich.json');
// eslint-disable-next-line no-control-regex
const SGR = /\x1b\[[0-9;]*m/;

function inPty(command: string, env: Record<string, string>): string {
  // util-linux `script` gives the command a real terminal, so "auto" sees a TTY.
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  if (r.status !== 0) throw new Error(`script failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

describe('colour', () => {
  it('useColor: never/always win; auto needs a TTY, no NO_COLOR (non-empty) and a TERM other than dumb', () => {
    expect(useColor({ isTTY: true }, {}, 'auto')).toBe(true);
    expect(useColor({ isTTY: false }, {}, 'auto')).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '1' }, 'auto')).toBe(false);
    expect(useColor({ isTTY: true }, { NO_COLOR: '' }, 'auto')).toBe(true); // no-color.org: set and non-empty
    expect(useColor({ isTTY: true }, { TERM: 'dumb' }, 'auto')).toBe(false);
    expect(useColor({ isTTY: false }, { NO_COLOR: '1' }, 'always')).toBe(true);
    expect(useColor({ isTTY: true }, {}, 'never')).toBe(false);
  });

  it('a terminal report on a TTY is coloured, and not with NO_COLOR=1 or --color never', () => {
    const cmd = `"${process.execPath}" "${main}" report "${rich}" --format terminal`;
    expect(inPty(cmd, { TERM: 'xterm' })).toMatch(SGR);
    expect(inPty(cmd, { TERM: 'xterm', NO_COLOR: '1' })).not.toMatch(SGR);
    expect(inPty(`${cmd} --color never`, { TERM: 'xterm' })).not.toMatch(SGR);
  }, 120_000);

  it('--color always colours a pipe; the default does not', async () => {
    const piped = await iotcop(['report', rich, '--format', 'terminal']);
    expect(piped.code).toBe(0);
    expect(piped.stdout).not.toMatch(SGR);
    const forced = await iotcop(['report', rich, '--format', 'terminal', '--color', 'always'], { NO_COLOR: '1' });
    expect(forced.stdout).toMatch(SGR);
    const bad = await iotcop(['report', rich, '--color', 'sometimes']);
    expect(bad.code).toBe(2);
  }, 120_000);
});

describe('iotcop completion', () => {
  it('prints a bash script, and a zsh one under zsh', async () => {
    const bash = await iotcop(['completion'], { SHELL: '/bin/bash' });
    expect(bash.code).toBe(0);
    expect(bash.stdout).toContain('complete -o bashdefault -o default -F _iotcop_yargs_completions iotcop');
    const zsh = await iotcop(['completion'], { SHELL: '/usr/bin/zsh' });
    expect(zsh.stdout).toMatch(/^#compdef iotcop/);
  }, 60_000);

  it('completes commands, scan options and option values when bash runs the script', () => {
    const dir = tempDir('iotcop-completion-');
    mkdirSync(join(dir, 'bin'));
    const wrapper = join(dir, 'bin', 'iotcop');
    writeFileSync(wrapper, `#!/bin/sh\nexec "${process.execPath}" "${main}" "$@"\n`);
    chmodSync(wrapper, 0o755);
    const complete = (words: string[]): string[] => {
      const script = [
        'source <(iotcop completion)',
        `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}`,
        '_iotcop_yargs_completions',
        'printf "%s\\n" "${COMPREPLY[@]}"',
      ].join('\n');
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH ?? ''}`, SHELL: '/bin/bash' }, timeout: 60_000 });
      expect(r.status).toBe(0);
      return r.stdout.split('\n').filter(Boolean);
    };
    expect(complete(['iotcop', 'sc'])).toEqual(['scan']);
    expect(complete(['iotcop', 'da'])).toEqual(['data']);
    expect(complete(['iotcop', 'scan', '--saf'])).toEqual(['--safety']);
    expect(complete(['iotcop', 'scan', '--safety', ''])).toEqual(['safe', 'credentials', 'intrusive']);
  }, 120_000);
});

describe('progress ETA', () => {
  const counts = (c: Partial<{ devices: number; jobsTotal: number; jobsDone: number; jobsRunning: number; findings: number }>) =>
    ({ devices: 1, jobsTotal: 0, jobsDone: 0, jobsRunning: 0, findings: 0, ...c });
  const fake = (): ProgressStream & { out: string } => {
    const s = { out: '', isTTY: false, write(chunk: string) { s.out += chunk; return true; } };
    return s;
  };

  it('gives an ETA from the pace while checks wait, and none (not "0s") when only running checks are left', () => {
    let t = 0;
    const stream = fake();
    const p = createProgress({ stream, tty: false, timer: false, intervalMs: 0, now: () => t });
    p.update({ type: 'job-start', jobId: 'a', probe: 'a', device: 'd', counts: counts({ jobsTotal: 10, jobsRunning: 2 }) });
    t = 4_000;
    p.update({ type: 'job-done', jobId: 'a', probe: 'a', device: 'd', status: 'done', counts: counts({ jobsTotal: 10, jobsDone: 4, jobsRunning: 2 }) });
    expect(stream.out.trim().split('\n').at(-1)).toContain('ETA 6s');
    // 9 of 10 done after 4.5 s: the pace would say 0.5 s, but the last check is running and may take 20 s.
    t = 4_500;
    p.update({ type: 'job-done', jobId: 'b', probe: 'b', device: 'd', status: 'done', counts: counts({ jobsTotal: 10, jobsDone: 9, jobsRunning: 1 }) });
    const last = stream.out.trim().split('\n').at(-1)!;
    expect(last).not.toMatch(/ETA/);
    expect(last).toContain('finishing the last 1 check');
    t = 22_000;
    p.stop();
    expect(stream.out).not.toMatch(/ETA 0s/);
  });
});

describe('--verbose', () => {
  let server: Awaited<ReturnType<typeof bannerServer>>;
  beforeAll(async () => { server = await bannerServer('lighttpd/1.4.77'); });
  afterAll(async () => { await server.close(); });

  it('each line names probe@device:port, what happened and the fields', async () => {
    const data = tempDir('iotcop-verbose-');
    const r = await iotcop(['scan', '127.0.0.1', '--ports', String(server.port), '--safety', 'safe', '--no-history', '--verbose', '--format', 'json', '--out', join(data, 'out')],
      { XDG_DATA_HOME: data, NO_COLOR: '1' });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n');
    expect(lines).not.toContain('iotcop: connected');
    const port = String(server.port);
    expect(lines.some((l) => l.startsWith(`iotcop: web-unauthenticated@127.0.0.1:${port}/tcp connected kind=http port=${port}`))).toBe(true);
    expect(lines.some((l) => new RegExp(`^iotcop: \\S+@127\\.0\\.0\\.1\\S* answered kind=http port=${port} method=(GET|HEAD) path=/\\S* status=200 bytes=\\d+$`).test(l))).toBe(true);
  }, 180_000);

  it('says "bytes capped" when a device sends more than a probe reads', async () => {
    const { createServer } = await import('node:http');
    const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
    const srv = createServer((_req, res) => { res.setHeader('Content-Type', 'text/html'); res.end(big); });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = String((srv.address() as { port: number }).port);
    try {
      const data = tempDir('iotcop-verbose-cap-');
      const r = await iotcop(['scan', '127.0.0.1', '--ports', port, '--safety', 'safe', '--only', 'web-unauthenticated,software-versions', '--no-history', '--verbose',
        '--format', 'json', '--out', join(data, 'out')], { XDG_DATA_HOME: data, NO_COLOR: '1' });
      expect(r.code).toBe(0);
      expect(r.stderr.split('\n').some((l) => new RegExp(`^iotcop: \\S+@127\\.0\\.0\\.1\\S* bytes capped kind=http port=${port} .*bytes=\\d+$`).test(l))).toBe(true);
    } finally {
      srv.closeAllConnections();
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  }, 180_000);

  it('verboseLine keeps fields printable and, behind the job logger, never shows a password', () => {
    const lines: string[] = [];
    const base = { debug: (m: string, d?: Record<string, unknown>) => lines.push(verboseLine(m, d)), info: () => undefined, warn: () => undefined };
    const log = redactingLogger(base, ['hunter2-Secret'], { job: 'telnet-default-credentials@10.0.0.5:23/tcp' });
    log.debug('rejected', { kind: 'tcp', port: 23, password: 'hunter2-Secret', detail: 'login admin/hunter2-Secret failed\x1b[2J' });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^iotcop: telnet-default-credentials@10\.0\.0\.5:23\/tcp rejected kind=tcp port=23 password=\[redacted\] detail=login admin\/\[redacted\] failed\\x1b\[2J$/);
    expect(lines[0]).not.toContain('hunter2');
  });
});
