/**
 * History on the built CLI: scans (nmap XML imports of 127.0.0.1, probes against an in-process fake
 * telnet service) are stored; `history` lists them; `report` re-renders a stored run or a saved file;
 * a broken database never costs the scan its reports.
 */
import { describe, expect, it, beforeAll, afterAll } from '@jest/globals';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeTelnet, iotcop, loopbackImport, tempDir } from '../store/fixtures.js';

let telnet: Awaited<ReturnType<typeof fakeTelnet>>;
let dir: string;
let xml: string;
beforeAll(async () => {
  telnet = await fakeTelnet();
  dir = tempDir('iotcop-history-');
  xml = loopbackImport(dir, 'telnet.xml', [{ port: telnet.port, service: 'telnet' }]);
});
afterAll(async () => { await telnet.close(); });

const scan = (...extra: string[]) => ['scan', '--nmap-xml', xml, '--only', 'cleartext-services', '--safety', 'safe', '--quiet', ...extra];

describe('iotcop history / report', () => {
  it('stores each run at the default path ($XDG_DATA_HOME/iotcop/history.db), lists them, re-renders one', () => {
    const home = join(dir, 'xdg');
    const env = { XDG_DATA_HOME: home, IOTCOP_DB: '' };
    expect(iotcop(['history'], env).stdout).toMatch(/No runs stored yet/);
    const out = join(dir, 'out1');
    const first = iotcop(scan('--format', 'json', '--out', out), env);
    expect(first.code).toBe(1); // telnet-cleartext fails (high) and --fail-on high is the default
    expect(existsSync(join(home, 'iotcop', 'history.db'))).toBe(true);
    expect(statSync(join(home, 'iotcop', 'history.db')).mode & 0o777).toBe(0o600);
    expect(iotcop(scan('--format', 'json', '--out', out), env).code).toBe(1);

    const list = iotcop(['history'], env);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^#2 +[0-9a-f]{8} /m);
    expect(list.stdout).toMatch(/^#1 +[0-9a-f]{8} .* 1 +1 +0 +high/m);
    const rows = JSON.parse(iotcop(['history', '--json', '--limit', '1'], env).stdout) as { seq: number; id: string; failed: number }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ seq: 2, failed: 1 });

    // report by id prefix, as HTML, and the stored JSON equals the JSON the scan wrote
    const html = join(dir, 'html');
    const rep = iotcop(['report', rows[0]!.id.slice(0, 8), '--format', 'html,json', '--out', html], env);
    expect(rep.code).toBe(0);
    const files = readdirSync(html);
    expect(files.some((f) => f.endsWith('.html'))).toBe(true);
    const rerendered = JSON.parse(readFileSync(join(html, files.find((f) => f.endsWith('.json'))!), 'utf8'));
    const written = readdirSync(out).filter((f) => f.endsWith('.json')).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')));
    expect(written.find((w) => w.run.id === rows[0]!.id)).toEqual(rerendered);
    expect(readFileSync(join(html, files.find((f) => f.endsWith('.html'))!), 'utf8')).toContain('telnet');

    // report of a saved JSON file, to stdout
    const fromFile = iotcop(['report', join(out, readdirSync(out).find((f) => f.endsWith('.json'))!), '--format', 'markdown']);
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toMatch(/^# /m);
  });

  it('report: an unknown run or an invalid file is one line, exit 2', () => {
    const db = join(dir, 'r.db');
    expect(iotcop(scan('--db', db)).code).toBe(1);
    const unknown = iotcop(['report', 'ffffffff', '--db', db]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim()).toMatch(/^iotcop: no run "ffffffff" in .*r\.db \(`iotcop history` lists them\)$/);
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"schemaVersion":1,"devices":"nope"}');
    const invalid = iotcop(['report', bad]);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.trim().split('\n')).toHaveLength(1);
    expect(invalid.stderr).toMatch(/bad\.json is not an iotcop JSON result \(schema version 1\): .* at /);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'hello');
    expect(iotcop(['report', notJson]).stderr).toMatch(/not\.json is not valid JSON/);
    expect(iotcop(['report', 'last', '--db', join(dir, 'none.db')]).stderr.trim()).toMatch(/^iotcop: no history database at .*none\.db/);
  });

  it('--no-history stores nothing', () => {
    const db = join(dir, 'nh.db');
    expect(iotcop(scan('--db', db)).code).toBe(1);
    expect(iotcop(scan('--db', db, '--no-history')).code).toBe(1);
    expect(JSON.parse(iotcop(['history', '--db', db, '--json']).stdout)).toHaveLength(1);
  });

  it('a corrupt database: the scan still writes its reports, then exits 3; history exits 3 with one line', () => {
    const db = join(dir, 'corrupt.db');
    writeFileSync(db, 'SQLite format 2? no: this file is garbage, not a database at all..........................................');
    const out = join(dir, 'out-corrupt');
    const r = iotcop(scan('--db', db, '--format', 'json', '--out', out));
    expect(r.code).toBe(3);
    expect(readdirSync(out).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(r.stderr.trim()).toBe(`iotcop: history database ${db}: not a SQLite database, or corrupt (move it aside, or use --db PATH / --no-history); this run will not be saved`);
    const h = iotcop(['history', '--db', db]);
    expect(h.code).toBe(3);
    expect(h.stderr.trim().split('\n')).toHaveLength(1);
    expect(h.stderr).not.toMatch(/at .*\.js:\d+/);
    // --baseline needs the database: the reports are written, the run exits 3
    const out2 = join(dir, 'out-corrupt-2');
    const b = iotcop(scan('--db', db, '--baseline', 'last', '--format', 'json', '--out', out2));
    expect(b.code).toBe(3);
    expect(readdirSync(out2).filter((f) => f.endsWith('.json'))).toHaveLength(1);
    expect(b.stderr).toMatch(/--baseline: cannot compare with an earlier run: history database .* not a SQLite database/);
  });
});
