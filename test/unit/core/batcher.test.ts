import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { createBatcher } from '../../../ingest/batcher.js';

describe('batcher', () => {
  beforeEach(() => { vi.useFakeTimers(); });
  afterEach(() => { vi.useRealTimers(); });

  it('writes when the batch is full, and resolves only after the write', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const batcher = createBatcher<number>({ maxSize: 3, maxDelayMs: 1000, log: silentLogger(), write: async (b) => { await gate; writes.push(b); } });
    let done = false;
    const p = batcher.add([1, 2, 3]).then(() => { done = true; });
    await vi.advanceTimersByTimeAsync(0);
    expect(done).toBe(false);
    release();
    await p;
    expect(writes).toEqual([[1, 2, 3]]);
  });

  it('writes a partial batch after the delay', async () => {
    const writes: number[][] = [];
    const batcher = createBatcher<number>({ maxSize: 100, maxDelayMs: 200, log: silentLogger(), write: (b) => { writes.push(b); return Promise.resolve(); } });
    const p = batcher.add([1]);
    void batcher.add([2]);
    await vi.advanceTimersByTimeAsync(199);
    expect(writes).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    await p;
    expect(writes).toEqual([[1, 2]]);
  });

  it('retries a failed write and keeps batches in order', async () => {
    const writes: number[][] = [];
    let failures = 2;
    const batcher = createBatcher<number>({
      maxSize: 1, maxWriteSize: 1, maxDelayMs: 10, retryMinMs: 100, log: silentLogger(),
      write: (b) => (b[0] === 1 && failures-- > 0 ? Promise.reject(new Error('store down')) : (writes.push(b), Promise.resolve())),
    });
    const first = batcher.add([1]);
    const second = batcher.add([2]);
    await vi.advanceTimersByTimeAsync(1000);
    await Promise.all([first, second]);
    expect(writes).toEqual([[1], [2]]);
  });

  it('merges the batches cut while a write is in flight into one write, up to maxWriteSize, in order', async () => {
    const writes: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    const batcher = createBatcher<number>({
      maxSize: 2, maxWriteSize: 4, maxDelayMs: 1000, log: silentLogger(),
      write: async (b) => { writes.push(b); if (writes.length === 1) await gate; },
    });
    const first = batcher.add([1]);
    expect(batcher.add([2])).toBe(first); // the adds of one batch share its promise
    await vi.advanceTimersByTimeAsync(0); // [1, 2] is being written
    const waiting = [batcher.add([3, 4]), batcher.add([5, 6]), batcher.add([7, 8])];
    release();
    await Promise.all([first, ...waiting]);
    expect(writes).toEqual([[1, 2], [3, 4, 5, 6], [7, 8]]);
  });

  it('flushes on close and refuses later items', async () => {
    const writes: number[][] = [];
    const batcher = createBatcher<number>({ maxSize: 100, maxDelayMs: 10_000, log: silentLogger(), write: (b) => { writes.push(b); return Promise.resolve(); } });
    const p = batcher.add([5]);
    await batcher.close();
    await p;
    expect(writes).toEqual([[5]]);
    await expect(batcher.add([6])).rejects.toThrow(/closed/);
  });
});
