import { describe, expect, it, beforeEach } from '@jest/globals';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { HistoryError, HistoryStore, scopeKey } from '../../src/store/db.js';
import { defaultDbPath } from '../../src/store/paths.js';
import { UsageError } from '../../src/errors.js';
import { scanResultSchema } from '../../src/report/schema.js';
import { makeResult } from './fixtures.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'iotcop-db-')); });

const first = () => makeResult({
  id: '11111111-aaaa-4000-8000-000000000001', startedAt: '2026-11-24T03:00:00.000Z',
  devices: [{ address: '10.0.5.20', mac: 'AA:BB:CC:00:00:20', name: 'Camera', services: [23, 80] }, { address: '10.0.5.1', services: [22] }],
  findings: [
    { device: '10.0.5.20', check: 'telnet-default-credentials', status: 'fail', severity: 'critical', port: 23, credential: { username: 'root', password: 'xc***', masked: true } },
    { device: '10.0.5.1', check: 'ssh-configuration', status: 'pass', port: 22 },
  ],
});
const second = () => makeResult({ id: '22222222-bbbb-4000-8000-000000000002', startedAt: '2026-11-25T03:00:00.000Z', devices: [{ address: '10.0.5.1', services: [22] }] });
const other = () => makeResult({ id: '22223333-cccc-4000-8000-000000000003', startedAt: '2026-11-25T04:00:00.000Z', targets: ['192.168.1.0/24'], devices: [] });

describe('HistoryStore', () => {
  it('round-trips a full result, with its devices and findings indexed', () => {
    const path = join(dir, 'sub', 'history.db');
    const store = HistoryStore.open(path);
    const r = first();
    const row = store.saveRun(r);
    expect(row).toMatchObject({ seq: 1, id: r.run.id, devices: 2, failed: 1, warnings: 0, worst: 'critical', partial: false, targets: ['10.0.5.0/24'] });
    store.close();

    const again = HistoryStore.open(path, { mustExist: true });
    const loaded = again.loadResult(again.findRun(r.run.id));
    expect(loaded).toEqual(JSON.parse(JSON.stringify(r)));
    expect(scanResultSchema.safeParse(loaded).success).toBe(true);
    const idx = again.indexedOf(1);
    expect(idx.devices).toEqual([
      { address: '10.0.5.1', mac: null, services: '22/tcp' },
      { address: '10.0.5.20', mac: 'aa:bb:cc:00:00:20', services: '23/tcp,80/tcp' },
    ]);
    expect(idx.findings.map((f) => f.status).sort()).toEqual(['fail', 'pass']);
    expect(idx.findings.map((f) => f.id).sort()).toEqual(r.findings.map((f) => f.id).sort());
    again.close();
  });

  it('creates the database 0600 in a 0700 directory', () => {
    const path = join(dir, 'new', 'history.db');
    HistoryStore.open(path).close();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o700);
  });

  it('lists runs newest first and finds them by id, prefix, #N, last and last~N', () => {
    const store = HistoryStore.open(join(dir, 'h.db'));
    store.saveRun(first());
    store.saveRun(second());
    store.saveRun(other());
    expect(store.listRuns().map((r) => r.seq)).toEqual([3, 2, 1]);
    expect(store.listRuns({ limit: 1 })[0]!.id).toBe(other().run.id);
    expect(store.findRun('last').seq).toBe(3);
    expect(store.findRun('last~2').seq).toBe(1);
    expect(store.findRun('#2').id).toBe(second().run.id);
    expect(store.findRun('1111').seq).toBe(1);
    expect(store.findRun(second().run.id).seq).toBe(2);
    expect(() => store.findRun('2222')).toThrow(/ambiguous/);
    expect(() => store.findRun('9999')).toThrow(UsageError);
    expect(() => store.findRun('last~7')).toThrow(/no run last~7/);
    expect(() => store.findRun("x' OR 1=1 --")).toThrow(/not a run reference/);
    store.close();
  });

  it('finds the previous run of the same targets, not of other targets', () => {
    const store = HistoryStore.open(join(dir, 'h.db'));
    store.saveRun(first());
    store.saveRun(second());
    store.saveRun(other());
    const key = scopeKey(second());
    expect(store.latestOfScope(key)!.seq).toBe(2);
    expect(store.latestOfScope(key, 2)!.seq).toBe(1);
    expect(store.latestOfScope(scopeKey(makeResult({ id: 'x', devices: [], targets: ['10.9.9.9'] })))).toBeUndefined();
    expect(scopeKey(makeResult({ id: 'x', devices: [], shard: { index: 1, count: 4 } }))).not.toBe(key);
    // a newer partial run is skipped when a complete one is preferred (a poor baseline)
    store.saveRun(makeResult({ id: 'partial-run', startedAt: '2026-11-26T03:00:00.000Z', devices: [], partial: true }));
    expect(store.latestOfScope(key)!.id).toBe('partial-run');
    expect(store.latestOfScope(key, undefined, true)!.seq).toBe(2);
    store.close();
  });

  it('refuses to store the same run twice, and writes nothing of a run that fails half-way', () => {
    const store = HistoryStore.open(join(dir, 'h.db'));
    store.saveRun(first());
    expect(() => store.saveRun(first())).toThrow(/already stored/);
    const broken = second();
    (broken.devices[0] as { name: unknown }).name = null; // NOT NULL: the device insert fails inside the transaction
    expect(() => store.saveRun(broken)).toThrow(HistoryError);
    expect(store.count()).toBe(1);
    expect(store.listRuns().map((r) => r.id)).toEqual([first().run.id]);
    store.close();
  });

  it('a file that is not a database is one line naming it, exit code 3', () => {
    const path = join(dir, 'garbage.db');
    writeFileSync(path, 'this is not sqlite at all, just text that is long enough to have a header '.repeat(20));
    let err: unknown;
    try { HistoryStore.open(path); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(HistoryError);
    expect((err as HistoryError).exitCode).toBe(3);
    expect((err as Error).message).toBe(`history database ${path}: not a SQLite database, or corrupt (move it aside, or use --db PATH / --no-history)`);
    expect((err as Error).message).not.toContain('\n');
  });

  it('a database locked by another writer is a one-line error after the busy timeout', () => {
    const path = join(dir, 'h.db');
    HistoryStore.open(path).close();
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const store = HistoryStore.open(path, { busyTimeoutMs: 50 });
      expect(() => store.saveRun(first())).toThrow(/^history database .*: locked by another process/);
      store.close();
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });

  it('stores the result as gzip of its JSON (schema 2), and still reads a schema-1 row of plain JSON text', () => {
    const path = join(dir, 'h.db');
    const store = HistoryStore.open(path);
    const r = first();
    const row = store.saveRun(r);
    const stored = store.db.prepare('SELECT result FROM runs WHERE seq = ?').get(row.seq) as { result: unknown };
    expect(Buffer.isBuffer(stored.result)).toBe(true);
    expect((stored.result as Buffer).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
    expect(store.db.pragma('user_version', { simple: true })).toBe(2);
    // what iotcop wrote before: JSON text in the column, user_version 1
    store.db.prepare('UPDATE runs SET result = ? WHERE seq = ?').run(JSON.stringify(r), row.seq);
    store.db.pragma('user_version = 1');
    store.close();
    const again = HistoryStore.open(path);
    expect(again.loadResult(row)).toEqual(JSON.parse(JSON.stringify(r)));
    expect(again.db.pragma('user_version', { simple: true })).toBe(2);
    again.db.prepare('UPDATE runs SET result = ? WHERE seq = ?').run(Buffer.from([0x1f, 0x8b, 1, 2, 3]), row.seq);
    expect(() => again.loadResult(row)).toThrow(/stored result of run .* is not valid JSON \(corrupt row\)/);
    again.close();
  });

  it('a database of another program, or of a newer iotcop, is refused', () => {
    const path = join(dir, 'other.db');
    const db = new Database(path);
    db.exec('CREATE TABLE stuff (x)');
    db.pragma('user_version = 99');
    db.close();
    expect(() => HistoryStore.open(path)).toThrow(/newer iotcop/);
    const missing = join(dir, 'missing.db');
    expect(() => HistoryStore.open(missing, { mustExist: true })).toThrow(UsageError);
  });

  it('an unwritable directory is a one-line error', () => {
    if (process.getuid?.() === 0) {
      // root ignores permissions: use a path under a file instead
      const file = join(dir, 'file');
      writeFileSync(file, '');
      expect(() => HistoryStore.open(join(file, 'h.db'))).toThrow(/^history database .*h\.db: /);
      return;
    }
    const ro = join(dir, 'ro');
    HistoryStore.open(join(ro, 'x.db')).close();
    chmodSync(ro, 0o500);
    expect(() => HistoryStore.open(join(ro, 'sub', 'h.db'))).toThrow(/permission denied/);
  });

  it('default path: IOTCOP_DB, else XDG_DATA_HOME/iotcop/history.db, else ~/.local/share', () => {
    expect(defaultDbPath({ IOTCOP_DB: '/data/h.db', XDG_DATA_HOME: '/x' }, '/home/u')).toBe('/data/h.db');
    expect(defaultDbPath({ XDG_DATA_HOME: '/x' }, '/home/u')).toBe('/x/iotcop/history.db');
    expect(defaultDbPath({ XDG_DATA_HOME: 'relative' }, '/home/u')).toBe('/home/u/.local/share/iotcop/history.db');
    expect(defaultDbPath({}, '/home/u')).toBe('/home/u/.local/share/iotcop/history.db');
  });
});
