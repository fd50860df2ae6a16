#!/usr/bin/env node
// iotcop benchmark (issue 5, item 8): `npm run bench` (node bench/bench.mjs). A script, not a test.
//
//   1. scans the device lab (10.231.0.0/24) with iotcop at the default safety level and measures wall
//      time, jobs and probes run, and peak RSS of the node process and of the nmap processes it starts;
//   2. runs the nmap baseline a tester would use for the same checks (-sV plus ssl-enum-ciphers,
//      ssl-cert, ssh2-enum-algos, ssh-brute and telnet-brute with iotcop's own credential list,
//      http-default-accounts, mqtt-subscribe, coap-resources, snmp-brute, ftp-anon, upnp-info) on the
//      same lab, same ports, in the same run, and prints the ratio of the wall times;
//   3. scales: N identical cheap devices (bash lab/lab scale N) on 10.231.2.0/24, N = 1, 10, 25, 50,
//      scanned by iotcop alone: wall time and memory against device count;
//   4. profiles one extra lab scan and one extra scan of the largest scaling set, job by job, to show
//      where the time goes (not counted in the figures above).
//
// Needs root and the lab's packages (lab/README.md) and a build (npm run build). Brings the lab up
// when it is down, and down again at the end only if it brought it up; the scaling devices it adds are
// removed at the end. Every packet goes from the lab's LAN namespace (iotcop-lan) to lab namespaces.
//
// Options: --json (the JSON report on stdout, the table on stderr), --runs N (iotcop lab scans, the
// median counts; default 1), --scale 1,50,250 (at most 250), --skip-nmap, --skip-scaling, --skip-profile,
// --nmap-host-timeout SECONDS (default 600), --bound SECONDS (per command, default 1200),
// --pause SECONDS (quiet time before each measured scan, default 10: see quiet() below),
// --keep DIR (keep results, XML and logs there).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir, cpus, totalmem, loadavg, release, availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { capture, runMeasured, runVisible } from './lib/proc.mjs';
import { bruteCredentials, hostTimeouts, nmapBaselineArgs, nmapPhases, snmpCommunities, summariseNmapXml } from './lib/nmap-baseline.mjs';
import { firstFindings, fitLine, median, renderText, summariseIotcop, summariseProfile } from './lib/report.mjs';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LAB = path.join(REPO, 'lab');
const CLI = path.join(REPO, 'dist', 'cli', 'main.js');
const PRELOAD = pathToFileURL(path.join(REPO, 'bench', 'lib', 'rss-preload.mjs')).href;
const LAN_NS = 'iotcop-lan';
const LAB_TARGET = '10.231.0.0/24';
const SCALE_TARGET = '10.231.2.0/24';
const LOCKOUT_TRAP = '10.231.0.22';

const { values: opt } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    runs: { type: 'string', default: '1' },
    scale: { type: 'string', default: '1,50,250' },
    'skip-nmap': { type: 'boolean', default: false },
    'skip-scaling': { type: 'boolean', default: false },
    'skip-profile': { type: 'boolean', default: false },
    'nmap-host-timeout': { type: 'string', default: '600' },
    bound: { type: 'string', default: '1200' },
    pause: { type: 'string', default: '10' },
    keep: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (opt.help) {
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1, 23).map((l) => l.replace(/^\/\/ ?/, '')).join('\n');
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

const say = (m) => process.stderr.write(`bench: ${m}\n`);
const die = (m, code = 2) => { say(m); process.exit(code); };
const int = (name, v, lo, hi) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < lo || n > hi) die(`--${name} must be a whole number from ${lo} to ${hi}`);
  return n;
};
const runs = int('runs', opt.runs, 1, 10);
const hostTimeoutS = int('nmap-host-timeout', opt['nmap-host-timeout'], 10, 3600);
const boundMs = int('bound', opt.bound, 30, 7200) * 1000;
const pauseMs = int('pause', opt.pause, 0, 600) * 1000;
const scaleCounts = opt['skip-scaling'] ? [] : opt.scale.split(',').map((s) => int('scale', s.trim(), 1, 250));

// --- preconditions ------------------------------------------------------------------------------
if (process.platform !== 'linux') die('needs Linux (network namespaces)');
if (process.getuid?.() !== 0) die('needs root (the lab uses network namespaces): sudo npm run bench');
if (!existsSync(CLI)) die('dist/cli/main.js not found: run npm run build first');
const nmapVersion = (await capture('nmap', ['--version']))?.split('\n')[0];
if (!nmapVersion) die('nmap not found on PATH (apt-get install nmap): iotcop needs it for discovery, and the baseline is nmap');

const work = opt.keep ? path.resolve(opt.keep) : mkdtempSync(path.join(tmpdir(), 'iotcop-bench-'));
mkdirSync(work, { recursive: true, mode: 0o700 });
const notes = [];

// --- machine and build ------------------------------------------------------------------------
const osRelease = (() => {
  try { return /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux'; } catch { return 'Linux'; }
})();
const machine = {
  cpus: availableParallelism(),
  cpuModel: cpus()[0]?.model?.replace(/\s+/g, ' ').trim() ?? '?',
  ramKiB: Math.round(totalmem() / 1024),
  os: osRelease,
  kernel: release(),
  node: process.version,
  nmap: nmapVersion,
  loadStart: loadavg().map((x) => x.toFixed(2)),
  loadEnd: undefined,
};
const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const commit = await capture('git', ['-C', REPO, 'rev-parse', '--short', 'HEAD']);
const dirty = await capture('git', ['-C', REPO, 'status', '--porcelain']);
const registry = await import(pathToFileURL(path.join(REPO, 'dist', 'probes', 'registry.js')).href);
const probes = registry.PROBES.map((p) => p.meta.id);
const credentialFile = JSON.parse(readFileSync(path.join(REPO, 'src', 'data', 'credentials.json'), 'utf8'));

const report = {
  tool: 'iotcop-bench',
  formatVersion: 1,
  date: new Date().toISOString(),
  machine,
  iotcop: {
    version: pkg.version,
    built: statSync(CLI).mtime.toISOString(),
    commit: commit ? `${commit}${dirty ? ` + ${dirty.split('\n').length} uncommitted changes` : ''}` : undefined,
    probes,
    probeSafety: Object.fromEntries(registry.PROBES.map((p) => [p.meta.id, p.meta.safety])),
  },
  lab: { startedByBench: false, excluded: [], note: '' },
  labScan: undefined,
  nmap: undefined,
  ratio: undefined,
  scalingTarget: SCALE_TARGET,
  scaling: [],
  scalingFit: undefined,
  safety: undefined,
  profiles: [],
  notes,
};

// --- the lab ----------------------------------------------------------------------------------
const netnsList = async () => ((await capture('ip', ['netns', 'list'])) ?? '').split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
const truth = JSON.parse(readFileSync(path.join(LAB, 'ground-truth.json'), 'utf8'));
const labNamespaces = new Set([LAN_NS, ...truth.devices.map((d) => `iotcop-${d.name}`)]);
const isScaleNs = (ns) => /^iotcop-scale-\d{3}$/.test(ns);

let labStartedByBench = false;
let scaleBefore = 0;
let scaleChanged = false;
let interrupted = false;
/** The measured command running now (a signal to the benchmark is passed on to it). */
let current;
const track = (child) => { current = child; child.on('close', () => { if (current === child) current = undefined; }); };

async function cleanup() {
  if (scaleChanged) {
    say(`removing the scaling devices (back to ${scaleBefore})`);
    await runVisible('bash', [path.join(LAB, 'lab'), 'scale', String(scaleBefore)]);
    scaleChanged = false;
  }
  if (labStartedByBench) {
    say('bringing the lab down (the benchmark brought it up)');
    await runVisible('bash', [path.join(LAB, 'lab'), 'down']);
    labStartedByBench = false;
  }
  if (!opt.keep) rmSync(work, { recursive: true, force: true });
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    say(`${sig}: stopping the current step, then cleaning up (again to exit at once)`);
    current?.kill('SIGINT');
  });
}
const checkInterrupted = async () => {
  if (!interrupted) return;
  await cleanup();
  process.exit(130);
};

const before = await netnsList();
scaleBefore = before.filter(isScaleNs).length;
if (!before.includes(LAN_NS)) {
  say('the lab is down: bringing it up (bash lab/lab up)');
  labStartedByBench = true;
  const rc = await runVisible('bash', [path.join(LAB, 'lab'), 'up']);
  if (rc !== 0) { await cleanup(); die(`bash lab/lab up failed (exit ${rc})`, 1); }
} else {
  const rc = await runVisible('ip', ['netns', 'exec', LAN_NS, process.execPath, path.join(LAB, 'lib', 'check.mjs')], { stdio: ['ignore', 'ignore', process.stderr] });
  if (rc !== 0) die('the lab is up but not every device answers (bash lab/lab status); fix it or bring it down and let the benchmark bring it up', 1);
}
report.lab.startedByBench = labStartedByBench;

// Safety: the scanner's namespace must have no route out of the lab.
const routes = (await capture('ip', ['-n', LAN_NS, '-4', 'route', 'show', 'table', 'all'])) ?? '';
const badRoute = routes.split('\n').map((l) => l.trim()).filter((l) => l && !/^(local|broadcast) /.test(l)).find((l) => !/^10\.231\.\d+\.0\/24 dev br0 /.test(l));
if (badRoute !== undefined) { await cleanup(); die(`refusing to run: the lab namespace has a route that leaves the lab: ${badRoute}`, 1); }

// Devices that are not part of the ground truth (opt-in hostile devices, someone else's experiments)
// are left out of both scans, so both tools scan the same, documented lab.
const excluded = [];
for (const ns of await netnsList()) {
  if (labNamespaces.has(ns) || isScaleNs(ns) || !ns.startsWith('iotcop-')) continue;
  const text = (await capture('ip', ['-n', ns, '-4', '-o', 'addr', 'show'])) ?? '';
  for (const m of text.matchAll(/inet (10\.231\.0\.\d+)\//g)) excluded.push(m[1]);
}
excluded.sort((a, b) => Number(a.split('.')[3]) - Number(b.split('.')[3]));
report.lab.excluded = excluded;
report.lab.note = `${truth.devices.length} devices on ${LAB_TARGET} (${labStartedByBench ? 'brought up by the benchmark' : 'already up'})`;
if (excluded.length > 0) notes.push(`${excluded.length} addresses of namespaces outside the lab's ground truth (e.g. the opt-in hostile devices) were excluded from both scans: ${excluded.join(', ')}`);

// --- iotcop runs --------------------------------------------------------------------------------
// Every measured scan starts after `--pause` seconds without scanning, so that runs do not inherit
// each other's state: Linux rate-limits ICMP port-unreachable per peer (net.ipv4.icmp_ratelimit, about
// one a second after a burst of six), and a closed UDP port that stays silent is "open|filtered" to
// nmap, a port both tools then probe; the lab's traps also keep timers (the lockout trap: 60 s).
let lastScanEnd = 0;
async function quiet() {
  const wait = pauseMs - (Date.now() - lastScanEnd);
  if (wait > 0) { say(`quiet for ${(wait / 1000).toFixed(0)} s (--pause)`); await sleep(wait); }
}

// Credential attempts the lockout trap logged (JSON lines; requests without credentials are not attempts).
const attemptsIn = (f) => {
  try { return readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"event":"attempt"')).length; } catch { return undefined; }
};
const sizeOf = (f) => { try { return statSync(f).size; } catch { return undefined; } };

async function iotcopScan(label, target, extraArgs) {
  const dir = path.join(work, label);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const rusageFile = path.join(dir, 'rusage.json');
  const args = ['netns', 'exec', LAN_NS, process.execPath, '--import', PRELOAD, CLI, 'scan', target,
    '--format', 'json,jsonl', '--out', dir, '--fail-on', 'never', ...extraArgs];
  await quiet();
  say(`${label}: iotcop scan ${target}${extraArgs.length ? ` ${extraArgs.join(' ')}` : ''}`);
  const spawnedAt = Date.now();
  const r = await runMeasured('ip', args, {
    cwd: REPO, timeoutMs: boundMs, onSpawn: track,
    // The run is saved in a history database of its own (default behaviour, not the user's history).
    env: { ...process.env, IOTCOP_DB: path.join(dir, 'history.db'), IOTCOP_BENCH_RUSAGE: rusageFile },
  });
  lastScanEnd = Date.now();
  writeFileSync(path.join(dir, 'stderr.txt'), r.stderr);
  let result;
  const jsonFile = readdirSync(dir).find((f) => /^iotcop-.*\.json$/.test(f));
  if (jsonFile) {
    try { result = JSON.parse(readFileSync(path.join(dir, jsonFile), 'utf8')); } catch { result = undefined; }
  }
  const jsonlFile = readdirSync(dir).find((f) => /^iotcop-.*\.jsonl$/.test(f));
  const first = jsonlFile ? firstFindings(readFileSync(path.join(dir, jsonlFile), 'utf8'), spawnedAt) : {};
  let exact;
  try { exact = JSON.parse(readFileSync(rusageFile, 'utf8')); } catch { exact = undefined; }
  const nmapMem = r.memory.children.nmap ?? { processes: 0, maxHwmKiB: 0 };
  const out = {
    target,
    wallMs: r.wallMs,
    // From the command's start to the time stamp of the first JSONL line with a fail or warn result (the
    // progress line on a terminal counts it within 100 ms) and to the first result of any kind.
    firstIssueMs: first.issueMs,
    firstResultMs: first.resultMs,
    exitCode: r.code,
    killed: r.killed,
    nodePeakKiB: exact?.maxRSS ?? r.memory.root?.hwmKiB,
    nodePeakSource: exact ? 'process.resourceUsage().maxRSS at exit' : '/proc VmHWM samples',
    nodePeakSampledKiB: r.memory.root?.hwmKiB,
    nodeCpuMs: exact ? Math.round((exact.userCPUTime + exact.systemCPUTime) / 1000) : undefined,
    nmap: nmapMem,
    otherChildren: Object.fromEntries(Object.entries(r.memory.children).filter(([k]) => k !== 'nmap')),
    treePeakKiB: r.memory.peakTreeRssKiB,
    summary: result ? summariseIotcop(result, r.stderr) : undefined,
    stderrTail: r.stderr.split('\n').slice(-6).join('\n'),
  };
  if (!result) notes.push(`${label}: no JSON result was written (exit ${r.code}); stderr ends with: ${out.stderrTail.slice(0, 400)}`);
  if (r.killed) notes.push(`${label}: killed at the benchmark's bound of ${boundMs / 1000} s`);
  const s = out.summary;
  say(`${label}: ${(r.wallMs / 1000).toFixed(1)} s, node peak ${((out.nodePeakKiB ?? 0) / 1024).toFixed(0)} MiB, ${s ? `${s.jobsDone ?? s.jobsWithResults} jobs, ${s.devices} devices` : 'no result'}`);
  return out;
}

// One extra, instrumented run: job-level timings (bench/lib/profile-scan.mjs). Not part of the figures above.
async function profile(title, target, exclude) {
  await quiet();
  say(`profile: ${title}`);
  const args = ['netns', 'exec', LAN_NS, process.execPath, path.join(REPO, 'bench', 'lib', 'profile-scan.mjs'), target,
    ...(exclude.length > 0 ? ['--exclude', exclude.join(',')] : [])];
  const r = await runMeasured('ip', args, { cwd: REPO, timeoutMs: boundMs, onSpawn: track });
  lastScanEnd = Date.now();
  let summary;
  try { summary = summariseProfile(JSON.parse(r.stdout)); } catch { notes.push(`profile of ${title} failed (exit ${r.code}): ${r.stderr.slice(-300)}`); }
  if (opt.keep) writeFileSync(path.join(work, `profile-${target.replaceAll(/[./]/g, '_')}.json`), r.stdout);
  report.profiles.push({ title, target, wallMs: r.wallMs, summary });
}

const lockoutLog = path.join(LAB, 'run', 'trap-lockout', 'attempts.log');
const printerLog = path.join(LAB, 'run', 'printer-9100.log');
const exclArgs = excluded.length > 0 ? ['--exclude', excluded.join(',')] : [];

try {
  // 1. iotcop on the lab
  const labRuns = [];
  const lockBefore = attemptsIn(lockoutLog);
  for (let i = 1; i <= runs; i++) {
    labRuns.push(await iotcopScan(`lab-${i}`, LAB_TARGET, exclArgs));
    await checkInterrupted();
  }
  const lockAfter = attemptsIn(lockoutLog);
  report.labScan = {
    target: LAB_TARGET,
    safety: 'credentials',
    runs: labRuns,
    medianWallMs: median(labRuns.map((x) => x.wallMs)),
    medianFirstIssueMs: median(labRuns.map((x) => x.firstIssueMs)),
  };
  if (runs > 1) notes.push('The lockout trap (10.231.0.22) stays locked for 60 s after 3 failures: repeated lab scans within a minute find it locked, which changes what they do there.');

  // 2. the nmap baseline
  if (!opt['skip-nmap']) {
    const { defaultPortSet, compressPorts } = await import(pathToFileURL(path.join(REPO, 'dist', 'discovery', 'portspec.js')).href);
    const ports = defaultPortSet();
    const creds = bruteCredentials(credentialFile);
    const communities = snmpCommunities(credentialFile);
    const credFile = path.join(work, 'nmap-creds.txt');
    const communitiesFile = path.join(work, 'nmap-communities.txt');
    writeFileSync(credFile, `${creds.map((c) => `${c.username}/${c.password}`).join('\n')}\n`, { mode: 0o600 });
    writeFileSync(communitiesFile, `${communities.join('\n')}\n`, { mode: 0o600 });
    chmodSync(work, 0o700);
    const xmlPath = path.join(work, 'nmap.xml');
    const nmapExclude = [...excluded, LOCKOUT_TRAP];
    const args = nmapBaselineArgs({
      tcpPorts: compressPorts(ports.tcp), udpPorts: compressPorts(ports.udp), credFile, communitiesFile,
      hostTimeoutS, xmlPath, exclude: nmapExclude, targets: [LAB_TARGET],
    });
    const printable = `nmap ${args.map((a) => (/[\s,*]/.test(a) && !a.startsWith('T:') ? `'${a}'` : a)).join(' ')}`.replaceAll(work, '$WORK');
    say(`nmap baseline (bounded: --host-timeout ${hostTimeoutS}s, killed after ${boundMs / 1000} s)`);
    const printerBefore = sizeOf(printerLog);
    await quiet();
    const r = await runMeasured('ip', ['netns', 'exec', LAN_NS, 'nmap', ...args], { cwd: REPO, timeoutMs: boundMs, onSpawn: track });
    lastScanEnd = Date.now();
    writeFileSync(path.join(work, 'nmap.stdout.txt'), r.stdout);
    writeFileSync(path.join(work, 'nmap.stderr.txt'), r.stderr);
    let summary;
    try { summary = summariseNmapXml(readFileSync(xmlPath, 'utf8')); } catch (e) { notes.push(`nmap XML could not be read: ${e.message}`); }
    const timeouts = [...new Set([...hostTimeouts(r.stdout), ...(summary?.hosts ?? []).filter((h) => h.timedOut).map((h) => h.address)])];
    report.nmap = {
      command: printable,
      wallMs: r.wallMs,
      exitCode: r.code,
      killed: r.killed,
      peakKiB: r.memory.root?.hwmKiB,
      treePeakKiB: r.memory.peakTreeRssKiB,
      hostTimeoutS,
      hitHostTimeout: timeouts,
      phases: nmapPhases(r.stdout),
      excluded: nmapExclude,
      credentials: creds.length,
      communities: communities.length,
      printerBytesDuring: printerBefore !== undefined ? (sizeOf(printerLog) ?? 0) - printerBefore : undefined,
      summary,
    };
    notes.push(`nmap baseline: the lockout trap ${LOCKOUT_TRAP} is excluded from the whole baseline (its budget is 4 attempts; http-default-accounts and -sV would exceed it), so nmap scans one host fewer than iotcop.`);
    const medianIotcop = report.labScan.medianWallMs;
    if (medianIotcop) report.ratio = r.wallMs / medianIotcop;
    say(`nmap baseline: ${(r.wallMs / 1000).toFixed(1)} s${timeouts.length ? `, host timeout hit for ${timeouts.join(', ')}` : ''}${r.killed ? ', KILLED at the bound' : ''}`);
    await checkInterrupted();
  }
  report.safety = {
    lockoutAttemptsIotcop: lockBefore !== undefined && lockAfter !== undefined ? lockAfter - lockBefore : undefined,
    printerBytesAfter: sizeOf(printerLog),
  };
  if (!opt['skip-profile']) {
    await profile(`the lab, ${LAB_TARGET}`, LAB_TARGET, excluded);
    await checkInterrupted();
  }

  // 3. scaling
  for (const n of scaleCounts) {
    say(`scaling: ${n} devices (bash lab/lab scale ${n})`);
    scaleChanged = true;
    const rc = await runVisible('bash', [path.join(LAB, 'lab'), 'scale', String(n)]);
    if (rc !== 0) { notes.push(`bash lab/lab scale ${n} failed (exit ${rc}); scaling stopped there`); break; }
    const s = await iotcopScan(`scale-${n}`, SCALE_TARGET, []);
    report.scaling.push({ devices: n, ...s });
    await checkInterrupted();
    if (!opt['skip-profile'] && n === Math.max(...scaleCounts)) {
      await profile(`${n} scaling devices, ${SCALE_TARGET}`, SCALE_TARGET, []);
      await checkInterrupted();
    }
  }
  if (report.scaling.length >= 2) {
    const pts = report.scaling.map((s) => ({ x: s.devices, y: s.wallMs / 1000 }));
    const fit = fitLine(pts);
    const first = report.scaling[0];
    const last = report.scaling.at(-1);
    if (fit) {
      report.scalingFit = {
        fixedS: fit.intercept, perDeviceS: fit.slope,
        minDevices: first.devices, maxDevices: last.devices,
        rssRatio: (last.nodePeakKiB ?? 0) / (first.nodePeakKiB || 1),
      };
    }
  }
} finally {
  await cleanup();
}

machine.loadEnd = loadavg().map((x) => x.toFixed(2));
if (Number(machine.loadStart[0]) > machine.cpus * 0.5) notes.push(`the machine was busy when the benchmark started (load average ${machine.loadStart[0]} on ${machine.cpus} CPUs): times are pessimistic`);
const registeredCredentialProbes = probes.filter((p) => /default-(credentials|community)$/.test(p));
if (registeredCredentialProbes.length === 0) notes.push('no default-credential probe is registered in this build: iotcop\'s lab scan did no credential guessing, while the nmap baseline did (ssh-brute, telnet-brute, snmp-brute, http-default-accounts). Rerun when they are registered.');
if (opt.keep) notes.push(`results, XML and logs kept in ${work}`);

const text = renderText(report);
if (opt.json) {
  process.stderr.write(`${text}\n`);
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
} else {
  process.stdout.write(`${text}\n`);
}
