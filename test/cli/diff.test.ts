/**
 * Changes on the built CLI: `scan --baseline` gates on NEW problems only, `iotcop diff` compares stored
 * runs and files, and `--webhook` posts the changes to an in-process server on 127.0.0.1.
 */
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cliMain, fakeTelnet, iotcop, loopbackImport, tempDir } from '../store/fixtures.js';

let telnet: Awaited<ReturnType<typeof fakeTelnet>>;
let dir: string;
let quiet: string;   // 127.0.0.1 with no open port
let exposed: string; // 127.0.0.1 with the fake telnet
beforeAll(async () => {
  telnet = await fakeTelnet();
  dir = tempDir('iotcop-diff-');
  quiet = loopbackImport(dir, 'quiet.xml', []);
  exposed = loopbackImport(dir, 'exposed.xml', [{ port: telnet.port, service: 'telnet' }]);
});
afterAll(async () => { await telnet.close(); });

const scan = (xml: string, ...extra: string[]) => ['scan', '--nmap-xml', xml, '--only', 'cleartext-services', '--safety', 'safe', '--quiet', ...extra];

describe('scan --baseline and iotcop diff', () => {
  it('exits 1 only for new problems at or above --fail-on, and prints and writes the changes', () => {
    const db = join(dir, 'b.db');
    expect(iotcop(scan(quiet, '--db', db, '--format', 'json', '--out', join(dir, 'o0'))).code).toBe(0);

    const out = join(dir, 'o1');
    const opened = iotcop(scan(exposed, '--db', db, '--baseline', 'last', '--format', 'json', '--out', out));
    expect(opened.code).toBe(1);
    const changes = JSON.parse(readFileSync(join(out, readdirSync(out).find((f) => f.endsWith('.changes.json'))!), 'utf8'));
    expect(changes.services.opened.map((s: { service: { port: number } }) => s.service.port)).toEqual([telnet.port]);
    expect(changes.findings.new.map((f: { check: string; severity: string }) => [f.check, f.severity])).toEqual([['telnet-cleartext', 'high']]);

    // The same problem again is not new: exit 0 with --baseline, 1 without.
    expect(iotcop(scan(exposed, '--db', db, '--baseline', 'last')).code).toBe(0);
    expect(iotcop(scan(exposed, '--db', db)).code).toBe(1);
    // A new high problem does not gate at --fail-on critical.
    expect(iotcop(scan(exposed, '--db', db, '--baseline', '#1', '--fail-on', 'critical', '--no-history')).code).toBe(0);

    // The terminal report is followed by the changes.
    const term = iotcop(scan(exposed, '--db', db, '--baseline', '#1', '--no-history'));
    expect(term.stdout).toMatch(/Changes since run [0-9a-f]{8} .*\n {2}1 port opened, 1 new problem \(worst high\)/);
    expect(term.stdout).toMatch(/New problems \(1\)\n {2}! \[high\] 127\.0\.0\.1 \d+\/tcp: /);

    // The port closes again: the problem is fixed.
    const out2 = join(dir, 'o2');
    const closed = iotcop(scan(quiet, '--db', db, '--baseline', 'last', '--format', 'json', '--out', out2));
    expect(closed.code).toBe(0);
    const fixed = JSON.parse(readFileSync(join(out2, readdirSync(out2).find((f) => f.endsWith('.changes.json'))!), 'utf8'));
    expect(fixed.services.closed).toHaveLength(1);
    expect(fixed.findings.fixed.map((f: { check: string; how: string }) => [f.check, f.how])).toEqual([['telnet-cleartext', 'port-closed']]);
  });

  it('--baseline FILE compares with a saved result; a bad baseline is a usage error before scanning', () => {
    const out = join(dir, 'o3');
    expect(iotcop(scan(quiet, '--no-history', '--format', 'json', '--out', out)).code).toBe(0);
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.json'))!);
    expect(iotcop(scan(exposed, '--no-history', '--baseline', file)).code).toBe(1);
    const missing = iotcop(scan(exposed, '--no-history', '--baseline', join(dir, 'nope.json')));
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^iotcop: cannot read .*nope\.json: no such file$/);
    const unknown = iotcop(scan(exposed, '--db', join(dir, 'b.db'), '--baseline', 'abcdef12'));
    expect(unknown.code).toBe(2);
  });

  it('iotcop diff: the last two runs by default, any two runs or files, JSON, and --fail-on', () => {
    const db = join(dir, 'd.db');
    const out = join(dir, 'd-out');
    iotcop(scan(quiet, '--db', db, '--format', 'json', '--out', out));
    iotcop(scan(exposed, '--db', db));
    const d = iotcop(['diff', '--db', db]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/Ports opened \(1\)/);
    expect(d.stdout).toMatch(/New problems \(1\)/);
    const j = JSON.parse(iotcop(['diff', '#1', '#2', '--db', db, '--json']).stdout);
    expect(j.findings.new).toHaveLength(1);
    expect(j.old.devices).toBe(1);
    expect(iotcop(['diff', '--db', db, '--fail-on', 'high']).code).toBe(1);
    expect(iotcop(['diff', '#2', '#1', '--db', db, '--fail-on', 'high']).code).toBe(0); // reversed: the problem is "fixed"
    const file = join(out, readdirSync(out).find((f) => f.endsWith('.json'))!);
    expect(JSON.parse(iotcop(['diff', file, 'last', '--db', db, '--json']).stdout).services.opened).toHaveLength(1);
    const one = iotcop(['diff', '--db', join(dir, 'single.db')]);
    expect(one.code).toBe(2);
  });

  it('--webhook posts the run and its changes to the endpoint', async () => {
    const bodies: string[] = [];
    const srv = createServer((req, res) => {
      let b = '';
      req.on('data', (c: Buffer) => { b += c.toString(); });
      req.on('end', () => { bodies.push(b); res.writeHead(200); res.end(); });
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    try {
      const db = join(dir, 'w.db');
      iotcop(scan(quiet, '--db', db));
      const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/hook`;
      // spawn (not spawnSync): this process must keep serving the webhook while the scan runs
      const child = spawn(process.execPath, [cliMain, ...scan(exposed, '--db', db, '--webhook', url)], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
      const code = await new Promise((r) => child.on('close', r));
      expect(stderr).toBe('');
      expect(code).toBe(1);
      expect(bodies).toHaveLength(1);
      const body = JSON.parse(bodies[0]!);
      expect(body.event).toBe('iotcop.run');
      expect(body.changes.summary).toMatch(/^1 port opened, 1 new problem \(worst high\)/);
      expect(body.baseline).not.toBeNull();
    } finally {
      srv.close();
    }
  }, 120_000);
});
