// Pure helpers of the benchmark: what an iotcop result and its progress lines amount to, and the
// human-readable tables. Nothing here does I/O.

const MIB = 1024;

export function mib(kib) {
  return kib === undefined || kib === null || kib === 0 ? '—' : `${(kib / MIB).toFixed(0)} MiB`;
}

export function secs(ms) {
  return ms === undefined || ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`;
}

/** "admin:1234" -> "admin:1***"; a lone secret (SNMP community) -> "p*****". Lab or not, no password is printed. */
export function maskPair(text) {
  const s = String(text).trim();
  const i = s.indexOf(':');
  const mask = (p) => (p.length === 0 || p === '<blank>' ? '(empty)' : `${p[0]}${'*'.repeat(Math.min(5, Math.max(3, p.length - 1)))}`);
  return i < 0 ? mask(s) : `${s.slice(0, i)}:${mask(s.slice(i + 1))}`;
}

/** The last "checks done/total" of iotcop's plain progress lines (stderr when it is not a TTY). */
export function lastProgress(stderr) {
  const all = [...String(stderr).matchAll(/checks (\d+)\/(\d+)/g)];
  const m = all.at(-1);
  const unresponsive = [...String(stderr).matchAll(/(\d+) unresponsive/g)].at(-1);
  return m ? { jobsDone: Number(m[1]), jobsTotal: Number(m[2]), unresponsive: unresponsive ? Number(unresponsive[1]) : 0 } : undefined;
}

export function median(values) {
  const v = values.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  if (v.length === 0) return undefined;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * From a `--format jsonl` stream: milliseconds from `startMs` (when the command was started) to the first
 * finding line with a fail or warn result (`issueMs`) and to the first finding line of any kind
 * (`resultMs`); undefined when there was none. Lines that are not JSON are ignored.
 */
export function firstFindings(jsonl, startMs) {
  let issueMs;
  let resultMs;
  for (const text of String(jsonl).split('\n')) {
    let line;
    try { line = JSON.parse(text); } catch { continue; }
    if (line?.type !== 'finding' || typeof line.time !== 'string') continue;
    const at = Date.parse(line.time) - startMs;
    if (!Number.isFinite(at)) continue;
    resultMs = Math.min(resultMs ?? at, at);
    if (line.finding?.status === 'fail' || line.finding?.status === 'warn') issueMs = Math.min(issueMs ?? at, at);
  }
  return { issueMs, resultMs };
}

/** What one iotcop scan did and found. */
export function summariseIotcop(result, stderr) {
  const progress = lastProgress(stderr);
  const findings = Array.isArray(result?.findings) ? result.findings : [];
  const jobKeys = new Set(findings.map((f) => `${f.probe}|${f.device}|${f.port ?? ''}|${f.transport ?? ''}`));
  const probesRun = [...new Set(findings.map((f) => f.probe))].sort();
  const credentialFindings = findings
    .filter((f) => f.status === 'fail' && /-(default-credentials|default-community|accepts-any-password|no-authentication)$/.test(f.check))
    .map((f) => ({
      device: f.device, port: f.port, check: f.check,
      credential: f.credential ? `${f.credential.username}:${f.credential.password}` : undefined,
    }));
  // UDP ports that answered nothing (open|filtered: no reply, no ICMP unreachable) but got a verdict anyway
  // (pass, fail, warn, info, partial or error from a probe of that port): must be none (issue 18, UDP truth).
  // The host-wide UPnP search reports not_applicable on port 1900 when nothing answers; that is not a verdict.
  const verdicts = new Set(findings.filter((f) => f.transport === 'udp' && f.status !== 'not_applicable' && f.status !== 'not_tested')
    .map((f) => `${f.device}:${f.port}`));
  const udpUnconfirmed = (Array.isArray(result?.devices) ? result.devices : []).flatMap((d) =>
    (d.services ?? []).filter((x) => x.transport === 'udp' && x.state === 'open|filtered' && verdicts.has(`${d.address}:${x.port}`))
      .map((x) => `${d.address}:${x.port}/udp`));
  const udpNoAnswer = (Array.isArray(result?.skipped) ? result.skipped : []).filter((x) => x.reason === 'no-answer').length;
  const failing = {};
  for (const f of findings) if (f.status === 'fail' || f.status === 'warn') failing[`${f.check} (${f.status})`] = (failing[`${f.check} (${f.status})`] ?? 0) + 1;
  return {
    jobsDone: progress?.jobsDone,
    jobsTotal: progress?.jobsTotal,
    unresponsive: progress?.unresponsive ?? 0,
    jobsWithResults: jobKeys.size,
    probesRun,
    devices: result?.devices?.length ?? 0,
    services: result?.summary?.services ?? 0,
    findings: result?.summary?.findings ?? {},
    failWarn: failing,
    errors: Array.isArray(result?.errors) ? result.errors.length : 0,
    partial: Boolean(result?.run?.partial),
    durationMs: result?.run?.durationMs,
    scanType: result?.run?.capabilities?.scanType,
    credentialFindings,
    udpUnconfirmed,
    udpNoAnswer,
  };
}

function table(header, rows) {
  const cells = [header, ...rows].map((r) => r.map((c) => String(c ?? '—')));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(cells[0]), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}

function work(s) {
  if (!s) return '—';
  const jobs = s.jobsDone !== undefined ? `${s.jobsDone}/${s.jobsTotal} jobs` : `${s.jobsWithResults} jobs`;
  return `${jobs}, ${s.probesRun.length} probes, ${s.devices} devices, ${s.services} services, ${Object.values(s.findings).reduce((a, b) => a + b, 0)} results (${s.findings.fail ?? 0} fail, ${s.findings.warn ?? 0} warn, ${s.findings.error ?? 0} error)`;
}

/** The whole report as text (Markdown tables, readable in a terminal). */
export function renderText(r) {
  const out = [];
  const m = r.machine;
  out.push(`# iotcop benchmark, ${r.date}`);
  out.push('');
  out.push(`machine: ${m.cpus} CPUs (${m.cpuModel}), ${(m.ramKiB / MIB / MIB).toFixed(1)} GiB RAM, ${m.os}, kernel ${m.kernel}; ${m.node}, ${m.nmap ?? 'no nmap'}; load average at start ${m.loadStart.join(' ')}, at end ${(m.loadEnd ?? []).join(' ')}`);
  out.push(`iotcop ${r.iotcop.version ?? '?'} (commit ${r.iotcop.commit ?? '?'}; dist built ${r.iotcop.built ?? '?'}), ${r.iotcop.probes.length} probes registered: ${r.iotcop.probes.join(', ')}`);
  out.push(`lab: ${r.lab.note}`);
  if (r.lab.excluded.length > 0) out.push(`excluded from both scans (not part of the lab's ground truth): ${r.lab.excluded.join(', ')}`);
  out.push('');

  if (r.labScan) {
    out.push(`## Lab scan: ${r.labScan.target}, default safety level (${r.labScan.safety})`);
    out.push('');
    const rows = r.labScan.runs.map((x, i) => [
      r.labScan.runs.length > 1 ? `iotcop (run ${i + 1})` : 'iotcop', secs(x.wallMs), secs(x.firstIssueMs), mib(x.nodePeakKiB),
      x.nmap.processes ? `${mib(x.nmap.maxHwmKiB)} (${x.nmap.processes} nmap runs)` : '—', mib(x.treePeakKiB),
      `${work(x.summary)}${x.killed ? ', KILLED at the bound' : ''}${x.exitCode !== 0 ? `, exit ${x.exitCode}` : ''}`,
    ]);
    if (r.nmap) {
      const n = r.nmap;
      rows.push([
        'nmap -sV + 11 NSE scripts', secs(n.wallMs), '—', mib(n.peakKiB), '—', mib(n.treePeakKiB),
        `${n.summary ? `${n.summary.hostsUp} hosts up, ${n.summary.openPorts} open ports` : 'no XML'}${n.killed ? ', KILLED at the bound' : ''}${n.exitCode !== 0 ? `, exit ${n.exitCode}` : ''}`,
      ]);
    }
    out.push(table(['tool', 'wall time', 'first fail/warn', 'peak RSS (main process)', 'peak RSS (nmap children)', 'peak RSS (all processes at once)', 'work'], rows));
    out.push('');
    out.push('first fail/warn: from the command\'s start to the first fail or warn result in its JSONL stream (a terminal\'s progress line shows it within 100 ms)');
    if (r.ratio !== undefined) out.push(`ratio: nmap baseline wall time / iotcop wall time = **${r.ratio.toFixed(1)}×**${r.labScan.runs.length > 1 ? ' (iotcop: median of the runs)' : ''}`);
    if (r.nmap) {
      out.push(`nmap host timeout: ${r.nmap.hostTimeoutS} s; ${r.nmap.hitHostTimeout.length > 0 ? `HIT for ${r.nmap.hitHostTimeout.join(', ')}` : 'not hit'}${r.nmap.killed ? '; the run was killed at the benchmark\'s own bound' : ''}`);
      if (r.nmap.phases?.length) out.push(`nmap phases (-v; parallel over hosts): ${r.nmap.phases.map((x) => `${x.phase} ${x.seconds} s`).join(', ')}`);
      out.push(`nmap command: ${r.nmap.command}`);
      out.push(`nmap credential list: ${r.nmap.credentials} ssh/telnet pairs (bench/lib/nmap-baseline.mjs bruteCredentials), ${r.nmap.communities} SNMP communities, from src/data/credentials.json`);
    }
    const last = r.labScan.runs.at(-1);
    if (last?.summary) {
      out.push('');
      out.push(`iotcop fail/warn results: ${Object.entries(last.summary.failWarn).map(([k, v]) => `${k} ×${v}`).join(', ') || 'none'}`);
      out.push(`UDP ports that answered nothing (open|filtered) yet got a verdict (must be none): ${r.labScan.runs.map((x, i) => `run ${i + 1}: ${x.summary?.udpUnconfirmed?.join(', ') || 'none'}`).join('; ')}; probes skipped as no-answer: ${r.labScan.runs.map((x) => x.summary?.udpNoAnswer ?? '—').join(', ')}`);
      out.push(`iotcop credential results: ${last.summary.credentialFindings.map((c) => `${c.device}:${c.port} ${c.check}${c.credential ? ` ${c.credential}` : ''}`).join('; ') || 'none'}`);
    }
    if (r.nmap?.summary) {
      out.push(`nmap script results: ${Object.entries(r.nmap.summary.scripts).map(([id, list]) => `${id} ×${list.length}`).join(', ') || 'none'}`);
      for (const id of ['ssh-brute', 'telnet-brute', 'snmp-brute', 'http-default-accounts', 'ftp-anon']) {
        const list = r.nmap.summary.scripts[id] ?? [];
        const errs = r.nmap.summary.errors?.[id] ?? [];
        out.push(`  nmap ${id}: ${list.map((x) => `${x.where} ${x.finding}`).join('; ') || 'nothing'}${errs.length ? ` (script errors: ${errs.map((x) => `${x.where} ${x.message}`).join('; ')})` : ''}`);
      }
    }
    if (r.safety) {
      out.push('');
      out.push(`safety: lockout trap attempts during the iotcop scan: ${r.safety.lockoutAttemptsIotcop ?? '?'} (ground truth: at most 4; nmap excluded it); bytes received by the raw printer port 9100: ${r.safety.printerBytesAfter ?? '?'} (must be 0)`);
    }
    out.push('');
  }

  if (r.scaling?.length) {
    out.push(`## Scaling: ${r.scalingTarget}, N identical cheap devices (busybox httpd with HTTP Basic + busybox telnetd)`);
    out.push('');
    out.push(table(
      ['devices', 'hosts found', 'wall time', 'first fail/warn', 'node peak RSS', 'nmap peak RSS', 'all processes peak', 'jobs', 'results (fail/warn/error)'],
      r.scaling.map((s) => [
        s.devices, s.summary?.devices ?? '—', `${secs(s.wallMs)}${s.killed ? ' (KILLED)' : ''}`, secs(s.firstIssueMs), mib(s.nodePeakKiB), mib(s.nmap.maxHwmKiB), mib(s.treePeakKiB),
        s.summary?.jobsDone !== undefined ? `${s.summary.jobsDone}/${s.summary.jobsTotal}` : (s.summary?.jobsWithResults ?? '—'),
        s.summary ? `${s.summary.findings.fail ?? 0}/${s.summary.findings.warn ?? 0}/${s.summary.findings.error ?? 0}` : '—',
      ]),
    ));
    out.push('');
    out.push("hosts found counts the scanner's own address on that subnet (10.231.2.1) too.");
    if (r.scalingFit) {
      out.push(`time: ${r.scalingFit.fixedS.toFixed(1)} s + ${r.scalingFit.perDeviceS.toFixed(2)} s per device (least squares); node peak RSS at ${r.scalingFit.maxDevices} devices / at ${r.scalingFit.minDevices}: ${r.scalingFit.rssRatio.toFixed(2)}×`);
    }
    out.push('');
  }
  for (const pr of r.profiles ?? []) {
    if (pr.summary) { out.push(renderProfile(pr.title, pr.summary)); out.push(''); }
  }
  if (r.notes.length > 0) {
    out.push('notes:');
    for (const n of r.notes) out.push(`- ${n}`);
  }
  return out.join('\n');
}

/** Least-squares line through (devices, seconds). */
export function fitLine(points) {
  const n = points.length;
  if (n < 2) return undefined;
  const mx = points.reduce((a, p) => a + p.x, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const sxx = points.reduce((a, p) => a + (p.x - mx) ** 2, 0);
  if (sxx === 0) return undefined;
  const slope = points.reduce((a, p) => a + (p.x - mx) * (p.y - my), 0) / sxx;
  return { slope, intercept: my - slope * mx };
}

/** Where a profiled scan (bench/lib/profile-scan.mjs) spent its time. */
export function summariseProfile(p) {
  const byProbe = new Map();
  for (const j of p.jobs) {
    const e = byProbe.get(j.probe) ?? { probe: j.probe, jobs: 0, jobMs: 0, maxMs: 0, maxAt: '' };
    e.jobs += 1;
    e.jobMs += j.durationMs;
    if (j.durationMs > e.maxMs) { e.maxMs = j.durationMs; e.maxAt = `${j.device}${j.port ? `:${j.port}` : ''}`; }
    byProbe.set(j.probe, e);
  }
  const totalJobMs = p.jobs.reduce((a, j) => a + j.durationMs, 0);
  const hostTimes = p.discovery.hosts.map((h) => h.atMs);
  const ends = p.jobs.map((j) => ({ ...j, endMs: j.startMs + j.durationMs })).sort((a, b) => b.endMs - a.endMs);
  return {
    totalMs: p.totalMs,
    hostsFoundAtMs: p.discovery.hostsFound[0]?.atMs,
    hosts: p.discovery.hosts.length,
    firstHostReadyMs: hostTimes.length ? Math.min(...hostTimes) : undefined,
    lastHostReadyMs: hostTimes.length ? Math.max(...hostTimes) : undefined,
    discoveryDoneMs: p.discovery.doneAtMs,
    jobs: p.jobs.length,
    totalJobMs,
    byProbe: [...byProbe.values()].sort((a, b) => b.jobMs - a.jobMs),
    lastJobs: ends.slice(0, 5).map((j) => ({ probe: j.probe, where: `${j.device}${j.port ? `:${j.port}` : ''}`, startMs: j.startMs, durationMs: j.durationMs })),
    criticalPath: criticalPath(p, ends),
    concurrency: p.concurrency,
  };
}

/**
 * The device job that ended last (run-scope jobs such as shared-keys wait for every device and say
 * nothing), and why: when its host's ports were known, how long it then queued, how long it ran, and
 * what ran on that host before it.
 */
function criticalPath(p, ends) {
  const last = ends.find((j) => j.device !== '*' && j.device !== undefined);
  if (!last) return undefined;
  const readyMs = p.discovery.hosts.find((h) => h.address === last.device)?.atMs;
  const before = p.jobs.filter((j) => j.device === last.device && j.startMs < last.startMs).sort((a, b) => a.startMs - b.startMs)
    .map((j) => `${j.probe}${j.port ? `:${j.port}` : ''} ${secs(j.durationMs)}`);
  return {
    probe: last.probe, where: `${last.device}${last.port ? `:${last.port}` : ''}`, hostReadyMs: readyMs,
    queuedMs: readyMs === undefined ? undefined : last.startMs - readyMs, startMs: last.startMs, durationMs: last.durationMs, before,
  };
}

export function renderProfile(title, s) {
  const out = [];
  out.push(`### Where the time goes: ${title} (one profiled run, bench/lib/profile-scan.mjs)`);
  out.push('');
  out.push(`total ${secs(s.totalMs)}; discovery: ${s.hosts} hosts found (ping sweep) at ${secs(s.hostsFoundAtMs)}, first host's ports and versions ready at ${secs(s.firstHostReadyMs)}, last at ${secs(s.lastHostReadyMs)}, discovery done at ${secs(s.discoveryDoneMs)}; ${s.jobs} jobs, ${secs(s.totalJobMs)} of job time in all (jobs overlap: up to ${s.concurrency ?? '?'} at once, 2 per host)`);
  out.push('');
  out.push(table(['probe', 'jobs', 'job time (sum)', 'share', 'longest job', 'on'],
    s.byProbe.slice(0, 12).map((e) => [e.probe, e.jobs, secs(e.jobMs), `${((100 * e.jobMs) / (s.totalJobMs || 1)).toFixed(0)}%`, secs(e.maxMs), e.maxAt])));
  out.push('');
  const c = s.criticalPath;
  if (c) out.push(`critical path: ${c.probe} on ${c.where} ended last at ${secs(c.startMs + c.durationMs)}: its host's ports were known at ${secs(c.hostReadyMs)}, it waited ${secs(c.queuedMs)} for a slot (before it on that host: ${c.before.join(', ') || 'nothing'}) and ran ${secs(c.durationMs)}`);
  out.push(`last jobs to finish: ${s.lastJobs.map((j) => `${j.probe} on ${j.where} (${secs(j.startMs)} + ${secs(j.durationMs)})`).join('; ')}`);
  return out.join('\n');
}
