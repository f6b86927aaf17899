// ThingsBoard's device MQTT API (docs/interop.md): topic `v1/devices/me/telemetry`, body
// `{"ts": <ms>, "values": {...}}` or an array of those; a device without a clock sends the flat
// `{"key": value}` form and ThingsBoard (here: the ingest) stamps the receive time. The device is known
// by its credentials, not by the topic. ThingsBoard has no sequence numbers.
import type { MqttFormat } from './types.js';

export const THINGSBOARD_TELEMETRY_TOPIC = 'v1/devices/me/telemetry';

export const thingsboardFormat: MqttFormat = {
  name: 'thingsboard',
  topic: () => THINGSBOARD_TELEMETRY_TOPIC,
  statusTopic: false,
  encode(entries, ctx) {
    if (!ctx.rtc) return JSON.stringify(entries.length === 1 && entries[0] ? entries[0].readings : entries.map((e) => e.readings));
    const out = entries.map((e) => ({ ts: e.ts, values: e.readings }));
    return JSON.stringify(out.length === 1 ? out[0] : out);
  },
};
