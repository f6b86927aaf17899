// Wires the rules engine in one process (docs/architecture.md: only cli/ wires services): the ingest's stored
// batches become its ReadingSource, the registry its RulesDirectory, core/metrics its counters; the
// alerts service (core/alerts) is shared with the API, and its lifecycle events reach the live-update bus.
import { createAlertService, type AlertService } from '../core/alerts/alert-service.js';
import { createRuleStore, type RuleStore } from '../core/alerts/rule-store.js';
import type { EventBus } from '../core/event-bus.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Registry } from '../core/registry/registry.js';
import type { Farm } from '../core/registry/types.js';
import type { Forecast } from '../core/weather/forecast.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { IngestService } from '../ingest/ingest-service.js';
import type { ReadingSource, RulesMetrics } from '../rules/reading-source.js';
import type { RulesDirectory } from '../rules/rule-context.js';
import { createRulesService, type RulesService } from '../rules/rules-service.js';
import type { Scheduler } from '../rules/scheduler.js';

/** The registry as the rules engine sees it: every farm, field and device of a cooperative. */
export function rulesDirectory(registry: Registry, ruleStore: RuleStore): RulesDirectory {
  const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });
  return {
    cooperativeIds: () => ruleStore.cooperativeIds(),
    farms: (id) => registry.farms(staff(id)),
    fields: (id) => registry.fields(staff(id)),
    devices: (id) => registry.devicesOfCooperative(id),
    // recorded irrigations (issue 17): the water balance's input, and the feed that re-evaluates a field at once
    irrigations: async (id, fieldId, from) => (await registry.irrigationsOfField(id, fieldId, from, Number.MAX_SAFE_INTEGER)).reverse(),
    irrigationsAfter: (seq) => registry.irrigationsAfter(seq),
    lastIrrigationSeq: () => registry.lastIrrigationSeq(),
  };
}

export interface RulesWiring {
  readonly alerts: AlertService;
  readonly ruleStore: RuleStore;
  readonly rules: RulesService;
}

export function wireRules(deps: {
  registry: Registry; store: ReadingStore; ingest: IngestService; metrics: Metrics; log: Logger;
  bus?: EventBus | undefined; now?: (() => number) | undefined; scheduler?: Scheduler | undefined;
  /** The weather forecast at a farm (cli/forecast-wiring.ts); absent: advice without forecast. */
  forecast?: ((farm: Farm) => Forecast | undefined) | undefined;
}): RulesWiring {
  const { registry, metrics } = deps;
  const alerts = createAlertService({ sql: registry.sql, log: deps.log, now: deps.now });
  const ruleStore = createRuleStore(registry.sql);
  const source: ReadingSource = {
    subscribe(listener) {
      deps.ingest.events.on('stored', listener);
      return () => { deps.ingest.events.off('stored', listener); };
    },
  };
  const directory = rulesDirectory(registry, ruleStore);
  const rulesMetrics: RulesMetrics = {
    evaluated: (kind) => metrics.ruleEvaluations.inc({ kind }),
    alertOpened: (kind, severity) => metrics.alertsOpened.inc({ kind, severity }),
    taskRun: (task, outcome) => metrics.ruleTaskRuns.inc({ task, outcome }),
  };
  const rules = createRulesService({
    source, ruleStore, alerts, directory, store: deps.store, log: deps.log, now: deps.now, scheduler: deps.scheduler, metrics: rulesMetrics, forecast: deps.forecast,
  });
  const bus = deps.bus;
  if (bus) {
    alerts.subscribe(({ event, alert }) => bus.emit('alert', {
      cooperativeId: alert.cooperativeId, farmId: alert.farmId, fieldId: alert.fieldId, alertId: alert.id, status: alert.status, change: event,
    }));
  }
  return { alerts, ruleStore, rules };
}
