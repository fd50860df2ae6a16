/**
 * The real CLI scanning the device lab from inside its LAN namespace, judged against lab/ground-truth.json:
 * everything expected is found, nothing is reported on the well-configured and silent devices, no default
 * credential on the traps, the lockout trap is never locked, the printer's raw port receives zero bytes,
 * and no report, log or terminal output of a scan without --reveal-credentials holds a lab password.
 * Each stored run, judged again from its evidence (`report --reassess`), gives the same findings.
 *
 * Every packet goes to 10.231.0.0/24 inside the lab's namespaces (no route out).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkGroundTruth, countAuthAttempts, parseGroundTruth } from '../lab/ground-truth.js';
import { PROBES } from '../../src/probes/registry.js';
import type { ScanResult } from '../../src/report/model.js';
import { hexCodes, localOpensslSuites, sslscan } from '../net/sslscan.js';
import { NAMED_GROUPS } from '../../src/net/tls-hello.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const truth = parseGroundTruth(JSON.parse(readFileSync(`${root}lab/ground-truth.json`, 'utf8')));
const main = `${root}dist/cli/main.js`;

interface Scan { result: ScanResult; stdout: string; stderr: string; code: number; files: string[]; dataHome: string }

async function scan(args: string[]): Promise<Scan> {
  const out = mkdtempSync(join(tmpdir(), 'iotcop-e2e-'));
  // Each scan's run history goes to its own temporary data directory, not the user's own.
  const dataHome = mkdtempSync(join(tmpdir(), 'iotcop-e2e-data-'));
  let code = 0;
  let stdout = '';
  let stderr = '';
  try {
    ({ stdout, stderr } = await run('ip', ['netns', 'exec', truth.scanner.namespace, process.execPath, main, 'scan', truth.subnet,
      '--format', 'terminal,json,html,sarif,csv,junit,markdown', '--out', out, '--fail-on', 'never', ...args],
    { timeout: 300_000, maxBuffer: 32 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: dataHome } }));
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof err.code === 'number' ? err.code : -1;
    stdout = err.stdout ?? '';
    stderr = err.stderr ?? '';
  }
  const files = readdirSync(out).map((f) => join(out, f));
  const json = files.find((f) => f.endsWith('.json'));
  if (!json) throw new Error(`no JSON report (exit ${code}): ${stderr.slice(-2000)}`);
  return { result: JSON.parse(readFileSync(json, 'utf8')) as ScanResult, stdout, stderr, code, files, dataHome };
}

const logPath = (rel: string) => `${root}${rel}`;
const readLog = (rel: string) => (existsSync(logPath(rel)) ? readFileSync(logPath(rel), 'utf8') : '');
const lockout = truth.devices.find((d) => d.name === 'trap-lockout');
// Every device whose own log counts login attempts (the lockout trap, the vendor web-login fakes).
const counted = truth.devices.filter((d) => d.maxAuthAttempts !== undefined && d.authLog !== undefined);
const attemptsOf = () => counted.map((d) => countAuthAttempts(readLog(d.authLog!)));
let countedBefore: number[] = [];
let countedAfter: number[] = [];
const printerLog = 'lab/run/printer-9100.log';

// Password attempts as the real daemons log them: OpenSSH (LogLevel VERBOSE) logs one line per attempt;
// busybox telnetd cannot log attempts without syslog, so the camera counts login sessions instead.
const SSHD_LOGS = ['lab/run/router/sshd.log', 'lab/run/nas/sshd.log', 'lab/run/secure/sshd.log'];
const sshdAttempts = (text: string) => text.split('\n').filter((l) => /(Failed|Accepted) (password|keyboard-interactive)/.test(l)).length;
const TELNET_SESSIONS = 'lab/run/camera/telnet-sessions.log';
const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').length;
const MAX_GUESSES = 10; // the CLI's default --max-guesses
const CONFIRMATION_ATTEMPTS = 2; // docs/CREDENTIALS.md "Confirmation"
let daemonBefore: number[] = [];
let daemonAfter: number[] = [];

let revealed: Scan;
let masked: Scan;
let lockoutBefore = 0;
let lockoutAfter = 0;

beforeAll(async () => {
  lockoutBefore = lockout?.authLog ? countAuthAttempts(readLog(lockout.authLog)) : 0;
  countedBefore = attemptsOf();
  daemonBefore = [...SSHD_LOGS.map((l) => sshdAttempts(readLog(l))), lines(readLog(TELNET_SESSIONS))];
  revealed = await scan(['--reveal-credentials']);
  lockoutAfter = lockout?.authLog ? countAuthAttempts(readLog(lockout.authLog)) : 0;
  countedAfter = attemptsOf();
  daemonAfter = [...SSHD_LOGS.map((l) => sshdAttempts(readLog(l))), lines(readLog(TELNET_SESSIONS))];
  masked = await scan([]);
}, 700_000);

describe('iotcop scan of the device lab', () => {
  it('exits 0 with --fail-on never and writes a schema-valid JSON result', () => {
    expect(revealed.code).toBe(0);
    const schema = JSON.parse(readFileSync(`${root}schema/scan-result.schema.json`, 'utf8')) as object;
    const validate = new Ajv2020({ strict: false }).compile(schema);
    expect(validate(revealed.result)).toBe(true);
    expect(revealed.result.run.partial).toBe(false);
  });

  it('matches the ground truth for every registered probe (found what must be found, nothing that must not)', () => {
    const violations = checkGroundTruth(revealed.result, truth, { probes: PROBES.map((p) => p.meta.id) });
    expect(violations).toEqual([]);
  });

  it('lists the scanner itself as "This computer", found from its own interfaces, and checks nothing on it', () => {
    const self = revealed.result.devices.find((d) => d.address === truth.scanner.address);
    expect(self).toMatchObject({ thisComputer: true, name: 'This computer', identification: { type: 'computer', sources: ['local-interface'] } });
    expect(revealed.result.findings.filter((f) => f.device === truth.scanner.address)).toEqual([]);
    expect(self!.guidelines.every((g) => g.verdict === 'not_tested' && /computer running iotcop/.test(g.reason ?? ''))).toBe(true);
    expect(revealed.result.skipped).toContainEqual(expect.objectContaining({ device: truth.scanner.address, reason: 'this-computer' }));
    expect(revealed.result.devices.filter((d) => d.thisComputer).map((d) => d.address)).toEqual([truth.scanner.address]);
  });

  it('never reports a check error as a pass, and no probe crashed', () => {
    const internal = revealed.result.findings.filter((f) => f.error?.kind === 'internal');
    expect(internal.map((f) => `${f.device} ${f.check}: ${f.error?.message}`)).toEqual([]);
  });

  it('the lockout trap was never locked: no more attempts than it allows', () => {
    expect(lockout).toBeDefined();
    expect(lockoutAfter - lockoutBefore).toBeLessThanOrEqual(lockout!.maxAuthAttempts!);
  });

  it('every device that logs its login attempts saw no more than it allows (the budget plus the confirmation)', () => {
    expect(counted.length).toBeGreaterThan(5);
    const seen = counted.map((d, i) => [d.name, countedAfter[i]! - countedBefore[i]!] as const);
    for (const [name, n] of seen) expect([name, n <= counted.find((d) => d.name === name)!.maxAuthAttempts!]).toEqual([name, true]);
    // The vendor fakes whose default is found: at least the success and the confirmation reached them.
    const hik = seen.find(([name]) => name === 'web-hikvision-isapi');
    expect(hik?.[1]).toBeGreaterThanOrEqual(2);
  });

  it('the real daemons saw no more password attempts than the guess budget (sshd logs, telnet sessions)', () => {
    const spent = daemonAfter.map((n, i) => n - daemonBefore[i]!);
    expect(existsSync(logPath(SSHD_LOGS[0]!))).toBe(true);
    // router and NAS: the default logs in within the budget, so at least one attempt, at most the budget
    // plus the two confirmation attempts after the success (a wrong password, then the default again).
    expect(spent[0]).toBeGreaterThan(0);
    for (const n of spent) expect(n).toBeLessThanOrEqual(MAX_GUESSES + CONFIRMATION_ATTEMPTS);
  });

  it('accepts, on every TLS port of the lab, the suites and key-exchange groups sslscan accepts there; every difference explained', () => {
    const ports = revealed.result.findings.filter((f) => f.check === 'tls-weak-cipher' && f.port !== undefined && f.evidence !== undefined);
    expect(ports.length).toBeGreaterThanOrEqual(5);
    const local = localOpensslSuites();
    for (const f of ports) {
      const where = `${f.device}:${f.port}`;
      const ours = (f.evidence as { accepted: Record<string, { code?: string }[]> }).accepted;
      const reference = sslscan(where, truth.scanner.namespace);
      // sslscan detects SSLv2/SSLv3 with raw hellos of its own: the same answer as ours.
      for (const p of ['SSLv2', 'SSLv3']) expect([where, p, reference.enabled.has(p)]).toEqual([where, p, (ours[p] ?? []).length > 0]);
      // sslscan tests the suites its OpenSSL has by completing a handshake, the others by raw hellos. On a
      // server that completes handshakes the lists are equal; the legacy-tls fake never completes one, so
      // sslscan misses exactly the suites its OpenSSL would have had to finish (explained, not a bug).
      const completes = f.device !== truth.devices.find((d) => d.name === 'legacy-tls')!.address;
      for (const p of ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']) {
        const mine = (ours[p] ?? []).map((c) => Number.parseInt(c.code ?? '', 16));
        const theirs = [...(reference.accepted.get(p) ?? [])];
        const expected = completes ? theirs : [...theirs, ...mine.filter((id) => local.has(id))];
        expect({ where, p, ids: hexCodes(mine) }).toEqual({ where, p, ids: hexCodes(new Set(expected)) });
      }
      // The key-exchange groups (ECDHE curves on TLS 1.2, every group on TLS 1.3): equal to sslscan's.
      const groups = (f.evidence as { groups: { protocol: string; accepted: string[]; complete: boolean }[] }).groups;
      const code = new Map(Object.entries(NAMED_GROUPS).map(([c, n]) => [n, Number(c)]));
      for (const p of ['TLSv1.2', 'TLSv1.3']) {
        const g = groups.find((x) => x.protocol === p);
        if (g) expect([where, p, g.complete]).toEqual([where, p, true]);
        const mine = new Set((g?.accepted ?? []).map((n) => code.get(n) ?? -1));
        expect({ where, p, groups: hexCodes(mine) }).toEqual({ where, p, groups: hexCodes(reference.groups.get(p) ?? []) });
      }
    }
  }, 240_000);

  it('sends zero bytes to the printer\'s raw port 9100', () => {
    expect(readLog(printerLog).trim()).toBe('');
  });

  it('keeps every lab password out of reports, logs and terminal output without --reveal-credentials', () => {
    // Passwords distinctive enough to grep for: not also a user name ("admin"/"admin"), not digits only
    // ("1234" is also a port number), not an SNMP community ("public" is an English word), at least 5 characters.
    const accounts = truth.devices.flatMap((d) => d.accounts ?? []).filter((a) => a.service !== 'snmp');
    const usernames = new Set(accounts.map((a) => a.username));
    const secrets = [...new Set(accounts.map((a) => a.password))]
      .filter((p): p is string => typeof p === 'string' && p.length >= 5 && !usernames.has(p) && !/^\d+$/.test(p));
    expect(secrets.length).toBeGreaterThan(0);
    // The run history (SQLite, in this test's own XDG_DATA_HOME) is read as bytes too.
    const history = readdirSync(join(masked.dataHome, 'iotcop')).map((f) => join(masked.dataHome, 'iotcop', f));
    expect(history.some((f) => f.endsWith('.db'))).toBe(true);
    const texts = [masked.stdout, masked.stderr, ...masked.files.map((f) => readFileSync(f, 'utf8')), ...history.map((f) => readFileSync(f, 'latin1'))];
    for (const s of secrets) {
      for (const t of texts) expect(t.includes(s) ? s : '').toBe('');
    }
    for (const f of masked.files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });

  it('report --reassess of each stored lab run gives its findings exactly; a vulnerability import changes them, with nothing rescanned', async () => {
    const reassess = async (scanOf: Scan, extra: string[] = []): Promise<ScanResult> => {
      const out = mkdtempSync(join(tmpdir(), 'iotcop-e2e-reassess-'));
      // outside the lab's namespace: re-assessment sends nothing, so it needs no route to the devices.
      await run(process.execPath, [main, 'report', 'last', '--reassess', '--format', 'json', '--out', out, '-q', ...extra],
        { timeout: 120_000, env: { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: scanOf.dataHome } });
      const json = readdirSync(out).find((f) => f.endsWith('.json'));
      return JSON.parse(readFileSync(join(out, json!), 'utf8')) as ScanResult;
    };
    for (const original of [revealed, masked]) {
      const again = await reassess(original);
      expect(again.run.reassessed).toMatchObject({ keptJobs: 0 });
      expect(again.findings).toEqual(original.result.findings);
      expect(again.devices).toEqual(original.result.devices);
    }
    expect(checkGroundTruth(await reassess(revealed), truth, { probes: PROBES.map((p) => p.meta.id) })).toEqual([]);

    // a (fictitious) critical lighttpd advisory: the router's lighttpd 1.4.35, seen in the scan, now matches it.
    const router = revealed.result.findings.find((f) => f.check === 'vulnerable-software' && f.status === 'fail' && JSON.stringify(f.evidence).includes('"lighttpd"'));
    expect(router?.severity).toBe('high');
    const osv = join(mkdtempSync(join(tmpdir(), 'iotcop-e2e-osv-')), 'lighttpd.json');
    writeFileSync(osv, JSON.stringify({
      id: 'OSV-IOTCOP-E2E', aliases: ['CVE-2099-4242'], summary: 'test flaw', database_specific: { severity: 'CRITICAL' },
      affected: [{ package: { name: 'lighttpd' }, versions: ['1.4.35'] }],
    }));
    const changed = await reassess(revealed, ['--vuln-db', osv]);
    const now = changed.findings.find((f) => f.id === router!.id);
    expect(now?.severity).toBe('critical');
    expect(JSON.stringify(now?.evidence)).toContain('CVE-2099-4242');
    const rest = (r: ScanResult) => r.findings.filter((f) => f.id !== router!.id).map((f) => `${f.id} ${f.status} ${f.severity}`);
    expect(rest(changed)).toEqual(rest(revealed.result));
  }, 180_000); // four CLI runs, each reading and judging a whole lab run
});

