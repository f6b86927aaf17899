// Latest value per device + metric, cached per cooperative. InfluxDB took 133–294 ms for the latest values of
// 1,000 devices (issue 8), so the API loads them once per cooperative and then follows the event bus: every
// stored batch moves the cached value forward (never backward: "latest" is the highest timestamp). Without a
// bus (an API process apart from the ingest) entries are simply reloaded after a short time to live.
import type { EventBus } from '../core/event-bus.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { StoredReading } from '../core/telemetry/reading.js';

interface Entry {
  readonly byKey: Map<string, StoredReading>;
  loadedAt: number;
  loading: Promise<void> | undefined;
}

export interface LatestCache {
  /** Latest readings of a cooperative, optionally of one field or some devices, ordered by device then metric. */
  latest(cooperativeId: string, filter?: { fieldId?: string | undefined; deviceIds?: ReadonlySet<string> | undefined }): Promise<StoredReading[]>;
  /** Stops following the bus. */
  close(): void;
}

const key = (r: Pick<StoredReading, 'deviceId' | 'metric'>) => `${r.deviceId}\u0000${r.metric}`;

function newer(byKey: Map<string, StoredReading>, r: StoredReading): void {
  const seen = byKey.get(key(r));
  if (!seen || seen.ts <= r.ts) byKey.set(key(r), r);
}

function byDeviceThenMetric(a: StoredReading, b: StoredReading): number {
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0;
}

export function createLatestCache(opts: { store: ReadingStore; bus?: EventBus | undefined; ttlMs?: number; now?: () => number }): LatestCache {
  const now = opts.now ?? Date.now;
  // With a bus the cache is exact in this process; the long TTL only bounds drift from writers elsewhere.
  const ttlMs = opts.ttlMs ?? (opts.bus ? 60_000 : 5_000);
  const entries = new Map<string, Entry>();
  const off = opts.bus?.on('readings', ({ readings }) => {
    for (const r of readings) {
      const entry = entries.get(r.cooperativeId);
      if (entry) newer(entry.byKey, r);
    }
  });

  async function load(cooperativeId: string, entry: Entry): Promise<void> {
    const rows = await opts.store.latest({ cooperativeId });
    // Readings that arrived over the bus while loading are kept when they are newer.
    for (const r of rows) newer(entry.byKey, r);
    entry.loadedAt = now();
  }

  async function fresh(cooperativeId: string): Promise<Entry> {
    let entry = entries.get(cooperativeId);
    if (entry && !entry.loading && now() - entry.loadedAt < ttlMs) return entry;
    if (!entry) {
      entry = { byKey: new Map(), loadedAt: 0, loading: undefined };
      entries.set(cooperativeId, entry);
    }
    const e = entry;
    e.loading ??= load(cooperativeId, e).finally(() => { e.loading = undefined; });
    try {
      await e.loading;
    } catch (err) {
      if (e.loadedAt === 0) entries.delete(cooperativeId); // never loaded: do not serve an empty cache
      throw err;
    }
    return e;
  }

  return {
    async latest(cooperativeId, filter = {}) {
      const entry = await fresh(cooperativeId);
      const out: StoredReading[] = [];
      for (const r of entry.byKey.values()) {
        if (filter.fieldId !== undefined && r.fieldId !== filter.fieldId) continue;
        if (filter.deviceIds !== undefined && !filter.deviceIds.has(r.deviceId)) continue;
        out.push(r);
      }
      return out.sort(byDeviceThenMetric);
    },
    close() {
      off?.();
      entries.clear();
    },
  };
}
