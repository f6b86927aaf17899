// Quiet hours hold a warning until the morning and let a critical alert through; a resolved alert
// withdraws what is still held; a flood becomes a digest. Fake time throughout.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { alertOn, createWorld, fakeNotifiers, rows, startService, vn, type World } from './fixtures.js';

describe('quiet hours (Anh Tư: 21:00–05:30, Asia/Ho_Chi_Minh)', () => {
  let world: World;
  beforeEach(async () => {
    vi.useFakeTimers({ now: vn('2026-03-10T22:00:00') });
    world = await createWorld();
  });
  afterEach(async () => {
    await world.registry.close();
    vi.useRealTimers();
  });

  it('holds a warning for his phone until 05:30, while machines (webhook, farm topic) get it at once', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const warning = alertOn({ severity: 'warning' });
    await service.handle({ event: 'opened', alert: warning });
    await vi.advanceTimersByTimeAsync(10);
    expect(n.sms.sent).toEqual([]);
    expect(n.zalo.sent).toEqual([]);
    expect(n.webhook.sent).toHaveLength(1);
    expect(n.mqtt.sent).toHaveLength(1);
    const held = (await rows(world, warning.id)).filter((r) => r.channel === 'sms' || r.channel === 'zalo');
    expect(held.map((r) => [r.status, r.holdReason, r.notBefore])).toEqual([
      ['pending', 'quiet_hours', vn('2026-03-11T05:30:00')], ['pending', 'quiet_hours', vn('2026-03-11T05:30:00')],
    ]);

    await vi.advanceTimersByTimeAsync(vn('2026-03-11T05:29:00') - Date.now());
    expect(n.sms.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(n.sms.keys()).toEqual([`${warning.id}:opened:${world.ids.tu}:sms`]);
    expect(n.zalo.sent).toHaveLength(1);
    await service.stop();
  });

  it('lets a critical alert through at once', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const critical = alertOn({ severity: 'critical' });
    await service.handle({ event: 'opened', alert: critical });
    await vi.advanceTimersByTimeAsync(10);
    await service.idle();
    expect(n.sms.sent.map((m) => m.key)).toContain(`${critical.id}:opened:${world.ids.tu}:sms`);
    expect(n.zalo.keys()).toEqual([`${critical.id}:opened:${world.ids.tu}:zalo`]);
    await service.stop();
  });

  it('withdraws a held warning when the alert resolves before morning, and says nothing about it', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const warning = alertOn({ severity: 'warning' });
    await service.handle({ event: 'opened', alert: warning });
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    await service.handle({ event: 'resolved', alert: { ...warning, status: 'resolved' } });
    await vi.advanceTimersByTimeAsync(vn('2026-03-11T07:00:00') - Date.now());
    expect(n.sms.sent).toEqual([]);
    expect(n.zalo.sent).toEqual([]);
    expect(n.webhook.keys()).toEqual([`${warning.id}:opened:${world.ids.erp}:webhook`, `${warning.id}:resolved:${world.ids.erp}:webhook`]);
    expect((await rows(world, warning.id)).filter((r) => r.recipient === world.ids.tu).map((r) => r.status)).toEqual(['superseded', 'superseded']);
    await service.stop();
  });
});

describe('rate limit with a digest', () => {
  let world: World;
  beforeEach(async () => {
    vi.useFakeTimers({ now: vn('2026-03-10T09:10:00') });
    world = await createWorld();
  });
  afterEach(async () => {
    await world.registry.close();
    vi.useRealTimers();
  });

  it('sends at most 3 warnings an hour per recipient and channel, then one digest "2 cảnh báo khác hôm nay"', async () => {
    const n = fakeNotifiers();
    const { service, metrics } = startService(world, n, { rateLimit: { max: 3, windowMs: 3_600_000 } });
    await service.start();
    const alerts = [1, 2, 3, 4, 5].map((i) => alertOn({ severity: 'warning', fieldId: i % 2 ? 'field-rice-1' : 'field-rice-2' }));
    for (const alert of alerts) {
      await service.handle({ event: 'opened', alert });
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(n.sms.sent).toHaveLength(3);
    const critical = alertOn({ severity: 'critical' });
    await service.handle({ event: 'opened', alert: critical }); // never suppressed
    await vi.advanceTimersByTimeAsync(10);
    expect(n.sms.sent).toHaveLength(5); // + Mary's critical, + Tư's critical
    expect(n.webhook.sent).toHaveLength(6); // machines are not rate-limited

    await vi.advanceTimersByTimeAsync(vn('2026-03-10T10:00:30') - Date.now());
    const digest = n.sms.sent.filter((m) => m.key.startsWith('digest:'));
    expect(digest).toHaveLength(1);
    expect(digest[0]!.channel === 'sms' && digest[0]!.text).toBe('Ruộng – 2 cảnh báo khác hôm nay: Độ mặn kênh cao (Ruộng 2); Độ mặn kênh cao (Ruộng 1)');
    expect(n.zalo.sent.filter((m) => m.key.startsWith('digest:'))).toHaveLength(1);
    expect((await rows(world, alerts[4]!.id)).find((r) => r.channel === 'sms')).toMatchObject({ status: 'suppressed', holdReason: 'rate_limit' });
    const suppressed = (await metrics.registry.getSingleMetricAsString('ruong_notifications_total')).split('\n').find((l) => l.includes('channel="sms"') && l.includes('outcome="suppressed"'));
    expect(suppressed).toMatch(/ 2$/);
    await service.stop();
  });
});
