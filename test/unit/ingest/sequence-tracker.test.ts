// The sequence tracker counts each batch as it is stored and hands the devices' states to the store WITH the
// batch (issue 14): a failed write changes nothing, a later batch closes a gap, a re-sent message is a duplicate.
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import type { SequenceState } from '../../../core/telemetry/sequence.js';
import { createIngestMetrics } from '../../../ingest/ingest-metrics.js';
import { createSequenceTracker } from '../../../ingest/sequence-tracker.js';

const r = (deviceId: string, seq: number, metric = 'battery', ts = 1000 * seq): StoredReading =>
  ({ deviceId, metric, ts, value: 1, seq, fieldId: 'f', farmId: 'fa', cooperativeId: 'c' });
/** One message: two readings sharing its seq. */
const msg = (deviceId: string, seq: number) => [r(deviceId, seq, 'battery'), r(deviceId, seq, 'soil_moisture')];

function fakeStore(initial: Map<string, SequenceState> = new Map()) {
  const stored = new Map([...initial].map(([k, v]) => [k, structuredClone(v)]));
  const calls = { loads: [] as string[][], writes: 0, fail: false };
  return {
    stored, calls,
    write(_batch: readonly StoredReading[], states?: ReadonlyMap<string, SequenceState>) {
      calls.writes++;
      if (calls.fail) return Promise.reject(new Error('store down'));
      for (const [id, s] of states ?? []) stored.set(id, structuredClone(s));
      return Promise.resolve();
    },
    sequenceStates(ids?: readonly string[]) {
      calls.loads.push([...(ids ?? [])]);
      return Promise.resolve(new Map([...stored].filter(([id]) => ids?.includes(id) ?? true).map(([k, v]) => [k, structuredClone(v)])));
    },
  };
}

describe('sequence tracker', () => {
  it('stores each batch with its devices\' states; a later batch closes a gap; reads a device\'s state once', async () => {
    const store = fakeStore();
    const registry = new Registry();
    const t = createSequenceTracker({ store, metrics: createIngestMetrics(registry), now: () => 5 });
    await t.write([...msg('a', 1), ...msg('b', 7), ...msg('a', 2), ...msg('a', 5)]);
    expect(store.stored.get('a')).toMatchObject({ nextSeq: 6, missing: [[3, 4]], missingCount: 2, gapsTotal: 2 });
    expect(store.stored.get('b')).toMatchObject({ nextSeq: 8, missingCount: 0 });
    await t.write([...msg('a', 4), ...msg('a', 3), ...msg('a', 6)]); // the withheld messages arrive later
    expect(store.stored.get('a')).toMatchObject({ nextSeq: 7, missing: [], missingCount: 0, gapsTotal: 2, filledTotal: 2 });
    expect(store.calls.loads).toEqual([['a', 'b']]);
    const metrics = await registry.getMetricsAsJSON();
    const value = (name: string) => metrics.find((m) => m.name === name)?.values[0]?.value;
    expect([value('ruong_ingest_seq_missing_total'), value('ruong_ingest_seq_late_total'), value('ruong_ingest_seq_missing_open')]).toEqual([2, 2, 0]);
  });

  it('counts a message re-sent in the same batch as a duplicate, not as more of the same message', async () => {
    const store = fakeStore();
    const t = createSequenceTracker({ store, metrics: createIngestMetrics(new Registry()), now: () => 5 });
    await t.write([...msg('a', 1), ...msg('a', 2), ...msg('a', 2)]);
    expect(store.stored.get('a')).toMatchObject({ nextSeq: 3, duplicatesTotal: 1 });
  });

  it('a failed write changes no state: the batch counted again later finds the state the store has', async () => {
    const store = fakeStore(new Map([['a', { nextSeq: 10, newestTs: 9000, missing: [], missingCount: 0, gapsTotal: 0, filledTotal: 0, duplicatesTotal: 0, resetsTotal: 0, lastSeenAt: 1 }]]));
    const t = createSequenceTracker({ store, metrics: createIngestMetrics(new Registry()), now: () => 5 });
    store.calls.fail = true;
    await expect(t.write([...msg('a', 12)])).rejects.toThrow('store down');
    expect(store.stored.get('a')).toMatchObject({ nextSeq: 10, gapsTotal: 0 });
    store.calls.fail = false;
    await t.write([...msg('a', 12)]); // e.g. replayed from the spool
    expect(store.stored.get('a')).toMatchObject({ nextSeq: 13, missing: [[10, 11]], gapsTotal: 2, duplicatesTotal: 0 });
    expect(store.calls.loads).toEqual([['a'], ['a']]);
    t.forget(); // a shard taken over: read again
    await t.write([...msg('a', 13)]);
    expect(store.calls.loads).toHaveLength(3);
  });
});
