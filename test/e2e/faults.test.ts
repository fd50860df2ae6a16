/**
 * Faults around a scan, with the built CLI: SIGINT/SIGTERM mid-scan, nmap killed mid-scan, nmap missing, an
 * output directory that cannot be written (even by root) or a full disk, a corrupt or locked history
 * database — each must give a clear message, the documented exit code, and lose nothing: reports are written
 * atomically (never a half-written or replaced file), a partial result is saved, the history database stays
 * consistent. Last, the secrets: no output of a scan without --reveal-credentials (terminal, reports, verbose
 * log, history database and the evidence stored in it, child-process arguments) holds a lab password or an
 * owner-supplied one.
 *
 * Scans of the lab run inside its LAN namespace (10.231.0.0/24, no route out); the others scan 127.0.0.1
 * with a server of this file. Read-only and full file systems are private tmpfs mounts in a mount namespace
 * of their own (`unshare -m`), so nothing changes on the machine: `chmod 500` does not stop root, a read-only
 * mount (EROFS) and a path under a regular file (ENOTDIR) do.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type Server } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { ScanResult } from '../../src/report/model.js';
import { parseGroundTruth } from '../lab/ground-truth.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const main = `${root}dist/cli/main.js`;
const truth = parseGroundTruth(JSON.parse(readFileSync(`${root}lab/ground-truth.json`, 'utf8')));
const LAN = truth.scanner.namespace;

interface Outcome { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; nmapPids: number[]; childArgs: string[] }

/** Children of `pid` (from /proc), with their command lines. */
function children(pid: number): { pid: number; cmd: string }[] {
  const out: { pid: number; cmd: string }[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push({ pid: Number(d), cmd: readFileSync(`/proc/${d}/cmdline`, 'utf8').replace(/\0/g, ' ') });
    } catch { /* gone */ }
  }
  return out;
}

/** A process that still runs (a zombie, killed and waiting for its new parent to reap it, does not). */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
};

/** The nmap processes still running a moment after the scan exited (a SIGKILL takes a few ms to end a process). */
async function leftBehind(pids: number[]): Promise<number[]> {
  for (let i = 0; i < 30 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
  return pids.filter(alive);
}

/**
 * Runs `prefix… node main.js args…`, watching its child processes (nmap) and their arguments, and calls
 * `act(pid, kids)` every 100 ms until it exits. `prefix` puts the CLI in the lab's namespace or a mount namespace.
 */
function iotcop(args: string[], opts: { prefix?: string[]; env?: NodeJS.ProcessEnv; act?: (pid: number, elapsedMs: number, kids: { pid: number; cmd: string }[]) => void; timeoutMs?: number } = {}): Promise<Outcome> {
  const prefix = opts.prefix ?? [];
  const argv = [...prefix, process.execPath, main, ...args];
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, NO_COLOR: '1', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    const nmapPids = new Set<number>();
    const childArgs = new Set<string>();
    const t0 = Date.now();
    // `ip netns exec` and `unshare` exec the command, so child.pid is node's own pid.
    const watch = setInterval(() => {
      const kids = children(child.pid!);
      for (const k of kids) {
        childArgs.add(k.cmd);
        if (/(^|\/)nmap /.test(k.cmd)) nmapPids.add(k.pid);
      }
      opts.act?.(child.pid!, Date.now() - t0, kids);
    }, 100);
    const killer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 300_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearInterval(watch);
      clearTimeout(killer);
      resolve({ code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), nmapPids: [...nmapPids], childArgs: [...childArgs] });
    });
  });
}

const inLab = ['ip', 'netns', 'exec', LAN];
const jsonIn = (dir: string): ScanResult => {
  const f = readdirSync(dir).find((x) => x.endsWith('.json'));
  if (!f) throw new Error(`no JSON report in ${dir}: ${readdirSync(dir).join(', ')}`);
  return JSON.parse(readFileSync(join(dir, f), 'utf8')) as ScanResult;
};
const tmp = (name: string) => mkdtempSync(join(tmpdir(), `iotcop-faults-${name}-`));
/** Lines on stderr that are neither progress nor a notice we expect. */
const errorLines = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('iotcop: ') && !/hosts \d+ found|reports written|run saved|peak memory/.test(l));

let server: Server;
let port = 0;
beforeAll(async () => {
  // A small service on loopback for the scans that test the file system and the database (a few seconds each).
  server = createServer((s) => { s.on('error', () => undefined); s.end('220 fake FTP ready\r\n'); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => { server.close(); });

const LOOPBACK = () => ['scan', '127.0.0.1', '--ports', String(port), '--only', 'attack-surface', '--fail-on', 'never'];

describe('signals', () => {
  it.each([
    ['SIGINT', 6_000],
    ['SIGTERM', 1_500],
  ] as const)('%s after %i ms: exit 3, a partial JSON report, the run saved as partial, no nmap left behind', async (sig, afterMs) => {
    const out = tmp('signal');
    const db = join(out, 'history.db');
    let sent = false;
    const r = await iotcop(['scan', truth.subnet, '--format', 'json,html', '--out', out, '--db', db, '--fail-on', 'never'], {
      prefix: inLab,
      // Not before nmap runs: the test is about the nmap children a signal must not leave behind (on a
      // loaded machine discovery can take longer than afterMs to start it).
      act: (pid, ms, kids) => {
        if (sent || ms < afterMs || !kids.some((k) => /(^|\/)nmap /.test(k.cmd))) return;
        sent = true;
        try { process.kill(pid, sig); } catch { /* gone */ }
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`iotcop: ${sig} received, stopping and writing the partial report`);
    const result = jsonIn(out);
    expect(result.run.partial).toBe(true);
    expect(result.run.stopReason).toBe('signal');
    expect(readdirSync(out).some((f) => f.endsWith('.html'))).toBe(true);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(r.nmapPids.length).toBeGreaterThan(0);
    expect(await leftBehind(r.nmapPids)).toEqual([]);
    const store = new Database(db, { readonly: true });
    try {
      expect(store.pragma('integrity_check', { simple: true })).toBe('ok');
      const runs = store.prepare('SELECT count(*) AS n FROM runs').get() as { n: number };
      expect(runs.n).toBe(1);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a second SIGINT exits at once, with 3', async () => {
    const out = tmp('double');
    let sent = false;
    const r = await iotcop(['scan', truth.subnet, '--format', 'json', '--out', out, '--no-history', '--fail-on', 'never'], {
      prefix: inLab,
      act: (pid, ms) => {
        if (sent || ms < 3_000) return;
        sent = true;
        process.kill(pid, 'SIGINT');
        setTimeout(() => { try { process.kill(pid, 'SIGINT'); } catch { /* already gone */ } }, 20);
      },
    });
    expect(sent).toBe(true);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/SIGINT again, exiting now/);
    expect(await leftBehind(r.nmapPids)).toEqual([]);
  }, 60_000);

  it('SIGKILL mid-scan leaves no half-written report and an intact history database', async () => {
    const out = tmp('sigkill');
    const db = join(out, 'history.db');
    // One complete run first, so the database exists with content.
    const first = await iotcop([...LOOPBACK(), '--format', 'json', '--out', out, '--db', db, '--quiet']);
    expect(first.code).toBe(0);
    const reports = () => readdirSync(out).filter((f) => !f.startsWith('history.db')).sort();
    const before = reports();
    let killed = false;
    await iotcop(['scan', truth.subnet, '--format', 'json,html,csv', '--out', out, '--db', db, '--fail-on', 'never'], {
      prefix: inLab,
      act: (pid, ms) => { if (!killed && ms >= 4_000) { killed = true; process.kill(pid, 'SIGKILL'); } },
    });
    expect(killed).toBe(true);
    expect(reports()).toEqual(before);
    const store = new Database(db, { readonly: true });
    try {
      expect(store.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((store.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(1);
    } finally {
      store.close();
    }
  }, 120_000);
});

describe('nmap', () => {
  it.each([
    ['host discovery', / -sn /],
    ['a port scan', / -Pn .* -sS( -sU)? -p /],
  ])('killed during %s: a clear message, exit 3, a partial report with every host found', async (_phase, which) => {
    const out = tmp('nmap-killed');
    const killedCmds: string[] = [];
    const r = await iotcop(['scan', truth.subnet, '--format', 'json', '--out', out, '--no-history', '--fail-on', 'never'], {
      prefix: inLab,
      act: (_pid, _ms, kids) => {
        if (killedCmds.length > 0) return;
        for (const k of kids) {
          if (which.test(k.cmd)) { killedCmds.push(k.cmd); try { process.kill(k.pid, 'SIGKILL'); } catch { /* gone */ } }
        }
      },
    });
    expect(killedCmds.length).toBeGreaterThan(0);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/nmap was killed by SIGKILL/);
    const result = jsonIn(out);
    expect(result.run.partial).toBe(true);
    expect(result.run.stopReason).toBe('error');
    expect(result.errors.some((e) => e.source === 'discovery' && /killed/.test(e.message))).toBe(true);
    for (const cmd of killedCmds.filter((c) => / -Pn /.test(c))) {
      // The hosts of a killed port scan are kept (without ports), not dropped.
      for (const a of cmd.split(' -- ')[1]!.trim().split(/\s+/)) expect(result.devices.map((d) => d.address)).toContain(a);
    }
    expect(await leftBehind(r.nmapPids)).toEqual([]);
  }, 120_000);

  it('missing with --require-nmap: one line, exit 3, nothing scanned', async () => {
    const r = await iotcop([...LOOPBACK(), '--require-nmap', '--no-history'], { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^iotcop: nmap not found on PATH and --require-nmap was given/)]);
  });

  it('missing without --require-nmap: the built-in connect scan finds the service and says what is reduced', async () => {
    const out = tmp('no-nmap');
    const r = await iotcop([...LOOPBACK(), '--format', 'json', '--out', out, '--no-history'], { env: { PATH: '/nonexistent' } });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/nmap not found: reduced discovery/);
    const result = jsonIn(out);
    expect(result.run.capabilities.scanType).toBe('fallback-connect');
    expect(result.devices[0]!.services.map((s) => s.port)).toContain(port);
  });

  it('an --nmap path that is not executable, or not nmap: one line, exit 3', async () => {
    const dir = tmp('not-nmap');
    const plain = join(dir, 'plain');
    writeFileSync(plain, 'not a program', { mode: 0o644 });
    const r = await iotcop([...LOOPBACK(), '--nmap', plain, '--no-history']);
    expect(r.code).toBe(3);
    expect(errorLines(r.stderr)).toEqual([expect.stringMatching(/^iotcop: nmap not found or not executable at .*plain$/)]);
    const impostor = join(dir, 'impostor');
    writeFileSync(impostor, '#!/bin/sh\necho hello\n', { mode: 0o755 });
    const r2 = await iotcop([...LOOPBACK(), '--nmap', impostor, '--no-history']);
    expect(r2.code).toBe(3);
    expect(errorLines(r2.stderr)).toEqual([expect.stringMatching(/^iotcop: .*impostor --version did not identify itself as nmap/)]);
  }, 60_000); // two CLI starts: jest's 5 s default is too tight on a busy 2-core machine
});

describe('output directory and disk', () => {
  /** The scan's JSON result rescued to the temporary directory, named in the error line. */
  const rescued = (stderr: string): ScanResult => {
    const m = /the result was saved to (\S+\.json) instead/.exec(stderr);
    expect(m).not.toBeNull();
    const result = JSON.parse(readFileSync(m![1]!, 'utf8')) as ScanResult;
    expect(statSync(m![1]!).mode & 0o777).toBe(0o600);
    rmSync(m![1]!);
    return result;
  };

  it('--out under a regular file (ENOTDIR, root cannot write there either): exit 3, the result rescued and saved in the history', async () => {
    const dir = tmp('enotdir');
    const file = join(dir, 'not-a-directory');
    writeFileSync(file, 'x');
    const db = join(dir, 'history.db');
    const r = await iotcop([...LOOPBACK(), '--format', 'json,html', '--out', join(file, 'reports'), '--db', db]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/iotcop: cannot create the output directory .*not-a-directory\/reports/);
    expect(rescued(r.stderr).devices.map((d) => d.address)).toEqual(['127.0.0.1']);
    const store = new Database(db, { readonly: true });
    try {
      expect((store.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(1);
    } finally {
      store.close();
    }
  });

  it('a read-only file system (EROFS): exit 3, a clear line, the result rescued', async () => {
    const mnt = tmp('erofs');
    const r = await iotcop([...LOOPBACK(), '--format', 'json', '--out', join(mnt, 'reports'), '--no-history', '--quiet'], {
      prefix: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount -t tmpfs -o ro,size=64k tmpfs '${mnt}' && exec "$0" "$@"`],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/iotcop: cannot create the output directory .*(read-only|EROFS)/i);
    expect(rescued(r.stderr).run.partial).toBe(false);
  });

  it('a full disk (ENOSPC): exit 3, "the disk is full", no temporary file left, the earlier report untouched', async () => {
    const mnt = tmp('enospc');
    // 64 KiB tmpfs: an earlier report and a filler take most of it, the new reports cannot fit.
    const script = `mount -t tmpfs -o size=64k tmpfs '${mnt}' && printf '{"earlier":"report"}' > '${mnt}/iotcop-earlier.json'`
      + ` && head -c 40000 /dev/zero > '${mnt}/filler' && "$0" "$@"; rc=$?; ls -a '${mnt}'; cat '${mnt}/iotcop-earlier.json'; exit $rc`;
    const r = await iotcop([...LOOPBACK(), '--format', 'json,html,sarif,csv,markdown', '--out', mnt, '--no-history'], {
      prefix: ['unshare', '-m', '--propagation', 'private', 'sh', '-c', script],
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/iotcop: cannot write .*: the disk is full; the result was saved to/);
    rescued(r.stderr);
    // The listing and the earlier report, as the mount namespace saw them before it went away.
    expect(r.stdout).not.toMatch(/\.tmp\b/);
    expect(r.stdout).toContain('{"earlier":"report"}');
  });

  it('a report is replaced only by a complete one (atomic write: temp file + rename, mode 0600)', async () => {
    const mnt = tmp('atomic');
    const target = join(mnt, 'report.json');
    const code = `import { writeFileAtomic } from '${root}dist/cli/output.js';
      try { await writeFileAtomic('${target}', 'x'.repeat(1 << 20)); console.log('written'); } catch (e) { console.log('refused:', e.message); }`;
    const script = `mount -t tmpfs -o size=256k tmpfs '${mnt}' && printf 'good old report' > '${target}' && "$0" --input-type=module -e "$1"; ls -a '${mnt}'; cat '${target}'`;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, process.execPath, code], { encoding: 'utf8', timeout: 30_000 });
    expect(r.stdout).toMatch(/refused: cannot write .*report\.json: the disk is full/);
    expect(r.stdout).not.toMatch(/\.tmp\b/);
    expect(r.stdout.trim().endsWith('good old report')).toBe(true);
    // And on a disk with room, the new file is complete and private.
    const ok = join(tmp('atomic-ok'), 'r.json');
    const done = spawnSync(process.execPath, ['--input-type=module', '-e', `import { writeFileAtomic } from '${root}dist/cli/output.js'; await writeFileAtomic('${ok}', 'complete');`], { encoding: 'utf8' });
    expect(done.status).toBe(0);
    expect(readFileSync(ok, 'utf8')).toBe('complete');
    expect(statSync(ok).mode & 0o777).toBe(0o600);
    expect(readdirSync(dirname(ok))).toEqual(['r.json']);
  });
});

describe('history database', () => {
  it('corrupt: one clear line naming it, the reports still written, the file left as it was', async () => {
    const dir = tmp('corrupt');
    const db = join(dir, 'history.db');
    const garbage = Buffer.concat([Buffer.from('SQLite format 3\0'), randomBytes(8192)]);
    writeFileSync(db, garbage);
    const out = join(dir, 'out');
    const r = await iotcop([...LOOPBACK(), '--format', 'json', '--out', out, '--db', db]);
    expect(r.code).toBe(3); // the reports are written, but a run the history could not record exits 3 (src/cli/commands/history.ts)
    expect(r.stderr).toMatch(new RegExp(`iotcop: .*${db.replace(/[/.]/g, '\\$&')}.*(corrupt|not a SQLite database).*this run will not be saved`));
    expect(jsonIn(out).devices).toHaveLength(1);
    expect(readFileSync(db).equals(garbage)).toBe(true);
  });

  it('locked by another process: one clear line, the reports written, the database consistent afterwards', async () => {
    const dir = tmp('locked');
    const db = join(dir, 'history.db');
    const first = await iotcop([...LOOPBACK(), '--format', 'json', '--out', join(dir, 'a'), '--db', db, '--quiet']);
    expect(first.code).toBe(0);
    const holder = new Database(db);
    holder.exec('BEGIN EXCLUSIVE');
    let r: Outcome;
    try {
      r = await iotcop([...LOOPBACK(), '--format', 'json', '--out', join(dir, 'b'), '--db', db]);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
    expect(r.code).toBe(3); // reports written, history not: exit 3
    expect(r.stderr).toMatch(/iotcop: .*locked by another process/);
    expect(jsonIn(join(dir, 'b')).devices).toHaveLength(1);
    const store = new Database(db, { readonly: true });
    try {
      expect(store.pragma('integrity_check', { simple: true })).toBe('ok');
      expect((store.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n).toBe(1);
    } finally {
      store.close();
    }
  }, 60_000);
});

describe('secrets', () => {
  it('no output of a scan without --reveal-credentials holds a password: terminal, verbose log, reports, history, child arguments; files are 0600', async () => {
    const dir = tmp('secrets');
    const out = join(dir, 'out');
    const db = join(dir, 'history.db');
    const camera = truth.devices.find((d) => d.name === 'camera')!;
    const nas = truth.devices.find((d) => d.name === 'nas')!;
    // An owner-supplied credential that no device accepts: it is known to the scan from the start.
    const planted = `iotcop-planted-${randomBytes(8).toString('hex')}`;
    const cfg = join(dir, 'targets.yaml');
    writeFileSync(cfg, `devices:\n  - address: ${camera.address}\n    credentials:\n      - { service: http, username: admin, password: ${planted} }\n`);
    mkdirSync(out);
    const r = await iotcop(['scan', camera.address, nas.address, '--config', cfg, '--format', 'terminal,json,html,sarif,csv,junit,markdown',
      '--out', out, '--db', db, '--verbose', '--fail-on', 'never'], { prefix: inLab });
    expect(r.code).toBe(0);
    const accounts = [camera, nas].flatMap((d) => d.accounts ?? []).filter((a) => a.service !== 'snmp');
    const usernames = new Set(accounts.map((a) => a.username));
    const secrets = [planted, ...new Set(accounts.map((a) => a.password))]
      .filter((p): p is string => typeof p === 'string' && p.length >= 5 && !usernames.has(p) && !/^\d+$/.test(p));
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    // The scan did find a lab password (so masking had something to hide).
    const result = jsonIn(out);
    const found = result.findings.filter((f) => f.credential !== undefined && f.status === 'fail');
    expect(found.length).toBeGreaterThan(0);
    for (const f of found) expect(f.credential!.masked).toBe(true);
    const files = readdirSync(dir, { recursive: true }).map(String).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
    expect(files.some((f) => f.startsWith(db))).toBe(true);
    const texts: [string, string][] = [['stdout', r.stdout], ['stderr (verbose)', r.stderr], ['child arguments', r.childArgs.join('\n')],
      ...files.filter((f) => f !== cfg).map((f): [string, string] => [f, readFileSync(f).toString('latin1')])];
    // the stored evidence is compressed: read it as text too (it must exist, or this proves nothing).
    const store = new Database(db, { readonly: true });
    try {
      const blobs = store.prepare('SELECT data FROM evidence').all() as { data: Buffer }[];
      expect(blobs).toHaveLength(1);
      const evidence = gunzipSync(blobs[0]!.data).toString('utf8');
      expect(evidence).toMatch(/"found":\{"username":"[^"]+","password":"[^"*]{0,2}\*{3,}"/);
      texts.push(['history evidence (decompressed)', evidence]);
    } finally {
      store.close();
    }
    const leaks = secrets.flatMap((s) => texts.filter(([, t]) => t.includes(s)).map(([where]) => `${s.slice(0, 3)}… in ${where}`));
    expect(leaks).toEqual([]);
    for (const f of readdirSync(out).map((x) => join(out, x))) expect(statSync(f).mode & 0o777).toBe(0o600);
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(existsSync(db)).toBe(true);
  }, 300_000);
});
