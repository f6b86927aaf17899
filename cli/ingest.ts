// `ruong ingest`: the ingest alone — subscribes to a broker (INGEST_MQTT_URL: one or several, default this
// machine's MQTT_PORT) with the ingest service credential; with INGEST_SHARDS > 1 it is one of N workers
// sharing the shards through Redis leases (ingest/redis-shard-coordinator.ts). Writes to the configured
// store, spooling to DATA_DIR/spool while the store is down. Shares the registry with the brokers: REGISTRY_URL
// (PostgreSQL, for processes on several hosts) or DATA_DIR's SQLite file (cli/open-registry.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { RuongError } from '../core/errors.js';
import { createLifecycle, type Service } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import { createMetrics } from '../core/metrics.js';
import { createIngestService, spoolDirOf } from '../ingest/ingest-service.js';
import { ensureIngestSecret } from './service-secret.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import { brokerUrlOf, ingestBrokers } from './ingest-brokers.js';
import { createRedisShardCoordinator } from '../ingest/redis-shard-coordinator.js';
import { createConfiguredStore, storeService } from './configured-store.js';
import { registryService, runUntilSignal } from './process-services.js';
import { deviceContextWatch } from './device-context-watch.js';
import { openConfiguredRegistry } from './open-registry.js';

export async function runIngest(config: Config, out: (line: string) => void): Promise<number> {
  if (config.INGEST_SHARDS > 1 && !config.INGEST_WORKER_ID) {
    throw new RuongError('CONFIG_INVALID', 'INGEST_WORKER_ID is required with INGEST_SHARDS > 1: a stable name per worker (e.g. ingest-1); its spool is DATA_DIR/spool/<id>');
  }
  const log = createLogger({ level: config.LOG_LEVEL });
  mkdirSync(config.DATA_DIR, { recursive: true });
  const registry = await openConfiguredRegistry(config, 'ruong ingest');
  const credential = await ensureIngestSecret(registry, config);
  const rawRetentionMs = config.RAW_RETENTION_DAYS * 86_400_000;
  const store = createConfiguredStore(config, log);
  const [broker, ...alternateBrokers] = ingestBrokers(config);
  const metrics = createMetrics({ defaultMetrics: true });
  // INGEST_SHARDS > 1: this worker consumes the shards the Redis leases give it (docs/deploy.md).
  const sharding = config.INGEST_SHARDS > 1 && config.REDIS_URL
    ? createRedisShardCoordinator({
        redisUrl: config.REDIS_URL, shards: config.INGEST_SHARDS, workerId: config.INGEST_WORKER_ID,
        leaseMs: config.INGEST_SHARD_LEASE_MS, log: log.child({ service: 'ingest-shards' }), metrics: metrics.registry,
      })
    : undefined;
  const ingest = createIngestService({
    broker: { ...broker, ...credential }, alternateBrokers, sharding,
    store, registry, metrics, log: log.child({ service: 'ingest' }),
    batchSize: config.INGEST_BATCH_SIZE, batchDelayMs: config.INGEST_BATCH_MS,
    // Each sharded worker its own spool: batches it acknowledged are replayed when it (the same id) restarts.
    spoolDir: sharding ? join(spoolDirOf(config.DATA_DIR), sharding.workerId) : spoolDirOf(config.DATA_DIR),
    spoolMaxBytes: config.INGEST_SPOOL_MAX_MB * 1024 * 1024,
    rawRetentionMs, rollupRefreshMs: config.ROLLUP_REFRESH_S * 1000,
  });
  const services: Service[] = [
    registryService(registry),
    // moves made through `ruong api` reach this process's cached device contexts (cli/device-context-watch.ts)
    deviceContextWatch({ registry, log: log.child({ service: 'device-context-watch' }) }),
    storeService(store),
    ingest,
  ];
  const endpoint = await metricsEndpoint(config, metrics.registry, log);
  if (endpoint) services.push(endpoint);
  const lifecycle = createLifecycle(services, log);
  await runUntilSignal(lifecycle, log);
  const shards = sharding ? `, shards ${sharding.owned().join(' ') || 'none yet'} of ${config.INGEST_SHARDS} (worker ${sharding.workerId})` : '';
  out(`  Ruộng ingest is running — store: ${store.kind}, broker: ${[broker, ...alternateBrokers].map(brokerUrlOf).join(', ')}${shards}, data: ${config.DATA_DIR}`);
  if (endpoint) out(`  Metrics: http://${config.METRICS_HOST}:${endpoint.port()}/metrics`);
  out('  Stop with Ctrl-C.');
  return 0;
}
