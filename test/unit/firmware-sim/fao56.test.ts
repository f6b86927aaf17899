// The simulator's FAO-56 equations against the paper's worked examples (agronomy.md §1, ±0.05).
import { describe, expect, it } from 'vitest';
import {
  atmosphericPressure,
  daylightHours,
  et0Hourly,
  extraterrestrialRadiation,
  extraterrestrialRadiationHourly,
  inverseRelDistance,
  psychrometricConstant,
  solarDeclination,
  sunsetHourAngle,
} from '../../../firmware-sim/fao56.js';

const close = (actual: number, expected: number, tol = 0.05): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(tol);
};

describe('FAO-56 worked examples', () => {
  it('Ex 2: pressure and γ at 1800 m', () => {
    close(atmosphericPressure(1800), 81.8);
    close(psychrometricConstant(atmosphericPressure(1800)), 0.054, 0.001);
  });

  it('Ex 8 and 9: 20°S on 3 September', () => {
    close(inverseRelDistance(246), 0.985, 0.001);
    close(solarDeclination(246), 0.12, 0.001);
    close(sunsetHourAngle(-20, 246), 1.527, 0.001);
    close(extraterrestrialRadiation(-20, 246), 32.2);
    close(daylightHours(-20, 246), 11.7);
  });

  it('Ex 19: hourly ET0 at N’Diaye, 14–15 h on 1 October', () => {
    // 16°13'N, 16°15'W, time zone Lz = 15°W (UTC−1 in the formula's terms), z = 8 m, J = 274.
    const ra = extraterrestrialRadiationHourly(16 + 13 / 60, 274, 14.5, -16.25, -1);
    close(ra, 3.543);
    const rso = (0.75 + 2e-5 * 8) * ra;
    const et0 = et0Hourly({ t: 38, rh: 52, u2: 3.3, rs: 2.45, rsRatio: 2.45 / rso, pressure: atmosphericPressure(8) });
    close(et0, 0.63);
  });

  it('Ex 19: hourly ET0 at night is about zero', () => {
    const et0 = et0Hourly({ t: 28, rh: 90, u2: 1.9, rs: 0, rsRatio: 0.8, pressure: atmosphericPressure(8) });
    expect(et0).toBeLessThan(0.02);
  });
});
