// Counts gaps in each device's sequence numbers (core/telemetry/sequence.ts) as batches are STORED (issue 14).
// write(batch) counts the batch's numbers against each device's state and hands the states it changed to
// the store WITH the batch (ReadingStore.write), so the state in the store counts exactly the readings in the
// store: a crash can neither invent a gap (a state behind readings already acknowledged, as the 1 s save timer
// did) nor hide one (a state ahead of readings never stored). Batches reach it in arrival order, spooled
// ones when they are replayed (ingest/durable-writer.ts). A device's state is read from the store the first
// time a batch holds its readings, and again after a failed write or after the ingest takes over a shard.
// Per batch: one Map of the devices it touched; per message, nothing allocated. A batch as columns
// (core/telemetry/reading-columns.ts) goes to the store's writeColumns when it has one.
import type { ReadingStore } from '../core/store/reading-store.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import { asColumns, type ReadingBatch, type ReadingColumns } from '../core/telemetry/reading-columns.js';
import { newSequenceState, observeSequence, type SequenceState } from '../core/telemetry/sequence.js';
import type { IngestMetrics } from './ingest-metrics.js';

export interface SequenceTrackerDeps {
  readonly store: Pick<ReadingStore, 'write' | 'sequenceStates' | 'writeColumns'>;
  readonly metrics: IngestMetrics;
  readonly now: () => number;
}

export function createSequenceTracker(deps: SequenceTrackerDeps) {
  const { store, metrics } = deps;
  /** Each device's state as the store has it (after the last write); null = the store has none. */
  const states = new Map<string, SequenceState | null>();
  /** What the batch being counted found, applied to the metrics once it is stored. */
  let gaps = 0, late = 0, duplicates = 0, resets = 0, open = 0;
  let chain: Promise<void> = Promise.resolve();

  /** Reads the state of the batch's devices not yet known; undefined (no await) when all are known. */
  function load(batch: ReadingColumns): Promise<void> | undefined {
    let unknown: Set<string> | undefined;
    let last: string | undefined;
    const { deviceId, seq } = batch;
    for (let i = 0; i < batch.length; i++) {
      if (seq[i] === undefined || deviceId[i] === last) continue;
      last = deviceId[i]!;
      if (!states.has(last)) (unknown ??= new Set()).add(last);
    }
    if (!unknown) return undefined;
    const ids = [...unknown];
    return store.sequenceStates(ids).then((found) => {
      for (const id of ids) states.set(id, found.get(id) ?? null);
    });
  }

  function observe(touched: Map<string, SequenceState>, deviceId: string, seq: number, ts: number, now: number): void {
    const state = states.get(deviceId);
    if (!state) {
      const first = newSequenceState(seq, ts, now);
      states.set(deviceId, first);
      touched.set(deviceId, first);
      return;
    }
    touched.set(deviceId, state);
    const before = state.missingCount;
    const event = observeSequence(state, seq, ts, now);
    open += state.missingCount - before;
    if (event.kind === 'gap') gaps += event.missing;
    else if (event.kind === 'filled') late++;
    else if (event.kind === 'duplicate') duplicates++;
    else if (event.kind === 'reset') resets++;
  }

  /**
   * Observes each message's number once, at its newest reading time. A message's readings follow each other in
   * the batch and share its seq; the same device + seq again with the metric and time of the group's first
   * reading is the next message (a re-sent one), not more of the same.
   */
  function count(batch: ReadingColumns): Map<string, SequenceState> {
    const touched = new Map<string, SequenceState>();
    const now = deps.now();
    let device: string | undefined;
    let seq = 0, ts = 0, firstMetric = '', firstTs = 0;
    const { deviceId: deviceIds, metric: metrics, ts: times, seq: seqs } = batch;
    for (let i = 0; i < batch.length; i++) {
      const rSeq = seqs[i];
      if (rSeq === undefined) continue;
      const rDevice = deviceIds[i]!, rTs = times[i]!, rMetric = metrics[i]!;
      if (rDevice === device && rSeq === seq && (rMetric !== firstMetric || rTs !== firstTs)) {
        if (rTs > ts) ts = rTs;
        continue;
      }
      if (device !== undefined) observe(touched, device, seq, ts, now);
      device = rDevice;
      seq = rSeq;
      ts = firstTs = rTs;
      firstMetric = rMetric;
    }
    if (device !== undefined) observe(touched, device, seq, ts, now);
    return touched;
  }

  async function writeNow(given: ReadingBatch): Promise<void> {
    const batch = asColumns(given);
    const loading = load(batch);
    if (loading) await loading;
    gaps = late = duplicates = resets = open = 0;
    const touched = count(batch);
    try {
      if (store.writeColumns) await store.writeColumns(batch, touched);
      else await store.write(given === batch ? batch.toArray() : (given as readonly StoredReading[]), touched);
    } catch (err) {
      for (const id of touched.keys()) states.delete(id); // counted but not stored: read them again from the store
      throw err;
    }
    // (prom-client's inc costs, even of 0)
    if (gaps) metrics.seqMissing.inc(gaps);
    if (late) metrics.seqLate.inc(late);
    if (duplicates) metrics.seqDuplicates.inc(duplicates);
    if (resets) metrics.seqResets.inc(resets);
    if (open) metrics.seqOpen.inc(open);
  }

  function write(batch: ReadingBatch): Promise<void> {
    const run = chain.then(() => writeNow(batch));
    chain = run.catch(() => undefined);
    return run;
  }

  return {
    /** Writes the batch and its devices' sequence states to the store together; one batch at a time, in call order. */
    write,
    /** write() of columns (what the ingest's batches are). */
    writeColumns: write as (batch: ReadingColumns) => Promise<void>,

    /** Forgets every state read (another worker may have counted those devices since): read again when next seen. */
    forget(): void {
      states.clear();
    },

    /** The state as last stored by this tracker (or read from the store), if the device was seen. */
    state: (deviceId: string): SequenceState | undefined => states.get(deviceId) ?? undefined,
  };
}
export type SequenceTracker = ReturnType<typeof createSequenceTracker>;
