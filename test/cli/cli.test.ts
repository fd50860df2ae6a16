/**
 * The built CLI (dist/, made by `npm run build`, which `npm test` runs first), as a user runs it.
 * Every scan here names an explicit loopback target.
 */
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { sshBannerServer } from '../net/helpers.js';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
// Keep run history of these scans out of the user's own data directory.
const dataHome = mkdtempSync(join(tmpdir(), 'iotcop-data-'));

function iotcop(args: string[], timeout = 120_000) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout, env: { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: dataHome } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
});

describe('iotcop CLI', () => {
  it('prints help with examples and every scan option', () => {
    const top = iotcop(['--help']);
    expect(top.code).toBe(0);
    expect(top.stdout).toMatch(/scan \[targets\.\.\]/);
    expect(top.stdout).toMatch(/Examples:/);
    const scan = iotcop(['scan', '--help']);
    for (const opt of ['--config', '--safety', '--ports', '--exclude', '--allow-public', '--max-hosts', '--timeout', '--concurrency',
      '--per-host', '--out', '--format', '--reveal-credentials', '--only', '--skip', '--quiet', '--verbose', '--fail-on']) {
      expect(scan.stdout).toContain(opt);
    }
  });

  it('prints its version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(iotcop(['--version']).stdout.trim()).toBe(pkg.version);
  });

  it('prints the guideline catalogue and the probe list', () => {
    const g = iotcop(['guidelines']);
    expect(g.code).toBe(0);
    expect(g.stdout).toMatch(/uk-cop-1 +1\. No default passwords/);
    expect(g.stdout).toMatch(/uk-cop-13 +13\. Validate input data/);
    expect(g.stdout).toMatch(/UK PSTI requirement 2/);
    const p = iotcop(['probes']);
    expect(p.code).toBe(0);
    expect(p.stdout.length).toBeGreaterThan(0);
  });

  it('refuses a public target with exit 2 and one line, before sending anything', () => {
    const r = iotcop(['scan', '8.8.8.8', '--nmap', '/nonexistent/nmap-must-not-run']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^iotcop: target "8\.8\.8\.8".*--allow-public/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });

  it('exits 2 with line and column on a typo in targets.yaml', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-cli-'));
    const cfg = join(dir, 'targets.yaml');
    writeFileSync(cfg, 'scan:\n  targets: [127.0.0.1]\n  safty: safe\n');
    const r = iotcop(['scan', '--config', cfg]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`iotcop: ${cfg}:3:3: unknown key "safty" in scan`);
  });

  it.each([
    [['scan', '10.0.0.300'], /four decimal parts/],
    [['scan', '127.0.0.1', '--safety', 'reckless'], /Invalid values|choices/i],
    [['scan', '127.0.0.1', '--format', 'pdf'], /unknown format "pdf"/],
    [['scan', '127.0.0.1', '--ports', '22', '--all-ports'], /cannot be used together/],
    [['scan', '127.0.0.1', '--only', 'no-such-probe'], /unknown probe "no-such-probe"/],
    [['scan', '127.0.0.1', '--timeout', 'soon'], /not a duration/],
    [['scan', '127.0.0.1', '--format', 'json,html'], /give --out DIR/],
    [['scna'], /Unknown argument|Did you mean/i],
  ])('usage error %j exits 2 with a clear line', (args, why) => {
    const r = iotcop(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(why as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  describe('a scan of 127.0.0.1', () => {
    let server: { port: number; close: () => void };
    let port = 0;
    beforeAll(async () => {
      server = await sshBannerServer();
      port = server.port;
    });
    afterAll(() => { server.close(); });

    it('runs the whole pipeline and writes a schema-valid JSON report, mode 0600', () => {
      const out = mkdtempSync(join(tmpdir(), 'iotcop-out-'));
      const r = iotcop(['scan', '127.0.0.1', '--ports', String(port), '--format', 'json', '--out', out, '--quiet', '--fail-on', 'never']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const files = readdirSync(out).filter((f) => f.endsWith('.json'));
      expect(files).toHaveLength(1);
      const path = join(out, files[0]!);
      expect(statSync(path).mode & 0o777).toBe(0o600);
      const result = JSON.parse(readFileSync(path, 'utf8')) as { devices: { address: string; services: { port: number }[]; guidelines: unknown[] }[]; run: { targets: string[] } };
      const schema = JSON.parse(readFileSync(new URL('../../schema/scan-result.schema.json', import.meta.url), 'utf8')) as object;
      const validate = new Ajv2020({ strict: false, allErrors: true }).compile(schema);
      expect(validate(result)).toBe(true);
      expect(result.run.targets).toEqual(['127.0.0.1']);
      expect(result.devices.map((d) => d.address)).toEqual(['127.0.0.1']);
      expect(result.devices[0]!.services.map((s) => s.port)).toContain(port);
      expect(result.devices[0]!.guidelines).toHaveLength(13);
    });
  });
});
