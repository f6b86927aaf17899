// Counts per message in plain numbers and adds them to the Prometheus counters once per turn of the event
// loop: prom-client's inc() hashes its labels and allocates two objects per call, which at tens of thousands
// of messages a second cost more than the counting is worth. A scrape always runs in a later turn than the
// messages it counts, so what it reads is exact.
import type { Counter } from 'prom-client';

export interface Tally {
  /** A slot of an unlabelled counter. */
  counter(metric: Counter): { add(n?: number): void };
  /** Slots of a counter with one label, one per label value. */
  labelled<L extends string>(metric: Counter, label: string): { add(value: L, n?: number): void };
  /** Adds what was counted now (also done on its own once per turn). */
  flush(): void;
}

interface Slot { n: number; readonly metric: Counter; readonly labels: Record<string, string> | undefined }

export function createTally(): Tally {
  const slots: Slot[] = [];
  let scheduled = false;

  function flush(): void {
    scheduled = false;
    for (const slot of slots) {
      if (slot.n === 0) continue;
      const n = slot.n;
      slot.n = 0;
      if (slot.labels) slot.metric.inc(slot.labels, n);
      else slot.metric.inc(n);
    }
  }

  function bump(slot: Slot, n: number): void {
    slot.n += n;
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  }

  return {
    counter(metric) {
      const slot: Slot = { n: 0, metric, labels: undefined };
      slots.push(slot);
      return { add: (n = 1) => bump(slot, n) };
    },
    labelled(metric, label) {
      const byValue = new Map<string, Slot>();
      return {
        add(value, n = 1) {
          let slot = byValue.get(value);
          if (!slot) {
            slot = { n: 0, metric, labels: { [label]: value } };
            byValue.set(value, slot);
            slots.push(slot);
          }
          bump(slot, n);
        },
      };
    },
    flush,
  };
}
