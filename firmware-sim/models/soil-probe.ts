// A multi-depth soil probe (moisture + temperature at each depth, bulk EC near the surface, battery).
// Physics: a layered bucket model after the FAO-56 soil water balance (Ch. 8, Eqs. 82–88): rain and
// irrigation fill the top layer to saturation and spill down; water above field capacity drains to the
// next layer at a texture-dependent rate and leaves the bottom as deep percolation; the crop takes
// ETc = Kc·ET0 (FAO-56 Eqs. 53, 66) from each layer by root share, reduced by Ks (Eq. 84) as the layer
// dries, so the water content stays between the wilting point and saturation.
import type { Weather } from '../weather.js';
import { localDayIndex, localHour } from '../weather.js';
import { clamp, gaussian, hashInts, mulberry32 } from '../random.js';
import {
  createBattery,
  createIntegrator,
  createWaterSchedule,
  DAY_MS,
  isControlCommand,
  type FieldWaterSource,
  HOUR_MS,
  put,
  scheduleCommand,
  type DeviceModel,
  type PowerOptions,
  type Readings,
} from './common.js';
import { cropKc, cropOf, soilTexture, type SoilTexture } from './crops.js';

export interface SoilProbeOptions {
  readonly weather: Weather;
  readonly seed: number;
  readonly depthsCm?: readonly number[]; // default [20, 50]
  readonly soilTexture?: string; // default loam
  readonly crop?: string; // default coffee
  /** When the crop was planted (epoch ms); default drawn from the seed. Sets its Kc stage (FAO-56 Eq. 66). */
  readonly plantingMs?: number | undefined;
  /** Initial water in every layer as a share of the available water, (θ − θWP)/(θFC − θWP); default drawn. */
  readonly initialWetness?: number | undefined;
  readonly power?: PowerOptions | undefined;
  /** The water the field's pump or valve controllers apply (firmware-sim/field-water.ts); default none. */
  readonly fieldWater?: FieldWaterSource | undefined;
}

export interface SoilProbe extends DeviceModel {
  /** Volumetric water content (m³/m³) of each layer, shallow first. */
  waterContent(): number[];
  readonly depthsCm: readonly number[];
  /** Thickness of each layer, mm (the layer around a sensor reaches halfway to its neighbours). */
  readonly thicknessMm: readonly number[];
  readonly soil: SoilTexture;
}

const ROOT_DECAY_CM = 25; // root density falls off with depth, e-folding 25 cm [judg]
const DAMPING_DEPTH_M = 0.12; // diurnal damping depth √(2D/ω), D ≈ 5·10⁻⁷ m²/s (Hillel 1998) [rec]
const IRRIGATE_MM_PER_H = 20; // sprinkler or hose [judg]
const VALVE_MM_PER_MIN = 0.25; // drip line opened by a valve, 15 mm/h [judg]

export function createSoilProbe(o: SoilProbeOptions): SoilProbe {
  const depths = [...new Set((o.depthsCm ?? [20, 50]).map((d) => Math.round(clamp(d, 1, 300))))].sort((a, b) => a - b);
  const soil = soilTexture(o.soilTexture);
  const crop = cropOf(o.crop, 'coffee');
  const rng = mulberry32(hashInts(o.seed, 1));
  const drawnPlanting = Math.floor(rng() * 3650); // where in its season the crop is [judg]
  const plantingDay = o.plantingMs === undefined ? drawnPlanting : localDayIndex(o.plantingMs, o.weather.config.utcOffsetH);
  // Layer i spans the midpoints between neighbouring sensor depths (the last one as deep again below it).
  const bounds = depths.map((d, i) => (i + 1 < depths.length ? (d + (depths[i + 1] ?? d)) / 2 : 0));
  const tops = depths.map((_, i) => (i === 0 ? 0 : (bounds[i - 1] ?? 0)));
  const bottoms = depths.map((d, i) => (i + 1 < depths.length ? (bounds[i] ?? d) : d + (d - (tops[i] ?? 0))));
  const thicknessMm = depths.map((_, i) => ((bottoms[i] ?? 0) - (tops[i] ?? 0)) * 10);
  const rootWeights = normalise(depths.map((_, i) => Math.exp(-((tops[i] ?? 0) + (bottoms[i] ?? 0)) / 2 / ROOT_DECAY_CM)));
  const theta = depths.map(() => {
    const drawn = 0.55 + 0.3 * rng(); // drawn even when given, so a seed keeps its other draws
    return Math.min(soil.sat, soil.wp + Math.max(0, o.initialWetness ?? drawn) * (soil.fc - soil.wp));
  });
  const ecPore = 0.6 + 0.8 * rng(); // pore-water EC at field capacity, dS/m [judg]
  const water = createWaterSchedule();
  const battery = createBattery({ initial: 60 + 35 * rng(), power: o.power, loadPctPerH: 0.08, panelPctPerHAt1000: 0.8, txCostPct: 0.005 });
  const noise = mulberry32(hashInts(o.seed, 2));
  const { weather } = o;
  const utc = weather.config.utcOffsetH;

  function infiltrate(mm: number): void {
    let left = mm;
    for (let i = 0; i < theta.length && left > 0; i++) {
      const room = (soil.sat - (theta[i] ?? 0)) * (thicknessMm[i] ?? 1);
      const taken = Math.min(room, left);
      theta[i] = (theta[i] ?? 0) + taken / (thicknessMm[i] ?? 1);
      left -= taken;
    } // what is left ran off (or, on a full profile, went straight through)
  }

  function drain(hours: number): void {
    const share = 1 - Math.exp((-soil.drainPerDay * hours) / 24);
    for (let i = 0; i < theta.length; i++) {
      const excess = Math.max(0, (theta[i] ?? 0) - soil.fc) * (thicknessMm[i] ?? 1) * share;
      theta[i] = (theta[i] ?? 0) - excess / (thicknessMm[i] ?? 1);
      if (i + 1 < theta.length) infiltrateInto(i + 1, excess); // the bottom layer's excess is deep percolation
    }
  }

  function infiltrateInto(i: number, mm: number): void {
    const room = (soil.sat - (theta[i] ?? 0)) * (thicknessMm[i] ?? 1);
    theta[i] = (theta[i] ?? 0) + Math.min(room, mm) / (thicknessMm[i] ?? 1);
  }

  /**
   * Root water uptake. The total follows FAO-56 over the whole profile: ETc,adj = Ks·ETc (Eq. 80) with
   * Ks from the profile's depletion (Eq. 84, 1 while Dr ≤ RAW = p·TAW). It is shared among the layers by
   * root density × the layer's relative available water — compensatory uptake (Jarvis 1989): roots take
   * more from wetter layers as the shallow ones dry, so the top sensor still dries first.
   */
  function extract(etcMm: number): void {
    let taw = 0;
    let dr = 0;
    const shares = theta.map((th, i) => {
      const thick = thicknessMm[i] ?? 1;
      taw += (soil.fc - soil.wp) * thick;
      dr += Math.max(0, soil.fc - th) * thick;
      return (rootWeights[i] ?? 0) * clamp((th - soil.wp) / (soil.fc - soil.wp), 0, 1);
    });
    const ks = dr <= crop.p * taw ? 1 : clamp((taw - dr) / ((1 - crop.p) * taw), 0, 1);
    const total = shares.reduce((a, b) => a + b, 0);
    if (total <= 0) return;
    for (let i = 0; i < theta.length; i++) {
      const th = theta[i] ?? 0;
      const mm = (ks * etcMm * (shares[i] ?? 0)) / total;
      theta[i] = Math.max(soil.wp, th - mm / (thicknessMm[i] ?? 1));
    }
  }

  const step = createIntegrator((from, to) => {
    const hours = (to - from) / HOUR_MS;
    const mid = (from + to) / 2;
    infiltrate(weather.rainBetween(from, to) + water.take(from, to) + (o.fieldWater?.between(from, to) ?? 0));
    drain(hours);
    const kc = cropKc(crop, localDayIndex(mid, utc) - plantingDay);
    extract(kc * weather.et0(mid) * hours);
    battery.step(hours, weather.at(mid).solarRadiation);
  });

  // Soil temperature: the diurnal wave damped and delayed with depth, T(z,t) = T̄ + A0·e^(−z/d)·cos(ωt − z/d)
  // (heat conduction in a uniform soil, Hillel 1998); wetter soil swings less. T̄ = daily mean air + 1.5 °C.
  function soilTemperature(ms: number, depthCm: number): number {
    const today = weather.day(ms);
    const tomorrow = weather.day(ms + DAY_MS);
    const h = localHour(ms, utc);
    const mean = ((today.tmin + today.tmax) / 2) * (1 - h / 24) + ((tomorrow.tmin + tomorrow.tmax) / 2) * (h / 24) + 1.5;
    const wet = clamp(((theta[0] ?? soil.fc) - soil.wp) / (soil.sat - soil.wp), 0, 1);
    const amplitude = ((today.tmax - today.tmin) / 2) * (1.3 - 0.6 * wet);
    const zd = depthCm / 100 / DAMPING_DEPTH_M;
    return mean + amplitude * Math.exp(-zd) * Math.cos((2 * Math.PI * (h - 13)) / 24 - zd);
  }

  function sample(ms: number): Readings {
    step(ms);
    const out: Readings = {};
    depths.forEach((d, i) => {
      put(out, `soil_moisture@${d}cm`, 100 * (theta[i] ?? 0) + 0.3 * gaussian(noise), 1);
      put(out, `soil_temperature@${d}cm`, soilTemperature(ms, d) + 0.1 * gaussian(noise), 1);
    });
    // Bulk EC of the top layer (Rhoades et al. 1976): ECa = ECw·θ·(aθ + b) + ECs, with pore water that
    // concentrates as the soil dries (ECw ∝ θFC/θ); a = 1.5, b = −0.15, ECs grows with clay [rec].
    const th = theta[0] ?? soil.fc;
    const ecw = (ecPore * soil.fc) / th;
    put(out, 'soil_ec', ecw * th * Math.max(0, 1.5 * th - 0.15) + 0.5 * soil.wp + 0.01 * gaussian(noise), 2);
    battery.transmit();
    put(out, 'battery', battery.level(), 1);
    return out;
  }

  return {
    kind: 'soil_probe',
    depthsCm: depths,
    thicknessMm,
    soil,
    powered: () => battery.powered(),
    step,
    sample,
    command(cmd, ms) {
      if (isControlCommand(cmd)) return false; // a pump or valve controller's command
      step(ms);
      scheduleCommand(water, cmd, ms, IRRIGATE_MM_PER_H, VALVE_MM_PER_MIN);
      return true;
    },
    waterContent: () => [...theta],
  };
}

function normalise(xs: number[]): number[] {
  const sum = xs.reduce((a, b) => a + b, 0);
  return xs.map((x) => x / sum);
}
