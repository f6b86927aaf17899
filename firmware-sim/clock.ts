// The simulated clock: time runs `speed` times faster than the real clock from `startMs`, but never
// ahead of it. A simulator started two days in the past therefore backfills history quickly and then
// runs in real time — the ingest rejects readings more than 5 min in the future (issue 4).

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
