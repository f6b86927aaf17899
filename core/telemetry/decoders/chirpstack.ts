// ChirpStack v4 MQTT integration (docs/interop.md): application/{applicationId}/device/{devEui}/event/{event}.
// - `up`: the codec's decoded payload is `object` (absent when no codec is configured → rejected); its
//   field names map to metrics through the device's profile. `fCnt` is the sequence number (omitted
//   when 0: protobuf JSON leaves out default values).
// - `status`: `batteryLevel` (%) → battery, unless `batteryLevelUnavailable` or `externalPowerSource`;
//   an omitted batteryLevel is 0 for the same protobuf reason.
// - join, ack, txack, log, location, integration carry no readings: acknowledged and counted, not stored.
// Time: a time field named by the profile is the device's; otherwise the GNSS gateway's `gwTime`, else
// the server's `time` — both when the network heard it, not when the sensor measured it, so the reading
// is flagged network_time (an uplink is sent as it is measured, so they differ by seconds).
// Link quality: the best `rxInfo[].rssi` over the gateways that heard the uplink → `rssi` (dBm), at the
// time the network heard it (that is when the radio measured it).
import { z } from 'zod';
import { RuongError } from '../../errors.js';
import { mapDecoded, valueAt } from '../device-profile.js';
import type { ReadingFlag } from '../reading.js';
import { invalid, parseTime, withRssi, type FormatDecoder, type ParsedMessage, type Sample } from './decoder.js';

const topicPattern = /^application\/([^/]+)\/device\/([0-9A-Fa-f]{16})\/event\/([a-z]+)$/;

const DeviceInfo = z.object({ devEui: z.string().regex(/^[0-9A-Fa-f]{16}$/).optional(), deviceName: z.string().optional() });
export const ChirpstackUp = z.object({
  deduplicationId: z.string().optional(),
  time: z.string().optional(),
  deviceInfo: DeviceInfo.optional(),
  fCnt: z.number().int().nonnegative().optional(),
  fPort: z.number().int().optional(),
  object: z.record(z.string(), z.unknown()).optional(),
  rxInfo: z.array(z.object({ gwTime: z.string().optional(), rssi: z.number().optional() })).optional(),
});
export const ChirpstackStatus = z.object({
  time: z.string().optional(),
  deviceInfo: DeviceInfo.optional(),
  margin: z.number().optional(),
  externalPowerSource: z.boolean().optional(),
  batteryLevelUnavailable: z.boolean().optional(),
  batteryLevel: z.number().optional(),
});

function devEuiOf(topicEui: string, info: z.infer<typeof DeviceInfo> | undefined): string {
  if (info?.devEui && info.devEui.toLowerCase() !== topicEui.toLowerCase()) {
    throw new RuongError('PAYLOAD_INVALID', `deviceInfo.devEui ${info.devEui} differs from the topic's ${topicEui}`);
  }
  return topicEui.toLowerCase();
}

function networkTime(time: string | undefined, gwTime: string | undefined): { ts: number | undefined; flags: ReadingFlag[] } {
  const ts = parseTime(gwTime) ?? parseTime(time);
  return ts === undefined ? { ts: undefined, flags: [] } : { ts, flags: ['network_time'] };
}

function parseUp(json: unknown, devEui: string): ParsedMessage {
  const parsed = ChirpstackUp.safeParse(json);
  if (!parsed.success) throw invalid('ChirpStack up', parsed.error.issues);
  const up = parsed.data;
  const eui = devEuiOf(devEui, up.deviceInfo);
  const object = up.object;
  if (!object) throw new RuongError('PAYLOAD_INVALID', 'ChirpStack up event has no decoded `object`: configure the device profile codec in ChirpStack');
  const net = networkTime(up.time, up.rxInfo?.find((r) => r.gwTime)?.gwTime);
  const seq = up.fCnt ?? 0;
  return {
    deviceRef: { devEui: eui },
    samples(profile) {
      const deviceTs = profile?.time ? parseTime(valueAt(object, profile.time)) : undefined;
      const time = deviceTs === undefined ? net : { ts: deviceTs, flags: [] };
      const readings = mapDecoded(object, profile).map((m): Sample => ({ ...m, ts: time.ts, seq, flags: time.flags }));
      return withRssi(readings, up.rxInfo?.map((r) => r.rssi), net.ts, seq);
    },
  };
}

function parseStatus(json: unknown, devEui: string): ParsedMessage {
  const parsed = ChirpstackStatus.safeParse(json);
  if (!parsed.success) throw invalid('ChirpStack status', parsed.error.issues);
  const st = parsed.data;
  const eui = devEuiOf(devEui, st.deviceInfo);
  if (st.batteryLevelUnavailable || st.externalPowerSource) return { deviceRef: { devEui: eui }, ignored: 'status without battery level', samples: () => [] };
  const net = networkTime(st.time, undefined);
  return { deviceRef: { devEui: eui }, samples: () => [{ metric: 'battery', value: st.batteryLevel ?? 0, ts: net.ts, flags: net.flags }] };
}

export const chirpstackDecoder: FormatDecoder = {
  format: 'chirpstack',
  match(topic) {
    const m = topicPattern.exec(topic);
    return m?.[2] ? { deviceRef: { devEui: m[2].toLowerCase() }, event: m[3] } : undefined;
  },
  parse(json, match): ParsedMessage {
    const devEui = match.deviceRef.devEui ?? '';
    if (match.event === 'up') return parseUp(json, devEui);
    if (match.event === 'status') return parseStatus(json, devEui);
    return { deviceRef: match.deviceRef, ignored: `ChirpStack ${match.event ?? ''} event`, samples: () => [] };
  },
};
