// Keeps a process's cached device contexts true to moves made by other processes (issue 16/18): a device moved to
// another field through `ruong api`, or a field moved to another farm, must send its next reading to the new
// field in a separate `ruong ingest` too. Polls the registry's device context change feed (migration 10) every
// second; changes older than a day are pruned.
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';

const KEEP_MS = 86_400_000;

export function deviceContextWatch(opts: { registry: Pick<Registry, 'forgetMovedDeviceContexts' | 'pruneDeviceContextChanges'>; log: Logger; intervalMs?: number }): Service {
  let timer: NodeJS.Timeout | undefined;
  let polls = 0;
  let polling: Promise<void> | undefined; // one poll at a time; stop() waits for it
  async function poll(): Promise<void> {
    try {
      const read = await opts.registry.forgetMovedDeviceContexts();
      if (read > 0) opts.log.debug({ changes: read }, 'device contexts changed elsewhere: cache entries dropped');
      if (++polls % 3600 === 0) await opts.registry.pruneDeviceContextChanges(Date.now() - KEEP_MS);
    } catch (err) {
      opts.log.warn({ err }, 'device context change feed could not be read; retrying');
    }
  }
  return {
    name: 'device-context-watch',
    start() {
      timer = setInterval(() => {
        // poll() catches and logs its failures; a slow poll is not overlapped by the next one
        polling ??= poll().finally(() => { polling = undefined; });
      }, opts.intervalMs ?? 1000);
      timer.unref();
      return Promise.resolve();
    },
    async stop() {
      clearInterval(timer);
      await polling;
    },
  };
}
