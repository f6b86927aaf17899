// Moving a device to another field (issue 16: PATCH /api/v1/devices/:id), against the real platform: a technician
// moves it, and the next reading the device publishes over MQTT (mqtt.js, real broker, real ingest) is stored
// under the new field — the readings API of the new field answers it, the old field's does not. Another
// cooperative's field is a 404, farmers and viewers get 403, a revoked device 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METRIC, provision, reading } from '../helpers/broker-witness.js';
import { DEMO_PASSWORD, connectDevice, eventually, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let technician: string;

async function call<T = unknown>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${p.baseUrl}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

interface Series { series: { deviceId: string; ts: number[]; value: number[] }[] }
/** The raw points of one device under a field, as {ts, value}. */
const pointsOf = async (fieldId: string, deviceId: string) =>
  ((await call<Series>('GET', `/fields/${fieldId}/readings?metric=${encodeURIComponent(METRIC)}&device=${deviceId}&from=${Date.now() - 3 * 3_600_000}`, technician)).body.series ?? [])
    .flatMap((s) => s.ts.map((ts, i) => ({ ts, value: s.value[i]! })));

beforeAll(async () => {
  p = await startTestPlatform();
  for (const [username, role, farmIds] of [['move-tech', 'technician', []], ['move-farmer', 'farmer', ['farm-highlands']], ['move-viewer', 'viewer', []]] as const) {
    await p.registry.createUser({ cooperativeId: 'coop-demo', username, password: DEMO_PASSWORD, role, farmIds });
  }
  technician = await login(p.baseUrl, 'move-tech');
  const coop = await p.registry.createCooperative({ id: 'coop-move-other', name: 'Other' });
  const farm = await p.registry.createFarm({ cooperativeId: coop, name: 'Other farm' });
  await p.registry.createField({ id: 'field-move-other', farmId: farm, name: 'Other field', crop: 'rice' });
});
afterAll(async () => { await p?.close(); });

describe('PATCH /api/v1/devices/:id', () => {
  it('moves a device for a technician; its next MQTT reading is stored under the new field', async () => {
    const secret = await provision(p, 'probe-move', 'field-coffee-a');
    const device = await connectDevice(p.mqttUrl, 'probe-move', secret);
    try {
      await device.publishAsync('devices/probe-move/up', reading(1), { qos: 1 });
      await eventually(async () => ((await pointsOf('field-coffee-a', 'probe-move')).length === 1 ? true : undefined), 10_000, 'the first reading under the old field');

      const moved = await call<{ id: string; fieldId: string; fieldName: string }>('PATCH', '/devices/probe-move', technician, { fieldId: 'field-coffee-b' });
      expect(moved.status).toBe(200);
      expect(moved.body).toMatchObject({ id: 'probe-move', fieldId: 'field-coffee-b', fieldName: 'Lô cà phê B' });

      // the same live session: the device does not reconnect, its next reading belongs to the new field
      await device.publishAsync('devices/probe-move/up', reading(2), { qos: 1 });
      const points = await eventually(async () => {
        const pts = await pointsOf('field-coffee-b', 'probe-move');
        return pts.length === 1 ? pts : undefined;
      }, 10_000, 'the next reading under the new field');
      expect(points[0]!.value).toBe(22);
      expect((await pointsOf('field-coffee-a', 'probe-move')).map((pt) => pt.value)).toEqual([21]);
    } finally {
      await device.endAsync();
    }
    const listed = await call<{ devices: { id: string; fieldId: string }[] }>('GET', '/devices', technician);
    expect(listed.body.devices.find((d) => d.id === 'probe-move')?.fieldId).toBe('field-coffee-b');
  });

  it('answers 404 for a field of another cooperative and leaves the device where it was', async () => {
    await provision(p, 'probe-stay', 'field-coffee-a');
    const res = await call<{ error: { message: string } }>('PATCH', '/devices/probe-stay', technician, { fieldId: 'field-move-other' });
    expect(res.status).toBe(404);
    const listed = await call<{ devices: { id: string; fieldId: string }[] }>('GET', '/devices', technician);
    expect(listed.body.devices.find((d) => d.id === 'probe-stay')?.fieldId).toBe('field-coffee-a');
  });

  it('answers 404 to another cooperative\'s admin for this cooperative\'s device', async () => {
    await p.registry.createUser({ cooperativeId: 'coop-move-other', username: 'move-other-admin', password: DEMO_PASSWORD, role: 'admin' });
    const other = await login(p.baseUrl, 'move-other-admin');
    expect((await call('PATCH', '/devices/probe-stay', other, { fieldId: 'field-move-other' })).status).toBe(404);
  });

  it('answers 403 to a farmer and a viewer', async () => {
    for (const username of ['move-farmer', 'move-viewer']) {
      const token = await login(p.baseUrl, username);
      expect((await call('PATCH', '/devices/probe-stay', token, { fieldId: 'field-coffee-b' })).status, username).toBe(403);
    }
  });

  it('answers 409 for a revoked device, 400 for an unknown body key', async () => {
    await provision(p, 'probe-gone', 'field-coffee-a');
    expect((await call('POST', '/devices/probe-gone/revoke', technician)).status).toBe(200);
    expect((await call('PATCH', '/devices/probe-gone', technician, { fieldId: 'field-coffee-b' })).status).toBe(409);
    expect((await call('PATCH', '/devices/probe-stay', technician, { fieldId: 'field-coffee-b', farmId: 'x' })).status).toBe(400);
  });
});
