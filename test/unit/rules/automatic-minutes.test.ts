// Automatic mode's pumping time (issue 17, rules/control/automatic-mode.ts): minutes = mm × ha × 10 / (m³/h) × 60,
// the soil-water rule's own pumpMinutes first, rounded up, capped at the field's maximum and the devices' 240.
import { describe, expect, it } from 'vitest';
import { advisedMinutes } from '../../../rules/control/automatic-mode.js';

describe('advisedMinutes', () => {
  it('turns the advised depth into minutes of the field\'s pump', () => {
    expect(advisedMinutes({ grossMm: 25 }, 0.5, 60, 240)).toBe(125); // 125 m³ at 60 m³/h
    expect(advisedMinutes({ depthMm: 10 }, 0.2, 30, 240)).toBe(40); // AWD alerts give depthMm
    expect(advisedMinutes({ grossMm: 10 }, 0.13, 70, 240)).toBe(12); // 11.14… rounded up
  });
  it('prefers the rule\'s own pumpMinutes and caps at the maximum', () => {
    expect(advisedMinutes({ grossMm: 25, pumpMinutes: 33.2 }, 1, 60, 240)).toBe(34);
    expect(advisedMinutes({ grossMm: 25 }, 1, 60, 45)).toBe(45);
    expect(advisedMinutes({ grossMm: 100 }, 5, 10, 999)).toBe(240);
  });
  it('gives nothing without a depth, an area or a pump flow', () => {
    expect(advisedMinutes({}, 1, 60, 240)).toBeUndefined();
    expect(advisedMinutes({ grossMm: 25 }, null, 60, 240)).toBeUndefined();
    expect(advisedMinutes({ grossMm: 25 }, 1, null, 240)).toBeUndefined();
  });
});
