// Pump and valve commands (issue 17) against the real platform (real broker over TCP, real ingest and store, real
// HTTP API, the dispatcher of `ruong start`). The devices are mqtt.js clients with their own credentials, subscribed
// to their own devices/{id}/down and answering the way the wire contract says a controller does (a state reading on
// devices/{id}/up right after applying a command) — or never answering. COMMAND_RETRY_S=1 keeps the retries short.
import type { MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, connectDevice, eventually, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import type { DeviceKind } from '../../core/registry/types.js';

let p: TestPlatform;
let technician: string;
let viewer: string;
let fieldId: string;

interface CommandOut { id: string; state: string; requestedBy: string; attempts: number; interlock: string | null; reason: string | null; reasonVi: string | null; values: Record<string, unknown>; action: string; origin: string }
interface FieldCommands { maxMinutes: number; controllers: { id: string; state: { on: boolean } | null }[]; commands: CommandOut[]; audit: { event: string; commandId: string | null; values: Record<string, unknown> }[] }

async function call<T = unknown>(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${p.baseUrl}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** A controller over MQTT: records every command it receives; when `answers`, reports the commanded state at once. */
async function controller(id: string, kind: DeviceKind, answers: boolean, onField = fieldId): Promise<{ client: MqttClient; received: Record<string, unknown>[] }> {
  const { secret } = await p.registry.provisionDevice({ id, fieldId: onField, kind, name: `Bơm ${id}` });
  const client = await connectDevice(p.mqttUrl, id, secret);
  const received: Record<string, unknown>[] = [];
  client.on('message', (_topic, payload) => {
    const cmd = JSON.parse(payload.toString()) as { action: string; cmd: string };
    received.push(cmd);
    if (!answers) return;
    const metric = cmd.cmd === 'pump' ? 'pump_on' : 'valve_open';
    void client.publishAsync(`devices/${id}/up`, JSON.stringify({ ts: Date.now(), readings: { [metric]: cmd.action === 'on' ? 1 : 0, flow_l: 0 } }), { qos: 1 });
  });
  await client.subscribeAsync(`devices/${id}/down`, { qos: 1 });
  return { client, received };
}

const commandsOfField = async (id = fieldId) => (await call<FieldCommands>('GET', `/fields/${id}/commands`, technician)).body;
const commandState = (id: string, state: string, onField = fieldId) => async () => {
  const c = (await commandsOfField(onField)).commands.find((x) => x.id === id);
  return c?.state === state ? c : undefined;
};

beforeAll(async () => {
  p = await startTestPlatform({ COMMAND_RETRY_S: '1', COMMAND_ATTEMPTS: '3', COMMAND_MAX_MINUTES: '200' });
  const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Ruộng thử lệnh', lat: 9.6, lon: 105.97 });
  fieldId = await p.registry.createField({ farmId: farm, name: 'Ruộng lệnh', crop: 'rice', areaHa: 1, pumpFlowM3h: 60 });
  for (const [username, role] of [['cmd-tech', 'technician'], ['cmd-viewer', 'viewer']] as const) {
    await p.registry.createUser({ cooperativeId: 'coop-demo', username, password: DEMO_PASSWORD, role });
  }
  technician = await login(p.baseUrl, 'cmd-tech');
  viewer = await login(p.baseUrl, 'cmd-viewer');
});
afterAll(async () => { await p?.close(); });

describe('POST /api/v1/devices/:id/commands', () => {
  it('sends an on command on the device\'s down topic and marks it confirmed when the device reports the pump running', async () => {
    const pump = await controller('pump-ok', 'pump_controller', true);
    try {
      const res = await call<CommandOut>('POST', '/devices/pump-ok/commands', technician, { action: 'on', minutes: 30, note: 'tưới 25 mm' });
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ state: 'requested', action: 'on', origin: 'manual' });
      const confirmed = await eventually(commandState(res.body.id, 'confirmed'), 10_000, 'the command confirmed');
      expect(confirmed.values.state).toBe(1);
      expect(pump.received[0]).toEqual({ id: res.body.id, cmd: 'pump', action: 'on', minutes: 30 });
      const view = await commandsOfField();
      expect(view.controllers.find((c) => c.id === 'pump-ok')?.state?.on).toBe(true);
      // oldest first: requested, sent, (a retry if the machine is slow,) confirmed
      const steps = view.audit.filter((a) => a.commandId === res.body.id).map((a) => a.event).reverse();
      expect(steps.filter((e) => e !== 'retried')).toEqual(['requested', 'sent', 'confirmed']);
      // a viewer reads the audit log but may not command
      expect((await call('POST', '/devices/pump-ok/commands', viewer, { action: 'off' })).status).toBe(403);
      expect((await call('GET', `/fields/${fieldId}/commands`, viewer)).status).toBe(200);
      // while its 30 minutes run, another on is refused: repeated ons must not extend a run past the maximum
      const again = await call<{ error: { details: { interlock: string; values: Record<string, unknown> } } }>('POST', '/devices/pump-ok/commands', technician, { action: 'on', minutes: 30 });
      expect(again.status).toBe(409);
      expect(again.body.error.details).toMatchObject({ interlock: 'running', values: { runningCommandId: res.body.id } });
      const off = await call<CommandOut>('POST', '/devices/pump-ok/commands', technician, { action: 'off' });
      expect(off.status).toBe(202);
      await eventually(commandState(off.body.id, 'confirmed'), 10_000, 'the off command confirmed');
      expect((await commandsOfField()).controllers.find((c) => c.id === 'pump-ok')?.state?.on).toBe(false);
    } finally {
      await pump.client.endAsync();
    }
  });

  it('refuses with 409 and the numbers when the canal is saltier than the crop\'s limit, records it, and publishes nothing', async () => {
    const valve = await controller('valve-salt', 'valve_controller', true);
    const canalSecret = (await p.registry.provisionDevice({ id: 'canal-salt', fieldId, kind: 'canal_sensor', name: 'Kênh' })).secret;
    const canal = await connectDevice(p.mqttUrl, 'canal-salt', canalSecret);
    try {
      // 5 dS/m = 3.2 ‰ (TDS g/L basis), above the 2 ‰ limit for rice
      await canal.publishAsync('devices/canal-salt/up', JSON.stringify({ ts: Date.now(), readings: { water_ec: 5 } }), { qos: 1 });
      await eventually(async () => ((await p.store.latest({ cooperativeId: 'coop-demo', deviceIds: ['canal-salt'] })).length > 0 ? true : undefined), 10_000, 'the canal reading stored');
      const res = await call<{ error: { code: string; message: string; details: { interlock: string; values: Record<string, number | string> } }; command: CommandOut }>(
        'POST', '/devices/valve-salt/commands', technician, { action: 'on', minutes: 60 });
      expect(res.status).toBe(409);
      expect(res.body.error.details.interlock).toBe('salinity');
      expect(res.body.error.details.values).toMatchObject({ canalEcDsPerM: 5, limitPermil: 2, crop: 'rice', canalDeviceId: 'canal-salt' });
      expect(res.body.error.details.values.permil).toBeCloseTo(3.2, 2);
      expect(res.body.error.message).toMatch(/above the 2\.0 ‰ limit for rice/);
      expect(res.body.command.reasonVi).toMatch(/không lấy nước kênh: độ mặn 3,20 ‰ vượt ngưỡng 2,0 ‰/);
      const view = await commandsOfField();
      expect(view.commands.find((c) => c.id === res.body.command.id)).toMatchObject({ state: 'refused', interlock: 'salinity' });
      expect(view.audit.find((a) => a.commandId === res.body.command.id && a.event === 'refused')?.values).toMatchObject({ interlock: 'salinity', canalEcDsPerM: 5 });
      // closing is never refused; it is the first (and only) command the valve receives: the refused one never went out
      const off = await call<CommandOut>('POST', '/devices/valve-salt/commands', technician, { action: 'off' });
      expect(off.status).toBe(202);
      await eventually(commandState(off.body.id, 'confirmed'), 10_000, 'the close command confirmed');
      expect(valve.received.length).toBeGreaterThan(0); // once, or again if a retry went out before the confirmation
      for (const m of valve.received) expect(m).toEqual({ id: off.body.id, cmd: 'valve', action: 'off' });
      // more than the devices' 240 minutes is a bad request naming the field; a pump command to a valve too
      const long = await call<{ error: { message: string } }>('POST', '/devices/valve-salt/commands', technician, { action: 'on', minutes: 241 });
      expect(long.status).toBe(400);
      expect(long.body.error.message).toMatch(/minutes/);
      const wrong = await call<{ error: { message: string } }>('POST', '/devices/valve-salt/commands', technician, { action: 'off', cmd: 'pump' });
      expect(wrong.status).toBe(400);
      expect(wrong.body.error.message).toMatch(/send "valve"/);
    } finally {
      await valve.client.endAsync();
      await canal.endAsync();
    }
  });

  it('a field\'s own maximum refuses a longer run; in automatic mode an irrigate advice runs the pump for the advised depth, capped', async () => {
    const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Trại tự động' });
    const autoField = await p.registry.createField({ farmId: farm, name: 'Ruộng tự động', crop: 'maize', areaHa: 1, pumpFlowM3h: 60 });
    const pump = await controller('pump-auto', 'pump_controller', true, autoField);
    try {
      expect((await call('PUT', `/fields/${autoField}/control`, viewer, { maxRunMin: 45, automatic: true })).status).toBe(403);
      // the platform's maximum (COMMAND_MAX_MINUTES=200 here) may only be lowered by a field
      const above = await call<{ error: { message: string } }>('PUT', `/fields/${autoField}/control`, technician, { maxRunMin: 230, automatic: false });
      expect(above.status).toBe(400);
      expect(above.body.error.message).toContain('maxRunMin: 230 is above the platform\'s 200 min maximum');
      expect((await commandsOfField(autoField)).maxMinutes).toBe(200);
      const set = await call<{ maxRunMin: number; automatic: boolean; maxMinutes: number }>('PUT', `/fields/${autoField}/control`, technician, { maxRunMin: 45, automatic: true });
      expect(set).toMatchObject({ status: 200, body: { maxRunMin: 45, automatic: true, maxMinutes: 45 } });
      const long = await call<{ error: { details: { interlock: string; values: Record<string, number> } } }>('POST', '/devices/pump-auto/commands', technician, { action: 'on', minutes: 60 });
      expect(long.status).toBe(409);
      expect(long.body.error.details).toMatchObject({ interlock: 'max_duration', values: { minutes: 60, maxMinutes: 45 } });
      // the alert service is where the rules engine opens its advice alerts: an irrigate of 25 mm on 1 ha
      // with a 60 m³/h pump is 250 min of pumping, capped at the field's 45
      await p.alerts.raise({
        cooperativeId: 'coop-demo', farmId: farm, fieldId: autoField, deviceId: null, ruleId: 'coop-demo:soil.auto-test', subject: `field:${autoField}`,
        kind: 'irrigate', severity: 'warning', escalateAfterMs: null, values: { grossMm: 25, depletionMm: 40 }, text: { vi: 'tưới 25 mm', en: 'irrigate 25 mm' },
      });
      const auto = await eventually(async () => (await commandsOfField(autoField)).commands.find((c) => c.origin === 'automatic' && c.state === 'confirmed'), 10_000, 'the automatic command confirmed');
      expect(auto).toMatchObject({ action: 'on', requestedBy: 'system' });
      expect(pump.received.find((m) => m.id === auto.id)).toEqual({ id: auto.id, cmd: 'pump', action: 'on', minutes: 45 });
    } finally {
      await pump.client.endAsync();
    }
  });

  it('a schedule is a 5-field cron whose runs are further apart than its minutes (and 15 min), at most 20 a field; listed and removed', async () => {
    const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Trại hẹn giờ' });
    const schedField = await p.registry.createField({ farmId: farm, name: 'Ruộng hẹn giờ', crop: 'maize', areaHa: 1 });
    await p.registry.provisionDevice({ id: 'pump-sched', fieldId: schedField, kind: 'pump_controller', name: 'Bơm hẹn giờ' });
    const add = (cron: string, minutes: number, token = technician) =>
      call<{ id: string; cron: string; error: { message: string } }>('POST', `/fields/${schedField}/schedules`, token, { deviceId: 'pump-sched', cron, minutes });
    const bad = await add('every morning', 30);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/cron: must be a cron expression/);
    expect((await add('0 5 * * *', 30, viewer)).status).toBe(403);
    // a seconds field (every second), runs closer than the run (the pump would never stop) or than 15 min
    for (const [cron, minutes, reason] of [
      ['* * * * * *', 10, /cron: must be a cron expression: minute hour day month weekday \(5 fields\)/],
      ['* * * * *', 200, /cron: runs 1 min apart; two runs must be at least 200 min apart/],
      ['*/10 * * * *', 5, /cron: runs 10 min apart; two runs must be at least 15 min apart/],
      ['0 5,6 * * *', 90, /cron: runs 60 min apart; two runs must be at least 90 min apart/],
    ] as const) {
      const r = await add(cron, minutes);
      expect(r.status, cron).toBe(400);
      expect(r.body.error.message).toMatch(reason);
    }
    const created = await add('0 5 * * *', 30);
    expect(created.status).toBe(201);
    expect((await call<{ schedules: { id: string }[] }>('GET', `/fields/${schedField}/schedules`, viewer)).body.schedules.map((x) => x.id)).toEqual([created.body.id]);
    for (let h = 6; h < 25; h++) expect((await add(`0 ${h % 24} * * 1`, 30)).status).toBe(201);
    const over = await add('30 12 * * *', 30);
    expect(over.status).toBe(400);
    expect(over.body.error.message).toBe('schedules: the field already has 20 schedules, the most a field may have');
    const all = (await call<{ schedules: { id: string }[] }>('GET', `/fields/${schedField}/schedules`, technician)).body.schedules;
    for (const s of all) expect((await call('DELETE', `/schedules/${s.id}`, technician)).status).toBe(204);
    expect((await call<{ schedules: unknown[] }>('GET', `/fields/${schedField}/schedules`, technician)).body.schedules).toEqual([]);
  });

  it('retries a command the device never confirms, then fails it, sends an off to be safe and raises an alert the user sees', async () => {
    // another farm: the salty canal of the test above does not refuse this pump
    const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Trại im lặng' });
    const silentField = await p.registry.createField({ farmId: farm, name: 'Ruộng im lặng', crop: 'maize', areaHa: 0.5 });
    const pump = await controller('pump-silent', 'pump_controller', false, silentField);
    try {
      const res = await call<CommandOut>('POST', '/devices/pump-silent/commands', technician, { action: 'on', minutes: 20 });
      expect(res.status).toBe(202);
      const failed = await eventually(commandState(res.body.id, 'failed', silentField), 15_000, 'the command failed');
      expect(failed.attempts).toBe(3);
      expect(failed.reason).toMatch(/no confirmation after 3 attempts/);
      const sends = (id: string) => () => Promise.resolve(pump.received.filter((m) => m.id === id).length === 3 ? pump.received.filter((m) => m.id === id) : undefined);
      const ons = await eventually(sends(res.body.id), 10_000, 'three sends on the wire');
      expect(ons.every((m) => m.action === 'on' && m.minutes === 20)).toBe(true);
      const safety = await eventually(async () => (await commandsOfField(silentField)).commands.find((c) => c.origin === 'safety' && c.action === 'off'), 10_000, 'the safety off');
      await eventually(() => Promise.resolve(pump.received.some((m) => m.id === safety.id && m.action === 'off') ? true : undefined), 10_000, 'the safety off on the wire');
      // the safety off is not confirmed either: the alert then says the pump may still be running
      await eventually(commandState(safety.id, 'failed', silentField), 15_000, 'the safety off failed');
      const alerts = await eventually(async () => {
        const list = (await call<{ alerts: { kind: string; fieldId: string; deviceId: string; severity: string; text: { vi: string; en: string } }[] }>('GET', '/alerts?status=open', technician)).body.alerts;
        return list.find((a) => a.kind === 'command_unconfirmed' && a.deviceId === 'pump-silent');
      }, 10_000, 'the alert');
      expect(alerts).toMatchObject({ fieldId: silentField, severity: 'critical' });
      expect(alerts.text.vi).toMatch(/^Máy bơm Bơm pump-silent \(Ruộng im lặng\) không xác nhận lệnh tắt sau 3 lần gửi .*có thể vẫn đang chạy/);
      expect(alerts.text.en).toMatch(/did not confirm the command to stop after 3 attempts .*may still be running/);
      await eventually(sends(safety.id), 10_000, 'three sends of the safety off');
      // and the failed on is in the field's audit log with the safety stop that followed it
      const audit = (await commandsOfField(silentField)).audit;
      expect(audit.find((a) => a.commandId === res.body.id && a.event === 'failed')?.values).toMatchObject({ attempts: 3, retryS: 1 });
    } finally {
      await pump.client.endAsync();
    }
  });
});
