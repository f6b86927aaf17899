// InfluxDB 1.x line protocol and InfluxQL helpers shared by the store and its rollups.
// Facts relied on (influxd 1.6): 1.x line protocol unescapes only `\,` `\=` `\ ` in tag values, so a
// backslash before one of those or at the end of a value cannot be represented and a newline never can;
// a tag compared with '' matches points that lack the tag, so empty tag values are simply omitted;
// FIELD is an InfluxQL keyword, so identifiers are always double-quoted.
import { RuongError } from '../errors.js';
import type { StoredReading } from '../telemetry/reading.js';

export interface Series {
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
  partial?: boolean;
}
export interface QueryResponse {
  results?: { series?: Series[]; error?: string }[];
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

/**
 * Builds the line of each reading. Escaping five tags per reading dominated the cost, and a device's
 * tags repeat in every message, so the escaped tag set is cached per device + metric + field.
 */
export function createLineBuilder() {
  // device → metric → the tag set last built, with the tenancy it was built for (a device may move field).
  const cache = new Map<string, Map<string, { fieldId: string; farmId: string; cooperativeId: string; tags: string }>>();
  let size = 0;
  function tagsOf(r: StoredReading): string {
    let byMetric = cache.get(r.deviceId);
    if (!byMetric) {
      if (size >= MAX_CACHED_TAG_SETS) { cache.clear(); size = 0; }
      byMetric = new Map();
      cache.set(r.deviceId, byMetric);
    }
    const hit = byMetric.get(r.metric);
    if (hit && hit.fieldId === r.fieldId && hit.farmId === r.farmId && hit.cooperativeId === r.cooperativeId) return hit.tags;
    const tags = tagSet(r);
    if (!hit) size++;
    byMetric.set(r.metric, { fieldId: r.fieldId, farmId: r.farmId, cooperativeId: r.cooperativeId, tags });
    return tags;
  }
  return {
    tagsOf,
    line(r: StoredReading): string {
      if (!Number.isFinite(r.value)) throw new RuongError('BAD_REQUEST', 'value is not finite', { deviceId: r.deviceId });
      if (!Number.isSafeInteger(r.ts)) throw new RuongError('BAD_REQUEST', 'timestamp is not integer ms', { ts: r.ts });
      let line = `${READINGS}${tagsOf(r)} value=${r.value}`; // no `i` suffix: a float
      if (r.seq !== undefined) {
        if (!Number.isSafeInteger(r.seq)) throw new RuongError('BAD_REQUEST', 'seq is not an integer', { seq: r.seq });
        line += `,seq=${r.seq}i`;
      }
      if (r.flags?.length) line += `,flags="${r.flags.join(',').replace(/[\\"]/g, (c) => `\\${c}`)}"`;
      return `${line} ${r.ts}`;
    },
  };
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
