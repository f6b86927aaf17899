// Scenario on the real pipeline with fake time: a soil probe goes silent → after 6 × its 10-minute interval,
// one offline alert however many minute checks run; it reports again (over MQTT) → resolved. The minute
// check is the scheduled task itself, triggered by the test at chosen clock times.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRulesPlatform, type RulesPlatform } from '../helpers/rules-platform.js';

const MIN = 60_000;

describe('a device goes silent', () => {
  let rp: RulesPlatform;
  const t0 = Math.floor((Date.now() - 6 * 3_600_000) / MIN) * MIN;

  beforeAll(async () => { rp = await startRulesPlatform(t0); });
  afterAll(async () => { await rp?.close(); });

  const offline = async (deviceId: string) => (await rp.alerts()).filter((a) => a.kind === 'device_offline' && a.deviceId === deviceId);
  const minutes = async (from: number, to: number) => {
    for (let m = from; m <= to; m++) {
      rp.clock.t = t0 + m * MIN;
      await rp.p.rules.checkMinute();
    }
  };

  it('stays quiet within 6 reporting intervals, then opens exactly one offline alert', async () => {
    rp.clock.t = t0 + MIN;
    await rp.publish('soil-coffee-b', [{ ts: t0, readings: { 'soil_moisture@20cm': 31, 'soil_moisture@50cm': 33, battery: 80 } }]);
    await minutes(2, 61);
    expect(await offline('soil-coffee-b')).toEqual([]);
    await minutes(62, 90);
    const alerts = await offline('soil-coffee-b');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'open', severity: 'warning', fieldId: 'field-coffee-b', values: { expectedIntervalMs: 600_000, factor: 6 } });
    expect(alerts[0]?.text.vi).toBe('Đầu dò đất lô B: mất tín hiệu — không nhận được dữ liệu 1 giờ 1 phút (thiết bị gửi mỗi 10 phút); kiểm tra pin, ăng-ten và sóng');
  });

  it('comes back: the alert resolves, and further checks open nothing new', async () => {
    rp.clock.t = t0 + 95 * MIN;
    await rp.publish('soil-coffee-b', [{ ts: t0 + 94 * MIN, readings: { 'soil_moisture@20cm': 31, battery: 80 } }]);
    await minutes(96, 120);
    const alerts = await offline('soil-coffee-b');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ status: 'resolved', resolvedBy: 'auto', resolveReason: 'the device reports again' });
  });

  it('every demo device that never spoke has one offline alert, not one per check', async () => {
    const all = (await rp.alerts()).filter((a) => a.kind === 'device_offline' && a.status === 'open');
    expect(all.map((a) => a.deviceId).sort()).toEqual(['awd-rice-1', 'awd-rice-2', 'canal-mekong', 'soil-coffee-a', 'wx-highlands', 'wx-mekong']);
  });
});
