// The ReadingStore contract, sequence state part (issue 14): each device's sequence state (core/telemetry/
// sequence.ts) is written with the batch whose readings it counts and read back as written — never without
// those readings, so a crash can neither invent a gap nor hide one. Run by reading-store.contract.ts for every store.
import { describe, expect, it } from 'vitest';
import type { ReadingStore } from '../../core/store/reading-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { MAX_RANGES, type SequenceState } from '../../core/telemetry/sequence.js';

const T0 = Date.UTC(2024, 0, 1);
const COOP = 'coop-a';

function r(deviceId: string, ts: number, seq: number, value = 1): StoredReading {
  return { deviceId, metric: 'battery', ts, value, seq, fieldId: 'field-1', farmId: 'farm-1', cooperativeId: COOP };
}

function state(over: Partial<SequenceState> = {}): SequenceState {
  return {
    nextSeq: 11, newestTs: T0 + 10_000, missing: [], missingCount: 0, gapsTotal: 0, filledTotal: 0, duplicatesTotal: 0,
    resetsTotal: 0, lastSeenAt: Date.UTC(2024, 0, 2), ...over,
  };
}

export function sequenceStateContract(current: () => ReadingStore): void {
  describe('sequence state', () => {
    it('is stored with the batch and read back per device; a later state of a device replaces its earlier one', async () => {
      const store = current();
      expect(await store.sequenceStates(['dev-a'])).toEqual(new Map());
      const a = state({ missing: [[3, 4], [7, 7]], missingCount: 3, gapsTotal: 4, filledTotal: 1, duplicatesTotal: 2, resetsTotal: 1 });
      const b = state({ nextSeq: 6 });
      await store.write([r('dev-a', T0, 10), r('dev-b', T0, 5)], new Map([['dev-a', a], ['dev-b', b]]));
      expect(await store.sequenceStates(['dev-a', 'dev-b', 'dev-c'])).toEqual(new Map([['dev-a', a], ['dev-b', b]]));

      const a2 = state({ nextSeq: 12, missing: [[3, 4]], missingCount: 2, gapsTotal: 4, filledTotal: 2, lastSeenAt: a.lastSeenAt + 1 });
      await store.write([r('dev-a', T0 + 1000, 7), r('dev-a', T0 + 11_000, 11)], new Map([['dev-a', a2]]));
      expect(await store.sequenceStates()).toEqual(new Map([['dev-a', a2], ['dev-b', b]]));
      expect(await store.sequenceStates(['dev-b'])).toEqual(new Map([['dev-b', b]]));
      expect(await store.sequenceStates([])).toEqual(new Map());
    });

    it('a write without states leaves them as they were; a refused batch stores neither readings nor states', async () => {
      const store = current();
      const a = state();
      await store.write([r('dev-a', T0, 10)], new Map([['dev-a', a]]));
      await store.write([r('dev-a', T0 + 1000, 11)]);
      expect(await store.sequenceStates(['dev-a'])).toEqual(new Map([['dev-a', a]]));

      const refused = [r('dev-a', T0 + 2000, 12), r('dev-b', T0 + 2000, 1, Number.NaN)];
      await expect(store.write(refused, new Map([['dev-a', state({ nextSeq: 13 })], ['dev-b', state({ nextSeq: 2 })]]))).rejects.toThrow();
      expect(await store.sequenceStates()).toEqual(new Map([['dev-a', a]]));
      const range = { cooperativeId: COOP, metric: 'battery', from: T0, to: T0 + 60_000 };
      expect((await store.query(range)).map((p) => p.ts)).toEqual([T0, T0 + 1000]);
    });

    it('keeps every open range and large numbers exactly, for ids a line protocol or SQL must escape', async () => {
      const store = current();
      const big = 2 ** 40;
      const missing = Array.from({ length: MAX_RANGES }, (_, i): [number, number] => [big + 3 * i, big + 3 * i + 1]);
      const id = "cảm biến 1,a=b 'x' \"y\"";
      const s = state({ nextSeq: big + 3 * MAX_RANGES, newestTs: T0 + 2 ** 33, missing, missingCount: 2 * MAX_RANGES, gapsTotal: 2 ** 41 });
      await store.write([r(id, T0, big + 3 * MAX_RANGES - 1)], new Map([[id, s]]));
      expect(await store.sequenceStates([id])).toEqual(new Map([[id, s]]));
      expect((await store.sequenceStates()).get(id)).toEqual(s);
    });

    it('takes states for many devices in one batch, and states alone, and keeps them through pruneRaw', async () => {
      const store = current();
      const ids = Array.from({ length: 450 }, (_, i) => `dev-${i}`);
      const states = new Map(ids.map((id, i) => [id, state({ nextSeq: i + 2, lastSeenAt: T0 + i })]));
      await store.write(ids.map((id, i) => r(id, T0, i + 1)), states);
      const later = state({ nextSeq: 1000 });
      await store.write([], new Map([['dev-7', later]]));
      await store.pruneRaw(T0 + 86_400_000);
      const read = await store.sequenceStates(ids);
      expect(read.size).toBe(ids.length);
      expect(read).toEqual(new Map([...states, ['dev-7', later]]));
    });
  });
}
