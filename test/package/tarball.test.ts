/**
 * The package as a user installs it: `npm pack`, then `npm install -g` of the tarball into an empty
 * prefix, then the installed `iotcop` and `import … from 'iotcop'` — nothing from this checkout's
 * node_modules or dist/ is on the path. Catches a `files` list that misses something, a bin without
 * its shebang, `exports` that point nowhere, and a native dependency (better-sqlite3, the history)
 * that does not build outside the repository.
 *
 * `npm pack --ignore-scripts`: the pack itself would run `prepack` (npm run build), which rewrites
 * dist/ while other unit tests run the built CLI; `npm test` has just built dist/, so the tarball
 * holds the same files a plain `npm pack` would.
 * The install takes a minute or two (better-sqlite3 is compiled when no prebuilt binary can be
 * downloaded); `--prefer-offline` takes the dependencies from the npm cache `npm ci` filled.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sshBannerServer } from '../net/helpers.js';

const run = promisify(execFile);
const root = new URL('../..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const work = mkdtempSync(join(tmpdir(), 'iotcop-pack-'));
const prefix = join(work, 'prefix');
const bin = join(prefix, 'bin', 'iotcop');
const installed = join(prefix, 'lib', 'node_modules', pkg.name);
// Run history and npm's own logs stay inside the temporary directory.
const env = { ...process.env, NO_COLOR: '1', XDG_DATA_HOME: join(work, 'data'), npm_config_update_notifier: 'false' };
let tarball = '';

async function iotcop(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(bin, args, { env, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 << 20 });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : -1, stdout: x.stdout ?? '', stderr: x.stderr ?? String(e) };
  }
}

beforeAll(async () => {
  if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/ is missing: run `npm run build` first (npm test does)');
  const packed = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: root, env, encoding: 'utf8' });
  tarball = join(work, packed.stdout.trim().split('\n').pop() ?? '');
  await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball],
    { cwd: work, env, encoding: 'utf8', timeout: 600_000, maxBuffer: 16 << 20 });
}, 660_000);

afterAll(() => { rmSync(work, { recursive: true, force: true }); });

describe('the packed tarball, installed into an empty prefix', () => {
  it('holds the built code, its types and the schemas, and no sources or tests', async () => {
    const { stdout } = await run('tar', ['-tzf', tarball], { encoding: 'utf8' });
    const files = stdout.split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of ['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js', 'schema/scan-result.schema.json', 'dist/data/credentials.json']) {
      expect([f, files.includes(f)]).toEqual([f, true]);
    }
    expect(files.filter((f) => f.startsWith('src/') || f.startsWith('test/') || f.startsWith('lab/'))).toEqual([]);
  });

  it('gives a working iotcop: --version and probes', async () => {
    const version = await iotcop(['--version']);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout.trim()).toBe(pkg.version);
    const probes = await iotcop(['probes']);
    expect(probes.code).toBe(0);
    for (const id of ['ssh-default-credentials', 'http-default-credentials', 'tls-configuration']) expect(probes.stdout).toContain(id);
  }, 60_000);

  describe('a scan of 127.0.0.1 from the installed package', () => {
    let server: { port: number; close: () => void };
    let port = 0;
    beforeAll(async () => {
      server = await sshBannerServer();
      port = server.port;
    });
    afterAll(() => { server.close(); });

    it('runs the whole pipeline, with run history (the native module loads), and writes a JSON report', async () => {
      const out = join(work, 'out');
      const r = await iotcop(['scan', '127.0.0.1', '--ports', String(port), '--format', 'json', '--out', out, '--quiet', '--fail-on', 'never']);
      expect(r).toMatchObject({ code: 0, stderr: '' });
      const files = readdirSync(out).filter((f) => f.endsWith('.json'));
      expect(files).toHaveLength(1);
      const result = JSON.parse(readFileSync(join(out, files[0]!), 'utf8')) as { devices: { address: string; services: { port: number; product?: string }[] }[] };
      expect(result.devices.map((d) => d.address)).toEqual(['127.0.0.1']);
      expect(result.devices[0]!.services.map((s) => s.port)).toContain(port);
      expect(existsSync(join(work, 'data', 'iotcop', 'history.db'))).toBe(true);
      const history = await iotcop(['history']);
      expect(history.code).toBe(0);
      expect(history.stdout).toContain('127.0.0.1');
    }, 180_000);
  });

  it('can be imported by a program: scan, render and the types', async () => {
    const app = join(work, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(installed, join(app, 'node_modules', pkg.name));
    writeFileSync(join(app, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(app, 'main.js'), [
      "import { scan, render, VERSION, scanResultSchema } from 'iotcop';",
      "import pkg from 'iotcop/package.json' with { type: 'json' };",
      "console.log(JSON.stringify({ scan: typeof scan, render: typeof render, VERSION, schema: typeof scanResultSchema, version: pkg.version }));",
    ].join('\n'));
    const r = await run(process.execPath, ['main.js'], { cwd: app, env, encoding: 'utf8' });
    expect(JSON.parse(r.stdout)).toEqual({ scan: 'function', render: 'function', VERSION: pkg.version, schema: 'object', version: pkg.version });
    expect(existsSync(join(installed, 'dist', 'index.d.ts'))).toBe(true);
  }, 60_000);
});
