// One alert → exactly one message per subscribed recipient and channel, in the recipient's language.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { NotificationMessage } from '../../../core/alerts/notification-types.js';
import { alertOn, createWorld, fakeNotifiers, rows, startService, vn, type World } from './fixtures.js';

describe('fan-out of an alert to its recipients', () => {
  let world: World;
  beforeEach(async () => {
    vi.useFakeTimers({ now: vn('2026-03-10T10:00:00') });
    world = await createWorld();
  });
  afterEach(async () => {
    await world.registry.close();
    vi.useRealTimers();
  });

  it('sends a warning to the farm\'s farmer on SMS and Zalo, the webhook and the farm topic — once each', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const alert = alertOn({ severity: 'warning' });
    await service.handle({ event: 'opened', alert });
    await service.handle({ event: 'opened', alert }); // the same change twice (e.g. re-emitted) changes nothing
    await vi.advanceTimersByTimeAsync(10);
    await service.idle();
    const { tu, erp } = world.ids;
    expect(n.sms.keys()).toEqual([`${alert.id}:opened:${tu}:sms`]);
    expect(n.zalo.keys()).toEqual([`${alert.id}:opened:${tu}:zalo`]);
    expect(n.webhook.keys()).toEqual([`${alert.id}:opened:${erp}:webhook`]);
    expect(n.mqtt.keys()).toEqual([`${alert.id}:opened:farm:farm-mekong:mqtt`]);
    expect(n.email.sent).toEqual([]); // Mary and the technician take critical alerts only
    expect((await rows(world, alert.id)).map((r) => r.status)).toEqual(['sent', 'sent', 'sent', 'sent']);
    await service.stop();
  });

  it('sends a critical alert to every subscriber, each in their language, and Zalo only with consent', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const alert = alertOn({ severity: 'critical' });
    await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10);
    await service.idle();
    const { tu, mary, tech, erp, other } = world.ids;
    const to = (m: NotificationMessage) => m.key.split(':')[2];
    expect(n.sms.sent.map(to).sort()).toEqual([mary, tu].sort());
    expect(n.zalo.sent.map(to)).toEqual([tu]); // Mary has a Zalo number but never consented
    expect(n.email.sent.map(to).sort()).toEqual([mary, tech].sort());
    expect(n.webhook.sent.map(to)).toEqual([erp]);
    expect(n.mqtt.sent).toHaveLength(1);
    expect([...n.sms.sent, ...n.email.sent].map(to)).not.toContain(other);

    const smsTo = (id: string) => n.sms.sent.find((m) => to(m) === id)!;
    const mailTo = (id: string) => n.email.sent.find((m) => to(m) === id)!;
    expect(smsTo(tu)).toMatchObject({ channel: 'sms', to: '+84900000101', encoding: 'ucs2' });
    const textOf = (m: NotificationMessage) => ('text' in m ? m.text : '');
    // a kind without an SMS form sends the place and its own text, one segment for a critical alert (issue 15)
    expect(textOf(smsTo(tu))).toBe('Ruộng 1: độ mặn kênh 2,6 ‰ vượt ngưỡng 2 ‰ — không lấy nước kênh');
    expect(textOf(smsTo(mary))).toBe('Ruộng 1: canal salinity 2.6 ‰ above the 2 ‰ limit — do not take canal…');
    expect(mailTo(mary)).toMatchObject({ subject: '[Ruộng] CRITICAL: Canal salinity high, Ruộng 1' });
    expect(mailTo(tech)).toMatchObject({ subject: '[Ruộng] KHẨN: Độ mặn kênh cao, Ruộng 1' });
    for (const m of n.sms.sent) expect(m.channel === 'sms' && m.segments).toBeLessThanOrEqual(2);
    await service.stop();
  });

  it('does not notify a cooperative about another cooperative\'s alert', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    await service.handle({ event: 'opened', alert: alertOn({ severity: 'critical', fieldId: 'field-b', farmId: 'farm-b' }) });
    await vi.advanceTimersByTimeAsync(10);
    await service.idle();
    const recipients = (await rows(world)).map((r) => r.recipient);
    expect(recipients.sort()).toEqual(['farm:farm-b', world.ids.other, world.ids.other].sort());
    await service.stop();
  });

  it('sends an escalation to every technician of the cooperative, once per escalation level', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const alert = alertOn({ severity: 'warning', fieldId: 'field-coffee-a', farmId: 'farm-highlands' });
    await service.handle({ event: 'escalated', alert, seq: 1 });
    await service.handle({ event: 'escalated', alert, seq: 1 });
    await service.handle({ event: 'escalated', alert, seq: 2 });
    await vi.advanceTimersByTimeAsync(10);
    await service.idle();
    expect(n.email.keys()).toEqual([`${alert.id}:escalated#1:${world.ids.tech}:email`, `${alert.id}:escalated#2:${world.ids.tech}:email`]);
    const first = n.email.sent[0]!;
    expect(first.channel === 'email' && first.subject).toBe('[Ruộng] Chưa ai xử lý: Độ mặn kênh cao, Lô cà phê A');
    await service.stop();
  });

  it('puts the alert\'s numbers into the Zalo template data, without links or phone numbers', async () => {
    const n = fakeNotifiers();
    const { service } = startService(world, n);
    await service.start();
    const alert = alertOn({
      severity: 'critical', kind: 'some_new_kind',
      text: { vi: 'Ruộng 1 (lúa): gọi 0912 345 678 hoặc xem https://example.org/x ngay', en: 'call 0912 345 678' },
    });
    await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10);
    await service.idle();
    const zalo = n.zalo.sent[0]!;
    expect(zalo.channel).toBe('zalo');
    if (zalo.channel !== 'zalo') return;
    expect(zalo.templateData).toMatchObject({ field_name: 'Ruộng 1', alert_title: 'Cảnh báo khẩn', status: 'KHẨN', detail: 'gọi hoặc xem ngay' });
    for (const v of Object.values(zalo.templateData)) {
      expect(v).not.toMatch(/https?:|www\.|\d{8,}|\d{3,4} \d{3} \d{3}/);
      expect([...v].length).toBeLessThanOrEqual(100);
    }
    await service.stop();
  });
});
