// broker/fifo.ts: the emitter's O(1) queue keeps order and length across chunk boundaries and after emptying.
import { describe, expect, it } from 'vitest';
import { createFifo } from '../../../broker/fifo.js';

describe('fifo', () => {
  it('returns items in push order across many chunks, interleaved with shifts', () => {
    const q = createFifo<number>();
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let k = 0; k < 97; k++) q.push(next++);
      for (let k = 0; k < 60; k++) out.push(q.shift()!);
    }
    expect(q.length).toBe(50 * 37);
    while (q.length > 0) out.push(q.shift()!);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(q.shift()).toBeUndefined();
  });

  it('is reusable once emptied', () => {
    const q = createFifo<string>();
    for (let i = 0; i < 3000; i++) q.push(`a${i}`);
    for (let i = 0; i < 3000; i++) q.shift();
    q.push('b');
    expect([q.length, q.shift(), q.length]).toEqual([1, 'b', 0]);
  });
});
