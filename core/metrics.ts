// The Prometheus metric catalogue (prom-client), one registry per process, served at /metrics.
// Hot paths count here instead of logging per message (docs/architecture.md, conventions).
// prom-client's index loads everything it offers: the default process metrics (which pull in @opentelemetry/api,
// 51 modules), Summary, the Pushgateway (http, https) and the cluster aggregator. The catalogue needs four classes,
// so they are required from their own files — the very objects the index exports (test/unit/core/metrics.test.ts
// checks it) — and the default metrics only when asked for (issue 19, a broker's base memory: docs/benchmarks.md
// "Broker base memory").
import { createRequire } from 'node:module';
import type * as Prom from 'prom-client';

const require = createRequire(import.meta.url);
export const Registry = require('prom-client/lib/registry') as typeof Prom.Registry;
export const Counter = require('prom-client/lib/counter') as typeof Prom.Counter;
export const Gauge = require('prom-client/lib/gauge') as typeof Prom.Gauge;
export const Histogram = require('prom-client/lib/histogram') as typeof Prom.Histogram;

/** Node's process metrics (CPU, memory, heap spaces, event-loop lag, GC…) on `registry`, loaded on first use. */
export function collectDefaultMetrics(registry: Prom.Registry): void {
  (require('prom-client/lib/defaultMetrics') as typeof Prom.collectDefaultMetrics)({ register: registry });
}

/** defaultMetrics: node's process metrics too — for a process whose /metrics someone can read. */
export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics(registry);
  const registers = [registry];
  return {
    registry,
    readingsStored: new Counter({ name: 'ruong_readings_stored_total', help: 'Readings written to the store', registers }),
    messagesReceived: new Counter({ name: 'ruong_ingest_messages_total', help: 'MQTT messages received by the ingest', registers }),
    deadLetters: new Counter({ name: 'ruong_dead_letters_total', help: 'Rejected input kept as dead letters, by reason code', labelNames: ['code'], registers }),
    batchWriteSeconds: new Histogram({
      name: 'ruong_batch_write_duration_seconds', help: 'Time to write one batch to the store', registers,
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
    storeWriteFailures: new Counter({ name: 'ruong_store_write_failures_total', help: 'Batch writes that failed and will be retried', registers }),
    messagesAcked: new Counter({ name: 'ruong_ingest_acked_total', help: 'QoS 1 messages acknowledged to the broker after their readings were stored', registers }),
    ingestPending: new Gauge({ name: 'ruong_ingest_pending_messages', help: 'Messages received but not yet acknowledged', registers }),
    mqttConnections: new Gauge({ name: 'ruong_mqtt_connected_clients', help: 'MQTT clients connected to the broker', registers }),
    mqttAuthFailures: new Counter({ name: 'ruong_mqtt_auth_failures_total', help: 'Refused MQTT logins', labelNames: ['reason'], registers }),
    mqttDenied: new Counter({ name: 'ruong_mqtt_denied_total', help: 'Refused publishes and subscriptions', labelNames: ['action'], registers }),
    mqttLimitHits: new Counter({ name: 'ruong_mqtt_limit_hits_total', help: 'MQTT connections closed or refused by a broker limit, by limit', labelNames: ['limit'], registers }),
    mqttProtocolViolations: new Counter({ name: 'ruong_mqtt_protocol_violations_total', help: 'MQTT connections closed for breaking MQTT 3.1.1, by spec rule', labelNames: ['rule'], registers }),
    mqttSessionTakeovers: new Counter({ name: 'ruong_mqtt_session_takeovers_total', help: 'Live MQTT sessions replaced by a new connection with the same credential', registers }),
    mqttReadHolds: new Counter({ name: 'ruong_mqtt_read_holds_total', help: 'Reads from publishing MQTT connections held while the broker\'s delivery backlog was high (broker/read-pause.ts)', registers }),
    mqttPublishThrottles: new Counter({ name: 'ruong_mqtt_publish_throttles_total', help: 'PUBLISH packets that arrived over the device\'s MQTT_PUBLISH_RATE: the broker paused reading from it until it was back under the rate (nothing refused; broker/token-bucket.ts)', registers }),
    httpLoginFailures: new Counter({ name: 'ruong_http_login_failures_total', help: 'Failed dashboard/API logins', registers }),
    // rules engine (issue 5): evaluations by rule kind, alerts opened, scheduled task runs
    ruleEvaluations: new Counter({ name: 'ruong_rule_evaluations_total', help: 'Rule evaluations, by rule kind', labelNames: ['kind'], registers }),
    alertsOpened: new Counter({ name: 'ruong_alerts_opened_total', help: 'Alerts opened, by alert kind and severity', labelNames: ['kind', 'severity'], registers }),
    ruleTaskRuns: new Counter({ name: 'ruong_rule_task_runs_total', help: 'Scheduled rule runs (daily advice, minute check): ok, failed, skipped (previous run busy)', labelNames: ['task', 'outcome'], registers }),
    // notifications (issue 7): outbox rows enqueued, send outcomes, send latency, rows not yet delivered
    notificationsEnqueued: new Counter({ name: 'ruong_notifications_enqueued_total', help: 'Notifications written to the outbox', labelNames: ['channel'], registers }),
    notifications: new Counter({ name: 'ruong_notifications_total', help: 'Notification outcomes: sent, retried, failed, expired, suppressed (rate limit)', labelNames: ['channel', 'outcome'], registers }),
    notificationSendSeconds: new Histogram({
      name: 'ruong_notification_send_duration_seconds', help: 'Time for a channel to accept one notification', labelNames: ['channel'], registers,
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    }),
    notificationsPending: new Gauge({ name: 'ruong_notifications_pending', help: 'Outbox rows not yet delivered (pending or in flight)', labelNames: ['channel'], registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
