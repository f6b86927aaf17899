// POST/GET /api/v1/fields/:id/irrigations over real HTTP (issue 17): record depth and/or volume (converted with
// the field's area), list them, the day's irrigation in /daily, validation 400s that name the field, roles (viewers
// read only, farmers only on their own farm) and tenant isolation (another cooperative's field is a 404).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiFixture, type ApiFixture } from '../helpers/api-fixture.js';

interface Irrigation {
  id: string; fieldId: string; startAt: string; durationMin: number | null; depthMm: number; volumeM3: number | null;
  source: string; recordedBy: string; note: string | null; externalId: string | null;
}
interface Listed { fieldId: string; totalMm: number; irrigations: Irrigation[] }

describe('irrigation events API', () => {
  let f: ApiFixture;
  const HOUR = 3_600_000;

  beforeAll(async () => {
    f = await startApiFixture();
    const patched = await f.request('PATCH', `/api/v1/fields/${f.ids.fieldA1}`, f.tokens.alice, { areaHa: 2 });
    expect(patched.status).toBe(200);
  });
  afterAll(async () => { await f?.close(); });

  const path = (fieldId: string) => `/api/v1/fields/${fieldId}/irrigations`;

  it('records a depth in mm and gives the volume for the field\'s area (1 mm·ha = 10 m³)', async () => {
    const startAt = new Date(Date.now() - 3 * HOUR).toISOString();
    const res = await f.request<Irrigation>('POST', path(f.ids.fieldA1), f.tokens.fred, { startAt, durationMin: 120, depthMm: 25, source: 'farmer_report', note: 'bơm giếng' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ fieldId: f.ids.fieldA1, startAt, durationMin: 120, depthMm: 25, volumeM3: 500, source: 'farmer_report', note: 'bơm giếng' });
    expect(res.body.recordedBy).toMatch(/^usr-/);
  });

  it('records a volume in m³ as a depth; a volume that does not match the depth is a 400', async () => {
    const res = await f.request<Irrigation>('POST', path(f.ids.fieldA1), f.tokens.tom, { volumeM3: 300, source: 'flow_meter' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ depthMm: 15, volumeM3: 300, source: 'flow_meter' });
    const bad = await f.request('POST', path(f.ids.fieldA1), f.tokens.tom, { depthMm: 10, volumeM3: 900 });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('volumeM3');
  });

  it('the same externalId of the same source is recorded once', async () => {
    const body = { depthMm: 12, source: 'pump_telemetry', externalId: 'pump-7-run-42' };
    const first = await f.request<Irrigation>('POST', path(f.ids.fieldA1), f.tokens.alice, body);
    const again = await f.request<Irrigation>('POST', path(f.ids.fieldA1), f.tokens.alice, body);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.body.id);
  });

  it('lists the field\'s irrigations newest first with the total, to every role of the cooperative', async () => {
    for (const token of [f.tokens.alice, f.tokens.vera, f.tokens.fred]) {
      const res = await f.request<Listed>('GET', path(f.ids.fieldA1), token);
      expect(res.status).toBe(200);
      expect(res.body.irrigations.map((i) => i.depthMm)).toEqual([12, 15, 25]);
      expect(res.body.totalMm).toBe(52);
    }
    const from = new Date(Date.now() - HOUR).toISOString();
    const recent = await f.request<Listed>('GET', `${path(f.ids.fieldA1)}?from=${encodeURIComponent(from)}`, f.tokens.alice);
    expect(recent.body.irrigations.map((i) => i.depthMm)).toEqual([12, 15]);
  });

  it('the field\'s daily series carries the day\'s irrigation for the chart\'s bars', async () => {
    const res = await f.request<{ days: { date: string; irrigationMm: number }[] }>('GET', `/api/v1/fields/${f.ids.fieldA1}/daily?days=3`, f.tokens.vera);
    expect(res.status).toBe(200);
    expect(res.body.days.reduce((s, d) => s + d.irrigationMm, 0)).toBe(52);
    expect(res.body.days.at(-1)?.irrigationMm).toBeGreaterThan(0);
  });

  it('rejects bad input with a 400 naming the field', async () => {
    const cases: [unknown, string][] = [
      [{}, 'depthMm'],
      [{ depthMm: 0 }, 'depthMm'],
      [{ depthMm: 301 }, 'depthMm'],
      [{ depthMm: -5 }, 'depthMm'],
      [{ depthMm: 20, durationMin: 2000 }, 'durationMin'],
      [{ depthMm: 20, source: 'sms' }, 'source'],
      [{ depthMm: 20, source: 'rain' }, 'source'],
      [{ depthMm: 20, startAt: 'yesterday' }, 'startAt'],
      [{ depthMm: 20, startAt: Date.now() + 86_400_000 }, 'startAt'],
      [{ depthMm: 20, startAt: Date.now() - 90 * 86_400_000 }, 'startAt'],
      [{ depthMm: 20, fieldId: 'x' }, 'fieldId'],
      [{ depthMm: '20' }, 'depthMm'],
    ];
    for (const [body, field] of cases) {
      const res = await f.request('POST', path(f.ids.fieldA1), f.tokens.alice, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toContain(field);
    }
    const noArea = await f.request('POST', path(f.ids.fieldA2), f.tokens.alice, { volumeM3: 100 });
    expect(noArea.status).toBe(400);
    expect(noArea.body.error.message).toContain('area');
    expect((await f.request('GET', `${path(f.ids.fieldA1)}?limit=0`, f.tokens.alice)).status).toBe(400);
  });

  it('viewers may not record (403); a farmer only on their own farm (another farm\'s field is a 404)', async () => {
    const viewer = await f.request('POST', path(f.ids.fieldA1), f.tokens.vera, { depthMm: 10 });
    expect(viewer.status).toBe(403);
    const otherFarm = await f.request('POST', path(f.ids.fieldA2), f.tokens.fred, { depthMm: 10 });
    expect(otherFarm.status).toBe(404);
    expect((await f.request('GET', path(f.ids.fieldA2), f.tokens.fred)).status).toBe(404);
    const staff = await f.request('POST', path(f.ids.fieldA2), f.tokens.tom, { depthMm: 10 });
    expect(staff.status).toBe(201);
    expect((await f.request('POST', path(f.ids.fieldA1), undefined, { depthMm: 10 })).status).toBe(401);
  });

  it('another cooperative\'s field is a 404 for reading and writing, and its events never show', async () => {
    const b = await f.request<Irrigation>('POST', path(f.ids.fieldB), f.tokens.bob, { depthMm: 40 });
    expect(b.status).toBe(201);
    expect((await f.request('POST', path(f.ids.fieldB), f.tokens.alice, { depthMm: 10 })).status).toBe(404);
    expect((await f.request('GET', path(f.ids.fieldB), f.tokens.alice)).status).toBe(404);
    expect((await f.request('POST', path(f.ids.fieldA1), f.tokens.bob, { depthMm: 10 })).status).toBe(404);
    expect((await f.request('GET', path(f.ids.fieldA1), f.tokens.bob)).status).toBe(404);
    const mine = await f.request<Listed>('GET', path(f.ids.fieldB), f.tokens.bob);
    expect(mine.body.irrigations.map((i) => i.depthMm)).toEqual([40]);
  });

  it('is documented in /openapi.json with its roles', async () => {
    const res = await f.request<{ paths: Record<string, Record<string, { description?: string; requestBody?: unknown }>> }>('GET', '/openapi.json', undefined);
    const op = res.body.paths['/api/v1/fields/{id}/irrigations'];
    expect(op?.post?.description).toBe('Roles: admin, technician, farmer.');
    expect(op?.post?.requestBody).toBeDefined();
    expect(op?.get).toBeDefined();
  });
});
