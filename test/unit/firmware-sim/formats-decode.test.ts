// Every wire format the simulator speaks decodes through the ingest's decoders (core/telemetry/decoders)
// to the same readings as the native payload of the same measurements: same metric, same time, the same
// value up to the resolution of the format (a LoRaWAN codec's integer fields).
import { describe, expect, it } from 'vitest';
import { decode, type DecodeContext, type ResolvedDevice } from '../../../core/telemetry/decoders/index.js';
import { DeviceProfile } from '../../../core/telemetry/device-profile.js';
import { interopTopics } from '../../../core/telemetry/interop-topics.js';
import type { Reading } from '../../../core/telemetry/reading.js';
import { topics } from '../../../core/telemetry/topics.js';
import type { SimClock } from '../../../firmware-sim/clock.js';
import { nativeFormat, senmlFormat, thingsboardFormat, type Entry, type MqttFormat } from '../../../firmware-sim/formats/index.js';
import { chirpstackStatus, chirpstackUp, ttsUp, type MqttEvent, type NetworkIdentity, type UplinkFrame } from '../../../firmware-sim/formats/lorawan-uplinks.js';
import { codecFor } from '../../../firmware-sim/formats/lorawan-codecs.js';
import { createLorawanDevice, devEuiOf } from '../../../firmware-sim/lorawan-device.js';
import type { NetworkServer, NetworkServerFlavour } from '../../../firmware-sim/network-server.js';
import { runOffline } from '../../../firmware-sim/offline-run.js';
import { createDeviceParts, createWeatherCache } from '../../../firmware-sim/device-factory.js';
import { SimDeviceSpec } from '../../../firmware-sim/device-spec.js';
import { silentLogger } from '../../../core/log.js';
import { HOUR, local, mekong } from './helpers.js';

const start = local(2025, 3, 10, 6);
const until = start + 3 * HOUR;
const receivedAt = until + 1_000;
const place = { lat: mekong.lat, lonE: mekong.lonE, elevationM: mekong.elevationM };
const specs: SimDeviceSpec[] = [
  { deviceId: 'soil-1', kind: 'soil_probe', ...place, depthsCm: [20, 50], soilTexture: 'silty clay', crop: 'maize', seed: 1 },
  { deviceId: 'wx-1', kind: 'weather_station', ...place, seed: 2 },
  { deviceId: 'canal-1', kind: 'canal_sensor', ...place, seed: 3 },
  { deviceId: 'awd-1', kind: 'awd_tube', ...place, crop: 'rice', seed: 4 },
];
const lse01 = { deviceId: 'lse01-1', kind: 'soil_probe', ...place, depthsCm: [20], soilTexture: 'silty clay', crop: 'maize', seed: 5, format: 'chirpstack', codec: 'dragino-lse01' } as const satisfies SimDeviceSpec;

/** A registry of one device, with a profile when its codec needs one. */
function context(deviceId: string, profile?: DeviceProfile): DecodeContext {
  const device: ResolvedDevice = { deviceId, profile };
  return { resolveDevice: (ref) => (ref.deviceId === deviceId || ref.devEui === devEuiOf(deviceId) ? device : undefined) };
}

const key = (r: Reading): string => `${r.metric}@${r.ts}`;

function decodeAll(messages: readonly { topic: string; payload: string }[], ctx: DecodeContext): Map<string, Reading> {
  const out = new Map<string, Reading>();
  for (const m of messages) {
    const d = decode({ ...m, receivedAt }, ctx);
    expect(d.rejected).toEqual([]);
    for (const r of d.readings) out.set(key(r), r);
  }
  return out;
}

function mqttMessages(format: MqttFormat, deviceId: string, entries: readonly Entry[], rtc: boolean): { topic: string; payload: string }[] {
  // The broker rewrites what a ThingsBoard device publishes to its device-scoped topic.
  const topic = format.name === 'thingsboard' ? interopTopics.thingsboard(deviceId) : format.topic(deviceId);
  const backlog = { topic, payload: format.encode(entries.slice(0, 10), { deviceId, sentAtMs: receivedAt, rtc }) };
  return [backlog, ...entries.slice(10).map((e) => ({ topic, payload: format.encode([e], { deviceId, sentAtMs: receivedAt, rtc }) }))];
}

/** Takes out the link quality the gateways measured (`rssi`, decoders/decoder.ts withRssi): one per uplink, the radio's -90 dBm. */
function gatewayRssi(readings: Map<string, Reading>, uplinks: number): Map<string, Reading> {
  const rssi = [...readings.values()].filter((r) => r.metric === 'rssi');
  expect(rssi).toHaveLength(uplinks);
  expect(rssi.every((r) => r.value === -90)).toBe(true);
  for (const r of rssi) readings.delete(key(r));
  return readings;
}

function expectSameReadings(actual: Map<string, Reading>, native: Map<string, Reading>, tolerance: Record<string, number> = {}): void {
  expect([...actual.keys()].sort()).toEqual([...native.keys()].sort());
  for (const [k, r] of native) {
    const within = tolerance[r.metric.split('@')[0] ?? ''];
    expect(actual.get(k)?.value, k).toBeCloseTo(r.value, within === undefined ? 9 : -Math.log10(within));
  }
}

/** The LoRaWAN frames a device's uplinks become, through a network server that just collects them. */
function lorawanEvents(spec: SimDeviceSpec, flavour: NetworkServerFlavour, build: (f: UplinkFrame, n: NetworkIdentity, battery: number | undefined) => MqttEvent[]): { events: MqttEvent[]; entries: Entry[] } {
  const lorawan = SimDeviceSpec.parse({ ...spec, format: flavour });
  const entries = runOffline({ devices: [lorawan], startMs: start, untilMs: until, intervalS: 600 }).get(spec.deviceId)?.entries ?? [];
  const identity: NetworkIdentity = { tenantId: 'ruong', tenantName: 'Ruộng', applicationId: 'app-1', applicationName: 'farms', deviceProfileId: 'p-1', deviceProfileName: 'sensors' };
  const events: MqttEvent[] = [];
  const ns = { flavour, identity, uplink: (f: UplinkFrame, b: number | undefined) => (events.push(...build(f, identity, b)), []) } as unknown as NetworkServer;
  const clock: SimClock = { now: () => until, realDelayUntil: () => 0, caughtUp: () => true };
  // The same device (same seed, same weather) measuring the same hours, through the LoRaWAN firmware path.
  const parts = createDeviceParts(lorawan, createWeatherCache(undefined)(lorawan), start, 600_000);
  const radio = { rssi: () => -90, snr: () => 7.5, lost: () => false };
  const device = createLorawanDevice({ deviceId: spec.deviceId, sampler: parts.sampler, codec: codecFor(spec.codec, spec.depthsCm), ns, radio, weather: parts.weather, link: { online: () => true }, clock, log: silentLogger() });
  device.start();
  device.tick();
  return { events, entries };
}

describe('every format decodes to the same readings as native', () => {
  const run = runOffline({ devices: specs, startMs: start, untilMs: until, intervalS: 600 });

  for (const spec of specs) {
    const entries = run.get(spec.deviceId)?.entries ?? [];
    const native = decodeAll(mqttMessages(nativeFormat, spec.deviceId, entries, true), context(spec.deviceId));

    it(`${spec.kind}: native carries every measurement, with its time and sequence number`, () => {
      expect(entries.length).toBe(18);
      expect(native.size).toBe(entries.reduce((n, e) => n + Object.keys(e.readings).length, 0));
      expect([...native.values()].every((r) => r.seq !== undefined && r.flags === undefined)).toBe(true);
    });

    for (const [format, rtc] of [[senmlFormat, true], [senmlFormat, false], [thingsboardFormat, true]] as const) {
      it(`${spec.kind}: ${format.name}${rtc ? '' : ' without a clock (relative times)'}`, () => {
        expectSameReadings(decodeAll(mqttMessages(format, spec.deviceId, entries, rtc), context(spec.deviceId)), native);
      });
    }

    for (const flavour of ['chirpstack', 'tts'] as const) {
      it(`${spec.kind}: LoRaWAN ruong-v1 codec through ${flavour === 'tts' ? 'The Things Stack v3' : 'ChirpStack v4'}`, () => {
        const { events, entries: measured } = lorawanEvents(spec, flavour, (f, n) => [flavour === 'tts' ? ttsUp(f, n) : chirpstackUp(f, n)]);
        expect(events).toHaveLength(18);
        // A LoRa device does not report its own signal: the gateways measure it and the network server passes
        // it on (rxInfo / rx_metadata rssi); the rest equals native of the same entries, which have no rssi.
        const reference = decodeAll(mqttMessages(nativeFormat, spec.deviceId, measured, true), context(spec.deviceId));
        expect(reference.size).toBe(native.size - 18);
        expectSameReadings(gatewayRssi(decodeAll(events, context(spec.deviceId)), 18), reference);
      });
    }
  }

  it('a Dragino LSE01 soil probe through ChirpStack v4, with a device profile and status events', () => {
    const codec = codecFor('dragino-lse01', [20]);
    const profile = DeviceProfile.parse({ id: 'sim-lse01-20cm', name: 'Dragino LSE01 at 20 cm', fields: codec.fields });
    const { events, entries } = lorawanEvents(lse01, 'chirpstack', (f, n, b) => [chirpstackUp(f, n), ...(b !== undefined && f.fCnt % 6 === 0 ? [chirpstackStatus(f, n, b)] : [])]);
    expect(events.some((e) => e.topic.endsWith('/event/status'))).toBe(true);
    const native = decodeAll(mqttMessages(nativeFormat, lse01.deviceId, entries, true), context(lse01.deviceId));
    // Battery travels as volts in 1/11 % steps, EC in whole µS/cm: equal within those resolutions.
    const withoutRssi = (m: Map<string, Reading>) => new Map([...m].filter(([, r]) => r.metric !== 'rssi'));
    const lorawan = decodeAll(events, context(lse01.deviceId, profile));
    expect([...lorawan.values()].filter((r) => r.metric === 'rssi').every((r) => r.value === -90)).toBe(true);
    expectSameReadings(withoutRssi(lorawan), withoutRssi(native), { battery: 0.1, soil_ec: 0.001 });
  });

  it('the same Dragino probe through The Things Stack without a profile falls back to the normalised payload', () => {
    const { events } = lorawanEvents({ ...lse01, format: 'tts' }, 'tts', (f, n) => [ttsUp(f, n)]);
    const readings = gatewayRssi(decodeAll(events, context(lse01.deviceId)), 18);
    const metrics = new Set([...readings.values()].map((r) => r.metric));
    expect(metrics).toEqual(new Set(['soil_moisture@20cm', 'soil_temperature@20cm', 'soil_ec@20cm']));
    expect([...readings.values()].every((r) => r.flags?.includes('network_time'))).toBe(true);
  });

  it('native without a clock: the receive time, flagged', () => {
    const entries = run.get('wx-1')?.entries.slice(-1) ?? [];
    const readings = decodeAll([{ topic: topics.up('wx-1'), payload: nativeFormat.encode(entries, { deviceId: 'wx-1', sentAtMs: receivedAt, rtc: false }) }], context('wx-1'));
    expect([...readings.values()].every((r) => r.ts === receivedAt && r.flags?.includes('no_device_time'))).toBe(true);
  });
});
