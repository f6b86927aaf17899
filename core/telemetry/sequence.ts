// Sequence numbers reveal lost messages (issue 4). A device numbers its messages (native `seq`, LoRaWAN
// fCnt); per device we keep the next expected number and the ranges not yet received:
//   seq = next            → in order
//   seq > next            → the numbers between are missing (a gap)
//   seq < next, missing   → a late message fills (part of) a gap
//   seq < next, not missing, its time newer than the newest seen → the device restarted its counter
//   seq < next otherwise  → a duplicate (a re-sent message; storing it again is idempotent)
// The open ranges are bounded: past MAX_RANGES the oldest range is given up (no longer counted as missing).

export const MAX_RANGES = 100;

export interface SequenceState {
  /** One past the highest number seen since the last counter restart. */
  nextSeq: number;
  /** Time of the newest message seen (epoch ms). */
  newestTs: number;
  /** Inclusive [from, to] ranges not received, ascending. */
  missing: [number, number][];
  missingCount: number;
  gapsTotal: number;
  filledTotal: number;
  duplicatesTotal: number;
  resetsTotal: number;
  lastSeenAt: number;
}

export type SequenceEvent =
  | { kind: 'first' | 'next' | 'reset' }
  | { kind: 'gap'; missing: number; abandoned: number }
  | { kind: 'filled' }
  | { kind: 'duplicate' };

// The events without data are shared constants: one is returned per message, so no object per message.
const NEXT: SequenceEvent = Object.freeze({ kind: 'next' });
const FILLED: SequenceEvent = Object.freeze({ kind: 'filled' });
const RESET: SequenceEvent = Object.freeze({ kind: 'reset' });
const DUPLICATE: SequenceEvent = Object.freeze({ kind: 'duplicate' });

export function newSequenceState(seq: number, ts: number, now: number): SequenceState {
  return { nextSeq: seq + 1, newestTs: ts, missing: [], missingCount: 0, gapsTotal: 0, filledTotal: 0, duplicatesTotal: 0, resetsTotal: 0, lastSeenAt: now };
}

function fill(state: SequenceState, seq: number): boolean {
  const i = state.missing.findIndex(([from, to]) => seq >= from && seq <= to);
  if (i < 0) return false;
  const [from, to] = state.missing[i]!;
  const parts: [number, number][] = [];
  if (from < seq) parts.push([from, seq - 1]);
  if (seq < to) parts.push([seq + 1, to]);
  state.missing.splice(i, 1, ...parts);
  state.missingCount--;
  state.filledTotal++;
  return true;
}

/** Observes one message's number and time; mutates and returns what it meant. */
export function observeSequence(state: SequenceState, seq: number, ts: number, now: number): SequenceEvent {
  state.lastSeenAt = now;
  if (seq === state.nextSeq) {
    state.nextSeq++;
    state.newestTs = Math.max(state.newestTs, ts);
    return NEXT;
  }
  if (seq > state.nextSeq) {
    const missing = seq - state.nextSeq;
    state.missing.push([state.nextSeq, seq - 1]);
    state.missingCount += missing;
    state.gapsTotal += missing;
    let abandoned = 0;
    while (state.missing.length > MAX_RANGES) {
      const [from, to] = state.missing.shift()!;
      abandoned += to - from + 1;
    }
    state.missingCount -= abandoned;
    state.nextSeq = seq + 1;
    state.newestTs = Math.max(state.newestTs, ts);
    return { kind: 'gap', missing, abandoned };
  }
  if (fill(state, seq)) return FILLED;
  if (ts > state.newestTs) {
    // A counter restart: older gaps can no longer be told apart from the new numbering.
    state.resetsTotal++;
    state.missing = [];
    state.missingCount = 0;
    state.nextSeq = seq + 1;
    state.newestTs = ts;
    return RESET;
  }
  state.duplicatesTotal++;
  return DUPLICATE;
}

/** The missing ranges as stored (core/store): `from-to` joined by commas, '' for none — no quoting needed anywhere. */
export function formatRanges(ranges: readonly (readonly [number, number])[]): string {
  let out = '';
  for (let i = 0; i < ranges.length; i++) out += (i === 0 ? '' : ',') + ranges[i]![0] + '-' + ranges[i]![1];
  return out;
}

export function parseRanges(text: string): [number, number][] {
  if (text === '') return [];
  return text.split(',').map((part) => {
    const dash = part.indexOf('-', 1); // (a leading '-' would be a sign: numbers are never negative, but be exact)
    return [Number(part.slice(0, dash)), Number(part.slice(dash + 1))];
  });
}
