// The walking skeleton end to end, on the real parts: a provisioned device publishes over TCP to the
// Aedes broker, the ingest stores through the real store (SQLite, and InfluxDB when available),
// and the reading is readable through the HTTP API — against both stores.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectDevice, eventually, getJson, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

interface Latest { readings: { deviceId: string; metric: string; value: number; ts: string }[] }

const influxUrl = inject('influxUrl');
const stores = [
  { name: 'sqlite', env: {} as Record<string, string> },
  ...(influxUrl ? [{ name: 'influx', env: { STORE: 'influx', INFLUX_URL: `${influxUrl}/ruong_e2e_${randomUUID().slice(0, 8)}` } }] : []),
];

describe.each(stores)('walking skeleton on $name', ({ env }) => {
  let p: TestPlatform;
  let token: string;
  let secret: string;
  let otherSecret: string;

  beforeAll(async () => {
    p = await startTestPlatform(env);
    token = await login(p.baseUrl);
    secret = (await p.registry.provisionDevice({ id: 'probe-e2e', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'e2e probe' })).secret;
    otherSecret = (await p.registry.provisionDevice({ id: 'probe-other', fieldId: 'field-coffee-b', kind: 'soil_probe', name: 'other probe' })).secret;
  });
  afterAll(async () => { await p?.close(); });

  const latestOf = async (fieldId: string) => (await getJson<Latest>(p.baseUrl, `/api/v1/fields/${fieldId}/latest`, token)).body.readings;

  it('stores a reading published over MQTT and serves it at /api/v1/fields/:id/latest', async () => {
    const device = await connectDevice(p.mqttUrl, 'probe-e2e', secret);
    const ts = Date.now() - 60_000;
    await device.publishAsync('devices/probe-e2e/up', JSON.stringify({ ts, seq: 1, readings: { 'soil_moisture@20cm': 27.5, 'soil_temperature@20cm': 24.1 } }), { qos: 1 });
    await device.endAsync();
    const readings = await eventually(async () => {
      const r = (await latestOf('field-coffee-a')).filter((x) => x.deviceId === 'probe-e2e');
      return r.length === 2 ? r : undefined;
    }, 10_000, 'the reading in the API');
    expect(readings.find((r) => r.metric === 'soil_moisture@20cm')).toMatchObject({ value: 27.5, ts: new Date(ts).toISOString() });

    const raw = await getJson<{ series: { deviceId: string; ts: number[]; value: number[] }[] }>(p.baseUrl, `/api/v1/fields/field-coffee-a/readings?metric=soil_moisture@20cm&from=${ts - 1000}&to=${ts + 1000}`, token);
    expect(raw.status).toBe(200);
    expect(raw.body.series).toEqual([{ deviceId: 'probe-e2e', ts: [ts], value: [27.5] }]);
  });

  it('refuses a wrong password', async () => {
    await expect(connectDevice(p.mqttUrl, 'probe-e2e', `${secret}-wrong`)).rejects.toThrow(/Bad username or password|Not authorized/i);
    await expect(connectDevice(p.mqttUrl, 'probe-e2e', otherSecret)).rejects.toThrow();
  });

  it('refuses a client id that is not the device id', async () => {
    await expect(connectDevice(p.mqttUrl, 'probe-e2e', secret, { clientId: 'probe-other' })).rejects.toThrow();
  });

  it('stores nothing a device publishes to another device\'s topic, and disconnects it', async () => {
    const device = await connectDevice(p.mqttUrl, 'probe-e2e', secret);
    const closed = new Promise<void>((resolve) => device.once('close', () => resolve()));
    device.publish('devices/probe-other/up', JSON.stringify({ ts: Date.now(), readings: { 'soil_moisture@20cm': 11 } }), { qos: 1 });
    await closed;
    // A valid message from the real owner afterwards proves the ingest has moved past that point.
    const owner = await connectDevice(p.mqttUrl, 'probe-other', otherSecret);
    await owner.publishAsync('devices/probe-other/up', JSON.stringify({ ts: Date.now() - 1000, readings: { 'soil_moisture@20cm': 33 } }), { qos: 1 });
    await owner.endAsync();
    const readings = await eventually(async () => {
      const r = (await latestOf('field-coffee-b')).filter((x) => x.deviceId === 'probe-other');
      return r.length ? r : undefined;
    });
    expect(readings.map((r) => r.value)).toEqual([33]);
    const raw = await getJson<{ series: { value: number[] }[] }>(p.baseUrl, `/api/v1/fields/field-coffee-b/readings?metric=soil_moisture@20cm&from=0`, token);
    expect(raw.body.series.flatMap((s) => s.value)).toEqual([33]);
  });

  it('turns a malformed payload into a dead letter with its reason, and stores the valid message beside it', async () => {
    const device = await connectDevice(p.mqttUrl, 'probe-e2e', secret);
    const ts = Date.now() - 30_000;
    await device.publishAsync('devices/probe-e2e/up', '{"ts": 1, "readings": {', { qos: 1 });
    await device.publishAsync('devices/probe-e2e/up', JSON.stringify({ ts, readings: { 'soil_moisture@20cm': 99 } }), { qos: 1 });
    await device.publishAsync('devices/probe-e2e/up', JSON.stringify({ ts, seq: 3, readings: { 'soil_moisture@20cm': 31.2 } }), { qos: 1 });
    await device.endAsync();
    const latest = await eventually(async () => (await latestOf('field-coffee-a')).find((r) => r.metric === 'soil_moisture@20cm' && r.value === 31.2), 10_000, 'the valid reading');
    expect(latest.ts).toBe(new Date(ts).toISOString());
    // Dead letters are written without holding up the acknowledgement: wait for both.
    const letters = await eventually(async () => {
      const l = await getJson<{ deadLetters: { code: string; reason: string; deviceId: string }[] }>(p.baseUrl, '/api/v1/dead-letters', token);
      const codes = l.body.deadLetters.map((d) => d.code);
      return codes.includes('PAYLOAD_NOT_JSON') && codes.includes('VALUE_OUT_OF_BOUNDS') ? l : undefined;
    }, 10_000, 'both dead letters');
    expect(letters.body.deadLetters.map((d) => d.code)).toEqual(expect.arrayContaining(['PAYLOAD_NOT_JSON', 'VALUE_OUT_OF_BOUNDS']));
    expect(letters.body.deadLetters.find((d) => d.code === 'VALUE_OUT_OF_BOUNDS')?.reason).toMatch(/soil_moisture@20cm = 99/);
    const metrics = await (await fetch(`${p.baseUrl}/metrics`)).text();
    expect(metrics).toMatch(/ruong_dead_letters_total\{code="PAYLOAD_NOT_JSON"\} 1/);
  });

  it('keeps the reading with the highest timestamp as latest when an older one arrives later', async () => {
    const device = await connectDevice(p.mqttUrl, 'probe-e2e', secret);
    const t = Date.now() - 10_000;
    await device.publishAsync('devices/probe-e2e/up', JSON.stringify({ ts: t, readings: { 'soil_ec@20cm': 0.8 } }), { qos: 1 });
    await device.publishAsync('devices/probe-e2e/up', JSON.stringify({ ts: t - 3_600_000, readings: { 'soil_ec@20cm': 0.5 } }), { qos: 1 });
    await device.endAsync();
    await eventually(async () => {
      const raw = await getJson<{ series: { ts: number[] }[] }>(p.baseUrl, `/api/v1/fields/field-coffee-a/readings?metric=soil_ec@20cm&from=${t - 7_200_000}`, token);
      return raw.body.series.reduce((n, s) => n + s.ts.length, 0) === 2 ? true : undefined;
    });
    expect((await latestOf('field-coffee-a')).find((r) => r.metric === 'soil_ec@20cm')?.value).toBe(0.8);
  });

  it('is ready, and healthy', async () => {
    expect((await getJson(p.baseUrl, '/healthz')).status).toBe(200);
    expect(await getJson(p.baseUrl, '/readyz')).toEqual({ status: 200, body: { status: 'ready', checks: { store: true, broker: true } } });
  });
});
