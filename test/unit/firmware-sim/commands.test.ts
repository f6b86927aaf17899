// The commands a simulated device accepts on devices/{id}/down, validated at the MQTT boundary.
import { describe, expect, it } from 'vitest';
import { DeviceCommandMessage } from '../../../firmware-sim/sim-device.js';

describe('device commands', () => {
  it('accepts irrigate (mm) and valve (minutes)', () => {
    expect(DeviceCommandMessage.parse({ cmd: 'irrigate', mm: 25 })).toEqual({ cmd: 'irrigate', mm: 25 });
    expect(DeviceCommandMessage.parse({ cmd: 'valve', minutes: 30 })).toEqual({ cmd: 'valve', minutes: 30 });
  });

  it('rejects unknown commands, missing or implausible amounts and extra fields', () => {
    for (const bad of [{ cmd: 'pump', minutes: 5 }, { cmd: 'irrigate' }, { cmd: 'irrigate', mm: -5 }, { cmd: 'valve', minutes: 10_000 }, { cmd: 'irrigate', mm: 5, at: 1 }, 'irrigate', null]) {
      expect(DeviceCommandMessage.safeParse(bad).success).toBe(false);
    }
  });
});
