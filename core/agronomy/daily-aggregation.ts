// Daily aggregation of weather-station readings for ET0 (docs/agronomy.md §6 "reporting intervals"):
// Tmax/Tmin and RHmax/RHmin as extremes, u2 as the 24-h mean, Rs = Σ(W/m²·Δt)/10⁶ MJ/m², rain as a sum.
// A day needs ≥ 90 % of its expected records in every ET0 metric it has, else it is `complete: false`.

export const STATION_METRICS = ['air_temperature', 'air_humidity', 'wind_speed', 'solar_radiation', 'rain'] as const;
export type StationMetric = (typeof STATION_METRICS)[number];
/** Metrics whose coverage decides whether a day is complete (rain gauges often report only on a tip). */
const ET0_METRICS: readonly StationMetric[] = ['air_temperature', 'air_humidity', 'wind_speed', 'solar_radiation'];

export interface StationReading {
  /** Epoch ms. */
  readonly ts: number;
  readonly metric: StationMetric;
  readonly value: number;
}

export interface AggregationOptions {
  /** The station's reporting interval, ms (10, 15 or 60 min usually). */
  readonly expectedIntervalMs: number;
  /** Local day boundaries: minutes east of UTC (Vietnam, the default: +420). */
  readonly utcOffsetMinutes?: number | undefined;
  /** Whether a timestamp labels the start (default) or the end of its interval. */
  readonly timestampLabels?: 'start' | 'end' | undefined;
  /** Minimum fraction of expected records (default 0.9). */
  readonly minCoverage?: number | undefined;
}

export interface DailyWeather {
  /** Local date, YYYY-MM-DD. */
  readonly date: string;
  readonly tmaxC?: number;
  readonly tminC?: number;
  readonly tmeanC?: number;
  readonly rhmaxPct?: number;
  readonly rhminPct?: number;
  readonly rhmeanPct?: number;
  readonly windMeanMs?: number;
  readonly rsMJ?: number;
  readonly rainMm?: number;
  /** The lowest coverage among the ET0 metrics present (0 when there is no air temperature). */
  readonly coverage: number;
  readonly coverageByMetric: Partial<Record<StationMetric, number>>;
  readonly samplesByMetric: Partial<Record<StationMetric, number>>;
  readonly complete: boolean;
}

export const DEFAULT_MIN_COVERAGE = 0.9;
const DAY_MS = 86_400_000;

/** The most frequent gap between consecutive distinct timestamps (ties → the smaller), ms. */
export function inferIntervalMs(timestamps: readonly number[]): number | undefined {
  const ts = [...new Set(timestamps)].sort((a, b) => a - b);
  const counts = new Map<number, number>();
  for (let k = 1; k < ts.length; k++) {
    const gap = (ts[k] ?? 0) - (ts[k - 1] ?? 0);
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best: [number, number] | undefined;
  for (const [gap, n] of counts) {
    if (!best || n > best[1] || (n === best[1] && gap < best[0])) best = [gap, n];
  }
  return best?.[0];
}

/** Local calendar date of a timestamp for a UTC offset in minutes. */
export function localDate(ts: number, utcOffsetMinutes: number): string {
  return new Date(ts + utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
}

const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;

function coverageOf(readings: readonly StationReading[], dayStartMs: number, o: AggregationOptions): number {
  const slots = new Set(readings.map((r) => Math.floor((r.ts - dayStartMs) / o.expectedIntervalMs)));
  return Math.min(1, slots.size / Math.round(DAY_MS / o.expectedIntervalMs));
}

/** Aggregates one local day's readings; `date` is the local date they belong to. */
export function aggregateDay(date: string, readings: readonly StationReading[], o: AggregationOptions): DailyWeather {
  if (!(o.expectedIntervalMs > 0)) throw new RangeError('expectedIntervalMs must be positive');
  const offsetMs = (o.utcOffsetMinutes ?? 420) * 60_000;
  const shift = o.timestampLabels === 'end' ? -o.expectedIntervalMs : 0;
  const dayStartMs = Date.parse(`${date}T00:00:00Z`) - offsetMs;
  const by = (m: StationMetric) => readings.filter((r) => r.metric === m && Number.isFinite(r.value));
  const values = (m: StationMetric) => by(m).map((r) => r.value);
  const coverageByMetric: Partial<Record<StationMetric, number>> = {};
  const samplesByMetric: Partial<Record<StationMetric, number>> = {};
  for (const m of STATION_METRICS) {
    const rs = by(m).map((r) => ({ ...r, ts: r.ts + shift }));
    if (rs.length === 0) continue;
    samplesByMetric[m] = rs.length;
    coverageByMetric[m] = coverageOf(rs, dayStartMs, o);
  }
  const present = ET0_METRICS.filter((m) => coverageByMetric[m] !== undefined);
  const coverage = coverageByMetric.air_temperature === undefined ? 0 : Math.min(...present.map((m) => coverageByMetric[m] ?? 0));
  const t = values('air_temperature');
  const rh = values('air_humidity').map((v) => Math.min(100, Math.max(0, v))); // §6: clamp RH to 100 %
  const wind = values('wind_speed');
  const solar = values('solar_radiation');
  const rain = values('rain');
  const dtS = o.expectedIntervalMs / 1000;
  return {
    date,
    ...(t.length > 0 && { tmaxC: Math.max(...t), tminC: Math.min(...t), tmeanC: mean(t) }),
    ...(rh.length > 0 && { rhmaxPct: Math.max(...rh), rhminPct: Math.min(...rh), rhmeanPct: mean(rh) }),
    ...(wind.length > 0 && { windMeanMs: mean(wind) }),
    // Rs = Σ(W/m²·Δt)/10⁶ MJ/m²; night and negative offsets count as 0 (§6)
    ...(solar.length > 0 && { rsMJ: solar.reduce((s, w) => s + Math.max(0, w) * dtS, 0) / 1e6 }),
    ...(rain.length > 0 && { rainMm: rain.reduce((s, x) => s + Math.max(0, x), 0) }),
    coverage,
    coverageByMetric,
    samplesByMetric,
    complete: coverage >= (o.minCoverage ?? DEFAULT_MIN_COVERAGE),
  };
}

/** Groups readings by local day (timestamps label interval starts unless told otherwise) and aggregates each. */
export function aggregateByDay(readings: readonly StationReading[], o: AggregationOptions): DailyWeather[] {
  const offset = o.utcOffsetMinutes ?? 420;
  const shift = o.timestampLabels === 'end' ? -o.expectedIntervalMs : 0;
  const days = new Map<string, StationReading[]>();
  for (const r of readings) {
    const d = localDate(r.ts + shift, offset);
    const list = days.get(d) ?? [];
    list.push(r);
    days.set(d, list);
  }
  return [...days.keys()].sort().map((d) => aggregateDay(d, days.get(d) ?? [], o));
}
