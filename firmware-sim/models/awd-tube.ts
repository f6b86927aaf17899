// A rice field's AWD tube (IRRI alternate wetting and drying, docs/agronomy.md §3): the field water level h in
// cm, + ponded above the soil surface, − below it inside the perforated tube.
// Water balance per substep: dS = rain + irrigation − ETc − percolation (mm), ETc = Kc·ET0 (FAO-56 Eq. 53,
// rice Kc by stage, Eq. 66). Above the surface 1 mm of water is 0.1 cm of level; below it the water
// table moves by mm/(10·Sy), Sy the drainable porosity of the puddled soil (0.25 [judg]), so a field
// falls from +5 to −15 cm in about 1–2 weeks without rain. A simulated farmer follows safe AWD
// (docs/agronomy.md §3): keeps the field ponded for 10 days after transplanting and from a week before to a
// week after flowering (topping up to +5 cm when it falls below +3 cm), otherwise lets it dry and pumps
// it back to +5 cm once h ≤ −15 cm, and drains it 10 days before harvest; he acts within a few hours of
// the tube telling him to. Commands add water the same way.
import type { Weather } from '../weather.js';
import { localDayIndex } from '../weather.js';
import { clamp, gaussian, hashInts, mulberry32 } from '../random.js';
import {
  createBattery, createIntegrator, createWaterSchedule, HOUR_MS, isControlCommand, put, scheduleCommand,
  type DeviceModel, type FieldWaterSource, type PowerOptions, type Readings,
} from './common.js';
import { cropKc, cropOf, soilTexture, type Crop } from './crops.js';

export interface AwdTubeOptions {
  readonly weather: Weather;
  readonly seed: number;
  readonly crop?: string; // default rice
  readonly soilTexture?: string; // default clay
  /** Re-flood threshold (cm); default −15 (safe AWD). */
  readonly refloodAtCm?: number;
  /** Level the farmer floods back to (cm); default +5. */
  readonly floodToCm?: number;
  /** Whether the simulated farmer manages the water on their own; default true. */
  readonly farmer?: boolean | undefined;
  /** Transplanting date (epoch ms); default drawn from the seed. */
  readonly plantingMs?: number | undefined;
  readonly power?: PowerOptions | undefined;
  /** The water the field's pump or valve controllers apply (firmware-sim/field-water.ts); default none. */
  readonly fieldWater?: FieldWaterSource | undefined;
}

/** The farmer's water management phase (docs/agronomy.md §3; the same phases as core/agronomy/awd.ts). */
export type AwdFarmPhase = 'establishment' | 'flowering_hold' | 'pre_harvest_drain' | 'awd';

export interface AwdTube extends DeviceModel {
  /** The true field water level (cm) now, without sensor noise or rounding. */
  level(): number;
  /** The management phase of the crop on the local day of ms. */
  phase(ms: number): AwdFarmPhase;
  /** Days from transplanting to flowering of this crop's season. */
  readonly floweringDay: number;
}

const SY = 0.25; // drainable porosity of the puddled soil below the surface [judg]
const MIN_CM = -30; // the tube's bottom (catalogue bound)
const MAX_CM = 20; // the bund overflows (catalogue bound)
const PUMP_MM_PER_H = 15; // a low-lift pump on a 1–2 ha field, ≈ 150 m³/h [judg]
const VALVE_MM_PER_MIN = 0.5; // an inlet gate from the canal, 30 mm/h [judg]
const DRAIN_MM_PER_H = 10; // an opened outlet drains the standing water in about a day [judg]
const ESTABLISHMENT_DAYS = 10; // keep ponded after transplanting (docs/agronomy.md §3)
const FLOWERING_HOLD_DAYS = 7; // no AWD from a week before to a week after flowering (§3)
const DRAIN_DAYS_BEFORE_HARVEST = 10; // [judg], as core/agronomy DEFAULT_AWD_CONFIG
const RIPENING_DAYS = 30; // flowering to maturity in the tropics (IRRI) [rec]
const HOLD_CM = 5;
const HOLD_TOLERANCE_CM = 2;

const seasonLength = (c: Crop): number => (c.stages ? c.stages.reduce((a, b) => a + b, 0) : 365);

/** The AWD phase on day `dap` of a season of `length` days with flowering on `flowering`. */
export function awdFarmPhase(dap: number, length: number, flowering: number): AwdFarmPhase {
  if (dap >= length - DRAIN_DAYS_BEFORE_HARVEST) return 'pre_harvest_drain';
  if (Math.abs(dap - flowering) <= FLOWERING_HOLD_DAYS) return 'flowering_hold';
  return dap < ESTABLISHMENT_DAYS ? 'establishment' : 'awd';
}

const levelOf = (storageMm: number): number => (storageMm >= 0 ? storageMm / 10 : storageMm / (10 * SY));
const storageOf = (levelCm: number): number => (levelCm >= 0 ? levelCm * 10 : levelCm * 10 * SY);

export function createAwdTube(o: AwdTubeOptions): AwdTube {
  const rng = mulberry32(hashInts(o.seed, 1));
  const noise = mulberry32(hashInts(o.seed, 2));
  const soil = soilTexture(o.soilTexture, 'clay');
  const crop = cropOf(o.crop, 'rice');
  const refloodAt = o.refloodAtCm ?? -15;
  const floodTo = o.floodToCm ?? 5;
  const drawnPlanting = Math.floor(rng() * 3650);
  const plantingDay = o.plantingMs === undefined ? drawnPlanting : localDayIndex(o.plantingMs, o.weather.config.utcOffsetH);
  const season = seasonLength(crop);
  const floweringDay = season - RIPENING_DAYS;
  const water = createWaterSchedule();
  const battery = createBattery({ initial: 60 + 35 * rng(), power: o.power, loadPctPerH: 0.06, panelPctPerHAt1000: 0.6, txCostPct: 0.005 });
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
    const drained = draining(to) ? Math.min(Math.max(0, storage), DRAIN_MM_PER_H * hours) : 0;
    storage += weather.rainBetween(from, to) + water.take(from, to) + (o.fieldWater?.between(from, to) ?? 0) - etc - perc - drained;
    storage = clamp(storage, storageOf(MIN_CM), storageOf(MAX_CM));
    farmer(to);
    battery.step(hours, weather.at(mid).solarRadiation);
  });

  function phase(ms: number): AwdFarmPhase {
    const dap = (((localDayIndex(ms, weather.config.utcOffsetH) - plantingDay) % season) + season) % season; // seasons repeat
    return awdFarmPhase(dap, season, floweringDay);
  }

  const draining = (ms: number): boolean => o.farmer !== false && phase(ms) === 'pre_harvest_drain';

  /** The level the farmer pumps to when the field needs water now, or undefined. */
  function wants(ms: number): number | undefined {
    const h = levelOf(storage);
    switch (phase(ms)) {
      case 'awd':
        return h <= refloodAt ? floodTo : undefined;
      case 'establishment':
      case 'flowering_hold':
        return h < HOLD_CM - HOLD_TOLERANCE_CM ? HOLD_CM : undefined;
      case 'pre_harvest_drain':
        return undefined;
    }
  }

  function farmer(ms: number): void {
    if (o.farmer === false) return;
    if (farmerAt === undefined && wants(ms) !== undefined && water.pending(ms) <= 0 && o.fieldWater?.running(ms) !== true) { // not while the field's pump or intake runs
      farmerAt = ms + (1 + 7 * rng()) * HOUR_MS; // noticed on the next walk through the field
    }
    if (farmerAt !== undefined && ms >= farmerAt) {
      farmerAt = undefined;
      const target = wants(ms);
      const mm = target === undefined ? 0 : storageOf(target) - storage;
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
    phase,
    floweringDay,
    powered: () => battery.powered(),
    level: () => levelOf(storage),
    command(cmd, ms) {
      if (isControlCommand(cmd)) return false; // a pump or valve controller's command
      step(ms);
      scheduleCommand(water, cmd, ms, PUMP_MM_PER_H * 2, VALVE_MM_PER_MIN);
      return true;
    },
  };
}
