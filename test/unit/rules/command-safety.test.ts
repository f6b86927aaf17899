// Safety of pump and valve commands (issue 17 review): an off never depends on the reading store, a store outage
// does not stop a failed on from getting its safety off and alert, and a throwing listener or pass cannot crash
// the process. A real registry (SQLite in memory), a reading store that can be made to fail, a recording publisher.
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertService } from '../../../core/alerts/alert-service.js';
import { requestCommand, type ControlDeps } from '../../../core/commands/command-requests.js';
import { silentLogger } from '../../../core/log.js';
import { createCommands } from '../../../core/registry/commands.js';
import { createRegistry, type Registry } from '../../../core/registry/registry.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { createCommandDispatcher } from '../../../rules/control/command-dispatcher.js';

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
  registry.createCooperative({ id: 'coop-a', name: 'HTX A' });
  registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Trại A' });
  registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'Ruộng A', crop: 'rice' });
  registry.createField({ id: 'field-b', farmId: 'farm-a', name: 'Ruộng B', crop: 'rice' });
  await registry.provisionDevice({ id: 'pump-a', fieldId: 'field-a', kind: 'pump_controller', name: 'Bơm A' });
  await registry.provisionDevice({ id: 'canal-a', fieldId: 'field-a', kind: 'canal_sensor', name: 'Kênh A' });
  const store = { down: false };
  const fail = () => (store.down ? Promise.reject(new Error('influxdb down')) : Promise.resolve([]));
  const readingStore = { kind: 'fake', latest: fail, query: fail } as unknown as ReadingStore;
  const deps: ControlDeps = { registry, store: readingStore, commands: createCommands(registry.db), maxMinutes: 240 };
  return { registry, deps, store, raised: [], published: [], listeners: [], clock: { t: NOW } };
}

function dispatcher(w: World) {
  const alerts = {
    raise: (a: unknown) => { w.raised.push(a); }, autoResolve: () => undefined, list: () => [], events: new EventEmitter(),
  } as unknown as AlertService;
  return createCommandDispatcher({
    ...w.deps, alerts, log: silentLogger(), now: () => w.clock.t, attempts: 2, retryMs: 1_000, pollMs: 3_600_000,
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
  afterEach(() => { w.registry.close(); });

  it('is requested and sent while the store is down (an on is not: it needs the canal and AWD readings)', async () => {
    w.store.down = true;
    await expect(requestCommand(w.deps, ask('on', 30), NOW)).rejects.toThrow('influxdb down');
    const off = await requestCommand(w.deps, ask('off'), NOW);
    expect(off.state).toBe('requested');
    const d = dispatcher(w);
    await d.tick();
    expect(w.published).toEqual([{ topic: 'devices/pump-a/down', payload: { id: off.id, cmd: 'pump', action: 'off' } }]);
    expect(w.deps.commands.openCommands().find((c) => c.id === off.id)?.state).toBe('sent');
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
