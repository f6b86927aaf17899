// Soil moisture without its daily swing (docs/agronomy.md §7): capacitance probes swing 1–2 % by volume over a
// day (temperature and daytime uptake), enough to cross RAW and back every day. Each depth keeps hourly
// means of the last 48 h; the value the rule decides on is the trend at now of a least-squares fit
//   θ(t) = a + b·t + c·cos(ωt) + d·sin(ωt),  ω = 2π / 24 h
// (with under 20 h of data, the plain mean: a line through part of a daily wave would extrapolate the
// wave): the diurnal wave goes into c, d and the drying trend into b, so
// the decision follows the trend without the lag of a 24-h mean and is exact for a steady drying. A rise
// well beyond the fit (irrigation, a real rain) starts the depth's series again: a refill is not smoothed away.

const HOUR_MS = 3_600_000;
const KEEP_MS = 48 * HOUR_MS;
const DIURNAL_FIT_MIN_SPAN_MS = 20 * HOUR_MS;
/** A reading this far (% by volume) above the fitted value is a wetting front, not noise or the daily swing [judg]. */
export const WETTING_JUMP_PCT = 3;

/** An hourly bucket: mean time, mean θ (% by volume), readings. */
export type Bucket = readonly [ts: number, theta: number, n: number];

function solve(m: number[][], v: number[]): number[] | undefined {
  const n = v.length;
  const a = m.map((row, i) => [...row, v[i] ?? 0]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[p]![c]!)) p = r;
    if (Math.abs(a[p]![c]!) < 1e-9) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  return a.map((row, i) => row[n]! / row[i]!);
}

function basis(tsMs: number, at: number, diurnal: boolean): number[] {
  const x = (tsMs - at) / HOUR_MS;
  if (!diurnal) return [1];
  const w = (2 * Math.PI * tsMs) / (24 * HOUR_MS);
  return [1, x, Math.cos(w), Math.sin(w)];
}

/** The fitted model (weighted by readings per bucket), or undefined when it cannot be fitted. */
function fit(buckets: readonly Bucket[], at: number): ((ts: number) => { trend: number; full: number }) | undefined {
  if (buckets.length < 3) return undefined;
  const span = buckets.at(-1)![0] - buckets[0]![0];
  const diurnal = span >= DIURNAL_FIT_MIN_SPAN_MS && buckets.length >= 8;
  const k = diurnal ? 4 : 1;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const v = new Array<number>(k).fill(0);
  for (const [ts, theta, n] of buckets) {
    const f = basis(ts, at, diurnal);
    for (let i = 0; i < k; i++) {
      v[i]! += n * f[i]! * theta;
      for (let j = 0; j < k; j++) m[i]![j]! += n * f[i]! * f[j]!;
    }
  }
  const coef = solve(m, v);
  if (!coef) return undefined;
  return (ts) => {
    const f = basis(ts, at, diurnal);
    const full = f.reduce((s, x, i) => s + x * (coef[i] ?? 0), 0);
    return { trend: (coef[0] ?? 0) + (diurnal ? (coef[1] ?? 0) * ((ts - at) / HOUR_MS) : 0), full };
  };
}

/** Adds a reading to a depth's hourly series (48 h kept); a wetting jump restarts the series. */
export function addReading(series: readonly Bucket[] | undefined, ts: number, theta: number): Bucket[] {
  let out = (series ?? []).filter(([t]) => t >= ts - KEEP_MS);
  const model = fit(out, out.at(-1)?.[0] ?? ts);
  const expected = model?.(ts).full ?? out.at(-1)?.[1];
  if (expected !== undefined && theta - expected > WETTING_JUMP_PCT && ts >= (out.at(-1)?.[0] ?? ts)) out = [];
  const hour = Math.floor(ts / HOUR_MS);
  const i = out.findIndex(([t]) => Math.floor(t / HOUR_MS) === hour);
  if (i < 0) return [...out, [ts, theta, 1] as const].sort((a, b) => a[0] - b[0]);
  const [bt, bθ, n] = out[i]!;
  out[i] = [(bt * n + ts) / (n + 1), (bθ * n + theta) / (n + 1), n + 1];
  return out;
}

/** θ (% by volume) to decide on at `at`: the fitted trend, else the newest hourly mean. */
export function smoothedTheta(series: readonly Bucket[] | undefined, at: number): number | undefined {
  if (!series || series.length === 0) return undefined;
  const model = fit(series, at);
  return model ? model(at).trend : series.at(-1)![1];
}
