/**
 * JUnit XML, for CI systems that show test results: one <testsuite> per device, one <testcase>
 * per guideline (13 per device).
 *
 * Verdict → test outcome:
 *   fail        → <failure> listing the problems and how to fix them
 *   warn        → passes, with the weaknesses in <system-out>: a weakness falls short of breaking
 *                 the guideline, and a CI gate should not go red on it (the CLI's --fail-on and
 *                 exit code are the place to be stricter)
 *   pass        → passes
 *   not_tested  → <skipped message="not tested: …">
 *   partial     → <skipped message="partly checked: …"> with the findings (what was skipped, how to finish)
 *   manual      → <skipped message="manual">, with what to check by hand
 * Findings about the network as a whole (several devices) get their own suite.
 * Every string goes through xmlEscape/xmlText, which also removes what XML 1.0 forbids.
 */
import type { Finding, GuidelineId, ScanResult, Verdict } from '../../model.js';
import { clip, xmlEscape, xmlText } from '../escape.js';
import {
  GUIDELINES, SEVERITY_LABEL, credentialText, deviceLabel, findingsOf, isProblem, networkFindings, orderDevices,
  plainSentence, portText, remediationSteps, verdictOf, type Guideline, type RenderOptions,
} from './common.js';

interface Case {
  name: string;
  classname: string;
  verdict: Verdict;
  findings: Finding[];
  reason?: string;
  guideline: Guideline;
}

function findingText(f: Finding): string {
  const lines = [`[${SEVERITY_LABEL[f.severity].toUpperCase()}${f.status === 'warn' ? ', weakness' : ''}] ${plainSentence(f)}`];
  const where = portText(f);
  lines.push(`  ${f.title}${where ? ` (${where})` : ''} [${f.check}] finding ${f.id}`);
  if (f.credential) lines.push(`  Login that worked: ${credentialText(f.credential)}`);
  const steps = remediationSteps(f.remediation);
  if (steps.length) lines.push('  How to fix it:', ...steps.map((s, i) => `    ${i + 1}. ${s}`));
  return lines.map((l) => clip(l, 2000)).join('\n');
}

function renderCase(c: Case): string {
  const open = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="0"`;
  switch (c.verdict) {
    case 'fail': {
      const fails = c.findings.filter((f) => f.status === 'fail');
      const first = fails[0] ?? c.findings[0];
      const message = first ? plainSentence(first) : 'A check found a violation.';
      const body = c.findings.map(findingText).join('\n\n');
      return `${open}>\n      <failure message="${xmlEscape(clip(message, 500))}" type="${xmlEscape(first?.severity ?? 'fail')}">${xmlText(body)}</failure>\n    </testcase>`;
    }
    case 'warn':
      return `${open}>\n      <system-out>${xmlText(`Weaknesses (not failures):\n\n${c.findings.map(findingText).join('\n\n')}`)}</system-out>\n    </testcase>`;
    case 'not_tested':
      return `${open}>\n      <skipped message="${xmlEscape(clip(`not tested: ${c.reason ?? 'no applicable check ran'}`, 500))}"/>\n    </testcase>`;
    case 'partial':
      return `${open}>\n      <skipped message="${xmlEscape(clip(`partly checked: ${c.reason ?? 'part of the check was skipped'}`, 500))}">${xmlText(c.findings.map(findingText).join('\n\n'))}</skipped>\n    </testcase>`;
    case 'manual':
      return `${open}>\n      <skipped message="manual">${xmlText(`A network scan cannot assess this guideline. Check by hand:\n${c.guideline.manualChecks.map((m) => `- ${m}`).join('\n')}`)}</skipped>\n    </testcase>`;
    case 'pass':
      return `${open}/>`;
  }
}

function suite(name: string, cases: Case[], timestamp: string, hostname: string): string {
  const failures = cases.filter((c) => c.verdict === 'fail').length;
  const skipped = cases.filter((c) => c.verdict === 'not_tested' || c.verdict === 'partial' || c.verdict === 'manual').length;
  return `  <testsuite name="${xmlEscape(name)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}" timestamp="${xmlEscape(timestamp)}" time="0" hostname="${xmlEscape(hostname)}">\n${cases.map(renderCase).join('\n')}\n  </testsuite>`;
}

function caseName(g: Guideline): string {
  return `${g.id} ${g.title}`;
}

export function renderJunit(result: ScanResult, _options: RenderOptions): string {
  // JUnit's timestamp is an ISO 8601 date-time without a zone; ours are UTC.
  const timestamp = result.run.startedAt.slice(0, 19);
  const suites: string[] = [];
  let tests = 0;
  let failures = 0;
  let skipped = 0;
  const count = (cases: Case[]): void => {
    tests += cases.length;
    failures += cases.filter((c) => c.verdict === 'fail').length;
    skipped += cases.filter((c) => c.verdict === 'not_tested' || c.verdict === 'partial' || c.verdict === 'manual').length;
  };

  for (const d of orderDevices(result)) {
    const classname = `iotcop.device_${d.address.replace(/[^0-9A-Za-z]/g, '_')}`;
    const findings = findingsOf(result, d.address).filter(isProblem);
    const cases: Case[] = GUIDELINES.map((g) => {
      const v = verdictOf(d, g.id);
      return {
        name: caseName(g), classname, verdict: v.verdict, guideline: g,
        findings: findings.filter((f) => f.guidelines.includes(g.id) && (v.verdict === 'fail' || f.status === v.verdict)),
        ...(v.reason ? { reason: v.reason } : {}),
      };
    });
    count(cases);
    suites.push(suite(deviceLabel(d), cases, timestamp, d.address));
  }

  const network = networkFindings(result).filter(isProblem);
  if (network.length) {
    const ids = new Set<GuidelineId>(network.flatMap((f) => f.guidelines));
    const cases: Case[] = GUIDELINES.filter((g) => ids.has(g.id)).map((g) => {
      const fs = network.filter((f) => f.guidelines.includes(g.id));
      return { name: caseName(g), classname: 'iotcop.network', verdict: fs.some((f) => f.status === 'fail') ? 'fail' : 'warn', guideline: g, findings: fs };
    });
    count(cases);
    suites.push(suite('Across several devices', cases, timestamp, 'network'));
  }

  const time = (Math.max(0, result.run.durationMs) / 1000).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="iotcop" tests="${tests}" failures="${failures}" errors="0" skipped="${skipped}" time="${time}">\n${suites.join('\n')}\n</testsuites>\n`;
}
