// Scenario on the real pipeline: a reading hovering around a threshold all day must give one alert, not
// dozens (the most reported alarm bug in ThingsBoard). A cooperative adds its own rule as data — the canal
// must stay above the pump's intake (80 cm) — and the tidal canal's level sits at slack water around it for
// 24 hours, every 5 minutes, with noise and single spikes well above the 5 cm hysteresis band.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuleStore } from '../../core/alerts/rule-store.js';
import { startRulesPlatform, times, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;

describe('a reading flapping around a threshold all day', () => {
  let rp: RulesPlatform;
  const start = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;

  beforeAll(async () => {
    rp = await startRulesPlatform(start);
    await createRuleStore(rp.p.registry.sql).putRule('coop-demo', 'coop-demo:pump-intake', {
      version: 1, id: 'coop-demo:pump-intake', kind: 'threshold', alertKind: 'canal_low', scope: { deviceId: 'canal-mekong' },
      metric: 'water_level', below: 80, hysteresis: 5, clearFor: '30m', cooldown: '2h',
      note: { vi: 'mực nước dưới miệng hút máy bơm', en: 'below the pump intake' },
    });
    await rp.p.rules.engine.coop('coop-demo', true); // rules are reloaded every minute; do it now
  });
  afterAll(async () => { await rp?.close(); });

  it('gives exactly one alert, still open, with the numbers of a reading below the limit', async () => {
    const levels = times(start, 288, 5 * MIN).map((ts, i) => ({ ts, readings: { water_level: i % 9 === 4 ? 86.5 : Number((81 + 3 * Math.sin(i * 2.1)).toFixed(1)) } }));
    expect(levels.filter((l) => l.readings.water_level < 80).length).toBeGreaterThan(80); // it really crosses, dozens of times
    const opened: string[] = [];
    rp.p.alerts.events.on('opened', (e) => opened.push(e.alert.ruleId));
    await rp.publish('canal-mekong', levels.slice(0, 144));
    await rp.publish('canal-mekong', levels.slice(144));
    const alerts = (await rp.alerts()).filter((a) => a.ruleId === 'coop-demo:pump-intake');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: 'canal_low', status: 'open', deviceId: 'canal-mekong', values: { threshold: 80 } });
    expect(alerts[0]?.values.reading as number).toBeLessThan(80);
    expect(alerts[0]?.text.vi).toMatch(/^Cảm biến kênh \(mực nước, độ mặn\): Mực nước kênh 7\d(,\d)? cm dưới ngưỡng 80 cm — mực nước dưới miệng hút máy bơm$/);
    expect(opened.filter((r) => r === 'coop-demo:pump-intake')).toHaveLength(1);
  });
});
