// Polls the forecast provider for every farm location, keeps the last good forecast per location in memory and
// in DATA_DIR/forecast-cache.json (so a restart without internet still has it), and labels a forecast stale
// when older than `staleAfterMs` (default 12 h) — issue 17, docs/interop.md "Weather forecast". A failed poll
// (timeout, HTTP error, a body that is not the documented format) is logged and counted; the last good
// forecast stays. Nothing here decides what a stale forecast may still do: the rules do (never postpone
// irrigation on one older than 24 h, rules/kinds/soil-water.ts).
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../log.js';
import { locationKey, type Forecast, type ForecastLocation, type ForecastProvider } from './forecast.js';

export const FORECAST_DAYS = 3;
export const FORECAST_POLL_MS = 3 * 3_600_000; // [judg] Open-Meteo's models update every 1–6 h
export const FORECAST_STALE_MS = 12 * 3_600_000; // [judg]

const CacheFile = z.object({
  version: z.literal(1),
  forecasts: z.array(z.object({
    lat: z.number(), lon: z.number(), fetchedAt: z.number(),
    days: z.array(z.object({ date: z.string(), precipitationMm: z.number().nullable(), probabilityPct: z.number().nullable() })),
  })),
});
type Cached = Omit<Forecast, 'stale'>;

export interface ForecastStats {
  readonly fetched: number;
  readonly failed: number;
}

export interface ForecastService extends Service {
  /** The last good forecast at the location (stale-labelled), or undefined when none was ever fetched. */
  at(location: ForecastLocation): Forecast | undefined;
  /** Polls every location now; resolves when every answer (or failure) is in. */
  refresh(): Promise<void>;
  stats(): ForecastStats;
}

export function createForecastService(opts: {
  provider: ForecastProvider;
  /** The farms' locations, read at each poll (from the registry, so possibly asynchronously). */
  locations: () => readonly ForecastLocation[] | Promise<readonly ForecastLocation[]>;
  cacheFile: string;
  log: Logger;
  now?: (() => number) | undefined;
  pollMs?: number | undefined;
  staleAfterMs?: number | undefined;
  days?: number | undefined;
}): ForecastService {
  const now = opts.now ?? Date.now;
  const staleAfterMs = opts.staleAfterMs ?? FORECAST_STALE_MS;
  const cache = new Map<string, Cached>();
  let fetched = 0;
  let failed = 0;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> | undefined;

  function load(): void {
    let text: string;
    try {
      text = readFileSync(opts.cacheFile, 'utf8');
    } catch {
      return; // first start: no cache yet
    }
    try {
      const parsed = CacheFile.parse(JSON.parse(text));
      for (const f of parsed.forecasts) cache.set(locationKey(f), f);
      opts.log.info({ forecasts: cache.size }, 'forecast cache loaded');
    } catch (err) {
      opts.log.warn({ err, file: opts.cacheFile }, 'forecast cache unreadable: ignored');
    }
  }

  function save(): void {
    try {
      mkdirSync(dirname(opts.cacheFile), { recursive: true });
      const tmp = `${opts.cacheFile}.tmp`;
      writeFileSync(tmp, JSON.stringify({ version: 1, forecasts: [...cache.values()] }));
      renameSync(tmp, opts.cacheFile); // a crash never leaves half a file
    } catch (err) {
      opts.log.warn({ err }, 'forecast cache not written');
    }
  }

  async function pollOne(l: ForecastLocation): Promise<boolean> {
    try {
      const days = await opts.provider.daily(l, opts.days ?? FORECAST_DAYS);
      cache.set(locationKey(l), { lat: l.lat, lon: l.lon, days, fetchedAt: now() });
      fetched++;
      return true;
    } catch (err) {
      failed++;
      const last = cache.get(locationKey(l));
      opts.log.warn({ err: (err as Error).message, provider: opts.provider.name, lat: l.lat, lon: l.lon, lastFetchedAt: last?.fetchedAt ?? null }, 'forecast poll failed: last good forecast kept');
      return false;
    }
  }

  async function pollAll(): Promise<void> {
    let locations: readonly ForecastLocation[];
    try {
      locations = await opts.locations();
    } catch (err) {
      // the registry did not answer: this poll is skipped (the last forecasts stay), the next one tries again
      opts.log.warn({ err: (err as Error).message }, 'forecast locations could not be read: poll skipped');
      return;
    }
    const unique = new Map(locations.map((l) => [locationKey(l), l]));
    const ok = await Promise.all([...unique.values()].map(pollOne));
    if (ok.some(Boolean)) save();
  }

  return {
    name: 'forecast',
    at(l) {
      const c = cache.get(locationKey(l));
      return c && { ...c, stale: now() - c.fetchedAt > staleAfterMs };
    },
    refresh() {
      // a poll asked for during another one runs after it: its answers are newer than the running one's question
      const next: Promise<void> = (polling ?? Promise.resolve()).then(pollAll).finally(() => { if (polling === next) polling = undefined; });
      polling = next;
      return next;
    },
    stats: () => ({ fetched, failed }),
    start() {
      load();
      void this.refresh(); // the start does not wait for the internet
      timer = setInterval(() => { void this.refresh(); }, opts.pollMs ?? FORECAST_POLL_MS);
      timer.unref();
      return Promise.resolve();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = undefined;
      await polling; // each request has its own timeout
    },
  };
}
