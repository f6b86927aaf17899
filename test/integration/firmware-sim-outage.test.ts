// The 6-hour network outage scenario (scenarios/network-outage-6h.json) against the real platform in
// this process (broker, ingest, store): every device keeps measuring while its network is down, and
// every reading of the 12 hours — those it buffered during the outage included — is stored with the
// time it was measured and its value. The scenario runs at 12,000× (12 simulated hours in 3.6 s; the outage starts 0.9 s in).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScenario, resolveScenario, type ResolvedScenario } from '../../firmware-sim/scenario.js';
import { runOffline } from '../../firmware-sim/offline-run.js';
import { createSimulator, type Simulator } from '../../firmware-sim/simulator.js';
import { eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const HOUR = 3_600_000;

describe('network outage scenario on the real platform', () => {
  let platform: TestPlatform;
  let sim: Simulator | undefined;
  let run: ResolvedScenario;
  const coop = 'coop-outage';

  beforeAll(async () => {
    platform = await startTestPlatform();
    const r = platform.registry;
    await r.createCooperative({ id: coop, name: 'HTX outage test' });
    const farm = await r.createFarm({ id: 'farm-outage', cooperativeId: coop, name: 'Mỹ Xuyên', lat: 9.55, lon: 105.98, elevationM: 1 });
    const field = await r.createField({ id: 'field-outage', farmId: farm, name: 'Ruộng 1', crop: 'rice' });
    const scenario = loadScenario('scenarios/network-outage-6h.json');
    const secrets: Record<string, string> = {};
    for (const d of scenario.devices) {
      secrets[d.id] = (await r.provisionDevice({ id: d.id, fieldId: field, kind: d.kind, name: d.id })).secret;
    }
    run = resolveScenario(scenario, { nowMs: Date.now(), secrets });
  });

  afterAll(async () => {
    await sim?.stop();
    await platform?.close();
  });

  it('stores every reading of every device, the buffered ones with their original timestamps', async () => {
    sim = createSimulator({ brokerUrl: platform.mqttUrl, ...run, speed: 12_000 });
    await sim.start();
    await eventually(() => Promise.resolve(sim?.finished() ? true : undefined), 20_000, 'the scenario to be measured and delivered');

    // Each device lost its connection for the outage and came back (a second session).
    for (const [id, s] of Object.entries(sim.stats())) {
      expect(s.sessions, id).toBeGreaterThanOrEqual(2);
      expect(s.dropped, id).toBe(0);
    }
    // What the devices measured: the same devices run without a network (deterministic physics).
    const expected = runOffline(run);
    const outageFrom = run.startMs + 3 * HOUR;
    const outageTo = run.startMs + 9 * HOUR;
    let duringOutage = 0;
    for (const [deviceId, device] of expected) {
      const metrics = new Set(device.entries.flatMap((e) => Object.keys(e.readings)));
      for (const metric of metrics) {
        const want = device.entries.filter((e) => e.readings[metric] !== undefined).map((e) => ({ ts: e.ts, value: e.readings[metric] }));
        const got = await eventually(async () => {
          const points = await platform.store.query({ cooperativeId: coop, deviceId, metric, from: run.startMs, to: run.untilMs + 1 });
          return points.length >= want.length ? points : undefined;
        }, 10_000, `${deviceId} ${metric} stored`);
        expect(got.map((p) => ({ ts: p.ts, value: p.value })), `${deviceId} ${metric}`).toEqual(want);
        duringOutage += want.filter((w) => w.ts >= outageFrom && w.ts < outageTo).length;
      }
    }
    expect(duringOutage).toBeGreaterThan(4 * 36 * 2); // six hours of 10-min readings, several metrics, four devices
  });
});
