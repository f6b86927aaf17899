// A notification process for the restart test: opens the registry at argv[2], enqueues one critical alert
// for channels pointing at argv[3] (webhook receiver) and argv[4] (SMTP), and prints READY once a send is
// in flight — then waits to be killed (kill -9: no stop, no cleanup).
import { createNotificationService } from '../../core/alerts/notification-service.js';
import { silentLogger } from '../../core/log.js';
import { createRegistry } from '../../core/registry/registry.js';
import { createEmailNotifier } from '../../rules/notify/email.js';
import { createWebhookNotifier } from '../../rules/notify/webhook.js';
import { alertOn } from './notify-world.js';

const [, , dbPath = '', , smtpUrl = ''] = process.argv;
const registry = createRegistry(dbPath);
const service = createNotificationService({
  sql: registry.sql, directory: registry, log: silentLogger(), backoff: { baseMs: 50, maxMs: 100 }, sendTimeoutMs: 60_000,
  notifiers: [createEmailNotifier({ url: smtpUrl, from: 'alerts@example.org', timeoutMs: 60_000 }), createWebhookNotifier({ masterSecret: 'restart-master-secret-1' })],
});
await service.start();
await service.handle({ event: 'opened', alert: alertOn({ id: 'al-restart', severity: 'critical' }) });
const inFlight = registry.db.prepare(`SELECT count(*) AS n FROM notification_outbox WHERE status = 'sending'`);
const timer = setInterval(() => {
  if ((inFlight.get() as { n: number }).n >= 2) {
    process.stdout.write('READY\n');
    clearInterval(timer);
  }
}, 20);
