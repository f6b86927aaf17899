// Rules engine throughput against the store it sits behind: the demo cooperative (7 devices, the default
// rules) reporting every 10 minutes for `DAYS` days, in batches of 500 readings as the ingest writes them.
// The same batches are written to the embedded SQLite ReadingStore and evaluated by the rules engine (state
// and alerts persisted in the registry); the figure that matters is the ratio — the engine must keep up
// with the store on the same machine. Run: npm run bench:rules  (or node --import tsx bench/rules/run.ts)
// REGISTRY=sqlite|postgres|both (default sqlite; issue 18): the engine's state and alerts in a SQLite registry and/or
// in PostgreSQL (a private cluster, test/helpers/postgres.ts) — the same batches, one after the other, ROUNDS times.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { seedDemo } from '../../cli/demo-seed.js';
import { createAlertService } from '../../core/alerts/alert-service.js';
import { createRuleStore } from '../../core/alerts/rule-store.js';
import { silentLogger } from '../../core/log.js';
import { openPostgresSql } from '../../core/db/postgres-sql.js';
import { createRegistry, openRegistry, type Registry } from '../../core/registry/registry.js';
import { startPostgres, type PostgresServer } from '../../test/helpers/postgres.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { defaultRulesFor } from '../../rules/default-rules.js';
import { createEngine } from '../../rules/engine.js';

const DAYS = Number(process.env.DAYS ?? 14);
const BATCH = 500;
const REGISTRIES = process.env.REGISTRY === 'both' ? ['sqlite', 'postgres'] : [process.env.REGISTRY ?? 'sqlite'];
const ROUNDS = Number(process.env.ROUNDS ?? 1);

const METRICS: Record<string, Record<string, (k: number) => number>> = {
  soil_probe: { 'soil_moisture@20cm': (k) => 30 - (k % 400) * 0.02, 'soil_moisture@50cm': (k) => 32 - (k % 400) * 0.01, battery: () => 80 },
  weather_station: {
    air_temperature: (k) => 27 + 5 * Math.sin(k / 23), air_humidity: (k) => 75 - 15 * Math.sin(k / 23), wind_speed: () => 2,
    solar_radiation: (k) => Math.max(0, 800 * Math.sin(k / 23)), rain: (k) => (k % 97 === 0 ? 4 : 0), battery: () => 80,
  },
  canal_sensor: { water_ec: (k) => 2.5 + 1.2 * Math.sin(k / 37), water_level: (k) => 120 + 80 * Math.sin(k / 37), water_ph: () => 6.8, battery: () => 80 },
  awd_tube: { awd_level: (k) => 5 - (k % 300) * 0.07, battery: () => 80 },
};

async function seeded(kind: string, dir: string, postgres: () => Promise<PostgresServer>): Promise<Registry> {
  const registry = kind === 'postgres'
    ? await openRegistry(openPostgresSql(await (await postgres()).createDatabase(`bench_rules_${Date.now()}`)))
    : createRegistry(join(dir, `registry-${Date.now()}.db`));
  await seedDemo(registry, dir, 'bench-password-123');
  const ruleStore = createRuleStore(registry.sql);
  for (const r of defaultRulesFor('coop-demo')) await ruleStore.putRule('coop-demo', r.id, r.definition);
  return registry;
}

/** Evaluates the batches with a fresh registry of the given engine; seconds taken and alerts opened. */
async function evaluate(registry: Registry, batches: readonly StoredReading[][]): Promise<{ rulesS: number; alerts: number }> {
  const ruleStore = createRuleStore(registry.sql);
  const staff = (id: string) => ({ cooperativeId: id, role: 'technician' as const, farmIds: [] });
  const engine = createEngine({
    ruleStore, alerts: createAlertService({ sql: registry.sql }), log: silentLogger(), now: Date.now,
    directory: { cooperativeIds: () => ruleStore.cooperativeIds(), farms: (id) => registry.farms(staff(id)), fields: (id) => registry.fields(staff(id)), devices: (id) => registry.devicesOfCooperative(id) },
  });
  const t = performance.now();
  for (const b of batches) await engine.handleBatch(b);
  const rulesS = (performance.now() - t) / 1000;
  const alerts = (await registry.sql.one<{ n: number }>('SELECT count(*) AS n FROM alerts'))!.n;
  return { rulesS, alerts };
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-rules-'));
  let server: PostgresServer | undefined;
  const postgres = async () => (server ??= await startPostgres());
  const template = await seeded('sqlite', dir, postgres);
  const readings: StoredReading[] = [];
  const t0 = Date.now() - (DAYS + 1) * 86_400_000;
  const devices = [];
  for (const d of await template.devicesOfCooperative('coop-demo')) devices.push({ d, ctx: (await template.deviceContext(d.id))! });
  await template.close();
  for (let k = 0; k < DAYS * 144; k++) {
    for (const { d, ctx } of devices) {
      for (const [metric, f] of Object.entries(METRICS[d.kind] ?? {})) {
        readings.push({ deviceId: d.id, metric, ts: t0 + k * 600_000, value: f(k), fieldId: ctx.fieldId, farmId: ctx.farmId, cooperativeId: ctx.cooperativeId });
      }
    }
  }
  const batches = Array.from({ length: Math.ceil(readings.length / BATCH) }, (_, i) => readings.slice(i * BATCH, (i + 1) * BATCH));

  const store = createSqliteStore({ path: join(dir, 'readings.db') });
  await store.setup();
  const t = performance.now();
  for (const b of batches) await store.write(b);
  const storeS = (performance.now() - t) / 1000;
  await store.close();

  for (let round = 1; round <= ROUNDS; round++) {
    for (const kind of REGISTRIES) {
      const registry = await seeded(kind, dir, postgres);
      const { rulesS, alerts } = await evaluate(registry, batches);
      await registry.close();
      console.log(JSON.stringify({
        registry: kind, round, days: DAYS, readings: readings.length, batches: batches.length,
        storeReadingsPerS: Math.round(readings.length / storeS), rulesReadingsPerS: Math.round(readings.length / rulesS),
        rulesTimeOverStoreTime: Number((rulesS / storeS).toFixed(2)), alertsOpened: alerts,
      }));
    }
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
}

await main();
