// InfluxDB 1.x line protocol and InfluxQL helpers shared by the store and its rollups.
// Facts relied on (influxd 1.6): 1.x line protocol unescapes only `\,` `\=` `\ ` in tag values, so a
// backslash before one of those or at the end of a value cannot be represented and a newline never can;
// a tag compared with '' matches points that lack the tag, so empty tag values are simply omitted;
// FIELD is an InfluxQL keyword, so identifiers are always double-quoted.
import { RuongError } from '../errors.js';
import type { StoredReading } from '../telemetry/reading.js';
import { ReadingColumns } from '../telemetry/reading-columns.js';

export interface Series {
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
  partial?: boolean;
}
export interface QueryResponse {
  results?: { statement_id?: number; series?: Series[]; error?: string }[];
  error?: string;
}

/** Raw readings (and the rollup dirty marks) expire with the raw retention; rollups are kept. */
export const RAW_RP = 'ruong_raw';
export const ROLLUP_RP = 'ruong_rollups';
export const READINGS = 'readings';
export const DIRTY = 'rollup_dirty';
export const HOURLY = 'rollup_1h';
export const DAILY = 'rollup_1d';

/** InfluxQL string literal: backslash and single quote escaped, newline as \n. */
export function influxString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

export function tagValue(s: string, what: string): string {
  if (/[\r\n]|\\([,= ]|$)/.test(s)) {
    throw new RuongError('BAD_REQUEST', 'value cannot be stored as an InfluxDB tag', { [what]: s });
  }
  return s.replace(/[,= ]/g, (c) => `\\${c}`);
}

/** `,cooperative=…,device=…,farm=…,field=…,metric=…` — sorted by key: InfluxDB's own order, cheapest to parse. */
export function tagSet(t: { cooperativeId: string; deviceId: string; farmId: string; fieldId: string; metric: string }): string {
  let out = '';
  if (t.cooperativeId !== '') out += `,cooperative=${tagValue(t.cooperativeId, 'cooperative')}`;
  if (t.deviceId !== '') out += `,device=${tagValue(t.deviceId, 'device')}`;
  if (t.farmId !== '') out += `,farm=${tagValue(t.farmId, 'farm')}`;
  if (t.fieldId !== '') out += `,field=${tagValue(t.fieldId, 'field')}`;
  if (t.metric !== '') out += `,metric=${tagValue(t.metric, 'metric')}`;
  return out;
}

/** The tag set of a query answer's series (GROUP BY *), in line protocol. */
export function seriesTagSet(tags: Record<string, string> | undefined): string {
  const t = tags ?? {};
  return tagSet({ cooperativeId: t.cooperative ?? '', deviceId: t.device ?? '', farmId: t.farm ?? '', fieldId: t.field ?? '', metric: t.metric ?? '' });
}

const MAX_CACHED_TAG_SETS = 200_000;

/** Line protocol of a batch in one buffer: each line ends in `\n`; reading i's line is bytes[starts[i], starts[i + 1]). */
export interface EncodedLines {
  readonly bytes: Buffer;
  readonly starts: Uint32Array;
}

interface CachedSeries { readonly fieldId: string; readonly farmId: string; readonly cooperativeId: string; readonly tags: string; prefix: Buffer | undefined }

const SPACE = 0x20;
const NEWLINE = 0x0a;
const INTEGER_SUFFIX = 0x69; // `i`
/** Bytes a line needs beyond its cached prefix and flags: value (≤ 24 chars as JS prints a double), `,seq=…i`, ` ts`, `\n`. */
const LINE_TAIL_MAX = 24 + 5 + 17 + 1 + 1 + 17 + 1;

/** Writes 0 ≤ n < 2³¹ in decimal at `at`; returns the end. (Int32 arithmetic: a third of the cost of Math.floor on doubles.) */
function writeSmall(buf: Buffer, at: number, n: number): number {
  let digits = 1;
  for (let x = n; x >= 10; x = (x / 10) | 0) digits++;
  const end = at + digits;
  for (let i = end - 1; i >= at; i--) {
    const q = (n / 10) | 0;
    buf[i] = 0x30 + n - q * 10;
    n = q;
  }
  return end;
}

/** Writes a safe integer in decimal at `at` (what String(n) prints for it); returns the end. */
function writeInteger(buf: Buffer, at: number, n: number): number {
  if (n < 0) { buf[at++] = 0x2d; n = -n; }
  if (n < 1e9) return writeSmall(buf, at, n);
  const high = Math.floor(n / 1e9); // exact: n is a safe integer
  at = writeInteger(buf, at, high);
  let low = n - high * 1e9; // the last nine digits, zero-padded
  for (let i = at + 8; i >= at; i--) {
    const q = (low / 10) | 0;
    buf[i] = 0x30 + low - q * 10;
    low = q;
  }
  return at + 9;
}

/**
 * Writes v = n / 10^k (n an integer, not a multiple of 10, |n| < 10^15) as String(v) prints it: n's digits with a
 * point k digits from the right (`0.05` for n = 5, k = 2).
 */
function writeDecimal(buf: Buffer, at: number, n: number, k: number): number {
  if (n < 0) { buf[at++] = 0x2d; n = -n; }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  const small = n < 2_147_483_648; // Int32 division below then (see writeSmall)
  let end: number, point: number;
  if (digits <= k) { // `0.`, zeros, the digits
    buf[at++] = 0x30;
    buf[at++] = 0x2e;
    for (let z = digits; z < k; z++) buf[at++] = 0x30;
    end = at + digits;
    point = -1;
  } else { // the digits with the point among them
    end = at + digits + 1;
    point = end - 1 - k;
  }
  for (let i = end - 1; i >= at; i--) {
    if (i === point) { buf[i] = 0x2e; continue; }
    const q = small ? (n / 10) | 0 : Math.floor(n / 10);
    buf[i] = 0x30 + n - q * 10;
    n = q;
  }
  return end;
}

/** Writes a finite number as JavaScript prints it (what a template literal gave: InfluxDB reads it as a float). */
function writeNumber(buf: Buffer, at: number, v: number): number {
  if (Number.isSafeInteger(v)) return writeInteger(buf, at, v);
  // Readings mostly have one to three decimals (23.4, 0.82), and String(v) was most of this function's cost. If
  // v is the double nearest n / 10^k for an integer n of at most 15 digits, the shortest decimal that reads back
  // as v (what String() prints, ECMA-262 Number::toString) is n / 10^k itself: two decimals of at most 15
  // significant digits never round to the same double (DBL_DIG = 15), and a shorter one would be one of them.
  // n / p is correctly rounded, so `n / p === v` is that test; the first k that passes leaves n not a multiple of 10.
  for (let k = 1, p = 10; k <= 3; k++, p *= 10) {
    const n = Math.round(v * p);
    if (n / p === v && n < 1e15 && n > -1e15) return writeDecimal(buf, at, n, k);
  }
  const s = String(v); // shortest round-trip form otherwise: only String() knows it; always ASCII
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
  return at + s.length;
}

function checkReading(r: StoredReading): void {
  checkFields(r.deviceId, r.value, r.ts, r.seq);
}

function checkFields(deviceId: string, value: number, ts: number, seq: number | undefined): void {
  if (!Number.isFinite(value)) throw new RuongError('BAD_REQUEST', 'value is not finite', { deviceId });
  if (!Number.isSafeInteger(ts)) throw new RuongError('BAD_REQUEST', 'timestamp is not integer ms', { ts });
  if (seq !== undefined && !Number.isSafeInteger(seq)) throw new RuongError('BAD_REQUEST', 'seq is not an integer', { seq });
}

const flagsField = (flags: readonly string[]) => `,flags="${flags.join(',').replace(/[\\"]/g, (c) => `\\${c}`)}"`;

/**
 * Builds the line of each reading. Escaping five tags per reading dominated the cost, and a device's
 * tags repeat in every message, so the escaped tag set is cached per device + metric + field; `encode`
 * writes a whole batch into one buffer (the cached `readings<tags> value=` bytes, then the numbers digit
 * by digit) instead of a string per line joined and encoded again for the socket.
 */
export function createLineBuilder() {
  // device → metric → the tag set last built, with the tenancy it was built for (a device may move field).
  const cache = new Map<string, Map<string, CachedSeries>>();
  let size = 0;
  // The device asked last and its map: a message's readings are consecutive in a batch, and one lookup per message
  // instead of one per reading is enough.
  let lastDevice: string | undefined;
  let lastByMetric: Map<string, CachedSeries> | undefined;
  function seriesOf(deviceId: string, metric: string, fieldId: string, farmId: string, cooperativeId: string): CachedSeries {
    let byMetric = deviceId === lastDevice ? lastByMetric : cache.get(deviceId);
    if (!byMetric) {
      if (size >= MAX_CACHED_TAG_SETS) { cache.clear(); size = 0; }
      byMetric = new Map();
      cache.set(deviceId, byMetric);
    }
    lastDevice = deviceId;
    lastByMetric = byMetric;
    const hit = byMetric.get(metric);
    if (hit && hit.fieldId === fieldId && hit.farmId === farmId && hit.cooperativeId === cooperativeId) return hit;
    const entry: CachedSeries = { fieldId, farmId, cooperativeId, tags: tagSet({ cooperativeId, deviceId, farmId, fieldId, metric }), prefix: undefined };
    if (!hit) size++;
    byMetric.set(metric, entry);
    return entry;
  }
  const tagsOf = (r: StoredReading): string => seriesOf(r.deviceId, r.metric, r.fieldId, r.farmId, r.cooperativeId).tags;
  return {
    tagsOf,
    /** One reading's line as a string: the readable form of the format, which `encode` (the write path) must
     *  reproduce byte for byte — test/unit/core/influx-lines.test.ts compares the two. */
    line(r: StoredReading): string {
      checkReading(r);
      let line = `${READINGS}${tagsOf(r)} value=${r.value}`; // no `i` suffix: a float
      if (r.seq !== undefined) line += `,seq=${r.seq}i`;
      if (r.flags?.length) line += flagsField(r.flags);
      return `${line} ${r.ts}`;
    },
    /** The lines of a batch (byte for byte what `line` gives, each ending in `\n`); throws before writing anything invalid. */
    encode(batch: readonly StoredReading[] | ReadingColumns, scratch?: Buffer): EncodedLines {
      const columns = batch instanceof ReadingColumns ? batch : ReadingColumns.from(batch);
      const { deviceId, metric, fieldId, farmId, cooperativeId, flags: flagLists, ts, value, seq } = columns;
      // The benchmark's lines are ~140 bytes: rarely grown. `scratch`, a buffer of an earlier batch whose write
      // is over, is written over when large enough: a fresh multi-megabyte buffer per batch is fresh pages the
      // kernel zeroes and external memory that drives V8's full collections.
      const want = Math.max(1024, batch.length * 160);
      let buf = scratch !== undefined && scratch.length >= want ? scratch : Buffer.allocUnsafe(want);
      const n = columns.length;
      const starts = new Uint32Array(n + 1);
      let at = 0;
      // A message's readings share their ts and seq, and are consecutive in the batch: the line's tail after the
      // value (`,seq=…i ts\n`, or ` ts\n`) is then the previous line's, copied byte for byte instead of written
      // digit by digit again (issue 19: the line builder was ≈ 17 % of the ingest's steady state).
      let tailFrom = -1, tailTo = -1; // the previous line's tail, when it had no flags (else -1)
      let tailTs = Number.NaN, tailSeq: number | undefined;
      for (let i = 0; i < n; i++) {
        const rSeq = seq[i];
        const rTs = ts[i]!, rValue = value[i]!;
        checkFields(deviceId[i]!, rValue, rTs, rSeq);
        const series = seriesOf(deviceId[i]!, metric[i]!, fieldId[i]!, farmId[i]!, cooperativeId[i]!);
        const prefix = (series.prefix ??= Buffer.from(`${READINGS}${series.tags} value=`, 'utf8'));
        const rFlags = flagLists[i];
        const flags = rFlags?.length ? flagsField(rFlags) : undefined;
        const need = prefix.length + LINE_TAIL_MAX + (flags === undefined ? 0 : Buffer.byteLength(flags, 'utf8'));
        if (at + need > buf.length) {
          const bigger = Buffer.allocUnsafe(Math.max(buf.length * 2, at + need));
          buf.copy(bigger, 0, 0, at);
          buf = bigger;
        }
        starts[i] = at;
        buf.set(prefix, at);
        at = writeNumber(buf, at + prefix.length, rValue);
        if (flags === undefined && tailFrom >= 0 && rTs === tailTs && rSeq === tailSeq) {
          const from = at;
          for (let j = tailFrom; j < tailTo; j++) buf[at++] = buf[j]!;
          tailFrom = from;
          tailTo = at;
          continue;
        }
        const from = at;
        if (rSeq !== undefined) {
          buf[at] = 0x2c; buf[at + 1] = 0x73; buf[at + 2] = 0x65; buf[at + 3] = 0x71; buf[at + 4] = 0x3d; // `,seq=`
          at = writeInteger(buf, at + 5, rSeq);
          buf[at++] = INTEGER_SUFFIX;
        }
        if (flags !== undefined) at += buf.write(flags, at, 'utf8');
        buf[at++] = SPACE;
        at = writeInteger(buf, at, rTs);
        buf[at++] = NEWLINE;
        if (flags === undefined) { tailFrom = from; tailTo = at; tailTs = rTs; tailSeq = rSeq; } else tailFrom = -1;
      }
      starts[n] = at;
      return { bytes: buf, starts };
    },
  };
}

/** A POST /write body: text, bytes, or bytes in parts sent one after the other (not copied into one buffer). */
export type LineBody = string | Buffer | readonly Buffer[];

/**
 * Request bodies of at most `perBody` lines: the `first` lines (text) before the encoded ones, in order, and
 * `last` (text of whole lines, each ending in `\n`) at the end of the last body, whatever its length.
 * A body holding only text lines is a string; one with encoded lines is a buffer, or the text's bytes and
 * the encoded lines as parts (the encoded batch is never copied again: at 20,000 lines that copy was a
 * twentieth of the ingest's CPU).
 */
export function lineBodies(first: readonly string[], encoded: EncodedLines, perBody: number, last = ''): LineBody[] {
  const n = encoded.starts.length - 1;
  const total = first.length + n;
  const bodies: LineBody[] = [];
  for (let i = 0; i < total; i += perBody) {
    const text = i < first.length ? first.slice(i, Math.min(first.length, i + perBody)).join('\n') : '';
    const from = Math.max(0, i - first.length);
    const to = Math.min(n, i + perBody - first.length);
    if (to <= from) { bodies.push(text); continue; }
    const lines = encoded.bytes.subarray(encoded.starts[from], encoded.starts[to]);
    bodies.push(text === '' ? lines : [Buffer.from(`${text}\n`, 'utf8'), lines]);
  }
  if (last !== '') {
    const end = bodies.pop();
    if (end === undefined || end === '') bodies.push(last);
    else if (typeof end === 'string') bodies.push(`${end}\n${last}`);
    else bodies.push([...(Buffer.isBuffer(end) ? [end] : end), Buffer.from(last, 'utf8')]);
  }
  return bodies;
}

/** A body's bytes as one buffer (tests, logs). */
export function bodyBytes(body: LineBody): Buffer {
  return typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.isBuffer(body) ? body : Buffer.concat(body);
}

export function where(cooperativeId: string, eq: [string, string | undefined][], devices?: readonly string[]): string {
  const parts = [`"cooperative" = ${influxString(cooperativeId)}`];
  for (const [key, value] of eq) if (value !== undefined) parts.push(`"${key}" = ${influxString(value)}`);
  if (devices) parts.push(`(${devices.map((d) => `"device" = ${influxString(d)}`).join(' OR ')})`);
  return parts.join(' AND ');
}

export function column(s: Series, name: string): number {
  const i = s.columns.indexOf(name);
  if (i < 0) throw new RuongError('INTERNAL', 'influx answer lacks a column', { column: name });
  return i;
}

export function num(v: unknown): number {
  return typeof v === 'number' ? v : Number(v);
}

/** Go duration text as InfluxDB prints it (`2160h0m0s`, `0s` = infinite) → ms. */
export function parseGoDuration(text: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!m) return Number.NaN;
  return ((Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 1000;
}
