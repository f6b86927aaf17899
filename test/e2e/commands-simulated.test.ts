// Commands end to end with the firmware simulator's pump controllers (issue 17): the real platform (broker, ingest,
// store, rules process's dispatcher, API) and firmware-sim/ controllers logged in with their own credentials. An
// `on` through the API reaches the simulated pump, which switches on and confirms with its state reading: the
// command is confirmed and the field shows the pump running; `off` stops it. A controller with the neverAnswers
// fault (a hung relay board) takes the command and does nothing: 3 attempts, failed, a safety off, an alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSimulator, type SimDeviceSpec, type Simulator } from '../../firmware-sim/index.js';
import { DEMO_PASSWORD, eventually, login, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

let p: TestPlatform;
let sim: Simulator;
let token: string;
let fieldId: string;

interface CommandOut { id: string; state: string; attempts: number; origin: string; action: string }
interface FieldCommands { controllers: { id: string; state: { on: boolean } | null }[]; commands: CommandOut[] }

async function call<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(`${p.baseUrl}/api/v1${path}`, {
    method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}
const view = async () => (await call<FieldCommands>('GET', `/fields/${fieldId}/commands`)).body;
const commandIn = (id: string, state: string) => async () => (await view()).commands.find((c) => c.id === id && c.state === state);

beforeAll(async () => {
  p = await startTestPlatform({ COMMAND_RETRY_S: '1', COMMAND_ATTEMPTS: '3' });
  const farm = await p.registry.createFarm({ cooperativeId: 'coop-demo', name: 'Vườn mô phỏng', lat: 12.8, lon: 108.2 });
  fieldId = await p.registry.createField({ farmId: farm, name: 'Lô mô phỏng', crop: 'coffee', areaHa: 1, pumpFlowM3h: 20 });
  await p.registry.createUser({ cooperativeId: 'coop-demo', username: 'sim-tech', password: DEMO_PASSWORD, role: 'technician' });
  token = await login(p.baseUrl, 'sim-tech');
  const devices: SimDeviceSpec[] = [];
  for (const [id, neverAnswers] of [['sim-pump', false], ['sim-pump-hung', true]] as const) {
    const { secret } = await p.registry.provisionDevice({ id, fieldId, kind: 'pump_controller', name: id });
    devices.push({ deviceId: id, secret, kind: 'pump_controller', lat: 12.8, elevationM: 500, seed: 7, fieldId, fieldAreaHa: 1, flowM3h: 20, neverAnswers });
  }
  // begun 10 simulated minutes ago: each controller's (staggered) first report is in the past, caught up at once
  sim = createSimulator({ brokerUrl: p.mqttUrl, devices, speed: 3600, intervalS: 600, startMs: Date.now() - 600_000 });
  await sim.start();
  // both controllers are connected (and subscribed to their down topic) once their first report is stored
  await eventually(async () => {
    const latest = await p.store.latest({ cooperativeId: 'coop-demo', deviceIds: ['sim-pump', 'sim-pump-hung'] });
    return new Set(latest.filter((r) => r.metric === 'pump_on').map((r) => r.deviceId)).size === 2 ? true : undefined;
  }, 15_000, 'the controllers\' first reports');
});
afterAll(async () => {
  await sim?.stop();
  await p?.close();
});

describe('commands to the simulated pump controllers', () => {
  it('an on reaches the simulated pump, which runs and confirms; an off stops it', async () => {
    const on = await call<CommandOut>('POST', '/devices/sim-pump/commands', { action: 'on', minutes: 10 });
    expect(on.status).toBe(202);
    await eventually(commandIn(on.body.id, 'confirmed'), 15_000, 'the on confirmed by the simulated pump');
    expect((await view()).controllers.find((c) => c.id === 'sim-pump')?.state?.on).toBe(true);
    const off = await call<CommandOut>('POST', '/devices/sim-pump/commands', { action: 'off' });
    expect(off.status).toBe(202);
    await eventually(commandIn(off.body.id, 'confirmed'), 15_000, 'the off confirmed');
    expect((await view()).controllers.find((c) => c.id === 'sim-pump')?.state?.on).toBe(false);
  });

  it('a hung controller never confirms: 3 attempts, failed, a safety off, an alert', async () => {
    const on = await call<CommandOut>('POST', '/devices/sim-pump-hung/commands', { action: 'on', minutes: 10 });
    expect(on.status).toBe(202);
    const failed = await eventually(commandIn(on.body.id, 'failed'), 15_000, 'the command failed');
    expect(failed.attempts).toBe(3);
    // the hung board took every attempt off the radio and applied none
    expect(sim.stats()['sim-pump-hung']?.commands).toBe(0);
    expect(sim.stats()['sim-pump-hung']?.rejectedCommands).toBeGreaterThanOrEqual(3);
    await eventually(async () => (await view()).commands.find((c) => c.origin === 'safety' && c.action === 'off'), 10_000, 'the safety off');
    const alert = await eventually(async () => (await call<{ alerts: { kind: string; deviceId: string; text: { vi: string } }[] }>('GET', '/alerts?status=open')).body.alerts
      .find((a) => a.kind === 'command_unconfirmed' && a.deviceId === 'sim-pump-hung'), 10_000, 'the alert');
    expect(alert.text.vi).toMatch(/^Máy bơm sim-pump-hung \(Lô mô phỏng\) không xác nhận lệnh/);
  });
});
