// `ruong ingest`: the ingest alone — subscribes to a broker (INGEST_MQTT_URL, default this machine's
// MQTT_PORT) with the ingest service credential and writes to the configured store, spooling to
// DATA_DIR/spool while the store is down. Shares DATA_DIR's registry with the broker process.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import { RuongError } from '../core/errors.js';
import { createLifecycle, type Service } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import { createMetrics } from '../core/metrics.js';
import { createRegistry } from '../core/registry/registry.js';
import { createIngestService, spoolDirOf } from '../ingest/ingest-service.js';
import { ensureIngestSecret } from './service-secret.js';
import { createConfiguredStore, registryService, runUntilSignal, storeService } from './process-services.js';

function brokerAddress(config: Config): { host: string; port: number } {
  if (!config.INGEST_MQTT_URL) return { host: '127.0.0.1', port: config.MQTT_PORT };
  const url = new URL(config.INGEST_MQTT_URL);
  if (url.protocol !== 'mqtt:') throw new RuongError('CONFIG_INVALID', 'INGEST_MQTT_URL must be mqtt://host:port');
  return { host: url.hostname, port: url.port ? Number(url.port) : 1883 };
}

export async function runIngest(config: Config, out: (line: string) => void): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL });
  mkdirSync(config.DATA_DIR, { recursive: true });
  const registry = createRegistry(join(config.DATA_DIR, 'registry.db'));
  const credential = await ensureIngestSecret(registry, config.DATA_DIR);
  const rawRetentionMs = config.RAW_RETENTION_DAYS * 86_400_000;
  const store = createConfiguredStore(config, log);
  const ingest = createIngestService({
    broker: { ...brokerAddress(config), ...credential },
    store, registry, metrics: createMetrics({ defaultMetrics: true }), log: log.child({ service: 'ingest' }),
    batchSize: config.INGEST_BATCH_SIZE, batchDelayMs: config.INGEST_BATCH_MS,
    spoolDir: spoolDirOf(config.DATA_DIR), spoolMaxBytes: config.INGEST_SPOOL_MAX_MB * 1024 * 1024,
    rawRetentionMs, rollupRefreshMs: config.ROLLUP_REFRESH_S * 1000,
  });
  const services: Service[] = [
    registryService(registry),
    storeService(store),
    ingest,
  ];
  const lifecycle = createLifecycle(services, log);
  await runUntilSignal(lifecycle, log);
  const { host, port } = brokerAddress(config);
  out(`  Ruộng ingest is running — store: ${store.kind}, broker: mqtt://${host}:${port}, data: ${config.DATA_DIR}`);
  out('  Stop with Ctrl-C.');
  return 0;
}
