// decode(): one entry point for every wire format (see decoder.ts for the interface).
//   const out = decode({ topic, payload, receivedAt: Date.now() }, { resolveDevice });
//   out.readings — checked, canonical units, device time (or receive time + flag)
//   out.rejected — single values rejected with a code and reason (dead letters)
// A message rejected whole throws DecodeError (code, reason, format and device when known).
import { isRuongError } from '../../errors.js';
import { chirpstackDecoder } from './chirpstack.js';
import {
  checkSamples, DecodeError, DEFAULT_MAX_FUTURE_MS,
  type DecodeContext, type Decoded, type FormatDecoder, type IncomingMessage, type ParsedMessage, type ResolvedDevice, type TopicMatch,
} from './decoder.js';
import { deviceJsonDecoderFor, nativeDecoder } from './device-json.js';
import { checkScanned, parseJson } from './native.js';
import { createNativeScan, scanNative } from './native-bytes.js';
import { thingsboardDecoder } from './thingsboard.js';
import { ttsDecoder } from './tts.js';

export * from './decoder.js';
export { chirpstackDecoder, nativeDecoder, thingsboardDecoder, ttsDecoder };
export { senmlDecoder } from './senml.js';

/** Decoders that own their topics; `devices/{id}/up` (native or SenML) is matched last. */
const byTopic: readonly FormatDecoder[] = [thingsboardDecoder, chirpstackDecoder, ttsDecoder, nativeDecoder];

type Route = { readonly decoder: FormatDecoder; readonly match: TopicMatch };

// A device publishes on the same topic every time: its route (decoder + what the topic names, both
// immutable) is kept, so the matchers' regular expressions run once per topic, not once per message.
const MAX_ROUTES = 100_000;
const routes = new Map<string, Route | null>();

export function routeTopic(topic: string): Route | undefined {
  const known = routes.get(topic);
  if (known !== undefined) return known ?? undefined;
  let route: Route | null = null;
  for (const decoder of byTopic) {
    const match = decoder.match(topic);
    if (match) { route = { decoder, match }; break; }
  }
  if (routes.size >= MAX_ROUTES) routes.clear();
  routes.set(topic, route);
  return route ?? undefined;
}

function resolveOrThrow(ctx: DecodeContext, ref: ParsedMessage['deviceRef'], format: Decoded['format']): ResolvedDevice {
  const device = ctx.resolveDevice(ref);
  if (!device) {
    const named = [ref.devEui && `DevEUI ${ref.devEui}`, ref.deviceId && `device ${ref.deviceId}`].filter(Boolean).join(' / ');
    throw new DecodeError('DEVICE_UNKNOWN', `${named || 'the device'} is not registered`, { format });
  }
  if (device.revoked) throw new DecodeError('DEVICE_REVOKED', `device ${device.deviceId} is revoked`, { format, deviceId: device.deviceId });
  return device;
}

/** The native payload's common shape, read from the bytes (native-bytes.ts); reused: decode() is synchronous. */
const scan = createNativeScan();
/** The limits of the message being scanned, likewise reused (checkScanned reads them and keeps nothing). */
const scanLimits: { receivedAt: number; maxFutureMs: number; maxAgeMs: number | undefined } = { receivedAt: 0, maxFutureMs: 0, maxAgeMs: undefined };

export function decode(message: IncomingMessage, ctx: DecodeContext): Decoded {
  const route = routeTopic(message.topic);
  if (!route) throw new DecodeError('TOPIC_INVALID', `topic ${message.topic} is not a device, ThingsBoard, ChirpStack or TTS uplink topic`);
  if (route.decoder === nativeDecoder && typeof message.payload !== 'string' && scanNative(message.payload, scan)) {
    // What the general path below gives for this payload, without its string, JSON tree and parsed entries.
    const device = resolveOrThrow(ctx, route.match.deviceRef, 'native');
    scanLimits.receivedAt = message.receivedAt;
    scanLimits.maxFutureMs = ctx.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS;
    scanLimits.maxAgeMs = ctx.maxAgeMs;
    return checkScanned(scan, device.deviceId, scanLimits, device.tenancy);
  }
  let format = route.decoder.format;
  let parsed: ParsedMessage;
  try {
    const json = parseJson(message.payload);
    const decoder = format === 'native' ? deviceJsonDecoderFor(json) : route.decoder;
    format = decoder.format;
    parsed = decoder.parse(json, route.match, message.receivedAt);
  } catch (err) {
    if (!isRuongError(err)) throw err;
    throw new DecodeError(err.code, err.message, { format, deviceId: ctx.resolveDevice(route.match.deviceRef)?.deviceId });
  }
  const device = resolveOrThrow(ctx, parsed.deviceRef, format);
  if (parsed.ignored !== undefined) return { format, deviceId: device.deviceId, readings: [], rejected: [], ignored: parsed.ignored };
  const limits = { receivedAt: message.receivedAt, maxFutureMs: ctx.maxFutureMs ?? DEFAULT_MAX_FUTURE_MS, maxAgeMs: ctx.maxAgeMs };
  const { readings, rejected } = parsed.check
    ? parsed.check(device.deviceId, limits, device.tenancy)
    : checkSamples(device.deviceId, parsed.samples(parsed.usesProfile === false ? undefined : (device.profile ?? ctx.profileOf?.(device.deviceId))), limits, device.tenancy);
  return { format, deviceId: device.deviceId, readings, rejected };
}
