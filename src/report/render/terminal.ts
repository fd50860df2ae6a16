/**
 * Terminal report: summary first (devices, failing guidelines, the worst problems), then each
 * device worst first with its findings grouped by guideline, then what must be checked by hand.
 *
 * Every string goes through termSafe, so the only escape sequences in the output are the SGR
 * colour codes written here, and only when `options.color` is true (the CLI sets it for a TTY
 * without NO_COLOR). Our own text is plain ASCII, so the report reads the same in any terminal,
 * log file or e-mail.
 */
import type { DeviceResult, Finding, ScanResult, Severity, Verdict } from '../../model.js';
import { SEVERITIES } from '../../model.js';
import { clip, termSafe } from '../escape.js';
import {
  GUIDELINES, GUIDELINE_SHORT, VERDICT_LABEL, counts, credentialText, evidenceJson, failingGuidelines,
  findingsOf, formatDuration, formatTime, hasEvidence, identificationSources, identificationText, isProblem,
  manualChecklist, networkFindings, orderDevices, plainSentence, plural, portText, pstiLines, remediationSteps,
  notTestedGroups, reportTime, verdictOf, wasTested, type PstiState, type RenderOptions,
  partialPhrase, isPartial, reassessedSentence,
  notCheckedByChoice, SELF_NOT_CHECKED,
  deviceTitle,
} from './common.js';

const WIDTH = 100;

type Style = 'bold' | 'dim' | 'red' | 'green' | 'yellow' | 'blue' | 'magenta' | 'cyan' | 'boldred' | 'inverse';
const SGR: Record<Style, string> = {
  bold: '1', dim: '2', red: '31', green: '32', yellow: '33', blue: '34', magenta: '35', cyan: '36', boldred: '1;31', inverse: '7',
};

const SEVERITY_STYLE: Record<Severity, Style> = { critical: 'boldred', high: 'red', medium: 'yellow', low: 'cyan', info: 'dim' };
const VERDICT_STYLE: Record<Verdict, Style> = { fail: 'red', warn: 'yellow', partial: 'yellow', pass: 'green', not_tested: 'dim', manual: 'blue' };
const PSTI_STYLE: Record<PstiState, Style> = { bad: 'red', ok: 'green', unknown: 'dim' };
const PSTI_WORD: Record<PstiState, string> = { bad: 'PROBLEM', ok: 'ok', unknown: 'unknown' };

/** Untrusted text on one line, capped. */
function t(s: string, max = 200): string {
  return termSafe(clip(s, max));
}

/** Wrap our own (already safe) prose to the report width, with a hanging indent. */
function wrap(text: string, indent: string, first = indent): string[] {
  const words = text.split(' ');
  const lines: string[] = [];
  let line = first;
  let empty = true;
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > WIDTH) {
      lines.push(line);
      line = indent + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines;
}

export function renderTerminal(result: ScanResult, options: RenderOptions): string {
  const paint = (style: Style, s: string): string => (options.color ? `\x1b[${SGR[style]}m${s}\x1b[0m` : s);
  const out: string[] = [];
  const push = (...lines: string[]): void => void out.push(...lines);
  const heading = (s: string): void => push('', paint('bold', s), paint('dim', '-'.repeat(Math.min(WIDTH, s.length))));

  const devices = orderDevices(result);
  const c = counts(result);
  const failing = failingGuidelines(result);
  const run = result.run;

  // ---- header
  push(paint('bold', `iotcop ${t(result.tool.version, 40)} - security check of ${t(run.targets.join(', ') || 'no targets', 120)}`));
  push(`Scanned ${formatTime(run.startedAt)}, took ${formatDuration(run.durationMs)}; safety level "${t(run.options.safety, 20)}"; report of ${formatTime(reportTime(result, options))}`);
  if (run.partial) {
    push(paint('yellow', `! The scan stopped early (${t(run.stopReason ?? 'unknown reason', 40)}): results are incomplete.`));
  }
  const again = reassessedSentence(run);
  if (again) push(paint('yellow', `! ${t(again, 600)}`));
  for (const n of run.capabilities.notices.slice(0, 5)) push(paint('dim', `  note: ${t(n)}`));
  if (run.capabilities.notices.length > 5) push(paint('dim', `  note: ... and ${run.capabilities.notices.length - 5} more (see the JSON report)`));

  // ---- summary
  heading('SUMMARY');
  push(`  ${plural(devices.length, 'device')} found, ${plural(devices.reduce((n, d) => n + d.services.length, 0), 'open service')}.`);
  const concluded = result.findings.some((f) => ['fail', 'warn', 'pass', 'info'].includes(f.status));
  if (devices.length > 0 && !concluded) {
    push(`  ${paint('yellow', 'No check could run on any device,')} so this scan says nothing about their security.`);
  } else if (failing.length === 0) {
    push(`  ${paint('green', 'No guideline failed on any device.')} Automated checks can find problems but never prove a device secure.`);
  } else {
    push(`  ${paint('red', `${failing.length} of 13 guidelines failing`)} on at least one device:`);
    for (const g of failing) {
      const on = devices.filter((d) => verdictOf(d, g.id).verdict === 'fail').length;
      push(`    ${String(g.number).padStart(2)}. ${g.title} (${plural(on, 'device')})`);
    }
  }
  const sev = SEVERITIES.filter((s) => c.bySeverity[s] > 0).map((s) => paint(SEVERITY_STYLE[s], `${c.bySeverity[s]} ${s}`));
  push(`  ${plural(c.problems, 'problem')}${sev.length ? ` (${sev.join(', ')})` : ''}, ${plural(c.weaknesses, 'weakness', 'weaknesses')}, ${c.passed} checks without issues${partialPhrase(c)}, ${c.notTested} not tested.`);

  const worst = result.findings.filter((f) => f.status === 'fail').sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity));
  if (worst.length) {
    push('', '  The worst problems:');
    const byAddr = new Map(devices.map((d) => [d.address, d]));
    for (const f of worst.slice(0, 5)) {
      const d = byAddr.get(f.device);
      const who = d ? label(d) : 'several devices';
      push(`    ${badge(f.severity)} ${who}: ${t(plainSentence(f), 160)}`);
    }
    if (worst.length > 5) push(`    ... and ${worst.length - 5} more below.`);
  }

  function label(d: DeviceResult): string {
    const title = deviceTitle(d, 50);
    return title ? `${t(title, 120)} (${t(d.address, 45)})` : t(d.address, 45);
  }

  function badge(s: Severity): string {
    return paint(SEVERITY_STYLE[s], `[${s.toUpperCase()}]`.padEnd(10));
  }

  // ---- devices
  heading('DEVICES (worst first)');
  push(paint('dim', '  Guideline row: FAIL = problem found, warn = weakness, ok = no issues found, - = not tested, hand = check by hand.'));
  if (devices.length === 0) push('  No devices answered.');
  devices.forEach((d, i) => renderDevice(d, i + 1));

  function renderDevice(d: DeviceResult, n: number): void {
    push('', paint('bold', `${n}. ${label(d)}`));
    push(`   ${t(identificationText(d), 160)} (${t(identificationSources(d), 120)})`);
    const ids: string[] = [];
    if (d.mac) ids.push(`MAC ${t(d.mac, 40)}${d.macVendor ? ` (${t(d.macVendor, 60)})` : ''}${d.macRandomised ? ' (randomised)' : ''}`);
    if (d.hostnames.length) ids.push(`names: ${d.hostnames.slice(0, 5).map((h) => t(h, 60)).join(', ')}`);
    if (ids.length) push(`   ${ids.join('; ')}`);
    if (d.services.length) {
      push('   open services:');
      for (const s of d.services.slice(0, 30)) {
        const what = [s.name, s.product, s.version].filter((x): x is string => !!x).join(' ');
        const tls = s.tls?.enabled ? ' (TLS)' : '';
        const banner = s.banner ? `  banner "${t(s.banner, 60)}"` : '';
        push(`     ${`${s.port}/${s.transport}`.padEnd(10)}${t(what, 70)}${tls}${banner}`);
      }
      if (d.services.length > 30) push(`     ... and ${d.services.length - 30} more (see the JSON report)`);
    }
    if (d.unresponsive) push(paint('yellow', '   ! The device stopped answering during the scan; some checks did not run.'));

    // one line with all 13 verdicts
    const row = GUIDELINES.map((g) => {
      const v = verdictOf(d, g.id).verdict;
      return paint(VERDICT_STYLE[v], `${g.number}:${shortVerdict(v)}`);
    });
    push(`   guidelines  ${row.join(' ')}`);

    const findings = findingsOf(result, d.address);
    const problems = findings.filter(isProblem);
    const partials = findings.filter(isPartial);
    if (problems.length === 0) {
      if (partials.length > 0) push(`   ${paint('yellow', 'No problems found, but only partly checked')} (see below).`);
      else if (wasTested(result, d.address)) push(`   ${paint('green', 'No problems found')} by the checks that ran.`);
      else if (notCheckedByChoice(result, d)) { push(...wrap(SELF_NOT_CHECKED, '   ')); return; }
      else push(`   ${paint('yellow', 'No check could run on this device')}, so nothing is known about its security.`);
    }
    const shownUnder = new Map<string, number>();
    for (const g of GUIDELINES) {
      const v = verdictOf(d, g.id);
      const fs = problems.filter((f) => f.guidelines.includes(g.id));
      if (fs.length === 0) continue;
      push('', `   ${paint(VERDICT_STYLE[v.verdict], `${g.number}. ${g.title} - ${VERDICT_LABEL[v.verdict]}`)}`);
      for (const f of fs) {
        const first = shownUnder.get(f.id);
        if (first !== undefined) {
          push(`     ${badge(f.severity)} ${t(plainSentence(f), 160)} (see ${first}. above)`);
          continue;
        }
        shownUnder.set(f.id, g.number);
        renderFinding(f, '     ');
      }
    }
    if (partials.length > 0) {
      push('', `   ${paint('yellow', 'Partly checked:')}`);
      for (const f of partials) {
        push(`     ${t(f.title, 120)}${portText(f) ? ` on ${portText(f)}` : ''} [${t(f.check, 60)}]`);
        push(...wrap(t(f.description, 900), '       ', '       '));
      }
    }
    const groups = notTestedGroups(d);
    if (groups.length) {
      push('', `   ${paint('dim', 'Not tested:')}`);
      for (const grp of groups) {
        push(...wrap(paint('dim', `${t(grp.reason, 200)}`), '       ', '     '));
        push(...wrap(grp.guidelines.map((g) => `${g.number} ${GUIDELINE_SHORT[g.id]}`).join(', '), '       ', '       '));
      }
      const ids = new Set(d.guidelines.filter((g) => g.verdict === 'not_tested').flatMap((g) => g.findings));
      for (const f of findings.filter((x) => ids.has(x.id) && x.error)) {
        push(paint('dim', `     ${t(f.title, 80)}: ${t(f.error!.kind, 30)} - ${t(f.error!.message, 120)}`));
      }
    }
    push('', '   UK law (PSTI):');
    for (const l of pstiLines(d.psti)) {
      push(`     ${l.number}. ${l.title}: ${paint(PSTI_STYLE[l.state], PSTI_WORD[l.state])}`);
      push(...wrap(`${l.text}${l.value ? ` [${t(l.value, 120)}]` : ''}`, '        ', '        '));
    }
  }

  function renderFinding(f: Finding, indent: string): void {
    const where = portText(f);
    push(`${indent}${badge(f.severity)} ${f.status === 'warn' ? paint('yellow', '(weakness) ') : ''}${t(plainSentence(f), 160)}`);
    const more = indent + ' '.repeat(11);
    push(`${more}${paint('dim', `${t(f.title, 120)}${where ? ` on ${where}` : ''} [${t(f.check, 60)}]`)}`);
    if (f.credential) push(`${more}Credential: ${t(credentialText(f.credential), 160)}`);
    const steps = remediationSteps(f.remediation);
    if (steps.length === 1) push(...wrap(`Fix: ${t(steps[0]!, 400)}`, more + '     ', more));
    else if (steps.length > 1) {
      push(`${more}Fix:`);
      steps.forEach((s, i) => push(...wrap(`${i + 1}. ${t(s, 400)}`, more + '     ', `${more}  `)));
    }
    if (hasEvidence(f.evidence)) {
      push(paint('dim', `${more}Evidence: ${t(evidenceJson(f.evidence).replace(/\s+/g, ' '), 160)}`));
    }
  }

  // ---- run-scope findings
  const network = networkFindings(result).filter(isProblem);
  if (network.length) {
    heading('ACROSS SEVERAL DEVICES');
    for (const f of network) {
      push(`   ${f.guidelines.map((g) => g.replace('uk-cop-', '')).join(', ')}. ${GUIDELINES.find((g) => g.id === f.guidelines[0])?.title ?? ''}`);
      renderFinding(f, '     ');
    }
  }

  // ---- manual checklist
  const manual = manualChecklist(result);
  if (manual.length) {
    heading('CHECK BY HAND');
    push('  A network scan cannot decide these. Look at the device, its settings, box, manual or the maker\'s website:');
    for (const item of manual) {
      const which = item.allDevices ? 'all devices' : item.devices.map(label).join(', ');
      const why = item.kind === 'manual' ? '' : ' - not tested by this scan';
      push('', `  ${String(item.guideline.number).padStart(2)}. ${item.guideline.title} (${which})${why}`);
      for (const check of item.guideline.manualChecks) push(...wrap(`[ ] ${check}`, '          ', '      '));
    }
  }

  // ---- errors and skipped work
  if (result.errors.length || result.skipped.length) {
    heading('NOT EVERYTHING RAN');
    for (const e of result.errors.slice(0, 20)) {
      push(`  error  ${t(e.source, 40)}${e.device ? ` on ${t(e.device, 40)}` : ''}: ${t(e.kind, 30)} - ${t(e.message, 160)}`);
    }
    if (result.errors.length > 20) push(`  ... and ${result.errors.length - 20} more errors (see the JSON report).`);
    for (const s of result.skipped.slice(0, 20)) {
      push(`  skipped ${t(s.probe, 40)}${s.device ? ` on ${t(s.device, 40)}` : ''}${s.port !== undefined ? ` port ${s.port}/${s.transport ?? 'tcp'}` : ''}: ${t(s.reason, 30)}${s.detail ? ` (${t(s.detail, 120)})` : ''}`);
    }
    if (result.skipped.length > 20) push(`  ... and ${result.skipped.length - 20} more skipped (see the JSON report).`);
  }

  push('', paint('dim', 'Guidelines: UK Code of Practice for Consumer IoT Security (ETSI EN 303 645). A scan can show problems; it cannot prove a device secure.'));
  return `${out.join('\n')}\n`;
}

function shortVerdict(v: Verdict): string {
  switch (v) {
    case 'fail': return 'FAIL';
    case 'warn': return 'warn';
    case 'partial': return 'part';
    case 'pass': return 'ok';
    case 'not_tested': return '-';
    case 'manual': return 'hand';
  }
}
