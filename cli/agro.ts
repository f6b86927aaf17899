// `ruong agro et0 …` and `ruong agro balance …`: FAO-56 calculators printing JSON, so an agronomist can
// check a station or a field by hand. Flags are validated with zod; bad input → a message and exit 2.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  CROPS, CropId, SoilTexture, adjustDepletionFraction, aggregateByDay, dayOfYear, daysBetween, depletionFromSensors,
  et0Daily, inferIntervalMs, irrigationAdvice, kcOnDay, monthlySoilHeatFluxFromCurrentMJ, monthlySoilHeatFluxMJ,
  isIsoDate, parseDailyCsv, parseStationCsv, readilyAvailableWaterMm, runWaterBalance, soilWaterForTexture, totalAvailableWaterMm,
  waterStressCoefficient, type DailyEt0Input, type DailyEt0Result, type DailyWeather, type SensorDepletion,
} from '../core/agronomy/index.js';
import { ET0_HOURLY_HELP, runEt0Hourly } from './agro-hourly.js';
import { implausible, soilLimits, type SuspectReason } from '../rules/sensor-trust.js';

type Out = (line: string) => void;
class UsageError extends Error {}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;
const num = (min: number, max: number) =>
  z.string().trim().regex(NUMBER, 'must be a number').transform(Number).pipe(z.number().min(min).max(max));
const isoDate = z.string().refine(isIsoDate, 'must be a calendar date YYYY-MM-DD');
const str = { type: 'string' } as const;
const bool = { type: 'boolean' } as const;

const ET0_HELP = `Usage: ruong agro et0 --lat DEG [--elevation M] (--date YYYY-MM-DD | --doy N) --tmax C --tmin C [options]
       ruong agro et0 --lat DEG --elevation M --csv FILE [--interval-min N] [--utc-offset H] [--allow-incomplete]
Daily FAO-56 Penman-Monteith ET0 (mm/day) with every intermediate value, as JSON.
  humidity    --rhmax % --rhmin % | --rhmean % | --tdew C | --ea kPa   (none: ea from Tmin, FAO-56 Eq. 48)
  wind        --wind M/S [--wind-height M, default 2]                   (none: u2 = 2 m/s)
  radiation   --rs MJ/m2/day | --sunshine-hours H                       (none: Eq. 50, kRs 0.16, --coastal 0.19)
  soil heat   --soil-heat-flux MJ/m2/day | --t-prev-month C [--t-next-month C]  (monthly Eq. 43/44)
  method      --method auto|hargreaves  (no --elevation → Hargreaves, Eq. 52)
  --csv FILE  station readings, header ts,air_temperature,air_humidity,wind_speed,solar_radiation,rain
              (°C, %, m/s, W/m², mm); one ET0 per local day with ≥ 90 % of its records.
Negative values: --lat=-22.9 or --lat -22.9.`;

const BALANCE_HELP = `Usage: ruong agro balance --crop CROP (--soil TEXTURE | --theta-fc % --theta-wp %) DEPLETION [options]
Root-zone water balance and irrigation advice (FAO-56 ch. 8), as JSON.
  CROP        ${CropId.options.join(', ')}
  TEXTURE     ${SoilTexture.options.join(', ')}
  DEPLETION   one of: --sensor DEPTH_CM:THETA_PCT (repeat per depth) | --depletion MM
              | --csv FILE (daily model balance; header date,et0,rain[,irrigation], mm) [--initial-depletion MM]
              a --sensor reading the soil cannot hold (0, below ½ θWP, above saturation) gives decision
              check_sensor and no irrigation; layers drier than θWP count as θWP (depletion ≤ TAW)
  day         --planting-date YYYY-MM-DD and --date YYYY-MM-DD (CSV: its last day), or --days-since-planting N
  options     --et0 MM (today) --zr M --p FRACTION --u2 M/S --rhmin % (Kc climate adjustment, Eq. 62)
              --rain MM (fallen, not yet in the depletion) --forecast-rain MM
              --area HA --pump-flow M3/H --efficiency 0-1 (default 0.9)`;

const et0Options = {
  lat: str, elevation: str, date: str, doy: str, tmax: str, tmin: str, rhmax: str, rhmin: str, rhmean: str, tdew: str,
  ea: str, wind: str, 'wind-height': str, rs: str, 'sunshine-hours': str, coastal: bool, krs: str, 'soil-heat-flux': str,
  't-prev-month': str, 't-next-month': str, method: str, csv: str, 'interval-min': str, 'utc-offset': str,
  'allow-incomplete': bool, help: bool,
} as const;

const temp = num(-40, 60);
const Et0Flags = z.object({
  lat: num(-90, 90), elevation: num(-450, 9000).optional(), date: isoDate.optional(), doy: num(1, 366).pipe(z.int()).optional(),
  tmax: temp.optional(), tmin: temp.optional(), rhmax: num(0, 103).optional(), rhmin: num(0, 103).optional(),
  rhmean: num(0, 103).optional(), tdew: temp.optional(), ea: num(0, 20).optional(), wind: num(0, 60).optional(),
  'wind-height': num(0.5, 100).default(2), rs: num(0, 60).optional(), 'sunshine-hours': num(0, 24).optional(),
  coastal: z.boolean().default(false), krs: num(0.1, 0.3).optional(), 'soil-heat-flux': num(-10, 10).optional(),
  't-prev-month': temp.optional(), 't-next-month': temp.optional(), method: z.enum(['auto', 'hargreaves']).default('auto'),
  csv: z.string().min(1).optional(), 'interval-min': num(1, 1440).optional(), 'utc-offset': num(-12, 14).default(7),
  'allow-incomplete': z.boolean().default(false),
}).superRefine((f, ctx) => {
  const need = (ok: boolean, message: string) => { if (!ok) ctx.addIssue({ code: 'custom', message }); };
  need(!(f.date && f.doy !== undefined), 'give --date or --doy, not both');
  need(!(f.rs !== undefined && f['sunshine-hours'] !== undefined), 'give --rs or --sunshine-hours, not both');
  if (f.csv !== undefined) return;
  need(f.date !== undefined || f.doy !== undefined, '--date or --doy is required');
  need(f.tmax !== undefined && f.tmin !== undefined, '--tmax and --tmin are required (or --csv)');
  need(f.tmax === undefined || f.tmin === undefined || f.tmax >= f.tmin, '--tmax must be ≥ --tmin');
  need(f.rhmax === undefined || f.rhmin === undefined || f.rhmax >= f.rhmin, '--rhmax must be ≥ --rhmin');
});
type Et0Flags = z.infer<typeof Et0Flags>;

const balanceOptions = {
  crop: str, soil: str, 'theta-fc': str, 'theta-wp': str, sensor: { type: 'string', multiple: true }, depletion: str,
  csv: str, 'initial-depletion': str, 'planting-date': str, date: str, 'days-since-planting': str, et0: str, zr: str,
  p: str, u2: str, rhmin: str, rain: str, 'forecast-rain': str, area: str, 'pump-flow': str, efficiency: str, help: bool,
} as const;

const SensorFlag = z.string().regex(/^\d+(\.\d+)?:\d+(\.\d+)?$/, 'must be DEPTH_CM:THETA_PCT, e.g. 30:24.5').transform((s) => {
  const [depthCm, thetaPct] = s.split(':').map(Number);
  return { depthCm: depthCm ?? 0, thetaPct: thetaPct ?? 0 };
}).pipe(z.object({ depthCm: z.number().positive().max(300), thetaPct: z.number().max(60) }));

const BalanceFlags = z.object({
  crop: CropId, soil: SoilTexture.optional(), 'theta-fc': num(1, 60).optional(), 'theta-wp': num(0, 59).optional(),
  sensor: z.array(SensorFlag).optional(), depletion: num(0, 2000).optional(), csv: z.string().min(1).optional(),
  'initial-depletion': num(0, 2000).default(0), 'planting-date': isoDate.optional(), date: isoDate.optional(),
  'days-since-planting': num(0, 3650).optional(), et0: num(0, 20).optional(), zr: num(0.05, 5).optional(),
  p: num(0.05, 0.95).optional(), u2: num(0, 20).optional(), rhmin: num(0, 100).optional(), rain: num(0, 1000).default(0),
  'forecast-rain': num(0, 1000).default(0), area: num(0, 100_000).optional(), 'pump-flow': num(0.001, 100_000).optional(),
  efficiency: num(0.05, 1).default(0.9),
}).superRefine((f, ctx) => {
  const need = (ok: boolean, message: string) => { if (!ok) ctx.addIssue({ code: 'custom', message }); };
  const sources = [f.sensor !== undefined, f.depletion !== undefined, f.csv !== undefined].filter(Boolean).length;
  need(sources === 1, 'give exactly one of --sensor, --depletion, --csv');
  need(f.soil !== undefined || (f['theta-fc'] !== undefined && f['theta-wp'] !== undefined), '--soil or both --theta-fc and --theta-wp are required');
  need((f.u2 === undefined) === (f.rhmin === undefined), '--u2 and --rhmin go together (Eq. 62)');
});
type BalanceFlags = z.infer<typeof BalanceFlags>;

/** Lets `--lat -22.9` through (parseArgs would read -22.9 as an option). */
function joinNegativeValues(args: readonly string[], options: Record<string, { type: string }>): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k] ?? '';
    const next = args[k + 1];
    const name = a.startsWith('--') && !a.includes('=') ? a.slice(2) : undefined;
    if (name && options[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${a}=${next}`);
      k++;
    } else out.push(a);
  }
  return out;
}

function parseFlags<S extends z.ZodType>(args: string[], options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>, schema: S): z.infer<S> | 'help' {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
  if (values.help === true) return 'help';
  delete values.help;
  const parsed = schema.safeParse(values);
  if (!parsed.success) {
    throw new UsageError(parsed.error.issues.map((i) => (i.path.length > 0 ? `--${i.path.join('.')}: ${i.message}` : i.message)).join('; '));
  }
  return parsed.data;
}

async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

const roundNumbers = (_key: string, v: unknown): unknown => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v);
const print = (out: Out, value: unknown) => out(JSON.stringify(value, roundNumbers, 2));

function et0Report(r: DailyEt0Result) {
  const { method, sources, estimated, notes, intermediates } = r;
  return { et0MmPerDay: r.et0Mm, method, sources, estimated, notes, intermediates };
}

function soilHeatFlux(f: Et0Flags, tmeanC: number): number | undefined {
  const prev = f['t-prev-month'];
  if (f['soil-heat-flux'] !== undefined || prev === undefined) return f['soil-heat-flux'];
  const next = f['t-next-month'];
  return next === undefined ? monthlySoilHeatFluxFromCurrentMJ(prev, tmeanC) : monthlySoilHeatFluxMJ(prev, next); // FAO-56 Eq. 44 / 43
}

function et0FromFlags(f: Et0Flags) {
  const tmaxC = f.tmax ?? 0;
  const tminC = f.tmin ?? 0;
  const input: DailyEt0Input = {
    latitudeDeg: f.lat, elevationM: f.elevation, dayOfYear: f.doy ?? dayOfYear(f.date ?? ''), tmaxC, tminC,
    eaKPa: f.ea, tdewC: f.tdew, rhmaxPct: f.rhmax, rhminPct: f.rhmin, rhmeanPct: f.rhmean, windMs: f.wind,
    windHeightM: f['wind-height'], rsMJ: f.rs, sunshineHours: f['sunshine-hours'], coastal: f.coastal, krs: f.krs,
    soilHeatFluxMJ: soilHeatFlux(f, (tmaxC + tminC) / 2),
  };
  return { command: 'et0', inputs: { ...input, date: f.date }, ...et0Report(et0Daily(input, { method: f.method })) };
}

function et0ForDay(f: Et0Flags, d: DailyWeather) {
  const { coverageByMetric: _c, samplesByMetric: _s, ...aggregate } = d;
  if (d.tmaxC === undefined || d.tminC === undefined || (!d.complete && !f['allow-incomplete'])) {
    return { ...aggregate, et0MmPerDay: null, skipped: d.tmaxC === undefined ? 'no air temperature' : 'incomplete day (< 90 % of records)' };
  }
  const input: DailyEt0Input = {
    latitudeDeg: f.lat, elevationM: f.elevation, dayOfYear: dayOfYear(d.date), tmaxC: d.tmaxC, tminC: d.tminC,
    rhmaxPct: d.rhmaxPct, rhminPct: d.rhminPct, windMs: d.windMeanMs, windHeightM: f['wind-height'], rsMJ: d.rsMJ,
    coastal: f.coastal, krs: f.krs,
  };
  return { ...aggregate, ...et0Report(et0Daily(input, { method: f.method })) };
}

async function et0FromCsv(f: Et0Flags, path: string) {
  const offsetMin = f['utc-offset'] * 60;
  const { rows, errors } = parseStationCsv(await readText(path), offsetMin);
  if (errors.length > 0) throw new UsageError(`${path}: ${errors.slice(0, 5).join('; ')}`);
  const temps = rows.filter((r) => r.metric === 'air_temperature').map((r) => r.ts);
  const intervalMs = f['interval-min'] !== undefined ? f['interval-min'] * 60_000 : inferIntervalMs(temps);
  if (intervalMs === undefined) throw new UsageError(`${path}: cannot infer the reporting interval; give --interval-min`);
  const days = aggregateByDay(rows, { expectedIntervalMs: intervalMs, utcOffsetMinutes: offsetMin });
  const station = { latitudeDeg: f.lat, elevationM: f.elevation, windHeightM: f['wind-height'], coastal: f.coastal };
  return { command: 'et0', csv: path, station, intervalMinutes: intervalMs / 60_000, days: days.map((d) => et0ForDay(f, d)) };
}

async function runEt0(args: string[], out: Out): Promise<number> {
  const f = parseFlags(args, et0Options, Et0Flags);
  if (f === 'help') {
    out(ET0_HELP);
    return 0;
  }
  print(out, f.csv !== undefined ? await et0FromCsv(f, f.csv) : et0FromFlags(f));
  return 0;
}

interface FieldSetup {
  readonly thetaFc: number;
  readonly thetaWp: number;
  readonly rootDepthM: number;
  readonly pTable: number;
  readonly tawMm: number;
}

interface Depletion {
  readonly depletionMm: number;
  readonly source: 'sensors' | 'given' | 'model';
  readonly date: string | undefined;
  readonly et0Mm: number | undefined;
  readonly sensors?: SensorDepletion;
  readonly days?: ReturnType<typeof runWaterBalance>;
  /** Sensor readings the soil cannot hold (rules/sensor-trust.ts): no irrigation order from them. */
  readonly suspect?: readonly { depthCm: number; thetaPct: number; reason: SuspectReason }[];
}

const climateOf = (f: BalanceFlags) => (f.u2 !== undefined && f.rhmin !== undefined ? { u2Ms: f.u2, rhminPct: f.rhmin } : undefined);

function fieldSetup(f: BalanceFlags): FieldSetup {
  const spec = CROPS[f.crop];
  const texture = f.soil === undefined ? undefined : soilWaterForTexture(f.soil);
  const thetaFc = f['theta-fc'] !== undefined ? f['theta-fc'] / 100 : (texture?.thetaFc ?? 0);
  const thetaWp = f['theta-wp'] !== undefined ? f['theta-wp'] / 100 : (texture?.thetaWp ?? 0);
  const deepestSensorM = f.sensor ? Math.max(...f.sensor.map((s) => s.depthCm)) / 100 : undefined;
  const rootDepthM = f.zr ?? spec.rootDepthM?.min ?? deepestSensorM;
  const pTable = f.p ?? spec.depletionFraction;
  if (rootDepthM === undefined) throw new UsageError(`${f.crop} has no tabulated rooting depth: give --zr`);
  if (pTable === undefined) throw new UsageError(`${f.crop} has no tabulated depletion fraction: give --p`);
  return { thetaFc, thetaWp, rootDepthM, pTable, tawMm: totalAvailableWaterMm(thetaFc, thetaWp, rootDepthM) }; // FAO-56 Eq. 82
}

async function modelDepletion(f: BalanceFlags, path: string, tawMm: number): Promise<Depletion> {
  const plantingDate = f['planting-date'];
  if (plantingDate === undefined) throw new UsageError('--csv needs --planting-date');
  const { rows, errors } = parseDailyCsv(await readText(path));
  if (errors.length > 0) throw new UsageError(`${path}: ${errors.slice(0, 5).join('; ')}`);
  const days = rows.filter((d) => f.date === undefined || d.date <= f.date);
  const run = runWaterBalance(
    { crop: f.crop, plantingDate, tawMm, depletionFraction: f.p, initialDepletionMm: f['initial-depletion'], climate: climateOf(f) },
    days,
  );
  const last = run[run.length - 1];
  if (!last) throw new UsageError(`${path}: no daily rows`);
  return { depletionMm: last.drMm, source: 'model', days: run, date: last.date, et0Mm: f.et0 ?? last.et0Mm };
}

async function depletion(f: BalanceFlags, setup: FieldSetup): Promise<Depletion> {
  if (f.csv !== undefined) return modelDepletion(f, f.csv, setup.tawMm);
  if (f.sensor) {
    // Sensor trust (issue 15): a reading of 0, below air-dry or above saturation is a sensor fault, not dry
    // soil; each layer counts at most down to θWP, so Dr ≤ TAW (FAO-56 Eq. 86).
    const limits = soilLimits({ thetaFc: setup.thetaFc, thetaWp: setup.thetaWp }, f.soil);
    const suspect = f.sensor.flatMap((r) => {
      const reason = implausible(r.thetaPct, limits);
      return reason ? [{ ...r, reason }] : [];
    });
    const floored = f.sensor.map((r) => ({ ...r, thetaPct: Math.max(r.thetaPct, setup.thetaWp * 100) }));
    const sensors = depletionFromSensors(floored, setup.thetaFc, setup.rootDepthM);
    return { depletionMm: Math.min(sensors.depletionMm, setup.tawMm), source: 'sensors', sensors, date: f.date, et0Mm: f.et0, suspect };
  }
  return { depletionMm: f.depletion ?? 0, source: 'given', date: f.date, et0Mm: f.et0 };
}

function cropDay(f: BalanceFlags, date: string | undefined, et0Mm: number | undefined, pTable: number) {
  const spec = CROPS[f.crop];
  const planted = f['planting-date'];
  const daysSincePlanting = f['days-since-planting'] ?? (planted && date ? daysBetween(planted, date) : undefined);
  if (daysSincePlanting === undefined && spec.stageDays) throw new UsageError('give --planting-date and --date, or --days-since-planting');
  const kc = spec.kc ? kcOnDay(spec, daysSincePlanting ?? 0, climateOf(f)) : undefined; // FAO-56 Eq. 66 (62)
  const etcMm = kc && et0Mm !== undefined ? kc.kc * et0Mm : undefined; // FAO-56 Eq. 56
  const p = etcMm === undefined ? pTable : adjustDepletionFraction(pTable, etcMm);
  return { daysSincePlanting: daysSincePlanting ?? null, stage: kc?.stage ?? null, kc: kc?.kc ?? null, etcMmPerDay: etcMm ?? null, p };
}

async function runBalance(args: string[], out: Out): Promise<number> {
  const f = parseFlags(args, balanceOptions, BalanceFlags);
  if (f === 'help') {
    out(BALANCE_HELP);
    return 0;
  }
  const setup = fieldSetup(f);
  const dep = await depletion(f, setup);
  const day = cropDay(f, dep.date, dep.et0Mm, setup.pTable);
  const rawMm = readilyAvailableWaterMm(day.p, setup.tawMm); // FAO-56 Eq. 83
  const advice = irrigationAdvice({
    depletionMm: dep.depletionMm, rawMm, applicationEfficiency: f.efficiency, areaHa: f.area, pumpFlowM3PerH: f['pump-flow'],
    observedRainMm: f.rain, forecastRainMm: f['forecast-rain'], et0Mm: dep.et0Mm,
  });
  const suspect = dep.suspect && dep.suspect.length > 0 ? dep.suspect : undefined;
  print(out, {
    ...(suspect && {
      // never an irrigation order from a sensor we do not believe: check the probe first
      suspectSensors: suspect,
      note: 'a sensor reads what the soil cannot hold (0, below air-dry ½ θWP or above saturation): check the probe; no irrigation advice from it',
    }),
    command: 'balance', crop: f.crop, date: dep.date ?? null, ...day, et0MmPerDay: dep.et0Mm ?? null,
    soil: { texture: f.soil ?? null, thetaFc: setup.thetaFc, thetaWp: setup.thetaWp }, rootDepthM: setup.rootDepthM,
    pTable: setup.pTable, tawMm: setup.tawMm, rawMm, depletionMm: dep.depletionMm, depletionSource: dep.source,
    ks: waterStressCoefficient(dep.depletionMm, setup.tawMm, day.p), decision: suspect ? 'check_sensor' : advice.decision,
    irrigation: suspect ? null : advice,
    ...(dep.sensors && { sensorLayers: dep.sensors.layers }), ...(dep.days && { days: dep.days }),
  });
  return 0;
}

export const agroHelp = `Usage: ruong agro <et0|et0-hourly|balance> [options] (--help for each)\n\n${ET0_HELP}\n\n${ET0_HOURLY_HELP}\n\n${BALANCE_HELP}`;

export async function runAgro(argv: string[], out: (line: string) => void): Promise<number> {
  const [sub, ...rest] = argv;
  try {
    if (sub === 'et0') return await runEt0(rest, out);
    if (sub === 'balance') return await runBalance(rest, out);
    if (sub === 'et0-hourly') return runEt0Hourly(rest, out);
    if (sub === 'help' || sub === '--help' || sub === '-h') {
      out(agroHelp);
      return 0;
    }
    out(`ruong agro: ${sub === undefined ? 'missing subcommand' : `unknown subcommand "${sub}"`}\n\n${agroHelp}`);
    return 2;
  } catch (err) {
    if (err instanceof UsageError || err instanceof RangeError) {
      out(`ruong agro ${sub ?? ''}: ${err.message}`);
      return 2;
    }
    throw err;
  }
}
