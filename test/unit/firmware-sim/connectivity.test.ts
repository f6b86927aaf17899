// When a device has a network: offline windows and a flaky link, as a pure function of time.
import { describe, expect, it } from 'vitest';
import { createLinkPlan } from '../../../firmware-sim/connectivity.js';
import { DAY, HOUR } from './helpers.js';

const t0 = Date.UTC(2025, 2, 1);

describe('link plan', () => {
  it('is offline exactly inside its windows', () => {
    const plan = createLinkPlan({ offline: [{ fromMs: t0 + 3 * HOUR, toMs: t0 + 9 * HOUR }], seed: 1 });
    expect(plan.online(t0 + 3 * HOUR - 1)).toBe(true);
    expect(plan.online(t0 + 3 * HOUR)).toBe(false);
    expect(plan.online(t0 + 9 * HOUR - 1)).toBe(false);
    expect(plan.online(t0 + 9 * HOUR)).toBe(true);
  });

  it('a flaky link drops about dropsPerDay times a day for about meanOutageMin, the same every run', () => {
    const flaky = { dropsPerDay: 6, meanOutageMin: 10 };
    const a = createLinkPlan({ flaky, seed: 7 });
    const b = createLinkPlan({ flaky, seed: 7 });
    let drops = 0;
    let offline = 0;
    let was = true;
    const step = 60_000;
    for (let ms = t0; ms < t0 + 30 * DAY; ms += step) {
      const on = a.online(ms);
      expect(b.online(ms)).toBe(on);
      if (!on) offline += step;
      if (was && !on) drops++;
      was = on;
    }
    expect(drops / 30).toBeGreaterThan(4);
    expect(drops / 30).toBeLessThan(8);
    const meanOutageMin = offline / drops / 60_000;
    expect(meanOutageMin).toBeGreaterThan(6);
    expect(meanOutageMin).toBeLessThan(14);
  });

  it('another seed loses its link at other times', () => {
    const flaky = { dropsPerDay: 6, meanOutageMin: 10 };
    const a = createLinkPlan({ flaky, seed: 7 });
    const b = createLinkPlan({ flaky, seed: 8 });
    const differ = Array.from({ length: 5000 }, (_, i) => t0 + i * 60_000).some((ms) => a.online(ms) !== b.online(ms));
    expect(differ).toBe(true);
  });
});
