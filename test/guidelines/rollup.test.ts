import { describe, expect, it } from '@jest/globals';
import { GUIDELINES, GUIDELINE_IDS, MANUAL_GUIDELINES, isProvision } from '../../src/guidelines/catalogue.js';
import { pstiStatus, rollUp } from '../../src/guidelines/rollup.js';
import type { CheckStatus, Finding, GuidelineId } from '../../src/report/model.js';

let n = 0;
function finding(status: CheckStatus, guidelines: GuidelineId[], check = 'c'): Finding {
  n++;
  return {
    id: n.toString(16).padStart(16, '0'), check, probe: 'p', device: '10.0.0.1', status, severity: 'high', confidence: 'high',
    title: 't', description: 'd', remediation: 'r', guidelines, provisions: [], evidence: null,
  };
}
const verdictOf = (fs: Finding[], id: GuidelineId, safety: 'safe' | 'credentials' | 'intrusive' = 'credentials') =>
  rollUp(fs, { safety }).find((v) => v.id === id)!;

describe('guideline catalogue', () => {
  it('has the 13 guidelines in order, with provisions and the three PSTI requirements', () => {
    expect(GUIDELINE_IDS).toEqual(Array.from({ length: 13 }, (_, i) => `uk-cop-${i + 1}`));
    expect(GUIDELINES.filter((g) => g.psti).map((g) => [g.id, g.psti!.number])).toEqual([['uk-cop-1', 1], ['uk-cop-2', 2], ['uk-cop-3', 3]]);
    expect(MANUAL_GUIDELINES).toEqual(['uk-cop-7', 'uk-cop-9', 'uk-cop-10', 'uk-cop-11', 'uk-cop-12']);
    for (const g of GUIDELINES) {
      expect(g.manualChecks.length).toBeGreaterThan(0);
      for (const p of g.psti?.provisions ?? []) expect(g.provisions).toContain(p);
    }
    expect(isProvision('5.1-1')).toBe(true);
    expect(isProvision('5.3-13')).toBe(true);
    expect(isProvision('5.1-9')).toBe(false);
  });
});

describe('rollUp', () => {
  it('fail beats warn beats pass', () => {
    const fs = [finding('pass', ['uk-cop-5']), finding('warn', ['uk-cop-5']), finding('fail', ['uk-cop-5'])];
    const v = verdictOf(fs, 'uk-cop-5');
    expect(v.verdict).toBe('fail');
    expect(v.findings).toEqual([fs[2]!.id]);
    expect(verdictOf(fs.slice(0, 2), 'uk-cop-5').verdict).toBe('warn');
    expect(verdictOf(fs.slice(0, 1), 'uk-cop-5').verdict).toBe('pass');
  });

  it('an error is never a pass: errored checks alone give not_tested', () => {
    const v = verdictOf([finding('error', ['uk-cop-1'])], 'uk-cop-1');
    expect(v.verdict).toBe('not_tested');
    expect(v.findings).toHaveLength(1);
  });

  it('info counts as a check that ran without a violation', () => {
    expect(verdictOf([finding('info', ['uk-cop-6'])], 'uk-cop-6').verdict).toBe('pass');
  });

  it('not_applicable alone leaves the guideline not_tested with a reason', () => {
    const v = verdictOf([finding('not_applicable', ['uk-cop-8'])], 'uk-cop-8');
    expect(v.verdict).toBe('not_tested');
    expect(v.reason).toMatch(/No check/);
  });

  it('manual guidelines are manual, and 13 is tested only when intrusive', () => {
    expect(verdictOf([], 'uk-cop-7').verdict).toBe('manual');
    expect(verdictOf([], 'uk-cop-13').reason).toMatch(/intrusive/);
    expect(verdictOf([], 'uk-cop-13', 'intrusive').reason).not.toMatch(/--safety intrusive/);
  });

  it('guideline 2 is manual, not a fail, when the device simply has no security.txt', () => {
    const v = verdictOf([finding('not_applicable', ['uk-cop-2'], 'security-txt')], 'uk-cop-2');
    expect(v.verdict).toBe('manual');
    expect(v.reason).toMatch(/vendor/);
    expect(verdictOf([finding('warn', ['uk-cop-2'], 'security-txt')], 'uk-cop-2').verdict).toBe('warn');
  });

  it('a device that was not checked at all (this computer) is not_tested everywhere with the reason, never manual or pass', () => {
    const v = rollUp([], { safety: 'credentials', notChecked: 'This is the computer running iotcop.' });
    expect(v.map((x) => x.id)).toEqual(GUIDELINE_IDS);
    expect(v.every((x) => x.verdict === 'not_tested' && x.reason === 'This is the computer running iotcop.')).toBe(true);
    expect(rollUp([], { safety: 'credentials' }).some((x) => x.verdict === 'manual')).toBe(true);
  });

  it('covers all 13 guidelines for every device', () => {
    expect(rollUp([], { safety: 'safe' }).map((v) => v.id)).toEqual(GUIDELINE_IDS);
  });
});

describe('pstiStatus', () => {
  const now = new Date('2026-11-25T12:00:00Z');
  it('derives the three PSTI requirements', () => {
    const fail1 = rollUp([finding('fail', ['uk-cop-1'])], { safety: 'credentials' });
    const sec = finding('pass', ['uk-cop-2'], 'security-txt');
    const p = pstiStatus(fail1, [sec], { supportEnd: '2025-01-01' }, now);
    expect(p).toEqual({ noUniversalDefaultPassword: 'violated', disclosurePolicy: 'found', supportPeriod: 'ended', supportPeriodEnd: '2025-01-01' });
    const none = pstiStatus(rollUp([], { safety: 'safe' }), [], { disclosureUrl: 'https://v.example/sec', supportEnd: '2030-01-01' }, now);
    expect(none).toMatchObject({ noUniversalDefaultPassword: 'not-tested', disclosurePolicy: 'configured', supportPeriod: 'date' });
    expect(pstiStatus(rollUp([], { safety: 'safe' }), [finding('fail', ['uk-cop-2'], 'security-txt')], undefined, now).disclosurePolicy).toBe('invalid');
    // Any check of guideline 2 counts, whatever its name; a passing check of another guideline does not.
    expect(pstiStatus(rollUp([], { safety: 'safe' }), [finding('pass', ['uk-cop-2'], 'vendor-disclosure-page')], undefined, now).disclosurePolicy).toBe('found');
    expect(pstiStatus(rollUp([], { safety: 'safe' }), [finding('pass', ['uk-cop-5'], 'security-txt')], undefined, now).disclosurePolicy).toBe('unknown');
  });
});
