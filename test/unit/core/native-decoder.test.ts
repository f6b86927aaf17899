import { describe, expect, it } from 'vitest';
import { RuongError } from '../../../core/errors.js';
import { decodeNative } from '../../../core/telemetry/decoders/native.js';

const now = Date.parse('2026-03-10T03:00:00Z');
const decode = (payload: unknown) => decodeNative('probe-1', typeof payload === 'string' ? payload : JSON.stringify(payload), { now });

describe('native payload decoder', () => {
  it('decodes a single entry with epoch-ms time and sequence number', () => {
    const { readings, rejected } = decode({ ts: now - 60_000, seq: 7, readings: { soil_moisture: 23.4, 'soil_temperature@30cm': 26.1 } });
    expect(rejected).toEqual([]);
    expect(readings).toEqual([
      { deviceId: 'probe-1', metric: 'soil_moisture', ts: now - 60_000, value: 23.4, seq: 7, flags: undefined },
      { deviceId: 'probe-1', metric: 'soil_temperature@30cm', ts: now - 60_000, value: 26.1, seq: 7, flags: undefined },
    ]);
  });

  it('accepts RFC 3339 times and an array backlog', () => {
    const { readings } = decode([
      { ts: '2026-03-10T01:00:00+07:00', readings: { awd_level: -3 } },
      { ts: '2026-03-10T01:10:00Z', readings: { awd_level: -4 } },
    ]);
    expect(readings.map((r) => [r.ts, r.value])).toEqual([
      [Date.parse('2026-03-09T18:00:00Z'), -3],
      [Date.parse('2026-03-10T01:10:00Z'), -4],
    ]);
  });

  it('gives a reading without a timestamp the receive time and a flag', () => {
    const { readings } = decode({ readings: { battery: 88 } });
    expect(readings[0]).toMatchObject({ ts: now, flags: ['no_device_time'] });
  });

  it('rejects a value outside the plausibility bounds alone, keeping the others', () => {
    const { readings, rejected } = decode({ ts: now, readings: { soil_moisture: 75, air_temperature: 31 } });
    expect(readings.map((r) => r.metric)).toEqual(['air_temperature']);
    expect(rejected).toMatchObject([{ metric: 'soil_moisture', code: 'VALUE_OUT_OF_BOUNDS' }]);
    expect(rejected[0]?.reason).toMatch(/0…60 %/);
  });

  it('rejects unknown metrics and depth on a metric without depth', () => {
    const { rejected } = decode({ ts: now, readings: { soil_mosture: 20, 'battery@10cm': 50 } });
    expect(rejected.map((r) => r.code)).toEqual(['METRIC_UNKNOWN', 'METRIC_UNKNOWN']);
  });

  it('rejects readings more than 5 minutes in the future', () => {
    const { readings, rejected } = decode([{ ts: now + 4 * 60_000, readings: { rain: 0.2 } }, { ts: now + 6 * 60_000, readings: { rain: 0.4 } }]);
    expect(readings).toHaveLength(1);
    expect(rejected).toMatchObject([{ code: 'TIMESTAMP_IN_FUTURE' }]);
  });

  it('throws PAYLOAD_NOT_JSON for bytes that are not JSON', () => {
    expect(() => decode('{"ts": 1, readings')).toThrow(RuongError);
    try { decode('nope'); } catch (err) { expect((err as RuongError).code).toBe('PAYLOAD_NOT_JSON'); }
  });

  it('throws PAYLOAD_INVALID naming the bad part of the shape', () => {
    expect(() => decode({ ts: now, readings: { soil_moisture: '23' } })).toThrow(/readings\.soil_moisture/);
    expect(() => decode({ ts: now, readings: {} })).toThrow(/at least one reading/);
    expect(() => decode({ ts: now, values: { a: 1 } })).toThrow(RuongError);
    expect(() => decode([])).toThrow(RuongError);
  });
});
