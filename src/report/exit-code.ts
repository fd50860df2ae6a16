/**
 * The scan's exit code for gating (--fail-on). Pure: the CLI calls it and exits.
 *
 * 1 when at least one finding has status `fail` and a severity at or above `failOn`; 0 otherwise,
 * and always 0 for 'never'. Warnings (`warn`) never count: they are weaknesses short of a
 * violation, and a scheduled job should not fail on them. Findings with status error or
 * not_tested do not count either: a check that could not run is not a problem found (the run's
 * `partial` flag and errors are reported separately).
 */
import { severityRank, type ScanResult, type Severity } from '../model.js';

export type FailOn = Severity | 'never';

export function exitCodeFor(result: ScanResult, failOn: FailOn): 0 | 1 {
  if (failOn === 'never') return 0;
  const threshold = severityRank(failOn);
  return result.findings.some((f) => f.status === 'fail' && severityRank(f.severity) >= threshold) ? 1 : 0;
}
