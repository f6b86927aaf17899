// `ruong broker`: the MQTT broker alone (no ingest, API or simulator) — for a broker in its own process or
// on its own machine, usually with REDIS_URL so sessions and queued QoS 1 messages outlive it. It shares
// registry (device secrets, service credentials) with the other processes: REGISTRY_URL (PostgreSQL) or DATA_DIR's
// SQLite file (cli/open-registry.ts).
import { mkdirSync } from 'node:fs';
import { createBrokerService } from '../broker/broker-service.js';
import type { Config } from '../core/config.js';
import { createLifecycle } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import { createMetrics } from '../core/metrics.js';
import { brokerOptions, configuredBrokerUrls } from './broker-config.js';
import { recordBrokerUrlsFor } from './broker-urls-file.js';
import { credentialWatch } from './credential-watch.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import { openConfiguredRegistry } from './open-registry.js';
import { ensureIngestSecret, ensureLnsSecret } from './service-secret.js';
import { registryService, runUntilSignal } from './process-services.js';

export async function runBroker(config: Config, out: (line: string) => void): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL });
  mkdirSync(config.DATA_DIR, { recursive: true });
  const registry = await openConfiguredRegistry(config, 'ruong broker');
  await ensureIngestSecret(registry, config);
  await ensureLnsSecret(registry, config);
  // Node's process metrics only where they can be read (METRICS_PORT): they load @opentelemetry/api and prom-client's
  // collectors for nothing otherwise (issue 19, a broker's base memory: docs/benchmarks.md "Broker base memory").
  const metrics = createMetrics({ defaultMetrics: config.METRICS_PORT !== undefined });
  const broker = createBrokerService(brokerOptions(config, { auth: registry, log: log.child({ service: 'broker' }), metrics }));
  // Revocations and rotations made by other processes (`ruong api`) close sessions on this broker too.
  const watch = credentialWatch({ registry, broker, log: log.child({ service: 'credential-watch' }) });
  const endpoint = await metricsEndpoint(config, metrics.registry, log);
  const lifecycle = createLifecycle([registryService(registry), broker, watch, ...(endpoint ? [endpoint] : [])], log);
  await runUntilSignal(lifecycle, log);
  out(`  Ruộng broker is running — persistence: ${config.REDIS_URL ? 'redis' : 'memory'}, data: ${config.DATA_DIR}`);
  const brokerUrls = configuredBrokerUrls(config, broker.addresses());
  await recordBrokerUrlsFor({ registry, config }, brokerUrls); // for `ruong provision` (cli/broker-urls-file.ts)
  out(`  MQTT:       ${brokerUrls.join('  ')}`);
  if (endpoint) out(`  Metrics:    http://${config.METRICS_HOST}:${endpoint.port()}/metrics`);
  out('  Stop with Ctrl-C.');
  return 0;
}
