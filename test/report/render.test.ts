/* eslint-disable no-control-regex -- these tests look for control characters on purpose */
/**
 * What every renderer must do with the rich fixture: hostile text inert, the plain-language
 * content present, every format able to render an empty scan.
 */
import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { GUIDELINES } from '../../src/guidelines/catalogue.js';
import type { ScanResult } from '../../src/report/model.js';
import { scanResultSchema } from '../../src/report/schema.js';
import { CSV_COLUMNS } from '../../src/report/render/csv.js';
import { SELF_NOT_CHECKED, deviceLabel, deviceTitle, manualChecklist, remediationSteps } from '../../src/report/render/common.js';
import { withAnnouncedName } from '../../src/discovery/identify.js';
import type { Device } from '../../src/model.js';
import { rollUp } from '../../src/guidelines/rollup.js';
import { FORMATS, FORMAT_NAMES, extensionOf, isFormat, render } from '../../src/report/render/index.js';
import { HOSTILE, HOSTILE_NAME, emptyResult, richResult } from './fixtures/rich-result.js';

const NOW = new Date('2024-05-01T15:00:00Z');
const plainOpts = { color: false, now: NOW };

/** RFC 4180 parser (quoted cells with doubled quotes, CRLF rows). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { row.push(cell); cell = ''; } else if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i++; } else cell += ch;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

describe('format registry', () => {
  it('lists every format once with its extension', () => {
    expect(FORMAT_NAMES).toEqual(['terminal', 'json', 'html', 'sarif', 'csv', 'junit', 'markdown']);
    expect(new Set(FORMATS.map((f) => f.extension)).size).toBe(FORMATS.length);
    expect(extensionOf('junit')).toBe('junit.xml');
    expect(isFormat('sarif')).toBe(true);
    expect(isFormat('pdf')).toBe(false);
    expect(() => render('pdf' as never, richResult(), plainOpts)).toThrow(/unknown report format/);
  });

  it('every format renders an empty scan', () => {
    for (const f of FORMAT_NAMES) {
      const out = render(f, emptyResult(), plainOpts);
      expect(out.length).toBeGreaterThan(50);
      expect(out.endsWith('\n')).toBe(true);
    }
    expect(render('terminal', emptyResult(), plainOpts)).toContain('No devices answered.');
    expect(render('html', emptyResult(), plainOpts)).toContain('No devices answered');
  });
});

describe('a scan where no check could run', () => {
  function untested(): ScanResult {
    const r = richResult();
    r.findings = r.findings.filter((f) => f.status === 'error' || f.status === 'not_tested');
    for (const d of r.devices) {
      d.guidelines = d.guidelines.map((g) => (g.verdict === 'manual' ? g : { id: g.id, verdict: 'not_tested', findings: [], reason: 'No check applies to the services this device exposes.' }));
    }
    return r;
  }

  it('does not tell the reader the devices are fine', () => {
    const term = render('terminal', untested(), plainOpts);
    expect(term).toContain('No check could run on any device');
    expect(term).not.toContain('No guideline failed');
    expect(term).toContain('No check could run on this device');
    const html = render('html', untested(), plainOpts);
    expect(html).toContain('No check could run on any device');
    expect(html).not.toContain('No problems were found');
    expect(html).not.toContain('No problems found');
    expect(render('markdown', untested(), plainOpts)).toContain('No check could run on this device');
  });

  it('says a shared reason once per device', () => {
    const term = render('terminal', untested(), plainOpts);
    const cam = term.slice(term.indexOf('Front door camera — Hikvision DS-2CD2042WD (10.0.5.20)\n'));
    const block = cam.slice(0, cam.indexOf('UK law (PSTI)'));
    expect(block.match(/No check applies to the services this device exposes\./g)?.length).toBe(1);
    expect(block).toContain('1 Passwords, 2 Bug reports, 3 Updates');
  });
});

describe('what a report calls a device', () => {
  const dev = (over: Partial<Device>, id: Partial<Device['identification']> = {}): Device => ({
    address: '192.168.1.22', hostnames: [], name: '192.168.1.22', services: [], ...over,
    identification: { type: 'unknown', confidence: 'low', sources: [], ...id },
  });
  it('name — what it is (address); what it is alone; the address alone when nothing is known', () => {
    expect(deviceLabel(dev({ name: 'LivingRoom Media' }, { vendor: 'Acme', model: 'ZX 500', type: 'tv' }))).toBe('LivingRoom Media — Acme ZX 500 (192.168.1.22)');
    expect(deviceLabel(dev({}, { vendor: 'Dahua', type: 'camera' }))).toBe('Dahua camera (192.168.1.22)');
    expect(deviceLabel(dev({ macVendor: 'Espressif Inc.' }))).toBe('Espressif Inc. device of unknown type (192.168.1.22)');
    expect(deviceLabel(dev({}, { type: 'printer' }))).toBe('printer (192.168.1.22)');
    expect(deviceLabel(dev({}))).toBe('192.168.1.22');
    expect(deviceTitle(dev({}))).toBeNull();
  });
  it('says a thing once: a model that is the name, a vendor the model already starts with, "This computer"', () => {
    expect(deviceTitle(dev({ name: 'VMG1312-B10A' }, { vendor: 'ZyXEL', model: 'VMG1312-B10A', type: 'router' }))).toBe('ZyXEL VMG1312-B10A');
    expect(deviceTitle(dev({}, { vendor: 'Synology', model: 'Synology DS220+', type: 'nas' }))).toBe('Synology DS220+');
    expect(deviceTitle(dev({ name: 'This computer' }, { type: 'computer' }))).toBe('This computer');
    expect(deviceTitle(dev({ name: 'x'.repeat(200) }), 50)).toHaveLength(50);
  });
  it("a device's own announced name (UPnP friendlyName) names it, over a host name", () => {
    const announced = withAnnouncedName(dev({ name: 'ubuntu.lan', hostnames: ['ubuntu.lan'] }, { friendlyName: 'LivingRoom Media', type: 'tv' }));
    expect(announced.name).toBe('LivingRoom Media');
    const plain = dev({});
    expect(withAnnouncedName(plain)).toBe(plain);
  });
});

describe('the computer running iotcop', () => {
  function withSelf(): ScanResult {
    const r = richResult();
    r.devices.unshift({
      address: '10.0.5.2', hostnames: [], name: 'This computer', thisComputer: true, services: [],
      identification: { type: 'computer', confidence: 'high', sources: ['local-interface'] },
      guidelines: rollUp([], { safety: 'credentials', notChecked: 'This is the computer running iotcop: it was not checked (ask with --include-self).' }),
      psti: { noUniversalDefaultPassword: 'not-tested', disclosurePolicy: 'unknown', supportPeriod: 'unknown' },
    });
    return r;
  }

  it('is listed last, said to be unchecked on purpose, and left out of the to-do checklist', () => {
    const r = withSelf();
    expect(manualChecklist(r).some((i) => i.devices.some((d) => d.thisComputer))).toBe(false);
    expect(manualChecklist(richResult()).length).toBeGreaterThan(0);
    const term = render('terminal', r, plainOpts);
    const self = term.indexOf('This computer (10.0.5.2)');
    expect(self).toBeGreaterThan(term.indexOf('Front door camera — Hikvision DS-2CD2042WD (10.0.5.20)'));
    const rest = term.slice(self);
    const block = rest.slice(0, rest.search(/\n[A-Z][A-Z ()-]+\n-+\n/)); // up to the next section heading
    expect(block.replace(/\s+/g, ' ')).toContain(SELF_NOT_CHECKED); // wrapped to the terminal's width
    expect(block).not.toContain('No check could run on this device');
    expect(term.slice(term.indexOf('A network scan cannot decide these'))).not.toContain('This computer');
    expect(block).not.toContain('UK law (PSTI)');
    const html = render('html', r, plainOpts);
    const card = html.split('<article class="device').slice(1).find((a) => a.includes('This computer')) ?? '';
    expect(card).toContain('This is the computer running iotcop. It was not checked');
    expect(card).not.toContain('UK law (PSTI)');
    const md = render('markdown', r, plainOpts);
    const section = md.split('\n### ').find((s) => /^\d+\. This computer/.test(s)) ?? '';
    expect(section).toContain(SELF_NOT_CHECKED);
    expect(section).not.toContain('UK law (PSTI)');
  });
});

describe('terminal', () => {
  const plain = render('terminal', richResult(), plainOpts);
  const color = render('terminal', richResult(), { color: true, now: NOW });

  it('without colour contains no control character except newlines', () => {
    expect(plain).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
  });

  it('with colour, the only escape sequences are our SGR colour codes', () => {
    const escapes = color.match(/\x1b[^m]*m?/g) ?? [];
    expect(escapes.length).toBeGreaterThan(10);
    for (const e of escapes) expect(e).toMatch(/^\x1b\[[0-9;]*m$/);
    expect(color.replace(/\x1b\[[0-9;]*m/g, '')).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
    // Removing the colour gives the plain report back.
    expect(color.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });

  it('shows the hostile strings as visible escapes', () => {
    expect(plain).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(plain).toContain('Evil\\u{202e}Corp');
    expect(plain).toContain('\\x00');
  });

  it('puts the summary first, then devices worst first, then the manual checklist', () => {
    const summary = plain.indexOf('SUMMARY');
    const devices = plain.indexOf('DEVICES (worst first)');
    const manual = plain.indexOf('CHECK BY HAND');
    expect(summary).toBeGreaterThan(0);
    expect(devices).toBeGreaterThan(summary);
    expect(manual).toBeGreaterThan(devices);
    expect(plain.indexOf('1. Front door camera — Hikvision DS-2CD2042WD (10.0.5.20)')).toBeLessThan(plain.indexOf('4. Family NAS — Synology DS220+ (10.0.5.30)'));
    expect(plain).toContain('5 of 13 guidelines failing');
    expect(plain).toContain('[CRITICAL] Front door camera — Hikvision DS-2CD2042WD (10.0.5.20): Your camera still accepts its factory password.');
    expect(plain).toContain('root / xc**** (masked; use --reveal-credentials)');
    expect(plain).toMatch(/1\. Open the camera's settings page or app\.\n\s+2\. Change the password/);
  });
});

describe('html', () => {
  const html = render('html', richResult(), plainOpts);

  it('is self-contained with a script-forbidding CSP and no script or external reference', () => {
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;unsafe-inline&#39;; img-src data:">`);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:|\/\/|javascript:)/i);
    expect(html).not.toMatch(/<link\b|@import|url\(/i);
  });

  it('escapes every hostile string', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    expect(html).toContain('Evil\\u{202e}Corp');
    expect(html).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/);
    // The hostile PSTI URL is text, never a link.
    expect(html).toContain('<code><bdi>javascript:alert(1)//&quot;&gt;&lt;img src=x onerror=alert(1)&gt;</bdi></code>');
  });

  it('has the overview matrix with every device and every guideline, text labels beside colour', () => {
    const matrix = /<table class="matrix">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect((matrix.match(/<th scope="col"/g) ?? []).length).toBe(14);
    expect((matrix.match(/<td class="cell v-/g) ?? []).length).toBe(4 * 13);
    for (const label of ['Problem', 'Weak spot', 'No issues', 'Not tested', 'By hand']) expect(matrix).toContain(label);
  });

  it('orders device cards worst first and writes findings in plain language with numbered steps', () => {
    const order = Array.from(html.matchAll(/<article class="device v-(\w+)" id="device-(\d)">\s*<header[^>]*>\s*<p[^>]*>[\s\S]*?<h3><span class="idx">\d\.<\/span> ([\s\S]*?)<\/h3>/g), (m) => m[3]);
    expect(order).toEqual([
      '<bdi>Front door camera — Hikvision DS-2CD2042WD</bdi>',
      `<bdi>${'&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'} — Evil\\u{202e}Corp =HYPERLINK(&quot;http://x&quot;)</bdi>`,
      '<bdi>Home router — MikroTik hAP ac</bdi>', '<bdi>Family NAS — Synology DS220+</bdi>',
    ]);
    expect(html).toContain('Your camera still accepts its factory password.');
    expect(html).toMatch(/<ol class="steps"><li><bdi>Open the camera&#39;s settings page or app.<\/bdi><\/li><li><bdi>Change the password/);
    expect(html).toContain('<details class="evidence"><summary>Evidence the device gave</summary>');
    expect(html).toContain('(masked; use --reveal-credentials)');
  });

  it('has the PSTI section per device and the manual checklist from the catalogue', () => {
    expect((html.match(/UK law \(PSTI\): the three legal requirements/g) ?? []).length).toBe(4);
    for (const g of GUIDELINES.filter((x) => x.testability === 'manual')) {
      for (const check of g.manualChecks) expect(html).toContain(check.replace(/'/g, '&#39;'));
    }
    expect(html).toContain('@media print');
  });
});

describe('json', () => {
  it('is the result itself, valid against the published schema, with hostile text kept raw', () => {
    const result = richResult();
    const text = render('json', result, plainOpts);
    const parsed = JSON.parse(text) as ScanResult;
    expect(parsed).toEqual(result);
    expect(parsed.devices.find((d) => d.address === '10.0.5.66')!.name).toBe(HOSTILE_NAME);
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f]/);
    const ajv = new Ajv2020({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(new URL('../../schema/scan-result.schema.json', import.meta.url), 'utf8')) as object);
    expect(validate(parsed)).toBe(true);
    expect(validate.errors ?? null).toBeNull();
    expect(scanResultSchema.safeParse(parsed).success).toBe(true);
  });
});

describe('csv', () => {
  const text = render('csv', richResult(), plainOpts);
  const rows = parseCsv(text);

  it('has a header and one row per finding, every row the same width', () => {
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.length).toBe(1 + richResult().findings.length);
    for (const r of rows) expect(r.length).toBe(CSV_COLUMNS.length);
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('neutralises every formula and shows control characters', () => {
    for (const r of rows) {
      for (const cell of r) {
        expect(cell).not.toMatch(/^[=+\-@\t\r]/);
        expect(cell).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f]/);
      }
    }
    const evil = rows.find((r) => r[6] === 'http-default-credentials')!;
    expect(evil[15]).toBe(`'${HOSTILE.formula}`);
    const upnp = rows.find((r) => r[6] === 'upnp-information-disclosure')!;
    expect(upnp[12]).toBe(`'${HOSTILE.formula} UPnP describes the device to anyone`);
    expect(evil[2]).toBe(HOSTILE_NAME);
    expect(text).toContain(`"'${HOSTILE.formula.replace(/"/g, '""')}"`);
  });
});

describe('junit', () => {
  const xml = render('junit', richResult(), plainOpts);

  it('is well-formed XML with a suite per device and a case per guideline', () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase' }).parse(xml) as {
      testsuites: { tests: string; failures: string; testsuite: { name: string; tests: string; failures: string; skipped: string; testcase: Record<string, unknown>[] }[] };
    };
    const suites = doc.testsuites.testsuite;
    expect(suites.map((s) => s.name)).toEqual([
      'Front door camera — Hikvision DS-2CD2042WD (10.0.5.20)', `${HOSTILE_NAME} — Evil\\u{202e}Corp =HYPERLINK("http://x") (10.0.5.66)`, 'Home router — MikroTik hAP ac (10.0.5.1)', 'Family NAS — Synology DS220+ (10.0.5.30)', 'Across several devices',
    ]);
    for (const s of suites.slice(0, 4)) expect(s.testcase.length).toBe(13);
    const cam = suites[0]!;
    expect(cam.failures).toBe('3');
    const byName = (n: string): Record<string, unknown> => cam.testcase.find((t) => String(t.name).startsWith(`${n} `))!;
    expect(byName('uk-cop-1').failure).toBeDefined();
    expect(byName('uk-cop-2').failure).toBeUndefined();
    expect(byName('uk-cop-2')['system-out']).toContain('Weaknesses (not failures)');
    expect((byName('uk-cop-3').skipped as { message: string }).message).toMatch(/^not tested/);
    expect((byName('uk-cop-7').skipped as { message: string }).message).toBe('manual');
    const nas = suites[3]!;
    expect(nas.failures).toBe('0');
    expect(doc.testsuites.failures).toBe(String(suites.reduce((n, s) => n + Number(s.failures), 0)));
  });

  it('keeps hostile text as escaped text', () => {
    expect(xml).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f]/);
    expect(xml).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('markdown', () => {
  const md = render('markdown', richResult(), plainOpts);

  /** The Markdown with fenced blocks and code spans removed: what a renderer treats as markup. */
  function outsideCode(text: string): string {
    const lines = text.split('\n');
    const kept: string[] = [];
    let fence: string | null = null;
    for (const line of lines) {
      const open = /^(`{3,})/.exec(line);
      if (fence === null && open) fence = open[1]!;
      else if (fence !== null && line === fence) fence = null;
      else if (fence === null) kept.push(line);
    }
    expect(fence).toBeNull();
    // A code span: a backtick run, then the shortest text up to the same-length run.
    return kept.join('\n').replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, '');
  }

  it('has no raw HTML outside code but its own details blocks, and hostile text escaped', () => {
    const tags = Array.from(outsideCode(md).matchAll(/<\/?([a-zA-Z]+)/g), (m) => m[1]);
    expect(new Set(tags)).toEqual(new Set(['details', 'summary', 'sub']));
    expect(md).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(md).not.toMatch(/[\x00-\x09\x0b-\x1f\u202a-\u202e]/);
  });

  it('keeps every code fence balanced', () => {
    const fences = md.split('\n').filter((l) => /^`{3,}/.test(l));
    expect(fences.length % 2).toBe(0);
    expect(fences.length).toBeGreaterThan(0);
  });

  it('has the overview table with 13 guideline columns and a checklist', () => {
    expect(md).toContain('| Device | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 |');
    expect(md).toContain('- [ ] The vendor documents secure boot or another integrity check of the firmware.');
  });
});

describe('remediationSteps', () => {
  it('splits numbered lines, bullet lines and sentences; keeps abbreviations', () => {
    expect(remediationSteps('1. Open it.\n2. Change it,\n   carefully.\n3. Done.')).toEqual(['Open it.', 'Change it, carefully.', 'Done.']);
    expect(remediationSteps('- One\n- Two')).toEqual(['One', 'Two']);
    expect(remediationSteps('Update the firmware, e.g. from the app. Then reboot it. TLS 1.2 is fine.')).toEqual([
      'Update the firmware, e.g. from the app.', 'Then reboot it.', 'TLS 1.2 is fine.',
    ]);
    expect(remediationSteps('')).toEqual([]);
    expect(remediationSteps('Just one step')).toEqual(['Just one step']);
  });
});

describe('lab-style plain language', () => {
  it('every failing guideline of every device says what is wrong and what to do', () => {
    const result = richResult();
    const html = render('html', result, plainOpts);
    const term = render('terminal', result, plainOpts);
    for (const d of result.devices) {
      for (const v of d.guidelines.filter((g) => g.verdict === 'fail')) {
        for (const id of v.findings) {
          const f = result.findings.find((x) => x.id === id)!;
          expect(f.summary).toBeTruthy();
          expect(remediationSteps(f.remediation).length).toBeGreaterThan(0);
          expect(term).toContain(f.summary!.slice(0, 40));
          expect(html).toContain(f.summary!.slice(0, 30).replace(/'/g, '&#39;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'));
        }
      }
    }
  });
});
