// Every way a message or a value is rejected, per format: the code and a reason that names the problem.
import { describe, expect, it } from 'vitest';
import { decode, DecodeError, type DecodeContext } from '../../../core/telemetry/decoders/index.js';
import { loadFixture, RECEIVED_AT, resolveFixtureDevice } from '../../fixtures/interop/fixtures.js';

const ctx: DecodeContext = { resolveDevice: resolveFixtureDevice, maxAgeMs: 90 * 86_400_000 };
const run = (topic: string, payload: unknown, c: DecodeContext = ctx) =>
  decode({ topic, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), receivedAt: RECEIVED_AT }, c);

function rejectedWhole(topic: string, payload: unknown, c?: DecodeContext): DecodeError {
  try {
    run(topic, payload, c);
  } catch (err) {
    if (err instanceof DecodeError) return err;
    throw err;
  }
  throw new Error('expected the message to be rejected');
}

describe('messages rejected whole (dead letters)', () => {
  it('TOPIC_INVALID: a topic no decoder reads', () => {
    expect(rejectedWhole('devices/probe-12/telemetry', { readings: { battery: 1 } })).toMatchObject({ code: 'TOPIC_INVALID' });
    expect(rejectedWhole('application/x/device/not-an-eui/event/up', {})).toMatchObject({ code: 'TOPIC_INVALID' });
  });

  it('PAYLOAD_NOT_JSON, naming the device and format of the topic', () => {
    expect(rejectedWhole('devices/probe-12/up', '{"ts": 1,')).toMatchObject({ code: 'PAYLOAD_NOT_JSON', deviceId: 'probe-12', format: 'native' });
    expect(rejectedWhole(loadFixture('chirpstack-status').topic, 'nope')).toMatchObject({ code: 'PAYLOAD_NOT_JSON', deviceId: 'lse01-3', format: 'chirpstack' });
  });

  it('PAYLOAD_INVALID for each format, naming the bad field', () => {
    expect(rejectedWhole('devices/probe-12/up', { ts: 1, readings: { battery: 'full' } }).message).toMatch(/native schema — readings\.battery/);
    expect(rejectedWhole('devices/weather-3/up', [{ n: 'rain', v: 1, t: 'soon' }]).message).toMatch(/SenML schema — 0\.t/);
    expect(rejectedWhole('devices/weather-3/up', [{ n: 'rain', v: 1, crit_: 1 }]).message).toMatch(/must be understood/);
    expect(rejectedWhole('devices/gw-weather-1/up/thingsboard', [{ ts: 'x', values: {} }]).message).toMatch(/ThingsBoard schema — 0\.ts/);
    const up = loadFixture('chirpstack-up-dragino-lse01');
    const { object: _object, ...noCodec } = up.payload as Record<string, unknown>;
    expect(rejectedWhole(up.topic, noCodec).message).toMatch(/no decoded `object`/);
    expect(rejectedWhole(up.topic, { ...noCodec, fCnt: -1, object: {} }).message).toMatch(/ChirpStack up schema — fCnt/);
    const other = { ...(up.payload as Record<string, unknown>), deviceInfo: { devEui: '0000000000000001' } };
    expect(rejectedWhole(up.topic, other).message).toMatch(/differs from the topic/);
    const tts = loadFixture('tts-up-decoded-dragino-lse01');
    const ttsPayload = tts.payload as { uplink_message: Record<string, unknown> };
    const { decoded_payload: _d, ...bare } = ttsPayload.uplink_message;
    expect(rejectedWhole(tts.topic, { ...ttsPayload, uplink_message: bare }).message).toMatch(/neither decoded_payload nor normalized_payload/);
    expect(rejectedWhole(tts.topic, { uplink_message: {} }).message).toMatch(/The Things Stack uplink schema — end_device_ids/);
  });

  it('DEVICE_UNKNOWN for an unregistered DevEUI or device id', () => {
    const up = loadFixture('chirpstack-up-dragino-lse01');
    const topic = up.topic.replace('a84041000181c061', '70b3d57ed0001234');
    const payload = { ...(up.payload as Record<string, unknown>), deviceInfo: {} };
    expect(rejectedWhole(topic, payload)).toMatchObject({ code: 'DEVICE_UNKNOWN', message: expect.stringMatching(/DevEUI 70b3d57ed0001234/) as unknown });
    expect(rejectedWhole('devices/ghost/up', { readings: { battery: 50 } })).toMatchObject({ code: 'DEVICE_UNKNOWN' });
  });

  it('DEVICE_REVOKED for a device the registry has revoked', () => {
    const revoked: DecodeContext = { resolveDevice: (ref) => ({ deviceId: ref.deviceId ?? 'x', revoked: true }) };
    expect(rejectedWhole('devices/probe-12/up', { readings: { battery: 50 } }, revoked)).toMatchObject({ code: 'DEVICE_REVOKED', deviceId: 'probe-12' });
  });
});

describe('values rejected alone, beside the good ones', () => {
  const codes = (topic: string, payload: unknown) => {
    const out = run(topic, payload);
    return { stored: out.readings.map((r) => r.metric), rejected: out.rejected.map((r) => [r.metric, r.code]) };
  };

  it('METRIC_UNKNOWN, VALUE_OUT_OF_BOUNDS, TIMESTAMP_IN_FUTURE and TIMESTAMP_TOO_OLD (native)', () => {
    expect(codes('devices/probe-12/up', [
      { ts: RECEIVED_AT, readings: { soil_mosture: 20, soil_moisture: 75, battery: 80 } },
      { ts: RECEIVED_AT + 6 * 60_000, readings: { battery: 79 } },
      { ts: RECEIVED_AT - 91 * 86_400_000, readings: { battery: 78 } },
    ])).toEqual({
      stored: ['battery'],
      rejected: [['soil_mosture', 'METRIC_UNKNOWN'], ['soil_moisture', 'VALUE_OUT_OF_BOUNDS'], ['battery', 'TIMESTAMP_IN_FUTURE'], ['battery', 'TIMESTAMP_TOO_OLD']],
    });
  });

  it('UNIT_INVALID and a non-numeric value (SenML)', () => {
    const out = run('devices/weather-3/up', [{ bt: RECEIVED_AT / 1000, n: 'air_temperature', u: 'lx', v: 30 }, { n: 'rain', vs: 'heavy' }, { n: 'rain', u: 'mm', v: 2 }]);
    expect(out.readings.map((r) => [r.metric, r.value])).toEqual([['rain', 2]]);
    expect(out.rejected.map((r) => r.code)).toEqual(['UNIT_INVALID', 'PAYLOAD_INVALID']);
    expect(out.rejected[0]?.reason).toMatch(/unit "lx" cannot express °C \(accepted: °C, Cel, K\)/);
  });

  it('a codec field that is not a number, and a flat ThingsBoard key that is no metric', () => {
    const up = loadFixture('chirpstack-up-dragino-lse01');
    const payload = { ...(up.payload as { object: object }), object: { water_SOIL: 'ERR', temp_SOIL: '25.00' } };
    expect(codes(up.topic, payload)).toEqual({ stored: ['soil_temperature', 'rssi'], rejected: [['soil_moisture', 'PAYLOAD_INVALID']] });
    expect(codes('devices/gw-weather-1/up/thingsboard', { firmware: '1.2.0', rain: 0.2 })).toEqual({ stored: ['rain'], rejected: [['firmware', 'METRIC_UNKNOWN']] });
  });
});
