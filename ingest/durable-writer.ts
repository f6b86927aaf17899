// Store-or-spool (issue 4): a batch is durable once the store accepted it or it is fsynced in the spool;
// only then are its messages acknowledged. While the spool holds anything, new batches are appended to it
// too, so the store receives every batch in arrival order; a replay loop writes the spool back oldest first
// (with capped backoff while the store stays down) and hands direct writes back once it is empty.
// A spooled batch the store refuses as invalid (not an outage) five times is set aside in spool/rejected
// with a log line and a metric, so one poison batch cannot stop the replay — and is still not lost.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isRuongError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import { asArray, ReadingColumns, type ReadingBatch } from '../core/telemetry/reading-columns.js';
import type { IngestMetrics } from './ingest-metrics.js';
import { encodeFrame, type Spool } from './spool.js';

export interface DurableWriterOptions {
  /**
   * The store's write, or what writes through to it (the ingest's sequence tracker, which adds the devices' states);
   * a batch of columns goes to its writeColumns when it has one.
   */
  readonly store: Pick<ReadingStore, 'write' | 'writeColumns'>;
  readonly spool: Spool;
  readonly spoolDir: string;
  readonly log: Logger;
  readonly metrics: IngestMetrics;
  /** Called with every batch once it is in the store (directly or replayed), as it was given (or read from the spool). */
  readonly onStored: (batch: ReadingBatch) => void;
  readonly retryMinMs?: number;
  readonly retryMaxMs?: number;
}

export interface DurableWriter {
  /** Resolves once the batch is in the store or fsynced in the spool. */
  write(batch: ReadingBatch): Promise<void>;
  /** Replays what an earlier run left in the spool; resolves when it is empty or the store fails. */
  start(): Promise<void>;
  spooling(): boolean;
  stop(): Promise<void>;
}

const POISON_ATTEMPTS = 5;

const isOutage = (err: unknown) => !isRuongError(err) || err.code === 'STORE_UNAVAILABLE';

export function createDurableWriter(opts: DurableWriterOptions): DurableWriter {
  const { store, spool, log, metrics } = opts;
  const retryMin = opts.retryMinMs ?? 200;
  const retryMax = opts.retryMaxMs ?? 5_000;
  let spooling = false;
  let appending = 0;
  let replay: Promise<void> | undefined;
  let stopped = false;
  let wake: (() => void) | undefined;
  let storeFailed: (() => void) | undefined;
  let full = false;

  const sleep = (ms: number) => new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    wake = () => { clearTimeout(t); resolve(); };
  });

  async function setAside(batch: readonly StoredReading[], err: unknown): Promise<void> {
    const dir = join(opts.spoolDir, 'rejected');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, `${Date.now()}-${batch.length}.spool`), encodeFrame(batch));
    metrics.poisoned.inc();
    log.error({ err, size: batch.length, dir }, 'spooled batch refused by the store; set aside');
  }

  /** Writes one spooled batch, waiting out an outage; false when stopped first. */
  async function replayBatch(batch: readonly StoredReading[]): Promise<boolean> {
    let delay = retryMin;
    let refusals = 0;
    while (!stopped) {
      try {
        await store.write(batch);
        metrics.replayed.inc();
        opts.onStored(batch);
        return true;
      } catch (err) {
        if (!isOutage(err) && ++refusals >= POISON_ATTEMPTS) {
          await setAside(batch, err);
          return true;
        }
        storeFailed?.();
        log.debug({ err, retryMs: delay }, 'spool replay write failed; retrying');
        await sleep(delay);
        delay = Math.min(delay * 2, retryMax);
      }
    }
    return false;
  }

  async function replayLoop(): Promise<void> {
    while (!stopped) {
      const segment = await spool.oldest();
      if (!segment) {
        if (appending > 0) { await sleep(10); continue; }
        spooling = false;
        log.info('spool replayed; writing to the store directly again');
        return;
      }
      for (const batch of segment.batches) if (!(await replayBatch(batch))) return;
      await spool.remove(segment.name);
    }
  }

  function ensureReplay(): void {
    replay ??= replayLoop().finally(() => {
      replay = undefined;
      if (!stopped && !spool.isEmpty()) ensureReplay(); // an append finished as the loop ended
    });
  }

  async function append(batch: ReadingBatch): Promise<void> {
    appending++;
    try {
      await spool.append(asArray(batch));
      metrics.spooled.inc();
      full = false;
    } catch (err) {
      metrics.spoolFull.inc();
      if (!full) log.error({ err, bytes: spool.bytes() }, 'spool full; holding acknowledgements until the store is back (backpressure)');
      full = true;
      throw err;
    } finally {
      appending--;
      ensureReplay();
    }
  }

  return {
    async write(batch) {
      if (!spooling) {
        try {
          if (batch instanceof ReadingColumns && store.writeColumns) await store.writeColumns(batch);
          else await store.write(asArray(batch));
          opts.onStored(batch);
          return;
        } catch (err) {
          if (!spooling) log.warn({ err }, 'store unavailable; spooling batches to disk');
          spooling = true;
        }
      }
      await append(batch);
    },

    async start() {
      stopped = false;
      if (spool.isEmpty()) return;
      spooling = true;
      // Replay first: wait while the store takes it; a store that is down leaves it running behind, and
      // new batches queue up behind it in the spool.
      const down = new Promise<void>((resolve) => { storeFailed = resolve; });
      ensureReplay();
      await Promise.race([replay, down]);
      storeFailed = undefined;
    },

    spooling: () => spooling,

    async stop() {
      stopped = true;
      wake?.();
      await replay;
    },
  };
}
