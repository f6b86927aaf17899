// Daily aggregation of station readings (docs/agronomy.md §6): extremes, means, Σ radiation, coverage.
import { describe, expect, it } from 'vitest';
import { aggregateByDay, aggregateDay, inferIntervalMs, localDate, type StationReading } from '../../../core/agronomy/index.js';

const TEN_MIN = 600_000;
const DAY_START = Date.parse('2024-04-15T00:00:00+07:00');

/** 144 ten-minute records for 15 April 2024 (local, UTC+7), minus the slots in `skip`. */
function day(skip: (k: number) => boolean = () => false): StationReading[] {
  const rows: StationReading[] = [];
  for (let k = 0; k < 144; k++) {
    if (skip(k)) continue;
    const ts = DAY_START + k * TEN_MIN;
    const hour = k / 6;
    rows.push({ ts, metric: 'air_temperature', value: k === 36 ? 22 : k === 90 ? 33 : 27 });
    rows.push({ ts, metric: 'air_humidity', value: k === 30 ? 102 : k === 90 ? 55 : 80 });
    rows.push({ ts, metric: 'wind_speed', value: k < 72 ? 1 : 3 });
    rows.push({ ts, metric: 'solar_radiation', value: hour >= 6 && hour < 18 ? 500 : -3 });
    if (k === 100 || k === 101 || k === 102) rows.push({ ts, metric: 'rain', value: 0.2 });
  }
  return rows;
}

const opts = { expectedIntervalMs: TEN_MIN };

describe('daily aggregation', () => {
  it('extremes, means, radiation sum and rain for a complete day', () => {
    const d = aggregateDay('2024-04-15', day(), opts);
    expect(d).toMatchObject({ date: '2024-04-15', tmaxC: 33, tminC: 22, rhmaxPct: 100, rhminPct: 55, complete: true });
    expect(d.rainMm).toBeCloseTo(0.6, 10);
    expect(d.windMeanMs).toBeCloseTo(2, 10);
    // 72 records × 500 W/m² × 600 s / 10⁶ = 21.6 MJ/m²; the −3 W/m² night offsets count as 0
    expect(d.rsMJ).toBeCloseTo(21.6, 10);
    expect(d.coverage).toBe(1);
  });

  it('coverage below 90 % marks the day incomplete', () => {
    const d = aggregateDay('2024-04-15', day((k) => k < 20), opts); // 124 of 144
    expect(d.coverage).toBeCloseTo(124 / 144, 10);
    expect(d.complete).toBe(false);
  });

  it('130 of 144 records (90.3 %) is complete', () => {
    const d = aggregateDay('2024-04-15', day((k) => k < 14), opts);
    expect(d.coverage).toBeCloseTo(130 / 144, 10);
    expect(d.complete).toBe(true);
  });

  it('one sparse metric makes the day incomplete; a day without air temperature has coverage 0', () => {
    const rows = day().filter((r) => !(r.metric === 'air_humidity' && r.ts % (2 * TEN_MIN) === 0));
    const d = aggregateDay('2024-04-15', rows, opts);
    expect(d.coverageByMetric.air_humidity).toBeCloseTo(0.5, 10);
    expect(d.complete).toBe(false);
    const noTemp = aggregateDay('2024-04-15', day().filter((r) => r.metric !== 'air_temperature'), opts);
    expect(noTemp.coverage).toBe(0);
    expect(noTemp.complete).toBe(false);
  });

  it('groups by the local (UTC+7) day and infers the interval', () => {
    const rows = day();
    const late = { ts: Date.parse('2024-04-15T17:30:00Z'), metric: 'air_temperature' as const, value: 25 }; // 00:30 on the 16th
    expect(localDate(late.ts, 420)).toBe('2024-04-16');
    const days = aggregateByDay([...rows, late], opts);
    expect(days.map((d) => d.date)).toEqual(['2024-04-15', '2024-04-16']);
    expect(days[1]?.complete).toBe(false);
    expect(inferIntervalMs(rows.map((r) => r.ts))).toBe(TEN_MIN);
  });
});
