// Issue 17, device side, end to end with the real broker, ingest, store, rules process wiring and API: a simulated
// pump controller (firmware-sim) in a coffee field receives a real command over MQTT (published with the ingest
// service credential, which may publish devices/+/down), confirms it on devices/{id}/up, switches itself off when its
// minutes run out; its flow meter's litres become ONE irrigation event of the right m³ and mm (GET
// /fields/:id/irrigations and the /daily bars, the user's oracle), and the soil probe in the same field gets wetter.
// The simulated clock runs 10 h behind and 600× fast, so a 60-minute run takes 6 s.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NativePayload, type NativeEntry } from '../../core/telemetry/decoders/native.js';
import { createSimulator, type Simulator } from '../../firmware-sim/simulator.js';
import { eventually, getJson, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const HOUR = 3_600_000;
const AREA_HA = 0.5;
const FLOW_M3H = 50;
const RUN_MIN = 60;

interface Irrigation { startAt: string; durationMin: number | null; depthMm: number; volumeM3: number | null; source: string; externalId: string | null }
interface Point { ts: number; value: number }
const tsOf = (e: NativeEntry): number => (typeof e.ts === 'number' ? e.ts : Date.parse(String(e.ts)));

describe('a pump controller\'s flow is recorded as an irrigation (issue 17)', () => {
  let p: TestPlatform;
  let token: string;
  let sim: Simulator | undefined;
  let commander: MqttClient;
  const ups: NativeEntry[] = [];

  beforeAll(async () => {
    p = await startTestPlatform();
    token = await login(p.baseUrl);
    await p.registry.createField({ id: 'field-pump-it', farmId: 'farm-highlands', name: 'Lô thử bơm', crop: 'coffee', soilTexture: 'clay', areaHa: AREA_HA, pumpFlowM3h: FLOW_M3H, plantingDate: '2019-06-01' });
    const pump = await p.registry.provisionDevice({ id: 'pump-it', fieldId: 'field-pump-it', kind: 'pump_controller', name: 'Bơm thử' });
    const probe = await p.registry.provisionDevice({ id: 'soil-pump-it', fieldId: 'field-pump-it', kind: 'soil_probe', name: 'Đầu dò thử' });
    const ingestSecret = readFileSync(join(p.dataDir, 'ingest.secret'), 'utf8').trim();
    commander = await mqtt.connectAsync(p.mqttUrl, { clientId: 'ruong-ingest-it-flow', username: 'ruong-ingest', password: ingestSecret, reconnectPeriod: 0 });
    commander.on('message', (topic, payload) => {
      if (topic !== 'devices/pump-it/up') return;
      const body = NativePayload.parse(JSON.parse(payload.toString('utf8')));
      ups.push(...(Array.isArray(body) ? body : [body]));
    });
    await commander.subscribeAsync('devices/+/up', { qos: 1 }); // what the ingest credential may subscribe to
    const place = { lat: 12.82, lonE: 108.08, elevationM: 520, fieldId: 'field-pump-it', fieldAreaHa: AREA_HA };
    sim = createSimulator({
      brokerUrl: p.mqttUrl, speed: 600, intervalS: 600, startMs: Date.now() - 10 * HOUR, weather: { rainFactor: 0 },
      devices: [
        { deviceId: 'pump-it', secret: pump.secret, kind: 'pump_controller', flowM3h: FLOW_M3H, seed: 21, ...place },
        { deviceId: 'soil-pump-it', secret: probe.secret, kind: 'soil_probe', depthsCm: [20, 50], soilTexture: 'clay', crop: 'coffee', initialWetness: 0.5, seed: 22, ...place },
      ],
    });
    await sim.start();
  }, 30_000);

  afterAll(async () => {
    await sim?.stop();
    await commander?.endAsync();
    await p?.close();
  });

  const series = async (metric: string): Promise<Point[]> => {
    const q = `metric=${encodeURIComponent(metric)}&from=${Date.now() - 11 * HOUR}&to=${Date.now() + HOUR}`;
    const res = await getJson<{ series: { ts: number[]; value: number[] }[] }>(p.baseUrl, `/api/v1/fields/field-pump-it/readings?${q}`, token);
    expect(res.status).toBe(200);
    return res.body.series.flatMap((s) => s.ts.map((ts, i) => ({ ts, value: s.value[i]! })));
  };

  it('on for 60 min: confirmed on up, off by itself, one event of the metered m³ (depth on 0.5 ha), the soil wetter', async () => {
    const moistureBefore = await eventually(async () => {
      const pts = await series('soil_moisture@20cm');
      return pts.length >= 3 ? pts : undefined;
    }, 20_000, 'three soil moisture reports');
    const upsBefore = ups.length;
    await commander.publishAsync('devices/pump-it/down', JSON.stringify({ id: 'it-1', cmd: 'pump', action: 'on', minutes: RUN_MIN }), { qos: 1 });

    // the confirmation: a report of the pump running, sent at once (no water through the meter yet)
    const confirmation = await eventually(async () => Promise.resolve(ups.slice(upsBefore).find((e) => e.readings.pump_on === 1)), 10_000, 'the confirmation on up');
    expect(confirmation.readings).toMatchObject({ pump_on: 1, flow_l: 0 });
    const startAt = tsOf(confirmation);

    // the run ends by itself after its minutes, reported at that instant
    const end = await eventually(async () => Promise.resolve(ups.slice(upsBefore).find((e) => e.readings.pump_on === 0 && tsOf(e) > startAt)), 20_000, 'the end of the run on up');
    expect(tsOf(end) - startAt).toBe(RUN_MIN * 60_000);

    const [event, ...more] = await eventually(async () => {
      const res = await getJson<{ irrigations: Irrigation[] }>(p.baseUrl, '/api/v1/fields/field-pump-it/irrigations', token);
      return res.body.irrigations.length > 0 ? res.body.irrigations : undefined;
    }, 15_000, 'the irrigation event');
    expect(more).toEqual([]);
    // the oracle: Σ flow_l the platform stored over the run, in m³; the depth is m³ / (0.5 ha × 10)
    const flows = (await series('flow_l')).filter((f) => f.ts >= startAt && f.ts <= startAt + RUN_MIN * 60_000);
    const m3 = flows.reduce((s, f) => s + f.value, 0) / 1000;
    expect(m3).toBeGreaterThan(FLOW_M3H * 0.94); // 60 min at ≈ 50 m³/h
    expect(m3).toBeLessThan(FLOW_M3H * 1.05);
    expect(event).toMatchObject({ startAt: new Date(startAt).toISOString(), durationMin: RUN_MIN, source: 'flow_meter', externalId: `pump-it:${startAt}` });
    expect(event?.volumeM3).toBeCloseTo(m3, 2);
    expect(event?.depthMm).toBeCloseTo(m3 / (AREA_HA * 10), 2); // ≈ 10 mm

    const day = new Date(startAt + 7 * HOUR).toISOString().slice(0, 10);
    const daily = await getJson<{ days: { date: string; irrigationMm: number }[] }>(p.baseUrl, '/api/v1/fields/field-pump-it/daily?days=3', token);
    expect(daily.body.days.find((d) => d.date === day)?.irrigationMm).toBeCloseTo(m3 / (AREA_HA * 10), 1);

    // the water went into the field: the probe's top layer rises by several % VWC (≈ 10 mm in 350 mm of soil)
    const last3 = moistureBefore.slice(-3).map((x) => x.value);
    const before = last3.reduce((a, b) => a + b, 0) / last3.length; // the mean: readings carry ±0.3 % noise
    const after = await eventually(async () => {
      const pts = (await series('soil_moisture@20cm')).filter((x) => x.ts > startAt + RUN_MIN * 60_000);
      return pts.length >= 2 ? pts : undefined;
    }, 20_000, 'soil moisture after the run');
    expect(Math.max(...after.map((x) => x.value))).toBeGreaterThan(before + 1.5); // ≈ +2.9 % expected
  }, 90_000);
});
