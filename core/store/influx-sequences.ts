// Per-device sequence state in InfluxDB (issue 14). InfluxDB has no transactions, so the states are written
// as the LAST lines of the last request of the batch whose readings they count (core/store/influx-store.ts):
// influxd reads a request whole before it applies any of it, and the batch's earlier requests have already
// succeeded, so a state is never stored before its readings; the write resolves — and the ingest
// acknowledges — only after both. Measurement `sequence_state` in the raw retention policy (a device silent
// for longer than the raw retention starts afresh, like its readings), tag device, one point per device per
// hour: the time is the hour of the write, never earlier than any state already written, so a later write
// in the same hour overwrites the point (same series + time) and the newest point is the device's state.
// The state is ONE string field: influxd's cost grows with field values, and nine fields per state took
// +18–24 % of its CPU per message at 1,000 devices per 20,000-reading batch; with one field, no difference
// beyond the noise (influxd 1.6, 3 interleaved pairs of 40 batches).
import type { SequenceState } from '../telemetry/sequence.js';
import { formatRanges, parseRanges } from '../telemetry/sequence.js';
import { column, influxString, RAW_RP, tagValue, type Series } from './influx-lines.js';

export const SEQUENCES = 'sequence_state';
const measurement = `"${RAW_RP}"."${SEQUENCES}"`;
const HOUR = 3_600_000;
/** Devices per query: keeps the WHERE clause of OR terms short. */
const IDS_PER_QUERY = 200;

/** The lines of these states at `ts` (ms), each ending in `\n`; throws before anything is sent on a device id a tag cannot carry. */
export function sequenceLines(states: ReadonlyMap<string, SequenceState>, ts: number): string {
  let out = '';
  for (const [id, s] of states) {
    // Digits, spaces, '-' and ',' only: nothing to escape inside the quotes.
    out += `${SEQUENCES},device=${tagValue(id, 'device')} state="${s.nextSeq} ${s.newestTs} ${s.missingCount} ${s.gapsTotal} ` +
      `${s.filledTotal} ${s.duplicatesTotal} ${s.resetsTotal} ${s.lastSeenAt} ${formatRanges(s.missing)}" ${ts}\n`;
  }
  return out;
}

/** The time of the next states: this hour, and never before `written` (the newest state time already in the store). */
export const stateTime = (now: number, written: number): number => Math.max(written, Math.floor(now / HOUR) * HOUR);

/** InfluxQL: the newest state point overall (its time seeds stateTime's `written`). */
export const newestStateQuery = `SELECT "state" FROM ${measurement} ORDER BY time DESC LIMIT 1`;

/** InfluxQL: each device's newest state (LIMIT is per GROUP BY series), in chunks of devices; all when undefined. */
export function stateQueries(deviceIds: readonly string[] | undefined): string[] {
  const q = (where: string) => `SELECT * FROM ${measurement}${where} GROUP BY "device" ORDER BY time DESC LIMIT 1`;
  if (deviceIds === undefined) return [q('')];
  const out: string[] = [];
  for (let i = 0; i < deviceIds.length; i += IDS_PER_QUERY) {
    out.push(q(` WHERE ${deviceIds.slice(i, i + IDS_PER_QUERY).map((d) => `"device" = ${influxString(d)}`).join(' OR ')}`));
  }
  return out;
}

export function statesOf(series: readonly Series[], into: Map<string, SequenceState>): void {
  for (const s of series) {
    const row = s.values?.[0];
    const id = s.tags?.device;
    if (!row || id === undefined) continue;
    const text = row[column(s, 'state')];
    if (typeof text !== 'string') continue;
    const f = text.split(' ');
    into.set(id, {
      nextSeq: Number(f[0]), newestTs: Number(f[1]), missingCount: Number(f[2]), gapsTotal: Number(f[3]), filledTotal: Number(f[4]),
      duplicatesTotal: Number(f[5]), resetsTotal: Number(f[6]), lastSeenAt: Number(f[7]), missing: parseRanges(f[8] ?? ''),
    });
  }
}
