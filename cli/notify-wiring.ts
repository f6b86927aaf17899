// Wires the notification service (core/alerts) to its channels (rules/notify) from the configuration.
// MQTT alerts go through the built-in broker with their own service credential `ruong-notifier`
// (DATA_DIR/notifier.secret, mode 0600, or the registry with REGISTRY_URL: cli/service-secret.ts; broker/acl.ts lets it publish alerts/{farmId} and nothing else).
import { NOTIFIER_SERVICE } from '../broker/acl.js';
import { createNotificationService, type NotificationService } from '../core/alerts/notification-service.js';
import type { AlertSource } from '../core/alerts/notification-types.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Registry } from '../core/registry/registry.js';
import { createNotifiers } from '../rules/notify/channels.js';
import { ensureServiceSecret } from './service-secret.js';

export interface NotificationWiring {
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** The built-in broker's TCP port (known after it started); undefined = no MQTT alerts. */
  readonly brokerPort?: (() => number) | undefined;
  /** The alerts service (its `subscribe`); undefined until the rules engine runs in this process. */
  readonly source?: AlertSource | undefined;
}

export async function createNotifications(config: Config, deps: NotificationWiring): Promise<NotificationService> {
  const log = deps.log.child({ service: 'notifications' });
  const port = deps.brokerPort;
  const credential = port && config.ALERTS_MQTT ? await ensureServiceSecret(deps.registry, config, NOTIFIER_SERVICE, 'notifier.secret') : undefined;
  const notifiers = createNotifiers(config, {
    log,
    mqtt: port && credential && { url: () => `mqtt://127.0.0.1:${port()}`, ...credential, clientId: NOTIFIER_SERVICE },
  });
  return createNotificationService({
    sql: deps.registry.sql, directory: deps.registry, notifiers, source: deps.source, log, metrics: deps.metrics,
    ttlMs: config.NOTIFY_TTL_H * 3_600_000, rateLimit: { max: config.NOTIFY_MAX_PER_HOUR, windowMs: 3_600_000 },
    smsUnaccented: config.SMS_UNACCENTED,
  });
}
