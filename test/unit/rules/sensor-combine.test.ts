// Several soil probes in one field (issue 15, rules/sensor-combine.ts): per depth the median of the trusted
// probes; a depth no trusted probe measures makes the field fall back; θ floored at θWP.
import { describe, expect, it } from 'vitest';
import { combineAwd, combineSalinity, combineSoilProbes, type ProbeReading } from '../../../rules/sensor-combine.js';
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

describe('canal salinity and AWD tubes combined', () => {
  const r = (deviceId: string, value: number, ts = T) => ({ deviceId, value, ts });

  it('salinity: the worst fresh sensor decides; a reading 6 h away is not combined', () => {
    expect(combineSalinity(r('a', 0.2), [r('b', 5), r('c', 9, T - 7 * H)], undefined)).toEqual({
      value: 5, decidingDeviceId: 'b', policy: 'worst', numbers: { 'sensor:a': 0.2, 'sensor:b': 5 },
    });
    expect(combineSalinity(r('a', 0.2), [], undefined)).toMatchObject({ value: 0.2, policy: 'single' });
  });

  it('salinity: the intake sensor alone decides when it reports; another sensor is skipped', () => {
    expect(combineSalinity(r('a', 0.3), [r('intake', 6)], 'intake')).toBeUndefined();
    expect(combineSalinity(r('intake', 0.4), [r('a', 6)], 'intake')).toMatchObject({ value: 0.4, decidingDeviceId: 'intake', policy: 'intake' });
    // the intake sensor silent for 6 h: the worst again
    expect(combineSalinity(r('a', 0.3), [r('intake', 6, T - 7 * H)], 'intake')).toMatchObject({ value: 0.3, policy: 'single' });
  });

  it('AWD: the mean of the tubes; a tube > 5 cm from it is reported (of two, the drier)', () => {
    const two = combineAwd(r('a', -5), [r('b', -19)]);
    expect(two).toMatchObject({ value: -12, policy: 'mean', numbers: { awdMeanCm: -12, awdTubes: 2 } });
    expect(two.outliers).toEqual([{ deviceId: 'b', levelCm: -19, othersMeanCm: -5 }]);
    const three = combineAwd(r('a', -10), [r('b', -11), r('c', -2)]);
    expect(three.outliers).toEqual([{ deviceId: 'c', levelCm: -2, othersMeanCm: -10.5 }]);
    expect(combineAwd(r('a', -14), [r('b', -16)]).outliers).toEqual([]);
  });
});
