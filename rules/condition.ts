// The debounce every rule shares: duration (`for`), hysteresis, resolve delay (`clearFor`) and cooldown.
// A rule reduces its input to a level — `on` (the condition holds), `off` (clear beyond the hysteresis) or
// `band` (inside the hysteresis band: neither opens nor clears) — and this pure machine turns levels in time
// into at most one `open` per episode and one `resolve` when it clears. Times are the readings' own
// timestamps (a buffered backlog is judged by when things happened), or the clock for scheduled checks.

export type Level = 'on' | 'band' | 'off';
export type Phase = 'idle' | 'pending' | 'firing' | 'clearing';
export type Transition = 'open' | 'hold' | 'resolve' | 'none';

export interface ConditionState {
  readonly phase: Phase;
  /** When the condition started to hold in this episode (pending or firing), epoch ms. */
  readonly since?: number | undefined;
  /** When the condition started to look clear (clearing), epoch ms. */
  readonly clearSince?: number | undefined;
  /** When the current episode fired. */
  readonly firedAt?: number | undefined;
  /** When the last episode resolved (for the cooldown). */
  readonly resolvedAt?: number | undefined;
  /** The latest time seen: time never runs backwards inside the machine. */
  readonly lastTs?: number | undefined;
}

export interface Timing {
  readonly forMs: number;
  readonly clearForMs: number;
  readonly cooldownMs: number;
}

export const IDLE: ConditionState = { phase: 'idle' };

function cooledDown(s: ConditionState, ts: number, t: Timing): boolean {
  return s.resolvedAt === undefined || ts - s.resolvedAt >= t.cooldownMs;
}

/** One step: the level observed at `ts`. `hold` = still firing (refresh the open alert's numbers). */
export function stepCondition(s: ConditionState, level: Level, at: number, t: Timing): { state: ConditionState; transition: Transition } {
  const ts = Math.max(at, s.lastTs ?? at);
  const keep = { resolvedAt: s.resolvedAt, lastTs: ts };
  switch (s.phase) {
    case 'idle':
    case 'pending': {
      // Inside the band a pending duration keeps running (noise around the limit must not restart it);
      // only a reading clear beyond the hysteresis cancels it.
      if (level === 'off' || (level === 'band' && s.phase === 'idle')) return { state: { phase: 'idle', ...keep }, transition: 'none' };
      const since = s.phase === 'pending' ? (s.since ?? ts) : ts;
      if (level === 'band') return { state: { phase: 'pending', since, ...keep }, transition: 'none' };
      if (ts - since >= t.forMs && cooledDown(s, ts, t)) {
        return { state: { phase: 'firing', since, firedAt: ts, ...keep }, transition: 'open' };
      }
      return { state: { phase: 'pending', since, ...keep }, transition: 'none' };
    }
    case 'firing':
    case 'clearing': {
      const episode = { since: s.since, firedAt: s.firedAt, ...keep };
      if (level !== 'off') return { state: { phase: 'firing', ...episode }, transition: 'hold' };
      const clearSince = s.phase === 'clearing' ? (s.clearSince ?? ts) : ts;
      if (ts - clearSince >= t.clearForMs) return { state: { phase: 'idle', resolvedAt: ts, lastTs: ts }, transition: 'resolve' };
      return { state: { phase: 'clearing', clearSince, ...episode }, transition: 'none' };
    }
  }
}

/** Level of `x` against a limit crossed upwards (`above`) or downwards, with a hysteresis band. */
export function levelAgainst(x: number, limit: number, direction: 'above' | 'below', hysteresis: number, inclusive = false): Level {
  if (direction === 'above') {
    if (inclusive ? x >= limit : x > limit) return 'on';
    return x <= limit - hysteresis ? 'off' : 'band';
  }
  if (inclusive ? x <= limit : x < limit) return 'on';
  return x >= limit + hysteresis ? 'off' : 'band';
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The state with its condition's clock (`cond.lastTs`) left out. */
function withoutClock(state: Record<string, unknown>): Record<string, unknown> {
  return isRecord(state.cond) ? { ...state, cond: { ...state.cond, lastTs: undefined } } : state;
}

/**
 * Whether a rule's state changed only in its condition's clock (`cond.lastTs`, the newest time the machine saw).
 * The every-minute check of a device that is neither newly silent nor newly back changes nothing else, and the
 * engine does not write such a state (issue 19: with 10,000 devices every tick rewrote 10,000 rule_state rows,
 * ≈ 1.4 MB handed to SQLite a minute — docs/benchmarks.md "The rules engine's every-minute check"). The process
 * keeps the new state in its cache; only the stored copy keeps an older lastTs. That copy is read again after a
 * restart or a rolled-back transaction, and lastTs only keeps time from running backwards (stepCondition): a
 * scheduled check's time is the service clock, later than the stored lastTs unless the clock itself was set back.
 */
export function onlyClockMoved(before: unknown, after: unknown): boolean {
  if (!isRecord(before) || !isRecord(after) || !isRecord(before.cond) || !isRecord(after.cond)) return false;
  return JSON.stringify(withoutClock(before)) === JSON.stringify(withoutClock(after));
}
