// One deterministic simulated weather for a place: a pure function of (config, time) — each local day's
// weather (Tmin/Tmax, cloud, wind, dew point, its rain event) is drawn from a PRNG seeded by (seed, day),
// so any instant can be evaluated in any order. The only state is a small cache of recent days.
// Sources: FAO-56 (core/agronomy, the functions the rules use) for radiation, vapour pressure, pressure and ET0; the climate numbers are [rec]
// Vietnamese station normals rounded (south: Cần Thơ/HCMC; highlands: Buôn Ma Thuột; north: Hà Nội).
import { atmosphericPressureKPa, saturationVapourPressureKPa } from '../core/agronomy/fao56-meteo.js';
import {
  et0Hourly,
  extraterrestrialIrradianceW,
  solarLongitudes,
  solarTimeAngleRad,
  solarTimeCorrectionHours,
} from '../core/agronomy/fao56-hourly.js';
import { clearSkyRadiationMJ, daylightHours, solarDeclinationRad, sunsetHourAngleRad } from '../core/agronomy/fao56-radiation.js';
import { degreesToRadians } from '../core/agronomy/units.js';
import { clamp, gaussian, hashInts, mulberry32, noiseAt } from './random.js';
import { adjustmentForDay, type WeatherEvent } from './weather-events.js';

export type ClimateRegion = 'south' | 'highlands' | 'central_coast' | 'north';

export interface WeatherConfig {
  readonly lat: number;
  readonly lonE?: number; // default 106 °E
  readonly elevationM?: number; // default 2 m (the Mekong Delta)
  readonly seed?: number; // default: derived from the place, so devices on one farm share the weather
  readonly region?: ClimateRegion; // default: from latitude and elevation
  readonly rainFactor?: number; // multiplies the daily rain probability; 0 = a drought
  readonly utcOffsetH?: number; // default 7 (Asia/Ho_Chi_Minh)
  /** The climate (season, sun) runs this many days ahead of the calendar: a March week simulated in June. */
  readonly seasonShiftDays?: number;
  /** Heat waves, droughts and storms a scenario imposes (weather-events.ts). */
  readonly events?: readonly WeatherEvent[];
}
export type ResolvedWeatherConfig = Required<WeatherConfig>;

export interface RainEvent {
  readonly startMs: number;
  readonly endMs: number;
  readonly mm: number;
}

export interface DayWeather {
  readonly dayIndex: number; // local days since 1970-01-01
  readonly doy: number; // day of year, 1…366
  readonly month: number; // 1…12
  readonly tmin: number;
  readonly tmax: number;
  readonly cloud: number; // 0 clear … 1 overcast
  readonly dewPoint: number; // °C
  readonly windMean: number; // m/s at 2 m
  readonly pressureAnomaly: number; // kPa
  readonly sunriseH: number; // local standard time
  readonly rain: RainEvent | undefined;
}

export interface WeatherNow {
  readonly airTemperature: number; // °C
  readonly airHumidity: number; // %
  readonly windSpeed: number; // m/s at 2 m
  readonly solarRadiation: number; // W/m², global horizontal
  readonly clearSkyRadiation: number; // W/m² (FAO-56 Eq. 37 applied to the instantaneous Ra)
  readonly airPressure: number; // kPa
  readonly rainRate: number; // mm/h
}

export interface Weather {
  readonly config: ResolvedWeatherConfig;
  day(ms: number): DayWeather;
  at(ms: number): WeatherNow;
  /** Rain (mm) that fell in (fromMs, toMs]. */
  rainBetween(fromMs: number, toMs: number): number;
  /** Reference evapotranspiration rate at this instant, mm/h (FAO-56 Eq. 53). */
  et0(ms: number): number;
}

interface Climate {
  readonly tSeaLevel: number; // annual mean air temperature at sea level, °C
  readonly tAmplitude: number; // seasonal half-range, °C
  readonly tPeakDoy: number; // warmest day of year
  readonly rainProb: readonly number[]; // probability of a rain day, Jan…Dec
  readonly dtrDry: number; // diurnal temperature range, dry / wet season, °C
  readonly dtrWet: number;
  readonly windDry: number; // mean wind at 2 m, dry / wet season, m/s
  readonly windWet: number;
  readonly dewDepDry: number; // Tmin − Tdew in the dry season (FAO-56 Eq. 48: ≈ 0 when humid)
}

// [rec] Rounded normals. The south's rainy season is May–Oct, the highlands' May–Oct (wetter Aug), the
// central coast's Sep–Dec, the north's May–Sep.
const climates: Record<ClimateRegion, Climate> = {
  south: { tSeaLevel: 27.5, tAmplitude: 1.5, tPeakDoy: 110, rainProb: [0.03, 0.02, 0.04, 0.15, 0.45, 0.6, 0.6, 0.6, 0.65, 0.6, 0.35, 0.1], dtrDry: 9, dtrWet: 7, windDry: 3, windWet: 2.2, dewDepDry: 3 },
  highlands: { tSeaLevel: 27, tAmplitude: 2, tPeakDoy: 110, rainProb: [0.02, 0.03, 0.08, 0.25, 0.5, 0.6, 0.65, 0.7, 0.65, 0.5, 0.25, 0.08], dtrDry: 12, dtrWet: 8, windDry: 4, windWet: 2.5, dewDepDry: 6 },
  central_coast: { tSeaLevel: 26, tAmplitude: 4, tPeakDoy: 180, rainProb: [0.2, 0.1, 0.08, 0.1, 0.2, 0.2, 0.2, 0.25, 0.45, 0.6, 0.6, 0.4], dtrDry: 7, dtrWet: 6, windDry: 3, windWet: 2.5, dewDepDry: 2 },
  north: { tSeaLevel: 24, tAmplitude: 6.5, tPeakDoy: 196, rainProb: [0.15, 0.2, 0.3, 0.35, 0.45, 0.55, 0.6, 0.65, 0.5, 0.3, 0.15, 0.1], dtrDry: 7, dtrWet: 6, windDry: 2.5, windWet: 2, dewDepDry: 2 },
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PEAK_H = 14; // daily maximum at ≈ 14 h local
const LAPSE = 0.0065; // °C/m, standard atmosphere
const MEAN_RAIN_MM = 14; // mean depth of a rain event [rec], exponentially distributed
const MAX_CACHE = 64;

export function climateRegionOf(lat: number, elevationM: number): ClimateRegion {
  if (elevationM >= 300) return 'highlands';
  if (lat < 11.5) return 'south';
  return lat < 16.5 ? 'central_coast' : 'north';
}

export function resolveWeatherConfig(cfg: WeatherConfig): ResolvedWeatherConfig {
  const lonE = cfg.lonE ?? 106;
  const elevationM = cfg.elevationM ?? 2;
  return {
    lat: cfg.lat,
    lonE,
    elevationM,
    seed: cfg.seed ?? hashInts(Math.round(cfg.lat * 100), Math.round(lonE * 100), Math.round(elevationM)),
    region: cfg.region ?? climateRegionOf(cfg.lat, elevationM),
    rainFactor: cfg.rainFactor ?? 1,
    utcOffsetH: cfg.utcOffsetH ?? 7,
    seasonShiftDays: Math.round(cfg.seasonShiftDays ?? 0),
    events: cfg.events ?? [],
  };
}

/** Local calendar helpers (a fixed UTC offset: Vietnam has no daylight saving). */
export function localDayIndex(ms: number, utcOffsetH: number): number {
  return Math.floor((ms + utcOffsetH * HOUR) / DAY);
}
export function localHour(ms: number, utcOffsetH: number): number {
  const local = ms + utcOffsetH * HOUR;
  return (local - Math.floor(local / DAY) * DAY) / HOUR;
}
export function dayOfYear(ms: number, utcOffsetH = 7): { doy: number; month: number } {
  const d = new Date(localDayIndex(ms, utcOffsetH) * DAY);
  const doy = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / DAY) + 1;
  return { doy, month: d.getUTCMonth() + 1 };
}

export function createWeather(config: WeatherConfig): Weather {
  const cfg = resolveWeatherConfig(config);
  const climate = climates[cfg.region];
  const cache = new Map<number, DayWeather>();
  const tAnnual = climate.tSeaLevel - LAPSE * cfg.elevationM;
  const basePressure = atmosphericPressureKPa(cfg.elevationM); // FAO-56 Eq. 7
  const { lzDegWest, lmDegWest } = solarLongitudes(cfg.lonE, cfg.utcOffsetH); // for Eqs. 31, 32
  const maxProb = Math.max(...climate.rainProb);

  function drawDay(dayIndex: number): DayWeather {
    const { doy, month } = dayOfYear((dayIndex + cfg.seasonShiftDays) * DAY, 0);
    const adj = adjustmentForDay(cfg.events, dayIndex * DAY - cfg.utcOffsetH * HOUR);
    const r = mulberry32(hashInts(cfg.seed, dayIndex));
    const prob = climate.rainProb[month - 1] ?? 0;
    const wet = prob / maxProb; // 0 driest month … 1 wettest
    // Draw every number in a fixed order so each field is stable whatever the others decide.
    const rainRoll = r();
    const amountU = r();
    const convective = r();
    const startU = r();
    const durU = r();
    const cloudU = r();
    const windU = r();
    const pU = r();
    const dewU = r();
    const tAnomaly = 0.8 * gaussian(r);
    const rains = adj.rain !== undefined || (!adj.dry && rainRoll < prob * cfg.rainFactor);
    const calm = adj.dry || adj.deltaC > 0 ? 0.5 : 1; // a drought or a heat wave comes with clear skies
    const cloud = rains ? 0.5 + 0.4 * cloudU : clamp(0.05 + 0.55 * wet * cloudU + 0.15 * cloudU, 0, 0.9) * calm;
    const seasonal = tAnnual + climate.tAmplitude * Math.cos((2 * Math.PI * (doy - climate.tPeakDoy)) / 365);
    const tmean = seasonal + tAnomaly - (rains ? 1 : 0);
    const dtr = (climate.dtrDry + (climate.dtrWet - climate.dtrDry) * wet) * (1 - 0.45 * cloud);
    const tmin = tmean - dtr / 2 + 0.6 * adj.deltaC;
    const dewDep = (1 - wet) * climate.dewDepDry * (0.5 + dewU) + 0.5 * dewU;
    // Sunrise in local standard time: solar sunrise 12 − N/2 (FAO-56 Eq. 34) minus the Eq. 31 correction.
    const dayLengthH = daylightHours(sunsetHourAngleRad(degreesToRadians(cfg.lat), solarDeclinationRad(doy))); // Eqs. 24, 25, 34
    const sunriseH = 12 - dayLengthH / 2 - solarTimeCorrectionHours(lzDegWest, lmDegWest, doy);
    let rain: RainEvent | undefined;
    if (adj.rain) rain = adj.rain;
    else if (rains) {
      const startH = convective < 0.7 ? 13 + 6 * startU : 24 * startU; // afternoon convection mostly
      const startMs = Math.round(dayIndex * DAY - cfg.utcOffsetH * HOUR + startH * HOUR);
      const mm = clamp(-MEAN_RAIN_MM * Math.log(1 - amountU), 0.4, 90);
      rain = { startMs, endMs: startMs + Math.round((0.5 + 2.5 * durU) * HOUR), mm };
    }
    return {
      dayIndex,
      doy,
      month,
      tmin,
      tmax: tmin + dtr + 0.4 * adj.deltaC,
      cloud,
      dewPoint: tmin - 0.6 * adj.deltaC - dewDep, // hot air brings no extra water vapour: drier
      windMean: (climate.windDry + (climate.windWet - climate.windDry) * wet) * (0.6 + 0.8 * windU),
      pressureAnomaly: 0.25 * (2 * pU - 1),
      sunriseH,
      rain,
    };
  }

  function dayByIndex(dayIndex: number): DayWeather {
    let d = cache.get(dayIndex);
    if (!d) {
      if (cache.size >= MAX_CACHE) cache.clear();
      d = drawDay(dayIndex);
      cache.set(dayIndex, d);
    }
    return d;
  }

  // Diurnal course: a half-cosine rise from Tmin at sunrise to Tmax at 14 h, then a half-cosine fall to the
  // next day's Tmin at its sunrise (the classic two-segment model, e.g. Cesaraccio et al. 2001, simplified).
  function diurnalTemperature(dayIndex: number, h: number): number {
    const d = dayByIndex(dayIndex);
    const halfCos = (x: number): number => (1 - Math.cos(Math.PI * clamp(x, 0, 1))) / 2;
    if (h >= d.sunriseH && h < PEAK_H) return d.tmin + (d.tmax - d.tmin) * halfCos((h - d.sunriseH) / (PEAK_H - d.sunriseH));
    if (h >= PEAK_H) {
      const next = dayByIndex(dayIndex + 1);
      return d.tmax - (d.tmax - next.tmin) * halfCos((h - PEAK_H) / (24 - PEAK_H + next.sunriseH));
    }
    const prev = dayByIndex(dayIndex - 1);
    return prev.tmax - (prev.tmax - d.tmin) * halfCos((h + 24 - PEAK_H) / (24 - PEAK_H + d.sunriseH));
  }

  function rainRate(ms: number, dayIndex: number): { rate: number; cooling: number } {
    let rate = 0;
    let cooling = 0;
    for (const d of [dayByIndex(dayIndex - 1), dayByIndex(dayIndex)]) {
      const ev = d.rain;
      if (!ev) continue;
      if (ms > ev.startMs && ms <= ev.endMs) rate += (ev.mm * HOUR) / (ev.endMs - ev.startMs);
      // Rain cools the air by up to 2 °C, ramping in over 30 min and recovering over an hour after it.
      const ramp = clamp((ms - ev.startMs) / (HOUR / 2), 0, 1) * clamp((ev.endMs + HOUR - ms) / HOUR, 0, 1);
      cooling = Math.max(cooling, 2 * ramp);
    }
    return { rate, cooling };
  }

  function at(ms: number): WeatherNow {
    const dayIndex = localDayIndex(ms, cfg.utcOffsetH);
    const h = localHour(ms, cfg.utcOffsetH);
    const d = dayByIndex(dayIndex);
    const next = dayByIndex(dayIndex + 1);
    const slotNoise = noiseAt(cfg.seed, Math.floor(ms / 600_000)); // varies every 10 min
    const { rate, cooling } = rainRate(ms, dayIndex);
    const t = diurnalTemperature(dayIndex, h) - cooling;
    // Humidity follows from a dew point that drifts slowly from day to day: RH = e°(Tdew)/e°(T) (FAO-56
    // Eqs. 11, 14), so it is lowest at the afternoon maximum and near saturation at dawn.
    const dew = d.dewPoint + ((next.dewPoint - d.dewPoint) * h) / 24;
    let rh = (100 * saturationVapourPressureKPa(Math.min(dew, t))) / saturationVapourPressureKPa(t);
    if (rate > 0) rh = Math.max(rh, 96 + 4 * slotNoise);
    // Wind: calm at night, strongest in the early afternoon, gusty within each 10 minutes.
    const diurnalWind = 0.45 + 0.9 * Math.max(0, Math.sin((Math.PI * (h - 8)) / 12));
    const wind = d.windMean * diurnalWind * (0.8 + 0.4 * slotNoise) * (rate > 0 ? 1.3 : 1);
    // Radiation: instantaneous Ra (FAO-56 Eq. 28 integrand) → clear sky (Eq. 37) → cloud and rain.
    const omega = solarTimeAngleRad(h, lzDegWest, lmDegWest, d.doy);
    const clearSky = clearSkyRadiationMJ(extraterrestrialIrradianceW(cfg.lat, d.doy, omega), cfg.elevationM); // Eq. 37 is linear: W/m² in, W/m² out
    const cloudCut = clamp(1 - 0.7 * d.cloud * (0.6 + 0.8 * slotNoise), 0.15, 1);
    const solar = clearSky * cloudCut * (rate > 0 ? 0.25 : 1);
    // Pressure: FAO-56 Eq. 7 + a winter high + the semi-diurnal atmospheric tide (±0.12 kPa, peaks 10/22 h).
    const anomaly = d.pressureAnomaly + ((next.pressureAnomaly - d.pressureAnomaly) * h) / 24;
    const seasonalP = 0.3 * Math.cos((2 * Math.PI * (d.doy - 15)) / 365);
    const pressure = basePressure + seasonalP + anomaly + 0.12 * Math.cos((4 * Math.PI * (h - 10)) / 24);
    return { airTemperature: t, airHumidity: clamp(rh, 0, 100), windSpeed: wind, solarRadiation: solar, clearSkyRadiation: clearSky, airPressure: pressure, rainRate: rate };
  }

  function rainBetween(fromMs: number, toMs: number): number {
    if (toMs <= fromMs) return 0;
    let mm = 0;
    const last = localDayIndex(toMs, cfg.utcOffsetH);
    for (let i = localDayIndex(fromMs, cfg.utcOffsetH) - 1; i <= last; i++) {
      const ev = dayByIndex(i).rain;
      if (!ev) continue;
      const overlap = Math.min(toMs, ev.endMs) - Math.max(fromMs, ev.startMs);
      if (overlap > 0) mm += (ev.mm * overlap) / (ev.endMs - ev.startMs);
    }
    return mm;
  }

  function et0(ms: number): number {
    const w = at(ms);
    const d = dayByIndex(localDayIndex(ms, cfg.utcOffsetH));
    // FAO-56 Eq. 53 for the hour centred on this instant, by the rules' own function; at night the cloud-derived
    // Rs/Rso stands in for "2–3 h before sunset". The simulated crop never condenses dew: ET0 ≥ 0.
    const r = et0Hourly({
      latitudeDeg: cfg.lat, elevationM: cfg.elevationM, dayOfYear: d.doy, midpointHour: localHour(ms, cfg.utcOffsetH), lzDegWest, lmDegWest,
      tC: w.airTemperature, rhPct: w.airHumidity, u2Ms: w.windSpeed, rsMJ: w.solarRadiation * 0.0036, nightRsOverRso: 1 - 0.6 * d.cloud,
    });
    return Math.max(0, r.et0Mm);
  }

  return { config: cfg, day: (ms) => dayByIndex(localDayIndex(ms, cfg.utcOffsetH)), at, rainBetween, et0 };
}
