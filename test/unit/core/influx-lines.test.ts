// The InfluxDB line builder: `encode` writes a batch into one buffer and must give, byte for byte, the lines
// `line` gives (each ending in a newline) — for floats, integers, negative and tiny or huge numbers, flags,
// readings without seq and tag values that need escaping or are not ASCII; bodies split the marks and
// encoded lines into requests of at most N lines, in order.
import { describe, expect, it } from 'vitest';
import { bodyBytes, createLineBuilder, lineBodies } from '../../../core/store/influx-lines.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';

const base = { deviceId: 'dev-1', metric: 'soil_moisture@20cm', fieldId: 'field 1', farmId: 'farm,1', cooperativeId: 'coop=1' };

const readings: StoredReading[] = [
  { ...base, ts: 1_700_000_000_000, value: 23.4, seq: 1 },
  { ...base, ts: 1_700_000_001_000, value: 87, seq: 2 },
  { ...base, metric: 'battery', ts: 0, value: -0, seq: 0 },
  { ...base, ts: 1, value: -12.5 },
  { ...base, ts: -5, value: 1e-7, seq: 9_007_199_254_740_991 },
  { ...base, ts: 2, value: 1.5e300, flags: ['suspect', 'step_change'] },
  { ...base, ts: 3, value: -9_007_199_254_740_991, flags: ['no_device_time'] },
  { ...base, ts: 4, value: 9_007_199_254_740_992 },
  { ...base, deviceId: 'thiết-bị-1', ts: 5, value: 0.1 + 0.2, seq: 77 },
  { ...base, fieldId: 'field 2', ts: 6, value: 123456789.125, seq: 10 },
  { ...base, ts: 999_999_999, value: 1e9, seq: 1_000_000_005 },
  { ...base, ts: 1_000_000_000, value: -2_147_483_648, seq: 2_147_483_648 },
  { ...base, ts: 4_000_000_000_000_000, value: 1e21, seq: 10_000_000_000 },
];

describe('influx line builder', () => {
  it('encodes a batch exactly as the lines of its readings', () => {
    const lines = createLineBuilder();
    const expected = readings.map((r) => `${lines.line(r)}\n`).join('');
    const encoded = createLineBuilder().encode(readings);
    expect(encoded.bytes.subarray(0, encoded.starts[readings.length]).toString('utf8')).toBe(expected);
    for (let i = 0; i < readings.length; i++) {
      expect(encoded.bytes.subarray(encoded.starts[i], encoded.starts[i + 1]).toString('utf8')).toBe(`${lines.line(readings[i]!)}\n`);
    }
  });

  it('grows its buffer for long lines', () => {
    const long = Array.from({ length: 50 }, (_, i): StoredReading => ({ ...base, deviceId: `d-${'x'.repeat(400)}-${i}`, ts: i, value: i / 3, seq: i }));
    const lines = createLineBuilder();
    const encoded = lines.encode(long);
    expect(encoded.bytes.subarray(0, encoded.starts[long.length]).toString()).toBe(long.map((r) => `${lines.line(r)}\n`).join(''));
  });

  it('rejects a batch holding an invalid reading', () => {
    const lines = createLineBuilder();
    expect(() => lines.encode([readings[0]!, { ...base, ts: 1, value: Number.NaN }])).toThrow(/not finite/);
    expect(() => lines.encode([{ ...base, ts: 1.5, value: 1 }])).toThrow(/integer ms/);
    expect(() => lines.encode([{ ...base, ts: 1, value: 1, seq: 0.5 }])).toThrow(/seq/);
  });

  it('splits marks and encoded lines into bodies of at most N lines, in order', () => {
    const lines = createLineBuilder();
    const encoded = lines.encode(readings);
    const marks = ['m1', 'm2', 'm3'];
    for (const per of [1, 2, 3, 4, 5, 13, 100]) {
      const bodies = lineBodies(marks, encoded, per);
      const all = bodies.flatMap((b) => bodyBytes(b).toString().split('\n').filter((l) => l !== ''));
      expect(all).toEqual([...marks, ...readings.map((r) => lines.line(r))]);
      for (const b of bodies) expect(bodyBytes(b).toString().split('\n').filter((l) => l !== '').length).toBeLessThanOrEqual(per);
      expect(bodies.length).toBe(Math.ceil((marks.length + readings.length) / per));
    }
    expect(lineBodies([], encoded, 100)).toHaveLength(1);
    expect(lineBodies(marks, lines.encode([]), 100)).toEqual(['m1\nm2\nm3']);
  });
});
