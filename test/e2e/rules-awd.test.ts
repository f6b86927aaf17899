// Scenario on the real pipeline: rice AWD from field tubes (docs/agronomy.md §3). The demo's Ruộng 1 (2 ha, a
// 120 m³/h pump, transplanted 35 days ago: AWD phase) dries to −16 cm → one "irrigate" alert: flood to +5 cm,
// 50 mm + 16 cm · 0.25 = 90 mm, 1800 m³, 900 pump minutes. A field transplanted 120 days ago is flowering
// (150-day season − 30 days of ripening): no AWD irrigate alert while its tube falls the same way — the
// hold keeps ≈ 5 cm, and the fall is a "keep flooded" top-up instead.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;
const DAY = 86_400_000;
const isoDate = (ms: number) => new Date(ms + 7 * 3_600_000).toISOString().slice(0, 10);

/** Drying 0.5 cm every 3 h (4 cm a day, slower than the fast-drop rule's 5 cm in 2 h) down to −16 cm, then an hour at −16 cm. */
const falling = (from: number, start: number) => {
  const levels = Array.from({ length: (from + 16) * 2 + 1 }, (_, i) => from - i / 2);
  const drying = times(start, levels.length, 3 * 3_600_000).map((ts, i) => ({ ts, readings: { awd_level: levels[i]! } }));
  const last = drying.at(-1)!.ts;
  return [...drying, ...times(last + 20 * MIN, 3, 20 * MIN).map((ts) => ({ ts, readings: { awd_level: -16 } }))];
};

describe('rice AWD', () => {
  let rp: RulesPlatform;
  const start = Math.floor((Date.now() - 6 * DAY) / MIN) * MIN;
  const dried = start + 38 * 3 * 3_600_000 + 60 * MIN;

  beforeAll(async () => {
    rp = await startRulesPlatform(start);
    const planted = isoDate(Date.now() - 120 * DAY);
    await rp.p.registry.createField({ id: 'field-rice-flowering', farmId: 'farm-mekong', name: 'Ruộng 3', crop: 'rice', plantingDate: planted, soilTexture: 'clay', areaHa: 1, pumpFlowM3h: 100 });
    await rp.addDevice({ id: 'awd-rice-3', fieldId: 'field-rice-flowering', kind: 'awd_tube', name: 'Ống AWD ruộng 3' });
  });
  afterAll(async () => { await rp?.close(); });

  it('a tube falling below −15 cm in the AWD phase: one irrigate alert with the depth to pump', async () => {
    rp.clock.t = dried;
    await rp.publish('awd-rice-1', falling(3, start));
    const alerts = await rp.alerts('?fieldId=field-rice-1');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      kind: 'awd_irrigate', severity: 'warning', status: 'open', deviceId: 'awd-rice-1',
      values: { levelCm: -16, thresholdCm: -15, depthMm: 90, volumeM3: 1800, pumpMinutes: 900, phase: 'awd' },
    });
    expect(alerts[0]?.text.vi).toBe('Ruộng 1 (lúa): mực nước −16 cm dưới ngưỡng −15 cm — bơm nước vào ruộng, khoảng 90 mm (1.800 m³, 15 giờ máy bơm), đến +5 cm');
  });

  it('the farmer floods the field: the alert resolves once the water stays up for clearFor (1 h)', async () => {
    const after = dried + 10 * MIN;
    await rp.publish('awd-rice-1', times(after, 9, 10 * MIN).map((ts, i) => ({ ts, readings: { awd_level: i === 0 ? -8 : 5 } })));
    expect(await rp.alerts('?fieldId=field-rice-1')).toMatchObject([{ status: 'resolved', resolvedBy: 'auto' }]);
  });

  it('in the flowering hold: no AWD irrigate alert — the same fall is a "keep flooded" top-up', async () => {
    await rp.publish('awd-rice-3', falling(5, start));
    const alerts = await rp.alerts('?fieldId=field-rice-flowering');
    expect(alerts.filter((a) => a.kind === 'awd_irrigate')).toEqual([]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'awd_keep_flooded', severity: 'critical', values: { phase: 'flowering_hold', floweringDay: 120 } });
    expect(alerts[0]?.text.en).toContain('flowering (±7 days), no drying — keep about 5 cm of standing water');
  });
});
