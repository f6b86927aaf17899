// scenarios/every-format.json on the real platform in this process: a native device, a SenML device
// without a clock, a ThingsBoard device (publishing v1/devices/me/telemetry), a Dragino LSE01 behind a
// simulated ChirpStack v4 and a reference-firmware canal sensor behind a simulated The Things Stack v3
// (both network servers logging in as `ruong-lns`). Every device's readings are stored under its own
// device id with the values it measured.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codecFor } from '../../firmware-sim/formats/lorawan-codecs.js';
import { isLorawan } from '../../firmware-sim/device-spec.js';
import { devEuiOf } from '../../firmware-sim/lorawan-device.js';
import { runOffline } from '../../firmware-sim/offline-run.js';
import { loadScenario, resolveScenario, type ResolvedScenario } from '../../firmware-sim/scenario.js';
import { createSimulator, type Simulator } from '../../firmware-sim/simulator.js';
import { eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

describe('every wire format on the real platform', () => {
  let platform: TestPlatform;
  let sim: Simulator | undefined;
  let run: ResolvedScenario;
  const coop = 'coop-formats';

  beforeAll(async () => {
    platform = await startTestPlatform();
    const r = platform.registry;
    await r.createCooperative({ id: coop, name: 'HTX formats test' });
    const farm = await r.createFarm({ id: 'farm-formats', cooperativeId: coop, name: 'Mỹ Xuyên', lat: 9.55, lon: 105.98, elevationM: 1 });
    const field = await r.createField({ id: 'field-formats', farmId: farm, name: 'Ruộng 1', crop: 'maize' });
    const scenario = loadScenario('scenarios/every-format.json');
    const secrets: Record<string, string> = {};
    for (const d of scenario.devices) {
      const lorawan = d.format === 'chirpstack' || d.format === 'tts';
      const { secret } = await r.provisionDevice({ id: d.id, fieldId: field, kind: d.kind, name: d.id, devEui: lorawan ? (d.devEui ?? devEuiOf(d.id)) : undefined });
      if (!lorawan) secrets[d.id] = secret;
    }
    // The Dragino probe sits at 20 cm: its profile maps the codec's fields to the depth-qualified metrics.
    await r.saveDeviceProfile({ id: 'sim-lse01-20cm', name: 'Dragino LSE01 at 20 cm', fields: codecFor('dragino-lse01', [20]).fields });
    await r.setDeviceProfile('fmt-chirpstack', 'sim-lse01-20cm');
    run = resolveScenario(scenario, { nowMs: Date.now(), secrets });
  });

  afterAll(async () => {
    await sim?.stop();
    await platform?.close();
  });

  it('stores what each device measured, under its own id', async () => {
    const lnsSecret = readFileSync(join(platform.dataDir, 'lns.secret'), 'utf8').trim();
    sim = createSimulator({ brokerUrl: platform.mqttUrl, ...run, speed: 36_000, lnsSecret });
    await sim.start();
    await eventually(() => Promise.resolve(sim?.finished() ? true : undefined), 20_000, 'the scenario to be measured and delivered');
    expect(sim.networkServers().map((ns) => ns.stats().published).every((n) => n > 0)).toBe(true);

    const expected = runOffline(run);
    const tolerance: Record<string, number> = { battery: 0.1, soil_ec: 0.001 }; // the LSE01's volts and µS/cm
    for (const [deviceId, device] of expected) {
      const metrics = new Set(device.entries.flatMap((e) => Object.keys(e.readings)));
      expect(metrics.size, deviceId).toBeGreaterThan(0);
      // A LoRa frame no gateway heard is lost for good (its fCnt shows the gap): the device counts them.
      const lost = new Set(device.entries.filter((e) => !device.parts.link.online(e.ts) || (isLorawan(device.spec.format) && device.parts.radio.lost(e.ts, device.parts.weather.at(e.ts).rainRate))).map((e) => e.ts));
      expect(lost.size, deviceId).toBe(sim.stats()[deviceId]?.dropped ?? 0);
      for (const metric of metrics) {
        const want = device.entries.filter((e) => e.readings[metric] !== undefined && !lost.has(e.ts)).map((e) => ({ ts: e.ts, value: e.readings[metric] as number }));
        const got = await eventually(async () => {
          const points = await platform.store.query({ cooperativeId: coop, deviceId, metric, from: run.startMs, to: Date.now() + 60_000 });
          return points.length >= want.length ? points : undefined;
        }, 10_000, `${deviceId} ${metric} stored`);
        expect(got, `${deviceId} ${metric}`).toHaveLength(want.length);
        if (deviceId === 'fmt-senml') {
          // Without a clock the device can only say how long ago it measured; the ingest resolves that against
          // its own clock, which the accelerated simulation runs behind: the same values, at other times
          // (relative times resolved exactly: test/unit/firmware-sim/formats-decode.test.ts).
          const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
          expect(sorted(got.map((p) => p.value)), `${deviceId} ${metric}`).toEqual(sorted(want.map((w) => w.value)));
          continue;
        }
        got.forEach((p, i) => expect(p.value, `${deviceId} ${metric} #${i}`).toBeCloseTo(want[i]?.value ?? NaN, tolerance[metric.split('@')[0] ?? ''] ? 1 : 9));
        expect(got.map((p) => p.ts), `${deviceId} ${metric}`).toEqual(want.map((w) => w.ts));
      }
    }
  });
});
