/**
 * A run's evidence in the history database (src/store/evidence.ts, HistoryStore.saveRun/loadEvidence):
 * stored compressed with its run, read back equal; a run without evidence, and a database made before
 * the evidence table existed, read as "none"; a corrupt or newer blob is a one-line HistoryError.
 */
import { describe, expect, it, beforeEach } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { HistoryError, HistoryStore } from '../../src/store/db.js';
import { EVIDENCE_FORMAT, decodeEvidence, encodeEvidence, storedConfigOf, type RunEvidence } from '../../src/store/evidence.js';
import { makeResult } from './fixtures.js';

let dir: string;
beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'iotcop-evidence-')); });

const result = (id: string) => makeResult({ id, devices: [{ address: '10.0.5.20', services: [80] }] });
const evidence: RunEvidence = {
  format: EVIDENCE_FORMAT, toolVersion: '0.1.0',
  jobs: [{
    jobId: 'j1', probe: 'software-versions', device: '10.0.5.20', status: 'done', results: [{ check: 'vulnerable-software', status: 'pass' }],
    startedAt: '2026-11-25T03:00:01.000Z', durationMs: 12, connections: 1, evidence: { grabs: [{ port: 80, kind: 'http-server', value: 'lighttpd/1.4.76' }] },
  }],
  configs: { '10.0.5.20': { name: 'Camera', supportEnd: '2027-01-01' } },
};

describe('run evidence', () => {
  it('is stored with its run and read back equal; a run stored without it has none', () => {
    const store = HistoryStore.open(join(dir, 'h.db'));
    const withIt = store.saveRun(result('11111111-aaaa-4000-8000-000000000001'), evidence);
    const without = store.saveRun(result('22222222-aaaa-4000-8000-000000000002'));
    expect(store.loadEvidence(withIt)).toEqual(evidence);
    expect(store.loadEvidence(without)).toBeUndefined();
    store.close();
    const ro = HistoryStore.open(join(dir, 'h.db'), { readonly: true });
    expect(ro.loadEvidence(withIt)).toEqual(evidence);
    ro.close();
  });

  it('a database made before the evidence table (read-only) has none; opening it writable adds the table', () => {
    const path = join(dir, 'old.db');
    const store = HistoryStore.open(path);
    const row = store.saveRun(result('33333333-aaaa-4000-8000-000000000003'));
    store.close();
    const raw = new Database(path);
    raw.exec('DROP TABLE evidence');
    raw.close();
    const ro = HistoryStore.open(path, { readonly: true });
    expect(ro.loadEvidence(row)).toBeUndefined();
    ro.close();
    const rw = HistoryStore.open(path);
    const next = rw.saveRun(result('44444444-aaaa-4000-8000-000000000004'), evidence);
    expect(rw.loadEvidence(next)).toEqual(evidence);
    rw.close();
  });

  it('a corrupt or newer blob is one HistoryError line naming the run', () => {
    const path = join(dir, 'bad.db');
    const store = HistoryStore.open(path);
    const row = store.saveRun(result('55555555-aaaa-4000-8000-000000000005'), evidence);
    store.db.prepare('UPDATE evidence SET data = ? WHERE run_seq = ?').run(Buffer.from('not gzip'), row.seq);
    expect(() => store.loadEvidence(row)).toThrow(HistoryError);
    expect(() => store.loadEvidence(row)).toThrow(/run 55555555-aaaa-4000-8000-000000000005: the stored evidence is not readable/);
    store.db.prepare('UPDATE evidence SET data = ? WHERE run_seq = ?').run(gzipSync(JSON.stringify({ ...evidence, format: 9 })), row.seq);
    expect(() => store.loadEvidence(row)).toThrow(/format 9, newer than this iotcop knows \(1\); upgrade iotcop/);
    store.db.prepare('UPDATE evidence SET data = ? WHERE run_seq = ?').run(gzipSync(JSON.stringify({ format: 1, jobs: 'x' })), row.seq);
    expect(() => store.loadEvidence(row)).toThrow(/does not have the expected shape/);
    store.close();
  });

  it('compresses (the lab-sized evidence of one job is a fraction of its JSON), and configs lose their credentials', () => {
    const big: RunEvidence = { ...evidence, jobs: Array.from({ length: 50 }, (_, i) => ({ ...evidence.jobs[0]!, jobId: `j${i}` })) };
    expect(encodeEvidence(big).length).toBeLessThan(JSON.stringify(big).length / 5);
    expect(decodeEvidence(encodeEvidence(big))).toEqual(big);
    // more than one gzip member (about 1 MB of JSON each), still read back whole, and still a single
    // member's gzip as older iotcop versions stored it
    const huge: RunEvidence = { ...evidence, jobs: Array.from({ length: 3000 }, (_, i) => ({ ...evidence.jobs[0]!, jobId: `j${i}`, device: `10.0.${i >> 8}.${i & 255}`, evidence: { grabs: [{ port: 80, kind: 'http-server', value: `lighttpd/1.4.${i} ${'n'.repeat(500)}` }] } })) };
    expect(JSON.stringify(huge).length).toBeGreaterThan(2 << 20);
    const blob = encodeEvidence(huge);
    expect(blob.subarray(10).indexOf(Buffer.from([0x1f, 0x8b, 0x08]))).toBeGreaterThan(0);
    expect(decodeEvidence(blob)).toEqual(huge);
    expect(decodeEvidence(gzipSync(JSON.stringify(huge)))).toEqual(huge);
    expect(storedConfigOf({ name: 'Cam', credentials: [{ username: 'admin', password: 'secret' }], expectedPorts: ['80'] })).toEqual({ name: 'Cam', expectedPorts: ['80'] });
  });
});
