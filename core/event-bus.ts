// A small in-process event bus for live updates (docs/architecture.md: a cross-service signal travels as an
// event that cli/ wires in one process). The ingest's stored batches and the alert lifecycle are
// published here; the API's Server-Sent Events stream subscribes. Listeners never throw into the
// publisher: a failing listener is isolated and counted by the caller's own try/catch.
import { EventEmitter } from 'node:events';
import type { StoredReading } from './telemetry/reading.js';

/** New readings of one batch, as stored (already scoped by cooperative, farm and field). */
export interface ReadingsEvent {
  readonly readings: readonly StoredReading[];
}

/** An alert was opened, acknowledged, resolved or commented (rules/ and api/ both publish). */
export interface AlertEvent {
  readonly cooperativeId: string;
  readonly farmId: string | null;
  readonly fieldId: string | null;
  readonly alertId: string;
  readonly status: string;
  readonly change: string;
}

export interface BusEvents {
  readings: [ReadingsEvent];
  alert: [AlertEvent];
}

export interface EventBus {
  on<K extends keyof BusEvents>(event: K, listener: (...args: BusEvents[K]) => void): () => void;
  emit<K extends keyof BusEvents>(event: K, ...args: BusEvents[K]): void;
  listenerCount(event: keyof BusEvents): number;
}

export function createEventBus(): EventBus {
  const emitter = new EventEmitter<BusEvents>();
  emitter.setMaxListeners(0); // one listener per open SSE stream
  return {
    on(event, listener) {
      const wrapped = ((...args: Parameters<typeof listener>) => {
        try {
          listener(...args);
        } catch {
          // a subscriber's bug must not break the publisher (the ingest's write path)
        }
      }) as never;
      emitter.on(event, wrapped);
      return () => {
        emitter.off(event, wrapped);
      };
    },
    emit(event, ...args) {
      (emitter.emit as (e: string, ...a: unknown[]) => boolean)(event, ...args);
    },
    listenerCount: (event) => emitter.listenerCount(event),
  };
}
