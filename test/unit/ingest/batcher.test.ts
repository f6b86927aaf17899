// The ingest's adaptive batching (ingest/batcher.ts, issue 19): a quiet platform's reading is written at once,
// a busy store gets what arrived meanwhile in one write, a steady trickle at most one write per maxDelayMs;
// one write in flight, order kept, nothing resolved before it is stored.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { createBatcher } from '../../../ingest/batcher.js';

/** A store whose writes each take `ms` (fake time); records every batch, when it started, and the most in flight. */
function timedStore(ms: number) {
  const writes: number[][] = [];
  const startedAt: number[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    writes, startedAt,
    maxInFlight: () => maxInFlight,
    write: async (batch: number[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      writes.push([...batch]);
      startedAt.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
    },
  };
}

describe('ingest batcher', () => {
  beforeEach(() => { vi.useFakeTimers({ now: 1_000_000 }); });
  afterEach(() => { vi.useRealTimers(); });

  it('writes a reading arriving at a quiet platform at once, not after maxDelayMs', async () => {
    const store = timedStore(5);
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 60_000, log: silentLogger(), write: store.write });
    let stored = false;
    void batcher.add([7]).then(() => { stored = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(store.writes).toEqual([[7]]); // started on the next turn
    expect(stored).toBe(false); // and its promise (the PUBACK) waits for the write
    await vi.advanceTimersByTimeAsync(5);
    expect(stored).toBe(true);
  });

  it('under a slow store, writes what arrived during a write together as soon as it returns, one write at a time, in order', async () => {
    const store = timedStore(400); // slower than maxDelayMs
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 50, log: silentLogger(), write: store.write });
    const first = batcher.add([0]);
    await vi.advanceTimersByTimeAsync(0);
    const during: Promise<void>[] = [];
    for (let i = 1; i <= 300; i++) {
      during.push(batcher.add([i]));
      await vi.advanceTimersByTimeAsync(1); // readings keep arriving over the write
    }
    expect(store.writes).toEqual([[0]]); // nothing else starts while a write is in flight
    expect(new Set(during).size).toBe(1); // they are one batch: one promise
    await vi.advanceTimersByTimeAsync(100);
    expect(store.writes[1]).toEqual(Array.from({ length: 300 }, (_, i) => i + 1)); // grown to all that arrived
    expect(store.startedAt[1]! - store.startedAt[0]!).toBe(400); // started as the first returned
    const third = batcher.add([301, 302]);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([first, ...during, third]);
    expect(store.writes.flat()).toEqual(Array.from({ length: 303 }, (_, i) => i));
    expect(store.maxInFlight()).toBe(1);
  });

  it('writes what arrived during a write as soon as it returns, even when the write took less than maxDelayMs', async () => {
    const store = timedStore(10);
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 1000, log: silentLogger(), write: store.write });
    void batcher.add([0]);
    await vi.advanceTimersByTimeAsync(1);
    const during = [1, 2, 3].map((i) => batcher.add([i]));
    await vi.advanceTimersByTimeAsync(10);
    expect(store.writes).toEqual([[0], [1, 2, 3]]);
    expect(store.startedAt[1]! - store.startedAt[0]!).toBe(10); // not held until 1000 ms after the first
    await vi.advanceTimersByTimeAsync(10);
    await Promise.all(during);
  });

  it('writes a steady trickle at a fast store at most once per maxDelayMs, and no reading waits longer', async () => {
    const store = timedStore(1);
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 50, log: silentLogger(), write: store.write });
    const arrivedAt: number[] = [];
    for (let i = 0; i < 100; i++) { // a reading every 5 ms for 500 ms
      arrivedAt.push(Date.now());
      void batcher.add([i]);
      await vi.advanceTimersByTimeAsync(5);
    }
    await vi.advanceTimersByTimeAsync(100);
    expect(store.writes.flat()).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Not 100 writes of one reading: one per 50 ms, plus one whenever a reading arrived during a write.
    expect(store.writes.length).toBeLessThanOrEqual(22);
    store.writes.forEach((batch, w) => { for (const i of batch) expect(store.startedAt[w]! - arrivedAt[i]!).toBeLessThanOrEqual(50); });
  });

  it('caps a write at maxSize and writes the rest next, in order; a full batch at a free store goes at once', async () => {
    const store = timedStore(100);
    const batcher = createBatcher<number>({ maxSize: 10, maxDelayMs: 1000, log: silentLogger(), write: store.write });
    const all = [batcher.add([0])];
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 1; i <= 25; i++) all.push(batcher.add([i]));
    await vi.advanceTimersByTimeAsync(100);
    expect(store.writes.map((b) => b.length)).toEqual([1, 10]); // full: not held for maxDelayMs
    await vi.advanceTimersByTimeAsync(2000);
    await Promise.all(all);
    expect(store.writes.map((b) => b.length)).toEqual([1, 10, 10, 5]);
    expect(store.writes.flat()).toEqual(Array.from({ length: 26 }, (_, i) => i));
    expect(store.maxInFlight()).toBe(1);
  });

  it('retries a failed write and keeps batches in order', async () => {
    const writes: number[][] = [];
    let failures = 2;
    const batcher = createBatcher<number>({
      maxSize: 1, maxDelayMs: 10, retryMinMs: 100, log: silentLogger(),
      write: (b) => (b[0] === 1 && failures-- > 0 ? Promise.reject(new Error('store down')) : (writes.push(b), Promise.resolve())),
    });
    const first = batcher.add([1]);
    const second = batcher.add([2]);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([first, second]);
    expect(writes).toEqual([[1], [2]]);
  });

  it('flushes on close without waiting between writes, and refuses later items', async () => {
    const store = timedStore(1);
    const batcher = createBatcher<number>({ maxSize: 100, maxDelayMs: 10_000, log: silentLogger(), write: store.write });
    const p = batcher.add([5]);
    await vi.advanceTimersByTimeAsync(0);
    const q = batcher.add([6]);
    const closing = batcher.close();
    await vi.advanceTimersByTimeAsync(2);
    await Promise.all([p, q, closing]);
    expect(store.writes).toEqual([[5], [6]]);
    await expect(batcher.add([7])).rejects.toThrow(/closed/);
  });
});
