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
