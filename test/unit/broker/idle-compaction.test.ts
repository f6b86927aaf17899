// One major GC once a burst of connects is over (broker/idle-compaction.ts): not for a trickle, not while devices
// keep connecting nor while messages flow, once per burst; and the real collection frees old space that a connect storm left behind.
import { getHeapSpaceStatistics } from 'node:v8';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { IdleCompaction, RESTORE_FALLBACK_MS, compactingMajorGc, scheduleMajorGc } from '../../../broker/idle-compaction.js';

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
    for (let i = 0; i < 3; i++) c.connected(); // a new burst (the two above were a trickle, long over)
    vi.advanceTimersByTime(1000);
    expect(collected()).toBe(2);
  });

  it('does nothing for a trickle: connects more than quietMs apart never add up to a burst', () => {
    vi.useFakeTimers();
    const { c, collected } = compaction(3, 1000);
    for (let i = 0; i < 10; i++) {
      c.connected();
      vi.advanceTimersByTime(1001);
    }
    vi.advanceTimersByTime(60_000);
    expect(collected()).toBe(0);
  });

  it('waits while messages flow after the burst (≥ busy per quietMs), then collects once they calm down', () => {
    vi.useFakeTimers();
    let published = 0;
    let collected = 0;
    const c = new IdleCompaction({ minConnects: 3, quietMs: 1000, collect: () => { collected++; }, now: () => Date.now(), traffic: { count: () => published, busy: 100 } });
    for (let i = 0; i < 3; i++) c.connected();
    for (let t = 0; t < 10; t++) { // 100 messages every second: busy
      published += 100;
      vi.advanceTimersByTime(1000);
    }
    expect(collected).toBe(0);
    published += 99; // below busy within the next quietMs
    vi.advanceTimersByTime(1000);
    expect(collected).toBe(1);
    published += 1000;
    vi.advanceTimersByTime(60_000);
    expect(collected).toBe(1); // once per burst
  });

  it('turns itself off, logging once, when the collection throws (no throw out of the timer)', () => {
    vi.useFakeTimers();
    const warnings: string[] = [];
    let attempts = 0;
    const c = new IdleCompaction({
      minConnects: 3, quietMs: 1000, now: () => Date.now(),
      collect: () => { attempts++; throw new Error('setFlagsFromString refused'); },
      log: { warn: (_o: unknown, msg?: string) => { warnings.push(msg ?? ''); } },
    });
    for (let burst = 0; burst < 3; burst++) {
      for (let i = 0; i < 5; i++) c.connected();
      vi.advanceTimersByTime(2000);
    }
    expect(attempts).toBe(1);
    expect(c.collections).toBe(0);
    expect(warnings).toEqual(['idle compaction unavailable: the major GC after a connect burst is off']);
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

describe('compactingMajorGc', () => {
  const run = (gc: () => Promise<void> | void) => {
    const flags: string[] = [];
    let error: unknown;
    try { compactingMajorGc(gc, (f) => { flags.push(f); }); } catch (err) { error = err; }
    return { flags, error };
  };

  it('restores the flag when the collection\'s promise settles', async () => {
    let done!: () => void;
    const { flags } = run(() => new Promise<void>((resolve) => { done = resolve; }));
    expect(flags).toEqual(['--compact-on-every-full-gc']);
    done();
    await vi.waitFor(() => { expect(flags).toEqual(['--compact-on-every-full-gc', '--no-compact-on-every-full-gc']); });
  });

  it('restores the flag after a timeout if the promise never settles, once', () => {
    vi.useFakeTimers();
    const { flags } = run(() => new Promise<void>(() => undefined));
    vi.advanceTimersByTime(RESTORE_FALLBACK_MS - 1);
    expect(flags).toEqual(['--compact-on-every-full-gc']);
    vi.advanceTimersByTime(1);
    vi.advanceTimersByTime(RESTORE_FALLBACK_MS);
    expect(flags).toEqual(['--compact-on-every-full-gc', '--no-compact-on-every-full-gc']);
  });

  it('restores the flag at once when gc returns synchronously or throws', () => {
    vi.useFakeTimers();
    expect(run(() => undefined).flags).toEqual(['--compact-on-every-full-gc', '--no-compact-on-every-full-gc']);
    const threw = run(() => { throw new Error('no gc'); });
    expect(threw.flags).toEqual(['--compact-on-every-full-gc', '--no-compact-on-every-full-gc']);
    expect(threw.error).toBeInstanceOf(Error);
    vi.advanceTimersByTime(RESTORE_FALLBACK_MS);
    expect(threw.flags).toHaveLength(2);
  });
});
