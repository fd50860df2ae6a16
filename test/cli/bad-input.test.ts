/**
 * Bad input from the user, through the built CLI (dist/, `npm run build` first): malformed, huge or
 * unreadable targets files, invalid addresses and ranges, conflicting options. Each must give exactly one
 * clear line on stderr, no stack trace, nothing on stdout, and exit 2 — before any packet is sent (every
 * run also names a non-existent nmap, so a run that got past validation would fail with 3, not 2).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const main = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const NO_NMAP = ['--nmap', '/nonexistent/nmap-must-not-run', '--no-history'];
let dir = '';

function iotcop(args: string[]) {
  const r = spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exactly one printable line starting "iotcop: ", no stack, nothing on stdout, exit 2. */
function expectOneLine(r: ReturnType<typeof iotcop>, why: RegExp): void {
  expect({ code: r.code, stdout: r.stdout }).toEqual({ code: 2, stdout: '' });
  const lines = r.stderr.split('\n').filter((l) => l !== '');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^iotcop: /);
  expect(lines[0]).toMatch(why);
  // eslint-disable-next-line no-control-regex
  expect(lines[0]).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  expect(lines[0]!.length).toBeLessThanOrEqual(400);
}

function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

beforeAll(() => {
  if (!existsSync(main)) throw new Error('dist/cli/main.js is missing: run `npm run build` first (npm test does)');
  dir = mkdtempSync(join(tmpdir(), 'iotcop-bad-input-'));
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('invalid targets', () => {
  it.each([
    ['10.0.0.300', /invalid target "10\.0\.0\.300".*four decimal parts/],
    ['192.168.1', /invalid target "192\.168\.1".*four decimal parts/],
    ['192.168.01.1', /invalid target "192\.168\.01\.1"/],
    ['fe80::1%eth0', /zone indexes .*not supported/],
    ['10.0.0.20-10', /range end is before its start/],
    ['10.0.0.9-10.0.0.1', /range end is before its start/],
    ['10.0.0.0/33', /prefix length must be 0–32/],
    ['10.0.0.1-::2', /mixes IPv4 and IPv6/],
    ['10.0.0.1-300', /range end must be 0–255/],
    ['-10.0.0.1', /Unknown argument|invalid target|not an address/],
    ['\u202eevil\x1b[2J', /invalid target/],
    ['8.8.8.8', /--allow-public/],
    ['0.0.0.0/0', /0\.0\.0\.0|--allow-public|larger than/],
    ['10.0.0.0/8', /addresses|--max-hosts/],
  ])('scan %j: one line, exit 2', (target, why) => {
    expectOneLine(iotcop(['scan', target, ...NO_NMAP]), why);
  });

  it('an --exclude hostname is refused', () => {
    expectOneLine(iotcop(['scan', '127.0.0.1', '--exclude', 'printer.local', ...NO_NMAP]), /--exclude takes addresses/);
  });

  it('an excluded-away target set is refused', () => {
    expectOneLine(iotcop(['scan', '127.0.0.1', '--exclude', '127.0.0.0/8', ...NO_NMAP]), /every target address is excluded/);
  });
});

describe('conflicting and out-of-range options', () => {
  it.each([
    [['--quiet', '--verbose'], /--quiet and --verbose cannot be used together/],
    [['--ports', '22', '--all-ports'], /--ports and --all-ports cannot be used together/],
    [['--nmap-xml', '/tmp/x.xml', '--ports', '22'], /--nmap-xml imports an existing scan/],
    [['--format', 'json,html'], /give --out DIR/],
    [['--format', 'pdf'], /unknown format "pdf"/],
    [['--timeout', 'soon'], /not a duration/],
    [['--timeout', '0s'], /not a duration/],
    [['--timeout', '1000h'], /longer than 24 days/],
    [['--concurrency', '0'], /--concurrency must be a whole number from 1 to 512/],
    [['--per-host', '99'], /--per-host must be a whole number from 1 to 16/],
    [['--max-guesses', '-1'], /--max-guesses must be a whole number from 0 to 100/],
    [['--max-hosts', '1.5'], /--max-hosts must be a whole number/],
    [['--delay', '999999'], /--delay must be a whole number/],
    [['--only', 'no-such-probe'], /unknown probe "no-such-probe"/],
    [['--safety', 'reckless'], /Invalid values|choices/i],
    [['--fail-on', 'sometimes'], /Invalid values|choices/i],
  ])('%j: one line, exit 2', (flags, why) => {
    expectOneLine(iotcop(['scan', '127.0.0.1', ...(flags as string[]), ...NO_NMAP]), why as RegExp);
  });

  it('--verbose does not turn a usage error into a stack trace', () => {
    expectOneLine(iotcop(['scan', '10.0.0.300', '--verbose', ...NO_NMAP]), /four decimal parts/);
  });
});

describe('targets.yaml', () => {
  it('a YAML syntax error gives file:line:column', () => {
    const cfg = file('syntax.yaml', 'scan:\n  targets: [127.0.0.1\n  safety: safe\n');
    expectOneLine(iotcop(['scan', '--config', cfg, ...NO_NMAP]), new RegExp(`^iotcop: ${cfg}:\\d+:\\d+: YAML syntax error`));
  });

  it('a bad address inside the file gives its line', () => {
    const cfg = file('addr.yaml', 'devices:\n  - name: cam\n    address: 10.0.0.300\n');
    expectOneLine(iotcop(['scan', '--config', cfg, ...NO_NMAP]), new RegExp(`^iotcop: ${cfg}:3:\\d+: devices\\[0\\]\\.address: invalid target`));
  });

  it('a wrong type gives the field and its line', () => {
    const cfg = file('type.yaml', 'scan:\n  targets: [127.0.0.1]\n  concurrency: lots\n');
    expectOneLine(iotcop(['scan', '--config', cfg, ...NO_NMAP]), new RegExp(`^iotcop: ${cfg}:3:\\d+: .*concurrency`));
  });

  it('an unresolved alias and an alias bomb are configuration errors, not crashes', () => {
    expectOneLine(iotcop(['scan', '--config', file('alias.yaml', 'scan: *nowhere\n'), ...NO_NMAP]), /alias\.yaml: /);
    const levels = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(',')}]`)];
    expectOneLine(iotcop(['scan', '--config', file('bomb.yaml', `${levels.join('\n')}\n`), ...NO_NMAP]), /bomb\.yaml: /);
  });

  it('a huge file is refused without reading it all', () => {
    const cfg = file('huge.yaml', Buffer.alloc(3 * 1024 * 1024, '#'));
    expectOneLine(iotcop(['scan', '--config', cfg, ...NO_NMAP]), /larger than 1024 KiB/);
  });

  it('a binary file is a syntax or content error', () => {
    const cfg = file('binary.yaml', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));
    expectOneLine(iotcop(['scan', '--config', cfg, ...NO_NMAP]), /binary\.yaml/);
  });

  it('unreadable paths: missing, a directory, a FIFO (which must not block), a path under a file', () => {
    expectOneLine(iotcop(['scan', '--config', join(dir, 'missing.yaml'), ...NO_NMAP]), /missing\.yaml: cannot read the targets file/);
    const sub = join(dir, 'a-directory.yaml');
    mkdirSync(sub);
    expectOneLine(iotcop(['scan', '--config', sub, ...NO_NMAP]), /a-directory\.yaml: not a regular file/);
    const fifo = join(dir, 'fifo.yaml');
    spawnSync('mkfifo', [fifo]);
    expect(existsSync(fifo)).toBe(true);
    expectOneLine(iotcop(['scan', '--config', fifo, ...NO_NMAP]), /fifo\.yaml: not a regular file/);
    const underFile = join(file('plain.txt', 'x'), 'targets.yaml');
    expectOneLine(iotcop(['scan', '--config', underFile, ...NO_NMAP]), /targets\.yaml: cannot read the targets file/);
  });

  it('an --nmap-xml file that is not nmap XML is a usage error', () => {
    const xml = file('bad.xml', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><nmaprun>&a;</nmaprun>');
    expectOneLine(iotcop(['scan', '--nmap-xml', xml, '--no-history']), /entity|DOCTYPE|DTD/i);
  });
});
