// The rules service: stream evaluation of every stored batch from a ReadingSource, the every-minute check
// (missing data, escalation of unacknowledged alerts) and the 05:30 daily run (yesterday's ET0 per farm,
// water balance, advice), all through ONE serial queue — a batch, a tick and the daily run never interleave.
// Default rules are seeded for every cooperative that has none. The clock is injected (tests use fake time).
// A rule changed through the API (any process) moves its cooperative's rule revision (migration 8): each batch
// first reloads the rules of a cooperative whose revision moved, so a new threshold applies to the next reading.
import type { AlertService } from '../core/alerts/alert-service.js';
import type { RuleStore } from '../core/alerts/rule-store.js';
import type { Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import { dailyWeather } from './daily-weather.js';
import { defaultRulesFor } from './default-rules.js';
import { createEngine, type Engine, type EngineDeps } from './engine.js';
import type { DailyWeatherSummary } from './evaluation.js';
import { localDay } from './field-agronomy.js';
import type { RulesDirectory } from './rule-context.js';
import { noRulesMetrics, type ReadingSource, type RulesMetrics } from './reading-source.js';
import { createCronScheduler, type Scheduler } from './scheduler.js';
import { carryEt0 } from './trust-gate.js';

export interface RulesServiceOptions {
  readonly source: ReadingSource;
  readonly ruleStore: RuleStore;
  readonly alerts: AlertService;
  readonly directory: RulesDirectory;
  readonly store: ReadingStore;
  readonly log: Logger;
  readonly now?: (() => number) | undefined;
  readonly scheduler?: Scheduler | undefined;
  readonly metrics?: RulesMetrics | undefined;
  /** The weather forecast at a farm (issue 17); absent: advice without forecast. */
  readonly forecast?: EngineDeps['forecast'];
}

export interface RulesService extends Service {
  readonly engine: Engine;
  /** Queues the daily run (yesterday's weather → daily rules → advice) and resolves when it is done. */
  runDaily(): Promise<void>;
  /** Queues the every-minute check (missing data, escalation) and resolves when it is done. */
  checkMinute(): Promise<void>;
  /** Resolves once everything queued so far is evaluated. */
  idle(): Promise<void>;
}

export const SCHEDULE = { daily: '30 5 * * *', minute: '* * * * *' } as const;
const WEATHER_RULE = '_weather';
const DAY_MS = 86_400_000;

export function createRulesService(opts: RulesServiceOptions): RulesService {
  const now = opts.now ?? Date.now;
  const { log, ruleStore } = opts;
  const metrics = opts.metrics ?? noRulesMetrics;
  const engine = createEngine({ ruleStore, alerts: opts.alerts, directory: opts.directory, log, now, metrics, forecast: opts.forecast });
  const scheduler = opts.scheduler ?? createCronScheduler({ log, metrics });
  let chain: Promise<void> = Promise.resolve();
  let unsubscribe: (() => void) | undefined;
  let startedAt = 0;
  let stopping: Promise<void> | undefined;

  function enqueue(what: string, work: () => void | Promise<void>): Promise<void> {
    const next = chain.then(work).catch((err: unknown) => { log.error({ err, work: what }, 'rules evaluation failed'); });
    chain = next;
    return next;
  }

  async function seedDefaults(): Promise<void> {
    for (const id of await ruleStore.cooperativeIds()) {
      if (await ruleStore.hasRules(id)) continue;
      for (const r of defaultRulesFor(id)) await ruleStore.putRule(id, r.id, r.definition, now());
      log.info({ cooperativeId: id }, 'default rules seeded');
    }
  }

  async function seedLatest(): Promise<void> {
    for (const id of await ruleStore.cooperativeIds()) {
      const c = await engine.coop(id, true);
      for (const farmId of c.farms.keys()) {
        const cached = (await ruleStore.state(WEATHER_RULE, `farm:${farmId}`)) as DailyWeatherSummary | undefined;
        if (cached) engine.weather.set(farmId, cached);
      }
      const latest = await opts.store.latest({ cooperativeId: id });
      engine.remember(latest.filter((r) => c.devices.has(r.deviceId)));
    }
  }

  async function daily(): Promise<void> {
    const date = localDay(now() - DAY_MS);
    const weather = new Map<string, DailyWeatherSummary>();
    for (const id of await ruleStore.cooperativeIds()) {
      const c = await engine.coop(id, true);
      for (const farm of c.farms.values()) {
        const stations = [...c.devices.values()].filter((d) => d.farmId === farm.id && d.kind === 'weather_station');
        // a day too incomplete for ET0 carries the last trusted day's, labelled (rules/trust-gate.ts)
        const w = carryEt0(await dailyWeather(opts.store, farm, stations, date), engine.weather.get(farm.id));
        weather.set(farm.id, w);
        await ruleStore.putState(WEATHER_RULE, `farm:${farm.id}`, w, now());
      }
    }
    await engine.daily(weather);
    log.info({ date, farms: weather.size }, 'daily advice computed');
  }

  const revisions = new Map<string, number>();
  /** Reloads the cooperatives of the batch whose rules changed since they were loaded (one indexed read each). */
  async function reloadChangedRules(batch: readonly StoredReading[]): Promise<void> {
    for (const id of new Set(batch.map((r) => r.cooperativeId))) {
      const revision = await ruleStore.revision(id);
      if (revisions.get(id) === revision) continue;
      if (revisions.has(id)) log.info({ cooperativeId: id, revision }, 'rules changed: reloaded');
      await engine.coop(id, true);
      revisions.set(id, revision);
    }
  }

  const onBatch = (batch: readonly StoredReading[]) => {
    void enqueue('batch', async () => {
      await reloadChangedRules(batch);
      await engine.handleBatch(batch);
    });
  };

  return {
    name: 'rules',
    engine,
    runDaily: () => enqueue('daily', daily),
    checkMinute: () => enqueue('minute', async () => {
      await engine.tick(startedAt);
      await opts.alerts.escalateDue();
    }),
    idle: () => chain,

    async start() {
      await seedDefaults();
      await seedLatest();
      startedAt = now();
      unsubscribe = opts.source.subscribe(onBatch);
      scheduler.schedule('daily-advice', SCHEDULE.daily, () => this.runDaily());
      scheduler.schedule('minute-check', SCHEDULE.minute, () => this.checkMinute());
      scheduler.start();
      void this.runDaily(); // today's advice right away, not at tomorrow's 05:30
    },

    stop() {
      stopping ??= (async () => {
        unsubscribe?.();
        await scheduler.stop();
        await chain;
      })();
      return stopping;
    },
  };
}
