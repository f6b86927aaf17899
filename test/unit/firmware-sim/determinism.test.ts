// Determinism: the same seed and weather give the same readings; another seed gives others.
import { describe, expect, it } from 'vitest';
import { createDeviceModel, type DeviceKind } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { HOUR, local, mekong } from './helpers.js';

const kinds: DeviceKind[] = ['soil_probe', 'weather_station', 'canal_sensor', 'awd_tube'];

function run(kind: DeviceKind, seed: number): Record<string, number>[] {
  const model = createDeviceModel({ kind, seed }, createWeather(mekong));
  return Array.from({ length: 24 * 20 }, (_, i) => model.sample(local(2025, 5, 1) + i * HOUR));
}

describe('determinism', () => {
  for (const kind of kinds) {
    it(`${kind}: same seed, same readings; another seed, other readings`, () => {
      expect(run(kind, 99)).toEqual(run(kind, 99));
      expect(run(kind, 100)).not.toEqual(run(kind, 99));
    });
  }
});
