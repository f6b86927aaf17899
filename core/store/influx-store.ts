// ReadingStore on InfluxDB through the v1 HTTP API (served by 1.x, 2.x with a DBRP mapping, 3.x Core).
// Schema: measurement `readings` in retention policy `ruong_raw` (the raw retention, default of the
// database); tags cooperative, device, farm, field, metric; fields value (float), seq (integer), flags
// (string, comma-joined). Each device's sequence state: measurement `sequence_state`, written with the
// readings it counts (core/store/influx-sequences.ts). Hourly and daily rollups `rollup_1h` / `rollup_1d` in `ruong_rollups`
// (infinite), kept by core/store/influx-rollups.ts. Timestamps are written and read with ms precision.
// InfluxDB facts relied on (checked against influxd 1.6):
// - a point with the same measurement + tag set + timestamp overwrites the earlier one field by field, so
//   re-writing device + metric + ts is idempotent (the other tags follow from the device);
// - a write to a missing database is a 404, hence setup() creates it;
// - a line that fails to parse is dropped while the rest of the body is written ("partial write", 400),
//   hence every reading is checked before anything is sent; points older than the retention policy are
//   dropped the same way ("points beyond retention policy"), which is what retention means, so that one
//   partial write is taken as success;
// - last() returns the point with the highest timestamp (not the last one written), and a lone selector
//   brings the other fields of that same point along;
// - LIMIT applies per series (per GROUP BY group); GROUP BY time() windows are aligned to the epoch;
// - statements separated by `;` in one request run in order, each answered as its own result (statement_id):
//   a window query is one round trip (windowQuery).
import type { IPoolOptions, ISingleHostConfig } from 'influx';
import { RuongError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import type { ReadingFlag, StoredReading } from '../telemetry/reading.js';
import { ReadingColumns } from '../telemetry/reading-columns.js';
import type { SequenceState } from '../telemetry/sequence.js';
import {
  column, createLineBuilder, lineBodies, num, type LineBody, parseGoDuration, RAW_RP, READINGS, ROLLUP_RP, where, type QueryResponse, type Series,
} from './influx-lines.js';
import { createLinePoster, type HttpAnswer } from './influx-http.js';
import { createInfluxRollups } from './influx-rollups.js';
import { newestStateQuery, sequenceLines, stateQueries, statesOf, stateTime } from './influx-sequences.js';
import type { LatestFilter, RangeQuery, RawPoint, ReadingStore, WindowPoint } from './reading-store.js';
import { mergeWindows, planSegments, type Segment } from './rollups.js';
import { requireCommonJs } from '../require-commonjs.js';

// Loaded with `require`, not lexed at every start: core/require-commonjs.ts.
const { InfluxDB } = requireCommonJs('influx') as typeof import('influx');

const samePlan = (a: readonly Segment[], b: readonly Segment[]) =>
  a.length === b.length && a.every((s, i) => s.source === b[i]!.source && s.from === b[i]!.from && s.to === b[i]!.to);

export { influxString } from './influx-lines.js';

export interface InfluxStoreOptions {
  /** e.g. http://127.0.0.1:8086/ruong — the path names the database; user:password@ for auth. */
  readonly url: string;
  readonly log?: Logger | undefined;
  readonly timeoutMs?: number | undefined;
  /** Lines per POST /write (default 20,000). */
  readonly chunkSize?: number | undefined;
  /** Raw retention (the `ruong_raw` policy's duration, whole hours, at least 1 h); undefined = infinite. */
  readonly rawRetentionMs?: number | undefined;
}

const measurement = `"${RAW_RP}"."${READINGS}"`;
/** A line buffer larger than this (a batch far above INGEST_BATCH_SIZE's default) is not kept for the next. */
const MAX_SPARE_BYTES = 16 * 1024 * 1024;

function checkRange(q: RangeQuery): void {
  const ok = Number.isSafeInteger(q.from) && Number.isSafeInteger(q.to) &&
    (q.everyMs === undefined || (Number.isSafeInteger(q.everyMs) && q.everyMs > 0)) &&
    (q.limit === undefined || (Number.isSafeInteger(q.limit) && q.limit >= 0));
  if (!ok) throw new RuongError('BAD_REQUEST', 'range query is invalid', { from: q.from, to: q.to, everyMs: q.everyMs, limit: q.limit });
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
  // 20,000 lines (~3 MB, far below influxd's 25 MB max-body-size): influxd spends ~12 % less CPU per point
  // than on 5,000-line bodies (bench/pipeline/influx-costs.ts, docs/benchmarks.md).
  const chunkSize = opts.chunkSize ?? 20_000;
  const { base, database, config } = parseUrl(opts.url);
  const client = new InfluxDB({ ...config, pool: { ...config.pool, requestTimeout: timeoutMs } });
  const headers: Record<string, string> = { 'content-type': 'text/plain; charset=utf-8' };
  if (config.username !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}`;
  }
  const writeUrl = (rp: string) => `${base}/write?db=${encodeURIComponent(database)}&rp=${encodeURIComponent(rp)}&precision=ms`;
  const lines = createLineBuilder();
  const poster = createLinePoster({ https: config.protocol === 'https', timeoutMs });
  let closed = false;
  /** The newest sequence state time in the store (influx-sequences.ts): later states are never written before it. */
  let stateWritten = 0;
  /** The line buffer of the last write, once answered: the next batch is encoded into it (influx-lines.ts). */
  let spare: Buffer | undefined;
  /** Writes and rollup refreshes run one at a time (influx-rollups.ts). */
  let exclusive: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = exclusive.then(fn, fn);
    exclusive = next.catch(() => undefined);
    return next;
  };

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

  /** Several statements in one request (`;`-separated): influxd runs them in order and answers each. */
  async function runAll(qs: readonly string[]): Promise<Series[][]> {
    open();
    let res: QueryResponse;
    try {
      res = (await client.queryRaw(qs.join(';\n'), { database, precision: 'ms', method: 'POST' })) as QueryResponse;
    } catch (err) {
      throw unavailable(err, 'query');
    }
    const error = res.error ?? res.results?.find((r) => r.error !== undefined)?.error;
    if (error !== undefined) {
      const code = /database not found/.test(error) ? 'STORE_UNAVAILABLE' : 'INTERNAL';
      throw new RuongError(code, 'influx query failed', { error });
    }
    return qs.map((_, i) => {
      const result = res.results?.find((r) => r.statement_id === i) ?? res.results?.[i];
      const series = result?.series ?? [];
      if (series.some((s) => s.partial)) log.warn({ database }, 'influx answer truncated by max-row-limit');
      return series;
    });
  }

  async function run(q: string): Promise<Series[]> {
    return (await runAll([q]))[0] ?? [];
  }

  async function postLines(body: LineBody, rp: string): Promise<void> {
    let res: HttpAnswer;
    try {
      res = await poster.post(writeUrl(rp), headers, body);
    } catch (err) {
      throw unavailable(err, 'write');
    }
    if (res.status === 204) return;
    const text = res.text;
    if (res.status === 400 && /^\{"error":"partial write: points beyond retention policy dropped=\d+"\}/.test(text.trim())) {
      log.debug({ body: text.slice(0, 200) }, 'influx dropped points older than the retention policy');
      return;
    }
    // 400 = malformed lines or a field type conflict: a bug, not an outage. 404 = database missing.
    const code = res.status === 400 || res.status === 413 ? 'INTERNAL' : 'STORE_UNAVAILABLE';
    throw new RuongError(code, 'influx write failed', { status: res.status, body: text.slice(0, 500) });
  }

  const rollups = createInfluxRollups({ run, post: postLines });

  async function writeColumns(batch: ReadingColumns, states?: ReadonlyMap<string, SequenceState>): Promise<void> {
    open();
    if (batch.length === 0 && !states?.size) return;
    const encoded = lines.encode(batch, spare); // all checked before anything is sent
    if (encoded.bytes === spare) spare = undefined; // taken: a write meanwhile encodes into its own
    const ts = states?.size ? stateTime(Date.now(), stateWritten) : 0;
    const stateText = states?.size ? sequenceLines(states, ts) : ''; // (encoded now: the caller owns the states)
    await serial(async () => {
      // Marks first: a batch cut short by a failure never leaves readings without their mark. Sequence states
      // last: they are never stored unless every reading before them is (influx-sequences.ts).
      const marks = rollups.markLines(batch);
      try {
        for (const body of lineBodies(marks.lines, encoded, chunkSize, stateText)) await postLines(body, RAW_RP);
      } catch (err) {
        rollups.forget(marks.keys);
        throw err; // (its buffer is not reused: a request that failed may still hold it)
      }
      stateWritten = Math.max(stateWritten, ts);
      if (encoded.bytes.length <= MAX_SPARE_BYTES) spare = encoded.bytes; // every request that held it has been answered
    });
  }

  async function rawQuery(q: RangeQuery, filter: string, limit: string): Promise<RawPoint[]> {
    const series = await run(`SELECT "value" FROM ${measurement} WHERE ${filter} GROUP BY "device" ORDER BY time ASC${limit}`);
    const points: RawPoint[] = [];
    for (const s of series) {
      const deviceId = s.tags?.device ?? '';
      const [t, v] = [column(s, 'time'), column(s, 'value')];
      for (const row of s.values ?? []) points.push({ deviceId, ts: num(row[t]), value: num(row[v]) });
    }
    return points.sort(byDeviceThenTs).slice(0, q.limit);
  }

  function rawWindowsQuery(filter: string, from: number, to: number, every: number, limit: string): string {
    return `SELECT mean("value"), min("value"), max("value"), sum("value"), count("value") FROM ${measurement} ` +
      `WHERE ${filter} AND time >= ${from}ms AND time < ${to}ms GROUP BY time(${every}ms), "device" fill(none)${limit}`;
  }

  function rawWindowsOf(series: readonly Series[]): WindowPoint[] {
    const points: WindowPoint[] = [];
    for (const s of series) {
      const deviceId = s.tags?.device ?? '';
      const cols = ['time', 'mean', 'min', 'max', 'sum', 'count'].map((c) => column(s, c));
      for (const row of s.values ?? []) {
        const [ts, mean, min, max, sum, count] = cols.map((i) => num(row[i]));
        points.push({ deviceId, ts: ts ?? 0, mean: mean ?? 0, min: min ?? 0, max: max ?? 0, sum: sum ?? 0, count: count ?? 0 });
      }
    }
    return points.sort(byDeviceThenTs);
  }

  async function windowQuery(q: RangeQuery & { everyMs: number }, filter: string, limit: string): Promise<WindowPoint[]> {
    // One round trip in the usual case: the dirty marks of the range and the segments planned as if none were
    // stale go in one request. Only when a mark lies in an hour the plan reads from rollups (a late reading not
    // yet refreshed, at most ROLLUP_REFRESH_S after an hour ends otherwise) is the exact plan asked in a second.
    // Marks are per device (no metric tag): any mark of a matching device makes its hour stale.
    const segmentQuery = (seg: Segment) => seg.source === 'raw'
      ? rawWindowsQuery(filter, seg.from, seg.to, q.everyMs, limit)
      : rollups.windowsQuery(seg.source, filter, seg.from, seg.to, q.everyMs, limit);
    let plan = planSegments(q.from, q.to, q.everyMs);
    let answers: Series[][];
    if (plan.some((seg) => seg.source !== 'raw')) {
      const markFilter = where(q.cooperativeId, [['field', q.fieldId], ['device', q.deviceId]]);
      const [marks = [], ...parts] = await runAll([rollups.staleHoursQuery(markFilter, q.from, q.to), ...plan.map(segmentQuery)]);
      answers = parts;
      const stale = rollups.staleHoursOf(marks);
      const exact = stale.size ? planSegments(q.from, q.to, q.everyMs, stale) : plan;
      if (!samePlan(exact, plan)) {
        plan = exact;
        answers = await runAll(plan.map(segmentQuery));
      }
    } else {
      answers = await runAll(plan.map(segmentQuery));
    }
    const parts = plan.map((seg, i) => (seg.source === 'raw' ? rawWindowsOf(answers[i] ?? []) : rollups.windowsOf(answers[i] ?? [])));
    return mergeWindows(parts).slice(0, q.limit);
  }

  function query(q: RangeQuery & { everyMs?: undefined }): Promise<RawPoint[]>;
  function query(q: RangeQuery & { everyMs: number }): Promise<WindowPoint[]>;
  function query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]>;
  async function query(q: RangeQuery): Promise<RawPoint[] | WindowPoint[]> {
    checkRange(q);
    if (q.limit === 0 || q.from >= q.to) return [];
    const filter = where(q.cooperativeId, [['metric', q.metric], ['field', q.fieldId], ['device', q.deviceId]]);
    // LIMIT is per series; the first `limit` of the merged, sorted result lie within each series' first `limit`.
    const limit = q.limit === undefined ? '' : ` LIMIT ${q.limit}`;
    if (q.everyMs === undefined) return rawQuery(q, `${filter} AND time >= ${q.from}ms AND time < ${q.to}ms`, limit);
    return windowQuery({ ...q, everyMs: q.everyMs }, filter, limit);
  }

  async function ensurePolicies(): Promise<void> {
    const rawDuration = opts.rawRetentionMs === undefined ? 'INF' : `${Math.max(1, Math.ceil(opts.rawRetentionMs / 3_600_000))}h`;
    const wantMs = rawDuration === 'INF' ? 0 : parseGoDuration(rawDuration);
    const series = await run(`SHOW RETENTION POLICIES ON "${database.replace(/"/g, '\\"')}"`);
    const rows = series[0]?.values ?? [];
    const cols = series[0]?.columns ?? [];
    const policy = (name: string) => rows.find((r) => r[cols.indexOf('name')] === name);
    const db = `"${database.replace(/"/g, '\\"')}"`;
    const raw = policy(RAW_RP);
    if (!raw) {
      await run(`CREATE RETENTION POLICY "${RAW_RP}" ON ${db} DURATION ${rawDuration} REPLICATION 1 DEFAULT`);
      log.info({ database, duration: rawDuration }, 'influx raw retention policy created');
    } else if (parseGoDuration(String(raw[cols.indexOf('duration')])) !== wantMs || raw[cols.indexOf('default')] !== true) {
      await run(`ALTER RETENTION POLICY "${RAW_RP}" ON ${db} DURATION ${rawDuration} DEFAULT`);
      log.info({ database, duration: rawDuration }, 'influx raw retention policy changed');
    }
    if (!policy(ROLLUP_RP)) await run(`CREATE RETENTION POLICY "${ROLLUP_RP}" ON ${db} DURATION INF REPLICATION 1`);
  }

  return {
    kind: 'influx',

    async setup() {
      open();
      try {
        const names = await client.getDatabaseNames();
        if (!names.includes(database)) {
          await client.createDatabase(database);
          log.info({ database }, 'influx database created');
        }
      } catch (err) {
        throw unavailable(err, 'setup');
      }
      await ensurePolicies();
      const newest = (await run(newestStateQuery))[0]?.values?.[0]?.[0];
      if (newest !== undefined) stateWritten = Math.max(stateWritten, num(newest));
    },

    write(batch, states) {
      return writeColumns(ReadingColumns.from(batch), states);
    },

    writeColumns,

    async sequenceStates(deviceIds) {
      const out = new Map<string, SequenceState>();
      if (deviceIds?.length === 0) return out;
      for (const q of stateQueries(deviceIds)) statesOf(await run(q), out);
      return out;
    },

    async latest(filter: LatestFilter) {
      if (filter.deviceIds?.length === 0) return [];
      const series = await run(
        `SELECT last("value"), "seq", "flags" FROM ${measurement} ` +
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

    async refreshRollups() {
      open();
      return serial(() => rollups.refresh());
    },

    async pruneRaw(before: number) {
      if (!Number.isSafeInteger(before)) throw new RuongError('BAD_REQUEST', 'prune time is not integer ms');
      // The retention policy drops whole shards on its own; this removes exactly what is older than `before`.
      // Rollups first, so no window is left to be recomputed from readings about to go.
      await serial(async () => {
        await rollups.refresh();
        await run(`DELETE FROM "${READINGS}" WHERE time < ${before}ms`);
      });
    },

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
      closed = true; // node-influx keeps no connection of ours open; the writes' keep-alive sockets close here
      poster.close();
      return Promise.resolve();
    },
  };
}
