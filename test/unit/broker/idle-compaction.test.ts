// One major GC once a burst of connects is over (broker/idle-compaction.ts): not for a trickle, not while devices
// keep connecting, once per burst; and the real collection frees old space that a connect storm left behind.
import { getHeapSpaceStatistics } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleCompaction, scheduleMajorGc } from '../../../broker/idle-compaction.js';

afterEach(() => { vi.useRealTimers(); });

function compaction(minConnects = 3, quietMs = 1000) {
  let collected = 0;
  const c = new IdleCompaction({ minConnects, quietMs, collect: () => { collected++; }, now: () => Date.now() });
  return { c, collected: () => collected };
}

describe('IdleCompaction', () => {
  it('collects once, quietMs after the last connect of a burst', () => {
    vi.useFakeTimers();
    const { c, collected } = compaction();
    for (let i = 0; i < 5; i++) c.connected();
    vi.advanceTimersByTime(999);
    expect(collected()).toBe(0);
    vi.advanceTimersByTime(1);
    expect(collected()).toBe(1);
    vi.advanceTimersByTime(60_000);
    expect(collected()).toBe(1); // nothing more without a new burst
  });

  it('does nothing for fewer connects than a burst', () => {
    vi.useFakeTimers();
    const { c, collected } = compaction();
    c.connected();
    c.connected();
    vi.advanceTimersByTime(60_000);
    expect(collected()).toBe(0);
  });

  it('waits while devices keep connecting, then collects once', () => {
    vi.useFakeTimers();
    const { c, collected } = compaction();
    for (let t = 0; t < 20; t++) {
      c.connected();
      vi.advanceTimersByTime(500); // never 1 s without a connect
    }
    expect(collected()).toBe(0);
    vi.advanceTimersByTime(500);
    expect(collected()).toBe(1);
  });

  it('counts a new burst from zero after a collection', () => {
    vi.useFakeTimers();
    const { c, collected } = compaction();
    for (let i = 0; i < 3; i++) c.connected();
    vi.advanceTimersByTime(1000);
    expect(collected()).toBe(1);
    c.connected();
    c.connected();
    vi.advanceTimersByTime(5000);
    expect(collected()).toBe(1);
    c.connected();
    vi.advanceTimersByTime(1000);
    expect(collected()).toBe(2);
  });

  it('close() cancels a pending collection', () => {
    vi.useFakeTimers();
    const { c, collected } = compaction();
    for (let i = 0; i < 3; i++) c.connected();
    c.close();
    vi.advanceTimersByTime(5000);
    expect(collected()).toBe(0);
  });

  it('the real collection frees old space garbage', async () => {
    const oldUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
    // Garbage that reaches old space: objects kept alive across several young-generation collections, then dropped.
    let keep: object[][] = [];
    for (let round = 0; round < 40; round++) {
      keep.push(Array.from({ length: 20_000 }, (_, i) => ({ i, s: `x${i}` })));
      await new Promise((r) => setImmediate(r));
    }
    keep = [];
    const before = oldUsed();
    scheduleMajorGc();
    await vi.waitFor(() => { expect(oldUsed()).toBeLessThan(before - 8 * 2 ** 20); }, { timeout: 10_000, interval: 50 });
    expect(keep).toHaveLength(0);
  });
});
