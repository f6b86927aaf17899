// The ingest's adaptive batching (ingest/batcher.ts, issue 19): a free store is written at once, a busy one
// gets what arrived meanwhile in one write; one write in flight, order kept, nothing resolved before it is stored.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { createBatcher } from '../../../ingest/batcher.js';

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A store whose writes each wait for release(); records every batch and the most writes ever in flight. */
function slowStore() {
  const writes: number[][] = [];
  const gates: (() => void)[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    writes,
    maxInFlight: () => maxInFlight,
    pending: () => gates.length,
    write: async (batch: number[]) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      writes.push([...batch]);
      await new Promise<void>((resolve) => gates.push(resolve));
      inFlight--;
    },
    /** Lets the oldest write return. */
    release: async () => { gates.shift()?.(); await turn(); },
  };
}

describe('ingest batcher', () => {
  it('writes a lone reading at once while the store is free — long before maxDelayMs', async () => {
    const writes: number[][] = [];
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 60_000, log: silentLogger(), write: (b) => { writes.push(b); return Promise.resolve(); } });
    await batcher.add([7]); // (a batcher that waited for maxDelayMs would time this test out)
    expect(writes).toEqual([[7]]);
  });

  it('resolves an add only after its batch is written', async () => {
    const store = slowStore();
    const batcher = createBatcher<number>({ maxSize: 100, maxDelayMs: 1000, log: silentLogger(), write: store.write });
    let stored = false;
    const p = batcher.add([1, 2]).then(() => { stored = true; });
    for (let i = 0; i < 5; i++) await turn();
    expect(store.writes).toEqual([[1, 2]]);
    expect(stored).toBe(false);
    await store.release();
    await p;
    expect(stored).toBe(true);
  });

  it('under a slow store, writes what arrived during a write together as soon as it returns, one write at a time, in order', async () => {
    const store = slowStore();
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 1000, log: silentLogger(), write: store.write });
    const first = batcher.add([0]);
    while (store.writes.length === 0) await turn();
    const during: Promise<void>[] = [];
    for (let i = 1; i <= 300; i++) {
      during.push(batcher.add([i]));
      if (i % 10 === 0) await turn(); // readings keep arriving over many turns of the loop
    }
    expect(store.writes).toEqual([[0]]); // nothing else starts while a write is in flight
    expect(new Set(during).size).toBe(1); // they are one batch: one promise
    await store.release();
    expect(store.writes[1]).toEqual(Array.from({ length: 300 }, (_, i) => i + 1)); // grew to all that arrived
    const third = batcher.add([301, 302]);
    await store.release();
    await store.release();
    await Promise.all([first, ...during, third]);
    expect(store.writes).toEqual([[0], Array.from({ length: 300 }, (_, i) => i + 1), [301, 302]]);
    expect(store.maxInFlight()).toBe(1);
  });

  it('caps a write at maxSize and writes the rest next, in order', async () => {
    const store = slowStore();
    const batcher = createBatcher<number>({ maxSize: 10, maxDelayMs: 1000, log: silentLogger(), write: store.write });
    const all = [batcher.add([0])];
    while (store.writes.length === 0) await turn();
    for (let i = 1; i <= 25; i++) all.push(batcher.add([i]));
    while (store.pending() > 0) await store.release();
    await Promise.all(all);
    expect(store.writes.map((b) => b.length)).toEqual([1, 10, 10, 5]);
    expect(store.writes.flat()).toEqual(Array.from({ length: 26 }, (_, i) => i));
    expect(store.maxInFlight()).toBe(1);
  });

  it('at a free store, gathers a burst while every turn brings more, and writes it when the burst ends', async () => {
    const writes: number[][] = [];
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 1000, log: silentLogger(), write: (b) => { writes.push(b); return Promise.resolve(); } });
    const adds: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      adds.push(batcher.add([i]));
      await turn();
    }
    await Promise.all(adds);
    expect(writes).toEqual([Array.from({ length: 20 }, (_, i) => i)]);
  });

  it('stops gathering at maxDelayMs after the first reading even while more keep coming', async () => {
    let clock = 0;
    const writes: number[][] = [];
    const batcher = createBatcher<number>({ maxSize: 20_000, maxDelayMs: 50, now: () => clock, log: silentLogger(), write: (b) => { writes.push(b); return Promise.resolve(); } });
    for (let i = 0; i < 10; i++) {
      void batcher.add([i]);
      clock += 10; // a reading every 10 ms of the batcher's clock, one per turn
      await turn();
    }
    await batcher.flush();
    expect(writes[0]!.length).toBeGreaterThanOrEqual(5);
    expect(writes[0]!.length).toBeLessThanOrEqual(7); // written once 50 ms had passed, not at the end of the stream
    expect(writes.flat()).toEqual(Array.from({ length: 10 }, (_, i) => i));
  });

  it('writes at once when a free store has maxSize readings waiting', async () => {
    const writes: number[][] = [];
    const batcher = createBatcher<number>({ maxSize: 3, maxDelayMs: 60_000, log: silentLogger(), write: (b) => { writes.push(b); return Promise.resolve(); } });
    const p = batcher.add([1, 2, 3]);
    expect(writes).toEqual([[1, 2, 3]]); // synchronously, no turn waited
    await p;
  });

  it('retries a failed write and keeps batches in order', async () => {
    const writes: number[][] = [];
    let failures = 2;
    const batcher = createBatcher<number>({
      maxSize: 1, maxDelayMs: 10, retryMinMs: 5, log: silentLogger(),
      write: (b) => (b[0] === 1 && failures-- > 0 ? Promise.reject(new Error('store down')) : (writes.push(b), Promise.resolve())),
    });
    const first = batcher.add([1]);
    const second = batcher.add([2]);
    await Promise.all([first, second]);
    expect(writes).toEqual([[1], [2]]);
    expect(failures).toBe(-1);
  });

  it('flushes on close and refuses later items', async () => {
    const store = slowStore();
    const batcher = createBatcher<number>({ maxSize: 100, maxDelayMs: 10_000, log: silentLogger(), write: store.write });
    const p = batcher.add([5]);
    while (store.writes.length === 0) await turn();
    const q = batcher.add([6]);
    const closing = batcher.close();
    await store.release();
    await store.release();
    await Promise.all([p, q, closing]);
    expect(store.writes).toEqual([[5], [6]]);
    await expect(batcher.add([7])).rejects.toThrow(/closed/);
  });
});
