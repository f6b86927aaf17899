// The ReadingStore interface (architecture.md). Every implementation passes ONE contract suite
// (test/contract/reading-store.contract.ts). Adding a store = passing that suite.
import type { StoredReading } from '../telemetry/reading.js';

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
  /** Idempotent on device + metric + ts: a re-written reading replaces the earlier one. */
  write(batch: readonly StoredReading[]): Promise<void>;
  /** The reading with the highest timestamp per device + metric (not the last one received). */
  latest(filter: LatestFilter): Promise<StoredReading[]>;
  /** Raw points (everyMs undefined) or per-window aggregates, ordered by device then time. */
  query(q: RangeQuery & { everyMs?: undefined }): Promise<RawPoint[]>;
  query(q: RangeQuery & { everyMs: number }): Promise<WindowPoint[]>;
  query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]>;
  /** True when the store answers; used by /readyz. */
  ping(): Promise<boolean>;
  /** Safe to call twice. */
  close(): Promise<void>;
}
