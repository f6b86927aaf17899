// The native payload (docs/architecture.md, wire contract): one entry, or an array of them for a backlog.
// A device without a clock sends no `ts`: the ingest gives its readings the receive time and a flag.
import { encodeNative, type NativeEntry } from '../../core/telemetry/decoders/native.js';
import { topics } from '../../core/telemetry/topics.js';
import type { MqttFormat } from './types.js';

export const nativeFormat: MqttFormat = {
  name: 'native',
  topic: topics.up,
  statusTopic: true,
  encode(entries, ctx) {
    const out: NativeEntry[] = entries.map((e) => (ctx.rtc ? { ts: e.ts, seq: e.seq, readings: e.readings } : { seq: e.seq, readings: e.readings }));
    return encodeNative(out.length === 1 && out[0] ? out[0] : out);
  },
};
