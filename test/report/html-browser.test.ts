/**
 * The HTML report in a real browser: headless Chromium (Debian package `chromium`) loads the rich
 * fixture report from a file, we read back the DOM it built and a screenshot.
 *
 * Checks: the hostile strings show as text, no element or attribute came out of them, no script
 * ran (payloads that would mark the page if they ran leave no mark), the title is ours, and the
 * screenshot is a real 1280×2000 PNG. Two control pages prove the detection works: without a
 * CSP a marker script does run and is seen; with our CSP the same script is blocked.
 *
 * Chromium is required: CI installs it. A missing browser fails the test, it is never skipped.
 * Set REPORT_SCREENSHOT=/path/shot.png to keep the screenshot (e.g. as a CI artifact).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CSP, renderHtml } from '../../src/report/render/html.js';
import { HOSTILE_NAME, richResult } from './fixtures/rich-result.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const MARK = "document.documentElement.setAttribute('data-pwned','1')";
const SCRIPT_PAYLOAD = `<script>${MARK}</script>`;
const IMG_PAYLOAD = `"><img src=x onerror="${MARK}">`;
const SVG_PAYLOAD = `<svg onload="${MARK}"></svg>`;

let dir = '';

function chromium(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const base = [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--disable-extensions', '--hide-scrollbars', `--user-data-dir=${join(dir, 'profile')}`,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, [...base, ...args], { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`chromium failed: ${err.message}\n${stderr.slice(-2000)}`));
      else resolve({ stdout, stderr });
    });
  });
}

function dumpDom(file: string): Promise<string> {
  return chromium(['--virtual-time-budget=3000', '--dump-dom', pathToFileURL(file).href]).then((r) => r.stdout);
}

/** The serialised <html> start tag, where a payload that ran would leave data-pwned="1". */
function htmlTag(dom: string): string {
  return /<html[^>]*>/.exec(dom)?.[0] ?? '';
}

beforeAll(() => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install the Debian package "chromium" (apt-get install chromium) or set CHROMIUM_PATH. This test is required and never skipped.`);
  }
  dir = mkdtempSync(join(tmpdir(), 'iotcop-html-'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('HTML report in headless Chromium', () => {
  it('control: without a CSP a marker script runs and is detected', async () => {
    const file = join(dir, 'control-open.html');
    writeFileSync(file, `<!DOCTYPE html><html><head><title>control</title></head><body>${SCRIPT_PAYLOAD}</body></html>`);
    expect(htmlTag(await dumpDom(file))).toContain('data-pwned="1"');
  }, 90_000);

  it('control: our Content-Security-Policy blocks the same script', async () => {
    const file = join(dir, 'control-csp.html');
    writeFileSync(file, `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="${CSP}"><title>control</title></head><body>${SCRIPT_PAYLOAD}${IMG_PAYLOAD}</body></html>`);
    const dom = await dumpDom(file);
    expect(htmlTag(dom)).toMatch(/^<html/);
    expect(htmlTag(dom)).not.toContain('data-pwned');
  }, 90_000);

  it('shows hostile device text as text and runs nothing', async () => {
    const result = richResult();
    const evil = result.devices.find((d) => d.address === '10.0.5.66')!;
    evil.name = `${HOSTILE_NAME}${SCRIPT_PAYLOAD}${IMG_PAYLOAD}`;
    evil.hostnames.push(SVG_PAYLOAD);
    evil.services[0]!.banner = `${IMG_PAYLOAD}${SVG_PAYLOAD}`;
    const finding = result.findings.find((f) => f.device === '10.0.5.66' && f.status === 'fail')!;
    finding.summary = `${finding.summary} ${SCRIPT_PAYLOAD}`;
    finding.evidence = { realm: IMG_PAYLOAD, title: SCRIPT_PAYLOAD };
    const file = join(dir, 'report.html');
    writeFileSync(file, renderHtml(result, { color: false, now: new Date('2024-05-01T15:00:00Z') }));

    const dom = await dumpDom(file);
    expect(dom).toMatch(/<title>iotcop report – 4 devices – 2024-05-01<\/title>/);
    expect(dom).toContain('Security check of your network devices');
    // Nothing ran: the payloads would have marked the <html> element.
    expect(htmlTag(dom)).toMatch(/^<html/);
    expect(htmlTag(dom)).not.toContain('data-pwned');
    // No element came out of device text: no script, no img, no svg, no event handler attribute.
    expect(dom).not.toMatch(/<script/i);
    expect(dom).not.toMatch(/<img/i);
    expect(dom).not.toMatch(/<svg/i);
    expect(dom).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    // The payloads are there, as text (serialised with entities).
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt;"&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(dom).toContain(`&lt;script&gt;${MARK}&lt;/script&gt;`);
    expect(dom).toContain(`"&gt;&lt;img src=x onerror="${MARK}"&gt;`);
    expect(dom).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(dom).toContain('Evil\\u{202e}Corp');
    // The matrix and cards made it into the page.
    expect((dom.match(/<td class="cell v-/g) ?? []).length).toBe(4 * 13);
    expect((dom.match(/<article class="device/g) ?? []).length).toBe(4);
  }, 90_000);

  it('a device whose password check skipped likely candidates is never "No issues" for Passwords', async () => {
    const result = richResult();
    const file = join(dir, 'partial.html');
    writeFileSync(file, renderHtml(result, { color: false, now: new Date('2024-05-01T15:00:00Z') }));
    const dom = await dumpDom(file);
    // The NAS row of the matrix: its first cell (1. Passwords) as the browser built it.
    const row = /<tr><th scope="row"><a href="#device-\d+"><bdi>Family NAS — Synology DS220\+<\/bdi><\/a>[\s\S]*?<\/tr>/.exec(dom)?.[0] ?? '';
    expect(row).not.toBe('');
    const firstCell = /<td class="cell (v-[a-z_]+)" title="1\. No default passwords: ([^"]+)">[\s\S]*?<\/td>/.exec(row);
    expect(firstCell?.[1]).toBe('v-partial');
    expect(firstCell?.[2]).toBe('Partly checked');
    expect(firstCell?.[0]).toContain('Partly checked');
    expect(firstCell?.[0]).not.toContain('No issues');
    // Its card says so, lists what is left, and the PSTI line is not "OK".
    const card = /<article class="device v-([a-z_]+)" id="device-\d+">(?:(?!<\/article>)[\s\S])*?Family NAS[\s\S]*?<\/article>/.exec(dom);
    expect(card?.[1]).toBe('partial');
    expect(card?.[0]).toContain('What could only be partly checked');
    expect(card?.[0]).toContain('To finish the check:');
    expect(card?.[0]).not.toContain('The checks that ran found no problems on this device. Remember');
  }, 90_000);

  it('takes a non-trivial screenshot', async () => {
    const file = join(dir, 'shot-source.html');
    writeFileSync(file, renderHtml(richResult(), { color: false, now: new Date('2024-05-01T15:00:00Z') }));
    const png = join(dir, 'report.png');
    await chromium([`--screenshot=${png}`, '--window-size=1280,2000', pathToFileURL(file).href]);
    expect(existsSync(png)).toBe(true);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
    // IHDR: width and height, big-endian, at bytes 16..24.
    expect(bytes.readUInt32BE(16)).toBe(1280);
    expect(bytes.readUInt32BE(20)).toBe(2000);
    // A blank or error page compresses to a few KB; the report is far richer.
    expect(statSync(png).size).toBeGreaterThan(60_000);
    if (process.env.REPORT_SCREENSHOT) copyFileSync(png, process.env.REPORT_SCREENSHOT);
  }, 90_000);
});
