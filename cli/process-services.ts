// What every `ruong` process command shares: the registry and the store as lifecycle Services, and
// running a lifecycle until SIGINT/SIGTERM (cli/shutdown.ts: stop intake → flush → close within 10 s; a second
// signal exits at once).
import { join } from 'node:path';
import type { Config } from '../core/config.js';
import type { Lifecycle, Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';
import { createInfluxStore } from '../core/store/influx-store.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { createSqliteStore } from '../core/store/sqlite-store.js';
import { createShutdown } from './shutdown.js';

/** The configured ReadingStore: STORE=influx with INFLUX_URL, else the embedded SQLite in DATA_DIR. */
export function createConfiguredStore(config: Config, log: Logger): ReadingStore {
  if (config.STORE === 'influx') return createInfluxStore({ url: config.INFLUX_URL!, log, rawRetentionMs: config.RAW_RETENTION_DAYS * 86_400_000 });
  return createSqliteStore({ path: join(config.DATA_DIR, 'readings.db') });
}

export function registryService(registry: Pick<Registry, 'close'>): Service {
  return { name: 'registry', start: () => Promise.resolve(), stop: async () => Promise.resolve(await registry.close()) };
}

export function storeService(store: ReadingStore): Service {
  return { name: `store-${store.kind}`, start: () => store.setup(), stop: () => store.close() };
}

/** Installs the signal handlers (cli/shutdown.ts), then starts the lifecycle. */
export async function runUntilSignal(lifecycle: Lifecycle, log: Logger): Promise<void> {
  const shutdown = createShutdown({ lifecycle, log, exit: (code) => process.exit(code) });
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await lifecycle.start();
}
