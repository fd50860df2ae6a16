/**
 * The real CLI against the hostile lab devices (lab/hostile/, lab/hostile-truth.json): a telnet flood, a
 * tarpit, endless and enormous and dripping HTTP, hostile text in every string a report shows, garbage on
 * SSH/MQTT/RTSP/TLS, malformed CoAP/SNMP/SSDP, resets at every stage, redirects to an out-of-scope host and
 * a device that vanishes mid-scan. The scan must finish within its time budget, stay under the memory bound,
 * not crash, never pass a check it could not complete, never invent a credential, send nothing to the
 * out-of-scope host, and keep every hostile string inert in every report format and on the terminal.
 *
 * The hostile set is opt-in (`bash lab/lab up --hostile`): it lives on the lab's second subnet 10.231.1.0/24
 * (same bridge, the scanner gets 10.231.1.1), so the other e2e files, which scan 10.231.0.0/24 against
 * lab/ground-truth.json, never meet it; it is taken down again after this file anyway (lab.test.ts counts the
 * LAN's routes), so jest may run the files in any order. Every packet goes to 10.231.1.128/26 inside the lab's
 * namespaces.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { XMLValidator } from 'fast-xml-parser';
import type { Finding, ScanResult } from '../../src/report/model.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const main = `${root}dist/cli/main.js`;
const lab = `${root}lab/lab`;

interface PortRef { port: number; transport: 'tcp' | 'udp' }
interface TruthDevice {
  name: string; address: string; program: string; does: string; ports: PortRef[];
  noPass: boolean; noPassPorts?: number[];
  allowPass?: { check: string; port?: number; why: string }[];
  mustFind?: { check: string; status: string; port?: number }[];
  log?: string;
}
interface HostileTruth {
  scanner: { namespace: string; address: string };
  target: string; timeBudget: string; timeBudgetMs: number; maxPeakRssMb: number;
  outOfScope: { address: string; namespace: string; log: string };
  markers: { html: string[]; terminal: string; formula: string; bidi: string };
  printerBytesLog: string;
  devices: TruthDevice[];
}
const truth = JSON.parse(readFileSync(`${root}lab/hostile-truth.json`, 'utf8')) as HostileTruth;

interface Scan { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; wallMs: number; files: string[]; result: ScanResult }
interface Counters { nftIpPackets: number | null; nftArpRequests: number | null; snmp: Record<string, number>; listenerEvents: number }

/** Runs `iotcop scan` inside the lab's LAN namespace and collects everything it wrote. */
function scan(target: string, args: string[], timeoutMs: number): Promise<Scan> {
  const out = mkdtempSync(join(tmpdir(), 'iotcop-hostile-'));
  const t0 = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', truth.scanner.namespace, process.execPath, main, 'scan', target,
      '--format', 'terminal,json,html,sarif,csv,junit,markdown', '--out', out, '--fail-on', 'never', '--no-history', ...args],
    { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(killer);
      const files = readdirSync(out).map((f) => join(out, f));
      const json = files.find((f) => f.endsWith('.json'));
      const err = Buffer.concat(stderr).toString('utf8');
      if (!json) { reject(new Error(`no JSON report (exit ${code}, signal ${signal}): ${err.slice(-3000)}`)); return; }
      resolve({
        code, signal, stdout: Buffer.concat(stdout).toString('utf8'), stderr: err, wallMs: Date.now() - t0, files,
        result: JSON.parse(readFileSync(json, 'utf8')) as ScanResult,
      });
    });
  });
}

async function counters(): Promise<Counters> {
  const { stdout } = await run('bash', [lab, 'hostile', 'counters'], { timeout: 30_000 });
  return JSON.parse(stdout) as Counters;
}

const read = (rel: string) => (existsSync(`${root}${rel}`) ? readFileSync(`${root}${rel}`, 'utf8') : '');
const logEvents = (rel: string) => read(rel).split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; [k: string]: unknown });
const fileOf = (s: Scan, ext: string) => {
  const f = s.files.find((x) => x.endsWith(ext) && !x.endsWith('devices.txt'));
  if (!f) throw new Error(`no ${ext} report among ${s.files.join(', ')}`);
  return readFileSync(f, 'utf8');
};

/** Characters that must never reach a terminal: C0 controls but tab and newline, DEL, C1, bidi overrides and isolates. */
// eslint-disable-next-line no-control-regex
const TERMINAL_UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

/** Text of a Markdown document outside fenced code blocks (a fence closes only with at least as many backticks). */
function outsideFences(md: string): string {
  const out: string[] = [];
  let fence = 0;
  for (const line of md.split('\n')) {
    const m = /^ {0,3}(`{3,})/.exec(line);
    if (fence === 0 && m) { fence = m[1]!.length; continue; }
    if (fence > 0) {
      if (m && m[1]!.length >= fence && line.trim() === m[1]) fence = 0;
      continue;
    }
    out.push(line);
  }
  return out.join('\n');
}

/** RFC 4180 fields of a CSV document. */
function csvCells(csv: string): string[] {
  const cells: string[] = [];
  let i = 0;
  while (i < csv.length) {
    let cell = '';
    if (csv[i] === '"') {
      i++;
      for (;;) {
        if (i >= csv.length) break;
        if (csv[i] === '"') {
          if (csv[i + 1] === '"') { cell += '"'; i += 2; continue; }
          i++;
          break;
        }
        cell += csv[i++];
      }
    } else {
      while (i < csv.length && csv[i] !== ',' && csv[i] !== '\n' && csv[i] !== '\r') cell += csv[i++];
    }
    cells.push(cell);
    if (csv[i] === ',') i++;
    else while (csv[i] === '\r' || csv[i] === '\n') i++;
  }
  return cells;
}

function chromiumDom(file: string, profile: string): Promise<string> {
  const chrome = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  return run(chrome, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--disable-extensions', `--user-data-dir=${profile}`, '--virtual-time-budget=3000', '--dump-dom', pathToFileURL(file).href],
  { timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }).then((r) => r.stdout);
}

let main1: Scan;
let tarpitOnly: Scan;
let before: Counters;
let after: Counters;
let outsideBefore = 0;
let redirectBefore = 0;
const REDIRECT_LOG = 'lab/run/hostile/redirect.log';

beforeAll(async () => {
  await run('bash', [lab, 'up', '--hostile'], { timeout: 240_000 });
  before = await counters();
  outsideBefore = logEvents(truth.outOfScope.log).length;
  redirectBefore = logEvents(REDIRECT_LOG).length;
  main1 = await scan(truth.target, ['--timeout', truth.timeBudget, '--verbose'], truth.timeBudgetMs + 240_000);
  after = await counters();
  // The global budget against a tarpit alone: the run must stop on time even when nothing ever answers.
  tarpitOnly = await scan(truth.devices.find((d) => d.name === 'tarpit')!.address, ['--timeout', '20s'], 200_000);
}, truth.timeBudgetMs + 600_000);

afterAll(async () => {
  // Leave the lab as the other e2e files expect it: one subnet, one route, no hostile devices.
  await run('bash', [lab, 'hostile', 'down'], { timeout: 120_000 });
}, 150_000);

const findingsOn = (d: TruthDevice) => main1.result.findings.filter((f) => f.device === d.address);
const describeFinding = (f: Finding) => `${f.device}:${f.port ?? '-'} ${f.check} ${f.status}${f.error ? ` (${f.error.kind}: ${f.error.message.slice(0, 80)})` : ''}`;

describe('a scan of the hostile devices', () => {
  it('finishes within its time budget, exits 0 and writes every report', () => {
    expect(main1.signal).toBeNull();
    expect(main1.code).toBe(0);
    // The budget bounds the scan (stopping the jobs it cuts short takes a moment); reports and shutdown get a minute on top.
    expect(main1.result.run.durationMs).toBeLessThanOrEqual(truth.timeBudgetMs + 15_000);
    expect(main1.wallMs).toBeLessThanOrEqual(truth.timeBudgetMs + 60_000);
    if (main1.result.run.partial) expect(main1.result.run.stopReason).toBe('timeout');
    for (const ext of ['.csv', '.html', '.json', '.junit.xml', '.md', '.sarif']) expect(main1.files.some((f) => f.endsWith(ext))).toBe(true);
  });

  it(`keeps the scanner's peak memory under ${truth.maxPeakRssMb} MB`, () => {
    const m = /iotcop: peak memory (\d+) MB/.exec(main1.stderr);
    expect(m).not.toBeNull();
    const mb = Number(m![1]);
    // For the CI log and the README's figure.
    console.log(`hostile scan: ${main1.result.run.durationMs} ms (${main1.result.run.partial ? `partial: ${main1.result.run.stopReason}` : 'complete'}), peak memory ${mb} MB`);
    expect(mb).toBeGreaterThan(0);
    expect(mb).toBeLessThan(truth.maxPeakRssMb);
  });

  it('does not crash: no unhandled rejection, no stack trace, no programming error behind any check', () => {
    expect(main1.stderr).not.toMatch(/unexpected error|Unhandled|uncaught|ERR_UNHANDLED_REJECTION/i);
    expect(main1.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    // A device that talks nonsense gives protocol errors and timeouts; a TypeError or the like would be ours.
    const crash = /TypeError|ReferenceError|RangeError|SyntaxError|Cannot read propert|is not a function|is not iterable|undefined is not|Maximum call stack|heap out of memory/i;
    const crashed = [...main1.result.findings.filter((f) => f.error && crash.test(f.error.message)).map(describeFinding),
      ...main1.result.errors.filter((e) => crash.test(e.message)).map((e) => `${e.source}: ${e.message}`)];
    expect(crashed).toEqual([]);
    expect(main1.result.errors.filter((e) => e.source === 'scheduler')).toEqual([]);
  });

  it('finds every hostile device and the hostile services on it (so the checks below are not vacuous)', () => {
    const seen = new Map(main1.result.devices.map((d) => [d.address, d.services.map((s) => `${s.port}/${s.transport}`)]));
    const missing = truth.devices.flatMap((d) => d.ports.map((p) => `${p.port}/${p.transport}`)
      .filter((p) => !(seen.get(d.address) ?? []).includes(p)).map((p) => `${d.name} ${d.address} ${p}`));
    expect(missing).toEqual([]);
    expect(seen.has(truth.outOfScope.address)).toBe(false);
  });

  it('never reports a pass on a hostile service unless the truth file says why that pass is correct', () => {
    const violations: string[] = [];
    for (const d of truth.devices) {
      const guarded = new Set(d.noPass ? d.ports.map((p) => p.port) : (d.noPassPorts ?? []));
      for (const f of findingsOn(d)) {
        if (f.status !== 'pass' || f.port === undefined || !guarded.has(f.port)) continue;
        const allowed = (d.allowPass ?? []).some((a) => a.check === f.check && (a.port === undefined || a.port === f.port));
        if (!allowed) violations.push(`${d.name}: ${describeFinding(f)}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('never reports a credential, a default password or a community on any hostile device', () => {
    const made = main1.result.findings.filter((f) => f.credential !== undefined
      || (/default-(credentials|community)|any-password|accepts-any/.test(f.check) && (f.status === 'fail' || f.status === 'warn')));
    expect(made.map(describeFinding)).toEqual([]);
  });

  it('reports what the hostile devices really do (positive controls)', () => {
    const missing: string[] = [];
    for (const d of truth.devices) {
      for (const want of d.mustFind ?? []) {
        const hit = findingsOn(d).some((f) => f.check === want.check && f.status === want.status && (want.port === undefined || f.port === want.port));
        if (!hit) missing.push(`${d.name}: ${want.check} ${want.status} on ${want.port ?? 'the host'}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the vanishing device took its link down mid-scan and no check on it passed', () => {
    const v = truth.devices.find((d) => d.name === 'vanish')!;
    const events = logEvents(v.log!);
    expect(events.some((e) => e.event === 'vanished' && e['ok'] === true)).toBe(true);
    const onPorts = findingsOn(v).filter((f) => f.port !== undefined);
    expect(onPorts.length).toBeGreaterThan(0);
    expect(onPorts.filter((f) => f.status === 'pass').map(describeFinding)).toEqual([]);
    expect(onPorts.some((f) => f.status === 'error' || f.status === 'not_tested')).toBe(true);
  });

  it('sends nothing to the out-of-scope host the redirect device points at', () => {
    // The redirect device did offer the way out (so this is not vacuous)…
    const offered = logEvents(REDIRECT_LOG).slice(redirectBefore).filter((e) => e.event === 'request' || e.event === 'datagram');
    expect(offered.length).toBeGreaterThan(0);
    expect(offered.some((e) => typeof e['location'] === 'string' && e['location'].includes(truth.outOfScope.address))).toBe(true);
    // …and nothing reached 10.231.1.250: no connection or datagram logged, no IPv4 packet or ARP request
    // counted by nftables (when installed), no TCP segment, UDP datagram or ICMP message in its kernel counters.
    expect(logEvents(truth.outOfScope.log).length).toBe(outsideBefore);
    expect(after).toEqual(before);
  });

  it('sends zero bytes to the raw printer port of the malformed-UDP device', () => {
    expect(read(truth.printerBytesLog)).toBe('');
  });

  it('keeps hostile text inert on the terminal (stdout and stderr)', () => {
    for (const text of [main1.stdout, main1.stderr]) {
      const bad = TERMINAL_UNSAFE.exec(text);
      expect(bad ? JSON.stringify(text.slice(Math.max(0, bad.index - 40), bad.index + 40)) : '').toBe('');
    }
    // The hostile text did reach the terminal report, shown escaped.
    expect(main1.stdout).toContain(truth.markers.terminal);
  });

  it('keeps hostile text inert in the HTML report, and a browser runs none of it', async () => {
    const html = fileOf(main1, '.html');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;|<meta http-equiv="Content-Security-Policy" content="default-src 'none'/);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(TERMINAL_UNSAFE.test(html)).toBe(false);
    expect(html).toContain('data-iotcop-xss');
    const file = main1.files.find((f) => f.endsWith('.html'))!;
    const dom = await chromiumDom(file, mkdtempSync(join(tmpdir(), 'iotcop-hostile-chromium-')));
    const htmlTag = /<html[^>]*>/.exec(dom)?.[0] ?? '';
    expect(htmlTag).toMatch(/^<html/);
    expect(htmlTag).not.toContain('data-iotcop-xss');
    expect(dom).not.toMatch(/<script|<img/i);
  }, 120_000);

  it('keeps hostile text inert in the Markdown report (nothing outside code fences)', () => {
    const md = fileOf(main1, '.md');
    expect(md).toContain('data-iotcop-xss');
    const prose = outsideFences(md);
    expect(prose).not.toMatch(/<script|<img|\son[a-z]+=/i);
    expect(TERMINAL_UNSAFE.test(prose)).toBe(false);
  });

  it('neutralises spreadsheet formulas in the CSV report', () => {
    const csv = fileOf(main1, '.csv');
    expect(csv).toContain('HYPERLINK');
    const cells = csvCells(csv);
    expect(cells.length).toBeGreaterThan(100);
    expect(cells.filter((c) => /^[=+\-@\t\r]/.test(c) && !/^-?\d+(\.\d+)?$/.test(c)).slice(0, 5)).toEqual([]);
  });

  it('writes valid JSON, SARIF and JUnit XML that keep the text as data', () => {
    const json = fileOf(main1, '.json');
    expect(json).toContain('data-iotcop-xss');
    const sarif = JSON.parse(fileOf(main1, '.sarif')) as { version: string };
    expect(sarif.version).toBe('2.1.0');
    const junit = fileOf(main1, '.junit.xml');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).not.toMatch(/<script|<img/i);
    for (const f of main1.files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('stops a scan of a tarpit at its time budget, with a partial report', () => {
    expect(tarpitOnly.code).toBe(0);
    expect(tarpitOnly.result.run.partial).toBe(true);
    expect(tarpitOnly.result.run.stopReason).toBe('timeout');
    expect(tarpitOnly.wallMs).toBeLessThanOrEqual(20_000 + 30_000);
  });
});
