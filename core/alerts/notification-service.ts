// The notification service: listens to alert changes, plans them into the outbox (persisted first) and
// runs the dispatcher that sends them through the configured channels. A Service (core/lifecycle):
// start() recovers interrupted sends and subscribes; stop() unsubscribes, lets in-flight sends finish
// (or aborts them after a grace period — they stay pending) and closes the channels.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Sql } from '../db/sql.js';
import type { Service } from '../lifecycle.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../metrics.js';
import { createOutbox, type Delivery } from './outbox.js';
import { createDispatcher, type DispatcherMetrics } from './notification-dispatcher.js';
import { createPlanner, type PlanResult, type PlannerDirectory, type PlannerOptions } from './notification-planner.js';
import type { Backoff } from './notification-schedule.js';
import type { AlertChange, AlertSource, Channel, Notifier } from './notification-types.js';

// The async context of no transaction (this module's load): a change is planned in its own transaction, never
// inside one that happened to be open where handle() was called (it may run later, queued behind others).
const outsideAnyTransaction = AsyncLocalStorage.snapshot();

export interface NotificationServiceOptions {
  readonly sql: Sql;
  readonly directory: PlannerDirectory;
  readonly notifiers: readonly Notifier[];
  readonly source?: AlertSource | undefined;
  readonly log: Logger;
  readonly metrics?: Metrics | undefined;
  readonly now?: () => number;
  readonly backoff?: Backoff;
  readonly sendTimeoutMs?: number;
  readonly idleMs?: number;
  readonly ttlMs?: number;
  readonly rateLimit?: PlannerOptions['rateLimit'];
  readonly smsUnaccented?: boolean;
}

export interface NotificationService extends Service {
  /**
   * Plans one alert change (what the AlertSource subscription calls); safe before start(). Changes are planned
   * one after the other, in the order they were handed in (a 'resolved' withdraws what its 'opened' held).
   */
  handle(change: AlertChange): Promise<PlanResult>;
  deliveries(alertId: string, scope: { cooperativeId: string; farmIds?: readonly string[] | undefined }): Promise<Delivery[]>;
  /** Resolves once the dispatcher has no pass running (tests). */
  idle(): Promise<void>;
  /** Runs a dispatcher pass now (tests, and after a burst of enqueues). */
  kick(): void;
}

function dispatcherMetrics(metrics: Metrics): DispatcherMetrics {
  const channels: Channel[] = ['sms', 'zalo', 'email', 'webhook', 'mqtt'];
  return {
    outcome: (channel, outcome) => metrics.notifications.inc({ channel, outcome }),
    sendSeconds: (channel, seconds) => metrics.notificationSendSeconds.observe({ channel }, seconds),
    pending: (counts) => {
      for (const channel of channels) metrics.notificationsPending.set({ channel }, counts.find((c) => c.channel === channel)?.n ?? 0);
    },
  };
}

export function createNotificationService(opts: NotificationServiceOptions): NotificationService {
  const now = opts.now ?? Date.now;
  const outbox = createOutbox(opts.sql);
  const notifiers = new Map(opts.notifiers.map((n) => [n.channel, n] as const));
  const planner = createPlanner({
    outbox, directory: opts.directory, now,
    options: {
      channels: new Set(notifiers.keys()), smsUnaccented: opts.smsUnaccented ?? false,
      ttlMs: opts.ttlMs ?? 24 * 3_600_000, rateLimit: opts.rateLimit ?? { max: 3, windowMs: 3_600_000 },
    },
  });
  const dispatcher = createDispatcher({
    outbox, notifiers, log: opts.log, now, metrics: opts.metrics && dispatcherMetrics(opts.metrics),
    ...(opts.backoff ? { backoff: opts.backoff } : {}), ...(opts.sendTimeoutMs ? { sendTimeoutMs: opts.sendTimeoutMs } : {}),
    ...(opts.idleMs ? { idleMs: opts.idleMs } : {}),
  });
  let unsubscribe: (() => void) | undefined;
  let stopping: Promise<void> | undefined;
  let planned: Promise<unknown> = Promise.resolve(); // the last change handed in, planned or failed

  function handle(change: AlertChange): Promise<PlanResult> {
    const result = planned.then(() => outsideAnyTransaction(plan, change));
    planned = result.catch(() => undefined);
    return result;
  }

  async function plan(change: AlertChange): Promise<PlanResult> {
    const result = await planner.plan(change);
    if (!result.place) opts.log.warn({ alertId: change.alert.id, event: change.event }, 'alert has no farm or field: not notified');
    for (const channel of result.queued) opts.metrics?.notificationsEnqueued.inc({ channel });
    for (const channel of result.suppressed) opts.metrics?.notifications.inc({ channel, outcome: 'suppressed' });
    if (result.queued.length > 0) dispatcher.kick();
    return result;
  }

  return {
    name: 'notifications',
    handle,
    deliveries: (alertId, scope) => outbox.deliveries(alertId, scope),
    idle: () => dispatcher.idle(),
    kick: () => dispatcher.kick(),
    async start() {
      await dispatcher.start();
      unsubscribe = opts.source?.subscribe((change) => {
        handle(change).catch((err: unknown) => {
          // boundary: a failure to enqueue must not break the alerts service that emitted the change
          opts.log.error({ err, alertId: change.alert.id, event: change.event }, 'notification enqueue failed');
        });
      });
      opts.log.info({ channels: [...notifiers.keys()] }, 'notifications started');
    },
    stop() {
      stopping ??= (async () => {
        unsubscribe?.();
        await planned; // changes handed in before the stop are in the outbox
        await dispatcher.stop();
        await Promise.all([...notifiers.values()].map((n) => n.close().catch((err: unknown) => opts.log.warn({ err, channel: n.channel }, 'notifier failed to close'))));
      })();
      return stopping;
    },
  };
}
