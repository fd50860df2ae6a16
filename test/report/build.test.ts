import { describe, expect, it } from '@jest/globals';
import { buildResult, findingsFromOutcomes, maskSecret, stableFindingId, type OutcomeLike } from '../../src/report/build.js';
import type { ProbeMeta } from '../../src/probes/contract.js';
import type { Device, RunInfo } from '../../src/report/model.js';

const meta: ProbeMeta = {
  id: 'telnet-default-credentials', title: 'Telnet default credentials', safety: 'credentials',
  appliesTo: { scope: 'service', transport: 'tcp', services: ['telnet'] },
  budget: { maxConnections: 6, timeoutMs: 20_000 },
  checks: {
    'telnet-default-credentials': {
      title: 'Telnet rejects default credentials', failureTitle: 'Telnet accepts a default credential',
      summary: 'This device still accepts its factory password.', guidelines: ['uk-cop-1', 'uk-cop-5'],
      provisions: ['5.1-1'], severity: 'critical', description: 'Why.', remediation: 'Change it.',
    },
    'telnet-no-authentication': {
      title: 'Telnet asks for a login', failureTitle: 'Telnet gives a shell without a login',
      summary: 'Anyone can control this device.', guidelines: ['uk-cop-1'], provisions: ['5.1-1'], severity: 'critical',
      description: 'Why.', remediation: 'Disable it.',
    },
  },
};
const probes = new Map([[meta.id, meta]]);
const device: Device = {
  address: '10.231.0.10', mac: '00:11:22:33:44:55', hostnames: [], name: 'camera',
  identification: { type: 'camera', confidence: 'medium', sources: [] }, services: [],
};

describe('findingsFromOutcomes', () => {
  it('turns check results into findings with catalogue titles, stable ids and masked credentials', () => {
    const o: OutcomeLike = {
      probe: meta.id, device: device.address, port: 23, transport: 'tcp', status: 'done',
      results: [{ check: 'telnet-default-credentials', status: 'fail', credential: { username: 'root', password: 'xc3511' }, detail: 'root logged in.' }],
    };
    const [f] = findingsFromOutcomes([o], probes, [device], false);
    expect(f).toMatchObject({
      check: 'telnet-default-credentials', status: 'fail', severity: 'critical', title: 'Telnet accepts a default credential',
      summary: 'This device still accepts its factory password.', port: 23, guidelines: ['uk-cop-1', 'uk-cop-5'],
      credential: { username: 'root', password: 'xc****', masked: true },
    });
    expect(JSON.stringify(f)).not.toContain('xc3511');
    expect(f!.id).toBe(stableFindingId('00:11:22:33:44:55', 'telnet-default-credentials', 23, 'tcp'));
    const [revealed] = findingsFromOutcomes([o], probes, [device], true);
    expect(revealed!.credential).toEqual({ username: 'root', password: 'xc3511', masked: false });
  });

  it('gives an errored job an error finding for each of its checks, never a pass', () => {
    const fs = findingsFromOutcomes([{ probe: meta.id, device: device.address, port: 23, transport: 'tcp', status: 'error', results: [], error: { kind: 'timeout', message: 'no prompt' } }], probes, [device], false);
    expect(fs.map((f) => [f.check, f.status, f.error?.kind])).toEqual([
      ['telnet-default-credentials', 'error', 'timeout'], ['telnet-no-authentication', 'error', 'timeout'],
    ]);
  });

  it('reports a result for an unknown check as an internal error instead of dropping it', () => {
    const [f] = findingsFromOutcomes([{ probe: meta.id, device: device.address, status: 'done', results: [{ check: 'made-up', status: 'pass' }] }], probes, [device], false);
    expect(f).toMatchObject({ status: 'error', error: { kind: 'internal' } });
  });

  it('ids are stable across runs and differ by port', () => {
    expect(stableFindingId('a', 'c', 23, 'tcp')).toBe(stableFindingId('a', 'c', 23, 'tcp'));
    expect(stableFindingId('a', 'c', 23, 'tcp')).not.toBe(stableFindingId('a', 'c', 2323, 'tcp'));
  });
});

describe('maskSecret', () => {
  it('never shows more than two characters', () => {
    expect(maskSecret('admin123')).toBe('ad******');
    expect(maskSecret('1234')).toBe('1***');
    expect(maskSecret('ab')).toBe('***');
    expect(maskSecret('')).toBe('(empty)');
  });
});

describe('buildResult', () => {
  it('rolls up per device and summarises', () => {
    const run: RunInfo = {
      id: 'r', startedAt: '2026-11-25T00:00:00.000Z', finishedAt: '2026-11-25T00:00:01.000Z', durationMs: 1000, targets: ['10.231.0.10'],
      autoTargets: false, partial: false,
      options: { safety: 'credentials', exclude: [], allowPublic: false, maxHosts: 10, timeoutMs: 1, concurrency: 1, perHost: 2, revealCredentials: false, only: [], skip: [], failOn: 'high' },
      capabilities: { nmap: null, privileged: false, scanType: 'none', notices: [] },
    };
    const r = buildResult({
      run, toolVersion: '0.1.0', devices: [device], probes, skipped: [], errors: [], revealCredentials: false, safety: 'credentials', now: new Date(),
      outcomes: [{ probe: meta.id, device: device.address, port: 23, transport: 'tcp', status: 'done', results: [{ check: 'telnet-default-credentials', status: 'fail' }, { check: 'telnet-no-authentication', status: 'pass' }] }],
    });
    expect(r.devices[0]!.guidelines.find((g) => g.id === 'uk-cop-1')!.verdict).toBe('fail');
    expect(r.devices[0]!.psti.noUniversalDefaultPassword).toBe('violated');
    expect(r.summary).toMatchObject({ devices: 1, worst: 'critical', failingGuidelines: ['uk-cop-1', 'uk-cop-5'] });
    expect(r.summary.findings.fail).toBe(1);
    expect(r.summary.findings.pass).toBe(1);
  });
});
