// Every fixture format through the real broker and ingest: ChirpStack and TTS uplinks published by the
// network server credential (`ruong-lns`), SenML on a device's own topic, ThingsBoard telemetry on
// v1/devices/me/telemetry (the broker scopes it to the device). Each device's readings land in the store
// under its registry id, matched by DevEUI or id; an unknown DevEUI and a ChirpStack join store nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReadings, fixtureDevices, loadFixture } from '../fixtures/interop/fixtures.js';
import { connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const COOP = 'coop-demo';

describe('ingest of every wire format through the broker', () => {
  let p: TestPlatform;
  let lns: MqttClient;
  const devices = new Map<string, MqttClient>();
  const secrets = new Map<string, string>();

  beforeAll(async () => {
    // The fixtures were measured in March 2026: keep them inside the raw retention.
    p = await startTestPlatform({ RAW_RETENTION_DAYS: '3650', ROLLUP_REFRESH_S: '0' });
    for (const d of fixtureDevices) {
      const { secret } = await p.registry.provisionDevice({ id: d.id, fieldId: 'field-coffee-a', kind: d.kind, name: d.id, devEui: d.devEui });
      if (d.profileId) await p.registry.setDeviceProfile(d.id, d.profileId);
      secrets.set(d.id, secret);
    }
    const password = readFileSync(join(p.dataDir, 'lns.secret'), 'utf8').trim();
    lns = await mqtt.connectAsync(p.mqttUrl, { clientId: 'ruong-lns-chirpstack', username: 'ruong-lns', password, reconnectPeriod: 0 });
  });

  afterAll(async () => {
    await lns?.endAsync();
    for (const c of devices.values()) await c.endAsync();
    await p?.close();
  });

  async function publishFixture(name: string): Promise<void> {
    const { topic, payload } = loadFixture(name);
    const body = JSON.stringify(payload);
    if (topic.startsWith('application/') || topic.startsWith('v3/')) {
      await lns.publishAsync(topic, body, { qos: 1 });
      return;
    }
    const deviceId = expectedReadings[name]!.deviceId;
    let client = devices.get(deviceId);
    if (!client) {
      client = await connectDevice(p.mqttUrl, deviceId, secrets.get(deviceId)!);
      devices.set(deviceId, client);
    }
    // A ThingsBoard device publishes to v1/devices/me/telemetry; identity comes from its login.
    await client.publishAsync(topic.endsWith('/thingsboard') ? 'v1/devices/me/telemetry' : topic, body, { qos: 1 });
  }

  async function stored(deviceId: string, metric: string, from: number, to: number) {
    return p.store.query({ cooperativeId: COOP, deviceId, metric, from, to });
  }

  it('stores each fixture\'s readings under the registered device, at the device\'s (or network\'s) time', async () => {
    const absolute = Object.entries(expectedReadings).filter(([name, e]) => !e.ignored && !name.startsWith('senml-relative') && name !== 'thingsboard-flat');
    for (const [name] of absolute) await publishFixture(name);
    for (const [name, e] of absolute) {
      for (const [metric, ts, value] of e.readings) {
        const points = await eventually(async () => {
          const got = await stored(e.deviceId, metric, ts, ts + 1);
          return got.length ? got : undefined;
        }, 10_000, `${name}: ${metric} of ${e.deviceId}`);
        expect(points.map((x) => x.value), `${name} ${metric}`).toEqual([value]);
      }
    }
  });

  it('resolves SenML relative times and ThingsBoard flat telemetry against the receive time', async () => {
    const before = Date.now();
    await publishFixture('senml-relative-time');
    await publishFixture('thingsboard-flat');
    const level = await eventually(async () => {
      const got = await stored('canal-7', 'water_level', before - 1_300_000, Date.now() + 1000);
      return got.length === 3 ? got : undefined;
    }, 10_000, 'canal-7 levels');
    expect(level.map((x) => x.value)).toEqual([112.5, 113.5, 114.1]);
    expect(level[1]!.ts - level[0]!.ts).toBe(600_000);
    expect(level[2]!.ts).toBeGreaterThanOrEqual(before);
    const latest = await eventually(async () => {
      const got = (await p.store.latest({ cooperativeId: COOP, deviceIds: ['gw-weather-1'] })).filter((r) => r.metric === 'water_ec');
      return got.length ? got : undefined;
    }, 10_000, 'ThingsBoard flat reading');
    expect(latest[0]).toMatchObject({ value: 2.6, flags: ['no_device_time'] });
    expect(latest[0]!.ts).toBeGreaterThanOrEqual(before);
  });

  it('dead-letters an unknown DevEUI and stores nothing for a join event', async () => {
    const up = loadFixture('chirpstack-up-dragino-lse01');
    const unknownTopic = up.topic.replace('a84041000181c061', '70b3d57ed0001234');
    await lns.publishAsync(unknownTopic, JSON.stringify({ ...(up.payload as object), deviceInfo: {} }), { qos: 1 });
    const join = loadFixture('chirpstack-join');
    await lns.publishAsync(join.topic, JSON.stringify(join.payload), { qos: 1 });
    const text = await eventually(async () => {
      const t = await (await fetch(`${p.baseUrl}/metrics`)).text();
      return /ruong_ingest_ignored_total\{format="chirpstack"\} 1/.test(t) && /ruong_dead_letters_total\{code="DEVICE_UNKNOWN"\} 1/.test(t) ? t : undefined;
    }, 10_000, 'the join counted and the unknown device dead-lettered');
    expect(text).toMatch(/ruong_ingest_decoded_total\{format="tts"\} 2/);
  });
});
