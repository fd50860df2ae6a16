/**
 * HTML report: one self-contained file, written for someone who has never heard of ETSI first
 * and for a tester second. Works offline (inline CSS, no external assets, no script), prints
 * cleanly, and uses a colour-blind-safe palette (Okabe–Ito hues) where every verdict also carries
 * a symbol and a word, never colour alone.
 *
 * Safety: every string, ours or a device's, goes through htmlEscape, and device text only ever
 * lands in element content (wrapped in <bdi> so right-to-left text cannot reorder ours). No
 * device string becomes a URL, an id, a class or an attribute. A Content-Security-Policy meta tag
 * forbids scripts, frames, forms, fonts and remote images outright, as a second line of defence.
 */
import {
  SEVERITIES,
  type DeviceResult, type Finding, type GuidelineId, type ScanResult, type Service, type Severity, type Verdict,
} from '../../model.js';
import { clip, htmlEscape } from '../escape.js';
import {
  GUIDELINES, GUIDELINE_SHORT, SEVERITY_LABEL, TYPE_NOUN, VERDICT_LABEL, counts, credentialText,
  evidenceJson, failingGuidelines, findingsOf, formatDuration, formatTime, guideline, hasEvidence, identificationSources,
  isProblem, manualChecklist, networkFindings, orderDevices, plainSentence, plural, portText, pstiLines,
  notTestedGroups, remediationSteps, reportTime, shortIdentity, verdictOf, wasTested, type PstiState, type RenderOptions,
  partialPhrase, isPartial, reassessedSentence,
  notCheckedByChoice, SELF_NOT_CHECKED,
  deviceTitle,
} from './common.js';

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** Escape our own or untrusted text for element content or a quoted attribute. */
const e = htmlEscape;

/** Untrusted inline text: capped, escaped and isolated for bidi. */
function u(s: string, max = 200): string {
  return `<bdi>${htmlEscape(clip(s, max))}</bdi>`;
}

const VERDICT_SYMBOL: Record<Verdict, string> = { fail: '✗', warn: '!', partial: '◐', pass: '✓', not_tested: '–', manual: '✎' };
const VERDICT_CELL: Record<Verdict, string> = {
  fail: 'Problem', warn: 'Weak spot', partial: 'Partly checked', pass: 'No issues', not_tested: 'Not tested', manual: 'By hand',
};
const VERDICT_MEANING: Record<Verdict, string> = {
  fail: 'A check found something that goes against the guideline. Fix these first.',
  warn: 'A weakness that falls short of breaking the guideline. Worth fixing.',
  partial: 'Nothing wrong was found in what was checked, but part of the check was skipped (for example likely passwords not tried, to avoid locking the device). The finding says what is left and how to finish it.',
  pass: 'The checks that apply ran and found nothing wrong. A scan can find problems but can never prove a device secure.',
  not_tested: 'No check for this guideline could run on this device (no matching service, an error, or a higher safety level needed). Check it by hand.',
  manual: 'A network scan cannot judge this guideline. The checklist below says what to look for.',
};
const SEVERITY_ADVICE: Record<Severity, string> = {
  critical: 'fix now', high: 'fix soon', medium: 'should fix', low: 'worth fixing', info: 'for information',
};
const PSTI_SYMBOL: Record<PstiState, string> = { bad: '✗', ok: '✓', unknown: '?' };
const PSTI_WORD: Record<PstiState, string> = { bad: 'Problem', ok: 'OK', unknown: 'Unknown' };

function verdictChip(v: Verdict, text = VERDICT_LABEL[v]): string {
  return `<span class="chip v-${v}"><span class="sym" aria-hidden="true">${VERDICT_SYMBOL[v]}</span> ${e(text)}</span>`;
}

function severityChip(f: Finding): string {
  const weak = f.status === 'warn' ? ' · weakness' : '';
  return `<span class="sev sev-${f.severity}">${e(SEVERITY_LABEL[f.severity])} · ${e(SEVERITY_ADVICE[f.severity])}${weak}</span>`;
}

function deviceHeading(d: DeviceResult): string {
  const title = deviceTitle(d);
  return title ? u(title, 150) : u(d.address, 45);
}

function guidelineRef(id: GuidelineId): string {
  const g = guideline(id);
  return `${g.number}. ${e(g.title)}`;
}

function steps(text: string): string {
  const list = remediationSteps(text);
  if (list.length === 0) return '';
  if (list.length === 1) return `<p>${u(list[0]!, 600)}</p>`;
  return `<ol class="steps">${list.map((s) => `<li>${u(s, 600)}</li>`).join('')}</ol>`;
}

function renderFinding(f: Finding): string {
  const where = portText(f);
  const tech: string[] = [];
  const row = (k: string, v: string): void => void tech.push(`<dt>${e(k)}</dt><dd>${v}</dd>`);
  row('What the check saw', u(f.title, 300));
  if (where) row('Network port', e(where));
  row('Check', `<code>${u(f.check, 80)}</code> (probe <code>${u(f.probe, 80)}</code>), confidence ${u(f.confidence, 20)}`);
  row('Guidelines', f.guidelines.map(guidelineRef).join('; ') || '–');
  if (f.provisions.length) row('ETSI EN 303 645', f.provisions.map((p) => u(p, 20)).join(', '));
  row('Finding id', `<code>${u(f.id, 80)}</code>`);
  const evidence = hasEvidence(f.evidence)
    ? `<details class="evidence"><summary>Evidence the device gave</summary><pre>${e(evidenceJson(f.evidence))}</pre></details>`
    : '';
  return `<li class="finding s-${f.status} sev-${f.severity}">
<p class="finding-head">${severityChip(f)}</p>
<p class="plain">${u(plainSentence(f), 400)}</p>
${f.summary && f.description ? `<p class="why">${u(f.description, 600)}</p>` : ''}
${f.credential ? `<p class="cred">Login that worked: <code>${u(credentialText(f.credential), 200)}</code></p>` : ''}
<div class="fix"><h5>How to fix it</h5>${steps(f.remediation)}</div>
<details class="tech"><summary>Technical details for testers</summary>
<dl>${tech.join('')}</dl>${evidence}
</details>
</li>`;
}

function servicesTable(services: Service[]): string {
  const rows = services.slice(0, 100).map((s) => {
    const what = [s.product, s.version].filter((x): x is string => !!x).join(' ');
    return `<tr><td>${e(`${s.port}/${s.transport}`)}</td><td>${u(s.name ?? '', 40)}</td><td>${u(what, 120)}${s.extraInfo ? ` <small>${u(s.extraInfo, 120)}</small>` : ''}</td><td>${s.tls?.enabled ? 'yes' : 'no'}</td><td>${s.banner ? `<code>${u(s.banner, 160)}</code>` : ''}</td></tr>`;
  });
  const more = services.length > 100 ? `<p>… and ${services.length - 100} more in the JSON report.</p>` : '';
  return `<table class="services"><thead><tr><th scope="col">Port</th><th scope="col">Service</th><th scope="col">Software</th><th scope="col">Encrypted</th><th scope="col">First bytes sent</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function renderDevice(result: ScanResult, d: DeviceResult, index: number): string {
  const findings = findingsOf(result, d.address);
  const problems = findings.filter(isProblem);
  const passed = findings.filter((f) => f.status === 'pass');
  const infos = findings.filter((f) => f.status === 'info');
  const fails = problems.filter((f) => f.status === 'fail').length;
  const weak = problems.length - fails;
  const tested = wasTested(result, d.address);
  const partials = findings.filter(isPartial);
  const partly = partials.length > 0;
  // the computer running iotcop, left unchecked on purpose: no "not tested" list and no legal duties to weigh
  const self = notCheckedByChoice(result, d);
  const overall: Verdict = fails ? 'fail' : weak ? 'warn' : partly ? 'partial' : tested ? 'pass' : 'not_tested';
  const overallText = fails
    ? `${plural(fails, 'problem')}${weak ? ` and ${plural(weak, 'weakness', 'weaknesses')}` : ''}`
    : weak ? plural(weak, 'weakness', 'weaknesses') : partly ? 'No problems found, but only partly checked' : tested ? 'No problems found' : 'Not tested';
  const id = d.identification;
  const what = [id.vendor, id.model].filter((x): x is string => !!x);
  const ident: string[] = [];
  ident.push(`${what.length ? `${u(what.join(' '), 120)} ` : ''}${e(TYPE_NOUN[id.type])}`);
  ident.push(`address <code>${u(d.address, 45)}</code>`);
  if (id.firmware) ident.push(`firmware ${u(id.firmware, 60)}`);

  const techIdent: string[] = [];
  const row = (k: string, v: string): void => void techIdent.push(`<dt>${e(k)}</dt><dd>${v}</dd>`);
  row('Identification', e(identificationSources(d)));
  if (id.friendlyName) row('Calls itself', u(id.friendlyName, 120));
  if (id.serial) row('Serial number', u(id.serial, 80));
  if (d.mac) row('MAC address', `<code>${u(d.mac, 40)}</code>${d.macVendor ? ` (${u(d.macVendor, 80)})` : ''}${d.macRandomised ? ' — randomised, so the maker cannot be read from it' : ''}`);
  if (d.hostnames.length) row('Network names', d.hostnames.slice(0, 10).map((h) => `<code>${u(h, 80)}</code>`).join(', '));
  if (d.declaredAt) row('Declared in', `<code>${u(d.declaredAt.file, 120)}</code> line ${e(String(d.declaredAt.line))}`);

  const groups = notTestedGroups(d);
  const notTestedCount = groups.reduce((n, g) => n + g.guidelines.length, 0);
  const errorIds = new Set(d.guidelines.filter((g) => g.verdict === 'not_tested').flatMap((g) => g.findings));
  const errs = findings.filter((f) => errorIds.has(f.id) && f.error)
    .map((f) => `<li><small>${u(f.title, 120)}: ${u(f.error!.kind, 30)} – ${u(f.error!.message, 200)}</small></li>`).join('');
  const notTestedHtml = groups.length
    ? `<details class="block"><summary>${e(`Not tested on this device (${plural(notTestedCount, 'guideline')})`)}</summary><ul class="plainlist">${groups.map((grp) =>
      `<li>${u(grp.reason, 300)}<br><strong>${grp.guidelines.map((g) => `${g.number}. ${e(g.title)}`).join('; ')}</strong></li>`).join('')}${errs}</ul></details>`
    : '';

  const psti = pstiLines(d.psti).map((l) => `<li class="psti-${l.state}"><span class="chip p-${l.state}"><span class="sym" aria-hidden="true">${PSTI_SYMBOL[l.state]}</span> ${e(PSTI_WORD[l.state])}</span> <strong>${e(`${l.number}. ${l.title}`)}</strong><br>${e(l.text)}${l.value ? ` <code>${u(l.value, 200)}</code>` : ''}</li>`).join('');

  return `<article class="device v-${overall}" id="device-${index}">
<header class="device-head">
<p class="device-state">${verdictChip(overall, overallText)}</p>
<h3><span class="idx">${index}.</span> ${deviceHeading(d)}</h3>
<p class="ident">${ident.join(' · ')}</p>
${d.unresponsive ? '<p class="notice">The device stopped answering during the scan, so some checks did not run.</p>' : ''}
</header>
${problems.length
    ? `<h4>What is wrong, and how to fix it</h4><ol class="findings">${problems.map((f) => renderFinding(f)).join('\n')}</ol>`
    : partly
      ? '<p class="unknown">The checks that ran found no problems on this device, but some could only be partly done (below): this is not a clean bill of health.</p>'
      : tested
      ? '<p class="good">The checks that ran found no problems on this device. Remember the items to check by hand below.</p>'
      : self
      ? `<p>${e(SELF_NOT_CHECKED)}</p>`
      : '<p class="unknown">No check could run on this device, so this scan says nothing about its security. The reasons are below; the checklist at the end says what to look at yourself.</p>'}
${partials.length ? `<h4>${verdictChip('partial', VERDICT_CELL.partial)} What could only be partly checked</h4><ul class="plainlist partial">${partials.map((f) => `<li><strong>${u(f.title, 200)}</strong>${portText(f) ? ` <small>(${e(portText(f))})</small>` : ''}<br>${u(f.description, 1200)}</li>`).join('')}</ul>` : ''}
${passed.length ? `<details class="block"><summary>${e(`${plural(passed.length, 'check')} found no issues`)}</summary><ul class="plainlist">${passed.map((f) => `<li>${u(f.title, 200)}${portText(f) ? ` <small>(${e(portText(f))})</small>` : ''}</li>`).join('')}</ul></details>` : ''}
${infos.length ? `<details class="block"><summary>${e(`For information (${infos.length})`)}</summary><ul class="plainlist">${infos.map((f) => `<li>${u(plainSentence(f), 300)}${hasEvidence(f.evidence) ? `<pre>${e(evidenceJson(f.evidence, 4000))}</pre>` : ''}</li>`).join('')}</ul></details>` : ''}
${self ? '' : notTestedHtml}
${self ? '' : `<section class="psti"><h4>UK law (PSTI): the three legal requirements</h4><ul>${psti}</ul></section>`}
<details class="block"><summary>${e(`About this device: ${plural(d.services.length, 'open network service')}`)}</summary>
<dl class="kv">${techIdent.join('')}</dl>
${d.services.length ? servicesTable(d.services) : ''}
</details>
</article>`;
}

function matrix(devices: DeviceResult[]): string {
  const head = GUIDELINES.map((g) => `<th scope="col" title="${e(`${g.number}. ${g.title}`)}"><span class="num">${g.number}</span><span class="short">${e(GUIDELINE_SHORT[g.id])}</span></th>`).join('');
  const rows = devices.map((d, i) => {
    const cells = GUIDELINES.map((g) => {
      const v = verdictOf(d, g.id).verdict;
      return `<td class="cell v-${v}" title="${e(`${g.number}. ${g.title}: ${VERDICT_LABEL[v]}`)}"><span class="sym" aria-hidden="true">${VERDICT_SYMBOL[v]}</span> ${e(VERDICT_CELL[v])}</td>`;
    }).join('');
    const sub = deviceTitle(d) ? d.address : shortIdentity(d);
    return `<tr><th scope="row"><a href="#device-${i + 1}">${deviceHeading(d)}</a><small>${u(sub, 60)}</small></th>${cells}</tr>`;
  }).join('\n');
  return `<div class="matrix-wrap"><table class="matrix"><thead><tr><th scope="col" class="corner">Device</th>${head}</tr></thead><tbody>${rows}</tbody></table></div>`;
}

function legend(): string {
  const items = (['fail', 'warn', 'partial', 'pass', 'not_tested', 'manual'] as const)
    .map((v) => `<li>${verdictChip(v, VERDICT_CELL[v])} ${e(VERDICT_MEANING[v])}</li>`).join('');
  return `<ul class="legend">${items}</ul>`;
}

export function renderHtml(result: ScanResult, options: RenderOptions): string {
  const devices = orderDevices(result);
  const c = counts(result);
  const failing = failingGuidelines(result);
  const run = result.run;
  const now = reportTime(result, options);
  const byAddr = new Map(devices.map((d, i) => [d.address, { d, i: i + 1 }]));
  const urgent = devices.filter((d) => findingsOf(result, d.address).some((f) => f.status === 'fail' && (f.severity === 'critical' || f.severity === 'high'))).length;
  const withProblems = devices.filter((d) => findingsOf(result, d.address).some((f) => f.status === 'fail')).length;

  const worst = result.findings.filter((f) => f.status === 'fail')
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)).slice(0, 5);
  const worstHtml = worst.map((f) => {
    const at = byAddr.get(f.device);
    const who = at ? `<a href="#device-${at.i}">${deviceHeading(at.d)}</a>` : '<a href="#network">Several devices</a>';
    return `<li>${severityChip(f)} <strong>${who}:</strong> ${u(plainSentence(f), 300)}</li>`;
  }).join('');

  const concluded = result.findings.some((f) => ['fail', 'warn', 'pass', 'info'].includes(f.status));
  let lead: string;
  if (devices.length === 0) lead = 'No devices answered, so there is nothing to report. Check that you scanned the right network.';
  else if (!concluded) lead = 'No check could run on any device, so this scan says nothing about their security. See “About this scan” at the end for what went wrong, and go through the checklist by hand.';
  else if (withProblems === 0) lead = 'No problems were found. A scan can find problems but cannot prove a device secure, so please also go through the checklist at the end.';
  else lead = `${plural(withProblems, 'device')} of ${devices.length} ${withProblems === 1 ? 'has' : 'have'} problems to fix. The most urgent come first below, each with steps to fix it.`;

  const network = networkFindings(result).filter(isProblem);
  const manual = manualChecklist(result);

  const tiles = [
    [String(devices.length), plural(devices.length, 'device').replace(/^\d+ /, '') + ' found', ''],
    [String(urgent), urgent === 1 ? 'needs urgent attention' : 'need urgent attention', urgent ? 'bad' : 'good'],
    [String(c.problems), plural(c.problems, 'problem').replace(/^\d+ /, '') + (c.weaknesses ? ` and ${plural(c.weaknesses, 'weakness', 'weaknesses')}` : ''), c.problems ? 'bad' : 'good'],
    [`${failing.length} of 13`, 'guidelines broken somewhere', failing.length ? 'bad' : 'good'],
  ].map(([n, label, cls]) => [n, label, concluded ? cls : '']).map(([n, label, cls]) => `<div class="tile ${cls}"><span class="n">${e(n!)}</span><span class="l">${e(label!)}</span></div>`).join('');

  const manualHtml = manual.map((item) => {
    const who = item.allDevices ? 'All devices' : item.devices.map((d) => `<a href="#device-${byAddr.get(d.address)!.i}">${deviceHeading(d)}</a>`).join(', ');
    const why = item.kind === 'manual' ? 'A scan cannot check this.' : 'This scan could not check it.';
    return `<li class="manual-item"><h3>${guidelineRef(item.guideline.id)}</h3><p class="who">${who} · <em>${e(why)}</em></p><p>${e(item.guideline.summary)}</p><ul class="checks">${item.guideline.manualChecks.map((m) => `<li><span class="box" aria-hidden="true">☐</span> ${e(m)}</li>`).join('')}</ul></li>`;
  }).join('\n');

  const guidelineList = GUIDELINES.map((g) => `<li><strong>${e(`${g.number}. ${g.title}.`)}</strong> ${e(g.summary)}${g.psti ? ` <em>${e(`UK law (PSTI requirement ${g.psti.number}).`)}</em>` : ''}</li>`).join('');

  const errors = result.errors.slice(0, 100).map((x) => `<li><code>${u(x.source, 60)}</code>${x.device ? ` on <code>${u(x.device, 45)}</code>` : ''}: ${u(x.kind, 30)} – ${u(x.message, 300)}</li>`).join('');
  const skipped = result.skipped.slice(0, 100).map((s) => `<li><code>${u(s.probe, 60)}</code>${s.device ? ` on <code>${u(s.device, 45)}</code>` : ''}${s.port !== undefined ? ` port ${e(`${s.port}/${s.transport ?? 'tcp'}`)}` : ''}: ${u(s.reason, 30)}${s.detail ? ` (${u(s.detail, 200)})` : ''}</li>`).join('');
  const nmap = run.capabilities.nmap;

  const title = `iotcop report – ${plural(devices.length, 'device')} – ${formatTime(run.startedAt).slice(0, 10)}`;

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${e(`iotcop ${clip(result.tool.version, 40)}`)}">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header class="top">
<p class="brand">iotcop</p>
<h1>Security check of your network devices</h1>
<p class="meta">Network ${u(run.targets.join(', ') || 'none', 200)} · scanned ${e(formatTime(run.startedAt))} · took ${e(formatDuration(run.durationMs))} · safety level “${u(run.options.safety, 20)}”</p>
</header>
<main>
${reassessedSentence(run) ? `<p class="notice">${u(reassessedSentence(run) ?? '', 600)}</p>\n` : ''}${run.partial ? `<p class="notice">The scan stopped early (${u(run.stopReason ?? 'unknown reason', 40)}), so this report is incomplete.</p>` : ''}
<section id="summary" class="summary">
<h2>In short</h2>
<div class="tiles">${tiles}</div>
<p class="lead">${e(lead)}</p>
${worstHtml ? `<h3>The most serious problems</h3><ol class="worst">${worstHtml}</ol>` : ''}
</section>

<section id="overview">
<h2>Overview: every device against the 13 guidelines</h2>
<p>The columns are the 13 guidelines of the UK government’s <em>Code of Practice for Consumer IoT Security</em>, the basis of the European standard ETSI EN 303 645 and of the UK’s product security law (PSTI). Click a device to jump to its details.</p>
${devices.length ? matrix(devices) : '<p>No devices were found.</p>'}
${legend()}
<details class="block"><summary>What the 13 guidelines mean</summary><ul class="guidelines">${guidelineList}</ul></details>
</section>

<section id="devices">
<h2>Your devices, most urgent first</h2>
${devices.map((d, i) => renderDevice(result, d, i + 1)).join('\n')}
</section>
${network.length ? `
<section id="network">
<h2>Problems shared by several devices</h2>
<ol class="findings">${network.map((f) => renderFinding(f)).join('\n')}</ol>
</section>` : ''}
${manual.length ? `
<section id="manual">
<h2>Check these by hand</h2>
<p>A network scan cannot answer these questions. Look at the device’s settings, its box and manual, or the maker’s website, and tick what holds.</p>
<ol class="manual">${manualHtml}</ol>
</section>` : ''}

<section id="about">
<h2>About this scan</h2>
<dl class="kv">
<dt>Network scanned</dt><dd>${u(run.targets.join(', ') || 'none', 300)}${run.autoTargets ? ' (found automatically from this computer’s own network)' : ''}</dd>
${run.configFile ? `<dt>Configuration</dt><dd><code>${u(run.configFile, 200)}</code></dd>` : ''}
<dt>Safety level</dt><dd>${u(run.options.safety, 20)} — ${e(safetyText(run.options.safety))}</dd>
<dt>Started</dt><dd>${e(formatTime(run.startedAt))}, took ${e(formatDuration(run.durationMs))}</dd>
<dt>Discovery</dt><dd>${nmap ? `nmap ${u(nmap.version, 40)}` : 'built-in connect scan (nmap not found)'}, ${u(run.capabilities.scanType, 30)} scan${run.capabilities.privileged ? '' : ', unprivileged'}</dd>
<dt>Checks</dt><dd>${e(`${c.problems} problems, ${c.weaknesses} weaknesses, ${c.passed} checks without issues${partialPhrase(c)}, ${c.notTested} checks that could not run`)}</dd>
<dt>Run id</dt><dd><code>${u(run.id, 80)}</code></dd>
</dl>
${run.capabilities.notices.length ? `<details class="block"><summary>${e(`Notes from the scan (${run.capabilities.notices.length})`)}</summary><ul class="plainlist">${run.capabilities.notices.slice(0, 100).map((n) => `<li>${u(n, 300)}</li>`).join('')}</ul></details>` : ''}
${errors ? `<details class="block"><summary>${e(`Errors during the scan (${result.errors.length})`)}</summary><ul class="plainlist">${errors}</ul></details>` : ''}
${skipped ? `<details class="block"><summary>${e(`Checks skipped (${result.skipped.length})`)}</summary><ul class="plainlist">${skipped}</ul></details>` : ''}
<p class="fine">An automated scan can show that something is wrong; it can never prove that a device is secure. Found passwords are hidden unless the scan was run with <code>--reveal-credentials</code>. Keep this report private: it describes weaknesses of your network.</p>
</section>
</main>
<footer><p>${e(`Generated by iotcop ${clip(result.tool.version, 40)} on ${formatTime(now)}.`)}</p></footer>
</body>
</html>
`;
}

function safetyText(s: string): string {
  switch (s) {
    case 'safe': return 'only looked; no logins were tried.';
    case 'credentials': return 'also tried a few well-known factory passwords, slowly and with a small budget.';
    case 'intrusive': return 'also sent malformed input to see whether devices cope.';
    default: return '';
  }
}

const STYLE = `
:root{--fg:#1d2330;--muted:#5b6475;--bg:#f5f6f8;--card:#fff;--line:#d9dde5;--accent:#0b4f75;
--fail:#d55e00;--fail-bg:#fbe2d3;--fail-fg:#7a2e00;--warn:#e69f00;--warn-bg:#fdf0cf;--warn-fg:#6b4a00;
--pass:#009e73;--pass-bg:#d3f0e6;--pass-fg:#00543d;--nt:#8a8a8a;--nt-bg:#ececec;--nt-fg:#3d3d3d;
--man:#0072b2;--man-bg:#dcebf7;--man-fg:#0b4a73}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Ubuntu,Cantarell,"Helvetica Neue",Arial,sans-serif;color:var(--fg);background:var(--bg)}
header.top{background:#16324f;color:#fff;padding:28px max(24px,calc((100% - 1100px)/2)) 22px}
header.top .brand{margin:0;font-weight:700;letter-spacing:.08em;text-transform:uppercase;font-size:13px;opacity:.8}
header.top h1{margin:4px 0 6px;font-size:30px;line-height:1.2}
header.top .meta{margin:0;opacity:.9;font-size:14px}
main{max-width:1100px;margin:0 auto;padding:8px 24px 40px}
h2{font-size:23px;margin:34px 0 10px;padding-bottom:6px;border-bottom:2px solid var(--line)}
h3{font-size:19px;margin:0}
h4{font-size:16px;margin:18px 0 8px}
h5{font-size:14px;margin:0 0 4px;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
a{color:var(--accent)}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.88em}
code{background:#eef0f4;border-radius:4px;padding:1px 4px;overflow-wrap:anywhere}
pre{background:#f3f4f7;border:1px solid var(--line);border-radius:6px;padding:10px;overflow:auto;max-height:420px;white-space:pre-wrap;overflow-wrap:anywhere}
small{color:var(--muted)}
.notice{background:var(--warn-bg);border-left:5px solid var(--warn);padding:10px 14px;border-radius:6px}
.tiles{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:14px 0}
.tile{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:14px 16px;border-top:6px solid var(--nt)}
.tile.bad{border-top-color:var(--fail)}.tile.good{border-top-color:var(--pass)}
.tile .n{display:block;font-size:30px;font-weight:700;line-height:1.1}
.tile .l{color:var(--muted)}
.lead{font-size:18px}
ol.worst{padding-left:22px}ol.worst li{margin:6px 0}
.chip{display:inline-block;border-radius:999px;padding:1px 10px;font-weight:600;font-size:14px;border:1px solid transparent;white-space:nowrap}
.chip .sym{font-weight:800}
.v-fail.chip,.cell.v-fail{background:var(--fail-bg);color:var(--fail-fg);border-color:var(--fail)}
.v-warn.chip,.cell.v-warn{background:var(--warn-bg);color:var(--warn-fg);border-color:var(--warn)}
.v-pass.chip,.cell.v-pass{background:var(--pass-bg);color:var(--pass-fg);border-color:var(--pass)}
.v-not_tested.chip,.cell.v-not_tested{background:var(--nt-bg);color:var(--nt-fg);border-color:var(--nt)}
.v-partial.chip,.cell.v-partial{background:var(--nt-bg);color:var(--nt-fg);border-color:var(--warn);border-style:dashed}
.v-manual.chip,.cell.v-manual{background:var(--man-bg);color:var(--man-fg);border-color:var(--man)}
.p-bad{background:var(--fail-bg);color:var(--fail-fg);border-color:var(--fail)}
.p-ok{background:var(--pass-bg);color:var(--pass-fg);border-color:var(--pass)}
.p-unknown{background:var(--nt-bg);color:var(--nt-fg);border-color:var(--nt)}
.sev{display:inline-block;border-radius:6px;padding:1px 9px;font-size:13px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;border:1px solid transparent}
.sev-critical.sev{background:#7a2e00;color:#fff}
.sev-high.sev{background:var(--fail-bg);color:var(--fail-fg);border-color:var(--fail)}
.sev-medium.sev{background:var(--warn-bg);color:var(--warn-fg);border-color:var(--warn)}
.sev-low.sev{background:var(--man-bg);color:var(--man-fg);border-color:var(--man)}
.sev-info.sev{background:var(--nt-bg);color:var(--nt-fg);border-color:var(--nt)}
.matrix-wrap{overflow-x:auto;background:var(--card);border:1px solid var(--line);border-radius:10px}
table{border-collapse:collapse}
.matrix{width:100%;font-size:12px;table-layout:fixed}
.matrix th,.matrix td{border:1px solid #fff;padding:6px 2px;text-align:center;vertical-align:middle}
.matrix thead th{background:#eef0f4;font-weight:600;line-height:1.2}
.matrix thead th .num{display:block;font-size:15px;font-weight:800}
.matrix thead th .short{display:block;color:var(--muted);font-weight:500}
.matrix th.corner{width:160px;text-align:left}
.matrix tbody th{text-align:left;font-size:14px;background:#fafbfc;overflow-wrap:anywhere}
.matrix tbody th small{display:block;font-weight:400}
.matrix td.cell{font-weight:600;line-height:1.2}
.matrix td .sym{display:block;font-size:15px}
.legend{list-style:none;padding:0;margin:12px 0;display:grid;gap:6px}
.legend li{display:grid;grid-template-columns:130px 1fr;gap:10px;align-items:start}
.legend .chip{text-align:center}
.device{background:var(--card);border:1px solid var(--line);border-left:8px solid var(--nt);border-radius:10px;padding:18px 22px;margin:18px 0;break-inside:avoid-page}
.device.v-fail{border-left-color:var(--fail)}.device.v-warn{border-left-color:var(--warn)}.device.v-pass{border-left-color:var(--pass)}
.device-head h3{font-size:22px;overflow-wrap:anywhere}
.device-head .idx{color:var(--muted)}
.device-state{margin:0 0 6px}
.ident{margin:4px 0 0;color:var(--muted);overflow-wrap:anywhere}
ol.findings{list-style:none;padding:0;margin:0}
.finding{border:1px solid var(--line);border-radius:8px;padding:12px 16px;margin:10px 0;break-inside:avoid}
.finding.s-fail{background:#fffaf7}
.finding.s-warn{background:#fffdf5}
.finding-head{margin:0}
.finding .plain{font-size:18px;font-weight:600;margin:6px 0;overflow-wrap:anywhere}
.why{margin:0 0 6px;color:var(--muted)}
.cred{margin:4px 0}
.fix{background:#f4f8fb;border-radius:6px;padding:8px 12px;margin:8px 0}
.fix p{margin:0}
ol.steps{margin:0;padding-left:22px}ol.steps li{margin:2px 0}
details{margin:8px 0}
details>summary{cursor:pointer;color:var(--accent);font-weight:600}
details.tech dl,dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:8px 0}
dt{font-weight:600;color:var(--muted)}dd{margin:0;overflow-wrap:anywhere}
.plainlist{padding-left:20px}.plainlist li{margin:4px 0}
.good{background:var(--pass-bg);color:var(--pass-fg);border-radius:6px;padding:10px 14px}
.unknown{background:var(--nt-bg);color:var(--nt-fg);border-radius:6px;padding:10px 14px}
.psti{margin-top:14px}
.psti ul{list-style:none;padding:0;margin:0;display:grid;gap:8px}
.psti .chip{min-width:96px;text-align:center;margin-right:6px}
.services{width:100%;font-size:14px;margin-top:8px}
.services th,.services td{border-bottom:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
ol.manual{list-style:none;padding:0}
.manual-item{background:var(--card);border:1px solid var(--line);border-left:6px solid var(--man);border-radius:8px;padding:12px 16px;margin:10px 0;break-inside:avoid}
.manual-item p{margin:4px 0}
.manual-item .who{color:var(--muted);font-size:14px}
ul.checks{list-style:none;padding:0;margin:6px 0 0}
ul.checks li{margin:4px 0;padding-left:28px;text-indent:-28px}
.box{display:inline-block;width:28px;text-indent:0;font-size:18px}
ul.guidelines{list-style:none;padding-left:0}ul.guidelines li{margin:6px 0}
.fine{color:var(--muted);font-size:14px}
footer{max-width:1100px;margin:0 auto;padding:0 24px 30px;color:var(--muted);font-size:13px}
@media (max-width:700px){header.top h1{font-size:24px}.matrix{table-layout:auto;min-width:900px}}
@media print{
 @page{margin:14mm}
 body{background:#fff;font-size:11pt}
 header.top{background:#fff;color:#000;padding:0 0 8px;border-bottom:2px solid #000}
 main{max-width:none;padding:0}
 a{color:inherit;text-decoration:none}
 .matrix-wrap{overflow:visible;border:0}
 .matrix{font-size:7pt}
 .matrix th.corner{width:26mm}
 .matrix tbody th{font-size:8pt}
 .matrix th,.matrix td{padding:3px 1px}
 .device,.finding,.manual-item,.tile{box-shadow:none}
 details:not(.evidence)>summary{color:#000}
 details:not(.evidence)::details-content{content-visibility:visible;display:contents}
 details.evidence{display:none}
 pre{max-height:none}
 *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`.trim();
