// Every device model stays within the metric catalogue's bounds over a simulated year at 10-min steps,
// and reports the metrics its kind promises.
import { describe, expect, it } from 'vitest';
import { createDeviceModel, type DeviceKind } from '../../../firmware-sim/models/index.js';
import { createWeather } from '../../../firmware-sim/weather.js';
import { DAY, STEP, highlands, local, mekong, outOfCatalogue } from './helpers.js';

const cases: { kind: DeviceKind; place: typeof mekong | typeof highlands; keys: string[]; soilTexture?: string; crop?: string }[] = [
  { kind: 'soil_probe', place: highlands, soilTexture: 'clay', crop: 'coffee', keys: ['soil_moisture@20cm', 'soil_moisture@50cm', 'soil_temperature@20cm', 'soil_temperature@50cm', 'soil_ec', 'battery'] },
  { kind: 'soil_probe', place: mekong, soilTexture: 'sand', crop: 'maize', keys: ['soil_moisture@20cm', 'soil_ec', 'battery'] },
  { kind: 'weather_station', place: highlands, keys: ['air_temperature', 'air_humidity', 'wind_speed', 'solar_radiation', 'rain', 'air_pressure', 'battery'] },
  { kind: 'canal_sensor', place: mekong, keys: ['water_level', 'water_ec', 'water_temperature', 'water_ph', 'battery'] },
  { kind: 'awd_tube', place: mekong, crop: 'rice', soilTexture: 'silty clay', keys: ['awd_level', 'battery'] },
  { kind: 'pump_controller', place: highlands, keys: ['pump_on', 'flow_l'] },
  { kind: 'valve_controller', place: mekong, keys: ['valve_open', 'flow_l', 'battery'] },
];

describe('device models over a simulated year', () => {
  for (const c of cases) {
    it(`${c.kind} (${c.soilTexture ?? 'default soil'}) stays within the catalogue bounds`, () => {
      const model = createDeviceModel({ kind: c.kind, seed: 7, depthsCm: [20, 50], soilTexture: c.soilTexture, crop: c.crop }, createWeather(c.place));
      const problems: string[] = [];
      const seen = new Set<string>();
      const start = local(2025, 1, 1);
      for (let ms = start; ms < start + 365 * DAY; ms += STEP) {
        const readings = model.sample(ms);
        for (const key of Object.keys(readings)) seen.add(key);
        for (const p of outOfCatalogue(readings)) if (problems.length < 5) problems.push(`${new Date(ms).toISOString()} ${p}`);
      }
      expect(problems).toEqual([]);
      expect([...seen].sort()).toEqual(expect.arrayContaining(c.keys));
    });
  }
});
