// ThingsBoard device telemetry (docs/interop.md): `{"ts": <ms>, "values": {...}}`, an array of those, or a
// flat `{"key": value}` (stamped with the receive time). The device publishes `v1/devices/me/telemetry`;
// the broker rewrites it to `devices/{id}/up/thingsboard`, so the topic names the device. Keys are our
// metric names, or a codec's field names mapped by the device's profile.
import { z } from 'zod';
import { mapDecoded } from '../device-profile.js';
import { isValidDeviceId } from '../topics.js';
import { invalid, type FormatDecoder, type ParsedMessage, type Sample } from './decoder.js';

const MAX_ENTRIES = 5_000;
const Values = z.record(z.string().max(128), z.unknown());
export const ThingsboardEntry = z.strictObject({ ts: z.number().int().nonnegative(), values: Values });
export const ThingsboardPayload = z.union([ThingsboardEntry, z.array(ThingsboardEntry).min(1).max(MAX_ENTRIES), Values]);

const topicPattern = /^devices\/([^/]+)\/up\/thingsboard$/;

function isTsEntry(json: unknown): boolean {
  return json !== null && typeof json === 'object' && !Array.isArray(json) && 'ts' in json && 'values' in json && Object.keys(json).length === 2;
}

export const thingsboardDecoder: FormatDecoder = {
  format: 'thingsboard',
  match(topic) {
    const m = topicPattern.exec(topic);
    return m?.[1] && isValidDeviceId(m[1]) ? { deviceRef: { deviceId: m[1] } } : undefined;
  },
  parse(json, match): ParsedMessage {
    let entries: { ts: number | undefined; values: Record<string, unknown> }[];
    if (Array.isArray(json) || isTsEntry(json)) {
      const parsed = (Array.isArray(json) ? z.array(ThingsboardEntry).min(1).max(MAX_ENTRIES) : ThingsboardEntry).safeParse(json);
      if (!parsed.success) throw invalid('ThingsBoard', parsed.error.issues);
      entries = Array.isArray(parsed.data) ? parsed.data : [parsed.data];
    } else {
      const parsed = Values.refine((v) => Object.keys(v).length > 0, 'must hold at least one key').safeParse(json);
      if (!parsed.success) throw invalid('ThingsBoard', parsed.error.issues);
      entries = [{ ts: undefined, values: parsed.data }];
    }
    return {
      deviceRef: match.deviceRef,
      samples: (profile) => entries.flatMap((e): Sample[] => mapDecoded(e.values, profile).map((m) => ({ ...m, ts: e.ts }))),
    };
  },
};
