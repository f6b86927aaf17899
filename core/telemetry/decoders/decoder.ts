// The decoder interface (issue 4). Every wire format is one FormatDecoder: it recognises its topics,
// validates its payload (zod), names the device (our device id or a LoRaWAN DevEUI) and turns the
// payload into samples for the device's profile. What is common — catalogue, units, plausibility
// bounds, time limits, flags — is checked once, here, for every format.
//
//   decode({topic, payload, receivedAt}, {resolveDevice}) → {format, deviceId, readings, rejected}
//
// A message that cannot be read at all throws a DecodeError (a dead letter with its code); a single bad
// value is returned in `rejected` and the good readings beside it are kept.
import { RuongError, type ErrorCode } from '../../errors.js';
import type { DeviceProfile } from '../device-profile.js';
import { isWithinBounds, parseMetricKey } from '../metrics.js';
import { staticFlagsOf, staticValue } from '../plausibility.js';
import type { Reading, ReadingFlag, StoredReading } from '../reading.js';
import { toCanonical, unitsFor } from '../units.js';

export type WireFormat = 'native' | 'senml' | 'chirpstack' | 'tts' | 'thingsboard';

export interface IncomingMessage {
  readonly topic: string;
  readonly payload: Buffer | string;
  /** Epoch ms when the message reached us: the time of readings without a device time. */
  readonly receivedAt: number;
}

/** How a message names its device: our device id, a LoRaWAN DevEUI (16 hex digits), or both. */
export interface DeviceRef {
  readonly deviceId?: string | undefined;
  readonly devEui?: string | undefined;
}

export interface ResolvedDevice {
  readonly deviceId: string;
  readonly revoked?: boolean | undefined;
  readonly profile?: DeviceProfile | undefined;
  /** The device's tenancy, when known: its readings then come out with it (StoredReading's shape), one object each. */
  readonly tenancy?: Tenancy | undefined;
}

/** Where a device belongs (the registry's DeviceContext has these). */
export interface Tenancy {
  readonly fieldId: string;
  readonly farmId: string;
  readonly cooperativeId: string;
}

export interface DecodeContext {
  /** The registered device a reference names (DevEUI first, then device id); undefined = unknown. */
  resolveDevice(ref: DeviceRef): ResolvedDevice | undefined;
  /** The device's profile when resolveDevice gave none, looked up only for a decoder that uses it. */
  profileOf?(deviceId: string): DeviceProfile | undefined;
  /** Readings further ahead than this are rejected (default 5 min). */
  readonly maxFutureMs?: number | undefined;
  /** Readings older than this (the raw retention) are rejected; undefined = no limit. */
  readonly maxAgeMs?: number | undefined;
}

/** One value as the wire carried it, before it is checked. */
export interface Sample {
  readonly metric: string;
  /** A number; anything else is rejected. */
  readonly value: unknown;
  /** The wire unit (SenML `u`); undefined = the metric's canonical unit. */
  readonly unit?: string | undefined;
  /** Epoch ms; undefined = the receive time, flagged `no_device_time`. */
  readonly ts: number | undefined;
  readonly seq?: number | undefined;
  readonly flags?: readonly ReadingFlag[] | undefined;
}

export interface TopicMatch {
  readonly deviceRef: DeviceRef;
  /** The event a topic names (ChirpStack: up, status, join …). */
  readonly event?: string | undefined;
}

export interface ParsedMessage {
  readonly deviceRef: DeviceRef;
  /** Set when the message carries no readings by design (a ChirpStack join, …): acknowledged, counted, not stored. */
  readonly ignored?: string | undefined;
  /** False when samples() does not read the profile (native, SenML): decode() then does not look it up. */
  readonly usesProfile?: boolean | undefined;
  samples(profile: DeviceProfile | undefined): Sample[];
  /** What checkSamples() makes of samples(), without the Sample objects (native): decode() uses it when given. */
  check?(deviceId: string, limits: Limits, tenancy: Tenancy | undefined): { readings: Reading[]; rejected: RejectedValue[] };
}

export interface FormatDecoder {
  readonly format: WireFormat;
  /** The topic's device reference when this decoder reads that topic, else undefined. */
  match(topic: string): TopicMatch | undefined;
  /** Validates the payload; throws RuongError PAYLOAD_INVALID naming the bad field. */
  parse(json: unknown, match: TopicMatch, receivedAt: number): ParsedMessage;
}

export interface RejectedValue {
  readonly metric: string;
  readonly value: unknown;
  readonly ts: number | undefined;
  readonly code: ErrorCode;
  readonly reason: string;
}

export interface Decoded {
  readonly format: WireFormat;
  readonly deviceId: string;
  readonly readings: Reading[];
  readonly rejected: RejectedValue[];
  readonly ignored?: string | undefined;
}

/** A message rejected whole; carries what was learned about it for the dead letter. */
export class DecodeError extends RuongError {
  readonly format: WireFormat | undefined;
  readonly deviceId: string | undefined;
  constructor(code: ErrorCode, message: string, where: { format?: WireFormat | undefined; deviceId?: string | undefined } = {}) {
    super(code, message);
    this.name = 'DecodeError';
    this.format = where.format;
    this.deviceId = where.deviceId;
  }
}

export const DEFAULT_MAX_FUTURE_MS = 5 * 60_000;

export interface Limits {
  readonly receivedAt: number;
  readonly maxFutureMs: number;
  readonly maxAgeMs: number | undefined;
}

type Check = { reading: Reading; rejected?: undefined } | { reading?: undefined; rejected: RejectedValue };

function rejection(metric: string, value: unknown, ts: number | undefined, code: ErrorCode, reason: string): RejectedValue {
  return { metric, value, ts, code, reason };
}

// The hot path sees the same few metric names millions of times: parse each once (bounded cache).
const metricKeys = new Map<string, ReturnType<typeof parseMetricKey> | null>();
function metricKey(name: string): ReturnType<typeof parseMetricKey> {
  let key = metricKeys.get(name);
  if (key === undefined) {
    key = parseMetricKey(name) ?? null;
    if (metricKeys.size > 10_000) metricKeys.clear();
    metricKeys.set(name, key);
  }
  return key ?? undefined;
}

const NO_DEVICE_TIME: readonly ReadingFlag[] = ['no_device_time'];

function flagsOf(sampleTs: number | undefined, sampleFlags: readonly ReadingFlag[] | undefined, extra: readonly ReadingFlag[]): ReadingFlag[] | undefined {
  const given = sampleFlags ?? [];
  if (sampleTs !== undefined && given.length === 0 && extra.length === 0) return undefined;
  const flags: ReadingFlag[] = sampleTs === undefined ? [...NO_DEVICE_TIME] : [];
  for (const f of given) if (!flags.includes(f)) flags.push(f);
  for (const f of extra) if (!flags.includes(f)) flags.push(f);
  return flags;
}

/**
 * Checks one sample against the catalogue, its unit, the hard bounds and the time limits: the reading, or
 * the RejectedValue saying why not. With a tenancy the reading has StoredReading's shape (fields in its order).
 */
function checkOne(deviceId: string, s: Sample, limits: Limits, tenancy: Tenancy | undefined): Reading | RejectedValue {
  return checkValue(deviceId, s.metric, s.value, s.unit, s.ts, s.seq, s.flags, limits, tenancy);
}

/** checkOne() over a sample's fields, for a decoder that has no Sample object to give (native.ts). */
export function checkValue(
  deviceId: string, metric: string, wireValue: unknown, unit: string | undefined, sampleTs: number | undefined, seq: number | undefined,
  sampleFlags: readonly ReadingFlag[] | undefined, limits: Limits, tenancy: Tenancy | undefined,
): Reading | RejectedValue {
  const key = metricKey(metric);
  if (!key) return rejection(metric, wireValue, sampleTs, 'METRIC_UNKNOWN', `metric "${metric}" is not in the catalogue`);
  if (typeof wireValue !== 'number' || !Number.isFinite(wireValue)) return rejection(metric, wireValue, sampleTs, 'PAYLOAD_INVALID', `${metric}: value is not a number`);
  const value = toCanonical(key.spec.unit, unit, wireValue);
  if (value === undefined) {
    return rejection(metric, wireValue, sampleTs, 'UNIT_INVALID', `${metric}: unit "${unit}" cannot express ${key.spec.unit} (accepted: ${unitsFor(key.spec.unit).join(', ')})`);
  }
  const ts = sampleTs ?? limits.receivedAt;
  if (!Number.isSafeInteger(ts)) return rejection(metric, wireValue, sampleTs, 'PAYLOAD_INVALID', `${metric}: timestamp is not a time`);
  if (!isWithinBounds(key.spec, value)) {
    return rejection(metric, wireValue, ts, 'VALUE_OUT_OF_BOUNDS', `${metric} = ${value} is outside ${key.spec.min}…${key.spec.max} ${key.spec.unit}`);
  }
  if (ts > limits.receivedAt + limits.maxFutureMs) {
    return rejection(metric, wireValue, ts, 'TIMESTAMP_IN_FUTURE', `timestamp ${new Date(ts).toISOString()} is more than ${limits.maxFutureMs / 60_000} min in the future`);
  }
  if (limits.maxAgeMs !== undefined && ts < limits.receivedAt - limits.maxAgeMs) {
    return rejection(metric, wireValue, ts, 'TIMESTAMP_TOO_OLD', `timestamp ${new Date(ts).toISOString()} is older than the raw retention`);
  }
  const flags = flagsOf(sampleTs, sampleFlags, staticFlagsOf(key.spec.name, value));
  const stored = staticValue(key.spec.name, value);
  if (tenancy) {
    const reading: StoredReading = {
      deviceId, metric, ts, value: stored, seq, flags, fieldId: tenancy.fieldId, farmId: tenancy.farmId, cooperativeId: tenancy.cooperativeId,
    };
    return reading;
  }
  return { deviceId, metric, ts, value: stored, seq, flags };
}

/** Checks one sample against the catalogue, its unit, the hard bounds and the time limits. */
export function checkSample(deviceId: string, s: Sample, limits: Limits): Check {
  const c = checkOne(deviceId, s, limits, undefined);
  return 'code' in c ? { rejected: c } : { reading: c };
}

export function checkSamples(deviceId: string, samples: readonly Sample[], limits: Limits, tenancy?: Tenancy): { readings: Reading[]; rejected: RejectedValue[] } {
  const readings: Reading[] = [];
  const rejected: RejectedValue[] = [];
  for (const s of samples) {
    const c = checkOne(deviceId, s, limits, tenancy);
    if ('code' in c) rejected.push(c);
    else readings.push(c);
  }
  return { readings, rejected };
}

/** Throws PAYLOAD_INVALID naming the first problems of a zod error. */
export function invalid(format: string, issues: readonly { path: PropertyKey[]; message: string }[]): RuongError {
  const text = issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(root)'}: ${i.message}`)
    .join('; ');
  return new RuongError('PAYLOAD_INVALID', `payload does not match the ${format} schema — ${text}`);
}

/** RFC 3339 or epoch ms/s → epoch ms; undefined when it is no time. Numbers below 1e11 are epoch seconds. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v) && v > 0) return Math.round(v < 1e11 ? v * 1000 : v);
  if (typeof v === 'string') {
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : t;
  }
  return undefined;
}

/**
 * Adds the uplink's link quality: the strongest RSSI (dBm) any gateway heard it with (ChirpStack `rxInfo[].rssi`,
 * The Things Stack `rx_metadata[].rssi`, docs/interop.md) as metric `rssi`, at the time the network heard it —
 * unless the codec already reported one, or no gateway gave one.
 */
export function withRssi(samples: Sample[], rssi: readonly (number | undefined)[] | undefined, networkTs: number | undefined, seq: number): Sample[] {
  const values = (rssi ?? []).filter((v): v is number => v !== undefined && Number.isFinite(v));
  if (values.length === 0 || samples.some((s) => s.metric === 'rssi')) return samples;
  samples.push({ metric: 'rssi', value: Math.max(...values), ts: networkTs, seq });
  return samples;
}
