// The dashboard's reference lines and window choice (core/agronomy-tables.ts, api/series.ts, api/csv-export.ts):
// FAO-56 worked examples for Ra, Table 19/22 arithmetic for the RAW line, and the ≤ 1,000-points rule.
import { describe, expect, it } from 'vitest';
import { csvText } from '../../../api/csv-export.js';
import { MAX_POINTS, niceWindow } from '../../../api/series.js';
import { extraterrestrialRadiation, hargreavesEt0, normaliseTexture, salinityLine, soilLines } from '../../../core/agronomy-tables.js';

describe('chart reference lines', () => {
  it('reproduces FAO-56 Example 8 (20°S, 3 September): Ra 32.2 MJ m⁻² day⁻¹', () => {
    expect(Math.abs(extraterrestrialRadiation(-20, 246) - 32.2)).toBeLessThanOrEqual(0.05);
  });

  it('reproduces FAO-56 Example 17 (Bangkok, 13°44\'N, mid-April): Ra 38.06', () => {
    expect(Math.abs(extraterrestrialRadiation(13 + 44 / 60, 105) - 38.06)).toBeLessThanOrEqual(0.05);
  });

  it('gives Hargreaves ET0 (Eq. 52) from the temperature range and Ra', () => {
    const ra = extraterrestrialRadiation(13 + 44 / 60, 105);
    const expected = 0.0023 * ((34.8 + 25.6) / 2 + 17.8) * Math.sqrt(34.8 - 25.6) * 0.408 * ra;
    expect(hargreavesEt0(34.8, 25.6, 13 + 44 / 60, 105)).toBeCloseTo(expected, 10);
    expect(hargreavesEt0(34.8, 25.6, 13 + 44 / 60, 105)).toBeGreaterThan(5); // a hot April day in Bangkok
  });

  it('puts the RAW line at θFC − p·(θFC − θWP) with Table 19 midpoints and Table 22 p', () => {
    // clay: θFC (0.32+0.40)/2 = 0.36, θWP (0.20+0.24)/2 = 0.22; coffee p = 0.40, Zr (0.9+1.5)/2 = 1.2 m
    expect(soilLines('clay', 'coffee')).toEqual({
      texture: 'clay', thetaFcPct: 36, thetaWpPct: 22, depletionFraction: 0.4, rootDepthM: 1.2, tawMm: 168, rawMm: 67.2, rawLinePct: 30.4,
    });
    expect(soilLines('loam', 'black_pepper')).toMatchObject({ depletionFraction: null, tawMm: null, rawLinePct: null });
    expect(normaliseTexture('Silty Clay')).toBe('silty_clay');
    expect(normaliseTexture('mud')).toBeUndefined();
  });

  it('converts the crop salinity limit to the EC the canal sensor reports (g/L TDS basis)', () => {
    expect(salinityLine('rice')).toEqual({ okPermil: 2, maxPermil: 2, basis: 'tds_g_per_l', maxDsPerM: 3.125 });
    expect(salinityLine('coffee')).toBeNull();
  });
});

describe('chart windows and CSV cells', () => {
  it('picks the smallest readable window that keeps a series at or under 1,000 points', () => {
    const DAY = 86_400_000;
    expect(niceWindow(30 * DAY)).toBe(3_600_000);
    expect(niceWindow(7 * DAY)).toBe(15 * 60_000);
    expect(niceWindow(DAY)).toBe(2 * 60_000);
    expect(niceWindow(3 * 365 * DAY)).toBe(2 * DAY);
    for (const range of [DAY, 7 * DAY, 30 * DAY, 400 * DAY, 30 * 365 * DAY]) expect(range / niceWindow(range)).toBeLessThanOrEqual(MAX_POINTS);
  });

  it('quotes CSV text cells and defuses spreadsheet formulas', () => {
    expect(csvText('dev-1')).toBe('dev-1');
    expect(csvText('a,b')).toBe('"a,b"');
    expect(csvText('say "hi"')).toBe('"say ""hi"""');
    expect(csvText('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvText('@SUM(A1)')).toBe("'@SUM(A1)");
  });
});
