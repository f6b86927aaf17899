// API behaviour a cooperative relies on: login, tenant isolation (another cooperative's field is a
// 404), farmer scoping, bad queries are 400s that name the parameter, never 500s.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createRegistry } from '../../core/registry/registry.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import { getJson, login } from '../helpers/platform.js';

describe('HTTP API', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ruong-api-'));
  const registry = createRegistry(join(dir, 'registry.db'));
  const store = createSqliteStore({ path: join(dir, 'readings.db') });
  let server: Server;
  let base: string;
  let tokenA: string;
  let tokenFarmer: string;
  const ids = { fieldA1: '', fieldA2: '', fieldB: '' };

  beforeAll(async () => {
    await store.setup();
    const coopA = await registry.createCooperative({ name: 'A' });
    const coopB = await registry.createCooperative({ name: 'B' });
    const farmA1 = await registry.createFarm({ cooperativeId: coopA, name: 'A1' });
    const farmA2 = await registry.createFarm({ cooperativeId: coopA, name: 'A2' });
    const farmB = await registry.createFarm({ cooperativeId: coopB, name: 'B1' });
    ids.fieldA1 = await registry.createField({ farmId: farmA1, name: '<img src=x onerror=alert(1)>', crop: 'rice' });
    ids.fieldA2 = await registry.createField({ farmId: farmA2, name: 'A2 field', crop: 'coffee' });
    ids.fieldB = await registry.createField({ farmId: farmB, name: 'B field', crop: 'rice' });
    await registry.createUser({ cooperativeId: coopA, username: 'alice', password: 'alice-password', role: 'admin' });
    await registry.createUser({ cooperativeId: coopA, username: 'fred', password: 'fred-password', role: 'farmer', farmIds: [farmA1] });
    await store.write([{ deviceId: 'dev-b', metric: 'awd_level', ts: 1_000, value: -5, fieldId: ids.fieldB, farmId: farmB, cooperativeId: coopB }]);
    const app = buildApp({ registry, store, metrics: createMetrics(), log: silentLogger(), sessionTtlMs: 3_600_000, readiness: () => Promise.resolve({ store: true }) });
    server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    tokenA = await login(base, 'alice', 'alice-password');
    tokenFarmer = await login(base, 'fred', 'fred-password');
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await store.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a wrong password with 401 and no token', async () => {
    const res = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'alice', password: 'nope' }) });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'UNAUTHORIZED', message: 'wrong username or password' } });
  });

  it('answers 400 for a login body that is not JSON or lacks a field', async () => {
    const notJson = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":' });
    expect(notJson.status).toBe(400);
    const missing = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"username":"alice"}' });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/password/);
  });

  it('requires a bearer token', async () => {
    expect((await getJson(base, '/api/v1/fields')).status).toBe(401);
    expect((await getJson(base, '/api/v1/fields', 'forged-token')).status).toBe(401);
  });

  it('lists only the caller\'s cooperative, and only a farmer\'s own farms', async () => {
    const admin = await getJson<{ fields: { id: string }[] }>(base, '/api/v1/fields', tokenA);
    expect(admin.body.fields.map((f) => f.id).sort()).toEqual([ids.fieldA1, ids.fieldA2].sort());
    const farmer = await getJson<{ fields: { id: string }[] }>(base, '/api/v1/fields', tokenFarmer);
    expect(farmer.body.fields.map((f) => f.id)).toEqual([ids.fieldA1]);
  });

  it('answers 404 for every object of another cooperative', async () => {
    for (const path of [`/api/v1/fields/${ids.fieldB}`, `/api/v1/fields/${ids.fieldB}/latest`, `/api/v1/fields/${ids.fieldB}/readings?metric=awd_level&from=0`]) {
      const res = await getJson<{ error: { code: string } }>(base, path, tokenA);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
    }
    expect((await getJson(base, `/api/v1/fields/${ids.fieldA2}/latest`, tokenFarmer)).status).toBe(404);
  });

  it('answers 400 naming the bad query parameter', async () => {
    const cases: [string, RegExp][] = [
      [`?metric=soil_moisure`, /metric/],
      [`?metric=awd_level&from=yesterday`, /from/],
      [`?metric=awd_level&every=5 minutes`, /every/],
      [`?metric=awd_level&from=2000&to=1000`, /from must be before to/],
      [`?metric=awd_level&colour=red`, /colour/],
      [``, /metric/],
    ];
    for (const [query, pattern] of cases) {
      const res = await getJson<{ error: { code: string; message: string } }>(base, `/api/v1/fields/${ids.fieldA1}/readings${query}`, tokenA);
      expect(res.status, query).toBe(400);
      expect(res.body.error.message, query).toMatch(pattern);
    }
  });

  it('returns a field name with markup as data, and serves the dashboard with a strict CSP', async () => {
    const res = await getJson<{ name: string }>(base, `/api/v1/fields/${ids.fieldA1}`, tokenA);
    expect(res.body.name).toBe('<img src=x onerror=alert(1)>');
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(await page.text()).toMatch(/<script type="module" src="app.js">/);
  });

  it('answers JSON 404 for unknown API routes', async () => {
    const res = await getJson<{ error: { code: string } }>(base, '/api/v1/nothing-here', tokenA);
    expect(res.status).toBe(404);
  });
});
