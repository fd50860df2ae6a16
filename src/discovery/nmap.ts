/**
 * Spawns the nmap binary: arguments as an array (never a shell), XML on stdout (`-oX -`), stderr
 * lines as warnings. Failures are typed (DiscoveryError): missing binary, bad arguments (nmap exits
 * 255 on option errors), other non-zero exits or `<finished exit="error">`, invalid XML, and
 * cancellation. A cancelled run is terminated (SIGTERM, then SIGKILL) and awaited, so no nmap
 * process outlives it; children still alive when Node exits are killed too.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';
import { DiscoveryError } from './errors.js';
import { parseNmapXml, type NmapRun } from './xml.js';

export interface NmapInfo { path: string; version: string }

export interface NmapRunOptions {
  signal?: AbortSignal;
  /** Stdout cap (default 64 MiB): beyond it the run is killed and fails. */
  maxStdoutBytes?: number;
  /** Kill after this long (a safety net over nmap's own --host-timeout). */
  timeoutMs?: number;
  /** Extra environment (tests). */
  env?: NodeJS.ProcessEnv;
}

export interface NmapRunResult {
  run: NmapRun;
  warnings: string[];
  exitCode: number;
}

const MAX_STDERR_BYTES = 64 * 1024;
const MAX_WARNINGS = 50;
const KILL_GRACE_MS = 2000;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  live.add(child);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of live) {
        try { c.kill('SIGKILL'); } catch { /* already gone */ }
      }
    });
  }
}

/** Number of nmap children currently running (for tests and diagnostics). */
export function liveNmapProcesses(): number {
  return live.size;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Finds nmap: the explicit path, else the first `nmap` on PATH. Returns null when there is none. */
export async function findNmap(explicitPath?: string, envPath = process.env['PATH'] ?? ''): Promise<string | null> {
  if (explicitPath !== undefined) return (await isExecutable(explicitPath)) ? explicitPath : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'nmap');
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

/** Runs `nmap --version` and returns its version string. */
export async function nmapVersion(nmapPath: string, signal?: AbortSignal): Promise<string> {
  const { stdout, code } = await runRaw(nmapPath, ['--version'], { signal, timeoutMs: 10_000, maxStdoutBytes: 64 * 1024 });
  const m = /Nmap version (\S+)/i.exec(stdout);
  if (code !== 0 || !m) {
    throw new DiscoveryError('nmap-failed', `${nmapPath} --version did not identify itself as nmap (exit ${code})`, { exitCode: code });
  }
  return m[1]!;
}

interface RawResult { stdout: string; stderr: string; code: number | null; signalName: NodeJS.Signals | null }

function runRaw(file: string, args: string[], options: NmapRunOptions & { signal?: AbortSignal | undefined }): Promise<RawResult> {
  const { signal } = options;
  const maxStdout = options.maxStdoutBytes ?? 64 * 1024 * 1024;
  return new Promise<RawResult>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DiscoveryError('aborted', 'discovery was cancelled'));
      return;
    }
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, windowsHide: true });
    } catch (e) {
      reject(spawnError(file, e));
      return;
    }
    track(child);
    const out: Buffer[] = [];
    let outBytes = 0;
    const err: Buffer[] = [];
    let errBytes = 0;
    let failure: DiscoveryError | null = null;
    let killTimer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;

    const terminate = (why: DiscoveryError) => {
      if (failure) return;
      failure = why;
      child.kill('SIGTERM');
      killTimer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
      killTimer.unref();
    };
    const onAbort = () => terminate(new DiscoveryError('aborted', 'discovery was cancelled'));
    signal?.addEventListener('abort', onAbort, { once: true });
    if (options.timeoutMs !== undefined) {
      deadline = setTimeout(() => terminate(new DiscoveryError('nmap-failed', `nmap did not finish within ${Math.round(options.timeoutMs! / 1000)} s`)), options.timeoutMs);
    }

    child.stdout!.on('data', (chunk: Buffer) => {
      outBytes += chunk.length;
      if (outBytes > maxStdout) {
        terminate(new DiscoveryError('nmap-failed', `nmap output exceeded ${maxStdout} bytes`));
        return;
      }
      out.push(chunk);
    });
    child.stderr!.on('data', (chunk: Buffer) => {
      if (errBytes >= MAX_STDERR_BYTES) return;
      const room = MAX_STDERR_BYTES - errBytes;
      err.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      errBytes += Math.min(chunk.length, room);
    });
    let spawnFailure: DiscoveryError | null = null;
    child.on('error', (e) => {
      // ENOENT/EACCES arrive here (spawn is asynchronous); 'close' still follows.
      spawnFailure = spawnError(file, e);
    });
    child.on('close', (code, signalName) => {
      live.delete(child);
      signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
      if (deadline) clearTimeout(deadline);
      if (failure) reject(failure);
      else if (spawnFailure) reject(spawnFailure);
      else resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), code, signalName });
    });
  });
}

function spawnError(file: string, e: unknown): DiscoveryError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') {
    return new DiscoveryError('nmap-missing', `nmap not found or not executable: ${file} (${code})`, { cause: e });
  }
  return new DiscoveryError('io', `could not start ${file}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Splits nmap's stderr into warning lines (trimmed, non-empty, capped). */
export function stderrLines(stderr: string): string[] {
  return stderr.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0 && l !== 'QUITTING!').slice(0, MAX_WARNINGS).map((l) => l.slice(0, 300));
}

/**
 * Runs nmap with `args` (which must include `-oX -`) and parses the XML. stderr lines come back as
 * warnings when nmap succeeded.
 */
export async function runNmap(nmapPath: string, args: string[], options: NmapRunOptions = {}): Promise<NmapRunResult> {
  const raw = await runRaw(nmapPath, args, options);
  const lines = stderrLines(raw.stderr);
  if (raw.code === null) {
    throw new DiscoveryError('nmap-failed', `nmap was killed by ${raw.signalName ?? 'a signal'}`, { exitCode: null, stderr: lines });
  }
  if (raw.code === 255) {
    throw new DiscoveryError('bad-arguments', `nmap rejected its arguments: ${lines.join(' ') || 'exit 255'}`, { exitCode: 255, stderr: lines });
  }
  if (raw.code !== 0) {
    let detail = lines.join(' ');
    try {
      const run = parseNmapXml(raw.stdout);
      if (run.finished?.errormsg) detail = run.finished.errormsg;
    } catch { /* stdout is often empty or partial on failure */ }
    throw new DiscoveryError('nmap-failed', `nmap exited with code ${raw.code}${detail ? `: ${detail}` : ''}`, { exitCode: raw.code, stderr: lines });
  }
  const run = parseNmapXml(raw.stdout);
  if (run.finished?.exit === 'error') {
    throw new DiscoveryError('nmap-failed', `nmap reported an error: ${run.finished.errormsg ?? 'unknown'}`, { exitCode: 0, stderr: lines });
  }
  return { run, warnings: lines, exitCode: 0 };
}
