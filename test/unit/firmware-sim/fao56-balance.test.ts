// The soil probe's physics follows the FAO-56 root-zone water balance (Eqs. 84–88) the rules engine
// runs (core/agronomy runWaterBalance), fed the same simulated weather: daily ET0 integrated from the
// hourly Eq. 53 and the day's rain. The probe's depletion Dr = Σ max(0, θFC − θi)·Δzi over its layers.
// Stated tolerance: on every day within 15 % of TAW, on average within 5 % of TAW. The probe differs
// from the daily bucket where physics says it should: water above field capacity drains over 1–3 days
// (FAO-56 assumes the same day), rain below 0.2·ET0 still wets it, and it integrates in 10-min steps.
import { describe, expect, it } from 'vitest';
import { createSoilProbe } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { runWaterBalance, type CropId, type WeatherDay } from '../../../core/agronomy/index.js';
import { DAY, HOUR, STEP, highlands, local } from './helpers.js';

interface Case {
  readonly name: string;
  readonly texture: string;
  readonly crop: CropId;
  readonly start: number;
  readonly days: number;
}

const cases: Case[] = [
  { name: 'coffee on loam, a dry-season month with one storm', texture: 'loam', crop: 'coffee', start: local(2025, 1, 5), days: 40 },
  { name: 'coffee on clay, rainy season', texture: 'clay', crop: 'coffee', start: local(2025, 6, 1), days: 40 },
  { name: 'coffee on sandy loam, end of the rains into the dry season', texture: 'sandy loam', crop: 'coffee', start: local(2025, 10, 10), days: 40 },
  { name: 'maize on loam from sowing (Kc by stage)', texture: 'loam', crop: 'maize', start: local(2025, 4, 20), days: 60 },
];

function compare(c: Case): { tawMm: number; sim: number[]; fao: number[]; etcAdj: number } {
  const weather = createWeather(highlands);
  const probe = createSoilProbe({ weather, seed: 3, soilTexture: c.texture, crop: c.crop, depthsCm: [10, 30, 60], initialWetness: 1, plantingMs: c.start });
  const tawMm = probe.thicknessMm.reduce((s, t) => s + t * (probe.soil.fc - probe.soil.wp), 0); // FAO-56 Eq. 82
  const depletion = (): number => probe.waterContent().reduce((s, th, i) => s + Math.max(0, probe.soil.fc - th) * (probe.thicknessMm[i] ?? 0), 0);
  probe.step(c.start);
  const days: WeatherDay[] = [];
  const sim: number[] = [];
  for (let d = 0; d < c.days; d++) {
    const from = c.start + d * DAY;
    let et0Mm = 0;
    for (let t = from; t < from + DAY; t += STEP) {
      et0Mm += (weather.et0(t + STEP / 2) * STEP) / HOUR;
      probe.step(t + STEP);
    }
    days.push({ date: new Date(from + 7 * HOUR).toISOString().slice(0, 10), et0Mm, rainMm: weather.rainBetween(from, from + DAY) });
    sim.push(depletion());
  }
  const plantingDate = c.crop === 'coffee' ? '2019-01-01' : (days[0]?.date ?? '');
  const balance = runWaterBalance({ crop: c.crop, plantingDate, tawMm, initialDepletionMm: 0 }, days);
  return { tawMm, sim, fao: balance.map((b) => b.drMm), etcAdj: balance.reduce((s, b) => s + b.etcAdjMm, 0) };
}

describe('soil probe vs the FAO-56 water balance', () => {
  for (const c of cases) {
    it(`${c.name}: depletion within 15 % of TAW every day, 5 % on average`, () => {
      const { tawMm, sim, fao, etcAdj } = compare(c);
      const diffs = sim.map((s, i) => Math.abs(s - (fao[i] ?? NaN)));
      expect(Math.max(...diffs)).toBeLessThanOrEqual(0.15 * tawMm);
      expect(diffs.reduce((a, b) => a + b, 0) / diffs.length).toBeLessThanOrEqual(0.05 * tawMm);
      expect(etcAdj).toBeGreaterThan(50); // the crop did use water: the comparison is not of two flat lines
      expect(Math.max(...fao)).toBeGreaterThan(0.1 * tawMm);
    });
  }
});
