// The native payload (architecture.md, wire contract):
//   {"ts": <epoch ms | RFC 3339>, "seq": <n>, "readings": {"soil_moisture": 23.4, ...}}
// or an array of these (a buffered backlog). A message that is not JSON or not this shape is rejected
// whole; a single bad value (unknown metric, out of bounds, timestamp in the future) is rejected alone
// and the good readings beside it are kept.
import { z } from 'zod';
import { RuongError, type ErrorCode } from '../../errors.js';
import { isWithinBounds, parseMetricKey } from '../metrics.js';
import type { Reading, ReadingFlag } from '../reading.js';

const MAX_BACKLOG_ENTRIES = 5_000;
const MAX_READINGS_PER_ENTRY = 64;

const Timestamp = z.union([
  z.number().int().nonnegative(),
  z.iso.datetime({ offset: true }).transform((s) => Date.parse(s)),
]);

export const NativeEntry = z.strictObject({
  ts: Timestamp.optional(),
  seq: z.number().int().nonnegative().optional(),
  readings: z.record(z.string().max(64), z.number()).refine((r) => Object.keys(r).length > 0, 'must hold at least one reading').refine((r) => Object.keys(r).length <= MAX_READINGS_PER_ENTRY, `at most ${MAX_READINGS_PER_ENTRY} readings per entry`),
});
export type NativeEntry = z.infer<typeof NativeEntry>;

export const NativeBacklog = z.array(NativeEntry).min(1).max(MAX_BACKLOG_ENTRIES);
export const NativePayload = z.union([NativeEntry, NativeBacklog]);
export type NativePayload = z.infer<typeof NativePayload>;

export interface RejectedValue {
  readonly metric: string;
  readonly value: unknown;
  readonly ts: number | undefined;
  readonly code: ErrorCode;
  readonly reason: string;
}

export interface DecodeResult {
  readonly readings: Reading[];
  readonly rejected: RejectedValue[];
}

export interface DecodeOptions {
  readonly now: number;
  /** Readings further in the future than this are rejected (issue 4: 5 minutes). */
  readonly maxFutureMs?: number;
  /** Readings older than this (the raw retention) are rejected; undefined = no limit. */
  readonly maxAgeMs?: number | undefined;
}

export function parseJson(payload: Buffer | string): unknown {
  try {
    return JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (err) {
    throw new RuongError('PAYLOAD_NOT_JSON', `payload is not valid JSON: ${(err as Error).message}`);
  }
}

function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

export function decodeNative(deviceId: string, payload: Buffer | string, opts: DecodeOptions): DecodeResult {
  const json = parseJson(payload);
  // Parse with the branch the input's shape selects, so the error names the bad field.
  const parsed = Array.isArray(json) ? NativeBacklog.safeParse(json) : NativeEntry.safeParse(json);
  if (!parsed.success) {
    throw new RuongError('PAYLOAD_INVALID', `payload does not match the native schema — ${describeZodError(parsed.error)}`);
  }
  const entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
  const readings: Reading[] = [];
  const rejected: RejectedValue[] = [];
  const maxFuture = opts.maxFutureMs ?? 5 * 60_000;
  for (const entry of entries) {
    const flags: ReadingFlag[] = entry.ts === undefined ? ['no_device_time'] : [];
    const ts = entry.ts ?? opts.now;
    for (const [metric, value] of Object.entries(entry.readings)) {
      const problem = checkValue(metric, value, ts, opts.now, maxFuture, opts.maxAgeMs);
      if (problem) {
        rejected.push({ metric, value, ts, ...problem });
        continue;
      }
      readings.push({ deviceId, metric, ts, value, seq: entry.seq, flags: flags.length ? flags : undefined });
    }
  }
  return { readings, rejected };
}

function checkValue(
  metric: string,
  value: number,
  ts: number,
  now: number,
  maxFutureMs: number,
  maxAgeMs: number | undefined,
): { code: ErrorCode; reason: string } | undefined {
  const key = parseMetricKey(metric);
  if (!key) return { code: 'METRIC_UNKNOWN', reason: `metric "${metric}" is not in the catalogue` };
  if (!isWithinBounds(key.spec, value)) {
    return { code: 'VALUE_OUT_OF_BOUNDS', reason: `${metric} = ${value} is outside ${key.spec.min}…${key.spec.max} ${key.spec.unit}` };
  }
  if (ts > now + maxFutureMs) {
    return { code: 'TIMESTAMP_IN_FUTURE', reason: `timestamp ${new Date(ts).toISOString()} is more than ${maxFutureMs / 60_000} min in the future` };
  }
  if (maxAgeMs !== undefined && ts < now - maxAgeMs) {
    return { code: 'TIMESTAMP_TOO_OLD', reason: `timestamp ${new Date(ts).toISOString()} is older than the raw retention` };
  }
  return undefined;
}

/** Encodes a native payload — used by the firmware simulator and tests. */
export function encodeNative(entry: NativeEntry | NativeEntry[]): string {
  return JSON.stringify(entry);
}
