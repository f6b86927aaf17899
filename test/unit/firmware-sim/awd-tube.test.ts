// The AWD tube: falls with ET and percolation, is re-flooded by the simulated farmer at −15 cm,
// rises with rain and irrigation, and never leaves −30…+20 cm. The farmer's phases: awd-farmer.test.ts.
import { describe, expect, it } from 'vitest';
import { createAwdTube } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, HOUR, STEP, local, mekong } from './helpers.js';

describe('AWD tube', () => {
  it('falls from +5 cm below −15 cm within three weeks without rain, then the farmer re-floods it', () => {
    const t0 = local(2025, 2, 1);
    const tube = createAwdTube({ weather: createWeather({ ...mekong, rainFactor: 0 }), seed: 11, plantingMs: t0 - 20 * DAY }); // AWD phase
    tube.step(t0);
    tube.command({ cmd: 'irrigate', mm: 200 }, t0);
    tube.step(t0 + DAY); // flooded (and spilling over the bund)
    let t = t0 + DAY;
    while (tube.level() > 5) tube.step((t += STEP));
    const fromFive = t;
    while (tube.level() > -15 && t < fromFive + 21 * DAY) tube.step((t += STEP));
    expect(tube.level()).toBeLessThanOrEqual(-15);
    const days = (t - fromFive) / DAY;
    expect(days).toBeGreaterThan(5); // a drawdown takes days, not hours
    expect(days).toBeLessThan(21);
    let lowest = tube.level();
    const drawnDown = t;
    while (tube.level() < 4 && t < drawnDown + 2 * DAY) {
      tube.step((t += STEP));
      lowest = Math.min(lowest, tube.level());
    }
    expect(tube.level()).toBeGreaterThanOrEqual(4); // re-flooded to about +5 cm
    expect(tube.level()).toBeLessThanOrEqual(6);
    expect(lowest).toBeGreaterThan(-20); // the farmer comes within hours
  });

  it('keeps falling to the tube bottom (−30 cm) without a farmer', () => {
    const tube = createAwdTube({ weather: createWeather({ ...mekong, rainFactor: 0 }), seed: 12, farmer: false });
    const t0 = local(2025, 3, 1);
    for (let ms = t0; ms <= t0 + 40 * DAY; ms += STEP) tube.step(ms);
    expect(tube.level()).toBe(-30);
    const { awd_level: level } = tube.sample(t0 + 40 * DAY);
    expect(level).toBeGreaterThanOrEqual(-30);
  });

  it('rises with rain and with a valve command', () => {
    const weather = createWeather(mekong);
    const tube = createAwdTube({ weather, seed: 13, farmer: false });
    let event = weather.day(local(2025, 7, 1)).rain;
    for (let d = 1; !(event && event.mm >= 10); d++) event = weather.day(local(2025, 7, 1) + d * DAY).rain;
    tube.step(event.startMs - 5 * DAY);
    tube.step(event.startMs);
    const before = tube.level();
    tube.step(event.endMs);
    expect(tube.level()).toBeGreaterThan(before);
    const beforeValve = tube.level();
    tube.command({ cmd: 'valve', minutes: 60 }, event.endMs);
    tube.step(event.endMs + 2 * HOUR);
    expect(tube.level()).toBeGreaterThan(Math.min(20, beforeValve + 2));
  });
});
