// Where the rules engine gets readings (docs/architecture.md): in one process, the ingest's in-process stream of
// stored batches (cli/ adapts `ingest.events.on('stored', …)`); as a separate process, an MQTT subscription
// decoded with core/telemetry. rules/ never imports ingest/.
import type { StoredReading } from '../core/telemetry/reading.js';

export interface ReadingSource {
  /** Registers a listener for every batch once it is stored; returns the function that removes it. */
  subscribe(listener: (batch: readonly StoredReading[]) => void): () => void;
}

/** Counters the engine reports to (cli/ binds them to core/metrics). */
export interface RulesMetrics {
  evaluated(kind: string): void;
  alertOpened(kind: string, severity: string): void;
  taskRun(task: string, outcome: 'ok' | 'failed' | 'skipped'): void;
}

export const noRulesMetrics: RulesMetrics = { evaluated: () => undefined, alertOpened: () => undefined, taskRun: () => undefined };
