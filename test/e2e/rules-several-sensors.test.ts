// Scenario replays on the real pipeline, issue 15 B: several sensors of one kind in a field.
// - Two canal sensors on the Mekong farm: the one at 5.0 dS/m (7.8 ‰ TDS basis) opens the salinity alert within
//   the rule's 15 min although the other reads 0.2 dS/m in between (it used to reset the timer: no alert); the
//   alert names the sensor that decided and both sensors' readings. With the field's intake marked, only the
//   intake sensor decides.
// - Two AWD tubes in Ruộng 1: tube 2 at −19 cm while tube 1 reads −5 cm → the field's level is their mean
//   (−12 cm, no "irrigate"), and tube 2, 14 cm off the other, opens its own alert within 30 min.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuleStore } from '../../core/alerts/rule-store.js';
import { startRulesPlatform, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;

describe('several sensors of one kind in a field', () => {
  let rp: RulesPlatform;
  const start = Math.floor((Date.now() - 86_400_000) / MIN) * MIN;

  beforeAll(async () => {
    rp = await startRulesPlatform(start);
    await rp.addDevice({ id: 'canal-mekong-2', fieldId: 'field-rice-2', kind: 'canal_sensor', name: 'Cảm biến kênh 2' });
    await rp.addDevice({ id: 'awd-rice-1b', fieldId: 'field-rice-1', kind: 'awd_tube', name: 'Ống AWD ruộng 1 (góc 2)' });
  });
  afterAll(async () => { await rp?.close(); });

  /** Interleaved reports, as the devices send them: `a` at each 10-min mark, `b` 5 min later. */
  const interleave = async (from: number, steps: number, a: [string, Record<string, number>], b: [string, Record<string, number>]) => {
    for (let k = 0; k < steps; k++) {
      const t = from + k * 10 * MIN;
      rp.clock.t = t + 6 * MIN;
      await rp.publish(a[0], [{ ts: t, readings: a[1] }]);
      await rp.publish(b[0], [{ ts: t + 5 * MIN, readings: b[1] }]);
    }
  };

  it('two canal sensors, 5.0 and 0.2 dS/m: the salinity alert opens within 15 min for both rice fields, the worst deciding', async () => {
    await interleave(start, 3, ['canal-mekong', { water_ec: 5, water_level: 120 }], ['canal-mekong-2', { water_ec: 0.2, water_level: 120 }]);
    const salinity = (await rp.alerts('?status=open')).filter((a) => a.kind === 'canal_salinity');
    expect(salinity.map((a) => a.fieldId).sort()).toEqual(['field-rice-1', 'field-rice-2']);
    for (const a of salinity) {
      expect(a).toMatchObject({
        deviceId: 'canal-mekong', values: { ecDsPerM: 5, combinePolicy: 'worst', decidingDeviceId: 'canal-mekong', 'sensor:canal-mekong': 5, 'sensor:canal-mekong-2': 0.2 },
      });
      // opened 15 min after the first 5.0 dS/m reading (the 0.2 dS/m between did not reset the timer)
      expect(a.values.since).toBe(start);
    }
  });

  it('the field\'s intake marked: only the intake sensor decides for that field', async () => {
    await createRuleStore(rp.p.registry.sql).putRule('coop-demo', 'coop-demo:canal_salinity.field-rice-2', {
      version: 1, id: 'coop-demo:canal_salinity.field-rice-2', key: 'canal_salinity', kind: 'canal_salinity', scope: { fieldId: 'field-rice-2' },
      for: '15m', clearFor: '1h', intakeDeviceId: 'canal-mekong-2',
    }, rp.clock.t);
    await rp.p.rules.checkMinute(); // reloads the rules
    const from = start + 4 * 60 * MIN;
    await interleave(from, 3, ['canal-mekong', { water_ec: 0.3, water_level: 120 }], ['canal-mekong-2', { water_ec: 6, water_level: 120 }]);
    const open = (await rp.alerts('?status=open')).filter((a) => a.kind === 'canal_salinity' && a.ruleId === 'coop-demo:canal_salinity.field-rice-2');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ fieldId: 'field-rice-2', deviceId: 'canal-mekong-2', values: { combinePolicy: 'intake', ecDsPerM: 6 } });
  });

  it('two AWD tubes at −5 and −19 cm: the field follows their mean (no irrigate at −12 cm); the far tube opens its own alert within 30 min', async () => {
    const from = start + 8 * 60 * MIN;
    await interleave(from, 5, ['awd-rice-1', { awd_level: -5 }], ['awd-rice-1b', { awd_level: -19 }]);
    const alerts = await rp.alerts('?fieldId=field-rice-1');
    expect(alerts.filter((a) => a.kind === 'awd_irrigate')).toEqual([]);
    const outlier = alerts.filter((a) => a.kind === 'awd_tube_outlier');
    expect(outlier).toHaveLength(1);
    expect(outlier[0]).toMatchObject({ status: 'open', deviceId: 'awd-rice-1b', values: { levelCm: -19, othersMeanCm: -5, differenceCm: 14 } });
    expect(outlier[0]?.text.vi).toBe('Ống AWD ruộng 1 (góc 2): mực nước −19 cm, lệch 14 cm so với các ống khác trong ruộng (−5 cm) — kiểm tra ống (tắc, lệch chỗ) hoặc chỗ ruộng trũng, cao');
    const res = await fetch(`${rp.baseUrl}/api/v1/fields/field-rice-1/advice`, { headers: { authorization: `Bearer ${await rp.token()}` } });
    const advice = (await res.json()) as { status: string; numbers: Record<string, number | null> };
    expect(advice.numbers).toMatchObject({ levelCm: -12, awdMeanCm: -12, awdTubes: 2, 'sensor:awd-rice-1b': -19, 'sensor:awd-rice-1': -5 });
  });

  it('both tubes below −15 cm: the mean is too, and the irrigate alert opens within the rule\'s 30 min', async () => {
    const from = start + 12 * 60 * MIN;
    await interleave(from, 5, ['awd-rice-1', { awd_level: -16 }], ['awd-rice-1b', { awd_level: -19 }]);
    const irrigate = (await rp.alerts('?fieldId=field-rice-1')).filter((a) => a.kind === 'awd_irrigate');
    expect(irrigate).toHaveLength(1);
    expect(irrigate[0]).toMatchObject({ status: 'open', values: { levelCm: -17.5, combinePolicy: 'mean', awdTubes: 2 } });
  });
});
