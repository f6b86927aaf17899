// The ingest's timers: rollups refreshed every rollupRefreshMs — not while the store is down (the spool
// replay comes first) and not while a burst is being taken in (a reconnect storm: queries stay exact
// meanwhile, and each refresh would recompute the same hours again), though at least every 30 intervals;
// raw readings older than the raw retention pruned every hour. Each task logs its failure once per streak and
// carries on. (Sequence state has no timer: it is stored with each batch, ingest/sequence-tracker.ts.)
import type { Logger } from '../core/log.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { IngestMetrics } from './ingest-metrics.js';

export interface MaintenanceOptions {
  readonly store: ReadingStore;
  readonly log: Logger;
  readonly metrics: IngestMetrics;
  readonly spooling: () => boolean;
  /** True while messages queue up waiting for their acknowledgement (a burst). */
  readonly busy?: () => boolean;
  readonly now: () => number;
  readonly rollupRefreshMs: number;
  readonly rawRetentionMs: number | undefined;
  readonly pruneEveryMs?: number;
}

export interface Maintenance {
  /** Runs the rollup refresh now (tests, and before a clean stop). */
  refreshNow(): Promise<void>;
  stop(): Promise<void>;
}

export function startMaintenance(o: MaintenanceOptions): Maintenance {
  const failing = new Set<string>();
  let running: Promise<void> = Promise.resolve();

  async function task(name: string, fn: () => Promise<void> | void): Promise<void> {
    try {
      await fn();
      if (failing.delete(name)) o.log.info({ task: name }, 'ingest maintenance task recovered');
    } catch (err) {
      if (!failing.has(name)) o.log.warn({ err, task: name }, 'ingest maintenance task failed; will retry');
      failing.add(name);
    }
  }

  let lastRefresh = o.now();
  const refresh = (force = false) => task('rollups', async () => {
    if (o.spooling()) return;
    if (!force && o.busy?.() && o.now() - lastRefresh < 30 * o.rollupRefreshMs) return;
    o.metrics.rollupWindows.inc(await o.store.refreshRollups());
    lastRefresh = o.now();
  });
  const prune = () => task('prune', async () => {
    if (o.rawRetentionMs === undefined || o.spooling()) return;
    // Whole UTC days only: a later reading recomputes its hour and day from raw readings, which must all be there.
    const day = 86_400_000;
    await o.store.pruneRaw(Math.floor((o.now() - o.rawRetentionMs) / day) * day);
  });
  // One task at a time: a slow refresh is never overlapped by the next.
  const queue = (fn: () => Promise<void>) => { running = running.then(fn); return running; };

  const timers = [
    ...(o.rollupRefreshMs > 0 ? [setInterval(() => void queue(refresh), o.rollupRefreshMs)] : []),
    setInterval(() => void queue(prune), o.pruneEveryMs ?? 3_600_000),
  ];
  for (const t of timers) t.unref();

  return {
    refreshNow: () => queue(() => refresh(true)),
    async stop() {
      for (const t of timers) clearInterval(t);
      await running;
    },
  };
}
