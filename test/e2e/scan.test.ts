/**
 * The real CLI scanning the device lab from inside its LAN namespace, judged against lab/ground-truth.json:
 * everything expected is found, nothing is reported on the well-configured and silent devices, no default
 * credential on the traps, the lockout trap is never locked, the printer's raw port receives zero bytes,
 * and no report, log or terminal output of a scan without --reveal-credentials holds a lab password.
 *
 * Every packet goes to 10.231.0.0/24 inside the lab's namespaces (no route out).
 */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkGroundTruth, countAuthAttempts, parseGroundTruth } from '../lab/ground-truth.js';
import { PROBES } from '../../src/probes/registry.js';
import type { ScanResult } from '../../src/report/model.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const truth = parseGroundTruth(JSON.parse(readFileSync(`${root}lab/ground-truth.json`, 'utf8')));
const main = `${root}dist/cli/main.js`;

interface Scan { result: ScanResult; stdout: string; stderr: string; code: number; files: string[] }

// Run history of these scans goes to a temporary data directory, not the user's own.
const dataHome = mkdtempSync(join(tmpdir(), 'iotcop-e2e-data-'));

async function scan(args: string[]): Promise<Scan> {
  const out = mkdtempSync(join(tmpdir(), 'iotcop-e2e-'));
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
  return { result: JSON.parse(readFileSync(json, 'utf8')) as ScanResult, stdout, stderr, code, files };
}

const logPath = (rel: string) => `${root}${rel}`;
const readLog = (rel: string) => (existsSync(logPath(rel)) ? readFileSync(logPath(rel), 'utf8') : '');
const lockout = truth.devices.find((d) => d.maxAuthAttempts !== undefined && d.authLog);
const printerLog = 'lab/run/printer-9100.log';

let revealed: Scan;
let masked: Scan;
let lockoutBefore = 0;
let lockoutAfter = 0;

beforeAll(async () => {
  lockoutBefore = lockout?.authLog ? countAuthAttempts(readLog(lockout.authLog)) : 0;
  revealed = await scan(['--reveal-credentials']);
  lockoutAfter = lockout?.authLog ? countAuthAttempts(readLog(lockout.authLog)) : 0;
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

  it('never reports a check error as a pass, and no probe crashed', () => {
    const internal = revealed.result.findings.filter((f) => f.error?.kind === 'internal');
    expect(internal.map((f) => `${f.device} ${f.check}: ${f.error?.message}`)).toEqual([]);
  });

  it('the lockout trap was never locked: no more attempts than it allows', () => {
    expect(lockout).toBeDefined();
    expect(lockoutAfter - lockoutBefore).toBeLessThanOrEqual(lockout!.maxAuthAttempts!);
  });

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
    const history = readdirSync(join(dataHome, 'iotcop')).map((f) => join(dataHome, 'iotcop', f));
    expect(history.some((f) => f.endsWith('.db'))).toBe(true);
    const texts = [masked.stdout, masked.stderr, ...masked.files.map((f) => readFileSync(f, 'utf8')), ...history.map((f) => readFileSync(f, 'latin1'))];
    for (const s of secrets) {
      for (const t of texts) expect(t.includes(s) ? s : '').toBe('');
    }
    for (const f of masked.files) expect(statSync(f).mode & 0o777).toBe(0o600);
  });
});
