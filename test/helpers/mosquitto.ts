// Debian's mosquitto on 127.0.0.1 for tests on real software: a fresh directory, a free port, anonymous
// access or a password file, and a wait until it accepts connections. Installed by lab/install-deps
// (CI runs it): a missing mosquitto fails the test, never skips it.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const MOSQUITTO = '/usr/sbin/mosquitto';

async function freeTcpPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export interface Mosquitto { port: number; stop(): Promise<void> }

/** `users` set: a password file with those accounts and no anonymous clients; unset: anyone may connect. */
export async function startMosquitto(users?: Record<string, string>): Promise<Mosquitto> {
  const dir = mkdtempSync(join(tmpdir(), 'iotcop-mosquitto-'));
  const port = await freeTcpPort();
  const lines = [`listener ${port} 127.0.0.1`, 'persistence false', 'user root', 'log_dest none'];
  if (users) {
    const file = join(dir, 'passwd');
    writeFileSync(file, '', { mode: 0o600 });
    for (const [user, password] of Object.entries(users)) execFileSync('mosquitto_passwd', ['-b', file, user, password], { stdio: 'ignore' });
    lines.push('allow_anonymous false', `password_file ${file}`);
  } else {
    lines.push('allow_anonymous true');
  }
  writeFileSync(join(dir, 'mosquitto.conf'), `${lines.join('\n')}\n`);
  const proc = spawn(MOSQUITTO, ['-c', join(dir, 'mosquitto.conf')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const stop = async (): Promise<void> => { proc.kill('SIGTERM'); await exited; rmSync(dir, { recursive: true, force: true }); };
  for (let i = 0; i < 40; i++) {
    if (await accepts(port)) return { port, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`mosquitto did not start on 127.0.0.1:${port} (is ${MOSQUITTO} installed? bash lab/install-deps)`);
}
