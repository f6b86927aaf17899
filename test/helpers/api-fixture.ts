// Two cooperatives behind the real Express app on a real port (SQLite registry and store, the alert service,
// the live-event bus): A with two farms (a farmer owns A1), B with one. Each user logs in from its own client
// address (X-Forwarded-For, trusted from loopback) so login rate limits of one test do not touch another.
// API_TEST_REGISTRY=postgres puts the registry on a fresh database of the test run's PostgreSQL cluster instead
// (issue 18), to run the same API suites on that engine.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { buildApp, type ApiDeps } from '../../api/app.js';
import { createAlertService, type AlertService } from '../../core/alerts/alert-service.js';
import { createEventBus, type EventBus } from '../../core/event-bus.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { openPostgresSql } from '../../core/db/postgres-sql.js';
import { createRegistry, openRegistry, type Registry } from '../../core/registry/registry.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { createPostgresDatabase } from './postgres.js';

export interface ApiFixture {
  readonly base: string;
  readonly registry: Registry;
  readonly store: ReadingStore;
  readonly bus: EventBus;
  readonly alerts: AlertService;
  readonly ids: Record<'coopA' | 'coopB' | 'farmA1' | 'farmA2' | 'farmB' | 'fieldA1' | 'fieldA2' | 'fieldB' | 'alertA2' | 'alertB' | 'bobId', string>;
  /** Session tokens: alice (admin A), tom (technician A), fred (farmer A, farm A1), vera (viewer A), bob (admin B). */
  readonly tokens: Record<'alice' | 'tom' | 'fred' | 'vera' | 'bob', string>;
  /** The body is parsed JSON, typed by the caller (`ErrorBody` by default). */
  request<T = ErrorBody>(method: string, path: string, token: string | undefined, body?: unknown, headers?: Record<string, string>): Promise<Res<T>>;
  close(): Promise<void>;
}

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}
export interface Res<T> {
  readonly status: number;
  readonly body: T;
  readonly text: string;
  readonly headers: Headers;
}
export type Listed<K extends string> = Record<K, { readonly id: string }[]>;

let address = 1;
/** A fresh client address for each login: the per-address login budget stays untouched. */
export const nextAddress = () => `10.0.${Math.floor(address / 250)}.${(address++ % 250) + 1}`;

async function openTestRegistry(dir: string): Promise<Registry> {
  if (process.env.API_TEST_REGISTRY !== 'postgres') return createRegistry(join(dir, 'registry.db'));
  const cluster = inject('postgresUrl');
  if (cluster === '') throw new Error('API_TEST_REGISTRY=postgres but PostgreSQL is not available (test/helpers/postgres.ts)');
  const url = await createPostgresDatabase(cluster, `ruong_api_${randomUUID().replace(/-/g, '')}`);
  return openRegistry(openPostgresSql(url, { max: 4 }));
}

export async function startApiFixture(extra: Partial<ApiDeps> = {}, wrapStore: (s: ReadingStore) => ReadingStore = (s) => s): Promise<ApiFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-api-'));
  const registry = await openTestRegistry(dir);
  const store = createSqliteStore({ path: join(dir, 'readings.db') });
  await store.setup();
  const bus = createEventBus();
  const alerts = createAlertService({ sql: registry.sql });
  alerts.subscribe(({ event, alert }) => bus.emit('alert', { // as cli/rules-wiring.ts wires it
    cooperativeId: alert.cooperativeId, farmId: alert.farmId, fieldId: alert.fieldId, alertId: alert.id, status: alert.status, change: event,
  }));
  const coopA = await registry.createCooperative({ name: 'HTX A' });
  const coopB = await registry.createCooperative({ name: 'HTX B' });
  const farmA1 = await registry.createFarm({ cooperativeId: coopA, name: 'A1', lat: 9.5, lon: 105.9 });
  const farmA2 = await registry.createFarm({ cooperativeId: coopA, name: 'A2' });
  const farmB = await registry.createFarm({ cooperativeId: coopB, name: 'B1' });
  const fieldA1 = await registry.createField({ farmId: farmA1, name: '<img src=x onerror=alert(1)>', crop: 'rice', soilTexture: 'clay', lat: 9.5, lon: 105.9 });
  const fieldA2 = await registry.createField({ farmId: farmA2, name: 'A2 field', crop: 'coffee' });
  const fieldB = await registry.createField({ farmId: farmB, name: 'B field', crop: 'rice' });
  await registry.provisionDevice({ id: 'dev-a1', fieldId: fieldA1, kind: 'awd_tube', name: 'AWD A1' });
  await registry.provisionDevice({ id: 'dev-a2', fieldId: fieldA2, kind: 'soil_probe', name: 'Probe A2' });
  await registry.provisionDevice({ id: 'dev-b', fieldId: fieldB, kind: 'awd_tube', name: 'AWD B' });
  const users = [
    ['alice', coopA, 'admin', []], ['tom', coopA, 'technician', []], ['fred', coopA, 'farmer', [farmA1]],
    ['vera', coopA, 'viewer', []], ['bob', coopB, 'admin', []],
  ] as const;
  const userIds: Record<string, string> = {};
  for (const [name, coop, role, farmIds] of users) {
    userIds[name] = await registry.createUser({ cooperativeId: coop, username: name, password: `${name}-password`, role, farmIds });
  }
  const t = Date.now() - 60_000;
  await store.write([
    { deviceId: 'dev-a1', metric: 'awd_level', ts: t, value: -7, fieldId: fieldA1, farmId: farmA1, cooperativeId: coopA },
    { deviceId: 'dev-a2', metric: 'soil_moisture@20cm', ts: t, value: 30, fieldId: fieldA2, farmId: farmA2, cooperativeId: coopA },
    { deviceId: 'dev-b', metric: 'awd_level', ts: t, value: -5, fieldId: fieldB, farmId: farmB, cooperativeId: coopB },
    { deviceId: 'dev-b', metric: 'battery', ts: t, value: 80, fieldId: fieldB, farmId: farmB, cooperativeId: coopB },
  ]);
  const raise = async (cooperativeId: string, farmId: string, fieldId: string, deviceId: string) => (await alerts.raise({
    cooperativeId, farmId, fieldId, deviceId, ruleId: 'awd-test', subject: `field:${fieldId}`, kind: 'awd_irrigate', severity: 'warning',
    escalateAfterMs: null, values: { levelCm: -16 }, text: { vi: 'tưới', en: 'irrigate' },
  })).alert.id;
  const ids = {
    coopA, coopB, farmA1, farmA2, farmB, fieldA1, fieldA2, fieldB, bobId: userIds.bob!,
    alertA2: await raise(coopA, farmA2, fieldA2, 'dev-a2'), alertB: await raise(coopB, farmB, fieldB, 'dev-b'),
  };

  const app = buildApp({
    registry, store: wrapStore(store), bus, alerts, metrics: createMetrics(), log: silentLogger(), sessionTtlMs: 3_600_000,
    readiness: () => Promise.resolve({ store: true }), ...extra,
  });
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  async function request<T = ErrorBody>(method: string, path: string, token: string | undefined, body?: unknown, headers: Record<string, string> = {}): Promise<Res<T>> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown;
    try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    return { status: res.status, body: parsed as T, text, headers: res.headers };
  }
  async function login(name: string): Promise<string> {
    const res = await request<{ token: string }>('POST', '/api/v1/auth/login', undefined, { username: name, password: `${name}-password` }, { 'x-forwarded-for': nextAddress() });
    if (res.status !== 200) throw new Error(`login ${name}: ${res.status} ${res.text}`);
    return res.body.token;
  }
  const tokens = { alice: await login('alice'), tom: await login('tom'), fred: await login('fred'), vera: await login('vera'), bob: await login('bob') };

  return {
    base, registry, store, bus, alerts, ids, tokens, request,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
