// Tenant isolation and roles through the real HTTP API: a user of cooperative A gets 404 for every object of
// cooperative B (farms, fields, devices, readings, alerts, CSV, users) and never sees them in a list; a farmer
// sees and changes only their own farms (others are 404); a viewer reads but every write is a 403.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture, type Listed } from '../helpers/api-fixture.js';

describe('API tenant isolation and roles', () => {
  let f: ApiFixture;
  beforeAll(async () => { f = await startApiFixture(); });
  afterAll(async () => { await f?.close(); });

  it('answers 404 to a user of cooperative A for every object of cooperative B, reads and writes alike', async () => {
    const { fieldB, farmB, alertB, bobId } = f.ids;
    const keyB = (await f.registry.createApiKey(f.ids.coopB, 'b-integration', 'viewer')).record.id;
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/v1/farms/${farmB}`], ['PATCH', `/api/v1/farms/${farmB}`, { name: 'taken' }], ['DELETE', `/api/v1/farms/${farmB}`],
      ['GET', `/api/v1/fields/${fieldB}`], ['PATCH', `/api/v1/fields/${fieldB}`, { name: 'taken' }], ['DELETE', `/api/v1/fields/${fieldB}`],
      ['POST', '/api/v1/fields', { farmId: farmB, name: 'planted in B', crop: 'rice' }],
      ['GET', `/api/v1/fields/${fieldB}/latest`], ['GET', `/api/v1/fields/${fieldB}/soil`], ['GET', `/api/v1/fields/${fieldB}/daily`],
      ['GET', `/api/v1/fields/${fieldB}/readings?metric=awd_level&from=0`],
      ['GET', `/api/v1/fields/${fieldB}/readings.csv?metric=awd_level&from=0`],
      ['GET', `/api/v1/alerts/${alertB}`], ['POST', `/api/v1/alerts/${alertB}/ack`, {}], ['POST', `/api/v1/alerts/${alertB}/resolve`, {}],
      ['GET', `/api/v1/alerts?fieldId=${fieldB}`],
      ['POST', '/api/v1/devices/dev-b/rotate-secret', {}], ['POST', '/api/v1/devices/dev-b/revoke', {}], ['DELETE', '/api/v1/devices/dev-b'],
      ['GET', '/api/v1/fields/' + fieldB + '/readings?metric=awd_level&device=dev-b'],
      ['GET', `/api/v1/users/${bobId}`], ['PATCH', `/api/v1/users/${bobId}`, { role: 'viewer' }], ['DELETE', `/api/v1/users/${bobId}`],
      ['DELETE', `/api/v1/api-keys/${keyB}`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await f.request(method, path, f.tokens.alice, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.error.code, `${method} ${path}`).toBe('NOT_FOUND');
      expect(res.body.error.message, `${method} ${path}`).not.toMatch(/no route/); // the route exists: the object is hidden
    }
    // nothing changed in B
    expect((await f.registry.fieldRecord({ cooperativeId: f.ids.coopB, role: 'admin', farmIds: [] }, fieldB))?.name).toBe('B field');
    expect((await f.request<{ status: string }>('GET', `/api/v1/alerts/${alertB}`, f.tokens.bob)).body.status).toBe('open');
    expect((await f.registry.deviceContext('dev-b'))?.revoked).toBe(false);
    expect((await f.request<{ apiKeys: { revokedAt: string | null }[] }>('GET', '/api/v1/api-keys', f.tokens.bob)).body.apiKeys[0]?.revokedAt).toBeNull();
  });

  it('never lists an object of another cooperative', async () => {
    const lists = ['/api/v1/farms', '/api/v1/fields', '/api/v1/latest', '/api/v1/device-health', '/api/v1/devices', '/api/v1/alerts', '/api/v1/users', '/api/v1/api-keys'];
    for (const path of lists) {
      const res = await f.request('GET', path, f.tokens.alice);
      expect(res.status, path).toBe(200);
      for (const foreign of [f.ids.farmB, f.ids.fieldB, 'dev-b', f.ids.alertB, '"bob"', 'HTX B']) expect(res.text, path).not.toContain(foreign);
    }
    expect((await f.request('GET', '/api/v1/fields', f.tokens.alice)).text).toContain(f.ids.fieldA2); // the check can see ids
    expect((await f.request<Listed<'fields'>>('GET', '/api/v1/fields', f.tokens.bob)).body.fields.map((x) => x.id)).toEqual([f.ids.fieldB]);
  });

  it('shows a farmer their own farms only, and lets them change those alone', async () => {
    const { fieldA1, fieldA2, farmA1, farmA2, alertA2 } = f.ids;
    const ids = async <K extends string>(path: string, key: K) => (await f.request<Listed<K>>('GET', path, f.tokens.fred)).body[key].map((x) => x.id);
    expect(await ids('/api/v1/farms', 'farms')).toEqual([farmA1]);
    expect(await ids('/api/v1/fields', 'fields')).toEqual([fieldA1]);
    expect((await f.request<{ readings: { deviceId: string }[] }>('GET', '/api/v1/latest', f.tokens.fred)).body.readings.map((x) => x.deviceId)).toEqual(['dev-a1']);
    expect(await ids('/api/v1/device-health', 'devices')).toEqual(['dev-a1']);
    expect(await ids('/api/v1/alerts', 'alerts')).not.toContain(alertA2);
    for (const [method, path, body] of [
      ['GET', `/api/v1/fields/${fieldA2}`], ['GET', `/api/v1/farms/${farmA2}`], ['GET', `/api/v1/fields/${fieldA2}/readings.csv?metric=soil_moisture@20cm`],
      ['PATCH', `/api/v1/fields/${fieldA2}`, { plantingDate: '2026-01-01' }], ['POST', '/api/v1/fields', { farmId: farmA2, name: 'x', crop: 'rice' }],
      ['GET', `/api/v1/alerts/${alertA2}`], ['POST', `/api/v1/alerts/${alertA2}/ack`, {}],
      ['PATCH', `/api/v1/fields/${fieldA1}`, { farmId: farmA2 }],
    ] as [string, string, unknown?][]) {
      expect((await f.request(method, path, f.tokens.fred, body)).status, `${method} ${path}`).toBe(404);
    }
    const patched = await f.request<object>('PATCH', `/api/v1/fields/${fieldA1}`, f.tokens.fred, { plantingDate: '2026-07-01', pumpFlowM3h: 90 });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ plantingDate: '2026-07-01', pumpFlowM3h: 90, farmId: farmA1 });
    expect((await f.request('DELETE', `/api/v1/fields/${fieldA1}`, f.tokens.fred)).status).toBe(403);
    expect((await f.request('POST', '/api/v1/farms', f.tokens.fred, { name: 'mine' })).status).toBe(403);
    expect((await f.request('GET', '/api/v1/dead-letters', f.tokens.fred)).status).toBe(403);
    expect((await f.request('GET', '/api/v1/users', f.tokens.fred)).status).toBe(403);
  });

  it('lets a viewer read everything of the cooperative but refuses every write with 403', async () => {
    expect((await f.request<Listed<'fields'>>('GET', '/api/v1/fields', f.tokens.vera)).body.fields).toHaveLength(2);
    expect((await f.request('GET', `/api/v1/alerts/${f.ids.alertA2}`, f.tokens.vera)).status).toBe(200);
    const writes: [string, string, unknown?][] = [
      ['POST', '/api/v1/farms', { name: 'n' }], ['PATCH', `/api/v1/farms/${f.ids.farmA1}`, { name: 'n' }], ['DELETE', `/api/v1/farms/${f.ids.farmA2}`],
      ['POST', '/api/v1/fields', { farmId: f.ids.farmA1, name: 'n', crop: 'rice' }], ['PATCH', `/api/v1/fields/${f.ids.fieldA1}`, { name: 'n' }],
      ['DELETE', `/api/v1/fields/${f.ids.fieldA2}`], ['POST', `/api/v1/alerts/${f.ids.alertA2}/ack`, {}], ['POST', `/api/v1/alerts/${f.ids.alertA2}/resolve`, {}],
      ['POST', '/api/v1/users', { username: 'eve', password: 'long-enough-pw', role: 'admin' }], ['POST', '/api/v1/api-keys', { name: 'k', role: 'admin' }],
    ];
    for (const [method, path, body] of writes) {
      const res = await f.request(method, path, f.tokens.vera, body);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error.code).toBe('FORBIDDEN');
    }
    expect((await f.request<{ status: string }>('GET', `/api/v1/alerts/${f.ids.alertA2}`, f.tokens.alice)).body.status).toBe('open');
  });

  it('keeps markup stored in a field name as data: returned verbatim as JSON, never as HTML', async () => {
    const name = '<script>alert("x")</script><img src=x onerror=alert(2)>';
    const created = await f.request<{ id: string }>('POST', '/api/v1/fields', f.tokens.tom, { farmId: f.ids.farmA2, name, crop: 'maize' });
    expect(created.status).toBe(201);
    const res = await f.request<{ name: string }>('GET', `/api/v1/fields/${created.body.id}`, f.tokens.tom);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.body.name).toBe(name);
    expect((await f.request<{ name: string }>('GET', `/api/v1/fields/${f.ids.fieldA1}`, f.tokens.alice)).body.name).toBe('<img src=x onerror=alert(1)>');
    expect((await f.request('DELETE', `/api/v1/fields/${created.body.id}`, f.tokens.tom)).status).toBe(204);
  });
});
