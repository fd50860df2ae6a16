import { describe, expect, it } from '@jest/globals';
import { exitCodeFor } from '../../src/report/exit-code.js';
import type { Finding, ScanResult, Severity } from '../../src/report/model.js';
import { emptyResult, richResult } from './fixtures/rich-result.js';

function withFindings(findings: Partial<Finding>[]): ScanResult {
  const base = richResult().findings[0]!;
  return { ...emptyResult(), findings: findings.map((f, i) => ({ ...base, id: `f${i}`, ...f })) };
}

describe('exitCodeFor', () => {
  it('fails when a failed finding reaches the threshold', () => {
    const r = withFindings([{ status: 'fail', severity: 'medium' }]);
    const expected: Record<Severity, 0 | 1> = { critical: 0, high: 0, medium: 1, low: 1, info: 1 };
    for (const [level, code] of Object.entries(expected)) expect(exitCodeFor(r, level as Severity)).toBe(code);
  });

  it('never fails with "never", nor on an empty scan', () => {
    expect(exitCodeFor(richResult(), 'never')).toBe(0);
    expect(exitCodeFor(emptyResult(), 'info')).toBe(0);
  });

  it('does not count warnings, errors, passes or untested checks', () => {
    const r = withFindings(['warn', 'error', 'pass', 'info', 'not_tested', 'not_applicable'].map((status) => ({ status: status as Finding['status'], severity: 'critical' })));
    expect(exitCodeFor(r, 'info')).toBe(0);
  });

  it('gates the rich fixture at its worst failure (critical)', () => {
    expect(exitCodeFor(richResult(), 'critical')).toBe(1);
    expect(exitCodeFor(richResult(), 'high')).toBe(1);
  });
});
