// The simulated clock: time runs `speed` times faster than the real clock from `startMs`, but never
// ahead of it. A simulator started two days in the past therefore backfills history quickly and then
// runs in real time — the ingest rejects readings more than 5 min in the future (issue 4).
// The paced clock (issue 16) catches up as fast as the devices deliver instead: the simulator moves it
// forward step by step, each step once the broker has acknowledged what the devices measured in the last.

export interface SimClock {
  /** Simulated epoch ms now: min(startMs + elapsed real time × speed, real now). */
  now(): number;
  /** Real milliseconds until the simulated clock reaches simMs (0 if it already has). */
  realDelayUntil(simMs: number): number;
  /** True once the simulated clock has caught up with the real one. */
  caughtUp(): boolean;
}

export function createSimClock(opts: { startMs: number; speed: number; now: () => number }): SimClock {
  if (!(opts.speed > 0) || !Number.isFinite(opts.speed)) throw new RangeError(`speed must be a positive number, got ${opts.speed}`);
  const realStart = opts.now();
  const startMs = Math.min(opts.startMs, realStart);
  const accelerated = (real: number): number => startMs + (real - realStart) * opts.speed;
  const now = (): number => {
    const real = opts.now();
    return Math.floor(Math.min(accelerated(real), real));
  };
  return {
    now,
    caughtUp: () => accelerated(opts.now()) >= opts.now(),
    realDelayUntil(simMs) {
      // sim = min(accelerated, real) reaches simMs once BOTH have: at max(accelerated⁻¹(simMs), simMs).
      const at = Math.max(realStart + (simMs - startMs) / opts.speed, simMs);
      return Math.max(0, at - opts.now());
    },
  };
}

export interface PacedClock extends SimClock {
  /** Moves simulated time forward to min(ms, real now); once it reaches the real clock it follows it. */
  advanceTo(ms: number): void;
}

/**
 * A clock its owner moves forward (the simulator's delivery-paced back-fill). Until it has caught up, device
 * time passes only when advanced, so a device waiting for device time (a backlog's replay pause, a reconnect
 * back-off) waits no real time at all; afterwards it is the real clock.
 */
export function createPacedClock(opts: { startMs: number; now: () => number }): PacedClock {
  let cursor = Math.min(Math.floor(opts.startMs), opts.now());
  let caught = false;
  const caughtUp = (): boolean => {
    if (!caught && cursor >= opts.now()) caught = true;
    return caught;
  };
  const now = (): number => (caughtUp() ? opts.now() : cursor);
  return {
    now,
    caughtUp,
    advanceTo(ms) {
      cursor = Math.max(cursor, Math.min(Math.floor(ms), opts.now()));
    },
    realDelayUntil(simMs) {
      return caughtUp() ? Math.max(0, simMs - opts.now()) : 0;
    },
  };
}
