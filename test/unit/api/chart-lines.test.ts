// The dashboard's reference lines and window choice (api/chart-lines.ts on core/agronomy, api/series.ts,
// api/csv-export.ts): the RAW line is the soil-water rule's threshold (same core function, p adjusted for ETc),
// the salinity and AWD lines the rules' limits, and the ≤ 1,000-points rule.
import { describe, expect, it } from 'vitest';
import { awdChartLine, salinityChartLine, soilChartLines } from '../../../api/chart-lines.js';
import { csvText } from '../../../api/csv-export.js';
import { MAX_POINTS, niceWindow } from '../../../api/series.js';
import type { Advice } from '../../../core/alerts/rule-store.js';
import { soilTextureOf } from '../../../core/agronomy/field-soil-water.js';

const NOW = Date.parse('2026-12-06T03:00:00Z'); // 10:00 in Vietnam
const advice = (over: Partial<Advice>): Advice => ({
  fieldId: 'f', date: '2026-12-06', status: 'ok', text: { vi: '', en: '' }, numbers: {}, method: 'none', et0: null, computedAt: '', ...over,
});

describe('chart reference lines', () => {
  it('puts RAW at p·TAW with the crop\'s minimum Zr and p unadjusted while no ET0 is known', () => {
    // clay: θFC (0.32+0.40)/2 = 0.36, θWP (0.20+0.24)/2 = 0.22; coffee p = 0.40, Zr min 0.9 m → TAW 126, RAW 50.4
    expect(soilChartLines({ crop: 'coffee', soilTexture: 'clay', plantingDate: '2019-06-01' }, undefined, NOW)).toEqual({
      texture: 'clay', thetaFcPct: 36, thetaWpPct: 22, depletionFraction: 0.4, depletionFractionTable: 0.4, et0Mm: null,
      rootDepthM: 0.9, tawMm: 126, rawMm: 50.4, rawLinePct: 30.4, from: 'tables',
    });
  });

  it('adjusts p for the ETc of the ET0 the advice used (FAO-56 Table 22 footnote), as the rule does', () => {
    // coffee Kc mid 0.95 × ET0 4.5 = ETc 4.275 → p = 0.40 + 0.04·(5 − 4.275) = 0.429 → RAW 0.429 × 126 = 54.05 mm
    const lines = soilChartLines({ crop: 'coffee', soilTexture: 'clay', plantingDate: '2019-06-01' }, advice({ et0: { date: '2026-12-05', mm: 4.5, method: 'penman-monteith', estimated: [] } }), NOW);
    expect(lines).toMatchObject({ depletionFraction: 0.429, et0Mm: 4.5, tawMm: 126, rawMm: 54.1, from: 'tables' });
  });

  it('takes the soil-water rule\'s parameters from its advice (a field rule overriding Zr and p)', () => {
    const a = advice({ method: 'soil-sensors', numbers: { rawMm: 33.6, tawMm: 84, p: 0.4, rootDepthM: 0.6, thetaFcPct: 36, thetaWpPct: 22 } });
    expect(soilChartLines({ crop: 'coffee', soilTexture: 'clay', plantingDate: null }, a, NOW)).toMatchObject({ rootDepthM: 0.6, tawMm: 84, rawMm: 33.6, from: 'rule' });
  });

  it('has no TAW or RAW without a p or Zr, and no lines without a texture', () => {
    expect(soilChartLines({ crop: 'black_pepper', soilTexture: 'loam', plantingDate: null }, undefined, NOW)).toMatchObject({ depletionFraction: null, tawMm: null, rawLinePct: null });
    expect(soilChartLines({ crop: 'dragon_fruit', soilTexture: 'loam', plantingDate: null }, undefined, NOW)).toMatchObject({ depletionFraction: 0.3, rootDepthM: null, tawMm: null, rawLinePct: 21.1 });
    expect(soilChartLines({ crop: 'coffee', soilTexture: 'mud', plantingDate: null }, undefined, NOW)).toBeNull();
    expect(soilTextureOf('Silty Clay')).toBe('silty_clay');
    expect(soilTextureOf('mud')).toBeUndefined();
  });

  it('converts the crop salinity limit to the EC the canal sensor reports (g/L TDS basis)', () => {
    expect(salinityChartLine('rice')).toEqual({ okPermil: 2, maxPermil: 2, basis: 'tds_g_per_l', maxDsPerM: 3.125 });
    expect(salinityChartLine('coffee')).toBeNull();
  });

  it('draws the AWD rule\'s threshold for rice only', () => {
    expect(awdChartLine('rice', undefined)).toBe(-15);
    expect(awdChartLine('rice', advice({ method: 'awd-tube', numbers: { thresholdCm: -10 } }))).toBe(-10);
    expect(awdChartLine('coffee', undefined)).toBeNull();
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
