// The ReadingStore interface (docs/architecture.md). Every implementation passes ONE contract suite
// (test/contract/reading-store.contract.ts). Adding a store = passing that suite.
import type { StoredReading } from '../telemetry/reading.js';
import type { ReadingColumns } from '../telemetry/reading-columns.js';
import type { SequenceState } from '../telemetry/sequence.js';

export type Aggregate = 'mean' | 'min' | 'max' | 'sum' | 'count';

export interface LatestFilter {
  /** Always set by the API: a query never crosses a cooperative. */
  readonly cooperativeId: string;
  readonly fieldId?: string | undefined;
  readonly deviceIds?: readonly string[] | undefined;
}

export interface RangeQuery {
  readonly cooperativeId: string;
  readonly fieldId?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly metric: string;
  /** Inclusive start, exclusive end, epoch ms. */
  readonly from: number;
  readonly to: number;
  /** Window length in ms; undefined = raw points. Windows are aligned to the epoch (UTC). */
  readonly everyMs?: number | undefined;
  readonly limit?: number | undefined;
}

export interface RawPoint {
  readonly deviceId: string;
  readonly ts: number;
  readonly value: number;
}

export interface WindowPoint {
  readonly deviceId: string;
  /** Window start, epoch ms. */
  readonly ts: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
}

export interface ReadingStore {
  readonly kind: string;
  /** Creates tables / the database; safe to call on an existing store. */
  setup(): Promise<void>;
  /**
   * Idempotent on device + metric + ts: a re-written reading replaces the earlier one. `sequences` (device →
   * its sequence state once the batch is counted, core/telemetry/sequence.ts) is stored WITH the batch: never
   * unless all of the batch's readings are (issue 14: a crash must not invent gaps). SQLite: one transaction;
   * InfluxDB (no transactions): the states are the last lines of the batch's last request, so they land only
   * after every reading, and a write that resolved holds both. A later state of a device replaces its earlier.
   */
  write(batch: readonly StoredReading[], sequences?: ReadonlyMap<string, SequenceState>): Promise<void>;
  /**
   * write() of a batch held as columns (core/telemetry/reading-columns.ts), where a store reads them without a
   * StoredReading object per reading (InfluxDB); the same guarantees. Absent: the ingest calls write() with
   * the columns' objects. Keeps no reference to the columns once it resolved or rejected (they are reused).
   */
  writeColumns?(batch: ReadingColumns, sequences?: ReadonlyMap<string, SequenceState>): Promise<void>;
  /**
   * The sequence state last written for each of these devices (every device when undefined); a device
   * without one is absent. What the ingest starts from, and what GET /devices/:id/gaps shows.
   */
  sequenceStates(deviceIds?: readonly string[]): Promise<Map<string, SequenceState>>;
  /** The reading with the highest timestamp per device + metric (not the last one received). */
  latest(filter: LatestFilter): Promise<StoredReading[]>;
  /**
   * Raw points (everyMs undefined) or per-window aggregates, ordered by device then time. Windows of whole
   * hours are read from the hourly and daily rollups where those lie wholly inside [from, to) and are up to
   * date, from raw readings elsewhere (core/store/rollups.ts): the same answer, and it outlives the raw
   * retention.
   */
  query(q: RangeQuery & { everyMs?: undefined }): Promise<RawPoint[]>;
  query(q: RangeQuery & { everyMs: number }): Promise<WindowPoint[]>;
  query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]>;
  /**
   * Brings the hourly and daily rollups of every window written since the last refresh up to date; returns
   * how many hour windows it recomputed. Queries are exact without it (stale windows are read raw); it
   * only makes them cheap. The ingest runs it every few seconds.
   */
  refreshRollups(): Promise<number>;
  /** Deletes raw readings older than `before` (epoch ms); rollups and `latest` are kept (raw retention). */
  pruneRaw(before: number): Promise<void>;
  /** True when the store answers; used by /readyz. */
  ping(): Promise<boolean>;
  /** Safe to call twice. */
  close(): Promise<void>;
}
