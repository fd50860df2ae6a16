// Runs one command and measures it: wall time, and the memory of it and every process it starts
// (sampled from /proc every `intervalMs`: VmHWM, the kernel's high-water mark of each process's
// resident set, so a sample only misses growth in the last interval before a process exits).
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { setInterval, clearInterval, setTimeout, clearTimeout } from 'node:timers';

/** Status fields of a live process, or undefined (gone, zombie, no permission). */
export function readStatus(pid) {
  let text;
  try { text = readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return undefined; }
  const field = (name) => {
    const m = new RegExp(`^${name}:\\s+(.*)$`, 'm').exec(text);
    return m ? m[1].trim() : undefined;
  };
  const kib = (name) => {
    const v = field(name);
    return v === undefined ? undefined : Number.parseInt(v, 10);
  };
  const hwm = kib('VmHWM');
  if (hwm === undefined) return undefined; // zombie or kernel thread
  return { name: field('Name') ?? '?', hwmKiB: hwm, rssKiB: kib('VmRSS') ?? 0 };
}

/** Direct children of pid (every thread's children file; needs CONFIG_PROC_CHILDREN). */
export function childrenOf(pid) {
  const out = [];
  let tasks;
  try { tasks = readdirSync(`/proc/${pid}/task`); } catch { return out; }
  for (const t of tasks) {
    let text = '';
    try { text = readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8'); } catch { continue; }
    for (const c of text.split(/\s+/)) if (c) out.push(Number(c));
  }
  return out;
}

/** pid and all its descendants. */
export function processTree(pid) {
  const seen = new Set([pid]);
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift();
    for (const c of childrenOf(p)) if (!seen.has(c)) { seen.add(c); queue.push(c); }
  }
  return [...seen];
}

/** Summary of the samples: the root process, and per process name the largest peak and how many ran. */
export function summariseSamples(rootPid, perPid, peakTreeKiB) {
  const root = perPid.get(rootPid);
  const byName = {};
  for (const [pid, p] of perPid) {
    if (pid === rootPid) continue;
    const e = (byName[p.name] ??= { processes: 0, maxHwmKiB: 0 });
    e.processes += 1;
    e.maxHwmKiB = Math.max(e.maxHwmKiB, p.hwmKiB);
  }
  return { root: root ? { name: root.name, hwmKiB: root.hwmKiB } : null, children: byName, peakTreeRssKiB: peakTreeKiB };
}

const CAP = 4 * 1024 * 1024;

/**
 * Runs cmd with args; resolves (never rejects) with
 * { code, signal, wallMs, stdout, stderr, killed, error, memory }.
 * timeoutMs: SIGINT at the bound (the CLI writes a partial report), SIGKILL 15 s later.
 * onSpawn(child): lets the caller forward a signal.
 */
export function runMeasured(cmd, args, { cwd, env, timeoutMs = 15 * 60_000, intervalMs = 50, onStderr, onSpawn } = {}) {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    if (onSpawn) onSpawn(child);
    const out = [];
    const err = [];
    let outLen = 0;
    let errLen = 0;
    child.stdout.on('data', (b) => { if (outLen < CAP) { out.push(b); outLen += b.length; } });
    child.stderr.on('data', (b) => {
      if (errLen < CAP) { err.push(b); errLen += b.length; }
      if (onStderr) onStderr(b);
    });
    const perPid = new Map();
    let peakTree = 0;
    const sample = () => {
      if (child.pid === undefined) return;
      let sum = 0;
      for (const pid of processTree(child.pid)) {
        const st = readStatus(pid);
        if (!st) continue;
        sum += st.rssKiB;
        const prev = perPid.get(pid);
        // `ip netns exec` execs the real program: a new name is a new memory image (VmHWM restarts).
        if (!prev || prev.name !== st.name) perPid.set(pid, { name: st.name, hwmKiB: st.hwmKiB });
        else prev.hwmKiB = Math.max(prev.hwmKiB, st.hwmKiB);
      }
      peakTree = Math.max(peakTree, sum);
    };
    const timer = setInterval(sample, intervalMs);
    let killed = false;
    let killTimer;
    const bound = setTimeout(() => {
      killed = true;
      child.kill('SIGINT');
      killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    }, timeoutMs);
    let spawnError;
    child.on('error', (e) => { spawnError = e; });
    child.on('close', (code, signal) => {
      clearInterval(timer);
      clearTimeout(bound);
      if (killTimer) clearTimeout(killTimer);
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      resolve({
        code, signal, wallMs, killed,
        error: spawnError ? String(spawnError.message ?? spawnError) : undefined,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        memory: summariseSamples(child.pid, perPid, peakTree),
      });
    });
    sample();
  });
}

/** Runs a short command and returns its stdout (trimmed), or undefined when it fails. */
export function capture(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'], ...opts });
    const chunks = [];
    child.stdout.on('data', (b) => chunks.push(b));
    child.on('error', () => resolve(undefined));
    child.on('close', (code) => resolve(code === 0 ? Buffer.concat(chunks).toString('utf8').trim() : undefined));
  });
}

/** Runs a command with its output shown on our stderr; resolves with the exit code. */
export function runVisible(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', process.stderr, process.stderr], ...opts });
    child.on('error', () => resolve(127));
    child.on('close', (code) => resolve(code ?? 1));
  });
}
