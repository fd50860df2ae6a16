import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../src/errors.js';
import { deviceConfigs } from '../../src/api/run.js';
import { loadConfig, parseConfig } from '../../src/targets/config.js';
import { parseDuration } from '../../src/targets/config-schema.js';

function errorOf(text: string): ConfigError {
  try {
    parseConfig(text, 'targets.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('targets.yaml', () => {
  it('accepts the documented example file', () => {
    const text = readFileSync(new URL('../../targets.example.yaml', import.meta.url), 'utf8');
    const loaded = parseConfig(text, 'targets.example.yaml');
    expect(loaded.config.devices?.[0]?.name).toBe('Living-room camera');
    expect(loaded.config.scan?.safety).toBe('credentials');
    expect(loaded.deviceLocations[0]?.line).toBeGreaterThan(1);
  });

  it('takes per-device credential allowances (1-20 wrong passwords per user name, 0-100 guesses) and rejects others', () => {
    const loaded = parseConfig('devices:\n  - address: 10.0.0.5\n    maxGuesses: 20\n    maxFailuresPerAccount: 5\n', 'targets.yaml');
    expect(loaded.config.devices?.[0]).toMatchObject({ maxGuesses: 20, maxFailuresPerAccount: 5 });
    // ...and the scan's per-device configuration carries them to the scheduler (which hands them to the probes).
    expect(deviceConfigs(loaded).get('10.0.0.5')?.config).toMatchObject({ maxGuesses: 20, maxFailuresPerAccount: 5 });
    expect(errorOf('devices:\n  - address: 10.0.0.5\n    maxFailuresPerAccount: 0\n').message).toMatch(/maxFailuresPerAccount/);
    expect(errorOf('devices:\n  - address: 10.0.0.5\n    maxGuesses: 500\n').message).toMatch(/maxGuesses/);
  });

  it('names line and column of an unknown key (a typo)', () => {
    const e = errorOf('scan:\n  safety: safe\n  timout: 10m\n');
    expect(e.message).toBe('targets.yaml:3:3: unknown key "timout" in scan');
    expect([e.line, e.column]).toEqual([3, 3]);
  });

  it('names line and column of a bad value', () => {
    const e = errorOf('devices:\n  - address: 10.0.0.5\n    type: toaster\n');
    expect(e.line).toBe(3);
    expect(e.column).toBe(11);
    expect(e.message).toMatch(/devices\[0\]\.type/);
  });

  it('names the line of an invalid address in a device entry and in scan.targets', () => {
    expect(errorOf('devices:\n  - address: 10.0.0.300\n').message).toMatch(/^targets\.yaml:2:14: devices\[0\]\.address: invalid target/);
    expect(errorOf('scan:\n  targets:\n    - 10.0.0.0/24\n    - 192.168.1\n').message).toMatch(/^targets\.yaml:4:7: scan\.targets\[1\]/);
  });

  it('names the line of an unknown probe in a device\'s only/skip and in scan.skip (a typo would leave a device unchecked)', () => {
    const e = errorOf('devices:\n  - address: 10.0.0.5\n    only: [telnet-default-credential]\n');
    expect(e.message).toMatch(/^targets\.yaml:3:\d+: devices\[0\]\.only\[0\]: unknown probe "telnet-default-credential"/);
    expect(errorOf('scan:\n  skip:\n    - ssh-configuraton\n').message).toMatch(/^targets\.yaml:3:7: scan\.skip\[0\]: unknown probe "ssh-configuraton"/);
    expect(parseConfig('devices:\n  - address: 10.0.0.5\n    skip: [telnet-default-credentials]\n', 'targets.yaml').config.devices?.[0]?.skip).toEqual(['telnet-default-credentials']);
  });

  it('reports YAML syntax errors with a position', () => {
    const e = errorOf('scan:\n  safety: [safe\n');
    expect(e.message).toMatch(/^targets\.yaml:\d+:\d+: YAML syntax error/);
  });

  it('rejects bad durations, dates and URLs', () => {
    expect(errorOf('scan:\n  timeout: soon\n').message).toMatch(/2:12: scan\.timeout: expected a duration/);
    expect(errorOf('devices:\n  - address: 10.0.0.1\n    supportEnd: 2027-13-45\n').message).toMatch(/supportEnd/);
    expect(errorOf('devices:\n  - address: 10.0.0.1\n    disclosureUrl: not a url\n').message).toMatch(/disclosureUrl/);
  });

  it('keeps the message on one line when the unknown key is itself a map (found by fuzzing)', () => {
    const e = errorOf('? Server: Boa/0.94.14rc21 #');
    expect(e.message.split('\n')).toHaveLength(1);
    expect(e.message).toMatch(/^targets\.yaml:1:1: unknown key/);
  });

  it('rejects duplicate keys', () => {
    expect(errorOf('scan:\n  safety: safe\n  safety: intrusive\n').message).toMatch(/YAML syntax error/);
  });

  it('parses durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration(45)).toBe(45_000);
    expect(parseDuration('0s')).toBeNull();
    expect(parseDuration('ten')).toBeNull();
  });

  it('says clearly when the file is missing, a directory or unreadable', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'iotcop-cfg-'));
    await expect(loadConfig(join(dir, 'nope.yaml'))).rejects.toThrow(/nope\.yaml: cannot read the targets file: no such file/);
    await expect(loadConfig(dir)).rejects.toThrow(/not a regular file/);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, `# ${'x'.repeat(1024 * 1024 + 10)}\n`);
    await expect(loadConfig(big)).rejects.toThrow(/larger than/);
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked.yaml');
      writeFileSync(locked, 'scan: {}\n');
      chmodSync(locked, 0o000);
      await expect(loadConfig(locked)).rejects.toThrow(/permission denied/);
    }
  });
});
