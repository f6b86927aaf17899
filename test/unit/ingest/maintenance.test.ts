// The ingest's timers: rollups refreshed on their interval but not during a burst (at least every 30
// intervals though) nor while spooling; raw readings pruned to whole days past the retention.
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import { createIngestMetrics } from '../../../ingest/ingest-metrics.js';
import { startMaintenance } from '../../../ingest/maintenance.js';

const DAY = 86_400_000;

describe('ingest maintenance', () => {
  beforeEach(() => { vi.useFakeTimers({ now: Date.UTC(2026, 2, 10, 15, 30) }); });
  afterEach(() => { vi.useRealTimers(); });

  it('refreshes rollups on time, waits out a burst and spooling, and prunes whole days', async () => {
    const calls = { refresh: 0, prune: [] as number[] };
    const store = {
      refreshRollups: () => { calls.refresh++; return Promise.resolve(3); },
      pruneRaw: (before: number) => { calls.prune.push(before); return Promise.resolve(); },
    } as unknown as ReadingStore;
    const state = { busy: false, spooling: false };
    const m = startMaintenance({
      store, log: silentLogger(), metrics: createIngestMetrics(new Registry()), now: () => Date.now(),
      spooling: () => state.spooling, busy: () => state.busy, rollupRefreshMs: 1000, rawRetentionMs: 90 * DAY, pruneEveryMs: 60_000,
    });
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.refresh).toBe(3);
    state.busy = true;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls.refresh).toBe(3);
    await vi.advanceTimersByTimeAsync(25_000); // 30 intervals since the last refresh: it runs anyway
    expect(calls.refresh).toBe(4);
    state.busy = false;
    state.spooling = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(calls.refresh).toBe(4);
    state.spooling = false;
    await vi.advanceTimersByTimeAsync(20_000);
    expect(calls.prune).toEqual([Date.UTC(2025, 11, 10)]); // 90 days before 2026-03-10T16:31Z, down to midnight UTC
    await m.stop();
  });
});
