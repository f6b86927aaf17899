// The alerts and advice API over real HTTP (the dashboard's contract): list with filters, one alert, ack
// with a comment, resolve; scoped to the caller's cooperative (404 for others), farmers see their own farms,
// viewers read but may not change (403); bad input is a 400 naming the field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRaise } from '../../core/alerts/alert-types.js';
import { login } from '../helpers/platform.js';
import { startRulesPlatform, type RulesPlatform } from '../helpers/rules-platform.js';

const PASSWORD = 'a-long-enough-password';

describe('alerts and advice API', () => {
  let rp: RulesPlatform;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const call = async (who: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${rp.baseUrl}/api/v1${path}`, {
      method, headers: { authorization: `Bearer ${tokens[who]}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> & { alerts?: { id: string }[] } };
  };

  const raise = async (over: Partial<AlertRaise>) => (await rp.p.alerts.raise({
    cooperativeId: 'coop-demo', farmId: 'farm-highlands', fieldId: 'field-coffee-a', deviceId: null, ruleId: 'coop-demo:soil_water.coffee',
    subject: 'field:field-coffee-a', kind: 'irrigate', severity: 'warning', text: { vi: 'tưới', en: 'irrigate' }, values: { depletionMm: 60 },
    escalateAfterMs: null, ...over,
  })).alert.id;

  beforeAll(async () => {
    rp = await startRulesPlatform();
    const reg = rp.p.registry;
    await reg.createCooperative({ id: 'coop-other', name: 'Other' });
    await reg.createFarm({ id: 'farm-other', cooperativeId: 'coop-other', name: 'Other farm' });
    await reg.createField({ id: 'field-other', farmId: 'farm-other', name: 'Other field', crop: 'rice' });
    await reg.createUser({ cooperativeId: 'coop-other', username: 'outsider', password: PASSWORD, role: 'admin' });
    await reg.createUser({ cooperativeId: 'coop-demo', username: 'farmer', password: PASSWORD, role: 'farmer', farmIds: ['farm-mekong'] });
    await reg.createUser({ cooperativeId: 'coop-demo', username: 'viewer', password: PASSWORD, role: 'viewer' });
    tokens.admin = await rp.token();
    for (const u of ['outsider', 'farmer', 'viewer']) tokens[u] = await login(rp.baseUrl, u, PASSWORD);
    ids.coffee = await raise({});
    ids.rice = await raise({ farmId: 'farm-mekong', fieldId: 'field-rice-1', ruleId: 'coop-demo:canal_salinity', subject: 'field:field-rice-1', kind: 'canal_salinity', severity: 'critical', deviceId: 'canal-mekong' });
    ids.other = (await rp.p.alerts.raise({
      cooperativeId: 'coop-other', farmId: 'farm-other', fieldId: 'field-other', deviceId: null, ruleId: 'coop-other:x', subject: 'field:field-other',
      kind: 'irrigate', severity: 'info', text: { vi: 'x', en: 'x' }, values: {}, escalateAfterMs: null,
    })).alert.id;
  });
  afterAll(async () => { await rp?.close(); });

  it('lists the cooperative\'s alerts in the contract\'s shape, with filters', async () => {
    const all = await call('admin', 'GET', '/alerts');
    expect(all.status).toBe(200);
    expect(all.body.alerts?.map((a) => a.id).sort()).toEqual([ids.coffee, ids.rice].sort());
    const rice = (await call('admin', 'GET', '/alerts?severity=critical&status=open&fieldId=field-rice-1&limit=5')).body.alerts ?? [];
    expect(rice).toHaveLength(1);
    expect(rice[0]).toMatchObject({
      id: ids.rice, ruleId: 'coop-demo:canal_salinity', kind: 'canal_salinity', severity: 'critical', status: 'open', fieldId: 'field-rice-1',
      farmId: 'farm-mekong', deviceId: 'canal-mekong', acknowledgedAt: null, resolvedAt: null, text: { vi: 'tưới', en: 'irrigate' }, values: { depletionMm: 60 },
    });
    expect(Date.parse((rice[0] as unknown as { openedAt: string }).openedAt)).toBeGreaterThan(0);
    expect((await call('admin', 'GET', '/alerts?status=resolved')).body.alerts).toEqual([]);
  });

  it('another cooperative\'s alert and field do not exist (404), and never show in lists', async () => {
    expect((await call('outsider', 'GET', `/alerts/${ids.coffee}`)).status).toBe(404);
    expect((await call('outsider', 'POST', `/alerts/${ids.coffee}/ack`)).status).toBe(404);
    expect((await call('outsider', 'POST', `/alerts/${ids.coffee}/resolve`)).status).toBe(404);
    expect((await call('outsider', 'GET', '/alerts?fieldId=field-coffee-a')).status).toBe(404);
    expect((await call('outsider', 'GET', '/fields/field-coffee-a/advice')).status).toBe(404);
    expect((await call('outsider', 'GET', '/alerts')).body.alerts?.map((a) => a.id)).toEqual([ids.other]);
    expect((await call('admin', 'GET', `/alerts/${ids.other}`)).status).toBe(404);
  });

  it('a farmer sees and acknowledges only their own farms\' alerts', async () => {
    expect((await call('farmer', 'GET', '/alerts')).body.alerts?.map((a) => a.id)).toEqual([ids.rice]);
    expect((await call('farmer', 'GET', `/alerts/${ids.coffee}`)).status).toBe(404);
    const ack = await call('farmer', 'POST', `/alerts/${ids.rice}/ack`, { comment: 'đã đóng cống' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ status: 'acknowledged', ackComment: 'đã đóng cống' });
  });

  it('a viewer reads but may not acknowledge or resolve (403)', async () => {
    expect((await call('viewer', 'GET', `/alerts/${ids.coffee}`)).status).toBe(200);
    expect((await call('viewer', 'POST', `/alerts/${ids.coffee}/ack`)).status).toBe(403);
    expect((await call('viewer', 'POST', `/alerts/${ids.coffee}/resolve`)).status).toBe(403);
  });

  it('ack → resolve by hand, each emitted once; acknowledging a resolved alert is a 409', async () => {
    const events: string[] = [];
    rp.p.alerts.subscribe((e) => events.push(`${e.event}:${e.alert.id}`));
    expect((await call('admin', 'POST', `/alerts/${ids.coffee}/ack`)).body).toMatchObject({ status: 'acknowledged', ackComment: null });
    expect((await call('admin', 'POST', `/alerts/${ids.coffee}/ack`)).status).toBe(200);
    const resolved = await call('admin', 'POST', `/alerts/${ids.coffee}/resolve`, { comment: 'đã tưới 100 mm' });
    expect(resolved.body).toMatchObject({ status: 'resolved', resolveReason: 'đã tưới 100 mm' });
    expect((await call('admin', 'POST', `/alerts/${ids.coffee}/resolve`)).status).toBe(200);
    expect((await call('admin', 'POST', `/alerts/${ids.coffee}/ack`)).status).toBe(409);
    expect(events).toEqual([`acknowledged:${ids.coffee}`, `resolved:${ids.coffee}`]);
  });

  it('bad input is a 400 that names the field', async () => {
    const q = await call('admin', 'GET', '/alerts?status=closed&limit=0');
    expect(q.status).toBe(400);
    expect(JSON.stringify(q.body)).toMatch(/status/);
    expect(JSON.stringify(q.body)).toMatch(/limit/);
    expect((await call('admin', 'GET', '/alerts?colour=red')).status).toBe(400);
    const b = await call('admin', 'POST', `/alerts/${ids.rice}/resolve`, { comment: 'x'.repeat(501) });
    expect(b.status).toBe(400);
    expect(JSON.stringify(b.body)).toMatch(/comment/);
  });

  it('documents the alert and advice endpoints in /openapi.json', async () => {
    const doc = (await (await fetch(`${rp.baseUrl}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/alerts'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/alerts/{id}/ack'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/api/v1/fields/{id}/advice'] ?? {})).toEqual(['get']);
  });

  it('advice: the start-up run has one for every field; without data it says so', async () => {
    const res = await call('admin', 'GET', '/fields/field-rice-2/advice');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ fieldId: 'field-rice-2', status: 'no_data', method: 'none', numbers: {}, et0: null });
    expect(res.body.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect((res.body.text as { vi: string }).vi).toContain('Ruộng 2 (lúa)');
  });
});
