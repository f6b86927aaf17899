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

  it('encodes readings that share a message\'s ts and seq exactly as their lines (the tail is copied, not rewritten)', () => {
    const msg = (ts: number, seq: number | undefined, extra: Partial<StoredReading> = {}): StoredReading[] =>
      ['temperature', 'humidity', 'soil_moisture@20cm', 'battery'].map((metric, k) => ({ ...base, metric, ts, value: k + 0.5, ...(seq === undefined ? {} : { seq }), ...extra }));
    const batch: StoredReading[] = [
      ...msg(1_700_000_000_000, 41),
      ...msg(1_700_000_000_000, 42), // same ts, next seq
      ...msg(1_700_000_060_000, 42), // same seq, next ts
      ...msg(1_700_000_120_000, undefined), // no seq
      ...msg(1_700_000_120_000, 43),
      { ...base, ts: 1_700_000_180_000, value: 1, seq: 44 },
      { ...base, metric: 'battery', ts: 1_700_000_180_000, value: 2, seq: 44, flags: ['suspect'] }, // flags between
      { ...base, metric: 'humidity', ts: 1_700_000_180_000, value: 3, seq: 44 },
      { ...base, metric: 'rain', ts: 1_700_000_180_000, value: 4, seq: 44 },
      { ...base, deviceId: 'dev-2', ts: 1_700_000_180_000, value: 5, seq: 44 }, // another device, same tail
      { ...base, deviceId: `d-${'x'.repeat(2000)}`, ts: 1_700_000_180_000, value: 6, seq: 44 }, // grows the buffer mid-message
      { ...base, deviceId: `d-${'x'.repeat(2000)}`, metric: 'rain', ts: 1_700_000_180_000, value: 7, seq: 44 },
    ];
    const lines = createLineBuilder();
    const encoded = createLineBuilder().encode(batch);
    for (let i = 0; i < batch.length; i++) {
      expect(encoded.bytes.subarray(encoded.starts[i], encoded.starts[i + 1]).toString('utf8')).toBe(`${lines.line(batch[i]!)}\n`);
    }
  });

  it('writes decimals, and any other double, as String() prints them', () => {
    const values: number[] = [0.1, 0.5, -0.5, 0.05, -0.05, 0.001, 0.0001, 1e-7, 0.82, 23.4, 25.1, 99.99, 100.5, 1234.567, -1234.567,
      0.1 + 0.2, 1 / 3, 2 ** 31 + 0.5, 2 ** 31 / 10 + 0.1, 123456789012.345, 999999999999.999, 99999999999999.9, 999999999999999.9,
      1e15 + 0.5, 4503599627370495.5, 1.5e300, 5e-324, 1e21 + 0.5, 0.000999, 12.0001];
    let seed = 7;
    const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
    for (let i = 0; i < 20_000; i++) {
      const k = i % 4;
      const scale = 10 ** Math.floor(rand() * 16);
      values.push(Math.round((rand() - 0.5) * scale) / 10 ** k, (rand() - 0.5) * scale, Number(((rand() - 0.5) * scale).toFixed(k)));
    }
    const batch = values.map((value, i): StoredReading => ({ ...base, ts: i, value, seq: i }));
    const encoded = createLineBuilder().encode(batch);
    const wrong: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const line = encoded.bytes.subarray(encoded.starts[i], encoded.starts[i + 1]).toString('utf8');
      const written = line.slice(line.indexOf(' value=') + 7, line.indexOf(',seq='));
      if (written !== String(values[i])) wrong.push(`${written} for ${String(values[i])}`);
    }
    expect(wrong).toEqual([]);
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
