// Peers down for a while, then back: every message is retried with (short, injected) backoff and
// delivered exactly once — counted at the real SMTP server and webhook receiver by idempotency key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationService, type NotificationService } from '../../core/alerts/notification-service.js';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createEmailNotifier } from '../../rules/notify/email.js';
import { createWebhookNotifier } from '../../rules/notify/webhook.js';
import { parseMail, startHttpPeer, startSmtpPeer, type HttpPeer, type SmtpPeer } from '../helpers/notify-peers.js';
import { alertOn, createWorld, type World } from '../helpers/notify-world.js';

async function waitFor(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('a peer down for a while and then back', () => {
  let world: World;
  let smtp: SmtpPeer;
  let webhook: HttpPeer;
  let service: NotificationService;
  const metrics = createMetrics();

  beforeAll(async () => {
    world = await createWorld();
    [smtp, webhook] = await Promise.all([startSmtpPeer(), startHttpPeer('/hook')]);
    await world.registry.updateContact('coop-a', world.ids.erp, { webhookUrl: webhook.url });
    service = createNotificationService({
      sql: world.registry.sql, directory: world.registry, log: silentLogger(), metrics,
      notifiers: [createEmailNotifier({ url: smtp.url, from: 'alerts@example.org', timeoutMs: 2_000 }), createWebhookNotifier({ masterSecret: 'outage-master-secret-123' })],
      backoff: { baseMs: 50, maxMs: 200 }, sendTimeoutMs: 2_000,
    });
  });

  afterAll(async () => {
    await service.stop();
    await Promise.all([smtp.close(), webhook.close()]);
    await world.registry.close();
  });

  it('delivers every message exactly once when the peers come back', async () => {
    await smtp.down();
    webhook.mode = 'fail'; // 503 while "down" (the webhook receiver's load balancer answers)
    await service.start();
    const alerts = [alertOn({ id: 'al-out-1', severity: 'critical' }), alertOn({ id: 'al-out-2', severity: 'critical', fieldId: 'field-rice-2' })];
    for (const alert of alerts) await service.handle({ event: 'opened', alert });
    const tried = async () => (await service.deliveries('al-out-1', { cooperativeId: 'coop-a' })).filter((d) => d.channel !== 'sms' && d.channel !== 'zalo');
    // A row is 'sending' while an attempt is in flight: wait for a moment when every row is back to a
    // scheduled retry after at least 4 attempts (no delivery given up, none sent).
    const retrying = async () => (await tried()).every((d) => d.attempts >= 4 && d.status === 'pending' && d.holdReason === 'retry');
    await waitFor(retrying, 'several failed attempts');
    expect(await retrying()).toBe(true);
    expect((await tried()).some((d) => d.status === 'sent' || d.status === 'failed' || d.status === 'expired')).toBe(false);
    expect(smtp.mails).toEqual([]);
    expect(webhook.requests).toEqual([]);

    await smtp.up();
    webhook.mode = 'ok';
    // al-out-1: Mary + technician by e-mail, ERP by webhook; al-out-2 (field-rice-2): technician, ERP
    await waitFor(() => smtp.mails.length >= 3 && webhook.requests.length >= 2, 'delivery after the outage');
    await new Promise((r) => setTimeout(r, 500)); // several backoff periods: any duplicate would be here
    const mailKeys = smtp.mails.map((m) => parseMail(m.raw).headers.get('x-ruong-delivery'));
    const hookKeys = webhook.requests.map((r) => String(r.headers['x-ruong-delivery']));
    expect(mailKeys.sort()).toEqual([
      `al-out-1:opened:${world.ids.mary}:email`, `al-out-1:opened:${world.ids.tech}:email`, `al-out-2:opened:${world.ids.tech}:email`,
    ].sort());
    expect(hookKeys.sort()).toEqual([`al-out-1:opened:${world.ids.erp}:webhook`, `al-out-2:opened:${world.ids.erp}:webhook`]);
    const text = await metrics.registry.getSingleMetricAsString('ruong_notifications_total');
    expect(text).toContain('ruong_notifications_total{channel="email",outcome="sent"} 3');
    expect(text).toMatch(/ruong_notifications_total\{channel="email",outcome="retried"\} ([4-9]|\d\d+)/);
  });
});
