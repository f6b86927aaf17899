// Counts gaps in each device's sequence numbers (core/telemetry/sequence.ts) as messages arrive, in
// memory (one small state per device, loaded from the registry the first time a device is seen) and
// saved to the registry in one transaction per flush, where the API reads it.
import type { SequenceState } from '../core/telemetry/sequence.js';
import { newSequenceState, observeSequence } from '../core/telemetry/sequence.js';
import type { IngestMetrics } from './ingest-metrics.js';

export interface SequenceStore {
  sequenceState(deviceId: string): SequenceState | undefined;
  saveSequenceStates(states: readonly [string, SequenceState][]): void;
}

export function createSequenceTracker(deps: { store: SequenceStore; metrics: IngestMetrics; now: () => number }) {
  const states = new Map<string, SequenceState>();
  const dirty = new Set<string>();

  return {
    /** One message's sequence number and (newest) reading time. */
    observe(deviceId: string, seq: number, ts: number): void {
      const now = deps.now();
      let state = states.get(deviceId);
      if (!state) {
        state = deps.store.sequenceState(deviceId);
        if (state) states.set(deviceId, state);
      }
      dirty.add(deviceId);
      if (!state) {
        states.set(deviceId, newSequenceState(seq, ts, now));
        return;
      }
      const before = state.missingCount;
      const event = observeSequence(state, seq, ts, now);
      if (state.missingCount !== before) deps.metrics.seqOpen.inc(state.missingCount - before); // (prom-client's inc costs, even of 0)
      if (event.kind === 'gap') deps.metrics.seqMissing.inc(event.missing);
      else if (event.kind === 'filled') deps.metrics.seqLate.inc();
      else if (event.kind === 'duplicate') deps.metrics.seqDuplicates.inc();
      else if (event.kind === 'reset') deps.metrics.seqResets.inc();
    },

    /** Saves every state changed since the last flush. */
    flush(): void {
      if (dirty.size === 0) return;
      const changed = [...dirty].map((id): [string, SequenceState] => [id, states.get(id)!]);
      dirty.clear();
      deps.store.saveSequenceStates(changed);
    },

    state: (deviceId: string): SequenceState | undefined => states.get(deviceId),
  };
}
export type SequenceTracker = ReturnType<typeof createSequenceTracker>;
