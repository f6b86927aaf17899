// The simulated clock runs `speed` times faster from startMs but never ahead of the real clock.
import { describe, expect, it } from 'vitest';
import { createPacedClock, createSimClock } from '../../../firmware-sim/clock.js';
import { HOUR } from './helpers.js';

describe('simulated clock', () => {
  const real0 = Date.UTC(2025, 5, 1, 12);

  it('backfills at speed, then runs in real time', () => {
    let real = real0;
    const clock = createSimClock({ startMs: real0 - 48 * HOUR, speed: 3600, now: () => real });
    expect(clock.now()).toBe(real0 - 48 * HOUR);
    real += 1000; // one real second = one simulated hour
    expect(clock.now()).toBe(real0 - 47 * HOUR);
    expect(clock.caughtUp()).toBe(false);
    real = real0 + 60_000; // caught up after 48 h / (3600 − 1) ≈ 48.01 real seconds
    expect(clock.now()).toBe(real);
    expect(clock.caughtUp()).toBe(true);
    real += 10 * HOUR; // never ahead of the real clock afterwards
    expect(clock.now()).toBe(real);
  });

  it('says how long to wait, in real ms, until a simulated instant', () => {
    let real = real0;
    const clock = createSimClock({ startMs: real0 - HOUR, speed: 60, now: () => real });
    expect(clock.realDelayUntil(real0 - 59 * 60_000)).toBe(1000); // one simulated minute at 60×
    expect(clock.realDelayUntil(real0 - 2 * HOUR)).toBe(0); // already past
    // Both clocks must get there: accelerated at real0 + (1 h − 1 min)/60 = 59 s, real at once.
    expect(clock.realDelayUntil(real0 - 60_000)).toBe(59_000);
    real += 2 * 60_000; // accelerated is now ahead: the real clock is what we wait for
    expect(clock.realDelayUntil(real + 5000)).toBe(5000);
  });

  it('never starts in the future and rejects a non-positive speed', () => {
    const clock = createSimClock({ startMs: real0 + HOUR, speed: 10, now: () => real0 });
    expect(clock.now()).toBe(real0);
    expect(() => createSimClock({ startMs: real0, speed: 0, now: () => real0 })).toThrow(RangeError);
  });

  it('paced (issue 16): moves only when advanced, never past the real clock, then follows it', () => {
    let real = real0;
    const clock = createPacedClock({ startMs: real0 - 30 * 24 * HOUR, now: () => real });
    real += 5_000; // real time alone does not move a back-fill
    expect(clock.now()).toBe(real0 - 30 * 24 * HOUR);
    expect(clock.realDelayUntil(clock.now() + HOUR)).toBe(0); // device time waits no real time while it catches up
    clock.advanceTo(real0 - 24 * HOUR);
    expect(clock.now()).toBe(real0 - 24 * HOUR);
    expect(clock.caughtUp()).toBe(false);
    clock.advanceTo(real + 10 * HOUR); // never ahead of the real clock
    expect(clock.now()).toBe(real);
    expect(clock.caughtUp()).toBe(true);
    real += 60_000; // caught up: it is the real clock
    expect(clock.now()).toBe(real);
    expect(clock.realDelayUntil(real + 5000)).toBe(5000);
  });
});
