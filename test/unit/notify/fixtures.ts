// Unit-test fixtures: a fake Notifier per channel that records what it was asked to send, the service
// wired to them, and the outbox rows; the world itself (registry, contacts) is test/helpers/notify-world.ts.
import { createNotificationService, type NotificationServiceOptions } from '../../../core/alerts/notification-service.js';
import { NotifierError, type Channel, type NotificationMessage, type Notifier } from '../../../core/alerts/notification-types.js';
import { silentLogger } from '../../../core/log.js';
import { createMetrics } from '../../../core/metrics.js';
import type { World } from '../../helpers/notify-world.js';

export { alertOn, createWorld, vn, type World } from '../../helpers/notify-world.js';

export class FakeNotifier implements Notifier {
  readonly sent: NotificationMessage[] = [];
  mode: 'ok' | 'down' | 'refuse' | 'hang' = 'ok';
  attempts = 0;
  closed = false;
  constructor(readonly channel: Channel) {}

  send(message: NotificationMessage, signal: AbortSignal): Promise<void> {
    this.attempts++;
    if (this.mode === 'down') return Promise.reject(new NotifierError(`${this.channel} peer down`, true));
    if (this.mode === 'refuse') return Promise.reject(new NotifierError(`${this.channel} refused`, false));
    if (this.mode === 'hang') {
      return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new NotifierError('aborted', true)), { once: true }));
    }
    this.sent.push(message);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  keys(): string[] {
    return this.sent.map((m) => m.key);
  }
}

export function fakeNotifiers(): Record<Channel, FakeNotifier> {
  return { sms: new FakeNotifier('sms'), zalo: new FakeNotifier('zalo'), email: new FakeNotifier('email'), webhook: new FakeNotifier('webhook'), mqtt: new FakeNotifier('mqtt') };
}

export function startService(world: World, notifiers: Record<Channel, FakeNotifier>, opts: Partial<NotificationServiceOptions> = {}) {
  const metrics = createMetrics();
  const service = createNotificationService({
    sql: world.registry.sql, directory: world.registry, notifiers: Object.values(notifiers), log: silentLogger(), metrics,
    backoff: { baseMs: 1_000, maxMs: 60_000, random: () => 0.999 }, now: () => Date.now(), ...opts,
  });
  return { service, metrics };
}

export interface OutboxRow {
  key: string; recipient: string; channel: Channel; status: string; holdReason: string | null; attempts: number; notBefore: number; kind: string; message: string;
}

export function rows(world: World, alertId?: string): Promise<OutboxRow[]> {
  const query = `SELECT idem_key AS key, recipient, channel, status, hold_reason AS "holdReason", attempts, not_before AS "notBefore", kind, message
                   FROM notification_outbox ${alertId ? 'WHERE alert_id = ?' : ''} ORDER BY id`;
  return world.registry.sql.all<OutboxRow>(query, alertId ? [alertId] : []);
}
