// The embedded ReadingStore: SQLite (better-sqlite3 v12) in WAL mode, one transaction per batch.
// Primary key (device, metric, ts) makes re-writes idempotent; a `latest` table kept by an upsert
// that only moves forward in time answers "latest" without scanning history. Hourly and daily rollups are
// kept in the same transaction (core/store/sqlite-rollups.ts), and so is the devices' sequence state
// (core/store/sqlite-sequences.ts).
import Database from 'better-sqlite3';
import { RuongError } from '../errors.js';
import type { StoredReading } from '../telemetry/reading.js';
import type { SequenceState } from '../telemetry/sequence.js';
import type { LatestFilter, RangeQuery, RawPoint, ReadingStore, WindowPoint } from './reading-store.js';
import { mergeWindows, planSegments } from './rollups.js';
import { createSqliteRollups, rollupSchema } from './sqlite-rollups.js';
import { createSqliteSequences, sequenceSchema } from './sqlite-sequences.js';

/** PRAGMA user_version of the readings database: 1 = rollups exist (core/store/sqlite-rollups.ts). */
const STORE_VERSION = 1;

const schema = `
CREATE TABLE IF NOT EXISTS readings (
  device_id TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
  seq INTEGER, flags TEXT, field_id TEXT NOT NULL, farm_id TEXT NOT NULL, cooperative_id TEXT NOT NULL,
  PRIMARY KEY (device_id, metric, ts)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS readings_by_field ON readings (field_id, metric, ts);
CREATE TABLE IF NOT EXISTS latest (
  device_id TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL, value REAL NOT NULL,
  seq INTEGER, flags TEXT, field_id TEXT NOT NULL, farm_id TEXT NOT NULL, cooperative_id TEXT NOT NULL,
  PRIMARY KEY (device_id, metric)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS latest_by_field ON latest (cooperative_id, field_id);
`;

const columns = 'device_id, metric, ts, value, seq, flags, field_id, farm_id, cooperative_id';
const placeholders = '?, ?, ?, ?, ?, ?, ?, ?, ?';

interface LatestRow {
  device_id: string; metric: string; ts: number; value: number; seq: number | null; flags: string | null;
  field_id: string; farm_id: string; cooperative_id: string;
}

export function createSqliteStore(opts: { path: string }): ReadingStore {
  let db: Database.Database | undefined;

  function open(): Database.Database {
    if (!db) throw new RuongError('STORE_UNAVAILABLE', 'SQLite store is not set up or already closed');
    return db;
  }

  function statements(d: Database.Database) {
    return {
      upsertReading: d.prepare(
        `INSERT INTO readings (${columns}) VALUES (${placeholders})
         ON CONFLICT (device_id, metric, ts) DO UPDATE SET value = excluded.value, seq = excluded.seq, flags = excluded.flags`,
      ),
      // Moves forward only: an older reading arriving late never replaces a newer latest value.
      upsertLatest: d.prepare(
        `INSERT INTO latest (${columns}) VALUES (${placeholders})
         ON CONFLICT (device_id, metric) DO UPDATE SET ts = excluded.ts, value = excluded.value, seq = excluded.seq, flags = excluded.flags
         WHERE excluded.ts >= latest.ts`,
      ),
    };
  }
  let stmts: ReturnType<typeof statements> | undefined;
  let rollups: ReturnType<typeof createSqliteRollups> | undefined;
  let sequences: ReturnType<typeof createSqliteSequences> | undefined;

  const toRow = (r: StoredReading) => [r.deviceId, r.metric, r.ts, r.value, r.seq ?? null, r.flags?.length ? r.flags.join(',') : null, r.fieldId, r.farmId, r.cooperativeId];

  const fromLatest = (row: LatestRow): StoredReading => ({
    deviceId: row.device_id, metric: row.metric, ts: row.ts, value: row.value,
    seq: row.seq ?? undefined, flags: row.flags ? (row.flags.split(',') as StoredReading['flags']) : undefined,
    fieldId: row.field_id, farmId: row.farm_id, cooperativeId: row.cooperative_id,
  });

  function rangeWhere(q: RangeQuery): { sql: string; params: (string | number)[] } {
    const clauses = ['cooperative_id = ?', 'metric = ?', 'ts >= ?', 'ts < ?'];
    const params: (string | number)[] = [q.cooperativeId, q.metric, q.from, q.to];
    if (q.fieldId !== undefined) { clauses.push('field_id = ?'); params.push(q.fieldId); }
    if (q.deviceId !== undefined) { clauses.push('device_id = ?'); params.push(q.deviceId); }
    return { sql: clauses.join(' AND '), params };
  }

  const store = {
    kind: 'sqlite',

    setup(): Promise<void> {
      if (!db) {
        db = new Database(opts.path);
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = FULL'); // fsync per batch: an acknowledged reading survives a power cut, not only a kill -9
        db.pragma('busy_timeout = 5000');
        db.exec(schema);
        db.exec(rollupSchema);
        db.exec(sequenceSchema);
        stmts = statements(db);
        rollups = createSqliteRollups(db);
        sequences = createSqliteSequences(db);
        if ((db.pragma('user_version', { simple: true }) as number) < STORE_VERSION) {
          const r = rollups;
          db.transaction(() => { r.rebuild(); })();
          db.pragma(`user_version = ${STORE_VERSION}`);
        }
      }
      return Promise.resolve();
    },

    write(batch: readonly StoredReading[], states?: ReadonlyMap<string, SequenceState>): Promise<void> {
      if (batch.length === 0 && !states?.size) return Promise.resolve();
      try {
        const d = open();
        const s = stmts!;
        d.transaction(() => {
          for (const r of batch) {
            const row = toRow(r);
            s.upsertReading.run(row);
            s.upsertLatest.run(row);
          }
          if (batch.length > 0) rollups!.recompute(batch);
          if (states?.size) sequences!.save(states); // the same transaction: the state never runs ahead of or behind its readings
        })();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err))); // a refused batch is a rejection, as from any store, not a throw
      }
      return Promise.resolve();
    },

    sequenceStates(deviceIds?: readonly string[]): Promise<Map<string, SequenceState>> {
      open();
      return Promise.resolve(sequences!.load(deviceIds));
    },

    latest(filter: LatestFilter): Promise<StoredReading[]> {
      const clauses = ['cooperative_id = ?'];
      const params: string[] = [filter.cooperativeId];
      if (filter.fieldId !== undefined) { clauses.push('field_id = ?'); params.push(filter.fieldId); }
      if (filter.deviceIds !== undefined) {
        if (filter.deviceIds.length === 0) return Promise.resolve([]);
        clauses.push(`device_id IN (${filter.deviceIds.map(() => '?').join(',')})`);
        params.push(...filter.deviceIds);
      }
      const rows = open().prepare(`SELECT ${columns} FROM latest WHERE ${clauses.join(' AND ')} ORDER BY device_id, metric`).all(params) as LatestRow[];
      return Promise.resolve(rows.map(fromLatest));
    },

    query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]> {
      const { sql, params } = rangeWhere(q);
      const limit = q.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(q.limit))}` : '';
      if (q.everyMs === undefined) {
        const rows = open().prepare(`SELECT device_id AS deviceId, ts, value FROM readings WHERE ${sql} ORDER BY device_id, ts${limit}`).all(params);
        return Promise.resolve(rows as RawPoint[]);
      }
      const every = Math.floor(q.everyMs);
      if (every <= 0) throw new RuongError('BAD_REQUEST', 'window must be a positive number of milliseconds');
      open();
      // Epoch-aligned windows, like InfluxQL GROUP BY time(); whole hours and days from the rollups.
      const parts = planSegments(q.from, q.to, every).map((seg) => {
        const w = rangeWhere({ ...q, from: seg.from, to: seg.to });
        return rollups!.windows(seg.source, w.sql, w.params, every, limit);
      });
      const windows = mergeWindows(parts);
      return Promise.resolve(q.limit === undefined ? windows : windows.slice(0, Math.max(0, Math.floor(q.limit))));
    },

    refreshRollups(): Promise<number> {
      open();
      return Promise.resolve(0); // kept in each write's transaction
    },

    pruneRaw(before: number): Promise<void> {
      const d = open();
      // Per series through the primary key (device_id, metric, ts) rather than a scan of every reading.
      const series = d.prepare('SELECT DISTINCT device_id AS device, metric FROM latest').all() as { device: string; metric: string }[];
      const del = d.prepare('DELETE FROM readings WHERE device_id = ? AND metric = ? AND ts < ?');
      d.transaction(() => { for (const s of series) del.run(s.device, s.metric, before); })();
      return Promise.resolve();
    },

    ping(): Promise<boolean> {
      try {
        open().prepare('SELECT 1').get();
        return Promise.resolve(true);
      } catch {
        return Promise.resolve(false);
      }
    },

    close(): Promise<void> {
      if (db?.open) db.close();
      db = undefined;
      stmts = undefined;
      rollups = undefined;
      sequences = undefined;
      return Promise.resolve();
    },
  };
  return store as ReadingStore;
}
