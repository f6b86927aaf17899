// What every `ruong` process command shares: the registry as a lifecycle Service, and running a lifecycle until
// SIGINT/SIGTERM (cli/shutdown.ts: stop intake → flush → close within 10 s; a second signal exits at once). The
// store is in cli/configured-store.ts: `ruong broker` has none and does not load the InfluxDB client.
import type { Lifecycle, Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';
import { createShutdown } from './shutdown.js';

export function registryService(registry: Pick<Registry, 'close'>): Service {
  return { name: 'registry', start: () => Promise.resolve(), stop: async () => Promise.resolve(await registry.close()) };
}

/** Installs the signal handlers (cli/shutdown.ts), then starts the lifecycle. */
export async function runUntilSignal(lifecycle: Lifecycle, log: Logger): Promise<void> {
  const shutdown = createShutdown({ lifecycle, log, exit: (code) => process.exit(code) });
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  await lifecycle.start();
}
