/**
 * Run history in SQLite (better-sqlite3): every run's full result as gzip'd JSON, plus its devices and findings
 * in indexed tables, so `iotcop history`, `report RUN_ID`, `diff` and `--baseline` work without
 * re-parsing every stored run. One transaction per run. The file is created mode 0600 in a 0700
 * directory: stored results hold whatever the reports hold (masked passwords unless the scan used
 * --reveal-credentials); stored evidence (src/store/evidence.ts) masks the owner's passwords too.
 *
 * Every SQLite or file-system failure becomes a HistoryError: one line naming the file and what is
 * wrong (corrupt, locked, read-only, disk full…), exit code 3, never a stack trace.
 */
import Database from 'better-sqlite3';
import { gunzipText, gzipJson } from '../json-pieces.js';
import { closeSync, mkdirSync, openSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { RuntimeFailure, UsageError } from '../errors.js';
import type { ScanResult, Severity } from '../model.js';
import { scanResultSchema } from '../report/schema.js';
import { printable } from '../targets/spec.js';
import { decodeEvidence, encodeEvidence, EvidenceFormatError, type RunEvidence } from './evidence.js';

export type SqliteDatabase = Database.Database;

/** The history database could not be used: one line, exit 3. */
export class HistoryError extends RuntimeFailure {
  readonly path: string;
  constructor(path: string, why: string, options?: { cause?: unknown }) {
    super(`history database ${path}: ${why}`, options);
    this.path = path;
  }
}

/** What went wrong, in words, from a SQLite or file-system error. */
export function describeDbError(e: unknown): string {
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  const message = e instanceof Error ? e.message : String(e);
  if (code === 'SQLITE_NOTADB') return 'not a SQLite database, or corrupt (move it aside, or use --db PATH / --no-history)';
  if (code.startsWith('SQLITE_CORRUPT')) return 'the database is corrupt (move it aside, or use --db PATH / --no-history)';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked by another process (try again later, or use --db PATH)';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only (check the permissions of the file and its directory)';
  if (code === 'SQLITE_FULL' || code === 'ENOSPC') return 'the disk is full';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot be opened (check that the directory exists and is writable)';
  if (code.startsWith('SQLITE_IOERR')) return `I/O error (${code})`;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'read-only file system';
  return printable(message);
}

/**
 * 2: runs.result holds gzip of the result's JSON (a BLOB, written in pieces: a 250-device result is
 * 10 MB of JSON, which was the largest string of the run's end); version-1 rows (TEXT) read the same.
 * An older iotcop refuses a version-2 file ("written by a newer iotcop") instead of misreading it.
 */
const SCHEMA_VERSION = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS runs (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  id            TEXT NOT NULL UNIQUE,
  started_at    TEXT NOT NULL,
  finished_at   TEXT NOT NULL,
  duration_ms   INTEGER NOT NULL,
  tool_version  TEXT NOT NULL,
  scope_key     TEXT NOT NULL,
  targets       TEXT NOT NULL,
  partial       INTEGER NOT NULL,
  stop_reason   TEXT,
  shard         TEXT,
  merged_shards INTEGER,
  devices       INTEGER NOT NULL,
  services      INTEGER NOT NULL,
  failed        INTEGER NOT NULL,
  warnings      INTEGER NOT NULL,
  worst         TEXT,
  summary       TEXT NOT NULL,
  result        TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS runs_scope ON runs (scope_key, seq);
CREATE INDEX IF NOT EXISTS runs_started ON runs (started_at);
CREATE TABLE IF NOT EXISTS devices (
  run_seq   INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  address   TEXT NOT NULL,
  mac       TEXT,
  name      TEXT NOT NULL,
  type      TEXT NOT NULL,
  vendor    TEXT,
  model     TEXT,
  services  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS devices_run ON devices (run_seq);
CREATE INDEX IF NOT EXISTS devices_mac ON devices (mac);
CREATE INDEX IF NOT EXISTS devices_address ON devices (address);
CREATE TABLE IF NOT EXISTS findings (
  run_seq    INTEGER NOT NULL REFERENCES runs (seq) ON DELETE CASCADE,
  id         TEXT NOT NULL,
  device     TEXT NOT NULL,
  check_id   TEXT NOT NULL,
  probe      TEXT NOT NULL,
  status     TEXT NOT NULL,
  severity   TEXT NOT NULL,
  port       INTEGER,
  transport  TEXT,
  title      TEXT NOT NULL,
  guidelines TEXT NOT NULL,
  PRIMARY KEY (run_seq, id)
);
CREATE INDEX IF NOT EXISTS findings_id ON findings (id, run_seq);
CREATE TABLE IF NOT EXISTS locks (
  name         TEXT PRIMARY KEY,
  token        TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  host         TEXT NOT NULL,
  hostname     TEXT NOT NULL,
  acquired_at  TEXT NOT NULL,
  heartbeat_at TEXT NOT NULL
);
`;

/**
 * Each run's evidence (src/store/evidence.ts), for `report --reassess`. Created on every writable open,
 * without a schema-version bump: an older iotcop still opens the database and ignores the table.
 */
const EVIDENCE_TABLE = `
CREATE TABLE IF NOT EXISTS evidence (
  run_seq INTEGER PRIMARY KEY REFERENCES runs (seq) ON DELETE CASCADE,
  format  INTEGER NOT NULL,
  data    BLOB NOT NULL
);
`;

/** One stored run, as `iotcop history` lists it. */
export interface RunRow {
  seq: number;
  id: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  toolVersion: string;
  scopeKey: string;
  targets: string[];
  partial: boolean;
  stopReason?: string;
  shard?: string;
  mergedShards?: number;
  devices: number;
  services: number;
  failed: number;
  warnings: number;
  worst: Severity | null;
}

interface RunRecord {
  seq: number; id: string; started_at: string; finished_at: string; duration_ms: number; tool_version: string;
  scope_key: string; targets: string; partial: number; stop_reason: string | null; shard: string | null;
  merged_shards: number | null; devices: number; services: number; failed: number; warnings: number; worst: string | null;
}

const ROW_COLUMNS = 'seq, id, started_at, finished_at, duration_ms, tool_version, scope_key, targets, partial, stop_reason, shard, merged_shards, devices, services, failed, warnings, worst';

function toRow(r: RunRecord): RunRow {
  let targets: string[] = [];
  try {
    const parsed = JSON.parse(r.targets) as unknown;
    if (Array.isArray(parsed)) targets = parsed.map(String);
  } catch { /* shown as no targets */ }
  const row: RunRow = {
    seq: r.seq, id: r.id, startedAt: r.started_at, finishedAt: r.finished_at, durationMs: r.duration_ms,
    toolVersion: r.tool_version, scopeKey: r.scope_key, targets, partial: r.partial !== 0,
    devices: r.devices, services: r.services, failed: r.failed, warnings: r.warnings, worst: (r.worst as Severity | null) ?? null,
  };
  if (r.stop_reason) row.stopReason = r.stop_reason;
  if (r.shard) row.shard = r.shard;
  if (r.merged_shards) row.mergedShards = r.merged_shards;
  return row;
}

/**
 * Runs of the same targets (and the same shard) share a scope key: `--baseline last` and `iotcop diff`
 * compare a run with the previous run of the same scope, not with whatever ran last on another network.
 */
export function scopeKey(result: Pick<ScanResult, 'run'>): string {
  const shard = result.run.shard ? `${result.run.shard.index}/${result.run.shard.count}` : null;
  return JSON.stringify({ targets: [...result.run.targets].sort(), shard });
}

export interface OpenOptions {
  /** Refuse to create a missing database (read-only commands): a UsageError names the path. */
  mustExist?: boolean;
  readonly?: boolean;
  /** How long to wait for another writer before giving up (default 5 s). */
  busyTimeoutMs?: number;
}

export class HistoryStore {
  readonly path: string;
  readonly db: SqliteDatabase;

  private constructor(path: string, db: SqliteDatabase) {
    this.path = path;
    this.db = db;
  }

  static open(path: string, options: OpenOptions = {}): HistoryStore {
    const exists = existsSync(path);
    if (!exists && (options.mustExist || options.readonly)) {
      throw new UsageError(`no history database at ${path} (scan first, or give --db PATH)`);
    }
    let db: SqliteDatabase | undefined;
    try {
      if (!exists) {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        // Create the file 0600 before SQLite does (it would use the umask); -wal/-shm copy its mode.
        closeSync(openSync(path, 'a', 0o600));
      }
      db = new Database(path, { readonly: Boolean(options.readonly), fileMustExist: true, timeout: options.busyTimeoutMs ?? 5000 });
      const version = db.pragma('user_version', { simple: true }) as number; // reads the header: NOTADB shows here
      if (version > SCHEMA_VERSION) {
        throw new HistoryError(path, `written by a newer iotcop (schema ${version}; this one knows ${SCHEMA_VERSION}); upgrade iotcop or use another --db`);
      }
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('foreign_keys = ON');
        if (version < SCHEMA_VERSION) {
          db.exec('BEGIN IMMEDIATE');
          try {
            db.exec(SCHEMA);
            db.pragma(`user_version = ${SCHEMA_VERSION}`);
            db.exec('COMMIT');
          } catch (e) {
            db.exec('ROLLBACK');
            throw e;
          }
        }
        db.exec(EVIDENCE_TABLE);
      } else if (version === 0) {
        throw new HistoryError(path, 'not an iotcop history database (empty, or made by another program)');
      }
      const check = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'runs'").get();
      if (!check) throw new HistoryError(path, 'not an iotcop history database (no runs table)');
      return new HistoryStore(path, db);
    } catch (e) {
      try { db?.close(); } catch { /* already failing */ }
      if (e instanceof HistoryError || e instanceof UsageError) throw e;
      throw new HistoryError(path, describeDbError(e), { cause: e });
    }
  }

  close(): void {
    try { this.db.close(); } catch { /* closing twice or after an error */ }
  }

  /** Wraps a database call so any failure is a one-line HistoryError. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof HistoryError || e instanceof UsageError) throw e;
      throw new HistoryError(this.path, describeDbError(e), { cause: e });
    }
  }

  /** Stores one run, its devices and findings (and its evidence, when given), in one transaction. */
  saveRun(result: ScanResult, evidence?: RunEvidence): RunRow {
    return this.guard(() => {
      const insertRun = this.db.prepare(`INSERT INTO runs
        (id, started_at, finished_at, duration_ms, tool_version, scope_key, targets, partial, stop_reason, shard, merged_shards,
         devices, services, failed, warnings, worst, summary, result)
        VALUES (@id, @started_at, @finished_at, @duration_ms, @tool_version, @scope_key, @targets, @partial, @stop_reason, @shard,
         @merged_shards, @devices, @services, @failed, @warnings, @worst, @summary, @result)`);
      const insertDevice = this.db.prepare(`INSERT INTO devices (run_seq, address, mac, name, type, vendor, model, services)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
      const insertFinding = this.db.prepare(`INSERT OR REPLACE INTO findings
        (run_seq, id, device, check_id, probe, status, severity, port, transport, title, guidelines)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const insertEvidence = this.db.prepare('INSERT INTO evidence (run_seq, format, data) VALUES (?, ?, ?)');
      const tx = this.db.transaction((r: ScanResult): number => {
        if (this.db.prepare('SELECT 1 FROM runs WHERE id = ?').get(r.run.id)) {
          throw new HistoryError(this.path, `run ${r.run.id} is already stored`);
        }
        const info = insertRun.run({
          id: r.run.id,
          started_at: r.run.startedAt,
          finished_at: r.run.finishedAt,
          duration_ms: Math.round(r.run.durationMs),
          tool_version: r.tool.version,
          scope_key: scopeKey(r),
          targets: JSON.stringify(r.run.targets),
          partial: r.run.partial ? 1 : 0,
          stop_reason: r.run.stopReason ?? null,
          shard: r.run.shard ? `${r.run.shard.index}/${r.run.shard.count}` : null,
          merged_shards: r.run.merged?.shards ?? null,
          devices: r.summary.devices,
          services: r.summary.services,
          failed: r.summary.findings.fail,
          warnings: r.summary.findings.warn,
          worst: r.summary.worst,
          summary: JSON.stringify(r.summary),
          result: gzipJson(r),
        });
        const seq = Number(info.lastInsertRowid);
        for (const d of r.devices) {
          insertDevice.run(seq, d.address, d.mac?.toLowerCase() ?? null, d.name, d.identification.type,
            d.identification.vendor ?? null, d.identification.model ?? null,
            d.services.map((s) => `${s.port}/${s.transport}`).join(','));
        }
        for (const f of r.findings) {
          insertFinding.run(seq, f.id, f.device, f.check, f.probe, f.status, f.severity, f.port ?? null, f.transport ?? null,
            f.title, f.guidelines.join(','));
        }
        if (evidence) insertEvidence.run(seq, evidence.format, encodeEvidence(evidence));
        return seq;
      });
      const seq = tx.immediate(result);
      return this.rowBySeq(seq)!;
    });
  }

  private rowBySeq(seq: number): RunRow | undefined {
    const r = this.db.prepare(`SELECT ${ROW_COLUMNS} FROM runs WHERE seq = ?`).get(seq) as RunRecord | undefined;
    return r ? toRow(r) : undefined;
  }

  count(): number {
    return this.guard(() => (this.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n);
  }

  /** Newest first. */
  listRuns(options: { limit?: number; offset?: number } = {}): RunRow[] {
    return this.guard(() => (this.db.prepare(`SELECT ${ROW_COLUMNS} FROM runs ORDER BY seq DESC LIMIT ? OFFSET ?`)
      .all(options.limit ?? -1, options.offset ?? 0) as RunRecord[]).map(toRow));
  }

  latest(): RunRow | undefined {
    return this.listRuns({ limit: 1 })[0];
  }

  /**
   * The newest run of a scope, optionally only among runs stored before `beforeSeq`. With
   * `preferComplete`, the newest complete run wins over newer partial ones (a run cut short by its time
   * budget or a signal is a poor baseline: what it did not reach would look new next time).
   */
  latestOfScope(key: string, beforeSeq?: number, preferComplete = false): RunRow | undefined {
    return this.guard(() => {
      const order = preferComplete ? 'partial ASC, seq DESC' : 'seq DESC';
      const r = this.db.prepare(`SELECT ${ROW_COLUMNS} FROM runs WHERE scope_key = ? AND seq < ? ORDER BY ${order} LIMIT 1`)
        .get(key, beforeSeq ?? Number.MAX_SAFE_INTEGER) as RunRecord | undefined;
      return r ? toRow(r) : undefined;
    });
  }

  /**
   * Finds a run by reference: `last` (the newest), `last~N` (N runs before it), a full run id, a unique
   * prefix of one (at least 4 characters), or the sequence number `#N` that `iotcop history` shows.
   * An unknown or ambiguous reference is a usage error (exit 2).
   */
  findRun(ref: string): RunRow {
    return this.guard(() => {
      const text = ref.trim();
      const back = /^last(?:~(\d{1,6}))?$/.exec(text);
      if (back) {
        const row = this.listRuns({ limit: 1, offset: Number(back[1] ?? 0) })[0];
        if (!row) throw new UsageError(back[1] ? `there is no run ${text} in ${this.path} (only ${this.count()} stored)` : `no runs stored in ${this.path} yet`);
        return row;
      }
      const seq = /^#(\d{1,12})$/.exec(text);
      if (seq) {
        const row = this.rowBySeq(Number(seq[1]));
        if (!row) throw new UsageError(`no run ${text} in ${this.path}`);
        return row;
      }
      if (!/^[0-9a-zA-Z-]{4,64}$/.test(text)) {
        throw new UsageError(`"${printable(text)}" is not a run reference: give a run id (or its first characters), #N, last or last~N`);
      }
      const rows = (this.db.prepare(`SELECT ${ROW_COLUMNS} FROM runs WHERE id = ? OR substr(id, 1, ?) = ? ORDER BY seq DESC LIMIT 3`)
        .all(text, text.length, text) as RunRecord[]).map(toRow);
      const exact = rows.find((r) => r.id === text);
      if (exact) return exact;
      if (rows.length === 0) throw new UsageError(`no run "${printable(text)}" in ${this.path} (\`iotcop history\` lists them)`);
      if (rows.length > 1) throw new UsageError(`run id prefix "${printable(text)}" is ambiguous: give more characters`);
      return rows[0]!;
    });
  }

  /** The full stored result of a run, validated against the result schema. */
  loadResult(row: Pick<RunRow, 'seq' | 'id'>): ScanResult {
    return this.guard(() => {
      const r = this.db.prepare('SELECT result FROM runs WHERE seq = ?').get(row.seq) as { result: string | Buffer } | undefined;
      if (!r) throw new UsageError(`run ${row.id} is not in ${this.path}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(typeof r.result === 'string' ? r.result : gunzipText(r.result));
      } catch {
        throw new HistoryError(this.path, `the stored result of run ${row.id} is not valid JSON (corrupt row)`);
      }
      const checked = scanResultSchema.safeParse(parsed);
      if (!checked.success) throw new HistoryError(this.path, `the stored result of run ${row.id} does not match the result schema`);
      // Keep fields the schema does not know (e.g. from a newer minor version) by returning the parsed object.
      return parsed as ScanResult;
    });
  }

  /** A run's stored evidence; undefined when it has none (stored before evidence was kept, or merged). */
  loadEvidence(row: Pick<RunRow, 'seq' | 'id'>): RunEvidence | undefined {
    return this.guard(() => {
      const table = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'evidence'").get();
      if (!table) return undefined;
      const r = this.db.prepare('SELECT data FROM evidence WHERE run_seq = ?').get(row.seq) as { data: Buffer } | undefined;
      if (!r) return undefined;
      try {
        return decodeEvidence(r.data);
      } catch (e) {
        if (e instanceof EvidenceFormatError) throw new HistoryError(this.path, `run ${row.id}: ${e.message}`);
        throw e;
      }
    });
  }

  /** Device and finding rows of one run (what the indexes hold). */
  indexedOf(seq: number): { devices: { address: string; mac: string | null; services: string }[]; findings: { id: string; status: string; severity: string }[] } {
    return this.guard(() => ({
      devices: this.db.prepare('SELECT address, mac, services FROM devices WHERE run_seq = ? ORDER BY address').all(seq) as { address: string; mac: string | null; services: string }[],
      findings: this.db.prepare('SELECT id, status, severity FROM findings WHERE run_seq = ? ORDER BY id').all(seq) as { id: string; status: string; severity: string }[],
    }));
  }
}
