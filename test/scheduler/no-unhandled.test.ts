/**
 * "Nothing a probe does may reject out of the runner." Jest swallows unhandled rejections, so this test
 * transpiles the runner and the net layer to a temporary directory and runs adversarial probes in a
 * child `node --unhandled-rejections=strict`, where any unhandled rejection kills the process.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

function transpileTree(out: string): void {
  const files = [
    ...readdirSync(join(root, 'src/net')).filter((f) => f.endsWith('.ts')).map((f) => `src/net/${f}`),
    ...readdirSync(join(root, 'src/scheduler')).filter((f) => f.endsWith('.ts')).map((f) => `src/scheduler/${f}`),
    'src/data/ports.ts', // the fragile-port list src/net/scope.ts reads
    'src/data/lockout-patterns.ts', // read by src/net/telnet.ts
    'src/probes/contract.ts',
    'src/report/model.ts',
    'src/model.ts',
    'src/text.ts', // maskSecret, for the evidence a job keeps
  ];
  for (const rel of files) {
    const js = ts.transpileModule(readFileSync(join(root, rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
      fileName: rel,
    }).outputText;
    const dest = join(out, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  }
}

const SCRIPT = `
import net from 'node:net';
import { createRunner } from './src/scheduler/run.js';
import { NetError } from './src/net/index.js';

const server = net.createServer((s) => { s.on('error', () => {}); });
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
const log = { debug() {}, info() {}, warn() {} };
const settings = { safety: 'intrusive', maxGuesses: 10, attemptDelayMs: 0, revealData: false, online: false };
const check = { title: 't', failureTitle: 'f', summary: 's', guidelines: ['uk-cop-6'], provisions: ['5.6-1'], severity: 'low', description: 'd', remediation: 'r' };
const probe = (id, collect, assess = () => [{ check: id, status: 'pass' }], timeoutMs = 150) => ({
  meta: { id, title: id, safety: 'safe', appliesTo: { scope: 'service' }, budget: { maxConnections: 3, timeoutMs }, checks: { [id]: check } },
  collect, assess,
});
const probes = [
  probe('late-reject', () => new Promise((_, rej) => setTimeout(() => rej(new Error('late')), 300))),
  probe('sync-throw', () => { throw new Error('sync'); }),
  probe('async-throw', async () => { throw new NetError('reset', 'x'); }),
  probe('assess-throw', async () => null, () => { throw new Error('assess'); }),
  probe('read-after-abort', async (ctx) => {
    const conn = await ctx.net.tcp(port);
    try { await conn.readUntil(() => false, 10_000); } finally { setTimeout(() => { conn.write('x').catch(() => {}); }, 250); }
    return null;
  }),
  probe('sleep-after-abort', async (ctx) => { await ctx.sleep(10_000); }),
  probe('budget', async (ctx) => { for (let i = 0; i < 5; i++) (await ctx.net.tcp(port)).close(); return null; }),
  probe('deaf', () => new Promise(() => {})),
  probe('throws-non-error', async () => { throw 'a string'; }),
];
const device = (address) => ({ address, hostnames: [], name: address, identification: { type: 'unknown', confidence: 'low', sources: [] }, services: [{ port, transport: 'tcp', state: 'open' }] });

// Run 1: every job to its end. Run 2: a global timeout in the middle. Run 3: an external abort.
const summaries = [];
for (const variant of ['plain', 'timeout', 'abort']) {
  const controller = new AbortController();
  const runner = createRunner(probes, {
    settings, log, concurrency: 4, jobsPerHost: 4,
    timeoutMs: variant === 'timeout' ? 60 : undefined,
    signal: controller.signal,
    onProgress: () => { throw new Error('progress sink broken'); },
  });
  runner.addDevice(device('127.0.0.1'));
  if (variant === 'abort') setTimeout(() => controller.abort(new Error('SIGINT')), 40);
  const out = await runner.finish();
  summaries.push({ variant, statuses: out.outcomes.map((o) => o.probe + ':' + o.status).sort(), skipped: out.skipped.length, partial: out.partial });
}
await new Promise((r) => setTimeout(r, 500));
server.close();
process.stdout.write(JSON.stringify(summaries));
`;

describe('runner isolation', () => {
  it('survives adversarial probes under --unhandled-rejections=strict', () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-runner-'));
    try {
      transpileTree(dir);
      writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
      symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
      writeFileSync(join(dir, 'main.js'), SCRIPT);
      const r = spawnSync(process.execPath, ['--unhandled-rejections=strict', join(dir, 'main.js')], {
        cwd: dir, encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH ?? '' },
      });
      expect({ status: r.status, stderr: r.stderr.slice(0, 2000) }).toEqual({ status: 0, stderr: '' });
      const summaries = JSON.parse(r.stdout) as { variant: string; statuses: string[]; skipped: number; partial: boolean }[];
      const plain = summaries.find((s) => s.variant === 'plain')!;
      expect(plain.partial).toBe(false);
      expect(plain.statuses).toEqual([
        'assess-throw:error', 'async-throw:error', 'budget:error', 'deaf:error', 'late-reject:error',
        'read-after-abort:done', 'sleep-after-abort:error', 'sync-throw:error', 'throws-non-error:error',
      ]);
      expect(summaries.find((s) => s.variant === 'timeout')?.partial).toBe(true);
      expect(summaries.find((s) => s.variant === 'abort')?.partial).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
