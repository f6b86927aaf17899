// `npm run bench:api` — fills a store with 10M readings (1,000 devices) and measures what the dashboard asks
// of the API: the latest values of 1,000 devices (target ≤ 50 ms) and a 30-day field chart (target p95 ≤ 50 ms),
// over real HTTP on loopback through buildApp, plus the store calls beneath them for comparison.
//   npm run bench:api -- [--readings 10000000] [--store sqlite|influx|both] [--requests 200] [--batch 100000]
//                        [--registry sqlite|postgres|both] [--rounds 1]
// SQLite always; InfluxDB when influxd is installed (a private instance, test/helpers/influxd.ts).
// --registry both (issue 18): the same filled store is served by the API once with the registry on SQLite and once
// on PostgreSQL (a private cluster, test/helpers/postgres.ts), alternating for --rounds rounds, so the two columns
// come from the same machine state.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp } from '../../api/app.js';
import { createEventBus } from '../../core/event-bus.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { openPostgresSql } from '../../core/db/postgres-sql.js';
import { createRegistry, openRegistry, type Registry } from '../../core/registry/registry.js';
import { postgresAvailable, startPostgres, type PostgresServer } from '../../test/helpers/postgres.js';
import { createInfluxStore } from '../../core/store/influx-store.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import { influxdAvailable, startInfluxd } from '../../test/helpers/influxd.js';
import { COOP, DEVICES, DEVICES_PER_FIELD, fieldId, fill, seedRegistry } from './fixture.js';

const DAY = 86_400_000;
const { values: args } = parseArgs({
  options: {
    readings: { type: 'string', default: '10000000' }, store: { type: 'string', default: 'both' },
    requests: { type: 'string', default: '200' }, batch: { type: 'string', default: '100000' },
    registry: { type: 'string', default: 'sqlite' }, rounds: { type: 'string', default: '1' },
  },
});
const total = Number(args.readings);
const requests = Number(args.requests);

interface Timing { p50: number; p95: number; max: number; n: number }

function stats(ms: number[]): Timing {
  const s = [...ms].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), max: s.at(-1) ?? NaN, n: s.length };
}

async function time(n: number, fn: (i: number) => Promise<unknown>): Promise<Timing> {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    ms.push(performance.now() - t0);
  }
  return stats(ms);
}

const fmt = (t: Timing) => `p50 ${t.p50.toFixed(1)} ms, p95 ${t.p95.toFixed(1)} ms, max ${t.max.toFixed(1)} ms (n=${t.n})`;

interface Filled { written: number; days: number; fillS: number; rollupS: number }

async function fillStore(kind: string, store: ReadingStore, now: number): Promise<Filled> {
  await store.setup();
  const t0 = performance.now();
  let shown = 0;
  const { written, start } = await fill(store, total, now - 60_000, Number(args.batch), (w) => {
    if (w - shown >= total / 10) { shown = w; console.log(`  ${kind}: ${(w / 1e6).toFixed(1)}M readings written (${((performance.now() - t0) / 1000).toFixed(0)} s)`); }
  });
  const fillS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const refreshed = await store.refreshRollups();
  const rollupS = (performance.now() - t1) / 1000;
  console.log(`  ${kind}: ${written} readings (${((now - start) / DAY).toFixed(1)} days) in ${fillS.toFixed(1)} s = ${Math.round(written / fillS)} readings/s; rollup refresh ${rollupS.toFixed(1)} s (${refreshed} hours)`);
  return { written, days: (now - start) / DAY, fillS, rollupS };
}

/** The API on a real port; `get` fetches as the cooperative's admin. */
async function serve(registry: Registry, store: ReadingStore) {
  const app = buildApp({ registry, store, bus: createEventBus(), metrics: createMetrics(), log: silentLogger(), sessionTtlMs: 3_600_000, readiness: () => Promise.resolve({}) });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'bench', password: 'bench-password' }) });
  const headers = { authorization: `Bearer ${((await login.json()) as { token: string }).token}` };
  return {
    async get(path: string) {
      const res = await fetch(`${base}${path}`, { headers });
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return res.json() as Promise<Record<string, unknown>>;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function measure(kind: string, store: ReadingStore, api: Awaited<ReturnType<typeof serve>>, now: number): Promise<Record<string, unknown>> {
  const storeLatest = await time(10, () => store.latest({ cooperativeId: COOP }));
  const coldLatest = await time(1, () => api.get('/api/v1/device-health'));
  const health = await api.get('/api/v1/device-health');
  if ((health.devices as unknown[]).length !== DEVICES) throw new Error('device-health did not list every device');
  const httpHealth = await time(requests, () => api.get('/api/v1/device-health'));
  const httpLatest = await time(requests, () => api.get('/api/v1/latest'));
  const fields = DEVICES / DEVICES_PER_FIELD;
  const from = now - 30 * DAY;
  const chartPath = (i: number) => `/api/v1/fields/${fieldId((i * 37) % fields)}/readings?metric=soil_moisture@20cm&from=${from}&to=${now}`;
  const sample = await api.get(chartPath(0));
  const chart = await time(requests, (i) => api.get(chartPath(i)));
  const range = (i: number, everyMs: number) => ({ cooperativeId: COOP, fieldId: fieldId((i * 37) % fields), metric: 'soil_moisture@20cm', from, to: now, everyMs });
  const storeRollup = await time(20, (i) => store.query(range(i, 3_600_000)));
  const storeRaw = await time(20, (i) => store.query(range(i, 3_000_000)));
  const points = (sample.series as { ts: unknown[] }[]).reduce((n, s) => n + s.ts.length, 0);
  console.log(`  ${kind}: latest of ${DEVICES} devices — store.latest (no cache) ${fmt(storeLatest)}; first API call (loads cache) ${coldLatest.p50.toFixed(1)} ms`);
  console.log(`  ${kind}: GET /api/v1/device-health (1,000 devices) ${fmt(httpHealth)}; GET /api/v1/latest (2,000 values) ${fmt(httpLatest)}`);
  console.log(`  ${kind}: 30-day field chart GET /fields/:id/readings (${DEVICES_PER_FIELD} series, everyMs ${String(sample.everyMs)}, ${points} points) ${fmt(chart)}`);
  console.log(`  ${kind}: store.query 30 days, 1 h windows (rollups) ${fmt(storeRollup)}; 50 min windows (raw) ${fmt(storeRaw)}`);
  return { storeLatest, coldLatest: coldLatest.p50, httpHealth, httpLatest, chart, points, storeRollup, storeRaw };
}

const registryKinds = args.registry === 'both' ? ['sqlite', 'postgres'] : [String(args.registry)];
const rounds = Number(args.rounds);
let postgres: PostgresServer | undefined;

/** A registry of the given engine, seeded with the benchmark's cooperative and its admin. */
async function benchRegistry(kind: string, dir: string): Promise<Registry> {
  let registry: Registry;
  if (kind === 'postgres') {
    if (!postgresAvailable()) throw new Error('--registry postgres: PostgreSQL is not installed (apt-get install -y postgresql)');
    postgres ??= await startPostgres();
    registry = await openRegistry(openPostgresSql(await postgres.createDatabase(`bench_${Date.now()}`)));
  } else {
    registry = createRegistry(join(dir, 'registry.db'));
  }
  await seedRegistry(registry);
  await registry.createUser({ cooperativeId: COOP, username: 'bench', password: 'bench-password', role: 'admin' });
  return registry;
}

async function benchStore(kind: string, store: ReadingStore): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), `ruong-bench-api-${kind}-`));
  const registries = new Map<string, Registry>();
  const now = Date.now();
  try {
    for (const r of registryKinds) registries.set(r, await benchRegistry(r, dir));
    const filled = await fillStore(kind, store, now);
    const results: Record<string, unknown>[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const [registryKind, registry] of registries) {
        const label = `${kind}, registry ${registryKind}${rounds > 1 ? `, round ${round}` : ''}`;
        const api = await serve(registry, store);
        const figures = await measure(label, store, api, now);
        await api.close();
        results.push({ kind, registry: registryKind, round, ...filled, ...figures });
      }
    }
    return results;
  } finally {
    await store.close();
    for (const registry of registries.values()) await registry.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const kinds = args.store === 'both' ? ['sqlite', 'influx'] : [String(args.store)];
  console.log(`bench:api — ${total} readings, ${DEVICES} devices, ${requests} requests per API figure`);
  const results: Record<string, unknown>[] = [];
  for (const kind of kinds) {
    if (kind === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'ruong-bench-sqlite-'));
      results.push(...await benchStore('sqlite', createSqliteStore({ path: join(dir, 'readings.db') })));
      rmSync(dir, { recursive: true, force: true });
    } else if (kind === 'influx') {
      if (!influxdAvailable()) { console.log('  influx: influxd not installed — skipped'); continue; }
      const influxd = await startInfluxd();
      try {
        results.push(...await benchStore('influx', createInfluxStore({ url: `${influxd.url}/ruong_bench`, timeoutMs: 120_000 })));
      } finally {
        await influxd.stop();
      }
    }
  }
  await postgres?.stop();
  console.log(JSON.stringify(results, null, 1));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
