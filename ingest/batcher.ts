// Adaptive ("natural") batching (issue 19): one write to the store at a time, and the next one starts as soon
// as the store is free. Readings that arrive while a write is in flight wait for it and go out together the
// moment it returns, so a batch is whatever arrived meanwhile: a reading or two while the platform is quiet,
// thousands under load — the batch size follows the load with no setting to tune.
// - `maxSize` (INGEST_BATCH_SIZE) caps one write; more waiting readings become the next batches, in order.
// - When readings arrive at a free store they are written on a following turn of the event loop: the batcher
//   keeps gathering while every turn brings more (a burst read off the socket), and writes on the first turn
//   that brings none, when `maxSize` is reached, or `maxDelayMs` (INGEST_BATCH_MS) after the first one —
//   the upper bound on how long a reading waits while the store is free. A lone reading goes out at once.
// - Batches reach the store in arrival order (one write in flight). A failed write is retried with capped
//   exponential backoff; the promises of its messages (and so their PUBACKs) wait.
// Every add() to one batch returns the same promise (one allocation per batch, not per message: the ack client
// groups the PUBACKs of a batch by it).
import type { Logger } from '../core/log.js';

export interface BatcherOptions<T> {
  /** Most items in one write (one add() larger than this is written whole). */
  readonly maxSize: number;
  /** Longest an item waits for its write to start while no write is in flight (ms). */
  readonly maxDelayMs: number;
  readonly write: (batch: T[]) => Promise<void>;
  readonly log: Logger;
  readonly onWriteError?: (err: unknown) => void;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
  /** Clock of the gathering bound (tests). */
  readonly now?: () => number;
}

/** A batch: its items and the one promise of its adds. */
interface Batch<T> {
  readonly items: T[];
  readonly done: Promise<void>;
  readonly resolve: () => void;
}

export interface Batcher<T> {
  /** Resolves once every item is durably written; the same promise for every add() to one batch. */
  add(items: readonly T[]): Promise<void>;
  /** Writes what is queued now and waits for it. */
  flush(): Promise<void>;
  /** Flushes, then rejects later adds. */
  close(): Promise<void>;
}

export function createBatcher<T>(opts: BatcherOptions<T>): Batcher<T> {
  const now = opts.now ?? Date.now;
  /** Batches waiting, in arrival order; the last takes new items. */
  const queue: Batch<T>[] = [];
  /** Items in `queue`. */
  let queued = 0;
  /** The batch being written, if any. */
  let inFlight: Batch<T> | undefined;
  let closed = false;
  /** Gathering at a free store: a look is scheduled; `seen` = items queued at the last look; since = first item. */
  let gathering = false;
  let seen = 0;
  let since = 0;

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

  /** Starts writing the oldest batch unless a write is in flight; when it returns, the next one at once. */
  function writeNext(): void {
    if (inFlight) return;
    const batch = queue.shift();
    if (!batch) return;
    inFlight = batch;
    queued -= batch.items.length;
    void writeWithRetry(batch.items).then(() => {
      inFlight = undefined;
      batch.resolve();
      writeNext(); // natural batching: what arrived during the write goes out now
    });
  }

  /** One turn of gathering at a free store: wait another turn while items keep coming, else write. */
  function look(): void {
    if (!inFlight && !closed && queued > seen && queued < opts.maxSize && now() - since < opts.maxDelayMs) {
      seen = queued;
      setImmediate(look);
      return;
    }
    gathering = false;
    writeNext();
  }

  function open(): Batch<T> {
    let resolve!: () => void;
    const done = new Promise<void>((r) => { resolve = r; });
    const batch: Batch<T> = { items: [], done, resolve };
    queue.push(batch);
    return batch;
  }

  function flush(): Promise<void> {
    const last = queue.at(-1) ?? inFlight;
    writeNext();
    return last?.done ?? Promise.resolve();
  }

  return {
    add(newItems) {
      if (closed) return Promise.reject(new Error('batcher is closed'));
      let batch = queue.at(-1);
      if (!batch || (batch.items.length > 0 && batch.items.length + newItems.length > opts.maxSize)) batch = open();
      for (const item of newItems) batch.items.push(item);
      queued += newItems.length;
      if (!inFlight) {
        if (queued >= opts.maxSize) writeNext();
        else if (!gathering) {
          gathering = true;
          seen = 0;
          since = now();
          setImmediate(look);
        }
      }
      return batch.done;
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
