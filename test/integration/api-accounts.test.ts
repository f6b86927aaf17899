// Accounts through the real HTTP API: API keys for integrations (hashed, scoped to a cooperative and a role,
// Bearer or X-API-Key, revocable), users managed by the cooperative's admin, login limited per client address
// and per username at an address, and the farm/field lifecycle with GeoJSON location and outline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nextAddress, startApiFixture, type ApiFixture, type ErrorBody, type Listed } from '../helpers/api-fixture.js';

type Token = { token: string } & ErrorBody;
type Created = { id: string; key: string; farmIds: string[] };

describe('API accounts, keys and farm/field lifecycle', () => {
  let f: ApiFixture;
  beforeAll(async () => { f = await startApiFixture(); });
  afterAll(async () => { await f?.close(); });

  const login = (username: string, password: string, from = nextAddress()) =>
    f.request<Token>('POST', '/api/v1/auth/login', undefined, { username, password }, { 'x-forwarded-for': from });

  it('issues an API key once, stores only its hash, and scopes it to its cooperative and role', async () => {
    const created = await f.request<Created>('POST', '/api/v1/api-keys', f.tokens.alice, { name: 'grafana', role: 'viewer' });
    expect(created.status).toBe(201);
    const key = created.body.key;
    expect(key).toMatch(/^rk_[A-Za-z0-9_-]{40,}$/);
    const stored = JSON.stringify(await f.registry.sql.all('SELECT * FROM api_keys'));
    expect(stored).not.toContain(key);
    expect((await f.request('GET', '/api/v1/api-keys', f.tokens.alice)).text).not.toContain(key.slice(10));

    const bearer = await f.request<Listed<'fields'>>('GET', '/api/v1/fields', key);
    expect(bearer.status).toBe(200);
    expect(bearer.body.fields.map((x) => x.id).sort()).toEqual([f.ids.fieldA1, f.ids.fieldA2].sort());
    const header = await f.request('GET', `/api/v1/fields/${f.ids.fieldA1}/latest`, undefined, undefined, { 'x-api-key': key });
    expect(header.status).toBe(200);
    expect((await f.request('GET', `/api/v1/fields/${f.ids.fieldB}`, key)).status).toBe(404);
    expect((await f.request('POST', '/api/v1/farms', key, { name: 'by a viewer key' })).status).toBe(403);
    expect((await f.request<object>('GET', '/api/v1/me', key)).body).toMatchObject({ role: 'viewer', cooperative: { id: f.ids.coopA } });

    expect((await f.request('DELETE', `/api/v1/api-keys/${created.body.id}`, f.tokens.alice)).status).toBe(204);
    expect((await f.request('GET', '/api/v1/fields', key)).status).toBe(401);
    expect((await f.request('GET', '/api/v1/fields', 'rk_forged-key-that-was-never-issued')).status).toBe(401);
  });

  it('lets an admin add a farmer with farms, change them (ending the farmer\'s sessions) and delete them', async () => {
    const created = await f.request<Created>('POST', '/api/v1/users', f.tokens.alice, { username: 'nam', password: 'nam-password-1', role: 'farmer', farmIds: [f.ids.farmA2], displayName: 'Anh Nam' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ username: 'nam', role: 'farmer', farmIds: [f.ids.farmA2], language: 'vi' });
    expect(JSON.stringify(created.body)).not.toMatch(/password|scrypt/);
    const token = (await login('nam', 'nam-password-1')).body.token;
    const fieldIds = async (t: string) => (await f.request<Listed<'fields'>>('GET', '/api/v1/fields', t)).body.fields.map((x) => x.id);
    expect(await fieldIds(token)).toEqual([f.ids.fieldA2]);

    const moved = await f.request<Created>('PATCH', `/api/v1/users/${created.body.id}`, f.tokens.alice, { farmIds: [f.ids.farmA1] });
    expect(moved.body.farmIds).toEqual([f.ids.farmA1]);
    expect((await f.request('GET', '/api/v1/fields', token)).status).toBe(401); // old session ended
    const again = (await login('nam', 'nam-password-1')).body.token;
    expect(await fieldIds(again)).toEqual([f.ids.fieldA1]);

    expect((await f.request('POST', '/api/v1/users', f.tokens.alice, { username: 'nam', password: 'another-password', role: 'viewer' })).status).toBe(409);
    const me = (await f.registry.usersOfCooperative(f.ids.coopA)).find((u) => u.username === 'alice')!;
    expect((await f.request('DELETE', `/api/v1/users/${me.id}`, f.tokens.alice)).status).toBe(409);
    expect((await f.request('PATCH', `/api/v1/users/${me.id}`, f.tokens.alice, { role: 'viewer' })).status).toBe(409);
    expect((await f.request('DELETE', `/api/v1/users/${created.body.id}`, f.tokens.alice)).status).toBe(204);
    expect((await f.request('GET', '/api/v1/fields', again)).status).toBe(401);
    expect((await login('nam', 'nam-password-1')).status).toBe(401);
    expect((await f.request('GET', '/api/v1/users', f.tokens.tom)).status).toBe(403);
  });

  it('limits login attempts per client address and, separately, failures per username at that address', async () => {
    await f.registry.createUser({ cooperativeId: f.ids.coopA, username: 'carol', password: 'carol-password', role: 'viewer' });
    await f.registry.createUser({ cooperativeId: f.ids.coopA, username: 'dung', password: 'dung-password', role: 'viewer' });
    // one address trying many accounts: the 11th attempt within a minute is refused, whatever the account
    const host = nextAddress();
    for (let i = 0; i < 10; i++) expect((await login(`nobody-${i}`, 'guess', host)).status).toBe(401);
    expect((await login('dung', 'dung-password', host)).status).toBe(429);
    expect((await login('dung', 'dung-password')).status).toBe(200); // from elsewhere, fine
    // one address guessing one account: it is refused there (the lock-out per username and address, with its
    // clock, is test/integration/api-login-lockout.test.ts), while the owner elsewhere is not locked out
    const guesser = nextAddress();
    for (let i = 0; i < 10; i++) expect((await login('carol', `guess-${i}`, guesser)).status).toBe(401);
    const locked = await login('CAROL', 'carol-password', guesser);
    expect(locked.status).toBe(429);
    expect(locked.body.error.message).toMatch(/retry in \d+ s/);
    expect((await login('carol', 'carol-password')).status).toBe(200); // the owner, from another address
    expect((await login('dung', 'dung-password')).status).toBe(200); // other users are not affected
  });

  it('creates, reads, updates and deletes farms and fields with a GeoJSON location and outline', async () => {
    const farm = await f.request<{ id: string }>('POST', '/api/v1/farms', f.tokens.tom, { name: 'Trại mới', province: 'Bạc Liêu', location: { type: 'Point', coordinates: [105.72, 9.29] } });
    expect(farm.status).toBe(201);
    expect(farm.body).toMatchObject({ name: 'Trại mới', lat: 9.29, lon: 105.72, location: { type: 'Point', coordinates: [105.72, 9.29] }, cooperativeId: f.ids.coopA });
    const outline = { type: 'Polygon', coordinates: [[[105.72, 9.29], [105.721, 9.29], [105.721, 9.291], [105.72, 9.291], [105.72, 9.29]]] };
    const field = await f.request<{ id: string }>('POST', '/api/v1/fields', f.tokens.tom, {
      farmId: farm.body.id, name: 'Ruộng mới', crop: 'rice', plantingDate: '2026-11-01', soilTexture: 'silty clay', areaHa: 1.2, pumpFlowM3h: 80,
      location: { type: 'Point', coordinates: [105.7205, 9.2905] }, outline,
    });
    expect(field.status).toBe(201);
    expect(field.body).toMatchObject({ name: 'Ruộng mới', crop: 'rice', soilTexture: 'silty_clay', areaHa: 1.2, pumpFlowM3h: 80, lat: 9.2905, lon: 105.7205, outline, devices: [] });
    const soil = await f.request<object>('GET', `/api/v1/fields/${field.body.id}/soil`, f.tokens.tom);
    expect(soil.body).toMatchObject({ soil: { texture: 'silty_clay', thetaFcPct: 36, thetaWpPct: 23, rawLinePct: 33.4 }, salinity: { maxPermil: 2, maxDsPerM: 3.125 }, awdThresholdCm: -15 });

    const patched = await f.request<object>('PATCH', `/api/v1/fields/${field.body.id}`, f.tokens.tom, { crop: 'maize', outline: null, location: null });
    expect(patched.body).toMatchObject({ crop: 'maize', outline: null, lat: null, lon: null, location: null, plantingDate: '2026-11-01' });
    expect((await f.request('DELETE', `/api/v1/farms/${farm.body.id}`, f.tokens.tom)).status).toBe(409); // still has a field
    await f.registry.provisionDevice({ id: 'dev-new', fieldId: field.body.id, kind: 'awd_tube', name: 'tube' });
    expect((await f.registry.deviceContext('dev-new'))?.farmId).toBe(farm.body.id);
    expect((await f.request('PATCH', `/api/v1/fields/${field.body.id}`, f.tokens.tom, { farmId: f.ids.farmA2 })).status).toBe(200);
    expect((await f.registry.deviceContext('dev-new'))?.farmId).toBe(f.ids.farmA2); // its next readings belong to the new farm
    expect((await f.request('PATCH', `/api/v1/fields/${field.body.id}`, f.tokens.tom, { farmId: farm.body.id })).status).toBe(200);
    expect((await f.request('DELETE', `/api/v1/fields/${field.body.id}`, f.tokens.tom)).status).toBe(409); // still has a device
    await f.registry.sql.run('DELETE FROM devices WHERE id = ?', ['dev-new']);
    expect((await f.request('DELETE', `/api/v1/fields/${field.body.id}`, f.tokens.tom)).status).toBe(204);
    expect((await f.request('GET', `/api/v1/fields/${field.body.id}`, f.tokens.tom)).status).toBe(404);
    expect((await f.request('DELETE', `/api/v1/farms/${farm.body.id}`, f.tokens.alice)).status).toBe(204);
    expect((await f.request<{ farms: { name: string }[] }>('GET', '/api/v1/farms', f.tokens.alice)).body.farms.map((x) => x.name)).toEqual(['A1', 'A2']);
  });
});
