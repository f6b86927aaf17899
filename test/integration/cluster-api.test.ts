// `ruong api` as separate, stateless processes (issue 9): two API processes sharing DATA_DIR's registry
// serve one user as one — a session opened on one is valid on the other, a logout on one ends it on both,
// and a farm created through one is read through the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../core/registry/registry.js';
import { startClusterApi, type ClusterApi } from '../helpers/cluster.js';
import { getJson, login } from '../helpers/platform.js';

const PASSWORD = 'cluster-api-password-1';

describe('two `ruong api` processes behind a load balancer', () => {
  let dataDir: string;
  let one: ClusterApi;
  let two: ClusterApi;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ruong-cluster-api-'));
    const registry = createRegistry(join(dataDir, 'registry.db'));
    const coop = await registry.createCooperative({ id: 'coop-demo', name: 'Coop' });
    await registry.createUser({ cooperativeId: coop, username: 'chi', password: PASSWORD, role: 'admin' });
    await registry.close();
    [one, two] = await Promise.all([startClusterApi(dataDir), startClusterApi(dataDir)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([one?.kill9(), two?.kill9()]);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('shares sessions and data between the processes', async () => {
    const token = await login(one.baseUrl, 'chi', PASSWORD);
    expect((await getJson(two.baseUrl, '/api/v1/me', token)).status).toBe(200);

    const created = await fetch(`${two.baseUrl}/api/v1/farms`, {
      method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'Ruộng Đông' }),
    });
    expect(created.status).toBe(201);
    const farms = await getJson<{ name: string }[] | { items: { name: string }[] }>(one.baseUrl, '/api/v1/farms', token);
    expect(JSON.stringify(farms.body)).toContain('Ruộng Đông');

    const out = await fetch(`${two.baseUrl}/api/v1/auth/logout`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(out.ok).toBe(true);
    expect((await getJson(one.baseUrl, '/api/v1/me', token)).status).toBe(401);
  }, 60_000);
});
