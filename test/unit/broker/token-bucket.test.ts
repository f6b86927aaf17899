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

  it('forgets full buckets when it holds too many keys', () => {
    const buckets = createTokenBuckets({ ratePerS: 10, burst: 1, maxKeys: 100 });
    for (let i = 0; i < 100; i++) buckets.take(`k${i}`);
    vi.advanceTimersByTime(1000);
    buckets.take('new');
    expect(buckets.size).toBe(1);
  });
});
