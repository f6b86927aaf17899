// SenML resolution (RFC 8428 §4.6) and unit conversion to the catalogue's canonical units (docs/interop.md).
import { describe, expect, it } from 'vitest';
import { decode } from '../../../core/telemetry/decoders/index.js';
import { senmlSamples } from '../../../core/telemetry/decoders/senml.js';
import { toCanonical } from '../../../core/telemetry/units.js';

const now = Date.parse('2026-03-10T03:00:00Z');

describe('SenML', () => {
  it('carries base name, time, unit and value to later records until they change', () => {
    const samples = senmlSamples([
      { bn: 'urn:dev:ow:10e2073a01080063:', bt: 1.7e9, bu: 'Cel', bv: 20 },
      { n: 'air_temperature', v: 1.5 },
      { n: 'soil_temperature@10cm', v: 2, t: 10 },
      { bn: 'probe/', bu: '%', bv: 0, n: 'soil_moisture', v: 30 },
    ], now);
    expect(samples).toEqual([
      { metric: 'air_temperature', value: 21.5, unit: 'Cel', ts: 1.7e12 },
      { metric: 'soil_temperature@10cm', value: 22, unit: 'Cel', ts: 1.7e12 + 10_000 },
      { metric: 'soil_moisture', value: 30, unit: '%', ts: 1.7e12 },
    ]);
  });

  it('takes times below 2^28 s as relative to the receive time, and no time at all as the receive time (flagged)', () => {
    const out = decode(
      { topic: 'devices/d1/up', payload: JSON.stringify([{ n: 'rain', u: 'mm', v: 0.2 }, { n: 'rain', u: 'mm', v: 0.4, t: -600.5 }]), receivedAt: now },
      { resolveDevice: () => ({ deviceId: 'd1' }) },
    );
    expect(out.readings.map((r) => [r.ts, r.flags])).toEqual([[now, ['no_device_time']], [now - 600_500, undefined]]);
  });

  it('uses a sum when a record has no value', () => {
    expect(senmlSamples([{ bs: 10, n: 'rain', s: 2.5, u: 'mm' }], now)[0]).toMatchObject({ value: 12.5 });
  });
});

describe('units → canonical', () => {
  it.each([
    ['dS/m', 'S/m', 0.26, 2.6],
    ['dS/m', 'uS/cm', 412, 0.412],
    ['°C', 'Cel', 25.5, 25.5],
    ['°C', 'K', 300.15, 27],
    ['%', '%RH', 80, 80],
    ['%', '%EL', 55, 55],
    ['%', '/', 0.3, 30],
    ['kPa', 'Pa', 101325, 101.325],
    ['kPa', 'hPa', 1013.25, 101.325],
    ['mm', 'mm', 0.2, 0.2],
    ['W/m²', 'W/m2', 640, 640],
    ['m/s', 'km/h', 36, 10],
    ['cm', 'm', 1.125, 112.5],
    ['cm', 'mm', 85, 8.5],
    ['cm', undefined, 12, 12],
  ])('%s from %s', (canonical, unit, value, expected) => {
    expect(toCanonical(canonical, unit, value)).toBe(expected);
  });

  it('refuses a unit that cannot express the metric', () => {
    expect(toCanonical('dS/m', 'Cel', 1)).toBeUndefined();
    expect(toCanonical('cm', '%', 1)).toBeUndefined();
  });
});
