// Device profiles map a vendor codec's field names to our metrics as data (issue 4).
import { describe, expect, it } from 'vitest';
import { DeviceProfile, mapDecoded } from '../../../core/telemetry/device-profile.js';
import { seedProfiles } from '../../../core/registry/seed-profiles.js';

const seed = (id: string) => seedProfiles.find((p) => p.id === id)!;

describe('device profiles', () => {
  it('every shipped profile is valid and maps only catalogue metrics', () => {
    for (const p of seedProfiles) expect(DeviceProfile.parse(p)).toEqual(p);
    expect(DeviceProfile.safeParse({ id: 'x', name: 'x', fields: { a: { metric: 'soil_wetness' } } }).success).toBe(false);
  });

  it('maps flat codec fields, numeric strings and scaled units; ignores unmapped fields', () => {
    expect(mapDecoded({ water_SOIL: '31.45', temp_SOIL: 26.7, conduct_SOIL: 412, Mod: 0, BatV: 3.3 }, seed('dragino-lse01'))).toEqual([
      { metric: 'soil_moisture', value: 31.45 }, { metric: 'soil_temperature', value: 26.7 }, { metric: 'soil_ec', value: 0.412 },
    ]);
  });

  it('maps list-shaped codec output by measurement id, nested arrays included', () => {
    const object = { messages: [[{ measurementId: '4103', measurementValue: 38.6 }], [{ measurementId: 4102, measurementValue: 27.3 }, { type: 'upload_battery', measurementValue: 90 }]] };
    expect(mapDecoded(object, seed('sensecap-s2105'))).toEqual([{ metric: 'soil_moisture', value: 38.6 }, { metric: 'soil_temperature', value: 27.3 }]);
  });

  it('reads dot paths and applies an offset', () => {
    const profile = DeviceProfile.parse({ id: 'custom', name: 'custom', fields: { 'level.raw_cm': { metric: 'water_level', offset: -250 } } });
    expect(mapDecoded({ level: { raw_cm: 330 } }, profile)).toEqual([{ metric: 'water_level', value: 80 }]);
  });

  it('without a profile, keys are metric names', () => {
    expect(mapDecoded({ soil_moisture: '22.5', note: 'x' }, undefined)).toEqual([{ metric: 'soil_moisture', value: 22.5 }, { metric: 'note', value: 'x' }]);
  });
});
