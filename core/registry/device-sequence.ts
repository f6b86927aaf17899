// Per-device sequence state (migration 3, core/telemetry/sequence.ts): written by the ingest in batches,
// read by the API (GET /api/v1/devices/:id/gaps) and by the ingest when it starts.
import type { Database } from 'better-sqlite3';
import type { SequenceState } from '../telemetry/sequence.js';

interface Row {
  device_id: string; next_seq: number; missing: string; missing_count: number; gaps_total: number;
  filled_total: number; duplicates_total: number; resets_total: number; last_seen_at: number;
}

export function createDeviceSequences(db: Database) {
  const stmt = {
    get: db.prepare('SELECT * FROM device_sequence WHERE device_id = ?'),
    upsert: db.prepare(
      `INSERT INTO device_sequence (device_id, next_seq, missing, missing_count, gaps_total, filled_total, duplicates_total, resets_total, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id) DO UPDATE SET next_seq = excluded.next_seq, missing = excluded.missing, missing_count = excluded.missing_count,
         gaps_total = excluded.gaps_total, filled_total = excluded.filled_total, duplicates_total = excluded.duplicates_total,
         resets_total = excluded.resets_total, last_seen_at = excluded.last_seen_at`,
    ),
  };
  const fromRow = (r: Row): SequenceState => {
    const payload = JSON.parse(r.missing) as { ranges: [number, number][]; newestTs: number };
    return {
      nextSeq: r.next_seq, newestTs: payload.newestTs, missing: payload.ranges, missingCount: r.missing_count, gapsTotal: r.gaps_total,
      filledTotal: r.filled_total, duplicatesTotal: r.duplicates_total, resetsTotal: r.resets_total, lastSeenAt: r.last_seen_at,
    };
  };
  const saveMany = db.transaction((states: readonly [string, SequenceState][]) => {
    for (const [deviceId, s] of states) {
      stmt.upsert.run(deviceId, s.nextSeq, JSON.stringify({ ranges: s.missing, newestTs: s.newestTs }), s.missingCount, s.gapsTotal, s.filledTotal, s.duplicatesTotal, s.resetsTotal, s.lastSeenAt);
    }
  });
  return {
    sequenceState: (deviceId: string): SequenceState | undefined => {
      const row = stmt.get.get(deviceId) as Row | undefined;
      return row ? fromRow(row) : undefined;
    },
    saveSequenceStates: (states: readonly [string, SequenceState][]): void => { if (states.length) saveMany(states); },
  };
}
