// A device profile says how a codec's field names map to our metrics (issue 4): LoRaWAN network servers
// publish whatever the vendor's payload codec returns (Dragino: `water_SOIL`, SenseCAP: measurement id
// 4103 …), ThingsBoard devices their own keys. The mapping is data, stored in the registry per profile;
// a device without a profile must use our metric names as its field names.
import { z } from 'zod';
import { parseMetricKey } from './metrics.js';

export const FieldMapping = z.strictObject({
  /** A catalogue metric, optionally with a depth: `soil_moisture@20cm`. */
  metric: z.string().refine((m) => parseMetricKey(m) !== undefined, 'is not a catalogue metric'),
  /** canonical = wire × scale + offset (e.g. µS/cm → dS/m: scale 0.001). */
  scale: z.number().finite().optional(),
  offset: z.number().finite().optional(),
});
export type FieldMapping = z.infer<typeof FieldMapping>;

/** A dot path into the decoded payload: `soil.moisture`, `messages.0.value`. */
const Path = z.string().min(1).max(200);

export const DeviceProfile = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, . _ -'),
  name: z.string().min(1).max(200),
  vendor: z.string().max(100).optional(),
  model: z.string().max(100).optional(),
  description: z.string().max(2000).optional(),
  /** Decoded-payload path → metric; fields absent from an uplink are simply not reported. */
  fields: z.record(Path, FieldMapping).default({}),
  /** Codecs that return a list of `{id, value}` records (SenseCAP: `messages[]{measurementId,
   * measurementValue}`, possibly nested in arrays): records whose id is in `map` become readings. */
  measurements: z
    .strictObject({ path: Path, idKey: z.string().min(1), valueKey: z.string().min(1), map: z.record(z.string(), FieldMapping) })
    .optional(),
  /** Path of the measurement time in the decoded payload (epoch s, epoch ms or RFC 3339), when the codec has one. */
  time: Path.optional(),
});
export type DeviceProfile = z.infer<typeof DeviceProfile>;

/** A value mapped from a codec field: a number when it was numeric, else the raw value (→ dead letter). */
export interface MappedValue {
  readonly metric: string;
  readonly value: unknown;
}

/** The value at a dot path, or undefined. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** A number, or a numeric string (many codecs return `value.toFixed(2)`); undefined otherwise. */
export function numeric(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?\s*$/i.test(v)) return Number(v);
  return undefined;
}

function apply(map: FieldMapping, raw: unknown): MappedValue {
  const n = numeric(raw);
  if (n === undefined) return { metric: map.metric, value: raw };
  if (map.scale === undefined && map.offset === undefined) return { metric: map.metric, value: n };
  // Rounded to 12 significant digits: 412 × 0.001 is 0.412, not 0.41200000000000003.
  return { metric: map.metric, value: Number((n * (map.scale ?? 1) + (map.offset ?? 0)).toPrecision(12)) };
}

function flatten(v: unknown): unknown[] {
  return Array.isArray(v) ? v.flatMap(flatten) : [v];
}

/** Maps a decoded payload through a profile; without one, every top-level key is taken as a metric name. */
export function mapDecoded(obj: Record<string, unknown>, profile: DeviceProfile | undefined): MappedValue[] {
  if (!profile) return Object.entries(obj).map(([metric, value]) => ({ metric, value: numeric(value) ?? value }));
  const out: MappedValue[] = [];
  for (const [path, map] of Object.entries(profile.fields)) {
    const raw = valueAt(obj, path);
    if (raw !== undefined && raw !== null) out.push(apply(map, raw));
  }
  const m = profile.measurements;
  if (m) {
    for (const rec of flatten(valueAt(obj, m.path))) {
      if (rec === null || typeof rec !== 'object') continue;
      const id = (rec as Record<string, unknown>)[m.idKey];
      const map = typeof id === 'string' || typeof id === 'number' ? m.map[String(id)] : undefined;
      if (map) out.push(apply(map, (rec as Record<string, unknown>)[m.valueKey]));
    }
  }
  return out;
}
