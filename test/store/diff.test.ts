import { describe, expect, it } from '@jest/globals';
import { diffResults, diffSummaryLine, newFailuresAtOrAbove, pairDevices } from '../../src/store/diff.js';
import { renderDiffText } from '../../src/store/diff-text.js';
import { makeResult } from './fixtures.js';

const camera = { address: '10.0.5.20', mac: 'AA:BB:CC:00:00:20', name: 'Camera', services: [23, 80] };
const router = { address: '10.0.5.1', mac: 'aa:bb:cc:00:00:01', name: 'Router', services: [22, 80] };

const before = makeResult({
  id: 'run-old', startedAt: '2026-11-24T03:00:00.000Z',
  devices: [router, camera],
  findings: [
    { device: '10.0.5.20', check: 'telnet-default-credentials', status: 'fail', severity: 'critical', port: 23 },
    { device: '10.0.5.20', check: 'cleartext-http', status: 'warn', severity: 'medium', port: 80, guidelines: ['uk-cop-5'] },
    { device: '10.0.5.1', check: 'ssh-default-credentials', status: 'fail', severity: 'critical', port: 22 },
    { device: '10.0.5.1', check: 'ssh-configuration', status: 'pass', port: 22, guidelines: ['uk-cop-5'] },
  ],
});

describe('diffResults', () => {
  it('reports nothing when a run is compared with an identical one', () => {
    const again = makeResult({ ...specOf(before), id: 'run-new' });
    const d = diffResults(before, again);
    expect(d.changed).toBe(false);
    expect(d.findings.persisting).toHaveLength(3);
    expect(d.findings.new).toHaveLength(0);
    expect(diffSummaryLine(d)).toBe('no changes');
  });

  it('finds a new device with its services, and its problems as new', () => {
    const plug = { address: '10.0.5.30', mac: 'aa:bb:cc:00:00:30', name: 'Plug', services: [80] };
    const after = makeResult({
      id: 'run-new', devices: [router, camera, plug],
      findings: [...specOf(before).findings!, { device: '10.0.5.30', check: 'http-default-credentials', status: 'fail', severity: 'high', port: 80 }],
    });
    const d = diffResults(before, after);
    expect(d.devices.new.map((x) => x.address)).toEqual(['10.0.5.30']);
    expect(d.devices.new[0]!.services.map((s) => s.port)).toEqual([80]);
    expect(d.findings.new.map((f) => [f.device, f.check])).toEqual([['10.0.5.30', 'http-default-credentials']]);
    expect(d.findings.persisting).toHaveLength(3);
    expect(newFailuresAtOrAbove(d, 'high')).toHaveLength(1);
    expect(newFailuresAtOrAbove(d, 'critical')).toHaveLength(0);
    expect(newFailuresAtOrAbove(d, 'never')).toHaveLength(0);
    expect(d.changed).toBe(true);
  });

  it('marks a finding fixed when the check now passes, and the guideline verdict change', () => {
    const after = makeResult({
      id: 'run-new', devices: [router, camera],
      findings: [
        { device: '10.0.5.20', check: 'telnet-default-credentials', status: 'fail', severity: 'critical', port: 23 },
        { device: '10.0.5.20', check: 'cleartext-http', status: 'warn', severity: 'medium', port: 80, guidelines: ['uk-cop-5'] },
        { device: '10.0.5.1', check: 'ssh-default-credentials', status: 'pass', port: 22 },
        { device: '10.0.5.1', check: 'ssh-configuration', status: 'pass', port: 22, guidelines: ['uk-cop-5'] },
      ],
    });
    const d = diffResults(before, after);
    expect(d.findings.fixed.map((f) => [f.device, f.check, f.how])).toEqual([['10.0.5.1', 'ssh-default-credentials', 'passed']]);
    expect(d.findings.new).toHaveLength(0);
    expect(d.verdicts).toEqual([expect.objectContaining({ guideline: 'uk-cop-1', from: 'fail', to: 'pass' })]);
    expect(d.verdicts[0]!.device.address).toBe('10.0.5.1');
  });

  it('reports a closed port, and its finding as fixed because the port is closed', () => {
    const after = makeResult({
      id: 'run-new', devices: [router, { ...camera, services: [80] }],
      findings: [
        { device: '10.0.5.20', check: 'cleartext-http', status: 'warn', severity: 'medium', port: 80, guidelines: ['uk-cop-5'] },
        { device: '10.0.5.1', check: 'ssh-default-credentials', status: 'fail', severity: 'critical', port: 22 },
        { device: '10.0.5.1', check: 'ssh-configuration', status: 'pass', port: 22, guidelines: ['uk-cop-5'] },
      ],
    });
    const d = diffResults(before, after);
    expect(d.services.closed.map((x) => [x.device.address, x.service.port, x.service.transport])).toEqual([['10.0.5.20', 23, 'tcp']]);
    expect(d.services.opened).toHaveLength(0);
    expect(d.findings.fixed.map((f) => [f.check, f.how])).toEqual([['telnet-default-credentials', 'port-closed']]);
    expect(d.findings.unverified).toHaveLength(0);
  });

  it('reports a gone device, with its problems as gone rather than fixed', () => {
    const after = makeResult({
      id: 'run-new', devices: [router],
      findings: [
        { device: '10.0.5.1', check: 'ssh-default-credentials', status: 'fail', severity: 'critical', port: 22 },
        { device: '10.0.5.1', check: 'ssh-configuration', status: 'pass', port: 22, guidelines: ['uk-cop-5'] },
      ],
    });
    const d = diffResults(before, after);
    expect(d.devices.gone.map((x) => x.address)).toEqual(['10.0.5.20']);
    expect(d.findings.gone.map((f) => f.check).sort()).toEqual(['cleartext-http', 'telnet-default-credentials']);
    expect(d.findings.fixed).toHaveLength(0);
    expect(diffSummaryLine(d)).toBe('1 device gone');
  });

  it('a check that could not run again is "not re-checked", not fixed', () => {
    const after = makeResult({
      id: 'run-new', devices: [router, camera],
      findings: [
        { device: '10.0.5.20', check: 'telnet-default-credentials', status: 'error', port: 23 },
        { device: '10.0.5.1', check: 'ssh-default-credentials', status: 'fail', severity: 'critical', port: 22 },
      ],
    });
    const d = diffResults(before, after);
    expect(d.findings.unverified.map((f) => f.check).sort()).toEqual(['cleartext-http', 'telnet-default-credentials']);
    expect(d.findings.fixed).toHaveLength(0);
  });

  it('matches a device by MAC when its address changed (moved), keeping its findings', () => {
    const moved = { ...camera, address: '10.0.5.99' };
    const after = makeResult({
      id: 'run-new', devices: [router, moved],
      findings: [
        { device: '10.0.5.99', check: 'telnet-default-credentials', status: 'fail', severity: 'critical', port: 23 },
        { device: '10.0.5.99', check: 'cleartext-http', status: 'warn', severity: 'medium', port: 80, guidelines: ['uk-cop-5'] },
        { device: '10.0.5.1', check: 'ssh-default-credentials', status: 'fail', severity: 'critical', port: 22 },
      ],
    });
    const d = diffResults(before, after);
    expect(d.devices.new).toHaveLength(0);
    expect(d.devices.gone).toHaveLength(0);
    expect(d.devices.moved).toEqual([{ device: expect.objectContaining({ address: '10.0.5.99' }), from: '10.0.5.20' }]);
    expect(d.findings.new).toHaveLength(0);
    expect(d.findings.persisting).toHaveLength(3);
  });

  it('two different MACs on one address are two devices; without MACs the address decides', () => {
    const p = pairDevices(
      makeResult({ id: 'a', devices: [{ address: '10.0.5.5', mac: 'aa:aa:aa:aa:aa:01' }, { address: '10.0.5.6' }] }).devices,
      makeResult({ id: 'b', devices: [{ address: '10.0.5.5', mac: 'aa:aa:aa:aa:aa:02' }, { address: '10.0.5.6', mac: 'aa:aa:aa:aa:aa:06' }] }).devices,
    );
    expect(p.pairs.map((x) => x.cur.address)).toEqual(['10.0.5.6']);
    expect(p.added.map((x) => x.mac)).toEqual(['aa:aa:aa:aa:aa:02']);
    expect(p.removed.map((x) => x.mac)).toEqual(['aa:aa:aa:aa:aa:01']);
  });

  it('a device that gained a MAC keeps its findings (matched through the device pairing)', () => {
    const old = makeResult({ id: 'a', devices: [{ address: '10.0.5.7', services: [23] }], findings: [{ device: '10.0.5.7', check: 'telnet-default-credentials', status: 'fail', port: 23 }] });
    const cur = makeResult({ id: 'b', devices: [{ address: '10.0.5.7', mac: 'aa:bb:cc:dd:ee:07', services: [23] }], findings: [{ device: '10.0.5.7', check: 'telnet-default-credentials', status: 'fail', port: 23 }] });
    expect(old.findings[0]!.id).not.toBe(cur.findings[0]!.id); // the stable id includes the MAC once known
    const d = diffResults(old, cur);
    expect(d.findings.persisting).toHaveLength(1);
    expect(d.findings.new).toHaveLength(0);
  });

  it('with no earlier run everything is new', () => {
    const d = diffResults(null, before);
    expect(d.old).toBeNull();
    expect(d.devices.new).toHaveLength(2);
    expect(d.findings.new).toHaveLength(3);
    expect(diffSummaryLine(d)).toMatch(/^first run of these targets: 2 devices, 3 problems$/);
  });

  it('renders device-supplied text inert in the terminal', () => {
    const evil = makeResult({ id: 'run-new', devices: [router, camera, { address: '10.0.5.66', name: 'cam\u001b[2J\u202Eevil', services: [80] }] });
    const text = renderDiffText(diffResults(before, evil), { color: false });
    expect(text).toContain('+ 10.0.5.66');
    expect(text).not.toContain('\u001b');
    expect(text).not.toContain('\u202E');
    expect(text).toMatch(/New devices \(1\)/);
  });
});

function specOf(r: ReturnType<typeof makeResult>) {
  return {
    devices: r.devices.map((d) => ({ address: d.address, mac: d.mac, name: d.name, services: d.services.map((s) => [s.port, s.transport] as [number, 'tcp' | 'udp']) })),
    findings: r.findings.map((f) => ({ device: f.device, check: f.check, status: f.status, severity: f.severity, port: f.port, transport: f.transport, guidelines: f.guidelines })),
  };
}
