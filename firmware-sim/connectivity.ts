// When a device has a network: offline windows a scenario sets (a cell tower down for 6 hours) and a
// flaky link (a device at the edge of coverage that loses its connection a few times a day for a few
// minutes). A pure function of simulated time: outages of the flaky link are drawn per hour slot from
// the device's seed, so any instant can be asked in any order and every run sees the same outages.
import { z } from 'zod';
import { hashInts, mulberry32 } from './random.js';

export const OfflineWindow = z.strictObject({ fromMs: z.number(), toMs: z.number() });
export type OfflineWindow = z.infer<typeof OfflineWindow>;

export const FlakyLink = z.strictObject({
  /** Connection losses per day, on average (Poisson, drawn per hour). */
  dropsPerDay: z.number().min(0).max(240),
  /** Mean outage after a loss, minutes (exponential, capped at 4× the mean). */
  meanOutageMin: z.number().positive().max(24 * 60),
  fromMs: z.number().optional(),
  toMs: z.number().optional(),
});
export type FlakyLink = z.infer<typeof FlakyLink>;

export interface LinkPlan {
  /** True when the device has a network at simulated time ms. */
  online(ms: number): boolean;
}

const HOUR = 3_600_000;

export function createLinkPlan(o: { offline?: readonly OfflineWindow[] | undefined; flaky?: FlakyLink | undefined; seed: number }): LinkPlan {
  const windows = o.offline ?? [];
  const flaky = o.flaky;
  if (windows.length === 0 && (!flaky || flaky.dropsPerDay === 0)) return { online: () => true };
  const maxOutageMs = flaky ? 4 * flaky.meanOutageMin * 60_000 : 0;

  /** The flaky link's outage that starts in hour slot k, if any. */
  function outageIn(k: number): OfflineWindow | undefined {
    if (!flaky) return undefined;
    const r = mulberry32(hashInts(o.seed, 0x11a6, k));
    if (r() >= flaky.dropsPerDay / 24) return undefined;
    const fromMs = k * HOUR + Math.floor(r() * HOUR);
    if ((flaky.fromMs !== undefined && fromMs < flaky.fromMs) || (flaky.toMs !== undefined && fromMs >= flaky.toMs)) return undefined;
    const duration = Math.min(maxOutageMs, -flaky.meanOutageMin * 60_000 * Math.log(1 - r()));
    return { fromMs, toMs: fromMs + Math.max(1_000, duration) };
  }

  function online(ms: number): boolean {
    for (const w of windows) if (ms >= w.fromMs && ms < w.toMs) return false;
    if (!flaky) return true;
    const k = Math.floor(ms / HOUR);
    for (let slot = k - Math.ceil(maxOutageMs / HOUR); slot <= k; slot++) {
      const w = outageIn(slot);
      if (w && ms >= w.fromMs && ms < w.toMs) return false;
    }
    return true;
  }

  return { online };
}
