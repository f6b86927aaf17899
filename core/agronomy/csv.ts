// Parsing of the CSV text `ruong agro` reads (pure: the caller reads the file). Station readings:
// header `ts,air_temperature,air_humidity,wind_speed,solar_radiation,rain` (any subset after `ts`,
// empty cell = no reading). Daily balance input: header `date,et0,rain[,irrigation]`.
import { STATION_METRICS, type StationMetric, type StationReading } from './daily-aggregation.js';
import { isIsoDate } from './units.js';
import type { WeatherDay } from './water-balance.js';

export interface CsvResult<T> {
  readonly rows: T[];
  readonly errors: string[];
}

const ZONED = /(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_LOCAL = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

/** Epoch ms, RFC 3339 with a zone, or a zone-less local time at `utcOffsetMinutes` east of UTC. */
export function parseTimestamp(s: string, utcOffsetMinutes: number): number | undefined {
  if (/^\d{10,}$/.test(s)) return Number(s);
  if (ZONED.test(s)) {
    const ms = Date.parse(s);
    return Number.isNaN(ms) ? undefined : ms;
  }
  if (!ISO_LOCAL.test(s)) return undefined;
  const asUtc = Date.parse(`${s.replace(' ', 'T')}${s.length === 10 ? 'T00:00' : ''}Z`);
  return Number.isNaN(asUtc) ? undefined : asUtc - utcOffsetMinutes * 60_000;
}

function splitLines(text: string): string[][] {
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('#'))
    .map((l) => l.split(',').map((c) => c.trim()));
}

const isStationMetric = (s: string): s is StationMetric => (STATION_METRICS as readonly string[]).includes(s);

/** Station readings, one row per timestamp. */
export function parseStationCsv(text: string, utcOffsetMinutes = 420): CsvResult<StationReading> {
  const [header, ...lines] = splitLines(text);
  if (!header || header[0] !== 'ts') return { rows: [], errors: ['the header must start with `ts`'] };
  const unknown = header.slice(1).filter((h) => !isStationMetric(h));
  if (unknown.length > 0) return { rows: [], errors: [`unknown column(s): ${unknown.join(', ')} (expected ${STATION_METRICS.join(', ')})`] };
  const rows: StationReading[] = [];
  const errors: string[] = [];
  lines.forEach((cells, k) => {
    const ts = parseTimestamp(cells[0] ?? '', utcOffsetMinutes);
    if (ts === undefined) return void errors.push(`row ${k + 2}: bad timestamp '${cells[0] ?? ''}'`);
    header.slice(1).forEach((metric, j) => {
      const cell = cells[j + 1] ?? '';
      if (cell === '' || !isStationMetric(metric)) return;
      const value = Number(cell);
      if (Number.isFinite(value)) rows.push({ ts, metric, value });
      else errors.push(`row ${k + 2}: ${metric} '${cell}' is not a number`);
    });
  });
  return { rows, errors };
}

/** Daily ET0 (mm), rain (mm) and optional irrigation (mm) per date. */
export function parseDailyCsv(text: string): CsvResult<WeatherDay> {
  const [header, ...lines] = splitLines(text);
  const col = (name: string) => header?.indexOf(name) ?? -1;
  const [iDate, iEt0, iRain, iIrr] = [col('date'), col('et0'), col('rain'), col('irrigation')];
  if (iDate < 0 || iEt0 < 0 || iRain < 0) return { rows: [], errors: ['the header must have date, et0 and rain'] };
  const rows: WeatherDay[] = [];
  const errors: string[] = [];
  lines.forEach((cells, k) => {
    const date = cells[iDate] ?? '';
    const num = (i: number) => (i < 0 || (cells[i] ?? '') === '' ? undefined : Number(cells[i]));
    const [et0Mm, rainMm, irrigationMm] = [num(iEt0), num(iRain) ?? 0, num(iIrr)];
    if (!isIsoDate(date)) return void errors.push(`row ${k + 2}: bad date '${date}'`);
    if (et0Mm === undefined || !Number.isFinite(et0Mm) || !Number.isFinite(rainMm) || (irrigationMm !== undefined && !Number.isFinite(irrigationMm))) {
      return void errors.push(`row ${k + 2}: et0, rain and irrigation must be numbers`);
    }
    rows.push({ date, et0Mm, rainMm, ...(irrigationMm !== undefined && { irrigationMm }) });
  });
  return { rows, errors };
}
