// A tidal canal sensor in the Mekong Delta: water level, salinity (EC at 25 °C), temperature and pH.
// Level: harmonic tide from the principal constituents M2 (12.4206 h), S2 (12.00 h) and a small K1
// (23.9345 h) — a semi-diurnal tide with spring–neap modulation — on a mean level that rises in the flood
// season (Sep–Nov) and a little after local rain. Salinity: a dry-season intrusion peaking in March
// (Feb–Apr, docs/agronomy.md §4) that rises with the flood tide (lagging high water by ≈ 1 h) and is flushed
// to fresh water by the rainy-season discharge. Amplitudes and phases are [judg] for a delta canal.
import type { Weather } from '../weather.js';
import { localHour } from '../weather.js';
import { gaussian, hashInts, mulberry32 } from '../random.js';
import { createBattery, createIntegrator, DAY_MS, HOUR_MS, put, type DeviceModel, type PowerOptions, type Readings } from './common.js';

export interface CanalSensorOptions {
  readonly weather: Weather;
  readonly seed: number;
  /** Peak dry-season EC at spring flood tide, dS/m; default 8 in the delta (lat < 11.5°N), else 1.5. */
  readonly peakEcDsm?: number | undefined;
  readonly power?: PowerOptions | undefined;
}

export interface CanalSensor extends DeviceModel {
  /** Tide height (cm) around the mean level at ms. */
  tide(ms: number): number;
}

/** Tidal constituents: period (h) and amplitude (cm) [judg]. */
export const TIDE_CONSTITUENTS = [
  { name: 'M2', periodH: 12.4206, amplitudeCm: 70 },
  { name: 'S2', periodH: 12.0, amplitudeCm: 22 },
  { name: 'K1', periodH: 23.9345, amplitudeCm: 12 },
] as const;
const TIDE_RANGE = TIDE_CONSTITUENTS.reduce((s, c) => s + c.amplitudeCm, 0);
const MEAN_LEVEL_CM = 120; // the sensor's zero is below the lowest low water
const season = (doy: number, peak: number, width: number): number => {
  const d = Math.abs(doy - peak);
  return Math.exp(-((Math.min(d, 365 - d) / width) ** 2));
};

/** The canal's water at the sensor's place: its tide and its salinity (EC at 25 °C). */
export interface CanalWater {
  /** Tide height (cm) around the mean level at ms. */
  readonly tide: (ms: number) => number;
  /** EC (dS/m) of the canal water at ms, on the weather's day of the year `doy`. */
  readonly ec: (ms: number, doy?: number) => number;
  /** This canal's peak dry-season EC at spring flood tide, dS/m. */
  readonly peakEcDsm: number;
}

/** The tide and salinity physics; draws its phases and peak from `rng` (4 draws). Shared with valve controllers. */
export function createCanalWater(o: { readonly weather: Weather; readonly peakEcDsm?: number | undefined }, rng: () => number): CanalWater {
  const phases = TIDE_CONSTITUENTS.map(() => 2 * Math.PI * rng());
  const { weather } = o;
  const delta = weather.config.lat < 11.5 && weather.config.elevationM < 20;
  const peakEc = (o.peakEcDsm ?? (delta ? 8 : 1.5)) * (0.8 + 0.4 * rng());

  function tide(ms: number): number {
    const hours = ms / HOUR_MS; // harmonic time from the epoch keeps the tide a pure function of time
    return TIDE_CONSTITUENTS.reduce((sum, c, i) => sum + c.amplitudeCm * Math.cos((2 * Math.PI * hours) / c.periodH + (phases[i] ?? 0)), 0);
  }

  function ec(ms: number, doy = weather.day(ms).doy): number {
    const flood = (tide(ms - HOUR_MS) / TIDE_RANGE + 1) / 2; // 0 low … 1 high water, an hour earlier
    const intrusion = season(doy, 75, 38); // peaks mid-March
    const freshet = season(doy, 280, 50); // rainy-season discharge keeps the canal fresh
    return 0.2 + peakEc * intrusion * (0.35 + 0.65 * flood) * (1 - 0.5 * freshet);
  }
  return { tide, ec, peakEcDsm: peakEc };
}

export function createCanalSensor(o: CanalSensorOptions): CanalSensor {
  const rng = mulberry32(hashInts(o.seed, 1));
  const noise = mulberry32(hashInts(o.seed, 2));
  const { weather } = o;
  const delta = weather.config.lat < 11.5 && weather.config.elevationM < 20;
  const canal = createCanalWater(o, rng);
  const { tide } = canal;
  const peakEc = canal.peakEcDsm;
  const battery = createBattery({ initial: 60 + 35 * rng(), power: o.power, loadPctPerH: 0.2, panelPctPerHAt1000: 2, txCostPct: 0.01 });

  const step = createIntegrator((from, to) => battery.step((to - from) / HOUR_MS, weather.at((from + to) / 2).solarRadiation));

  function sample(ms: number): Readings {
    step(ms);
    const { doy } = weather.day(ms); // the weather's season (a scenario may shift it)
    const out: Readings = {};
    const flood = 80 * season(doy, 285, 40); // Mekong flood crest around October [rec]
    const runoff = 0.4 * weather.rainBetween(ms - DAY_MS, ms); // cm per mm of the last day's rain [judg]
    put(out, 'water_level', MEAN_LEVEL_CM + flood + runoff + tide(ms) + 0.5 * gaussian(noise), 1);
    const ec = canal.ec(ms, doy);
    put(out, 'water_ec', ec * (1 + 0.02 * gaussian(noise)), 2);
    // Water temperature: the daily mean air temperature + 1 °C, swinging ±1 °C with a 15 h maximum.
    const today = weather.day(ms);
    const h = localHour(ms, weather.config.utcOffsetH);
    put(out, 'water_temperature', (today.tmin + today.tmax) / 2 + 1 + Math.cos((2 * Math.PI * (h - 15)) / 24) + 0.1 * gaussian(noise), 1);
    // pH: seawater pushes it up; in the delta the first rains flush acid-sulfate soils (May–June) and pull it
    // down towards 5 (docs/agronomy.md §4); photosynthesis lifts it a little in the afternoon.
    const acid = delta ? 1.8 * season(doy, 150, 20) : 0;
    const ph = 7 + (0.8 * (ec - 0.2)) / peakEc - acid + 0.15 * Math.cos((2 * Math.PI * (h - 15)) / 24);
    put(out, 'water_ph', ph + 0.03 * gaussian(noise), 2);
    battery.transmit();
    put(out, 'battery', battery.level(), 1);
    return out;
  }

  return { kind: 'canal_sensor', step, sample, tide, command: () => false, powered: () => battery.powered() };
}
