// Sensor faults change what a sensor reports, never the physics: stuck, spikes, drift, dead probe.
import { describe, expect, it } from 'vitest';
import { createFaultInjector, faultMatches } from '../../../firmware-sim/faults.js';
import { DAY, HOUR } from './helpers.js';

const t0 = Date.UTC(2025, 2, 1);
const readings = (v: number): Record<string, number> => ({ 'soil_moisture@20cm': v, 'soil_moisture@50cm': v + 5, battery: 80 });

describe('sensor faults', () => {
  it('names one channel, every depth of a metric, or everything', () => {
    expect(faultMatches({ metric: 'soil_moisture' }, 'soil_moisture@20cm')).toBe(true);
    expect(faultMatches({ metric: 'soil_moisture@20cm' }, 'soil_moisture@50cm')).toBe(false);
    expect(faultMatches({ metric: 'soil' }, 'soil_moisture@20cm')).toBe(false);
    expect(faultMatches({ metric: '*' }, 'battery')).toBe(true);
  });

  it('stuck: repeats the value it had when the fault began, until the fault ends', () => {
    const f = createFaultInjector([{ kind: 'stuck', metric: 'soil_moisture@20cm', fromMs: t0 + HOUR, toMs: t0 + 3 * HOUR }], 1);
    expect(f.apply(t0, readings(30))['soil_moisture@20cm']).toBe(30);
    expect(f.apply(t0 + HOUR, readings(29))['soil_moisture@20cm']).toBe(29);
    expect(f.apply(t0 + 2 * HOUR, readings(25))['soil_moisture@20cm']).toBe(29);
    expect(f.apply(t0 + 2 * HOUR, readings(25))['soil_moisture@50cm']).toBe(30); // the other depth is healthy
    expect(f.apply(t0 + 3 * HOUR, readings(24))['soil_moisture@20cm']).toBe(24);
  });

  it('spike: about `probability` of the readings jump by ±magnitude', () => {
    const f = createFaultInjector([{ kind: 'spike', metric: 'soil_moisture', fromMs: t0, probability: 0.1, magnitude: 20 }], 2);
    const out = Array.from({ length: 2000 }, (_, i) => f.apply(t0 + i * 600_000, readings(30))['soil_moisture@20cm']);
    const spikes = out.filter((v) => v !== 30);
    expect(spikes.length).toBeGreaterThan(140);
    expect(spikes.length).toBeLessThan(260);
    expect(new Set(spikes)).toEqual(new Set([10, 50]));
  });

  it('drift: adds perDay for every day since it began', () => {
    const f = createFaultInjector([{ kind: 'drift', metric: 'battery', fromMs: t0, perDay: -0.5 }], 3);
    expect(f.apply(t0 + 10 * DAY, readings(30)).battery).toBe(75);
  });

  it('dead: the channel disappears, or reads a fixed value', () => {
    const gone = createFaultInjector([{ kind: 'dead', metric: 'soil_moisture@20cm', fromMs: t0 }], 4).apply(t0, readings(30));
    expect(gone).toEqual({ 'soil_moisture@50cm': 35, battery: 80 });
    const zero = createFaultInjector([{ kind: 'dead', metric: 'soil_moisture@20cm', fromMs: t0, reads: 0 }], 4).apply(t0 + DAY, readings(30));
    expect(zero['soil_moisture@20cm']).toBe(0);
  });

  it('leaves the readings it was given unchanged', () => {
    const input = readings(30);
    createFaultInjector([{ kind: 'dead', metric: '*', fromMs: t0 }], 5).apply(t0, input);
    expect(input).toEqual(readings(30));
  });
});
