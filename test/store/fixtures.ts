/** Small hand-built results for the store, diff and merge tests. */
import { stableFindingId } from '../../src/report/build.js';
import { rollUp, summarise } from '../../src/guidelines/rollup.js';
import type { CheckStatus, DeviceResult, Finding, GuidelineId, RunInfo, ScanResult, Severity, Transport } from '../../src/report/model.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DeviceSpec { address: string; mac?: string; name?: string; services?: (number | [number, Transport])[] }
export interface FindingSpec {
  device: string; check: string; status: CheckStatus; severity?: Severity; port?: number; transport?: Transport;
  guidelines?: GuidelineId[]; title?: string; credential?: { username: string; password: string; masked: boolean };
}
export interface ResultSpec {
  id: string; startedAt?: string; targets?: string[]; devices: DeviceSpec[]; findings?: FindingSpec[];
  shard?: { index: number; count: number }; partial?: boolean;
}

export function makeResult(spec: ResultSpec): ScanResult {
  const startedAt = spec.startedAt ?? '2026-11-25T03:00:00.000Z';
  const finishedAt = new Date(Date.parse(startedAt) + 60_000).toISOString();
  const macOf = new Map(spec.devices.map((d) => [d.address, d.mac]));
  const findings: Finding[] = (spec.findings ?? []).map((f) => {
    const transport = f.port !== undefined ? (f.transport ?? 'tcp') : undefined;
    const bad = f.status === 'fail' || f.status === 'warn';
    const finding: Finding = {
      id: stableFindingId(macOf.get(f.device)?.toLowerCase() ?? f.device, f.check, f.port, transport),
      check: f.check, probe: f.check, device: f.device, status: f.status, severity: bad ? (f.severity ?? 'high') : 'info',
      confidence: 'high', title: f.title ?? `${f.check} ${f.status}`, description: 'd', remediation: 'r',
      guidelines: f.guidelines ?? ['uk-cop-1'], provisions: ['5.1-1'], evidence: null,
    };
    if (f.port !== undefined) { finding.port = f.port; finding.transport = transport; }
    if (f.credential) finding.credential = f.credential;
    return finding;
  });
  const devices: DeviceResult[] = spec.devices.map((d) => {
    const own = findings.filter((f) => f.device === d.address);
    const guidelines = rollUp(own, { safety: 'credentials' });
    const dev: DeviceResult = {
      address: d.address, hostnames: [], name: d.name ?? d.address,
      identification: { type: 'unknown', confidence: 'low', sources: [] },
      services: (d.services ?? []).map((s) => {
        const [port, transport] = Array.isArray(s) ? s : [s, 'tcp' as Transport];
        return { port, transport, state: 'open' as const, name: port === 23 ? 'telnet' : port === 22 ? 'ssh' : 'http' };
      }),
      guidelines,
      psti: { noUniversalDefaultPassword: 'not-tested', disclosurePolicy: 'unknown', supportPeriod: 'unknown' },
    };
    if (d.mac) dev.mac = d.mac;
    return dev;
  });
  const run: RunInfo = {
    id: spec.id, startedAt, finishedAt, durationMs: 60_000, targets: spec.targets ?? ['10.0.5.0/24'], autoTargets: false,
    options: { safety: 'credentials', exclude: [], allowPublic: false, maxHosts: 65536, timeoutMs: 1_800_000, concurrency: 16, perHost: 2, revealCredentials: false, only: [], skip: [], failOn: 'high' },
    capabilities: { nmap: { path: '/usr/bin/nmap', version: '7.93' }, privileged: false, scanType: 'connect', notices: [] },
    partial: Boolean(spec.partial),
  };
  if (spec.shard) run.shard = spec.shard;
  return {
    schemaVersion: 1, tool: { name: 'iotcop', version: '0.1.0' }, run, devices, findings, skipped: [], errors: [],
    summary: summarise(devices, findings),
  };
}

// ---------------------------------------------------------------------------------------------
// For CLI tests that store real runs quickly: an nmap XML import (no nmap run) of 127.0.0.1 with the
// given TCP ports, and a fake telnet login prompt on 127.0.0.1 (the cleartext-services probe fails it).

export function loopbackImport(dir: string, name: string, ports: { port: number; service: string }[]): string {
  const file = join(dir, name);
  const portXml = ports.map((p) => `<port protocol="tcp" portid="${p.port}"><state state="open" reason="syn-ack" reason_ttl="64"/><service name="${p.service}" method="probed" conf="10"/></port>`).join('');
  writeFileSync(file, `<?xml version="1.0" encoding="UTF-8"?>
<nmaprun scanner="nmap" args="nmap -oX - 127.0.0.1" start="1795635268" version="7.93" xmloutputversion="1.05">
<host starttime="1795635268" endtime="1795635270"><status state="up" reason="syn-ack" reason_ttl="0"/>
<address addr="127.0.0.1" addrtype="ipv4"/><hostnames></hostnames>
<ports>${portXml}</ports>
</host>
<runstats><finished time="1795635270" timestr="x" elapsed="2" exit="success"/><hosts up="1" down="0" total="1"/></runstats>
</nmaprun>
`);
  return file;
}

export async function fakeTelnet(): Promise<{ port: number; close: () => Promise<void> }> {
  const srv: Server = createServer((c) => {
    c.on('error', () => undefined);
    c.write('\r\nDebian GNU/Linux 12\r\ncamera login: ');
    setTimeout(() => c.destroy(), 200).unref();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  return {
    port: (srv.address() as AddressInfo).port,
    close: () => new Promise<void>((r) => { srv.close(() => r()); }),
  };
}

export const cliMain = new URL('../../dist/cli/main.js', import.meta.url).pathname;

export function iotcop(args: string[], env: Record<string, string> = {}) {
  if (!existsSync(cliMain)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
  const r = spawnSync(process.execPath, [cliMain, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
