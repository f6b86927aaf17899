// Token buckets per key (connection rate per address, publish rate per device), on a fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createTokenBuckets } from '../../../broker/token-bucket.js';

describe('token buckets', () => {
  beforeEach(() => { vi.useFakeTimers(); vi.setSystemTime(0); });
  afterEach(() => { vi.useRealTimers(); });

  it('allows a burst, then refuses until tokens refill at the rate', () => {
    const buckets = createTokenBuckets({ ratePerS: 2, burst: 3 });
    expect([1, 2, 3, 4].map(() => buckets.take('a'))).toEqual([true, true, true, false]);
    vi.advanceTimersByTime(499);
    expect(buckets.take('a')).toBe(false);
    vi.advanceTimersByTime(1);
    expect(buckets.take('a')).toBe(true);
  });

  it('keeps one bucket per key', () => {
    const buckets = createTokenBuckets({ ratePerS: 1, burst: 1 });
    expect(buckets.take('a')).toBe(true);
    expect(buckets.take('a')).toBe(false);
    expect(buckets.take('b')).toBe(true);
  });

  it('never limits with a rate of 0', () => {
    const buckets = createTokenBuckets({ ratePerS: 0, burst: 1 });
    expect(Array.from({ length: 100 }, () => buckets.take('a')).every(Boolean)).toBe(true);
  });

  it('charge goes into debt and says how long until it is repaid (the publish rate: read later, never refuse)', () => {
    const buckets = createTokenBuckets({ ratePerS: 10, burst: 2 });
    expect([1, 2].map(() => buckets.charge('dev'))).toEqual([0, 0]);
    expect(buckets.charge('dev')).toBe(100); // one token owed at 10/s
    expect(buckets.charge('dev')).toBe(200);
    vi.advanceTimersByTime(200);
    expect(buckets.charge('dev')).toBe(100); // repaid, and this one owed again
    vi.advanceTimersByTime(300); // back to 2 tokens at most (the burst)
    expect([1, 2, 3].map(() => buckets.charge('dev'))).toEqual([0, 0, 100]);
  });

  it('keeps a bucket in debt when it forgets full ones, and charge never limits with a rate of 0', () => {
    const buckets = createTokenBuckets({ ratePerS: 1, burst: 1, maxKeys: 2 });
    buckets.charge('owing');
    buckets.charge('owing');
    buckets.take('full');
    buckets.take('third'); // at maxKeys: full buckets are pruned, the one in debt stays
    expect(buckets.charge('owing')).toBeGreaterThan(1000);
    expect(createTokenBuckets({ ratePerS: 0, burst: 1 }).charge('a')).toBe(0);
  });

  it('forgets full buckets when it holds too many keys', () => {
    const buckets = createTokenBuckets({ ratePerS: 10, burst: 1, maxKeys: 100 });
    for (let i = 0; i < 100; i++) buckets.take(`k${i}`);
    vi.advanceTimersByTime(1000);
    buckets.take('new');
    expect(buckets.size).toBe(1);
  });
});
