// Adaptive batching (issue 19): one write to the store at a time, the batch size following the load with
// nothing to tune.
// - Readings that arrive while a write is in flight wait for it and go out together the moment it returns
//   ("natural batching"): a batch is whatever arrived meanwhile — thousands under load.
// - Readings that find the store free and nothing waiting are written on the next turn of the event loop
//   (gathering what that turn read off the socket), but no sooner than `maxDelayMs` (INGEST_BATCH_MS) after
//   the last write started: a reading arriving at a quiet platform goes out at once, a steady trickle that the
//   store outpaces goes out every `maxDelayMs` in one write instead of one write per message (each write is a
//   request to InfluxDB and its WAL, or an fsync'd SQLite transaction — synchronous, so nothing ever arrives
//   "during" it — that holds the event loop), and no reading waits longer than `maxDelayMs` at a free store.
// - `maxSize` (INGEST_BATCH_SIZE) caps one write; a full batch at a free store is written at once; more
//   waiting readings become the next batches.
// Batches reach the store in arrival order. A failed write is retried with capped exponential backoff; the
// promises of its messages (and so their PUBACKs) wait. Every add() to one batch returns the same promise (one
// allocation per batch, not per message: the ack client groups the PUBACKs of a batch by it).
// A batch is an array by default; `collect` gives another container (the ingest's: columns, core/telemetry/
// reading-columns.ts), which it may take back for a later batch once the write of this one is over.
import type { Logger } from '../core/log.js';

/** How items are gathered into a batch: a new (or reused) empty batch, adding items, and the batch back once written. */
export interface Collector<T, B extends { readonly length: number }> {
  open(): B;
  add(batch: B, items: readonly T[]): void;
  /** The batch's write is over (it resolved): nothing refers to it any more. */
  release?(batch: B): void;
}

const arrays: Collector<never, unknown[]> = {
  open: () => [],
  add: (batch, items) => { for (const item of items) batch.push(item); },
};

export interface BatcherOptions<T, B extends { readonly length: number } = T[]> {
  /** Most items in one write (one add() larger than this is written whole). */
  readonly maxSize: number;
  /** At a free store: at most one write start per this many ms, and no item waits longer for its write (ms). */
  readonly maxDelayMs: number;
  readonly write: (batch: B) => Promise<void>;
  /** The batch container (default: an array). */
  readonly collect?: Collector<T, B>;
  readonly log: Logger;
  readonly onWriteError?: (err: unknown) => void;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

/** A batch: its items and the one promise of its adds. */
interface Batch<B> {
  readonly items: B;
  readonly done: Promise<void>;
  readonly resolve: () => void;
}

export interface Batcher<T> {
  /** Resolves once every item is durably written; the same promise for every add() to one batch. */
  add(items: readonly T[]): Promise<void>;
  /** Writes what is queued now (without waiting between writes) and waits for it. */
  flush(): Promise<void>;
  /** Flushes, then rejects later adds. */
  close(): Promise<void>;
}

export function createBatcher<T, B extends { readonly length: number } = T[]>(opts: BatcherOptions<T, B>): Batcher<T> {
  const collect = opts.collect ?? (arrays as unknown as Collector<T, B>);
  /** Batches waiting, in arrival order; the last takes new items. */
  const queue: Batch<B>[] = [];
  /** Items in `queue`. */
  let queued = 0;
  /** The batch being written, if any. */
  let inFlight: Batch<B> | undefined;
  /** When the last write started (Date.now()). */
  let lastStart = -Infinity;
  /** A start is scheduled (next turn or timer). */
  let timer: NodeJS.Timeout | undefined;
  let immediate: NodeJS.Immediate | undefined;
  let closed = false;
  /** flush() calls still waiting: until they are done, batches go out back to back. */
  let draining = 0;

  const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

  async function writeWithRetry(batch: B): Promise<void> {
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

  function unschedule(): void {
    clearTimeout(timer);
    clearImmediate(immediate);
    timer = immediate = undefined;
  }

  /** Starts writing the oldest batch now, unless a write is in flight. */
  function writeNext(): void {
    if (inFlight) return;
    unschedule();
    const batch = queue.shift();
    if (!batch) return;
    inFlight = batch;
    queued -= batch.items.length;
    lastStart = Date.now();
    void writeWithRetry(batch.items).then(() => {
      inFlight = undefined;
      collect.release?.(batch.items);
      batch.resolve();
      writeNext(); // natural batching: what arrived during the write goes out at once
    });
  }

  /** A reading found the store free: write a full batch now, else on the next turn, no sooner than maxDelayMs after the last start. */
  function schedule(): void {
    if (inFlight || queued === 0) return;
    if (queued >= opts.maxSize || closed || draining > 0) {
      writeNext();
      return;
    }
    if (timer || immediate) return;
    const wait = lastStart + opts.maxDelayMs - Date.now();
    if (wait > 0) timer = setTimeout(writeNext, wait);
    else immediate = setImmediate(writeNext);
  }

  function open(): Batch<B> {
    let resolve!: () => void;
    const done = new Promise<void>((r) => { resolve = r; });
    const batch: Batch<B> = { items: collect.open(), done, resolve };
    queue.push(batch);
    return batch;
  }

  async function flush(): Promise<void> {
    const last = queue.at(-1) ?? inFlight;
    if (!last) return;
    draining++;
    try {
      schedule();
      await last.done;
    } finally {
      draining--;
    }
  }

  return {
    add(newItems) {
      if (closed) return Promise.reject(new Error('batcher is closed'));
      let batch = queue.at(-1);
      if (!batch || (batch.items.length > 0 && batch.items.length + newItems.length > opts.maxSize)) batch = open();
      collect.add(batch.items, newItems);
      queued += newItems.length;
      schedule();
      return batch.done;
    },
    flush,
    async close() {
      closed = true;
      await flush();
    },
  };
}
