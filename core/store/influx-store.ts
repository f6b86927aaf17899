// ReadingStore on InfluxDB through the v1 HTTP API (served by 1.x, 2.x with a DBRP mapping, 3.x Core).
// Schema: measurement `readings`; tags cooperative, device, farm, field, metric; fields value (float),
// seq (integer), flags (string, comma-joined). Timestamps are written and read with ms precision.
// InfluxDB facts relied on (checked against influxd 1.6):
// - a point with the same measurement + tag set + timestamp overwrites the earlier one field by field, so
//   re-writing device + metric + ts is idempotent (the other tags follow from the device);
// - a write to a missing database is a 404, hence setup() creates it;
// - a line that fails to parse is dropped while the rest of the body is written ("partial write", 400),
//   hence every reading is checked before anything is sent;
// - 1.x line protocol unescapes only `\,` `\=` `\ ` in tag values; a backslash before one of those or at the
//   end of a value cannot be represented, a newline never can;
// - last() returns the point with the highest timestamp (not the last one written), and a lone selector
//   brings the other fields of that same point along;
// - LIMIT applies per series (per GROUP BY group); GROUP BY time() windows are aligned to the epoch;
// - FIELD is an InfluxQL keyword, so identifiers are always double-quoted;
// - a tag compared with '' matches points that lack the tag, so empty tag values are simply omitted.
import { InfluxDB, type IPoolOptions, type ISingleHostConfig } from 'influx';
import { RuongError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { ReadingFlag, StoredReading } from '../telemetry/reading.js';
import type { LatestFilter, RangeQuery, RawPoint, ReadingStore, WindowPoint } from './reading-store.js';

export interface InfluxStoreOptions {
  /** e.g. http://127.0.0.1:8086/ruong — the path names the database; user:password@ for auth. */
  readonly url: string;
  readonly log?: Logger | undefined;
  readonly timeoutMs?: number | undefined;
  /** Lines per POST /write. */
  readonly chunkSize?: number | undefined;
}

interface Series {
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
  partial?: boolean;
}
interface QueryResponse {
  results?: { series?: Series[]; error?: string }[];
  error?: string;
}

const measurement = 'readings';

/** InfluxQL string literal: backslash and single quote escaped, newline as \n. */
export function influxString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function tagValue(s: string, what: string): string {
  if (/[\r\n]|\\([,= ]|$)/.test(s)) {
    throw new RuongError('BAD_REQUEST', 'value cannot be stored as an InfluxDB tag', { [what]: s });
  }
  return s.replace(/[,= ]/g, (c) => `\\${c}`);
}

function toLine(r: StoredReading): string {
  if (!Number.isFinite(r.value)) throw new RuongError('BAD_REQUEST', 'value is not finite', { deviceId: r.deviceId });
  if (!Number.isSafeInteger(r.ts)) throw new RuongError('BAD_REQUEST', 'timestamp is not integer ms', { ts: r.ts });
  let line = measurement;
  const tags: [string, string][] = [
    ['cooperative', r.cooperativeId], ['device', r.deviceId], ['farm', r.farmId], ['field', r.fieldId], ['metric', r.metric],
  ]; // sorted by key: InfluxDB's own order, cheapest to parse
  for (const [key, value] of tags) if (value !== '') line += `,${key}=${tagValue(value, key)}`;
  line += ` value=${String(r.value)}`; // no `i` suffix: a float
  if (r.seq !== undefined) {
    if (!Number.isSafeInteger(r.seq)) throw new RuongError('BAD_REQUEST', 'seq is not an integer', { seq: r.seq });
    line += `,seq=${r.seq}i`;
  }
  if (r.flags?.length) line += `,flags="${r.flags.join(',').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  return `${line} ${r.ts}`;
}

function checkRange(q: RangeQuery): void {
  const ok = Number.isSafeInteger(q.from) && Number.isSafeInteger(q.to) &&
    (q.everyMs === undefined || (Number.isSafeInteger(q.everyMs) && q.everyMs > 0)) &&
    (q.limit === undefined || (Number.isSafeInteger(q.limit) && q.limit >= 0));
  if (!ok) throw new RuongError('BAD_REQUEST', 'range query is invalid', { from: q.from, to: q.to, everyMs: q.everyMs, limit: q.limit });
}

function where(cooperativeId: string, eq: [string, string | undefined][], devices?: readonly string[]): string {
  const parts = [`"cooperative" = ${influxString(cooperativeId)}`];
  for (const [key, value] of eq) if (value !== undefined) parts.push(`"${key}" = ${influxString(value)}`);
  if (devices) parts.push(`(${devices.map((d) => `"device" = ${influxString(d)}`).join(' OR ')})`);
  return parts.join(' AND ');
}

function column(s: Series, name: string): number {
  const i = s.columns.indexOf(name);
  if (i < 0) throw new RuongError('INTERNAL', 'influx answer lacks a column', { column: name });
  return i;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

function byDeviceThenTs(a: { deviceId: string; ts: number }, b: { deviceId: string; ts: number }): number {
  if (a.deviceId !== b.deviceId) return a.deviceId < b.deviceId ? -1 : 1;
  return a.ts - b.ts;
}

function parseUrl(raw: string): { base: string; database: string; config: ISingleHostConfig & { pool: IPoolOptions } } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RuongError('CONFIG_INVALID', 'INFLUX_URL is not a URL');
  }
  const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!database || database.includes('/') || !/^https?:$/.test(url.protocol)) {
    throw new RuongError('CONFIG_INVALID', 'INFLUX_URL must be http(s)://host:port/database');
  }
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port ? Number(url.port) : 8086; // InfluxDB's default port, not the scheme's
  const base = `${url.protocol}//${url.hostname}:${port}`;
  const username = url.username ? decodeURIComponent(url.username) : undefined;
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  const host = url.hostname.replace(/^\[|\]$/g, ''); // node:http wants IPv6 without brackets
  // No retries and no host back-off: one failed request must not make the next ones fail unseen.
  const noBackoff: NonNullable<IPoolOptions['backoff']> = { getDelay: () => 0, next: () => noBackoff, reset: () => noBackoff };
  const config = { host, port, protocol, database, username, password, pool: { maxRetries: 0, backoff: noBackoff } } satisfies ISingleHostConfig;
  return { base, database, config };
}

export function createInfluxStore(opts: InfluxStoreOptions): ReadingStore {
  const log = opts.log ?? silentLogger();
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const chunkSize = opts.chunkSize ?? 5_000;
  const { base, database, config } = parseUrl(opts.url);
  const client = new InfluxDB({ ...config, pool: { ...config.pool, requestTimeout: timeoutMs } });
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (config.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  }
  const writeUrl = `${base}/write?db=${encodeURIComponent(database)}&precision=ms`;
  let closed = false;

  function open(): void {
    if (closed) throw new RuongError('STORE_UNAVAILABLE', 'influx store is closed');
  }

  function unavailable(err: unknown, op: string): RuongError {
    if (err instanceof RuongError) return err;
    // node-influx RequestError carries the response: a 400 is a query we built wrong, not an outage.
    const status = (err as { res?: { statusCode?: number } } | null)?.res?.statusCode;
    if (status === 400) return new RuongError('INTERNAL', `influx ${op} rejected`, { cause: err instanceof Error ? err.message : String(err) });
    return new RuongError('STORE_UNAVAILABLE', `influx ${op} failed`, { cause: err instanceof Error ? err.message : String(err) });
  }

  async function run(q: string): Promise<Series[]> {
    open();
    let res: QueryResponse;
    try {
      res = (await client.queryRaw(q, { database, precision: 'ms', method: 'POST' })) as QueryResponse;
    } catch (err) {
      throw unavailable(err, 'query');
    }
    const result = res.results?.[0];
    const error = res.error ?? result?.error;
    if (error !== undefined) {
      const code = /database not found/.test(error) ? 'STORE_UNAVAILABLE' : 'INTERNAL';
      throw new RuongError(code, 'influx query failed', { error });
    }
    const series = result?.series ?? [];
    if (series.some((s) => s.partial)) log.warn({ database }, 'influx answer truncated by max-row-limit');
    return series;
  }

  async function postLines(body: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(writeUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw unavailable(err, 'write');
    }
    if (res.status === 204) return;
    const text = await res.text().catch(() => '');
    // 400 = malformed lines or a field type conflict: a bug, not an outage. 404 = database missing.
    const code = res.status === 400 || res.status === 413 ? 'INTERNAL' : 'STORE_UNAVAILABLE';
    throw new RuongError(code, 'influx write failed', { status: res.status, body: text.slice(0, 500) });
  }

  async function rawQuery(q: RangeQuery, filter: string, limit: string): Promise<RawPoint[]> {
    const series = await run(`SELECT "value" FROM "${measurement}" WHERE ${filter} GROUP BY "device" ORDER BY time ASC${limit}`);
    const points: RawPoint[] = [];
    for (const s of series) {
      const deviceId = s.tags?.device ?? '';
      const [t, v] = [column(s, 'time'), column(s, 'value')];
      for (const row of s.values ?? []) points.push({ deviceId, ts: num(row[t]), value: num(row[v]) });
    }
    return points.sort(byDeviceThenTs).slice(0, q.limit);
  }

  async function windowQuery(q: RangeQuery & { everyMs: number }, filter: string, limit: string): Promise<WindowPoint[]> {
    const series = await run(
      `SELECT mean("value"), min("value"), max("value"), sum("value"), count("value") FROM "${measurement}" ` +
        `WHERE ${filter} GROUP BY time(${q.everyMs}ms), "device" fill(none)${limit}`,
    );
    const points: WindowPoint[] = [];
    for (const s of series) {
      const deviceId = s.tags?.device ?? '';
      const cols = ['time', 'mean', 'min', 'max', 'sum', 'count'].map((c) => column(s, c));
      for (const row of s.values ?? []) {
        const [ts, mean, min, max, sum, count] = cols.map((i) => num(row[i]));
        points.push({ deviceId, ts: ts ?? 0, mean: mean ?? 0, min: min ?? 0, max: max ?? 0, sum: sum ?? 0, count: count ?? 0 });
      }
    }
    return points.sort(byDeviceThenTs).slice(0, q.limit);
  }

  function query(q: RangeQuery & { everyMs?: undefined }): Promise<RawPoint[]>;
  function query(q: RangeQuery & { everyMs: number }): Promise<WindowPoint[]>;
  function query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]>;
  async function query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]> {
    checkRange(q);
    if (q.limit === 0 || q.from >= q.to) return [];
    const tags: [string, string | undefined][] = [['metric', q.metric], ['field', q.fieldId], ['device', q.deviceId]];
    const filter = `${where(q.cooperativeId, tags)} AND time >= ${q.from}ms AND time < ${q.to}ms`;
    // LIMIT is per series; the first `limit` of the merged, sorted result lie within each series' first `limit`.
    const limit = q.limit === undefined ? '' : ` LIMIT ${q.limit}`;
    return q.everyMs === undefined ? rawQuery(q, filter, limit) : windowQuery({ ...q, everyMs: q.everyMs }, filter, limit);
  }

  return {
    kind: 'influx',

    async setup() {
      open();
      try {
        const names = await client.getDatabaseNames();
        if (names.includes(database)) return;
        await client.createDatabase(database);
        log.info({ database }, 'influx database created');
      } catch (err) {
        throw unavailable(err, 'setup');
      }
    },

    async write(batch) {
      open();
      if (batch.length === 0) return;
      const lines = batch.map(toLine); // all checked before anything is sent
      for (let i = 0; i < lines.length; i += chunkSize) await postLines(lines.slice(i, i + chunkSize).join('\n'));
    },

    async latest(filter: LatestFilter) {
      if (filter.deviceIds?.length === 0) return [];
      const series = await run(
        `SELECT last("value"), "seq", "flags" FROM "${measurement}" ` +
          `WHERE ${where(filter.cooperativeId, [['field', filter.fieldId]], filter.deviceIds)} GROUP BY *`,
      );
      // One series per full tag set: a device that moved field has several; keep its newest per metric.
      const newest = new Map<string, StoredReading>();
      for (const s of series) {
        const row = s.values?.[0];
        if (!row) continue;
        const tag = (k: string): string => s.tags?.[k] ?? '';
        const seq = row[s.columns.indexOf('seq')]; // absent column → undefined
        const flags = row[s.columns.indexOf('flags')];
        const reading: StoredReading = {
          deviceId: tag('device'), metric: tag('metric'), ts: num(row[column(s, 'time')]), value: num(row[column(s, 'last')]),
          fieldId: tag('field'), farmId: tag('farm'), cooperativeId: tag('cooperative'),
          ...(seq === null || seq === undefined ? {} : { seq: num(seq) }),
          ...(typeof flags === 'string' && flags !== '' ? { flags: flags.split(',') as ReadingFlag[] } : {}),
        };
        const key = `${reading.deviceId}\u0000${reading.metric}`;
        const seen = newest.get(key);
        if (!seen || seen.ts < reading.ts) newest.set(key, reading);
      }
      return [...newest.values()].sort((a, b) =>
        a.deviceId !== b.deviceId ? (a.deviceId < b.deviceId ? -1 : 1) : a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0,
      );
    },

    query,

    async ping() {
      if (closed) return false;
      try {
        const [stats] = await client.ping(Math.min(timeoutMs, 2_000));
        return stats?.online === true;
      } catch {
        return false;
      }
    },

    close() {
      closed = true; // node-influx and fetch keep no connection of ours open
      return Promise.resolve();
    },
  };
}
