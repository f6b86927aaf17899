// Sequence numbers reveal lost, late and re-sent messages (issue 4).
import { describe, expect, it } from 'vitest';
import { MAX_RANGES, newSequenceState, observeSequence } from '../../../core/telemetry/sequence.js';

describe('sequence gaps', () => {
  it('counts the numbers skipped, fills them when they arrive late, and counts re-sent ones', () => {
    const s = newSequenceState(1, 1000, 0);
    expect(observeSequence(s, 2, 2000, 0)).toEqual({ kind: 'next' });
    expect(observeSequence(s, 6, 6000, 0)).toEqual({ kind: 'gap', missing: 3, abandoned: 0 });
    expect(s.missing).toEqual([[3, 5]]);
    expect(observeSequence(s, 4, 4000, 0)).toEqual({ kind: 'filled' });
    expect(s.missing).toEqual([[3, 3], [5, 5]]);
    expect(observeSequence(s, 4, 4000, 0)).toEqual({ kind: 'duplicate' });
    expect(s).toMatchObject({ nextSeq: 7, missingCount: 2, gapsTotal: 3, filledTotal: 1, duplicatesTotal: 1 });
  });

  it('a lower number with a newer time is a restarted counter, not a duplicate', () => {
    const s = newSequenceState(500, 5000, 0);
    observeSequence(s, 510, 6000, 0);
    expect(observeSequence(s, 0, 9000, 0)).toEqual({ kind: 'reset' });
    expect(s).toMatchObject({ nextSeq: 1, missing: [], missingCount: 0, resetsTotal: 1 });
    expect(observeSequence(s, 1, 9500, 0)).toEqual({ kind: 'next' });
  });

  it('keeps at most MAX_RANGES open ranges, giving up the oldest', () => {
    const s = newSequenceState(0, 0, 0);
    for (let i = 1; i <= MAX_RANGES + 5; i++) observeSequence(s, i * 2, i, 0);
    expect(s.missing).toHaveLength(MAX_RANGES);
    expect(s.missing[0]).toEqual([11, 11]);
    expect(s.missingCount).toBe(MAX_RANGES);
    expect(s.gapsTotal).toBe(MAX_RANGES + 5);
  });
});
