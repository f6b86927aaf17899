// Per-device sequence state in the SQLite store (issue 14): upserted in the same transaction as the readings
// it counts (core/store/sqlite-store.ts), so after any crash the state and the readings agree.
import type { Database } from 'better-sqlite3';
import { formatRanges, parseRanges, type SequenceState } from '../telemetry/sequence.js';

export const sequenceSchema = `
CREATE TABLE IF NOT EXISTS sequence_state (
  device_id TEXT PRIMARY KEY, next_seq INTEGER NOT NULL, newest_ts INTEGER NOT NULL, missing TEXT NOT NULL,
  missing_count INTEGER NOT NULL, gaps_total INTEGER NOT NULL, filled_total INTEGER NOT NULL,
  duplicates_total INTEGER NOT NULL, resets_total INTEGER NOT NULL, last_seen_at INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface Row {
  device_id: string; next_seq: number; newest_ts: number; missing: string; missing_count: number; gaps_total: number;
  filled_total: number; duplicates_total: number; resets_total: number; last_seen_at: number;
}

const fromRow = (r: Row): SequenceState => ({
  nextSeq: r.next_seq, newestTs: r.newest_ts, missing: parseRanges(r.missing), missingCount: r.missing_count,
  gapsTotal: r.gaps_total, filledTotal: r.filled_total, duplicatesTotal: r.duplicates_total, resetsTotal: r.resets_total,
  lastSeenAt: r.last_seen_at,
});

/** Device ids per `IN (…)` query: far below SQLite's bound on parameters. */
const IDS_PER_QUERY = 500;

export function createSqliteSequences(db: Database) {
  const upsert = db.prepare(
    `INSERT OR REPLACE INTO sequence_state (device_id, next_seq, newest_ts, missing, missing_count, gaps_total, filled_total,
       duplicates_total, resets_total, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const all = db.prepare('SELECT * FROM sequence_state');
  return {
    /** Inside the caller's transaction. */
    save(states: ReadonlyMap<string, SequenceState>): void {
      for (const [id, s] of states) {
        upsert.run(id, s.nextSeq, s.newestTs, formatRanges(s.missing), s.missingCount, s.gapsTotal, s.filledTotal, s.duplicatesTotal, s.resetsTotal, s.lastSeenAt);
      }
    },
    load(deviceIds: readonly string[] | undefined): Map<string, SequenceState> {
      const out = new Map<string, SequenceState>();
      if (deviceIds === undefined) {
        for (const row of all.all() as Row[]) out.set(row.device_id, fromRow(row));
        return out;
      }
      for (let i = 0; i < deviceIds.length; i += IDS_PER_QUERY) {
        const ids = deviceIds.slice(i, i + IDS_PER_QUERY);
        const rows = db.prepare(`SELECT * FROM sequence_state WHERE device_id IN (${ids.map(() => '?').join(',')})`).all(ids) as Row[];
        for (const row of rows) out.set(row.device_id, fromRow(row));
      }
      return out;
    },
  };
}
