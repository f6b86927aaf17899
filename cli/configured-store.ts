// The reading store of the processes that have one (`ruong start`, `ingest`, `rules`, `api`) as a lifecycle
// Service; apart from cli/process-services.ts so that `ruong broker` does not load the store modules and the
// InfluxDB client (issue 19, the broker's base memory: docs/benchmarks.md).
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import { createInfluxStore } from '../core/store/influx-store.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { createSqliteStore } from '../core/store/sqlite-store.js';

/** The configured ReadingStore: STORE=influx with INFLUX_URL, else the embedded SQLite in DATA_DIR. */
export function createConfiguredStore(config: Config, log: Logger): ReadingStore {
  if (config.STORE === 'influx') return createInfluxStore({ url: config.INFLUX_URL!, log, rawRetentionMs: config.RAW_RETENTION_DAYS * 86_400_000 });
  return createSqliteStore({ path: join(config.DATA_DIR, 'readings.db') });
}

export function storeService(store: ReadingStore): Service {
  return { name: `store-${store.kind}`, start: () => store.setup(), stop: () => store.close() };
}

