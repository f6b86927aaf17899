// Plausibility flags (docs/agronomy.md §6): flagged readings are kept, marked for a second look.
import { describe, expect, it } from 'vitest';
import { createFlagTracker, staticFlags } from '../../../core/telemetry/plausibility.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('plausibility flags', () => {
  it('clamps relative humidity above 100 % to 100 and flags it', () => {
    expect(staticFlags('air_humidity', 102.4)).toEqual({ value: 100, flags: ['clamped'] });
    expect(staticFlags('air_humidity', 99)).toEqual({ value: 99, flags: [] });
  });

  it('flags rain above 30 mm in one report and soil moisture above porosity as suspect', () => {
    expect(staticFlags('rain', 31).flags).toEqual(['suspect']);
    expect(staticFlags('soil_moisture@30cm', 57).flags).toEqual(['suspect']);
    expect(staticFlags('soil_moisture', 40).flags).toEqual([]);
  });

  it('flags an air temperature step of more than 4 °C within 10 minutes', () => {
    const t = createFlagTracker();
    expect(t.flags('w', 'air_temperature', 0, 25)).toEqual([]);
    expect(t.flags('w', 'air_temperature', 10 * MIN, 29.5)).toEqual(['step_change']);
    expect(t.flags('w', 'air_temperature', 20 * MIN, 30)).toEqual([]);
    expect(t.flags('w', 'air_temperature', 45 * MIN, 35)).toEqual([]); // 25 min later: not a step
    expect(t.flags('other', 'air_temperature', 46 * MIN, 20)).toEqual([]); // per device
  });

  it('flags humidity flat at 100 % for more than 24 h, and wind at zero for more than 12 h', () => {
    const t = createFlagTracker();
    for (let h = 0; h <= 24; h++) expect(t.flags('w', 'air_humidity', h * HOUR, 100)).toEqual([]);
    expect(t.flags('w', 'air_humidity', 24 * HOUR + MIN, 100)).toEqual(['flatline']);
    expect(t.flags('w', 'air_humidity', 24 * HOUR + 2 * MIN, 97)).toEqual([]);
    for (let h = 0; h <= 12; h++) t.flags('w', 'wind_speed', h * HOUR, 0);
    expect(t.flags('w', 'wind_speed', 12 * HOUR + MIN, 0)).toEqual(['flatline']);
  });

  it('leaves late readings unflagged and the state unmoved', () => {
    const t = createFlagTracker();
    t.flags('w', 'air_temperature', 10 * MIN, 25);
    expect(t.flags('w', 'air_temperature', 5 * MIN, 35)).toEqual([]);
    expect(t.flags('w', 'air_temperature', 12 * MIN, 26)).toEqual([]);
  });
});
