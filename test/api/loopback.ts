/**
 * Shared by the API, JSONL, data-store and package tests: an in-process HTTP server on 127.0.0.1 that
 * announces a chosen Server header, and the built CLI run asynchronously (so that server keeps answering).
 * Every scan here names 127.0.0.1 and explicit ports.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const root = new URL('../../', import.meta.url).pathname;
export const main = `${root}dist/cli/main.js`;

export async function bannerServer(serverHeader: string): Promise<{ port: number; close(): Promise<void> }> {
  const server: Server = createServer((_req, res) => {
    res.setHeader('Server', serverHeader);
    res.setHeader('Content-Type', 'text/html');
    res.end('<html><head><title>Test device</title></head><body>ok</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { port, close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each stdout line with the time (ms since start) it arrived. */
  lines: { at: number; text: string }[];
  /** When the process exited (ms since start). */
  exitAt: number;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Runs a command asynchronously with extra environment variables and a deadline (SIGKILL after it). */
export function runCommand(cmd: string, args: string[], env: Record<string, string | undefined> = {}, timeoutMs = 180_000, cwd?: string): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
    let stdout = '';
    let stderr = '';
    let partial = '';
    const lines: CliRun['lines'] = [];
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      partial += chunk;
      const parts = partial.split('\n');
      partial = parts.pop() ?? '';
      for (const text of parts) lines.push({ at: Date.now() - started, text });
    });
    child.stderr.on('data', (chunk: string) => { stderr += chunk; });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (partial) lines.push({ at: Date.now() - started, text: partial });
      resolve({ code, stdout, stderr, lines, exitAt: Date.now() - started });
    });
  });
}

export function iotcop(args: string[], env: Record<string, string | undefined> = {}, timeoutMs?: number): Promise<CliRun> {
  return runCommand(process.execPath, [main, ...args], env, timeoutMs);
}
