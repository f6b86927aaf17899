// Several soil probes in one field (issue 15, rules/sensor-combine.ts): per depth the median of the trusted
// probes; a depth no trusted probe measures makes the field fall back; θ floored at θWP.
import { describe, expect, it } from 'vitest';
import { combineSoilProbes, type ProbeReading } from '../../../rules/sensor-combine.js';
import type { SuspectChannel } from '../../../rules/sensor-trust.js';

const T = Date.UTC(2026, 2, 1, 6, 0);
const H = 3_600_000;
const p = (deviceId: string, depthCm: number, theta: number, ts = T): ProbeReading => ({ deviceId, depthCm, theta, ts });
const suspect = (deviceId: string, depthCm: number): SuspectChannel =>
  ({ deviceId, deviceName: deviceId, metric: `soil_moisture@${depthCm}cm`, depthCm, reason: 'dead', since: T, value: 0 });

describe('soil probes combined per depth', () => {
  it('three probes: the median per depth, with every probe\'s reading shown', () => {
    const c = combineSoilProbes([p('a', 20, 30), p('b', 20, 24), p('c', 20, 27), p('a', 50, 33), p('b', 50, 31)], [], T, 6 * H, 22);
    expect(c.fallback).toBeUndefined();
    expect(c.depths).toEqual({ 20: { theta: 27, ts: T }, 50: { theta: 32, ts: T } });
    expect(c.numbers).toMatchObject({ 'probe:a:20cm': 30, 'probe:b:20cm': 24, 'probe:c:20cm': 27, medianTheta20cmPct: 27, medianTheta50cmPct: 32 });
  });

  it('a suspect channel is left out; another probe at that depth still speaks for it', () => {
    const c = combineSoilProbes([p('a', 20, 31), p('b', 20, 29), p('a', 50, 33), p('b', 50, 31)], [suspect('b', 20)], T, 6 * H, 22);
    expect(c.depths['20']).toEqual({ theta: 31, ts: T });
    expect(c.numbers['probe:b:20cm']).toBeUndefined();
  });

  it('a depth with no trusted probe left (suspect or stale): fallback, naming the depth and the suspect channel', () => {
    const dead = combineSoilProbes([p('a', 20, 31), p('a', 50, 33)], [suspect('a', 20)], T, 6 * H, 22);
    expect(dead.depths).toEqual({});
    expect(dead.fallback).toEqual({ missingDepthsCm: [20], suspects: [suspect('a', 20)] });
    const stale = combineSoilProbes([p('a', 20, 31, T - 7 * H), p('a', 50, 33)], [], T, 6 * H, 22);
    expect(stale.fallback?.missingDepthsCm).toEqual([20]);
  });

  it('readings older than 48 h are not expected any more; θ below θWP counts as θWP', () => {
    const c = combineSoilProbes([p('a', 20, 18), p('a', 50, 33, T - 49 * H)], [], T, 6 * H, 22);
    expect(c.depths).toEqual({ 20: { theta: 22, ts: T } });
    expect(c.numbers['probe:a:20cm']).toBe(18);
  });
});
