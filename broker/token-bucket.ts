// Token buckets keyed by a string (a source address, a device id): `burst` tokens, refilled at `ratePerS`.
// A rate of 0 turns the limit off. The map forgets full buckets when it grows, so a scan of many
// addresses cannot grow it without bound.
// Two ways to spend: `take` refuses when the bucket is empty (new connections: refused outright); `charge`
// always takes and lets the bucket go into debt, answering how long until the debt is repaid — the caller
// waits that long before taking more (PUBLISH packets: the broker stops reading, broker/guarded-connection.ts).

export interface TokenBuckets {
  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string): boolean;
  /** Takes one token for `key` even from an empty bucket; ms until its bucket is out of debt (0: not in debt). */
  charge(key: string): number;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  updatedMs: number;
}

export function createTokenBuckets(opts: { ratePerS: number; burst: number; now?: () => number; maxKeys?: number }): TokenBuckets {
  const now = opts.now ?? Date.now;
  const maxKeys = opts.maxKeys ?? 100_000;
  const buckets = new Map<string, Bucket>();

  function refill(bucket: Bucket, t: number): void {
    bucket.tokens = Math.min(opts.burst, bucket.tokens + ((t - bucket.updatedMs) / 1000) * opts.ratePerS);
    bucket.updatedMs = t;
  }

  function prune(t: number): void {
    for (const [key, bucket] of buckets) {
      refill(bucket, t);
      if (bucket.tokens >= opts.burst) buckets.delete(key);
    }
  }

  function bucketOf(key: string): Bucket {
    const t = now();
    let bucket = buckets.get(key);
    if (!bucket) {
      if (buckets.size >= maxKeys) prune(t);
      bucket = { tokens: opts.burst, updatedMs: t };
      buckets.set(key, bucket);
    } else {
      refill(bucket, t);
    }
    return bucket;
  }

  return {
    take(key) {
      if (opts.ratePerS <= 0) return true;
      const bucket = bucketOf(key);
      if (bucket.tokens < 1) return false;
      bucket.tokens -= 1;
      return true;
    },
    charge(key) {
      if (opts.ratePerS <= 0) return 0;
      const bucket = bucketOf(key);
      bucket.tokens -= 1;
      return bucket.tokens >= 0 ? 0 : Math.ceil((-bucket.tokens / opts.ratePerS) * 1000);
    },
    get size() {
      return buckets.size;
    },
  };
}
