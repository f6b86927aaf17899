// Salinity conversions on both ‰ bases, crop limits, FAO-29 classes and Maas–Hoffman (docs/agronomy.md §4).
import { describe, expect, it } from 'vitest';
import {
  assessWaterForCrop, ecToPermil, ecToTdsMgPerL, eceFromEcw, fao29Restriction, formatPermil, maasHoffmanYieldPct, permilToEc,
  relativeYieldFromWaterPct, tdsMgPerLToEc,
} from '../../../core/agronomy/index.js';
import { expectWithin } from './within.js';

describe('salinity conversions', () => {
  it('EC ↔ TDS at 640 mg/L per dS/m', () => {
    expect(ecToTdsMgPerL(2.5)).toBe(1600);
    expect(tdsMgPerLToEc(4000)).toBeCloseTo(6.25, 10);
  });

  it('‰ on the TDS g/L basis: 1 g/L ≈ 1.56 dS/m', () => {
    expectWithin(permilToEc(1, 'tds_g_per_l'), 1.56, 0.005);
    expect(permilToEc(4, 'tds_g_per_l')).toBeCloseTo(6.25, 10);
    expect(ecToPermil(3.125, 'tds_g_per_l')).toBeCloseTo(2, 10);
  });

  it('‰ on the PSS-78 basis: 1 ‰ ≈ 2.0 dS/m', () => {
    expect(permilToEc(4, 'pss78')).toBe(8);
    expect(ecToPermil(3.125, 'pss78')).toBeCloseTo(1.5625, 10);
  });

  it('every formatted ‰ names its basis', () => {
    expect(formatPermil(2.6, 'tds_g_per_l')).toBe('2.6 ‰ (TDS g/L basis)');
    expect(formatPermil(2.6, 'pss78')).toBe('2.6 ‰ (PSS-78 basis)');
  });
});

describe('crop limits and classes', () => {
  it('rice ≤ 2 ‰: 2.6 ‰ is above the limit, 2.0 ‰ is fine', () => {
    const a = assessWaterForCrop('rice', permilToEc(2.6, 'tds_g_per_l'));
    expect(a.status).toBe('do_not_use');
    expect(a.text).toBe('2.6 ‰ (TDS g/L basis) is above the 2 ‰ limit for rice');
    expect(assessWaterForCrop('rice', permilToEc(2, 'pss78'), 'pss78').status).toBe('ok');
  });

  it('the same EC can pass on one basis and fail on the other', () => {
    expect(assessWaterForCrop('rice', 3.5, 'tds_g_per_l').status).toBe('do_not_use'); // 2.24 ‰
    expect(assessWaterForCrop('rice', 3.5, 'pss78').status).toBe('ok'); // 1.75 ‰
  });

  it('"< 1 ‰" excludes the bound, "2–4 ‰" ranges give caution', () => {
    expect(assessWaterForCrop('dragon_fruit', permilToEc(1, 'pss78'), 'pss78').status).toBe('do_not_use');
    expect(assessWaterForCrop('dragon_fruit', permilToEc(0.9, 'pss78'), 'pss78').status).toBe('ok');
    expect(assessWaterForCrop('tomato', permilToEc(3, 'pss78'), 'pss78').status).toBe('caution');
    expect(assessWaterForCrop('tomato', permilToEc(4.5, 'pss78'), 'pss78').status).toBe('do_not_use');
    expect(() => assessWaterForCrop('wheat', 1)).toThrow(/no salinity limit/);
  });

  it('FAO-29 restriction classes', () => {
    expect(fao29Restriction(0.69)).toBe('none');
    expect(fao29Restriction(0.7)).toBe('slight_to_moderate');
    expect(fao29Restriction(3.0)).toBe('slight_to_moderate');
    expect(fao29Restriction(3.01)).toBe('severe');
  });
});

describe('Maas–Hoffman relative yield', () => {
  it('rice check (FAO-29): 100/90/75/50 % at ECe 3.0/3.8/5.1/7.2 dS/m', () => {
    expectWithin(maasHoffmanYieldPct(3.0, 3.0, 12), 100, 0.5);
    expectWithin(maasHoffmanYieldPct(3.8, 3.0, 12), 90, 0.5); // 90.4
    expectWithin(maasHoffmanYieldPct(5.1, 3.0, 12), 75, 0.5); // 74.8
    expectWithin(maasHoffmanYieldPct(7.2, 3.0, 12), 50, 0.5); // 49.6
  });

  it('from irrigation water: ECe ≈ 1.5·ECw, bounded to 0–100 %', () => {
    expect(eceFromEcw(2)).toBe(3);
    expect(relativeYieldFromWaterPct('rice', 3.4)).toBeCloseTo(74.8, 8); // ECe 5.1
    expect(relativeYieldFromWaterPct('rice', 1)).toBe(100);
    expect(relativeYieldFromWaterPct('rice', 20)).toBe(0);
    expect(relativeYieldFromWaterPct('tomato', 2)).toBeCloseTo(100 - 9.9 * 0.5, 8);
  });
});
