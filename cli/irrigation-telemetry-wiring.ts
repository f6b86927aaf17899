// Wires irrigation events derived from pump and valve telemetry (issue 17, rules/irrigation-from-telemetry.ts) into
// a process that has the rules engine: `ruong start` (the in-process ingest's stored batches) and `ruong rules` (its
// MQTT reading source). The events go to the registry (core/registry/irrigation-events.ts); each one recorded tells
// the rules engine, which re-evaluates the field's water balance at once.
import { createRuleStore } from '../core/alerts/rule-store.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { Registry } from '../core/registry/registry.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { createIrrigationFromTelemetry, type IrrigationFromTelemetry, type IrrigationSink } from '../rules/irrigation-from-telemetry.js';
import type { ReadingSource } from '../rules/reading-source.js';

/** The registry as the derived irrigations' sink: staff scope, one cooperative at a time. */
export function irrigationSink(registry: Registry): IrrigationSink {
  return {
    record: (cooperativeId, fieldId, input, now) => registry.recordIrrigation(cooperativeId, fieldId, input, now),
    has: async (cooperativeId, fieldId, deviceId, fromMs, toMs) =>
      (await registry.irrigationsOfField(cooperativeId, fieldId, fromMs, toMs + 1)).some((e) => e.externalId?.startsWith(`${deviceId}:`) === true),
  };
}

export function wireIrrigationFromTelemetry(deps: {
  registry: Registry; store: ReadingStore; source: ReadingSource; log: Logger;
  /** Told after each recorded irrigation (the rules engine's minute check, which takes new irrigations at once). */
  recorded?: (() => void) | undefined;
  now?: (() => number) | undefined;
}): Service & Pick<IrrigationFromTelemetry, 'idle'> {
  const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });
  const { registry } = deps;
  const cooperatives = createRuleStore(registry.sql); // lists every cooperative
  const derived = createIrrigationFromTelemetry({
    source: deps.source, store: deps.store, sink: irrigationSink(registry), log: deps.log, now: deps.now, onRecorded: deps.recorded,
    directory: {
      cooperativeIds: () => cooperatives.cooperativeIds(),
      fields: (id) => registry.fields(staff(id)),
      devices: (id) => registry.devicesOfCooperative(id),
    },
  });
  return { name: 'irrigation-telemetry', start: () => derived.start(), stop: () => derived.stop(), idle: () => derived.idle() };
}
