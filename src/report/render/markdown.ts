/**
 * Markdown report, for a ticket or a pull request (GitHub-flavoured: tables, task lists,
 * <details>). Device text goes through mdInline (punctuation escaped, no raw HTML, no mentions or
 * autolinks), mdCode (a code span whose fence the text cannot close) or mdFence (a fenced block
 * longer than any backtick run inside). The only raw HTML is our own <details>/<summary>.
 */
import { SEVERITIES, type DeviceResult, type Finding, type ScanResult, type Verdict } from '../../model.js';
import { clip, mdCode, mdFence, mdInline } from '../escape.js';
import {
  GUIDELINES, SEVERITY_LABEL, VERDICT_LABEL, counts, credentialText, evidenceJson, failingGuidelines, findingsOf,
  formatDuration, formatTime, guideline, hasEvidence, identificationSources, identificationText, isProblem,
  manualChecklist, networkFindings, notTestedGroups, orderDevices, plainSentence, plural, portText, pstiLines,
  remediationSteps, verdictOf, wasTested, type PstiState, type RenderOptions,
  partialPhrase, isPartial, reassessedSentence,
  notCheckedByChoice, SELF_NOT_CHECKED,
  deviceTitle,
} from './common.js';

const VERDICT_MARK: Record<Verdict, string> = { fail: '❌', warn: '⚠️', partial: '◐', pass: '✅', not_tested: '➖', manual: '✍️' };
const PSTI_MARK: Record<PstiState, string> = { bad: '❌', ok: '✅', unknown: '❔' };

/** Untrusted text, one line, capped. */
function m(s: string, max = 200): string {
  return mdInline(clip(s, max));
}

function c(s: string, max = 200, table = false): string {
  return mdCode(clip(s, max), { table });
}

function deviceName(d: DeviceResult, table = false): string {
  const title = deviceTitle(d);
  return title ? `${m(title, 150)} (${c(d.address, 45, table)})` : c(d.address, 45, table);
}

function renderFinding(f: Finding, out: string[]): void {
  const where = portText(f);
  const label = `${f.status === 'warn' ? 'Weakness' : 'Problem'}, ${SEVERITY_LABEL[f.severity].toLowerCase()}`;
  out.push(`**${f.status === 'warn' ? VERDICT_MARK.warn : VERDICT_MARK.fail} ${label}:** ${m(plainSentence(f), 400)}`, '');
  const facts = [
    `- Guidelines: ${f.guidelines.map((g) => `${guideline(g).number}. ${m(guideline(g).title)}`).join('; ')}`,
    `- Check ${c(f.check, 80)}${where ? ` on ${where}` : ''}: ${m(f.title, 300)}`,
  ];
  if (f.credential) facts.push(`- Login that worked: ${c(credentialText(f.credential), 200)}`);
  out.push(...facts, '');
  const steps = remediationSteps(f.remediation);
  if (steps.length === 1) out.push(`How to fix it: ${m(steps[0]!, 600)}`, '');
  else if (steps.length > 1) out.push('How to fix it:', '', ...steps.map((s, i) => `${i + 1}. ${m(s, 600)}`), '');
  if (hasEvidence(f.evidence)) {
    out.push('<details><summary>Evidence</summary>', '', mdFence(evidenceJson(f.evidence, 4000), 'json'), '', '</details>', '');
  }
}

export function renderMarkdown(result: ScanResult, _options: RenderOptions): string {
  const devices = orderDevices(result);
  const n = counts(result);
  const failing = failingGuidelines(result);
  const run = result.run;
  const out: string[] = [];

  out.push(`# iotcop report: ${plural(devices.length, 'device')}, ${plural(n.problems, 'problem')}`, '');
  out.push(`Scanned ${run.targets.map((t) => c(t, 100)).join(', ') || 'nothing'} on ${formatTime(run.startedAt)} (took ${formatDuration(run.durationMs)}, safety level ${c(run.options.safety, 20)}).`, '');
  const again = reassessedSentence(run);
  if (again) out.push(`> ${m(again, 600)}`, '');
  if (run.partial) out.push(`> **The scan stopped early (${m(run.stopReason ?? 'unknown reason', 40)}): this report is incomplete.**`, '');

  out.push('## Summary', '');
  out.push(`- **${plural(devices.length, 'device')}** found, ${plural(devices.reduce((k, d) => k + d.services.length, 0), 'open service')}.`);
  out.push(failing.length
    ? `- **${failing.length} of 13 guidelines failing** on at least one device: ${failing.map((g) => `${g.number}. ${m(g.title)}`).join('; ')}.`
    : '- **No guideline failed** on any device. A scan can find problems but cannot prove a device secure.');
  const sev = SEVERITIES.filter((s) => n.bySeverity[s] > 0).map((s) => `${n.bySeverity[s]} ${s}`);
  out.push(`- **${plural(n.problems, 'problem')}**${sev.length ? ` (${sev.join(', ')})` : ''}, ${plural(n.weaknesses, 'weakness', 'weaknesses')}, ${n.passed} checks without issues${partialPhrase(n)}, ${n.notTested} not tested.`, '');

  const byAddr = new Map(devices.map((d) => [d.address, d]));
  const worst = result.findings.filter((f) => f.status === 'fail')
    .sort((a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity)).slice(0, 5);
  if (worst.length) {
    out.push('### Most serious problems', '');
    worst.forEach((f, i) => {
      const d = byAddr.get(f.device);
      out.push(`${i + 1}. **${SEVERITY_LABEL[f.severity]}**: ${d ? deviceName(d) : 'several devices'}: ${m(plainSentence(f), 300)}`);
    });
    out.push('');
  }

  if (devices.length) {
    out.push('## Overview', '');
    out.push(`| Device | ${GUIDELINES.map((g) => String(g.number)).join(' | ')} |`);
    out.push(`| --- | ${GUIDELINES.map(() => ':-:').join(' | ')} |`);
    for (const d of devices) {
      out.push(`| ${deviceName(d, true)} | ${GUIDELINES.map((g) => VERDICT_MARK[verdictOf(d, g.id).verdict]).join(' | ')} |`);
    }
    out.push('');
    out.push(`${(['fail', 'warn', 'partial', 'pass', 'not_tested', 'manual'] as const).map((v) => `${VERDICT_MARK[v]} ${VERDICT_LABEL[v].toLowerCase()}`).join(' · ')}`, '');
    out.push(`Guidelines (UK Code of Practice for Consumer IoT Security, ETSI EN 303 645): ${GUIDELINES.map((g) => `${g.number}. ${m(g.title)}`).join('; ')}.`, '');
  }

  out.push('## Devices, most urgent first', '');
  if (devices.length === 0) out.push('No devices answered.', '');
  devices.forEach((d, i) => {
    out.push(`### ${i + 1}. ${deviceName(d)}`, '');
    out.push(`${m(identificationText(d), 300)}; ${m(identificationSources(d), 200)}.`, '');
    if (d.unresponsive) out.push('> The device stopped answering during the scan; some checks did not run.', '');
    const findings = findingsOf(result, d.address);
    const problems = findings.filter(isProblem);
    const partials = findings.filter(isPartial);
    if (problems.length === 0) {
      out.push(partials.length > 0 ? 'No problems found, but some checks were only partly done (below).' : wasTested(result, d.address)
        ? 'No problems found by the checks that ran.'
        : notCheckedByChoice(result, d) ? SELF_NOT_CHECKED : 'No check could run on this device, so nothing is known about its security.', '');
    }
    if (notCheckedByChoice(result, d)) return;
    for (const f of problems) renderFinding(f, out);
    if (partials.length > 0) {
      out.push('**Partly checked:**', '');
      for (const f of partials) out.push(`- ${VERDICT_MARK.partial} ${m(f.title, 200)}${portText(f) ? ` (${m(portText(f), 40)})` : ''}: ${m(f.description, 1200)}`);
      out.push('');
    }
    const groups = notTestedGroups(d);
    if (groups.length) {
      out.push('**Not tested:**', '');
      for (const grp of groups) {
        out.push(`- ${grp.guidelines.map((g) => `**${g.number}.** ${m(g.title)}`).join('; ')}: ${m(grp.reason, 300)}`);
      }
      out.push('');
    }
    out.push('**UK law (PSTI):**', '');
    for (const l of pstiLines(d.psti)) {
      out.push(`- ${PSTI_MARK[l.state]} ${l.number}. ${m(l.title)}: ${m(l.text, 400)}${l.value ? ` ${c(l.value, 200)}` : ''}`);
    }
    out.push('');
  });

  const network = networkFindings(result).filter(isProblem);
  if (network.length) {
    out.push('## Across several devices', '');
    for (const f of network) renderFinding(f, out);
  }

  const manual = manualChecklist(result);
  if (manual.length) {
    out.push('## Check by hand', '', 'A network scan cannot decide these; look at the device, its settings, manual or the maker\'s website.', '');
    for (const item of manual) {
      const who = item.allDevices ? 'all devices' : item.devices.map((d) => deviceName(d)).join(', ');
      out.push(`**${item.guideline.number}. ${m(item.guideline.title)}** (${who}${item.kind === 'not_tested' ? '; not tested by this scan' : ''})`, '');
      for (const check of item.guideline.manualChecks) out.push(`- [ ] ${m(check, 600)}`);
      out.push('');
    }
  }

  if (result.errors.length || result.skipped.length) {
    out.push('## Not everything ran', '');
    for (const e of result.errors.slice(0, 50)) {
      out.push(`- Error in ${c(e.source, 60)}${e.device ? ` on ${c(e.device, 45)}` : ''}: ${m(e.kind, 30)}: ${m(e.message, 300)}`);
    }
    for (const s of result.skipped.slice(0, 50)) {
      out.push(`- Skipped ${c(s.probe, 60)}${s.device ? ` on ${c(s.device, 45)}` : ''}${s.port !== undefined ? ` port ${s.port}/${s.transport ?? 'tcp'}` : ''}: ${m(s.reason, 30)}${s.detail ? ` (${m(s.detail, 200)})` : ''}`);
    }
    const more = Math.max(0, result.errors.length - 50) + Math.max(0, result.skipped.length - 50);
    if (more) out.push(`- … and ${more} more in the JSON report.`);
    out.push('');
  }

  out.push(`<sub>iotcop ${m(result.tool.version, 40)}, run ${c(run.id, 80)}. A scan can show problems; it cannot prove a device secure.</sub>`);
  return `${out.join('\n')}\n`;
}
