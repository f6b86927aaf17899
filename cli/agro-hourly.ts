// `ruong agro et0-hourly …`: FAO-56 hourly ET0 (Eq. 53, with Eqs. 28–33, 45, 46, 54) for one period, as
// JSON with every intermediate — the hourly companion of `ruong agro et0` (FAO-56 Example 19).
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dayOfYear, et0Hourly, isIsoDate, vietnamSolarLongitudes, windSpeedAt2mMs } from '../core/agronomy/index.js';

export const ET0_HOURLY_HELP = `Usage: ruong agro et0-hourly --lat DEG --elevation M (--date YYYY-MM-DD | --doy N) --hour H
         (--lon-east DEG | --lz DEG_W --lm DEG_W) --t C --rh % --wind M/S [--wind-height M] --rs MJ/m2/h [options]
Hourly FAO-56 Penman-Monteith ET0 (mm per period, Eq. 53) with every intermediate value, as JSON.
  --hour        midpoint of the period in local standard time (14.5 for 14:00–15:00); --period H (default 1)
  --lon-east    a site in Vietnam (UTC+7): Lz = 255° W, Lm = 360 − longitude; elsewhere give --lz and --lm (° west)
  --night-rs-rso  Rs/Rso of 2–3 h before sunset, for night periods (default 0.5, humid)
Negative values: --lat=-22.9.`;

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const num = (min: number, max: number) => z.string({ error: (i) => (i.input === undefined ? 'is required' : 'must be a number') }).trim().regex(NUMBER, 'must be a number').transform(Number).pipe(z.number().min(min).max(max));

const HourlyFlags = z.object({
  lat: num(-90, 90), elevation: num(-450, 9000), date: z.string().refine(isIsoDate, 'must be a calendar date YYYY-MM-DD').optional(),
  doy: num(1, 366).pipe(z.int()).optional(), hour: num(0, 24), period: num(0.1, 24).default(1),
  'lon-east': num(-180, 360).optional(), lz: num(0, 360).optional(), lm: num(0, 360).optional(),
  t: num(-40, 60), rh: num(0, 103), wind: num(0, 60), 'wind-height': num(0.5, 100).default(2), rs: num(0, 5),
  'night-rs-rso': num(0.05, 1).optional(),
}).superRefine((f, ctx) => {
  const need = (ok: boolean, message: string) => { if (!ok) ctx.addIssue({ code: 'custom', message }); };
  need((f.date === undefined) !== (f.doy === undefined), 'give exactly one of --date, --doy');
  need(f['lon-east'] !== undefined || (f.lz !== undefined && f.lm !== undefined), 'give --lon-east, or both --lz and --lm');
});

const str = { type: 'string' } as const;
const options = {
  lat: str, elevation: str, date: str, doy: str, hour: str, period: str, 'lon-east': str, lz: str, lm: str, t: str, rh: str,
  wind: str, 'wind-height': str, rs: str, 'night-rs-rso': str, help: { type: 'boolean' },
} as const;

export function runEt0Hourly(args: string[], out: (line: string) => void): number {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    out(`ruong agro et0-hourly: ${(err as Error).message.split('\n')[0] ?? 'bad arguments'}`);
    return 2;
  }
  if (values.help === true) {
    out(ET0_HOURLY_HELP);
    return 0;
  }
  delete values.help;
  const parsed = HourlyFlags.safeParse(values);
  if (!parsed.success) {
    out(`ruong agro et0-hourly: ${parsed.error.issues.map((i) => (i.path.length > 0 ? `--${i.path.join('.')}: ${i.message}` : i.message)).join('; ')}`);
    return 2;
  }
  const f = parsed.data;
  const longitudes = f['lon-east'] !== undefined ? vietnamSolarLongitudes(f['lon-east']) : { lzDegWest: f.lz!, lmDegWest: f.lm! };
  const u2Ms = f['wind-height'] === 2 ? f.wind : windSpeedAt2mMs(f.wind, f['wind-height']); // FAO-56 Eq. 47
  const r = et0Hourly({
    latitudeDeg: f.lat, elevationM: f.elevation, dayOfYear: f.doy ?? dayOfYear(f.date!), midpointHour: f.hour, periodHours: f.period,
    ...longitudes, tC: f.t, rhPct: f.rh, u2Ms, rsMJ: f.rs, nightRsOverRso: f['night-rs-rso'],
  });
  const round = (_k: string, v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v);
  out(JSON.stringify({ command: 'et0-hourly', method: 'penman-monteith-hourly', et0MmPerPeriod: r.et0Mm, daytime: r.daytime, rsOverRsoSource: r.rsOverRsoSource, intermediates: r.intermediates }, round, 2));
  return 0;
}
