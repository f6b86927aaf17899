// A rice field's AWD tube (IRRI alternate wetting and drying, agronomy.md §3): the field water level h in
// cm, + ponded above the soil surface, − below it inside the perforated tube.
// Water balance per substep: dS = rain + irrigation − ETc − percolation (mm), ETc = Kc·ET0 (FAO-56 Eq. 53,
// rice Kc by stage, Eq. 66). Above the surface 1 mm of water is 0.1 cm of level; below it the water
// table moves by mm/(10·Sy), Sy the drainable porosity of the puddled soil (0.25 [judg]), so a field
// falls from +5 to −15 cm in about 1–2 weeks without rain. A simulated farmer notices h ≤ −15 cm
// within a few hours and pumps the field back to +5 cm; commands add water the same way.
import type { Weather } from '../weather.js';
import { localDayIndex } from '../weather.js';
import { clamp, gaussian, hashInts, mulberry32 } from '../random.js';
import { createBattery, createIntegrator, createWaterSchedule, HOUR_MS, put, scheduleCommand, type DeviceModel, type Readings } from './common.js';
import { cropKc, cropOf, soilTexture } from './crops.js';

export interface AwdTubeOptions {
  readonly weather: Weather;
  readonly seed: number;
  readonly crop?: string; // default rice
  readonly soilTexture?: string; // default clay
  /** Re-flood threshold (cm); default −15 (safe AWD). */
  readonly refloodAtCm?: number;
  /** Level the farmer floods back to (cm); default +5. */
  readonly floodToCm?: number;
  /** Whether the simulated farmer re-floods on their own; default true. */
  readonly farmer?: boolean;
}

export interface AwdTube extends DeviceModel {
  /** The true field water level (cm) now, without sensor noise or rounding. */
  level(): number;
}

const SY = 0.25; // drainable porosity of the puddled soil below the surface [judg]
const MIN_CM = -30; // the tube's bottom (catalogue bound)
const MAX_CM = 20; // the bund overflows (catalogue bound)
const PUMP_MM_PER_H = 15; // a low-lift pump on a 1–2 ha field, ≈ 150 m³/h [judg]
const VALVE_MM_PER_MIN = 0.5; // an inlet gate from the canal, 30 mm/h [judg]

const levelOf = (storageMm: number): number => (storageMm >= 0 ? storageMm / 10 : storageMm / (10 * SY));
const storageOf = (levelCm: number): number => (levelCm >= 0 ? levelCm * 10 : levelCm * 10 * SY);

export function createAwdTube(o: AwdTubeOptions): AwdTube {
  const rng = mulberry32(hashInts(o.seed, 1));
  const noise = mulberry32(hashInts(o.seed, 2));
  const soil = soilTexture(o.soilTexture, 'clay');
  const crop = cropOf(o.crop, 'rice');
  const refloodAt = o.refloodAtCm ?? -15;
  const floodTo = o.floodToCm ?? 5;
  const plantingDay = Math.floor(rng() * 3650);
  const water = createWaterSchedule();
  const battery = createBattery({ initial: 60 + 35 * rng(), loadPctPerH: 0.06, panelPctPerHAt1000: 0.6, txCostPct: 0.005 });
  const { weather } = o;
  let storage = storageOf(-10 + 15 * rng()); // mm relative to the soil surface
  let farmerAt: number | undefined; // when the farmer will start the pump

  const step = createIntegrator((from, to) => {
    const hours = (to - from) / HOUR_MS;
    const mid = (from + to) / 2;
    const h = levelOf(storage);
    const kc = cropKc(crop, localDayIndex(mid, weather.config.utcOffsetH) - plantingDay);
    const ks = h < -20 ? 0.8 : 1; // saturated root zone until the water table is well down [judg]
    const etc = kc * ks * weather.et0(mid) * hours;
    // Percolation + seepage through the plough pan (IRRI: 1–5 mm/d on clay), halved once unponded.
    const perc = (soil.paddyPercolationMmPerDay * (h > 0 ? 1 : 0.5) * hours) / 24;
    storage += weather.rainBetween(from, to) + water.take(from, to) - etc - perc;
    storage = clamp(storage, storageOf(MIN_CM), storageOf(MAX_CM));
    farmer(to);
    battery.step(hours, weather.at(mid).solarRadiation);
  });

  function farmer(ms: number): void {
    if (o.farmer === false) return;
    if (farmerAt === undefined && levelOf(storage) <= refloodAt && water.pending(ms) <= 0) {
      farmerAt = ms + (1 + 7 * rng()) * HOUR_MS; // noticed on the next walk through the field
    }
    if (farmerAt !== undefined && ms >= farmerAt) {
      farmerAt = undefined;
      const mm = storageOf(floodTo) - storage;
      if (mm > 0) water.add(mm, ms, (mm / PUMP_MM_PER_H) * HOUR_MS);
    }
  }

  function sample(ms: number): Readings {
    step(ms);
    const out: Readings = {};
    put(out, 'awd_level', levelOf(storage) + 0.2 * gaussian(noise), 1);
    battery.transmit();
    put(out, 'battery', battery.level(), 1);
    return out;
  }

  return {
    kind: 'awd_tube',
    step,
    sample,
    level: () => levelOf(storage),
    command(cmd, ms) {
      step(ms);
      scheduleCommand(water, cmd, ms, PUMP_MM_PER_H * 2, VALVE_MM_PER_MIN);
      return true;
    },
  };
}
