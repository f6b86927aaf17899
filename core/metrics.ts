// The Prometheus metric catalogue (prom-client), one registry per process, served at /metrics.
// Hot paths count here instead of logging per message (architecture.md, conventions).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics) collectDefaultMetrics({ register: registry });
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
    httpLoginFailures: new Counter({ name: 'ruong_http_login_failures_total', help: 'Failed dashboard/API logins', registers }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
