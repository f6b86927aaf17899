// Decoding against the asynchronous registry (issue 18): a device the registry's caches know is decoded without a
// query (the ingest's per-message path stays synchronous, issue 19); a miss is looked up once and decoded again
// with the answers, an unregistered device then coming out unknown; moves, revocations and profile changes drop
// what the peeks see. On both registry engines (PostgreSQL skipped only when it is not installed, as in
// test/unit/core/registry.test.ts).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Registry } from '../../../core/registry/registry.js';
import { DecodeError, type IncomingMessage } from '../../../core/telemetry/decoders/index.js';
import { createRegistryDecoder, LookupNeeded, type DecodeRegistry, type RegistryDecoded } from '../../../ingest/registry-decode.js';
import { expectedReadings, loadFixture, RECEIVED_AT } from '../../fixtures/interop/fixtures.js';
import { registryEngines } from '../../helpers/registry-engines.js';

const engines = registryEngines('decode');

for (const engine of engines) describe.skipIf(engine.skip)(`decoding against the registry on ${engine.name}`, () => {
  let dir: string;
  let registry: Registry;
  let lookups: string[];
  let counted: DecodeRegistry;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-registry-decode-'));
    registry = await engine.open(dir);
    await registry.createCooperative({ id: 'coop-a', name: 'A' });
    await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'farm' });
    await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'field', crop: 'rice' });
    await registry.createField({ id: 'field-b', farmId: 'farm-a', name: 'other field', crop: 'rice' });
    await registry.provisionDevice({ id: 'probe-12', fieldId: 'field-a', kind: 'soil_probe', name: 'p' });
    await registry.provisionDevice({ id: 'lse01-3', fieldId: 'field-a', kind: 'soil_probe', name: 'l', devEui: 'a84041000181c061' });
    await registry.setDeviceProfile('lse01-3', 'dragino-lse01');
    lookups = [];
    // The registry, with each asynchronous lookup recorded: a synchronous decode makes none.
    counted = {
      deviceContext: (id) => { lookups.push(`context ${id}`); return registry.deviceContext(id); },
      profileOfDevice: (id) => { lookups.push(`profile ${id}`); return registry.profileOfDevice(id); },
      deviceIdByDevEui: (eui) => { lookups.push(`eui ${eui}`); return registry.deviceIdByDevEui(eui); },
      cachedDeviceContext: (id) => registry.cachedDeviceContext(id),
      cachedProfileOfDevice: (id) => registry.cachedProfileOfDevice(id),
      cachedDeviceIdByDevEui: (eui) => registry.cachedDeviceIdByDevEui(eui),
    };
  });
  afterEach(async () => {
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const message = (name: string): IncomingMessage => {
    const f = loadFixture(name);
    return { topic: f.topic, payload: Buffer.from(JSON.stringify(f.payload)), receivedAt: RECEIVED_AT };
  };

  /** decodeCached, or — on a miss — decodeLookedUp; says which. */
  async function decodeEither(decoder: ReturnType<typeof createRegistryDecoder>, m: IncomingMessage): Promise<{ sync: boolean; out: RegistryDecoded }> {
    try {
      return { sync: true, out: decoder.decodeCached(m) };
    } catch (err) {
      if (!(err instanceof LookupNeeded)) throw err;
      return { sync: false, out: await decoder.decodeLookedUp(m, err) };
    }
  }

  it('looks a device up once, then decodes its messages synchronously from the caches', async () => {
    const decoder = createRegistryDecoder(counted);
    const m = message('native-single');
    expect(() => decoder.decodeCached(m)).toThrow(LookupNeeded);
    const first = await decodeEither(decoder, m);
    expect(first.sync).toBe(false);
    expect(first.out.context).toMatchObject({ deviceId: 'probe-12', fieldId: 'field-a', cooperativeId: 'coop-a' });
    expect(first.out.decoded.readings.map((r) => [r.metric, r.value])).toEqual(expectedReadings['native-single']!.readings.map(([metric, , value]) => [metric, value]));
    expect(lookups).toEqual(['context probe-12']); // native reads no profile: none asked for

    lookups = [];
    const again = decoder.decodeCached(m);
    expect(again.decoded.readings).toEqual(first.out.decoded.readings);
    expect(again.decoded.readings[0]).toMatchObject({ fieldId: 'field-a', farmId: 'farm-a', cooperativeId: 'coop-a' });
    expect(lookups).toEqual([]);
  });

  it('resolves a DevEUI and maps the codec output with the device profile (asked for as it is read), then without a query', async () => {
    const decoder = createRegistryDecoder(counted);
    const m = message('chirpstack-up-dragino-lse01');
    const first = await decodeEither(decoder, m);
    expect(first.sync).toBe(false);
    expect(lookups).toEqual(['eui a84041000181c061', 'context lse01-3', 'profile lse01-3']);
    const expected = expectedReadings['chirpstack-up-dragino-lse01']!;
    expect(first.out.decoded.readings.map((r) => [r.metric, r.ts, r.value])).toEqual(expected.readings.map(([metric, ts, value]) => [metric, ts, value]));
    lookups = [];
    expect(decoder.decodeCached(m).decoded.readings).toEqual(first.out.decoded.readings);
    expect(lookups).toEqual([]);
  });

  it('finds an unregistered device unknown on the second pass (never cached, never looping)', async () => {
    const decoder = createRegistryDecoder(counted);
    const m: IncomingMessage = { topic: 'devices/ghost/up', payload: Buffer.from('{"readings":{"battery":1}}'), receivedAt: RECEIVED_AT };
    for (let i = 0; i < 2; i++) {
      let miss: unknown;
      try { decoder.decodeCached(m); } catch (err) { miss = err; }
      expect(miss).toBeInstanceOf(LookupNeeded);
      const err = await decoder.decodeLookedUp(m, miss as LookupNeeded).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DecodeError);
      expect(err).toMatchObject({ code: 'DEVICE_UNKNOWN' });
    }
    expect(lookups).toEqual(['context ghost', 'context ghost']);
  });

  it('sees a device provisioned after an unknown answer, a move and a revocation at once', async () => {
    const decoder = createRegistryDecoder(counted);
    const m: IncomingMessage = { topic: 'devices/late-1/up', payload: Buffer.from('{"readings":{"battery":80}}'), receivedAt: RECEIVED_AT };
    await expect(decodeEither(decoder, m)).rejects.toMatchObject({ code: 'DEVICE_UNKNOWN' });
    await registry.provisionDevice({ id: 'late-1', fieldId: 'field-a', kind: 'soil_probe', name: 'late' });
    expect((await decodeEither(decoder, m)).out.context?.fieldId).toBe('field-a');
    expect(decoder.decodeCached(m).context?.fieldId).toBe('field-a');

    await registry.moveDevice('late-1', 'field-b');
    const moved = await decodeEither(decoder, m);
    expect(moved.sync).toBe(false);
    expect(moved.out.decoded.readings[0]).toMatchObject({ fieldId: 'field-b' });

    await registry.revokeDevice('late-1');
    await expect(decodeEither(decoder, m)).rejects.toMatchObject({ code: 'DEVICE_REVOKED' });
    // The revoked context is cached: its next message is refused without a query.
    lookups = [];
    expect(() => decoder.decodeCached(m)).toThrow(expect.objectContaining({ code: 'DEVICE_REVOKED' }) as Error);
    expect(lookups).toEqual([]);
  });

  it('peeks: undefined = not cached; a profile change drops the cached profile', async () => {
    expect(registry.cachedDeviceContext('probe-12')).toBeUndefined();
    expect(registry.cachedProfileOfDevice('lse01-3')).toBeUndefined();
    expect(registry.cachedDeviceIdByDevEui('A84041000181C061')).toBeUndefined();
    expect(await registry.deviceIdByDevEui('A84041000181C061')).toBe('lse01-3');
    expect(registry.cachedDeviceIdByDevEui('a84041000181c061')).toBe('lse01-3');
    expect(await registry.deviceIdByDevEui('ffffffffffffffff')).toBeUndefined();
    expect(registry.cachedDeviceIdByDevEui('ffffffffffffffff')).toBeUndefined();

    expect((await registry.profileOfDevice('lse01-3'))?.id).toBe('dragino-lse01');
    expect(registry.cachedProfileOfDevice('lse01-3')?.value?.id).toBe('dragino-lse01');
    expect(await registry.profileOfDevice('probe-12')).toBeUndefined();
    const none = registry.cachedProfileOfDevice('probe-12');
    expect(none).toBeDefined(); // cached: the device has no profile
    expect(none?.value).toBeUndefined();
    await registry.setDeviceProfile('lse01-3', 'sensecap-s2105');
    expect(registry.cachedProfileOfDevice('lse01-3')).toBeUndefined();
    expect((await registry.profileOfDevice('lse01-3'))?.id).toBe('sensecap-s2105');

    await registry.deviceContext('probe-12');
    expect(registry.cachedDeviceContext('probe-12')).toMatchObject({ deviceId: 'probe-12', revoked: false });
    await registry.moveDevice('probe-12', 'field-b');
    expect(registry.cachedDeviceContext('probe-12')).toBeUndefined();
  });
});
