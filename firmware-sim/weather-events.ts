// Weather that a scenario imposes on the simulated climate: a heat wave, a drought, a given rain storm.
// Events change the days they touch and leave every other day exactly as the seeded climate drew it.
import { z } from 'zod';

export const WeatherEvent = z.discriminatedUnion('kind', [
  /** Days whose local noon falls in [fromMs, toMs) are `deltaC` hotter by day (Tmin +0.6·Δ), sunnier and drier. */
  z.strictObject({ kind: z.literal('heat'), fromMs: z.number(), toMs: z.number(), deltaC: z.number().min(-15).max(15) }),
  /** No rain event starts on days whose local noon falls in [fromMs, toMs); skies clear. */
  z.strictObject({ kind: z.literal('drought'), fromMs: z.number(), toMs: z.number() }),
  /** A rain event of `mm` over `hours` starting at startMs; it replaces that local day's drawn rain. */
  z.strictObject({ kind: z.literal('rain'), startMs: z.number(), hours: z.number().positive().max(24), mm: z.number().positive().max(500) }),
]);
export type WeatherEvent = z.infer<typeof WeatherEvent>;

export interface DayAdjustment {
  readonly deltaC: number; // added to Tmax (Tmin gets 0.6 of it)
  readonly dry: boolean; // no drawn rain
  readonly rain: { readonly startMs: number; readonly endMs: number; readonly mm: number } | undefined;
}

const HOUR = 3_600_000;

/** What the events do to the local day [dayStartMs, dayStartMs + 24 h). */
export function adjustmentForDay(events: readonly WeatherEvent[], dayStartMs: number): DayAdjustment {
  const noon = dayStartMs + 12 * HOUR;
  let deltaC = 0;
  let dry = false;
  let rain: DayAdjustment['rain'];
  for (const e of events) {
    if (e.kind === 'rain') {
      if (e.startMs >= dayStartMs && e.startMs < dayStartMs + 24 * HOUR) rain = { startMs: e.startMs, endMs: e.startMs + Math.round(e.hours * HOUR), mm: e.mm };
    } else if (noon >= e.fromMs && noon < e.toMs) {
      if (e.kind === 'heat') deltaC += e.deltaC;
      else dry = true;
    }
  }
  return { deltaC, dry, rain };
}
