// The native payload (docs/architecture.md, wire contract):
//   {"ts": <epoch ms | RFC 3339>, "seq": <n>, "readings": {"soil_moisture": 23.4, ...}}
// or an array of these (a buffered backlog). A message that is not JSON or not this shape is rejected
// whole; a single bad value (unknown metric, out of bounds, timestamp in the future) is rejected alone
// and the good readings beside it are kept.
import { z } from 'zod';
import { RuongError } from '../../errors.js';
import type { Reading } from '../reading.js';
import { checkSamples, checkValue, DEFAULT_MAX_FUTURE_MS, invalid, type Decoded, type Limits, type RejectedValue, type Sample, type Tenancy } from './decoder.js';
import type { NativeScan } from './native-bytes.js';

const MAX_BACKLOG_ENTRIES = 5_000;
export const MAX_READINGS_PER_ENTRY = 64;

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

export type { RejectedValue } from './decoder.js';

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

/** The common case checked by hand (zod costs more than the rest of the ingest's hot path); undefined = ask zod. */
function plainEntry(e: unknown): NativeEntry | undefined {
  if (e === null || typeof e !== 'object' || Array.isArray(e)) return undefined;
  const o = e as Record<string, unknown>;
  for (const k in o) if (k !== 'ts' && k !== 'seq' && k !== 'readings') return undefined;
  const { ts, seq, readings } = o;
  if (ts !== undefined && !(typeof ts === 'number' && Number.isSafeInteger(ts) && ts >= 0)) return undefined;
  if (seq !== undefined && !(typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0)) return undefined;
  if (readings === null || typeof readings !== 'object' || Array.isArray(readings)) return undefined;
  let count = 0;
  for (const k in readings) {
    if (typeof (readings as Record<string, unknown>)[k] !== 'number' || k.length > 64) return undefined;
    count++;
  }
  return count > 0 && count <= MAX_READINGS_PER_ENTRY ? (o as NativeEntry) : undefined;
}

function plainPayload(json: unknown): NativeEntry[] | undefined {
  if (!Array.isArray(json)) {
    const e = plainEntry(json);
    return e && [e];
  }
  if (json.length === 0 || json.length > MAX_BACKLOG_ENTRIES) return undefined;
  for (const e of json) if (!plainEntry(e)) return undefined;
  return json as NativeEntry[];
}

/** Validates a parsed native payload; throws PAYLOAD_INVALID naming the bad field. */
export function parseNative(json: unknown): NativeEntry[] {
  const plain = plainPayload(json);
  if (plain) return plain;
  // Parse with the branch the input's shape selects, so the error names the bad field.
  const parsed = Array.isArray(json) ? NativeBacklog.safeParse(json) : NativeEntry.safeParse(json);
  if (!parsed.success) throw invalid('native', parsed.error.issues);
  return Array.isArray(parsed.data) ? parsed.data : [parsed.data];
}

/** One sample per reading of each entry; an entry without `ts` leaves it to the receive time. */
export function nativeSamples(entries: readonly NativeEntry[]): Sample[] {
  const samples: Sample[] = [];
  for (const entry of entries) {
    const { ts, seq, readings } = entry;
    // (for…in over JSON.parse's plain object: own keys in Object.entries' order, without a pair array per reading)
    for (const metric in readings) samples.push({ metric, value: readings[metric], ts, seq });
  }
  return samples;
}

/** checkSamples(nativeSamples(entries)) without a Sample object per reading (the ingest's hot path). */
export function checkNative(entries: readonly NativeEntry[], deviceId: string, limits: Limits, tenancy: Tenancy | undefined): { readings: Reading[]; rejected: RejectedValue[] } {
  const readings: Reading[] = [];
  const rejected: RejectedValue[] = [];
  for (const { ts, seq, readings: values } of entries) {
    for (const metric in values) {
      const c = checkValue(deviceId, metric, values[metric], undefined, ts, seq, undefined, limits, tenancy);
      if ('code' in c) rejected.push(c);
      else readings.push(c);
    }
  }
  return { readings, rejected };
}

/** checkNative() of a payload read from its bytes (native-bytes.ts): the decoded message. */
export function checkScanned(scan: NativeScan, deviceId: string, limits: Limits, tenancy: Tenancy | undefined): Decoded {
  // Sized to the count (an empty array's first push allocates room for 17), cut back if some are rejected.
  const readings = new Array<Reading>(scan.count);
  const rejected: RejectedValue[] = [];
  const { ts, seq, metrics, values } = scan;
  let n = 0;
  for (let i = 0; i < scan.count; i++) {
    const c = checkValue(deviceId, metrics[i]!, values[i], undefined, ts, seq, undefined, limits, tenancy);
    if ('code' in c) rejected.push(c);
    else readings[n++] = c;
  }
  if (n < readings.length) readings.length = n;
  return { format: 'native', deviceId, readings, rejected };
}

export function decodeNative(deviceId: string, payload: Buffer | string, opts: DecodeOptions): DecodeResult {
  const entries = parseNative(parseJson(payload));
  return checkSamples(deviceId, nativeSamples(entries), {
    receivedAt: opts.now, maxFutureMs: opts.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS, maxAgeMs: opts.maxAgeMs,
  });
}

/** Encodes a native payload — used by the firmware simulator and tests. */
export function encodeNative(entry: NativeEntry | NativeEntry[]): string {
  return JSON.stringify(entry);
}
