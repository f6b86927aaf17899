// The outbox delivers: retried with exponential backoff while the peer is down, exactly once when it is
// back, failed for good on a permanent refusal, expired when the peer never comes back, and after a
// restart (graceful or a crash in the middle of a send) each pending message goes out exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createRegistry } from '../../../core/registry/registry.js';
import { alertOn, createWorld, fakeNotifiers, rows, startService, vn, type World } from './fixtures.js';

const webhookRows = async (world: World, alertId: string) => (await rows(world, alertId)).filter((r) => r.channel === 'webhook');

describe('delivery with retries', () => {
  let world: World;
  beforeEach(async () => {
    vi.useFakeTimers({ now: vn('2026-03-10T10:00:00') });
    world = await createWorld();
  });
  afterEach(async () => {
    await world.registry.close();
    vi.useRealTimers();
  });

  it('retries with backoff while the peer is down for a minute and delivers exactly once when it is back', async () => {
    const n = fakeNotifiers();
    n.webhook.mode = 'down';
    const { service, metrics } = startService(world, n, { backoff: { baseMs: 1_000, maxMs: 16_000, random: () => 0.999 } });
    await service.start();
    const alert = alertOn();
    await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(60_000);
    // attempts at 0, 1, 3, 7, 15, 31, 47 s (1, 2, 4, 8, 16, 16 s apart; jitter pinned at the ceiling)
    expect(n.webhook.attempts).toBe(7);
    expect((await webhookRows(world, alert.id))[0]).toMatchObject({ status: 'pending', holdReason: 'retry', attempts: 7 });
    n.webhook.mode = 'ok';
    await vi.advanceTimersByTimeAsync(60_000);
    expect(n.webhook.keys()).toEqual([`${alert.id}:opened:${world.ids.erp}:webhook`]);
    expect((await webhookRows(world, alert.id))[0]).toMatchObject({ status: 'sent', attempts: 8 });
    const text = await metrics.registry.getSingleMetricAsString('ruong_notifications_total');
    expect(text).toContain('ruong_notifications_total{channel="webhook",outcome="retried"} 7');
    expect(text).toContain('ruong_notifications_total{channel="webhook",outcome="sent"} 1');
    await service.stop();
  });

  it('marks a message the peer refuses for good as failed, without retrying', async () => {
    const n = fakeNotifiers();
    n.webhook.mode = 'refuse';
    const { service } = startService(world, n);
    await service.start();
    const alert = alertOn();
    await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(n.webhook.attempts).toBe(1);
    expect((await webhookRows(world, alert.id))[0]).toMatchObject({ status: 'failed' });
    await service.stop();
  });

  it('expires a message still undelivered after its time to live', async () => {
    const n = fakeNotifiers();
    n.webhook.mode = 'down';
    const { service, metrics } = startService(world, n, { ttlMs: 3_600_000, backoff: { baseMs: 60_000, maxMs: 600_000, random: () => 0.999 } });
    await service.start();
    const alert = alertOn();
    await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(2 * 3_600_000);
    expect((await webhookRows(world, alert.id))[0]).toMatchObject({ status: 'expired' });
    expect(await metrics.registry.getSingleMetricAsString('ruong_notifications_total')).toContain('channel="webhook",outcome="expired"} 1');
    n.webhook.mode = 'ok';
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(n.webhook.sent).toEqual([]);
    await service.stop();
  });

  it('keeps sending on the other channels while one peer hangs', async () => {
    const n = fakeNotifiers();
    n.email.mode = 'hang';
    const { service } = startService(world, n, { sendTimeoutMs: 3_600_000 });
    await service.start();
    const alerts = [1, 2, 3, 4, 5, 6].map(() => alertOn({ severity: 'critical' }));
    for (const alert of alerts) await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10);
    expect(n.email.attempts).toBe(4); // at most 4 sends in flight per channel, all hanging
    expect(n.sms.sent).toHaveLength(12); // Tư and Mary, six alerts each
    expect(n.webhook.sent).toHaveLength(6);
    expect(n.mqtt.sent).toHaveLength(6);
    const stopping = service.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
  });

  it('aborts a send that hangs at stop; the message stays pending', async () => {
    const n = fakeNotifiers();
    n.webhook.mode = 'hang';
    const { service } = startService(world, n, { sendTimeoutMs: 3_600_000 });
    await service.start();
    const alert = alertOn();
    await service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10);
    const stopping = service.stop();
    await vi.advanceTimersByTimeAsync(5_000);
    await stopping;
    expect((await webhookRows(world, alert.id))[0]).toMatchObject({ status: 'pending' });
    expect(n.webhook.closed).toBe(true);
  });
});

describe('restart', () => {
  let dir: string;
  beforeEach(() => {
    vi.useFakeTimers({ now: vn('2026-03-10T10:00:00') });
    dir = mkdtempSync(join(tmpdir(), 'ruong-notify-'));
  });
  afterEach(() => {
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends what was pending at a graceful stop exactly once after the restart', async () => {
    const path = join(dir, 'registry.db');
    const first = await createWorld(path);
    const n1 = fakeNotifiers();
    n1.webhook.mode = 'down';
    n1.sms.mode = 'down';
    const a = startService(first, n1);
    await a.service.start();
    const alerts = [alertOn({ severity: 'critical' }), alertOn({ severity: 'critical', fieldId: 'field-rice-2' })];
    for (const alert of alerts) await a.service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10);
    await a.service.stop();
    await first.registry.close();

    const second = { ...first, registry: createRegistry(path) };
    const n2 = fakeNotifiers();
    const b = startService(second, n2);
    await b.service.start();
    await vi.advanceTimersByTimeAsync(120_000);
    expect(n2.webhook.keys().sort()).toEqual(alerts.map((al) => `${al.id}:opened:${first.ids.erp}:webhook`).sort());
    expect(n2.sms.sent).toHaveLength(3); // Tư ×2, Mary ×1 (field-rice-1 only)
    expect(n2.email.sent).toHaveLength(0); // delivered before the stop: never again
    expect(n1.email.sent).toHaveLength(3);
    await b.service.stop();
    await second.registry.close();
  });

  it('after a crash in the middle of a send, sends that message again exactly once', async () => {
    const path = join(dir, 'registry.db');
    const first = await createWorld(path);
    const n1 = fakeNotifiers();
    n1.webhook.mode = 'hang';
    const a = startService(first, n1, { sendTimeoutMs: 3_600_000 });
    await a.service.start();
    const alert = alertOn();
    await a.service.handle({ event: 'opened', alert });
    await vi.advanceTimersByTimeAsync(10);
    expect((await webhookRows(first, alert.id))[0]).toMatchObject({ status: 'sending', attempts: 1 });
    await first.registry.close(); // the process dies: no stop(), the row stays 'sending' …
    vi.clearAllTimers(); // … and none of its timers ever fires again

    const second = { ...first, registry: createRegistry(path) };
    const n2 = fakeNotifiers();
    const b = startService(second, n2);
    await b.service.start();
    await vi.advanceTimersByTimeAsync(10);
    await b.service.idle();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(n2.webhook.keys()).toEqual([`${alert.id}:opened:${first.ids.erp}:webhook`]);
    expect((await webhookRows(second, alert.id))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    await b.service.stop();
    await second.registry.close();
  });
});
