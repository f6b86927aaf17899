// The generated fleet of `ruong sim --devices N`, and the devices file that gives it credentials.
import { describe, expect, it } from 'vitest';
import { fleetWithCredentials, generateFleet, parseDevicesFile } from '../../../firmware-sim/fleet.js';

describe('fleet', () => {
  it('makes N distinct devices in farms of 20, each farm with a weather station', () => {
    const fleet = generateFleet({ count: 10_000 });
    expect(fleet).toHaveLength(10_000);
    expect(new Set(fleet.map((d) => d.deviceId)).size).toBe(10_000);
    expect(fleet[0]?.deviceId).toBe('sim-00001');
    expect(fleet.filter((d) => d.kind === 'weather_station')).toHaveLength(500);
    const kinds = new Set(fleet.map((d) => d.kind));
    expect(kinds).toEqual(new Set(['weather_station', 'soil_probe', 'awd_tube', 'canal_sensor']));
    expect(fleet.every((d) => d.secret === undefined && d.format === 'native')).toBe(true);
    expect(generateFleet({ count: 50 })).toEqual(generateFleet({ count: 50 })); // deterministic
  });

  it('mixes wire formats when asked', () => {
    const formats = new Set(generateFleet({ count: 100, format: 'mixed' }).map((d) => d.format));
    expect(formats).toEqual(new Set(['native', 'senml', 'thingsboard']));
  });

  it('reads credentials as a list of devices or as a map, and puts them on the first devices', () => {
    const list = parseDevicesFile([{ deviceId: 'farm-a-1', secret: 's1', kind: 'awd_tube' }, { deviceId: 'farm-a-2', secret: 's2' }], 'x.json');
    expect(list.secrets).toEqual({ 'farm-a-1': 's1', 'farm-a-2': 's2' });
    const fleet = fleetWithCredentials({ count: 3 }, list);
    expect(fleet.map((d) => [d.deviceId, d.secret])).toEqual([['farm-a-1', 's1'], ['farm-a-2', 's2'], ['sim-00003', undefined]]);
    expect(fleet[0]?.kind).toBe('awd_tube');
    expect(parseDevicesFile({ 'wx-1': 'k' }, 'y.json').specs).toEqual([{ deviceId: 'wx-1', secret: 'k' }]);
    expect(() => parseDevicesFile([{ deviceId: 'a' }], 'z.json')).toThrow(/z\.json/);
  });
});
