/** The webfakes CLI as the lab runs it: --family --host --port --log --password-file; the log names users, never passwords. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SERVER = join(dirname(fileURLToPath(import.meta.url)), '../../lab/devices/webfakes/server.mjs');

it('serves a family from the command line and logs each login attempt without the password', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'iotcop-webfake-'));
  try {
    writeFileSync(join(dir, 'pw'), 'Planted-Secret-42\n');
    const child = spawn(process.execPath, [SERVER, '--family', 'homebridge-ui', '--host', '127.0.0.1', '--port', '0', '--log', join(dir, 'log'), '--password-file', join(dir, 'pw')], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => { out += c.toString(); const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out); if (m) resolve(Number(m[1])); });
        child.once('exit', (code) => reject(new Error(`exited ${code}`)));
      });
      const login = (password: string) => fetch(`http://127.0.0.1:${port}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
      expect((await login('Planted-Secret-42')).status).toBe(201);
      expect((await login('admin')).status).toBe(403);
      const lines = readFileSync(join(dir, 'log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { user: string; result: string });
      expect(lines.map((l) => [l.user, l.result])).toEqual([['admin', 'ok'], ['admin', 'fail']]);
      expect(readFileSync(join(dir, 'log'), 'utf8')).not.toContain('Planted-Secret-42');
    } finally {
      child.kill('SIGTERM');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

it('refuses a family id that is not a plain name', async () => {
  const child = spawn(process.execPath, [SERVER, '--family', '../../etc/passwd', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (c: Buffer) => { err += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  expect(code).toBe(1);
  expect(err).toMatch(/bad family id/);
});
