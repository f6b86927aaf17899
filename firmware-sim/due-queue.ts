// A binary min-heap of devices by the simulated time of their next report, so that a fleet of 10,000
// costs O(log n) per report instead of a scan of every device on every tick.

export interface Due<T> {
  push(item: T, at: number): void;
  /** The earliest time in the queue, or Infinity. */
  peek(): number;
  /** Removes and returns the earliest item if its time is ≤ until. */
  popDue(until: number): T | undefined;
  readonly size: number;
}

export function createDueQueue<T>(): Due<T> {
  const items: T[] = [];
  const keys: number[] = [];
  const swap = (i: number, j: number): void => {
    [items[i], items[j]] = [items[j] as T, items[i] as T];
    [keys[i], keys[j]] = [keys[j] as number, keys[i] as number];
  };
  const up = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((keys[parent] as number) <= (keys[i] as number)) return;
      swap(i, parent);
      i = parent;
    }
  };
  const down = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < keys.length && (keys[l] as number) < (keys[m] as number)) m = l;
      if (r < keys.length && (keys[r] as number) < (keys[m] as number)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  return {
    push(item, at) {
      items.push(item);
      keys.push(at);
      up(items.length - 1);
    },
    peek: () => (keys.length > 0 ? (keys[0] as number) : Infinity),
    popDue(until) {
      if (keys.length === 0 || (keys[0] as number) > until) return undefined;
      const top = items[0] as T;
      const lastItem = items.pop() as T;
      const lastKey = keys.pop() as number;
      if (items.length > 0) {
        items[0] = lastItem;
        keys[0] = lastKey;
        down(0);
      }
      return top;
    },
    get size() {
      return items.length;
    },
  };
}
