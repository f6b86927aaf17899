// The alert rules API (issue 16) as a technician's page uses it: the rules that apply to a field (defaults per
// crop and device kind, overrides marked as the one in force), an override PUT and DELETE, the schema's own
// messages in a 400, the registry's scope (another cooperative's rule or field is a 404, a farmer sees only
// their farms' overrides) — and the running rules engine opening an alert at the overridden threshold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuleOut } from '../../api/routes/rules.js';
import { ruleCatalog } from '../../cli/rule-catalog.js';
import { startApiFixture, type ApiFixture } from '../helpers/api-fixture.js';
import { startRulesPlatform, type RulesPlatform } from '../helpers/rules-platform.js';

interface Rules { rules: RuleOut[] }
interface Issues { error: { code: string; message: string; details?: { issues: { field: string; message: string }[] } } }

describe('alert rules API', () => {
  let f: ApiFixture;
  const get = (token: string, query = '') => f.request<Rules>('GET', `/api/v1/rules${query}`, token);
  beforeAll(async () => { f = await startApiFixture({ rules: ruleCatalog }); });
  afterAll(async () => { await f?.close(); });

  const awdOverride = (fieldId: string, thresholdCm = -10) => ({ version: 1, key: 'awd', kind: 'awd', scope: { fieldId }, thresholdCm, for: '30m' });

  it('lists the defaults that apply to a field, then an override in force instead of its crop\'s default', async () => {
    const { coopA, fieldA1, fieldA2 } = f.ids;
    const before = (await get(f.tokens.tom, `?fieldId=${fieldA1}`)).body.rules;
    const awd = before.filter((r) => r.key === 'awd');
    expect(awd).toEqual([expect.objectContaining({ id: `${coopA}:awd.rice`, origin: 'default', scope: { crop: 'rice' }, effective: true })]);
    expect(before.map((r) => r.key)).toEqual(expect.arrayContaining(['offline', 'battery_low', 'rice_heat']));
    expect(before.map((r) => r.key)).not.toContain('coffee_frost'); // a rice field

    const id = `${coopA}:awd.${fieldA1}`;
    const put = await f.request<RuleOut>('PUT', `/api/v1/rules/${id}`, f.tokens.tom, awdOverride(fieldA1));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, key: 'awd', origin: 'override', scope: { fieldId: fieldA1 }, definition: { thresholdCm: -10 } });

    const after = (await get(f.tokens.tom, `?fieldId=${fieldA1}`)).body.rules.filter((r) => r.key === 'awd');
    expect(after.map((r) => [r.id, r.effective])).toEqual(expect.arrayContaining([[`${coopA}:awd.rice`, false], [id, true]]));
    expect((await get(f.tokens.tom, `?fieldId=${fieldA2}`)).body.rules.map((r) => r.id)).not.toContain(id);

    // replacing keeps one override; removing it brings the default back
    expect((await f.request<RuleOut>('PUT', `/api/v1/rules/${id}`, f.tokens.alice, awdOverride(fieldA1, -12))).body.definition).toMatchObject({ thresholdCm: -12 });
    expect((await f.request('DELETE', `/api/v1/rules/${id}`, f.tokens.tom)).status).toBe(204);
    expect((await get(f.tokens.tom, `?fieldId=${fieldA1}`)).body.rules.filter((r) => r.key === 'awd').map((r) => [r.id, r.effective])).toEqual([[`${coopA}:awd.rice`, true]]);
    expect((await f.request('DELETE', `/api/v1/rules/${id}`, f.tokens.tom)).status).toBe(404);
  });

  it('answers a bad override with the rule schema\'s messages, one per field, in a 400 a page can show', async () => {
    const id = `${f.ids.coopA}:awd.bad`;
    const res = await f.request<Issues>('PUT', `/api/v1/rules/${id}`, f.tokens.tom, { ...awdOverride(f.ids.fieldA1), thresholdCm: 5, for: 'soon' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('BAD_REQUEST');
    const issues = res.body.error.details?.issues ?? [];
    expect(issues).toEqual(expect.arrayContaining([
      { field: 'thresholdCm', message: expect.stringMatching(/0/) as unknown },
      { field: 'for', message: 'must be a duration like 30s, 15m, 6h, 2d or milliseconds' },
    ]));
    expect(res.body.error.message).toMatch(/^invalid body: .*thresholdCm: .*/);
    expect(res.body.error.message).toContain('for: must be a duration like 30s');
    const noTarget = await f.request<Issues>('PUT', `/api/v1/rules/${id}`, f.tokens.tom, { ...awdOverride(f.ids.fieldA1), scope: { crop: 'rice' } });
    expect(noTarget.status).toBe(400);
    expect(noTarget.body.error.details?.issues).toEqual([{ field: 'scope', message: 'name exactly one of farmId, fieldId, deviceId' }]);
    expect((await f.request('GET', `/api/v1/rules/${id}`, f.tokens.tom)).status).toBe(404); // nothing stored
  });

  it('documents the override body with the engine\'s own schema in OpenAPI (every rule kind)', async () => {
    type Doc = { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { oneOf?: { properties: { kind: { const: string } } }[] } }> } }>> };
    const doc = (await f.request<Doc>('GET', '/openapi.json', undefined)).body;
    const body = doc.paths['/api/v1/rules/{id}']?.put?.requestBody?.content['application/json']?.schema;
    expect(body?.oneOf?.map((k) => k.properties.kind.const).sort()).toEqual([
      'awd', 'battery_low', 'canal_salinity', 'coffee_frost', 'cold_spell', 'flatline', 'missing_data', 'rate_of_change', 'rice_heat', 'soil_water', 'threshold',
    ]);
    expect(doc.paths['/api/v1/rules']?.get).toBeDefined();
    expect(doc.paths['/api/v1/rules/{id}']?.delete).toBeDefined();
  });

  it('keeps defaults (switched off by an override, never replaced or deleted) and one override per key and target', async () => {
    const { coopA, fieldA1 } = f.ids;
    expect((await f.request('PUT', `/api/v1/rules/${coopA}:awd.rice`, f.tokens.tom, awdOverride(fieldA1))).status).toBe(409);
    expect((await f.request('DELETE', `/api/v1/rules/${coopA}:awd.rice`, f.tokens.tom)).status).toBe(409);
    const off = await f.request<RuleOut>('PUT', `/api/v1/rules/${coopA}:awd.off`, f.tokens.tom, { ...awdOverride(fieldA1), enabled: false });
    expect(off.status).toBe(200);
    expect((await get(f.tokens.tom, `?fieldId=${fieldA1}`)).body.rules.find((r) => r.id === `${coopA}:awd.off`)).toMatchObject({ enabled: false, effective: true });
    const twin = await f.request<Issues>('PUT', `/api/v1/rules/${coopA}:awd.twin`, f.tokens.tom, awdOverride(fieldA1));
    expect(twin.status).toBe(409);
    expect(twin.body.error.message).toContain(`${coopA}:awd.off`);
    expect((await f.request('DELETE', `/api/v1/rules/${coopA}:awd.off`, f.tokens.tom)).status).toBe(204);
  });

  it('scopes rules like the registry: another cooperative gets 404s, a farmer sees only their farms\' overrides', async () => {
    const { coopA, coopB, fieldA1, fieldA2, farmA2 } = f.ids;
    const onA2 = `${coopA}:awd.a2`;
    expect((await f.request('PUT', `/api/v1/rules/${onA2}`, f.tokens.alice, { version: 1, key: 'soil_water', kind: 'soil_water', scope: { fieldId: fieldA2 }, applicationEfficiency: 0.8 })).status).toBe(200);
    // another cooperative: A's rule, A's field, A's id prefix are not found; its own list has its own ids only
    expect((await f.request('GET', `/api/v1/rules/${onA2}`, f.tokens.bob)).status).toBe(404);
    expect((await f.request('DELETE', `/api/v1/rules/${onA2}`, f.tokens.bob)).status).toBe(404);
    expect((await f.request('PUT', `/api/v1/rules/${onA2}`, f.tokens.bob, awdOverride(f.ids.fieldB))).status).toBe(404);
    expect((await f.request('PUT', `/api/v1/rules/${coopB}:awd.x`, f.tokens.bob, awdOverride(fieldA1))).status).toBe(404);
    expect((await get(f.tokens.bob, `?fieldId=${fieldA1}`)).status).toBe(404);
    expect((await get(f.tokens.bob)).body.rules.every((r) => r.id.startsWith(`${coopB}:`))).toBe(true);
    // the farmer (farm A1 only): defaults yes, farm A2's override no
    const farmer = (await get(f.tokens.fred)).body.rules.map((r) => r.id);
    expect(farmer).toContain(`${coopA}:awd.rice`);
    expect(farmer).not.toContain(onA2);
    expect((await f.request('GET', `/api/v1/rules/${onA2}`, f.tokens.fred)).status).toBe(404);
    expect((await get(f.tokens.fred, `?farmId=${farmA2}`)).status).toBe(404);
    expect((await get(f.tokens.alice, `?farmId=${farmA2}`)).body.rules.find((r) => r.id === onA2)?.effective).toBe(true);
    // writes: admins and technicians only
    expect((await f.request('PUT', `/api/v1/rules/${coopA}:awd.f`, f.tokens.fred, awdOverride(fieldA1))).status).toBe(403);
    expect((await f.request('DELETE', `/api/v1/rules/${onA2}`, f.tokens.vera)).status).toBe(403);
  });
});

describe('the running rules engine picks up a changed override', () => {
  let rp: RulesPlatform;
  beforeAll(async () => { rp = await startRulesPlatform(); });
  afterAll(async () => { await rp?.close(); });

  it('opens an alert at the overridden threshold on the next reading, without a restart or a minute tick', async () => {
    const battery = async () => (await rp.alerts('?status=open')).filter((a) => a.kind === 'battery_low' && a.deviceId === 'awd-rice-1');
    await rp.publish('awd-rice-1', [{ ts: rp.clock.t, readings: { battery: 40 } }]);
    expect(await battery()).toEqual([]); // the default warns below 20 %

    const put = await fetch(`${rp.baseUrl}/api/v1/rules/coop-demo:battery_low.awd-rice-1`, {
      method: 'PUT', headers: { authorization: `Bearer ${await rp.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ version: 1, key: 'battery_low', kind: 'battery_low', scope: { deviceId: 'awd-rice-1' }, below: 50, hysteresis: 5 }),
    });
    expect(put.status).toBe(200);
    rp.clock.t += 60_000;
    await rp.publish('awd-rice-1', [{ ts: rp.clock.t, readings: { battery: 40 } }]);
    const opened = await battery();
    expect(opened).toHaveLength(1);
    expect(opened[0]?.ruleId).toBe('coop-demo:battery_low.awd-rice-1');
  });
});
