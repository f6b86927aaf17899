// Safety of pump and valve commands (issue 17 review): an off never depends on the reading store, a store outage
// does not stop a failed on from getting its safety off and alert, and a throwing listener or pass cannot crash
// the process. A real registry (SQLite in memory), a reading store that can be made to fail, a recording publisher.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AlertService } from '../../../core/alerts/alert-service.js';
import { requestCommand, type ControlDeps } from '../../../core/commands/command-requests.js';
import { fieldMaxMinutes } from '../../../core/commands/interlocks.js';
import { silentLogger, type Logger } from '../../../core/log.js';
import { createCommands } from '../../../core/registry/commands.js';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { createCommandDispatcher } from '../../../rules/control/command-dispatcher.js';
import { createScheduleRunner } from '../../../rules/control/command-schedules.js';
import { createCommandSchedules } from '../../../core/registry/command-schedules.js';

const NOW = Date.parse('2026-03-10T03:00:00Z');

interface World {
  registry: Registry;
  deps: ControlDeps;
  store: { down: boolean };
  raised: unknown[];
  published: { topic: string; payload: Record<string, unknown> }[];
  listeners: ((batch: readonly StoredReading[]) => void)[];
  clock: { t: number };
}

async function world(): Promise<World> {
  const registry = createRegistry(':memory:');
  await registry.createCooperative({ id: 'coop-a', name: 'HTX A' });
  await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Trại A' });
  await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'Ruộng A', crop: 'rice' });
  await registry.createField({ id: 'field-b', farmId: 'farm-a', name: 'Ruộng B', crop: 'rice' });
  await registry.provisionDevice({ id: 'pump-a', fieldId: 'field-a', kind: 'pump_controller', name: 'Bơm A' });
  await registry.provisionDevice({ id: 'canal-a', fieldId: 'field-a', kind: 'canal_sensor', name: 'Kênh A' });
  const store = { down: false };
  const fail = () => (store.down ? Promise.reject(new Error('influxdb down')) : Promise.resolve([]));
  const readingStore = { kind: 'fake', latest: fail, query: fail } as unknown as ReadingStore;
  const deps: ControlDeps = { registry, store: readingStore, commands: createCommands(registry.sql), maxMinutes: 240 };
  return { registry, deps, store, raised: [], published: [], listeners: [], clock: { t: NOW } };
}

/** A logger that keeps the messages of error logs (the dispatcher's fixed messages). */
function recordingLogger(errors: string[]): Logger {
  const log = { info: () => undefined, warn: () => undefined, debug: () => undefined, trace: () => undefined, fatal: () => undefined,
    error: (_o: unknown, msg: string) => { errors.push(msg); }, child: () => log };
  return log as unknown as Logger;
}

function dispatcher(w: World, log: Logger = silentLogger()) {
  const alerts = {
    raise: (a: unknown) => { w.raised.push(a); }, autoResolve: () => undefined, list: () => [], events: new EventEmitter(),
  } as unknown as AlertService;
  return createCommandDispatcher({
    ...w.deps, alerts, log, now: () => w.clock.t, attempts: 2, retryMs: 1_000, pollMs: 3_600_000,
    source: { subscribe: (l) => { w.listeners.push(l); return () => undefined; } },
    publisher: {
      publish: (topic, payload) => { w.published.push({ topic, payload: JSON.parse(payload) as Record<string, unknown> }); return Promise.resolve(); },
      close: () => Promise.resolve(),
    },
  });
}

const ask = (action: 'on' | 'off', minutes: number | null = null) =>
  ({ cooperativeId: 'coop-a', deviceId: 'pump-a', action, minutes, origin: 'manual' as const, requestedBy: 'u1' });

describe('an off never depends on the reading store', () => {
  let w: World;
  beforeEach(async () => { w = await world(); });
  afterEach(async () => { await w.registry.close(); });

  it('is requested and sent while the store is down (an on is not: it needs the canal and AWD readings)', async () => {
    w.store.down = true;
    await expect(requestCommand(w.deps, ask('on', 30), NOW)).rejects.toThrow('influxdb down');
    const off = await requestCommand(w.deps, ask('off'), NOW);
    expect(off.state).toBe('requested');
    const d = dispatcher(w);
    await d.tick();
    expect(w.published).toEqual([{ topic: 'devices/pump-a/down', payload: { id: off.id, cmd: 'pump', action: 'off' } }]);
    expect((await w.deps.commands.openCommands()).find((c) => c.id === off.id)?.state).toBe('sent');
  });

  it('a sent on whose confirmation cannot be read from the store still fails: safety off sent, alert raised', async () => {
    const on = await requestCommand(w.deps, ask('on', 30), NOW);
    const d = dispatcher(w);
    await d.tick(); // sent (attempt 1)
    w.store.down = true;
    w.clock.t += 1_000;
    await d.tick(); // retried (attempt 2)
    w.clock.t += 1_000;
    await d.tick(); // failed: safety off requested and sent
    expect(w.published.map((p) => p.payload.action)).toEqual(['on', 'on', 'off']);
    expect(w.published[2]!.payload.id).not.toBe(on.id);
    expect(w.raised).toHaveLength(1);
    expect(w.raised[0]).toMatchObject({ kind: 'command_unconfirmed', severity: 'critical', deviceId: 'pump-a' });
  });
});

describe('no crash path in the dispatcher', () => {
  let w: World;
  beforeEach(async () => { w = await world(); });

  it('a registry error in the readings listener is logged, not thrown into the ingest\'s stored event', async () => {
    const errors: string[] = [];
    const broken = { ...w.deps.commands, openCommandsOfDevice: () => { throw new Error('database is locked'); } };
    const d = dispatcher({ ...w, deps: { ...w.deps, commands: broken } }, recordingLogger(errors));
    await d.start();
    const reading = { cooperativeId: 'coop-a', fieldId: 'field-a', deviceId: 'pump-a', metric: 'pump_on', value: 1, ts: NOW } as unknown as StoredReading;
    expect(() => { for (const l of w.listeners) l([reading]); }).not.toThrow();
    expect(errors).toEqual(['command confirmation from readings failed']);
    await d.stop();
    await w.registry.close();
  });

  it('a pass whose registry fails resolves (logged), and a poke whose schedule reload fails logs instead of throwing', async () => {
    const errors: string[] = [];
    const d = dispatcher(w, recordingLogger(errors));
    await w.registry.close(); // every registry read throws from now on
    await expect(d.tick()).resolves.toBeUndefined();
    expect(errors).toContain('command dispatch failed');
    d.poke();
    await vi.waitFor(() => { expect(errors).toContain('command schedules reload failed'); });
    await vi.waitFor(() => { expect(errors.filter((e) => e === 'command dispatch failed')).toHaveLength(2); });
  });
});

describe('a field\'s maximum run time only lowers the platform\'s', () => {
  it('a field maximum above COMMAND_MAX_MINUTES does not raise it; a lower one applies', async () => {
    const w = await world();
    const deps = { ...w.deps, maxMinutes: 60 };
    await w.deps.commands.setFieldControl('coop-a', 'field-a', { maxRunMin: 200, automatic: false }, 'u1', NOW); // stored before the platform was lowered
    const long = await requestCommand(deps, ask('on', 120), NOW);
    expect(long).toMatchObject({ state: 'refused', interlock: 'max_duration', values: { minutes: 120, maxMinutes: 60 } });
    await w.deps.commands.setFieldControl('coop-a', 'field-a', { maxRunMin: 30, automatic: false }, 'u1', NOW);
    expect(await requestCommand(deps, ask('on', 45), NOW)).toMatchObject({ state: 'refused', values: { maxMinutes: 30 } });
    expect(fieldMaxMinutes(null, 180)).toBe(180);
    expect(fieldMaxMinutes(300, 500)).toBe(240); // the device's own limit
    await w.registry.close();
  });
});

describe('the schedule runner (node-cron, fake clock)', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('runs a schedule at its time as a scheduled command; a stored seconds-field or overlapping schedule is not run', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-10T04:58:00+07:00') });
    const w = await world();
    const schedules = createCommandSchedules(w.registry.sql);
    const ok = await schedules.addSchedule({ cooperativeId: 'coop-a', fieldId: 'field-a', deviceId: 'pump-a', cron: '0 5 * * *', minutes: 30, createdBy: 'u1' });
    // written before the API refused them: every second, and every minute for 30 minutes
    await schedules.addSchedule({ cooperativeId: 'coop-a', fieldId: 'field-a', deviceId: 'pump-a', cron: '* * * * * *', minutes: 10, createdBy: 'u1' });
    await schedules.addSchedule({ cooperativeId: 'coop-a', fieldId: 'field-a', deviceId: 'pump-a', cron: '* * * * *', minutes: 30, createdBy: 'u1' });
    const warnings: string[] = [];
    const log = { ...recordingLogger([]), warn: (_o: unknown, msg: string) => { warnings.push(msg); } } as unknown as Logger;
    const runner = createScheduleRunner({ ...w.deps, schedules, log, now: () => Date.now(), commandRequested: () => undefined });
    await runner.start();
    expect(warnings).toEqual(['schedule not run', 'schedule not run']);
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    const cmds = await w.deps.commands.commandsOfField('coop-a', 'field-a');
    expect(cmds.map((c) => [c.origin, c.action, c.minutes, c.requestedBy])).toEqual([['scheduled', 'on', 30, `schedule:${ok.id}`]]);
    await runner.stop();
    await w.registry.close();
  });
});

describe('a schedule of a device moved to another field', () => {
  afterEach(() => { vi.useRealTimers(); });

  it('is not run (logged): the device no longer waters the field it was scheduled for', async () => {
    vi.useFakeTimers({ now: Date.parse('2026-03-10T04:58:00+07:00') });
    const w = await world();
    const schedules = createCommandSchedules(w.registry.sql);
    await schedules.addSchedule({ cooperativeId: 'coop-a', fieldId: 'field-a', deviceId: 'pump-a', cron: '0 5 * * *', minutes: 30, createdBy: 'u1' });
    await w.registry.moveDevice('pump-a', 'field-b');
    const warnings: string[] = [];
    const log = { ...recordingLogger([]), warn: (_o: unknown, msg: string) => { warnings.push(msg); } } as unknown as Logger;
    const runner = createScheduleRunner({ ...w.deps, schedules, log, now: () => Date.now(), commandRequested: () => undefined });
    await runner.start();
    await vi.advanceTimersByTimeAsync(3 * 60_000);
    expect(warnings).toEqual(['scheduled command skipped: device moved to another field']);
    expect(await w.deps.commands.commandsOfField('coop-a', 'field-a')).toEqual([]);
    expect(await w.deps.commands.commandsOfField('coop-a', 'field-b')).toEqual([]);
    await runner.stop();
    await w.registry.close();
  });
});
