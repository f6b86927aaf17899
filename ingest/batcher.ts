// Collects readings into batches written when they reach `maxSize` readings or `maxDelayMs` age.
// One write is in flight at a time, so batches reach the store in arrival order. A failed write is
// retried with capped exponential backoff; the promises of its messages (and so their PUBACKs) wait.
import type { Logger } from '../core/log.js';

export interface BatcherOptions<T> {
  readonly maxSize: number;
  readonly maxDelayMs: number;
  readonly write: (batch: T[]) => Promise<void>;
  readonly log: Logger;
  readonly onWriteError?: (err: unknown) => void;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

interface Waiter { resolve: () => void; reject: (err: Error) => void }

export interface Batcher<T> {
  /** Resolves once every item is durably written. */
  add(items: readonly T[]): Promise<void>;
  /** Writes what is queued now and waits for it. */
  flush(): Promise<void>;
  /** Flushes, then rejects later adds. */
  close(): Promise<void>;
}

export function createBatcher<T>(opts: BatcherOptions<T>): Batcher<T> {
  let items: T[] = [];
  let waiters: Waiter[] = [];
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function writeWithRetry(batch: T[]): Promise<void> {
    let delay = opts.retryMinMs ?? 200;
    for (;;) {
      try {
        await opts.write(batch);
        return;
      } catch (err) {
        opts.onWriteError?.(err);
        opts.log.warn({ err, size: batch.length, retryMs: delay }, 'batch write failed; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, opts.retryMaxMs ?? 10_000);
      }
    }
  }

  function cut(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (items.length === 0 && waiters.length === 0) return chain;
    const batch = items;
    const batchWaiters = waiters;
    items = [];
    waiters = [];
    chain = chain.then(async () => {
      await writeWithRetry(batch);
      for (const w of batchWaiters) w.resolve();
    });
    return chain;
  }

  return {
    add(newItems) {
      if (closed) return Promise.reject(new Error('batcher is closed'));
      const done = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
      items.push(...newItems);
      if (items.length >= opts.maxSize) void cut();
      else timer ??= setTimeout(() => void cut(), opts.maxDelayMs);
      return done;
    },
    flush: () => cut(),
    async close() {
      closed = true;
      await cut();
    },
  };
}
