// Decoding against the registry (issue 18): the registry's lookups are asynchronous (SQLite or PostgreSQL), but the
// ingest's per-message path stays synchronous for devices it knows (issue 19 measured its CPU per message, and
// handle() returns the batcher's one promise for all messages of a batch). decodeCached() answers from the
// registry's caches alone; on a miss it throws LookupNeeded, and decodeLookedUp() awaits the registry's lookups for
// that device and decodes again with those answers given explicitly — so a device that is not registered (never
// cached) comes out unknown on the second pass instead of missing again.
import type { DeviceContext } from '../core/registry/types.js';
import { decode, type DecodeContext, type Decoded, type DeviceRef, type IncomingMessage, type ResolvedDevice } from '../core/telemetry/decoders/index.js';
import type { DeviceProfile } from '../core/telemetry/device-profile.js';

/** The registry's device lookups, and their synchronous cache peeks (undefined = not cached, not = unknown). */
export interface DecodeRegistry {
  deviceContext(deviceId: string): Promise<DeviceContext | undefined>;
  profileOfDevice(deviceId: string): Promise<DeviceProfile | undefined>;
  deviceIdByDevEui(devEui: string): Promise<string | undefined>;
  cachedDeviceContext(deviceId: string): DeviceContext | undefined;
  cachedProfileOfDevice(deviceId: string): { readonly value: DeviceProfile | undefined } | undefined;
  cachedDeviceIdByDevEui(devEui: string): string | undefined;
}

/**
 * Thrown by decodeCached() when an answer is not cached — the device a reference names, or (`profile`) the profile
 * of a device — : internal, never a DecodeError (not a dead letter).
 */
export class LookupNeeded extends Error {
  constructor(readonly ref: DeviceRef, readonly what: 'device' | 'profile' = 'device') {
    // Without a stack trace: it never leaves the ingest, and capturing one per device met (a restarted ingest
    // meets thousands at once) cost more than the rest of the miss.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super('the registry must be asked about this device');
    Error.stackTraceLimit = limit;
    this.name = 'LookupNeeded';
  }
}

/** A decoded message and the registry's context of its device (undefined only if it vanished meanwhile). */
export interface RegistryDecoded {
  readonly decoded: Decoded;
  readonly context: DeviceContext | undefined;
}

export interface RegistryDecoder {
  /** Synchronous, from the registry's caches: throws LookupNeeded on a miss, DecodeError as decode() does. */
  decodeCached(message: IncomingMessage): RegistryDecoded;
  /** After decodeCached() missed: awaits the lookups and decodes again with their answers. Throws DecodeError. */
  decodeLookedUp(message: IncomingMessage, miss: LookupNeeded): Promise<RegistryDecoded>;
}

/** A message names at most two devices (topic and payload): more misses than this would be a bug, not a device. */
const MAX_PASSES = 4;

const refKey = (ref: DeviceRef): string => `${ref.devEui?.toLowerCase() ?? ''}\u0000${ref.deviceId ?? ''}`;

/**
 * The hot path's answer: one small object, no profile (decode() asks profileOf only when a decoder uses one), made
 * once per context the registry's cache holds (a context is replaced, not changed, when its device changes).
 */
const answers = new WeakMap<DeviceContext, ResolvedDevice>();
const resolved = (ctx: DeviceContext): ResolvedDevice => {
  let answer = answers.get(ctx);
  if (answer === undefined) answers.set(ctx, (answer = { deviceId: ctx.deviceId, revoked: ctx.revoked, tenancy: ctx }));
  return answer;
};

export function createRegistryDecoder(registry: DecodeRegistry, opts: { maxAgeMs?: number | undefined } = {}): RegistryDecoder {
  const cachedContext = (deviceId: string): DeviceContext => {
    const ctx = registry.cachedDeviceContext(deviceId);
    if (!ctx) throw new LookupNeeded({ deviceId });
    return ctx;
  };

  const cached: DecodeContext = {
    resolveDevice(ref) {
      let id = ref.deviceId;
      if (ref.devEui !== undefined) {
        // Only registered DevEUIs are cached: anything else is asked (and may be a device registered just now).
        id = registry.cachedDeviceIdByDevEui(ref.devEui);
        if (id === undefined) throw new LookupNeeded(ref);
      }
      return id === undefined ? undefined : resolved(cachedContext(id));
    },
    profileOf(deviceId) { // read only by decoders that use a profile
      const hit = registry.cachedProfileOfDevice(deviceId);
      if (!hit) throw new LookupNeeded({ deviceId }, 'profile');
      return hit.value;
    },
    maxAgeMs: opts.maxAgeMs,
  };

  return {
    decodeCached(message) {
      const decoded = decode(message, cached);
      return { decoded, context: cachedContext(decoded.deviceId) };
    },

    async decodeLookedUp(message, miss) {
      // What the registry answered: the device per reference (undefined = not registered), contexts and profiles
      // per device id. A profile is asked for only when a decoder reads one (native and SenML do not).
      const byRef = new Map<string, DeviceContext | undefined>();
      const contexts = new Map<string, DeviceContext>();
      const profiles = new Map<string, { value: DeviceProfile | undefined }>();
      const answered: DecodeContext = {
        resolveDevice(ref) {
          const key = refKey(ref);
          if (!byRef.has(key)) return cached.resolveDevice(ref);
          const ctx = byRef.get(key);
          return ctx && resolved(ctx);
        },
        profileOf(deviceId) {
          const known = profiles.get(deviceId);
          return known ? known.value : cached.profileOf!(deviceId);
        },
        maxAgeMs: opts.maxAgeMs,
      };
      let next = miss;
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const { ref } = next;
        if (next.what === 'profile' && ref.deviceId !== undefined) {
          profiles.set(ref.deviceId, { value: await registry.profileOfDevice(ref.deviceId) });
        } else {
          const id = (ref.devEui !== undefined ? await registry.deviceIdByDevEui(ref.devEui) : undefined) ?? ref.deviceId;
          const ctx = id === undefined ? undefined : await registry.deviceContext(id);
          if (ctx) contexts.set(ctx.deviceId, ctx);
          byRef.set(refKey(ref), ctx);
        }
        try {
          const decoded = decode(message, answered);
          const id = decoded.deviceId;
          return { decoded, context: contexts.get(id) ?? registry.cachedDeviceContext(id) ?? await registry.deviceContext(id) };
        } catch (err) {
          if (!(err instanceof LookupNeeded)) throw err;
          next = err;
        }
      }
      throw new Error(`decoding ${message.topic} still needed registry lookups after ${MAX_PASSES} passes`);
    },
  };
}
