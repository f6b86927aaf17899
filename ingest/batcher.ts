// Collects readings into batches written when they reach `maxSize` readings or `maxDelayMs` age.
// One write is in flight at a time, so batches reach the store in arrival order. A failed write is
// retried with capped exponential backoff; the promises of its messages (and so their PUBACKs) wait.
// Every add() to one batch returns the same promise (one allocation per batch, not per message: the ack
// client groups the PUBACKs of a batch by it).
// Batches cut while a write is in flight wait for it and are then written together, up to `maxWriteSize`
// items: small batches (low latency) while the store keeps up, fewer and larger writes when it does not —
// influxd spends ~12 % less CPU per point on 20,000-line bodies than on 5,000 (docs/benchmarks.md).
import type { Logger } from '../core/log.js';

export interface BatcherOptions<T> {
  readonly maxSize: number;
  readonly maxDelayMs: number;
  /** Batches waiting behind a write are merged into writes of up to this many items (default max(maxSize, 20,000)). */
  readonly maxWriteSize?: number | undefined;
  readonly write: (batch: T[]) => Promise<void>;
  readonly log: Logger;
  readonly onWriteError?: (err: unknown) => void;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

interface Pending { readonly done: Promise<void>; readonly resolve: () => void }

export interface Batcher<T> {
  /** Resolves once every item is durably written; the same promise for every add() to one batch. */
  add(items: readonly T[]): Promise<void>;
  /** Writes what is queued now and waits for it. */
  flush(): Promise<void>;
  /** Flushes, then rejects later adds. */
  close(): Promise<void>;
}

export function createBatcher<T>(opts: BatcherOptions<T>): Batcher<T> {
  let items: T[] = [];
  let current: Pending | undefined;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  const queue: { readonly items: T[]; readonly waiting: Pending | undefined }[] = [];
  const maxWriteSize = opts.maxWriteSize ?? Math.max(opts.maxSize, 20_000);

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

  /** Writes the oldest queued batches, merged up to maxWriteSize items, in arrival order. */
  async function writeQueued(): Promise<void> {
    if (queue.length === 0) return;
    let take = 1;
    let size = queue[0]!.items.length;
    while (take < queue.length && size + queue[take]!.items.length <= maxWriteSize) size += queue[take++]!.items.length;
    const parts = queue.splice(0, take);
    await writeWithRetry(parts.length === 1 ? parts[0]!.items : parts.flatMap((p) => p.items));
    for (const p of parts) p.waiting?.resolve();
  }

  function cut(): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    if (items.length === 0 && !current) return chain;
    const batch = items;
    const waiting = current;
    items = [];
    current = undefined;
    queue.push({ items: batch, waiting });
    chain = chain.then(writeQueued); // one link per cut; a link that finds the queue empty does nothing
    return chain;
  }

  return {
    add(newItems) {
      if (closed) return Promise.reject(new Error('batcher is closed'));
      if (!current) {
        let resolve!: () => void;
        const done = new Promise<void>((r) => { resolve = r; });
        current = { done, resolve };
      }
      const { done } = current;
      for (const item of newItems) items.push(item);
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
