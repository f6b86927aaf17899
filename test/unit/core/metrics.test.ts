// The metric catalogue (core/metrics.ts) takes prom-client's classes from their own files and node's process
// metrics only when asked (issue 19, a broker's base memory). What a scraper reads must not change for it.
import * as prom from 'prom-client';
import { describe, expect, it } from 'vitest';
import { Counter, Gauge, Histogram, Registry, createMetrics } from '../../../core/metrics.js';

describe('the metric catalogue', () => {
  it('uses the very classes prom-client exports (a prom-client upgrade that moves them fails here)', () => {
    expect(Registry).toBe(prom.Registry);
    expect(Counter).toBe(prom.Counter);
    expect(Gauge).toBe(prom.Gauge);
    expect(Histogram).toBe(prom.Histogram);
  });

  it('serves its own metrics, counted, without node\'s process metrics unless asked', async () => {
    const metrics = createMetrics();
    metrics.mqttAuthFailures.inc({ reason: 'bad_credentials' });
    metrics.mqttConnections.set(3);
    const text = await metrics.registry.metrics();
    expect(text).toContain('ruong_mqtt_auth_failures_total{reason="bad_credentials"} 1');
    expect(text).toContain('ruong_mqtt_connected_clients 3');
    expect(text).not.toContain('process_cpu_user_seconds_total');
    expect(text).not.toContain('nodejs_heap_space_size_total_bytes');
  });

  it('adds node\'s process metrics (CPU, heap spaces) when asked', async () => {
    const text = await createMetrics({ defaultMetrics: true }).registry.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_space_size_total_bytes\{space="old"\} \d+/m);
    expect(text).toContain('ruong_mqtt_connected_clients 0');
  });
});
