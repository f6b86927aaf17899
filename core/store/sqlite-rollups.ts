// Hourly and daily rollups in the embedded SQLite store (core/store/rollups.ts). They are recomputed inside
// the write's own transaction for exactly the windows that batch touched — from the raw readings for an
// hour, from the hour rows for a day — so they are never stale, late readings included, and a re-written
// reading is counted once. A rollup row keeps the reading's tenant columns: a device that moved field
// within a window leaves one row per field.
import type { Database } from 'better-sqlite3';
import type { StoredReading } from '../telemetry/reading.js';
import type { WindowPoint } from './reading-store.js';
import { DAY_MS, HOUR_MS, type RollupSource } from './rollups.js';

const table = (name: string) => `
CREATE TABLE IF NOT EXISTS ${name} (
  device_id TEXT NOT NULL, metric TEXT NOT NULL, ts INTEGER NOT NULL,
  cooperative_id TEXT NOT NULL, field_id TEXT NOT NULL, farm_id TEXT NOT NULL,
  mean REAL NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
  PRIMARY KEY (device_id, metric, ts, cooperative_id, field_id, farm_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${name}_by_cooperative ON ${name} (cooperative_id, metric, ts);
-- A field's chart reads one field's windows: without this it scans every device of the cooperative.
CREATE INDEX IF NOT EXISTS ${name}_by_field ON ${name} (field_id, metric, ts);
`;

export const rollupSchema = table('rollup_hour') + table('rollup_day');

const tenant = 'cooperative_id, field_id, farm_id';

export function createSqliteRollups(db: Database) {
  const stmt = {
    deleteHour: db.prepare('DELETE FROM rollup_hour WHERE device_id = ? AND metric = ? AND ts = ?'),
    insertHour: db.prepare(
      `INSERT INTO rollup_hour (device_id, metric, ts, ${tenant}, mean, min, max, sum, count)
       SELECT device_id, metric, @hour, ${tenant}, avg(value), min(value), max(value), sum(value), count(*)
         FROM readings WHERE device_id = @device AND metric = @metric AND ts >= @hour AND ts < @hour + ${HOUR_MS}
        GROUP BY device_id, metric, ${tenant}`,
    ),
    deleteDay: db.prepare('DELETE FROM rollup_day WHERE device_id = ? AND metric = ? AND ts = ?'),
    insertDay: db.prepare(
      `INSERT INTO rollup_day (device_id, metric, ts, ${tenant}, mean, min, max, sum, count)
       SELECT device_id, metric, @day, ${tenant}, sum(sum) / sum(count), min(min), max(max), sum(sum), sum(count)
         FROM rollup_hour WHERE device_id = @device AND metric = @metric AND ts >= @day AND ts < @day + ${DAY_MS}
        GROUP BY device_id, metric, ${tenant}`,
    ),
  };

  return {
    /** Recomputes the hour and day windows a batch touched; call inside the batch's transaction. */
    recompute(batch: readonly StoredReading[]): void {
      const hours = new Map<string, { device: string; metric: string; hour: number }>();
      for (const r of batch) {
        const hour = Math.floor(r.ts / HOUR_MS) * HOUR_MS;
        const key = `${r.deviceId}\u0000${r.metric}\u0000${hour}`;
        if (!hours.has(key)) hours.set(key, { device: r.deviceId, metric: r.metric, hour });
      }
      const days = new Map<string, { device: string; metric: string; day: number }>();
      for (const h of hours.values()) {
        stmt.deleteHour.run(h.device, h.metric, h.hour);
        stmt.insertHour.run(h);
        const day = Math.floor(h.hour / DAY_MS) * DAY_MS;
        days.set(`${h.device}\u0000${h.metric}\u0000${day}`, { device: h.device, metric: h.metric, day });
      }
      for (const d of days.values()) {
        stmt.deleteDay.run(d.device, d.metric, d.day);
        stmt.insertDay.run(d);
      }
    },

    /** Rebuilds every rollup from the raw readings (a store written before rollups existed). */
    rebuild(): void {
      db.exec(`DELETE FROM rollup_hour; DELETE FROM rollup_day;
        INSERT INTO rollup_hour (device_id, metric, ts, ${tenant}, mean, min, max, sum, count)
          SELECT device_id, metric, (ts / ${HOUR_MS}) * ${HOUR_MS}, ${tenant}, avg(value), min(value), max(value), sum(value), count(*)
            FROM readings GROUP BY device_id, metric, ts / ${HOUR_MS}, ${tenant};
        INSERT INTO rollup_day (device_id, metric, ts, ${tenant}, mean, min, max, sum, count)
          SELECT device_id, metric, (ts / ${DAY_MS}) * ${DAY_MS}, ${tenant}, sum(sum) / sum(count), min(min), max(max), sum(sum), sum(count)
            FROM rollup_hour GROUP BY device_id, metric, ts / ${DAY_MS}, ${tenant};`);
    },

    /** Per-window aggregates of one source over a WHERE clause on the shared column names. */
    windows(source: RollupSource, where: string, params: readonly (string | number)[], every: number, limit: string): WindowPoint[] {
      const sql = source === 'raw'
        ? `SELECT device_id AS deviceId, (ts / ${every}) * ${every} AS ts, avg(value) AS mean, min(value) AS min, max(value) AS max,
                  sum(value) AS sum, count(*) AS count
             FROM readings WHERE ${where} GROUP BY device_id, ts / ${every} ORDER BY device_id, ts${limit}`
        : `SELECT device_id AS deviceId, (ts / ${every}) * ${every} AS ts, sum(sum) / sum(count) AS mean, min(min) AS min, max(max) AS max,
                  sum(sum) AS sum, sum(count) AS count
             FROM ${source === 'hour' ? 'rollup_hour' : 'rollup_day'} WHERE ${where} GROUP BY device_id, ts / ${every} ORDER BY device_id, ts${limit}`;
      return db.prepare(sql).all(params) as WindowPoint[];
    },
  };
}
