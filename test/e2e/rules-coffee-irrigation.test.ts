// Scenario on the real pipeline (MQTT over TCP → Aedes → ingest → SQLite → rules → alerts → HTTP API):
// the demo's coffee field A (clay, 1.2 ha, an 18 m³/h pump; probes at 20 and 50 cm) dries for 36 hours
// across RAW → exactly one "irrigate" alert with the right depth; then the farm station's rain covers the
// deficit → the alert resolves and today's advice says postpone. Device time: the last three days.
// Numbers (docs/agronomy.md §2): θFC 0.36, θWP 0.22, Zr 0.9 m, p 0.40 → TAW 126 mm, RAW 50.4 mm; final
// θ20 25 %, θ50 29 % → Dr = 0.11·350 + 0.07·550 = 77 mm; coffee's application efficiency 0.75 → 102.7 mm,
// 1232 m³, 4107 pump minutes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertChangeEvent } from '../../core/alerts/alert-types.js';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;

describe('a drying coffee field, then rain', () => {
  let rp: RulesPlatform;
  const opened: AlertChangeEvent[] = [];
  const start = Math.floor((Date.now() - 3 * 86_400_000) / MIN) * MIN;
  const end = start + 36 * 3_600_000;

  beforeAll(async () => {
    rp = await startRulesPlatform(start);
    rp.p.alerts.events.on('opened', (e) => opened.push(e));
  });
  afterAll(async () => { await rp?.close(); });

  const advice = async () => {
    const res = await fetch(`${rp.baseUrl}/api/v1/fields/field-coffee-a/advice`, { headers: { authorization: `Bearer ${await rp.token()}` } });
    expect(res.status).toBe(200);
    return (await res.json()) as { status: string; date: string; method: string; text: { vi: string; en: string }; numbers: Record<string, number | null> };
  };

  it('crosses RAW once: exactly one irrigate alert, with mm, m³ and pump minutes for the field', async () => {
    const entries = times(start, 73, 30 * MIN).map((ts, i) => ({
      ts, readings: { 'soil_moisture@20cm': Number((36 - (11 * i) / 72).toFixed(3)), 'soil_moisture@50cm': Number((36 - (7 * i) / 72).toFixed(3)), battery: 90 },
    }));
    rp.clock.t = end + 5 * MIN;
    await rp.publish('soil-coffee-a', entries.slice(0, 40));
    expect(await rp.alerts('?fieldId=field-coffee-a')).toEqual([]);
    await rp.publish('soil-coffee-a', entries.slice(40));

    const alerts = await rp.alerts('?fieldId=field-coffee-a');
    expect(alerts).toHaveLength(1);
    const [alert] = alerts;
    expect(alert).toMatchObject({ kind: 'irrigate', severity: 'warning', status: 'open', fieldId: 'field-coffee-a', farmId: 'farm-highlands' });
    expect(alert?.values.depletionMm).toBeCloseTo(77, 2);
    expect(alert?.values.rawMm).toBeCloseTo(50.4, 6);
    expect(alert?.values.grossMm).toBeCloseTo(102.67, 1);
    expect(alert?.values.volumeM3).toBeCloseTo(1232, 0);
    expect(alert?.values.pumpMinutes).toBeCloseTo(4106.7, 0);
    expect(alert?.text.vi).toBe('Lô cà phê A (cà phê): độ thiếu hụt nước vùng rễ 77 mm đã tới ngưỡng tưới (RAW) 50 mm — tưới hôm nay, khoảng 103 mm (1.232 m³, 68 giờ 27 phút máy bơm)');
    const events = opened.filter((e) => e.alert.kind === 'irrigate');
    expect(events).toHaveLength(1);
    // it opened 30 min (`for`) after crossing RAW: Dr = 77·49/72 = 52.4 mm; the open alert then follows the drying
    expect(events[0]?.alert.values.depletionMm).toBeCloseTo((77 * 49) / 72, 1);
    expect(await advice()).toMatchObject({ status: 'irrigate', method: 'soil-sensors' });
  });

  it('rain from the farm station covers the deficit: the alert resolves and the advice is postponed', async () => {
    const rain = times(end + 10 * MIN, 20, 10 * MIN).map((ts, k) => ({ ts, readings: { rain: k < 12 ? 8 : 0, air_temperature: 21.5, wind_speed: 1.2 } }));
    rp.clock.t = end + 4 * 3_600_000;
    await rp.publish('wx-highlands', rain);
    const [alert] = await rp.alerts('?fieldId=field-coffee-a');
    expect(alert).toMatchObject({ status: 'resolved', resolvedBy: 'auto', resolveReason: 'rain covered the deficit' });
    const a = await advice();
    expect(a).toMatchObject({ status: 'postpone', numbers: { rainMm: 96, rainCreditMm: 96 } });
    expect(a.text.vi).toBe('Lô cà phê A (cà phê): mưa 96 mm bù đủ độ thiếu hụt 77 mm — hoãn tưới, theo dõi độ ẩm đất');
    expect(opened.filter((e) => e.alert.kind === 'irrigate')).toHaveLength(1);
  });
});
