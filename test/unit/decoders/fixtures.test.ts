// Every real-shaped fixture of every wire format decodes to exactly the readings it carries.
import { describe, expect, it } from 'vitest';
import { decode } from '../../../core/telemetry/decoders/index.js';
import { expectedReadings, loadFixture, RECEIVED_AT, resolveFixtureDevice } from '../../fixtures/interop/fixtures.js';

describe('interop fixtures decode to the expected readings', () => {
  for (const [name, expected] of Object.entries(expectedReadings)) {
    it(name, () => {
      const { topic, payload } = loadFixture(name);
      const out = decode({ topic, payload: Buffer.from(JSON.stringify(payload)), receivedAt: RECEIVED_AT }, { resolveDevice: resolveFixtureDevice });
      expect(out.format).toBe(expected.format);
      expect(out.deviceId).toBe(expected.deviceId);
      expect(out.ignored !== undefined).toBe(expected.ignored === true);
      expect(out.rejected).toEqual([]);
      expect(out.readings).toEqual(expected.readings.map(([metric, ts, value, seq, flags]) => ({ deviceId: expected.deviceId, metric, ts, value, seq, flags })));
    });
  }
});
