/* eslint-disable no-control-regex -- these tests look for control characters on purpose */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type * as Sarif from 'sarif';
import { GUIDELINE_IDS } from '../../src/guidelines/catalogue.js';
import { FINGERPRINT_KEY, SARIF_DEVICES_ARTIFACT, TAXONOMY_NAME, pathToUri, renderSarif, sarifDeviceListing } from '../../src/report/render/sarif.js';
import { HOSTILE_NAME, emptyResult, richResult } from './fixtures/rich-result.js';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const opts = { color: false, now: new Date('2024-05-01T15:00:00Z') };

/**
 * The SARIF 2.1.0 schema that @microsoft/jest-sarif ships is draft-04 (`$schema` draft-04, `id`
 * instead of `$id`). Ajv 8 has no draft-04 mode, and the schema uses no draft-04-only keyword
 * (no boolean exclusiveMinimum/Maximum), so it is loaded as draft-07 with `id` renamed `$id`.
 * One of its patterns (`language`) is not valid with the `u` flag, hence unicodeRegExp: false.
 */
function sarifValidator(): ValidateFunction {
  const path = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  expect(raw.$schema).toBe('http://json-schema.org/draft-04/schema#');
  const { id, ...rest } = raw;
  const schema = { ...rest, $schema: 'http://json-schema.org/draft-07/schema#', $id: id };
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(schema as object);
}

const validate = sarifValidator();

function parse(text: string): Sarif.Log {
  return JSON.parse(text) as Sarif.Log;
}

describe('SARIF', () => {
  const log = parse(renderSarif(richResult(), opts));
  const run = log.runs[0]!;
  const results = run.results!;

  it('validates against the SARIF 2.1.0 schema (and the validator catches a broken log)', () => {
    expect(validate(log)).toBe(true);
    expect(validate.errors ?? null).toBeNull();
    expect(validate(parse(renderSarif(emptyResult(), opts)))).toBe(true);
    const broken = JSON.parse(JSON.stringify(log)) as Record<string, unknown> & { runs: { results: Record<string, unknown>[] }[] };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
    expect(validate({ ...log, version: '2.0.0' })).toBe(false);
  });

  it('also passes @microsoft/jest-sarif\'s own (draft-04) validator', async () => {
    const mod = (await import('@microsoft/jest-sarif')) as unknown as { toBeValidSarifLog: (this: unknown, v: unknown) => { pass: boolean; message: () => string } };
    const verdict = mod.toBeValidSarifLog.call({}, log);
    expect(verdict.message()).toBeDefined();
    expect(verdict.pass).toBe(true);
    expect(mod.toBeValidSarifLog.call({}, { version: '2.1.0' }).pass).toBe(false);
  });

  it('has one rule per check, the 13 guidelines as a taxonomy, and results pointing at both', () => {
    const checks = new Set(richResult().findings.map((f) => f.check));
    const rules = run.tool.driver.rules!;
    expect(rules.map((r) => r.id).sort()).toEqual([...checks].sort());
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    const rule = rules.find((r) => r.id === 'telnet-default-credentials')!;
    expect(rule.shortDescription!.text).toBe('Telnet accepts a default credential');
    expect(rule.help!.text).toContain('Change the password of every account');
    expect(rule.properties!['security-severity']).toBe('9.5');
    expect(run.taxonomies![0]!.name).toBe(TAXONOMY_NAME);
    expect(run.taxonomies![0]!.taxa!.map((t) => t.id)).toEqual([...GUIDELINE_IDS]);
    expect(run.tool.driver.supportedTaxonomies).toEqual([{ name: TAXONOMY_NAME, index: 0 }]);
    for (const r of results) {
      expect(rules[r.ruleIndex!]!.id).toBe(r.ruleId);
      expect(r.taxa!.length).toBeGreaterThan(0);
      for (const t of r.taxa!) {
        expect(run.taxonomies![0]!.taxa![t.index!]!.id).toBe(t.id);
        expect(t.toolComponent).toEqual({ name: TAXONOMY_NAME, index: 0 });
      }
    }
  });

  it('emits fail and warn findings with levels from severity, and partly done checks as "review" results', () => {
    const fixture = richResult();
    const expected = fixture.findings.filter((f) => f.status === 'fail' || f.status === 'warn' || f.status === 'partial');
    expect(results.length).toBe(expected.length);
    const byId = new Map(fixture.findings.map((f) => [f.id, f]));
    for (const r of results) {
      const f = byId.get(r.partialFingerprints![FINGERPRINT_KEY]!)!;
      expect(f).toBeDefined();
      const want = f.status === 'partial' ? 'none' : f.status === 'warn' ? 'note'
        : f.severity === 'critical' || f.severity === 'high' ? 'error' : f.severity === 'medium' ? 'warning' : 'note';
      expect(r.level).toBe(want);
      expect(r.kind).toBe(f.status === 'partial' ? 'review' : 'fail');
    }
    expect(results.some((r) => r.kind === 'review')).toBe(true);
    expect(results.some((r) => r.level === 'error')).toBe(true);
    expect(results.some((r) => r.level === 'warning')).toBe(true);
    expect(results.some((r) => r.level === 'note')).toBe(true);
  });

  it('gives every result a physical location GitHub accepts', () => {
    const listing = sarifDeviceListing(richResult()).split('\n');
    for (const r of results) {
      const loc = r.locations![0]!.physicalLocation!;
      const uri = loc.artifactLocation!.uri!;
      expect(uri).not.toMatch(/^(?!file:)[a-z][a-z0-9+.-]*:/i); // no scheme but file:
      expect(loc.region!.startLine).toBeGreaterThanOrEqual(1);
      const device = r.properties!.device as string;
      if (device === '10.0.5.20') expect(loc).toEqual({ artifactLocation: { uri: 'targets.yaml' }, region: { startLine: 4, startColumn: 5 } });
      if (device === '10.0.5.66') {
        expect(uri).toBe(SARIF_DEVICES_ARTIFACT);
        expect(listing[loc.region!.startLine! - 1]!.startsWith('10.0.5.66\t')).toBe(true);
      }
      if (device === '*') expect(loc.region!.startLine).toBe(1);
    }
    expect(run.artifacts![0]!.location!.uri).toBe(SARIF_DEVICES_ARTIFACT);
    expect(run.artifacts![0]!.contents!.text).toBe(sarifDeviceListing(richResult()));
  });

  it('keeps the device listing one line per device whatever the name', () => {
    const lines = sarifDeviceListing(richResult()).trimEnd().split('\n');
    expect(lines.length).toBe(1 + richResult().devices.length);
    expect(lines.join('\n')).not.toMatch(/[\x00-\x08\x0b-\x1f\u202e]/);
    expect(lines.find((l) => l.startsWith('10.0.5.66'))).toContain('<script>');
  });

  it('writes hostile text as inert plain text', () => {
    const text = JSON.stringify(log);
    const evil = results.find((r) => r.properties!.device === '10.0.5.66' && r.ruleId === 'http-default-credentials')!;
    expect(evil.message.text).toContain('<script>alert(1)</script>');
    expect(evil.message.text).not.toMatch(/[\x00-\x08\x0b-\x1f\u202e]/);
    expect(evil.properties!.deviceName).toBe(HOSTILE_NAME.replace(/\u202e/g, '\\u{202e}'));
    // Raw evidence is kept (JSON-escaped) for tools.
    expect(text).toContain('\\u001b[2J');
  });

  it('converts declared paths to URI references', () => {
    expect(pathToUri('targets.yaml')).toBe('targets.yaml');
    expect(pathToUri('conf/my targets#1.yaml')).toBe('conf/my%20targets%231.yaml');
    expect(pathToUri('/etc/iotcop/targets.yaml')).toBe('file:///etc/iotcop/targets.yaml');
    expect(pathToUri('C:\\iot\\targets.yaml')).toBe('file:///C:/iot/targets.yaml');
  });
});
