// The engine's batch transaction run again (PostgreSQL re-runs a SERIALIZABLE transaction after a serialization
// failure, core/db/sql.ts): the second run must start from the rule states in the database, not from the cache
// the rolled-back run advanced — else the alert that run opened (and lost with the rollback) is never opened.
// The retry is simulated on SQLite: the first run of one batch's work is rolled back, then the work runs again.
import { describe, expect, it } from 'vitest';
import { createAlertService, type AlertService } from '../../../core/alerts/alert-service.js';
import { createRuleStore } from '../../../core/alerts/rule-store.js';
import { silentLogger } from '../../../core/log.js';
import { createRegistry } from '../../../core/registry/registry.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { createEngine } from '../../../rules/engine.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-10T08:00:00+07:00');
const RULE = 'coop-a:canal-low';

class RolledBack extends Error {}

async function world() {
  const registry = createRegistry(':memory:');
  await registry.createCooperative({ id: 'coop-a', name: 'HTX A' });
  await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Trại A' });
  await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'Ruộng A', crop: 'rice' });
  await registry.provisionDevice({ id: 'canal-a', fieldId: 'field-a', kind: 'canal_sensor', name: 'Kênh A' });
  const ruleStore = createRuleStore(registry.sql);
  // below 80 cm for 15 min: the first low reading makes the rule pending, the one 20 min later opens the alert
  await ruleStore.putRule('coop-a', RULE, { version: 1, id: RULE, kind: 'threshold', scope: { deviceId: 'canal-a' }, metric: 'water_level', below: 80, for: '15m' });
  const real = createAlertService({ sql: registry.sql });
  let failNext = false;
  let attempts = 0;
  // as PostgreSQL does: the work runs, its transaction is rolled back, and the same work runs again in a new one
  const alerts: AlertService = {
    ...real,
    async atomically<T>(fn: () => Promise<T>): Promise<T> {
      if (failNext) {
        failNext = false;
        await real.atomically(async () => {
          attempts++;
          await fn();
          throw new RolledBack();
        }).catch((err: unknown) => { if (!(err instanceof RolledBack)) throw err; });
      }
      attempts++;
      return real.atomically(fn);
    },
  };
  const staff = (id: string) => ({ cooperativeId: id, role: 'technician' as const, farmIds: [] });
  let now = T0;
  const opened: string[] = [];
  const metrics = { evaluated: () => undefined, taskRun: () => undefined, alertOpened: (kind: string) => { opened.push(kind); } };
  const engine = createEngine({
    ruleStore, alerts, log: silentLogger(), now: () => now, metrics,
    directory: {
      cooperativeIds: () => ruleStore.cooperativeIds(),
      farms: (id) => registry.farms(staff(id)),
      fields: (id) => registry.fields(staff(id)),
      devices: (id) => registry.devicesOfCooperative(id),
    },
  });
  const level = (ts: number, value: number): StoredReading[] => [
    { deviceId: 'canal-a', metric: 'water_level', ts, value, fieldId: 'field-a', farmId: 'farm-a', cooperativeId: 'coop-a' },
  ];
  return {
    registry, ruleStore, real, engine, level, opened,
    retryNext: () => { failNext = true; },
    attempts: () => attempts,
    at: (t: number) => { now = t; },
  };
}

describe('the engine\'s batch transaction run again', () => {
  it('opens the alert the rolled-back run opened, once, from the state in the database, and counts it once', async () => {
    const w = await world();
    await w.engine.handleBatch(w.level(T0, 50));
    expect(await w.real.list({ cooperativeId: 'coop-a', status: 'open' })).toEqual([]);

    w.at(T0 + 20 * MIN);
    w.retryNext();
    const before = w.attempts();
    await w.engine.handleBatch(w.level(T0 + 20 * MIN, 50));
    expect(w.attempts() - before).toBe(2); // the batch's work ran twice
    const open = await w.real.list({ cooperativeId: 'coop-a', status: 'open' });
    expect(open.map((a) => [a.ruleId, a.subject])).toEqual([[RULE, 'device:canal-a']]);
    expect(w.opened).toEqual(['threshold']); // counted once: the rolled-back run opened nothing
    // and the state written is the one of the run that committed: a later low reading does not open another
    w.at(T0 + 30 * MIN);
    await w.engine.handleBatch(w.level(T0 + 30 * MIN, 50));
    expect(await w.real.list({ cooperativeId: 'coop-a' })).toHaveLength(1);
    await w.registry.close();
  });
});
