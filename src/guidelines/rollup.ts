/**
 * Roll-up (pure; GUIDELINES.md): per device and guideline, any failed check → fail; else any warning → warn;
 * else any check only partly done (`partial`: a password check that had to skip likely candidates) → partial
 * ("partly checked", never "no issues"); else at least one check ran without a violation (pass or info) → pass ("no issues found" — a scan can show
 * non-conformance, never conformance); else applicable checks errored or were not run → not_tested;
 * guidelines no network check can decide → manual, with the evidence a person should look for.
 */
import type { DeviceConfig } from '../probes/contract.js';
import {
  type CheckStatus, type DeviceResult, type Finding, type GuidelineVerdict, type PstiStatus, type Safety,
  type Severity, type Summary, CHECK_STATUSES, SEVERITIES, severityRank,
} from '../model.js';
import { GUIDELINES } from './catalogue.js';

export interface RollUpOptions {
  safety: Safety;
  partial?: boolean;
  /** Why nothing on this device was checked (the computer running iotcop): every guideline is not_tested with it. */
  notChecked?: string;
}

export function rollUp(findings: Finding[], options: RollUpOptions): GuidelineVerdict[] {
  const { notChecked } = options;
  if (notChecked !== undefined && findings.length === 0) {
    return GUIDELINES.map((g): GuidelineVerdict => ({ id: g.id, verdict: 'not_tested', findings: [], reason: notChecked }));
  }
  return GUIDELINES.map((g): GuidelineVerdict => {
    const mine = findings.filter((f) => f.guidelines.includes(g.id));
    const ids = (...s: CheckStatus[]) => mine.filter((f) => s.includes(f.status)).map((f) => f.id);
    const fails = ids('fail');
    if (fails.length) return { id: g.id, verdict: 'fail', findings: fails };
    const warns = ids('warn');
    if (warns.length) return { id: g.id, verdict: 'warn', findings: warns };
    const partial = ids('partial');
    if (partial.length) {
      return { id: g.id, verdict: 'partial', findings: partial, reason: 'Some checks could only be partly done (see what was skipped and how to finish them).' };
    }
    const passes = ids('pass', 'info');
    if (passes.length) return { id: g.id, verdict: 'pass', findings: passes };
    if (g.id === 'uk-cop-2' && mine.length > 0 && mine.every((f) => f.status === 'not_applicable')) {
      // No security.txt on the device is not a violation: the policy may be on the vendor's website.
      return { id: g.id, verdict: 'manual', findings: [], reason: 'The device publishes no security.txt: look for the vendor\'s vulnerability disclosure policy on its website.' };
    }
    if (g.testability === 'manual') {
      return { id: g.id, verdict: 'manual', findings: [], reason: 'A network scan cannot assess this guideline; see the checklist of what to verify by hand.' };
    }
    const problems = ids('error', 'not_tested');
    if (problems.length) {
      return { id: g.id, verdict: 'not_tested', findings: problems, reason: 'The checks for this guideline could not complete (see the errors).' };
    }
    if (g.testability === 'intrusive-only' && options.safety !== 'intrusive') {
      return { id: g.id, verdict: 'not_tested', findings: [], reason: 'Tested only at the intrusive safety level (--safety intrusive).' };
    }
    return {
      id: g.id, verdict: 'not_tested', findings: [],
      reason: options.partial ? 'The scan stopped before checks for this guideline ran.' : 'No check for this guideline applies to the services this device exposes.',
    };
  });
}

export function pstiStatus(verdicts: GuidelineVerdict[], findings: Finding[], config: DeviceConfig | undefined, now: Date): PstiStatus {
  const g1 = verdicts.find((v) => v.id === 'uk-cop-1');
  // PSTI requirement 2 is judged from whatever checks map to its guideline (the catalogue's psti number 2),
  // not from one probe by name: today that is security-txt, tomorrow any disclosure check.
  const disclosureGuideline = GUIDELINES.find((g) => g.psti?.number === 2)?.id;
  const sec = findings.filter((f) => disclosureGuideline !== undefined && f.guidelines.includes(disclosureGuideline));
  const psti: PstiStatus = {
    noUniversalDefaultPassword: g1?.verdict === 'fail' ? 'violated'
      : g1?.verdict === 'pass' || g1?.verdict === 'warn' ? 'no-issue-found'
        : g1?.verdict === 'partial' ? 'partly-tested' : 'not-tested',
    disclosurePolicy: 'unknown',
    supportPeriod: 'unknown',
  };
  if (sec.some((f) => f.status === 'pass')) psti.disclosurePolicy = 'found';
  else if (config?.disclosureUrl) psti.disclosurePolicy = 'configured';
  else if (sec.some((f) => f.status === 'fail' || f.status === 'warn')) psti.disclosurePolicy = 'invalid';
  if (config?.disclosureUrl) psti.disclosurePolicyUrl = config.disclosureUrl;
  if (config?.supportEnd) {
    psti.supportPeriodEnd = config.supportEnd;
    psti.supportPeriod = Date.parse(`${config.supportEnd}T23:59:59Z`) < now.getTime() ? 'ended' : 'date';
  }
  return psti;
}

export function summarise(devices: DeviceResult[], findings: Finding[]): Summary {
  const byStatus = Object.fromEntries(CHECK_STATUSES.map((s) => [s, 0])) as Record<CheckStatus, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  let worst: Severity | null = null;
  for (const f of findings) {
    byStatus[f.status]++;
    if (f.status === 'fail' || f.status === 'warn') bySeverity[f.severity]++;
    if (f.status === 'fail' && (worst === null || severityRank(f.severity) > severityRank(worst))) worst = f.severity;
  }
  const failing = GUIDELINES.filter((g) => devices.some((d) => d.guidelines.some((v) => v.id === g.id && v.verdict === 'fail'))).map((g) => g.id);
  return {
    devices: devices.length,
    services: devices.reduce((n, d) => n + d.services.length, 0),
    findings: byStatus,
    bySeverity,
    failingGuidelines: failing,
    worst,
  };
}
