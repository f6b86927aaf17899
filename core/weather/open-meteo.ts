// The Open-Meteo-compatible forecast provider (docs/interop.md "Weather forecast"): GET
// {url}/v1/forecast?latitude=…&longitude=…&daily=precipitation_sum,precipitation_probability_max
// &timezone=Asia/Ho_Chi_Minh&forecast_days=N, no key. The answer carries parallel arrays under `daily`
// (`time` = local dates, one value per date, null where the model has none); it is validated with zod and any
// other shape is an error, never a forecast of zero rain.
import { z } from 'zod';
import type { ForecastDay, ForecastLocation, ForecastProvider } from './forecast.js';

const FORECAST_TIMEZONE = 'Asia/Ho_Chi_Minh';
const DEFAULT_TIMEOUT_MS = 10_000;

const values = z.array(z.number().nonnegative().nullable());

export const OpenMeteoDaily = z.object({
  latitude: z.number(),
  longitude: z.number(),
  timezone: z.string().optional(),
  daily_units: z.object({ precipitation_sum: z.literal('mm').optional() }).partial().optional(),
  daily: z.object({
    time: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).min(1),
    precipitation_sum: values,
    precipitation_probability_max: values.optional(),
  }).refine((d) => d.precipitation_sum.length === d.time.length && (d.precipitation_probability_max?.length ?? d.time.length) === d.time.length, {
    message: 'daily arrays differ in length',
  }),
});

export class ForecastError extends Error {
  constructor(message: string, readonly reason: 'network' | 'timeout' | 'http' | 'invalid') {
    super(message);
    this.name = 'ForecastError';
  }
}

/** The request URL for a location (exported for docs and tests). */
export function openMeteoUrl(baseUrl: string, l: ForecastLocation, days: number): string {
  const u = new URL('v1/forecast', baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
  u.searchParams.set('latitude', String(l.lat));
  u.searchParams.set('longitude', String(l.lon));
  u.searchParams.set('daily', 'precipitation_sum,precipitation_probability_max');
  u.searchParams.set('timezone', FORECAST_TIMEZONE);
  u.searchParams.set('forecast_days', String(days));
  return u.toString();
}

export function createOpenMeteoProvider(opts: { url: string; timeoutMs?: number | undefined }): ForecastProvider {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return {
    name: 'open-meteo',
    async daily(location, days) {
      let res: Response;
      let text: string;
      try {
        // the timeout covers the whole exchange: headers and body
        const signal = AbortSignal.timeout(timeoutMs);
        res = await fetch(openMeteoUrl(opts.url, location, days), { signal, headers: { accept: 'application/json' } });
        text = await res.text();
      } catch (err) {
        const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
        throw new ForecastError(timedOut ? `no answer within ${timeoutMs} ms` : `request failed: ${(err as Error).message}`, timedOut ? 'timeout' : 'network');
      }
      if (!res.ok) throw new ForecastError(`HTTP ${res.status}: ${text.slice(0, 200)}`, 'http');
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw new ForecastError('body is not JSON', 'invalid');
      }
      const parsed = OpenMeteoDaily.safeParse(json);
      if (!parsed.success) throw new ForecastError(`unexpected body: ${parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`, 'invalid');
      const d = parsed.data.daily;
      return d.time.map((date, i): ForecastDay => ({
        date, precipitationMm: d.precipitation_sum[i] ?? null, probabilityPct: d.precipitation_probability_max?.[i] ?? null,
      }));
    },
  };
}
