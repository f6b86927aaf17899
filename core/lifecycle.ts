// Service lifecycle: constructors only assign; start() acquires; stop() is safe twice and runs
// stop intake → flush → close. A Lifecycle starts services in order and stops them in reverse.
import type { Logger } from './log.js';

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createLifecycle(services: readonly Service[], log: Logger): Lifecycle {
  const started: Service[] = [];
  let stopping: Promise<void> | undefined;

  async function stopAll(): Promise<void> {
    for (const service of [...started].reverse()) {
      try {
        await service.stop();
        log.info({ service: service.name }, 'service stopped');
      } catch (err) {
        log.error({ err, service: service.name }, 'service failed to stop');
      }
    }
    started.length = 0;
  }

  return {
    async start() {
      for (const service of services) {
        try {
          await service.start();
        } catch (err) {
          log.error({ err, service: service.name }, 'service failed to start');
          await stopAll();
          throw err;
        }
        started.push(service);
        log.info({ service: service.name }, 'service started');
      }
    },
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

/** Wraps a stop function so that calling it twice (or concurrently) runs it once. */
export function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
