// The simulated farmer follows safe AWD (docs/agronomy.md §3) by the crop's calendar: ponded for 10 days
// after transplanting and from a week before to a week after flowering, dry-downs to −15 cm otherwise,
// and a drained field for the last 10 days before harvest.
import { describe, expect, it } from 'vitest';
import { awdFarmPhase, createAwdTube } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, STEP, local, mekong } from './helpers.js';

/** The lowest and highest true level over [from, to), stepping the tube in 10-min steps. */
function range(tube: ReturnType<typeof createAwdTube>, from: number, to: number): { lo: number; hi: number } {
  let [lo, hi] = [Infinity, -Infinity];
  for (let ms = from; ms < to; ms += STEP) {
    tube.step(ms);
    lo = Math.min(lo, tube.level());
    hi = Math.max(hi, tube.level());
  }
  return { lo, hi };
}

describe('AWD farmer', () => {
  it('names the phases of a 150-day tropical rice season (flowering 30 days before harvest)', () => {
    expect(awdFarmPhase(3, 150, 120)).toBe('establishment');
    expect(awdFarmPhase(40, 150, 120)).toBe('awd');
    expect(awdFarmPhase(113, 150, 120)).toBe('flowering_hold');
    expect(awdFarmPhase(127, 150, 120)).toBe('flowering_hold');
    expect(awdFarmPhase(128, 150, 120)).toBe('awd');
    expect(awdFarmPhase(141, 150, 120)).toBe('pre_harvest_drain');
  });

  it('keeps the field ponded through the flowering window of a rainless, hot dry season', () => {
    const flowering = local(2025, 3, 20);
    const weather = createWeather({ ...mekong, rainFactor: 0, events: [{ kind: 'heat', fromMs: flowering - 7 * DAY, toMs: flowering + 7 * DAY, deltaC: 4 }] });
    const tube = createAwdTube({ weather, seed: 31, plantingMs: flowering - 120 * DAY });
    expect(tube.floweringDay).toBe(120);
    tube.step(flowering - 9 * DAY);
    expect(tube.phase(flowering)).toBe('flowering_hold');
    const { lo, hi } = range(tube, flowering - 5 * DAY, flowering + 7 * DAY);
    expect(lo).toBeGreaterThan(0); // never dried below the surface
    expect(hi).toBeLessThanOrEqual(6);
  });

  it('lets the same field dry to the AWD threshold in mid-season, and re-floods it', () => {
    const t0 = local(2025, 2, 1);
    const tube = createAwdTube({ weather: createWeather({ ...mekong, rainFactor: 0 }), seed: 32, plantingMs: t0 - 30 * DAY });
    const { lo, hi } = range(tube, t0, t0 + 40 * DAY);
    expect(lo).toBeLessThanOrEqual(-14);
    expect(lo).toBeGreaterThan(-20);
    expect(hi).toBeGreaterThanOrEqual(4);
  });

  it('drains the field before harvest and does not irrigate it any more', () => {
    const harvest = local(2025, 3, 1);
    const tube = createAwdTube({ weather: createWeather({ ...mekong, rainFactor: 0 }), seed: 33, plantingMs: harvest - 150 * DAY });
    tube.step(harvest - 12 * DAY);
    tube.command({ cmd: 'irrigate', mm: 60 }, harvest - 12 * DAY); // ponded when the drain phase begins
    range(tube, harvest - 12 * DAY, harvest - 10 * DAY);
    expect(tube.level()).toBeGreaterThan(2);
    const { hi } = range(tube, harvest - 8 * DAY, harvest);
    expect(hi).toBeLessThanOrEqual(0);
    expect(tube.level()).toBeLessThan(-15); // below the AWD threshold and nobody pumps
  });
});
