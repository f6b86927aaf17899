// `devices/{id}/up` carries either the native payload or a SenML pack (RFC 8428 JSON). A SenML pack is an
// array of records with SenML labels; the native payload is an object with `readings`, or an array of
// those. The payload's shape picks the decoder; both name the device by the topic (the broker has
// already checked that the publisher owns it).
import { parseDeviceTopic } from '../topics.js';
import type { DeviceRef, FormatDecoder, Limits, ParsedMessage, Sample, Tenancy, TopicMatch } from './decoder.js';
import { checkNative, nativeSamples, parseNative, type NativeEntry } from './native.js';
import { looksLikeSenml, senmlDecoder } from './senml.js';

function matchUp(topic: string): TopicMatch | undefined {
  const t = parseDeviceTopic(topic);
  return t && t.kind === 'up' ? { deviceRef: { deviceId: t.deviceId } } : undefined;
}

/** A parsed native payload: one object per message, its readings checked without Sample objects. */
class NativeMessage implements ParsedMessage {
  readonly usesProfile = false;
  constructor(readonly deviceRef: DeviceRef, private readonly entries: NativeEntry[]) {}
  samples(): Sample[] { return nativeSamples(this.entries); }
  check(deviceId: string, limits: Limits, tenancy: Tenancy | undefined) { return checkNative(this.entries, deviceId, limits, tenancy); }
}

export const nativeDecoder: FormatDecoder = {
  format: 'native',
  match: matchUp,
  parse(json, match): ParsedMessage {
    return new NativeMessage(match.deviceRef, parseNative(json));
  },
};

/** Native or SenML, by the payload's shape. */
export function deviceJsonDecoderFor(json: unknown): FormatDecoder {
  return looksLikeSenml(json) ? senmlDecoder : nativeDecoder;
}
