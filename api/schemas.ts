// Request and response schemas shared by the routes. The zod schema and its type share one name; the
// OpenAPI document at /openapi.json is generated from these (z.toJSONSchema), never written by hand.
import { z } from 'zod';
import { CropId } from '../core/agronomy/crops.js';
import { soilTextureOf } from '../core/agronomy/field-soil-water.js';
import { SoilTexture as SoilTextureId } from '../core/agronomy/soil.js';
import { Role } from '../core/registry/type-schemas.js';
import { parseMetricKey } from '../core/telemetry/metrics.js';

export const DAY_MS = 86_400_000;

/** Ids that come from a URL or a body: letters, digits, `-`, `_`, `.`, `:` — nothing that needs escaping. */
export const Id = z.string().min(1).max(100).regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'must be letters, digits, ".", "_", "-" or ":"');
export const IdParams = z.object({ id: Id });
export type IdParams = z.infer<typeof IdParams>;

const durationUnits: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };
/** `15m`, `1h`, `1d`, `30s` or a number of milliseconds. */
export const Duration = z
  .string()
  .regex(/^(\d+)(ms|s|m|h|d)?$/, 'must be a duration like 15m, 1h, 1d or milliseconds')
  .transform((s) => {
    const m = /^(\d+)(ms|s|m|h|d)?$/.exec(s)!;
    return Number(m[1]) * (m[2] && m[2] !== 'ms' ? durationUnits[m[2]]! : 1);
  })
  .refine((ms) => ms >= 1000 && ms <= 366 * DAY_MS, 'must be between 1s and 366d')
  .describe('window length: 15m, 1h, 1d or milliseconds');

/** An RFC 3339 time or epoch milliseconds. */
export const Instant = z.union([
  z.string().regex(/^\d{1,15}$/).transform(Number),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
], { error: 'must be an RFC 3339 time or epoch milliseconds' }).describe('RFC 3339 time or epoch milliseconds');

export const MetricKey = z.string().max(64).refine((m) => parseMetricKey(m) !== undefined, 'is not a known metric')
  .describe('a metric of GET /api/v1/catalogue, with a depth where it has one: soil_moisture@20cm');

export const Limit = (max: number, def: number) => z.coerce.number().int().min(1).max(max).default(def);

// ── GeoJSON (RFC 7946): positions are [longitude, latitude] ──
const Position = z.tuple([z.number().min(-180).max(180), z.number().min(-90).max(90)]);
export const GeoPoint = z.strictObject({ type: z.literal('Point'), coordinates: Position });
export type GeoPoint = z.infer<typeof GeoPoint>;
export const GeoPolygon = z
  .strictObject({ type: z.literal('Polygon'), coordinates: z.array(z.array(Position).min(4).max(2000)).min(1).max(20) })
  .refine((p) => p.coordinates.every((ring) => ring[0]![0] === ring.at(-1)![0] && ring[0]![1] === ring.at(-1)![1]), {
    message: 'every ring must be closed (its last position equals its first, RFC 7946 §3.1.6)', path: ['coordinates'],
  });
export type GeoPolygon = z.infer<typeof GeoPolygon>;

// ── farms ──
// Ids are assigned by the server: a chosen id could collide with another tenant's and reveal it.
export const FarmCreate = z.strictObject({
  name: z.string().trim().min(1).max(100),
  province: z.string().max(100).nullable().optional(),
  location: GeoPoint.nullable().optional(),
  elevationM: z.number().min(-100).max(9000).nullable().optional(),
});
export type FarmCreate = z.infer<typeof FarmCreate>;
export const FarmUpdate = FarmCreate.partial();
export type FarmUpdate = z.infer<typeof FarmUpdate>;

export const FarmOut = z.object({
  id: z.string(), cooperativeId: z.string(), name: z.string(), province: z.string().nullable(),
  lat: z.number().nullable(), lon: z.number().nullable(), elevationM: z.number().nullable(), location: GeoPoint.nullable(),
});
export type FarmOut = z.infer<typeof FarmOut>;

// ── fields ──
const SoilTexture = z.preprocess((v) => (typeof v === 'string' ? (soilTextureOf(v) ?? v) : v), SoilTextureId);
export const FieldCreate = z.strictObject({
  farmId: Id,
  name: z.string().trim().min(1).max(100),
  crop: CropId,
  plantingDate: z.iso.date().nullable().optional(),
  soilTexture: SoilTexture.nullable().optional(),
  areaHa: z.number().positive().max(100_000).nullable().optional(),
  pumpFlowM3h: z.number().positive().max(100_000).nullable().optional(),
  location: GeoPoint.nullable().optional(),
  outline: GeoPolygon.nullable().optional(),
});
export type FieldCreate = z.infer<typeof FieldCreate>;
export const FieldUpdate = FieldCreate.partial();
export type FieldUpdate = z.infer<typeof FieldUpdate>;

export const DeviceSummary = z.object({ id: z.string(), kind: z.string(), name: z.string(), revoked: z.boolean() });
export const FieldOut = z.object({
  id: z.string(), farmId: z.string(), cooperativeId: z.string(), farmName: z.string(), name: z.string(), crop: z.string(),
  plantingDate: z.string().nullable(), soilTexture: z.string().nullable(), areaHa: z.number().nullable(), pumpFlowM3h: z.number().nullable(),
  lat: z.number().nullable(), lon: z.number().nullable(), location: GeoPoint.nullable(), outline: z.unknown().nullable(),
  devices: z.array(DeviceSummary),
});
export type FieldOut = z.infer<typeof FieldOut>;

// ── readings ──
export const ReadingOut = z.object({
  deviceId: z.string(), metric: z.string(), ts: z.string(), value: z.number(), unit: z.string().nullable(), flags: z.array(z.string()),
});
export const LatestOut = z.object({ fieldId: z.string(), readings: z.array(ReadingOut) });

export const ReadingsQuery = z
  .strictObject({
    metric: MetricKey,
    from: Instant.optional(),
    to: Instant.optional(),
    every: Duration.optional(),
    device: Id.optional(),
  })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: 'from must be before to', path: ['from'] });
export type ReadingsQuery = z.infer<typeof ReadingsQuery>;

export const CsvQuery = z
  .strictObject({ metric: MetricKey, from: Instant.optional(), to: Instant.optional(), device: Id.optional() })
  .refine((q) => q.from === undefined || q.to === undefined || q.from < q.to, { message: 'from must be before to', path: ['from'] });
export type CsvQuery = z.infer<typeof CsvQuery>;

// A series as columns (api/series.ts): the i-th entry of every array is one point.
const RawSeriesOut = z.object({
  deviceId: z.string(), ts: z.array(z.number()).describe('epoch ms'), value: z.array(z.number()),
}).describe('raw readings of one device (everyMs null)');
const WindowSeriesOut = z.object({
  deviceId: z.string(), ts: z.array(z.number()).describe('window start, epoch ms'), mean: z.array(z.number()), min: z.array(z.number()),
  max: z.array(z.number()), sum: z.array(z.number()), count: z.array(z.number()).describe('readings in the window'),
}).describe('windows of one device (everyMs set)');
export const ReadingsOut = z.object({
  fieldId: z.string(), metric: z.string(), unit: z.string().nullable(), from: z.string(), to: z.string(),
  everyMs: z.number().nullable().describe('window length; null = raw points'),
  downsampled: z.boolean().describe('true when the server chose or widened the window to keep ≤ maxPoints per series'),
  truncated: z.boolean(), maxPoints: z.number(),
  series: z.array(z.union([WindowSeriesOut, RawSeriesOut])).describe('one per device, ordered by device id; the i-th entry of each array is one point'),
});

// ── accounts ──
const Password = z.string().min(10, 'must be at least 10 characters').max(200);
export const UserCreate = z.strictObject({
  username: z.string().trim().min(2).max(60).regex(/^[A-Za-z0-9._@-]+$/, 'must be letters, digits, ".", "_", "@" or "-"'),
  password: Password,
  role: Role,
  displayName: z.string().trim().max(100).nullable().optional(),
  language: z.enum(['vi', 'en']).default('vi'),
  farmIds: z.array(Id).max(500).default([]),
});
export type UserCreate = z.infer<typeof UserCreate>;
export const UserUpdate = z.strictObject({
  password: Password.optional(), role: Role.optional(), displayName: z.string().trim().max(100).nullable().optional(),
  language: z.enum(['vi', 'en']).optional(), farmIds: z.array(Id).max(500).optional(),
});
export type UserUpdate = z.infer<typeof UserUpdate>;
export const UserOut = z.object({
  id: z.string(), username: z.string(), displayName: z.string().nullable(), role: Role, language: z.string(), farmIds: z.array(z.string()), createdAt: z.string(),
});

export const ApiKeyCreate = z.strictObject({ name: z.string().trim().min(1).max(100), role: z.enum(['admin', 'technician', 'viewer']) });
export type ApiKeyCreate = z.infer<typeof ApiKeyCreate>;
export const ApiKeyOut = z.object({
  id: z.string(), name: z.string(), role: z.string(), prefix: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable(), revokedAt: z.string().nullable(),
});

export const ErrorOut = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.record(z.string(), z.unknown()).optional() }),
});

export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
