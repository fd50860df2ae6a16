import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { DiscoveryError } from '../../src/discovery/errors.js';
import { findNmap, liveNmapProcesses, nmapVersion, runNmap, stderrLines } from '../../src/discovery/nmap.js';
import { installFakeNmap, isAliveProcess, setEnv, waitUntil, type FakeNmap } from './helpers.js';

let fake: FakeNmap;
let restore: () => void = () => {};
beforeEach(() => { fake = installFakeNmap(); });
afterEach(() => { restore(); restore = () => {}; fake.cleanup(); });

async function failure(p: Promise<unknown>): Promise<DiscoveryError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(DiscoveryError);
    return e as DiscoveryError;
  }
  throw new Error('expected a DiscoveryError');
}

const scanArgs = ['-oX', '-', '-n', '-Pn', '-sT', '-p', 'T:22,80,443', '--', '127.0.0.1'];

describe('runNmap', () => {
  test('parses the XML of a successful run; arguments reach nmap as an array', async () => {
    restore = setEnv({ FAKE_NMAP_LOG: fake.log, FAKE_NMAP_OPEN: '22,443' });
    const res = await runNmap(fake.bin, scanArgs);
    expect(res.exitCode).toBe(0);
    expect(res.warnings).toEqual([]);
    expect(res.run.hosts[0]!.ports.map((p) => p.port)).toEqual([22, 443]);
    expect(fake.runs()).toEqual([scanArgs]);
  });

  test('stderr warnings are warnings, not failures', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'warn' });
    const res = await runNmap(fake.bin, scanArgs);
    expect(res.run.hosts).toHaveLength(1);
    expect(res.warnings).toEqual(['WARNING: a warning that is not a failure', 'Failed to resolve "example.invalid".']);
  });

  test('exit 255 (an option nmap rejects) is bad-arguments', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'badargs' });
    const e = await failure(runNmap(fake.bin, ['--bogus']));
    expect(e.kind).toBe('bad-arguments');
    expect(e.exitCode).toBe(255);
    expect(e.message).toMatch(/unrecognized option/);
  });

  test('a non-zero exit is nmap-failed with nmap\'s own error message', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'fail' });
    const e = await failure(runNmap(fake.bin, scanArgs));
    expect(e.kind).toBe('nmap-failed');
    expect(e.exitCode).toBe(1);
    expect(e.message).toMatch(/Fake failure for the test/);
  });

  test('truncated output with exit 0 is xml-invalid', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'garbage' });
    const e = await failure(runNmap(fake.bin, scanArgs));
    expect(e.kind).toBe('xml-invalid');
  });

  test('a missing binary is nmap-missing', async () => {
    const e = await failure(runNmap(`${fake.dir}/no-such-nmap`, scanArgs));
    expect(e.kind).toBe('nmap-missing');
  });

  test('a file that is not executable is nmap-missing', async () => {
    const file = `${fake.dir}/not-executable`;
    writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const e = await failure(runNmap(file, scanArgs));
    expect(e.kind).toBe('nmap-missing');
  });

  test('cancellation kills the child and leaves no process behind', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'hang', FAKE_NMAP_PIDFILE: fake.pidFile });
    const ac = new AbortController();
    const p = runNmap(fake.bin, scanArgs, { signal: ac.signal });
    await waitUntil(() => existsSync(fake.pidFile) && readFileSync(fake.pidFile, 'utf8').length > 0, 'the fake nmap to start');
    const pid = Number(readFileSync(fake.pidFile, 'utf8'));
    expect(isAliveProcess(pid)).toBe(true);
    ac.abort();
    const e = await failure(p);
    expect(e.kind).toBe('aborted');
    expect(isAliveProcess(pid)).toBe(false);
    expect(liveNmapProcesses()).toBe(0);
  });

  test('a child that ignores SIGTERM is killed with SIGKILL', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'stubborn', FAKE_NMAP_PIDFILE: fake.pidFile });
    const ac = new AbortController();
    const p = runNmap(fake.bin, scanArgs, { signal: ac.signal });
    await waitUntil(() => existsSync(fake.pidFile) && readFileSync(fake.pidFile, 'utf8').length > 0, 'the fake nmap to start');
    const pid = Number(readFileSync(fake.pidFile, 'utf8'));
    ac.abort();
    expect((await failure(p)).kind).toBe('aborted');
    expect(isAliveProcess(pid)).toBe(false);
  });

  test('an already-aborted signal never starts nmap', async () => {
    restore = setEnv({ FAKE_NMAP_LOG: fake.log });
    const e = await failure(runNmap(fake.bin, scanArgs, { signal: AbortSignal.abort() }));
    expect(e.kind).toBe('aborted');
    expect(fake.runs()).toEqual([]);
  });

  test('the safety-net timeout kills a run that never ends', async () => {
    restore = setEnv({ FAKE_NMAP_MODE: 'hang', FAKE_NMAP_PIDFILE: fake.pidFile });
    const p = runNmap(fake.bin, scanArgs, { timeoutMs: 1500 });
    const e = await failure(p);
    expect(e.kind).toBe('nmap-failed');
    expect(e.message).toMatch(/did not finish/);
    expect(liveNmapProcesses()).toBe(0);
    if (existsSync(fake.pidFile)) expect(isAliveProcess(Number(readFileSync(fake.pidFile, 'utf8')))).toBe(false);
  });
});

describe('finding nmap', () => {
  test('looks on PATH and checks the version', async () => {
    expect(await findNmap(undefined, `/nonexistent:${fake.dir}`)).toBe(fake.bin);
    expect(await findNmap(undefined, '/nonexistent')).toBeNull();
    expect(await findNmap(fake.bin)).toBe(fake.bin);
    expect(await findNmap(`${fake.dir}/missing`)).toBeNull();
    expect(await nmapVersion(fake.bin)).toBe('7.93');
  });

  test('stderr lines are trimmed, non-empty and capped', () => {
    expect(stderrLines('  a \n\nQUITTING!\r\nb\n')).toEqual(['a', 'b']);
    expect(stderrLines('x\n'.repeat(500))).toHaveLength(50);
  });
});
