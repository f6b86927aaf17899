// Temperature stress (docs/agronomy.md §5): rice heat at flowering, Vietnamese cold spells (rét đậm, rét hại),
// coffee radiative frost, tomato fruit set, and growing degree days with clamped temperatures.
import type { Celsius, MetresPerSecond } from './units.js';

/** Rice spikelet sterility risk at anthesis: Tmax ≥ 35 °C (Yoshida 1978) [rec]. */
export const RICE_HEAT_FLOWERING_C = 35;

export interface RiceHeatInput {
  readonly tmaxC: Celsius;
  /** Today minus the (expected) flowering date, days. */
  readonly daysFromFlowering: number;
  /** Half-width of the flowering window, days (default 7, as the AWD hold). */
  readonly windowDays?: number | undefined;
  readonly thresholdC?: Celsius | undefined;
}

/** True when the day is in the flowering window and Tmax reaches the heat threshold. */
export function riceHeatAtFlowering(i: RiceHeatInput): boolean {
  const inWindow = Math.abs(i.daysFromFlowering) <= (i.windowDays ?? 7);
  return inWindow && i.tmaxC >= (i.thresholdC ?? RICE_HEAT_FLOWERING_C);
}

export type ColdClass = 'none' | 'ret_dam' | 'ret_hai';
/** "Rét đậm": daily mean ≤ 15 °C; "rét hại": daily mean ≤ 13 °C [rec]. */
export const RET_DAM_C = 15;
export const RET_HAI_C = 13;

export function classifyColdDay(dailyMeanC: Celsius): ColdClass {
  if (dailyMeanC <= RET_HAI_C) return 'ret_hai';
  if (dailyMeanC <= RET_DAM_C) return 'ret_dam';
  return 'none';
}

export interface ColdSpell {
  readonly startDate: string;
  readonly endDate: string;
  readonly days: number;
  /** The severest class reached in the spell. */
  readonly severity: Exclude<ColdClass, 'none'>;
  readonly minMeanC: Celsius;
}

/** Runs of consecutive cold days (days must be given in date order, one per day). */
export function findColdSpells(days: readonly { readonly date: string; readonly meanC: Celsius }[], minDays = 1): ColdSpell[] {
  const spells: ColdSpell[] = [];
  let run: { date: string; meanC: number }[] = [];
  const flush = () => {
    const first = run[0];
    const last = run[run.length - 1];
    if (first && last && run.length >= minDays) {
      const minMeanC = Math.min(...run.map((d) => d.meanC));
      spells.push({ startDate: first.date, endDate: last.date, days: run.length, severity: minMeanC <= RET_HAI_C ? 'ret_hai' : 'ret_dam', minMeanC });
    }
    run = [];
  };
  for (const d of days) {
    if (classifyColdDay(d.meanC) === 'none') flush();
    else run.push(d);
  }
  flush();
  return spells;
}

export interface FrostInput {
  readonly tminC: Celsius;
  readonly clearSky: boolean;
  readonly windMs: MetresPerSecond;
}

export type FrostRisk = 'none' | 'possible' | 'high';

/** Coffee radiative frost [judg]: Tmin ≤ 2 °C with clear sky and wind < 2 m/s is high; leaves die from −2 °C. */
export function coffeeFrostRisk(i: FrostInput): { readonly risk: FrostRisk; readonly leafDamageLikely: boolean } {
  const leafDamageLikely = i.tminC <= -2;
  if (i.tminC > 2) return { risk: 'none', leafDamageLikely };
  const radiative = i.clearSky && i.windMs < 2;
  return { risk: radiative || leafDamageLikely ? 'high' : 'possible', leafDamageLikely };
}

/** Tomato fruit set falls above 30–32 °C by day or 21–24 °C by night; defaults take the upper ends [judg]. */
export function tomatoFruitSetStress(dayMaxC: Celsius, nightMinC: Celsius, dayLimitC = 32, nightLimitC = 24): boolean {
  return dayMaxC > dayLimitC || nightMinC > nightLimitC;
}

/** Base and upper temperatures for GDD (docs/agronomy.md §5): maize 10/30 °C, rice base 10 °C. */
export const GDD_TEMPERATURES: Readonly<Record<string, { readonly baseC: Celsius; readonly upperC: Celsius }>> = {
  maize: { baseC: 10, upperC: 30 },
  rice: { baseC: 10, upperC: Number.POSITIVE_INFINITY },
};

/** GDD = max(0, (Tmax' + Tmin')/2 − Tbase) with Tmax', Tmin' clamped to [Tbase, Tupper]. */
export function growingDegreeDays(tmaxC: Celsius, tminC: Celsius, baseC: Celsius, upperC: Celsius = Number.POSITIVE_INFINITY): number {
  const c = (t: number) => Math.min(upperC, Math.max(baseC, t));
  return Math.max(0, (c(tmaxC) + c(tminC)) / 2 - baseC);
}

/** Cumulative GDD over days. */
export function accumulatedGdd(days: readonly { readonly tmaxC: Celsius; readonly tminC: Celsius }[], baseC: Celsius, upperC?: Celsius): number {
  return days.reduce((s, d) => s + growingDegreeDays(d.tmaxC, d.tminC, baseC, upperC), 0);
}
