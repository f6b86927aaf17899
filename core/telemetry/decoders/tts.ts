// The Things Stack v3 uplinks (docs/interop.md): v3/{application id}[@{tenant id}]/devices/{device id}/up.
// The device is matched by `end_device_ids.dev_eui`, else by its TTS device id as our device id.
// Readings come from, in this order:
//   1. `uplink_message.decoded_payload` mapped by the device's profile (when it has one);
//   2. `uplink_message.normalized_payload` (the device repository's normalised form: soil{depth cm,
//      moisture %, temperature °C, ec dS/m}, air{temperature, relativeHumidity, pressure hPa}, wind{speed});
//   3. `decoded_payload` whose keys are our metric names (no profile).
// `f_cnt` is the sequence number (omitted when 0). Time: the normalised entry's `time` is the device's;
// otherwise a gateway's `time`, else `received_at`, flagged network_time. The best `rx_metadata[].rssi`
// over the gateways → `rssi` (dBm) at the network's time.
import { z } from 'zod';
import { RuongError } from '../../errors.js';
import { mapDecoded, numeric, valueAt } from '../device-profile.js';
import type { DeviceProfile } from '../device-profile.js';
import type { ReadingFlag } from '../reading.js';
import { invalid, parseTime, withRssi, type FormatDecoder, type ParsedMessage, type Sample } from './decoder.js';

const topicPattern = /^v3\/([^/]+)\/devices\/([^/]+)\/up$/;

const Normalized = z.object({
  time: z.string().optional(),
  soil: z.object({ depth: z.number().optional(), moisture: z.number().optional(), temperature: z.number().optional(), ec: z.number().optional() }).optional(),
  air: z.object({ temperature: z.number().optional(), relativeHumidity: z.number().optional(), pressure: z.number().optional() }).optional(),
  wind: z.object({ speed: z.number().optional() }).optional(),
});
export const TtsUplink = z.object({
  end_device_ids: z.object({ device_id: z.string().max(64), dev_eui: z.string().regex(/^[0-9A-Fa-f]{16}$/).optional() }),
  received_at: z.string().optional(),
  uplink_message: z.object({
    f_cnt: z.number().int().nonnegative().optional(),
    f_port: z.number().int().optional(),
    decoded_payload: z.record(z.string(), z.unknown()).optional(),
    normalized_payload: z.array(Normalized).optional(),
    rx_metadata: z.array(z.object({ time: z.string().optional(), rssi: z.number().optional() })).optional(),
    received_at: z.string().optional(),
  }),
});
export type TtsUplink = z.infer<typeof TtsUplink>;

/** The normalised payload's quantities as metric samples (soil values carry the probe depth). */
function normalizedSamples(entries: readonly z.infer<typeof Normalized>[], net: { ts: number | undefined; flags: ReadingFlag[] }, seq: number): Sample[] {
  const out: Sample[] = [];
  for (const e of entries) {
    const deviceTs = parseTime(e.time);
    const time = deviceTs === undefined ? net : { ts: deviceTs, flags: [] };
    const push = (metric: string, value: number | undefined, unit?: string) => {
      if (value !== undefined) out.push({ metric, value, unit, ts: time.ts, seq, flags: time.flags });
    };
    const depth = e.soil?.depth !== undefined ? `@${Math.round(e.soil.depth)}cm` : '';
    push(`soil_moisture${depth}`, e.soil?.moisture);
    push(`soil_temperature${depth}`, e.soil?.temperature);
    push(`soil_ec${depth}`, e.soil?.ec);
    push('air_temperature', e.air?.temperature);
    push('air_humidity', e.air?.relativeHumidity);
    push('air_pressure', e.air?.pressure, 'hPa');
    push('wind_speed', e.wind?.speed);
  }
  return out;
}

function decodedSamples(decoded: Record<string, unknown>, profile: DeviceProfile | undefined, net: { ts: number | undefined; flags: ReadingFlag[] }, seq: number): Sample[] {
  const deviceTs = profile?.time ? parseTime(valueAt(decoded, profile.time)) : undefined;
  const time = deviceTs === undefined ? net : { ts: deviceTs, flags: [] };
  return mapDecoded(decoded, profile).map((m) => ({ ...m, value: numeric(m.value) ?? m.value, ts: time.ts, seq, flags: time.flags }));
}

export const ttsDecoder: FormatDecoder = {
  format: 'tts',
  match(topic) {
    const m = topicPattern.exec(topic);
    return m?.[2] ? { deviceRef: { deviceId: m[2] } } : undefined;
  },
  parse(json): ParsedMessage {
    const parsed = TtsUplink.safeParse(json);
    if (!parsed.success) throw invalid('The Things Stack uplink', parsed.error.issues);
    const { end_device_ids: ids, uplink_message: up } = parsed.data;
    const netTs = parseTime(up.rx_metadata?.find((r) => r.time)?.time) ?? parseTime(up.received_at) ?? parseTime(parsed.data.received_at);
    const net = netTs === undefined ? { ts: undefined, flags: [] as ReadingFlag[] } : { ts: netTs, flags: ['network_time'] as ReadingFlag[] };
    const seq = up.f_cnt ?? 0;
    const { decoded_payload: decoded, normalized_payload: normalized } = up;
    if (!decoded && !normalized) {
      throw new RuongError('PAYLOAD_INVALID', 'uplink has neither decoded_payload nor normalized_payload: configure a payload formatter in The Things Stack');
    }
    return {
      deviceRef: { devEui: ids.dev_eui?.toLowerCase(), deviceId: ids.device_id },
      samples(profile) {
        const rssi = up.rx_metadata?.map((r) => r.rssi);
        if (decoded && profile) return withRssi(decodedSamples(decoded, profile, net, seq), rssi, netTs, seq);
        if (normalized) return withRssi(normalizedSamples(normalized, net, seq), rssi, netTs, seq);
        return withRssi(decodedSamples(decoded ?? {}, undefined, net, seq), rssi, netTs, seq);
      },
    };
  },
};
