// Scenario on the real pipeline: salinity intrusion in the Mekong demo farm's canal (docs/agronomy.md §4). The
// canal sensor's EC rises past the rice limit (2 ‰, TDS g/L basis: 3.125 dS/m) → "do not take canal water"
// for both rice fields the canal feeds, the ‰ basis stated; the tide pushes it back and forth around the
// limit → still one alert per field; it falls 0.2 ‰ under the limit and stays there for a whole tidal cycle
// (clearFor 13 h: an ebb under the limit is not the end of the intrusion) → resolved.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;
const ec = (permil: number) => Number(((permil * 1000) / 640).toFixed(3));

describe('canal salinity above the rice limit', () => {
  let rp: RulesPlatform;
  const start = Math.floor((Date.now() - 86_400_000) / MIN) * MIN;

  beforeAll(async () => { rp = await startRulesPlatform(start); });
  afterAll(async () => { await rp?.close(); });

  const publish = (from: number, permils: readonly number[]) =>
    rp.publish('canal-mekong', times(from, permils.length, 10 * MIN).map((ts, i) => ({ ts, readings: { water_ec: ec(permils[i]!), water_level: 120 } })));

  it('rising past 2 ‰ and flapping around it with the tide: one "do not take canal water" alert per rice field', async () => {
    await publish(start, [1.2, 1.5, 1.8, 2.1, 2.4, 2.6, 2.3, 2.05, 1.95, 2.1, 1.9, 2.2, 1.92, 2.05]);
    const alerts = await rp.alerts('?status=open');
    const salinity = alerts.filter((a) => a.kind === 'canal_salinity');
    expect(salinity.map((a) => a.fieldId).sort()).toEqual(['field-rice-1', 'field-rice-2']);
    for (const a of salinity) {
      expect(a).toMatchObject({ severity: 'critical', deviceId: 'canal-mekong', values: { basis: 'tds_g_per_l', limitPermil: 2, crop: 'rice' } });
      // the numbers of the last reading above the limit (2.05 ‰), never of one inside the hysteresis band
      expect(a.values.permil).toBeCloseTo(2.05, 2);
      expect(a.text.vi).toMatch(/^Ruộng [12] \(lúa\): không lấy nước kênh — độ mặn 2,05 ‰ \(theo TDS g\/L\) vượt ngưỡng 2 ‰ cho lúa từ \d\d:\d\d(, cao nhất hôm nay 2,\d+ ‰)?; lấy nước khi độ mặn xuống dưới ngưỡng( \(dự kiến ~\d\d:\d\d\))?$/);
    }
    expect(salinity.find((a) => a.fieldId === 'field-rice-1')?.text.en).toMatch(/^Ruộng 1 \(rice\): do not take canal water — salinity 2.05 ‰ \(TDS g\/L basis\) is above the 2 ‰ limit for rice since \d\d:\d\d(, today's high 2.\d+ ‰)?; take water once it is back under the limit/);
  });

  it('an ebb under the limit for a few hours does not resolve; a whole tide (13 h) under it resolves both', async () => {
    await publish(start + 14 * 10 * MIN, [1.85, 1.7, 1.6, 1.5, 1.5, 1.4, 1.4, 1.3]);
    expect((await rp.alerts('?status=open')).filter((a) => a.kind === 'canal_salinity')).toHaveLength(2);
    await publish(start + 22 * 10 * MIN, Array.from({ length: 78 }, () => 1.3));
    const salinity = (await rp.alerts()).filter((a) => a.kind === 'canal_salinity');
    expect(salinity).toHaveLength(2);
    expect(salinity.every((a) => a.status === 'resolved' && a.resolveReason === 'canal salinity back below the limit')).toBe(true);
    expect(await rp.alerts('?fieldId=field-coffee-a')).toEqual([]);
  });
});
