/** Shared helpers for discovery tests: the fake nmap, temporary files, in-process servers on 127.0.0.1. */
import { chmodSync, copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const FIXTURES = path.join(process.cwd(), 'test/discovery/fixtures');

export function fixture(name: string): string {
  return readFileSync(path.join(FIXTURES, name), 'utf8');
}

export interface FakeNmap {
  dir: string;
  /** Path of the executable fake (named "nmap"). */
  bin: string;
  log: string;
  pidFile: string;
  /** argv of every run so far (the `--version` check left out). */
  runs(): string[][];
  cleanup(): void;
}

/** Copies the fake nmap into a fresh directory as an executable named `nmap`. */
export function installFakeNmap(): FakeNmap {
  const dir = mkdtempSync(path.join(tmpdir(), 'iotcop-fake-nmap-'));
  const bin = path.join(dir, 'nmap');
  copyFileSync(path.join(FIXTURES, 'fake-nmap.mjs'), bin);
  chmodSync(bin, 0o755);
  const log = path.join(dir, 'argv.log');
  return {
    dir, bin, log, pidFile: path.join(dir, 'pid'),
    runs: () => {
      try {
        return readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as string[]).filter((a) => !(a.length === 1 && a[0] === '--version'));
      } catch {
        return [];
      }
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Sets environment variables for the duration of a test; returns a restore function. */
export function setEnv(vars: Record<string, string | undefined>): () => void {
  const saved = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(vars)) {
    saved.set(k, process.env[k]);
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  return () => {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

export function isAliveProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function waitUntil(check: () => boolean, what: string, maxMs = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > maxMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A TCP server on 127.0.0.1 with a random port; `onConnection` handles sockets (errors are swallowed). */
export async function tcpServer(onConnection: (socket: net.Socket) => void = () => {}): Promise<{ port: number; server: net.Server; close: () => Promise<void>; sockets: Set<net.Socket> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConnection(s);
    // Flowing, so 'end' fires as soon as the peer's FIN is read (connection counters rely on it).
    s.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port, server, sockets,
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/**
 * Counts connections open at the same time from the server's side. A connection stops counting
 * when the peer's FIN is read ('end'), which happens before the peer's next connection is accepted.
 */
export function concurrencyCounter(): { track: (s: net.Socket) => void; peak: () => number; total: () => number } {
  let active = 0;
  let peak = 0;
  let total = 0;
  return {
    track: (s) => {
      active++;
      total++;
      peak = Math.max(peak, active);
      let counted = true;
      const done = () => { if (counted) { counted = false; active--; } };
      s.once('end', done);
      s.once('close', done);
    },
    peak: () => peak,
    total: () => total,
  };
}

/** A port on 127.0.0.1 that is closed (bound then released). */
export async function closedPort(): Promise<number> {
  const s = await tcpServer();
  const port = s.port;
  await s.close();
  return port;
}
