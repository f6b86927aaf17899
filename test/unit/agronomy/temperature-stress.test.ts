// Heat at rice flowering, Vietnamese cold spells, coffee frost and GDD (docs/agronomy.md §5).
import { describe, expect, it } from 'vitest';
import {
  GDD_TEMPERATURES, accumulatedGdd, classifyColdDay, coffeeFrostRisk, findColdSpells, growingDegreeDays, riceHeatAtFlowering,
  tomatoFruitSetStress,
} from '../../../core/agronomy/index.js';

describe('temperature stress', () => {
  it('rice heat: Tmax ≥ 35 °C inside the flowering window only', () => {
    expect(riceHeatAtFlowering({ tmaxC: 35, daysFromFlowering: 0 })).toBe(true);
    expect(riceHeatAtFlowering({ tmaxC: 34.9, daysFromFlowering: 0 })).toBe(false);
    expect(riceHeatAtFlowering({ tmaxC: 37, daysFromFlowering: -7 })).toBe(true);
    expect(riceHeatAtFlowering({ tmaxC: 37, daysFromFlowering: 10 })).toBe(false);
  });

  it('rét đậm at a daily mean ≤ 15 °C, rét hại ≤ 13 °C', () => {
    expect(classifyColdDay(15.1)).toBe('none');
    expect(classifyColdDay(15)).toBe('ret_dam');
    expect(classifyColdDay(13.1)).toBe('ret_dam');
    expect(classifyColdDay(13)).toBe('ret_hai');
  });

  it('finds cold spells as runs of cold days with their severest class', () => {
    const means = [16, 14, 12.5, 14.8, 17, 14];
    const days = means.map((meanC, k) => ({ date: `2024-01-0${k + 1}`, meanC }));
    expect(findColdSpells(days)).toEqual([
      { startDate: '2024-01-02', endDate: '2024-01-04', days: 3, severity: 'ret_hai', minMeanC: 12.5 },
      { startDate: '2024-01-06', endDate: '2024-01-06', days: 1, severity: 'ret_dam', minMeanC: 14 },
    ]);
    expect(findColdSpells(days, 2)).toHaveLength(1);
  });

  it('coffee frost: Tmin ≤ 2 °C with clear sky and wind < 2 m/s', () => {
    expect(coffeeFrostRisk({ tminC: 1.5, clearSky: true, windMs: 1 })).toEqual({ risk: 'high', leafDamageLikely: false });
    expect(coffeeFrostRisk({ tminC: 1.5, clearSky: false, windMs: 1 }).risk).toBe('possible');
    expect(coffeeFrostRisk({ tminC: 1.5, clearSky: true, windMs: 2 }).risk).toBe('possible');
    expect(coffeeFrostRisk({ tminC: 2.5, clearSky: true, windMs: 0 }).risk).toBe('none');
    expect(coffeeFrostRisk({ tminC: -2.5, clearSky: false, windMs: 4 })).toEqual({ risk: 'high', leafDamageLikely: true });
  });

  it('tomato fruit set above 32 °C by day or 24 °C by night', () => {
    expect(tomatoFruitSetStress(33, 20)).toBe(true);
    expect(tomatoFruitSetStress(30, 25)).toBe(true);
    expect(tomatoFruitSetStress(32, 24)).toBe(false);
  });

  it('GDD with temperatures clamped to [Tbase, Tupper]', () => {
    const { baseC, upperC } = GDD_TEMPERATURES.maize ?? { baseC: 0, upperC: 0 };
    expect(growingDegreeDays(35, 8, baseC, upperC)).toBe(10); // (30 + 10)/2 − 10
    expect(growingDegreeDays(25, 15, baseC, upperC)).toBe(10);
    expect(growingDegreeDays(9, 5, baseC, upperC)).toBe(0);
    expect(growingDegreeDays(36, 24, 10)).toBe(20); // rice: no upper clamp
    expect(accumulatedGdd([{ tmaxC: 35, tminC: 8 }, { tmaxC: 25, tminC: 15 }, { tmaxC: 9, tminC: 5 }], baseC, upperC)).toBe(20);
  });
});
