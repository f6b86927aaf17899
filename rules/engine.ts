// The rules engine: turns stored readings (stream), minute ticks and the daily run into evaluations of the
// pure rule functions, persists each rule's state per subject in the registry (SQLite or PostgreSQL) and applies the alert intents to
// core/alerts — state and alerts of one batch in one transaction, so a crash leaves no half-applied batch
// and a restart neither re-alerts nor forgets a pending duration. Recorded irrigations (issue 17) reach the rules
// that read them (`irrigation: true`) with every input, and the minute check re-evaluates a field at once when
// one is recorded — polled from the registry, so it works whether the API runs in this process or another.
import { DEFAULT_ESCALATE_AFTER_MS, type AlertRaise } from '../core/alerts/alert-types.js';
import type { AlertService } from '../core/alerts/alert-service.js';
import type { Advice, RuleStore } from '../core/alerts/rule-store.js';
import type { Logger } from '../core/log.js';
import type { StoredReading } from '../core/telemetry/reading.js';
import type { Farm } from '../core/registry/types.js';
import type { Forecast } from '../core/weather/forecast.js';
import type { DailyWeatherSummary, DeviceInfo, FarmLatest, FieldInfo, IrrigationRecord, RuleInput, RuleResult, Sample } from './evaluation.js';
import { onlyClockMoved } from './condition.js';
import { localDay } from './field-agronomy.js';
import { evaluate, handlerOf } from './kinds/index.js';
import { loadCoopContext, selectRules, type CoopContext, type RulesDirectory } from './rule-context.js';
import type { Rule } from './rule-schema.js';
import { noRulesMetrics, type RulesMetrics } from './reading-source.js';
import { createTrustGate } from './trust-gate.js';
import { createCombineGate } from './combine-gate.js';
import type { AlertValues } from '../core/alerts/alert-types.js';

export interface EngineDeps {
  readonly ruleStore: RuleStore;
  readonly alerts: AlertService;
  readonly directory: RulesDirectory;
  readonly log: Logger;
  readonly now: () => number;
  readonly metrics?: RulesMetrics | undefined;
  /** The last good forecast at a farm's location (core/weather/forecast-service.ts); absent: no forecast. */
  readonly forecast?: ((farm: Farm) => Forecast | undefined) | undefined;
}

type Latest = Record<string, { value: number; ts: number; deviceId: string }>;

const isDeviceRule = (r: Rule) => handlerOf(r).target === 'device';
const isFieldRule = (r: Rule) => handlerOf(r).target === 'field';
const readsIrrigation = (r: Rule) => handlerOf(r).irrigation === true;
const readsForecast = (r: Rule) => handlerOf(r).forecast === true;

/** How far back a field's recorded irrigations reach the rules: the water balance folds in late reports this old [judg]. */
export const IRRIGATION_LOOKBACK_MS = 7 * 86_400_000;

/** Readings of one batch grouped into samples (one device, one instant), in time order. */
export function toSamples(batch: readonly StoredReading[]): { sample: Sample; cooperativeId: string }[] {
  const groups = new Map<string, { sample: { deviceId: string; ts: number; values: Record<string, number> }; cooperativeId: string }>();
  for (const r of batch) {
    const key = `${r.deviceId}\u0000${r.ts}`;
    const g = groups.get(key) ?? { sample: { deviceId: r.deviceId, ts: r.ts, values: {} }, cooperativeId: r.cooperativeId };
    g.sample.values[r.metric] = r.value;
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => a.sample.ts - b.sample.ts);
}

export type Engine = ReturnType<typeof createEngine>;

export function createEngine(deps: EngineDeps) {
  const { ruleStore, alerts, log } = deps;
  const metrics = deps.metrics ?? noRulesMetrics;
  const coops = new Map<string, CoopContext>();
  const states = new Map<string, unknown>();
  const latestByFarm = new Map<string, Latest>();
  const weatherByFarm = new Map<string, DailyWeatherSummary>();
  // Written once per transaction (the last state per rule and subject, the last advice per field).
  const dirtyStates = new Map<string, { ruleId: string; subject: string; state: unknown }>();
  const dirtyAdvice = new Map<string, { cooperativeId: string; advice: Advice }>();
  // Alerts opened in the running transaction: counted once it commits (a run rolled back opened nothing).
  const openedInTx: { kind: string; severity: string }[] = [];
  const countOpened = (kind: string, severity: string): void => { openedInTx.push({ kind, severity }); };
  // Recorded irrigations per field, read once and dropped when the feed shows a new one (or at the daily run).
  const irrigationCache = new Map<string, readonly IrrigationRecord[]>();
  let irrigationSeq: number | undefined;

  async function irrigationsOf(cooperativeId: string, fieldId: string): Promise<readonly IrrigationRecord[] | undefined> {
    if (!deps.directory.irrigations) return undefined;
    const key = `${cooperativeId}\u0000${fieldId}`;
    let list = irrigationCache.get(key);
    if (!list) {
      list = await deps.directory.irrigations(cooperativeId, fieldId, deps.now() - IRRIGATION_LOOKBACK_MS);
      irrigationCache.set(key, list);
    }
    return list;
  }

  /** The input with the field's irrigations when the rule reads them. */
  const withIrrigations = async (rule: Rule, input: RuleInput, cooperativeId: string): Promise<RuleInput> =>
    (readsIrrigation(rule) && input.field ? { ...input, irrigations: await irrigationsOf(cooperativeId, input.field.id) } : input);

  /** The input with the forecast at the field's farm when the rule reads it (issue 17). */
  function withForecast(rule: Rule, input: RuleInput, cooperativeId: string): RuleInput {
    if (!deps.forecast || !readsForecast(rule) || !input.field) return input;
    const farm = coops.get(cooperativeId)?.farms.get(input.field.farmId);
    return farm ? { ...input, forecast: deps.forecast(farm) } : input;
  }

  /**
   * Runs a unit of work in one transaction with the states and advice it changed. The engine's callers never run
   * two units at once (rules/rules-service.ts's serial queue): the state cache and the dirty maps are shared.
   */
  async function atomically(work: () => Promise<void>): Promise<void> {
    let attempt = 0;
    try {
      await alerts.atomically(async () => {
        if (attempt++ > 0) {
          // PostgreSQL runs the transaction again after a serialization failure: start from the database's states,
          // not from the cache the rolled-back attempt advanced
          states.clear();
          dirtyStates.clear();
          dirtyAdvice.clear();
          openedInTx.length = 0;
        }
        await work();
        const now = deps.now();
        for (const d of dirtyStates.values()) await ruleStore.putState(d.ruleId, d.subject, d.state, now);
        for (const d of dirtyAdvice.values()) await ruleStore.putAdvice(d.cooperativeId, d.advice, now);
      });
      for (const o of openedInTx) metrics.alertOpened(o.kind, o.severity);
    } catch (err) {
      states.clear(); // rolled back: the cache must not run ahead of the database
      throw err;
    } finally {
      dirtyStates.clear();
      dirtyAdvice.clear();
      openedInTx.length = 0;
    }
  }

  async function coop(id: string, reload = false): Promise<CoopContext> {
    let c = coops.get(id);
    if (!c || reload) {
      c = await loadCoopContext(id, deps.directory, ruleStore, log);
      coops.set(id, c);
    }
    return c;
  }

  /** A device of the batch the cache does not know yet (provisioned since) reloads its cooperative once. */
  async function deviceOf(cooperativeId: string, deviceId: string): Promise<{ c: CoopContext; device: DeviceInfo } | undefined> {
    let c = await coop(cooperativeId);
    if (!c.devices.has(deviceId)) c = await coop(cooperativeId, true);
    const device = c.devices.get(deviceId);
    return device ? { c, device } : undefined;
  }

  async function stateOf(ruleId: string, subject: string): Promise<unknown> {
    const key = `${ruleId}\u0000${subject}`;
    if (!states.has(key)) states.set(key, await ruleStore.state(ruleId, subject));
    return states.get(key);
  }

  // Sensor trust first (rules/trust-gate.ts): its state lives with the rules' states, in the batch's transaction.
  const trust = createTrustGate({
    alerts, state: stateOf, alertOpened: countOpened,
    put: trustPut,
  });

  function trustPut(ruleId: string, subject: string, state: unknown): void {
    const key = `${ruleId}\u0000${subject}`;
    states.set(key, state);
    dirtyStates.set(key, { ruleId, subject, state });
  }

  // Several sensors of one kind per field (rules/combine-gate.ts): salinity and AWD rules see the field's combined value.
  const combine = createCombineGate({ alerts, state: stateOf, put: trustPut, alertOpened: countOpened });

  async function applyAlert(rule: Rule, subject: string, result: RuleResult, field: FieldInfo | undefined, device: DeviceInfo | undefined, cooperativeId: string): Promise<void> {
    const a = result.alert;
    if (!a) return;
    if (a.op === 'resolve') {
      await alerts.autoResolve(rule.id, subject, a.reason ?? 'condition cleared');
      return;
    }
    if (a.op === 'update') {
      await alerts.refresh(rule.id, subject, a);
      return;
    }
    const raise: AlertRaise = {
      cooperativeId, farmId: field?.farmId ?? device?.farmId ?? null, fieldId: field?.id ?? device?.fieldId ?? null, deviceId: device?.id ?? null,
      ruleId: rule.id, subject, kind: a.kind, severity: a.severity, text: a.text, values: a.values,
      escalateAfterMs: rule.escalateAfter === undefined ? DEFAULT_ESCALATE_AFTER_MS[a.severity] : rule.escalateAfter,
    };
    if ((await alerts.raise(raise)).opened) countOpened(a.kind, a.severity);
  }

  /** The combined sensors' numbers behind an alert and an advice (rules/combine-gate.ts). */
  function withExtra(result: RuleResult, extra: AlertValues | undefined): RuleResult {
    if (!extra || Object.keys(extra).length === 0) return result;
    const numeric = Object.fromEntries(Object.entries(extra).filter((e): e is [string, number] => typeof e[1] === 'number'));
    return {
      ...result,
      alert: result.alert && { ...result.alert, values: { ...result.alert.values, ...extra } },
      advice: result.advice && { ...result.advice, numbers: { ...result.advice.numbers, ...numeric } },
    };
  }

  async function run(rule: Rule, subject: string, input: RuleInput, cooperativeId: string, extra?: AlertValues): Promise<void> {
    const now = deps.now();
    let result: RuleResult;
    let state: unknown;
    try {
      state = await stateOf(rule.id, subject);
      const full = withForecast(rule, await withIrrigations(rule, input, cooperativeId), cooperativeId);
      result = withExtra(evaluate(rule, state, full, now), extra);
    } catch (err) {
      // One rule's bug (or a field's impossible data) must not stop the other rules of the batch.
      log.error({ err, ruleId: rule.id, subject }, 'rule evaluation failed');
      return;
    }
    metrics.evaluated(rule.kind);
    const key = `${rule.id}\u0000${subject}`;
    states.set(key, result.state);
    // A tick that only moved the condition's clock is not written: see onlyClockMoved.
    if (input.type !== 'tick' || dirtyStates.has(key) || !onlyClockMoved(state, result.state)) {
      dirtyStates.set(key, { ruleId: rule.id, subject, state: result.state });
    }
    await applyAlert(rule, subject, result, input.field, input.device, cooperativeId);
    if (result.advice && input.field) {
      const w = input.weather;
      dirtyAdvice.set(input.field.id, {
        cooperativeId,
        advice: {
          ...result.advice, fieldId: input.field.id, date: localDay(now), computedAt: new Date(now).toISOString(),
          et0: w && w.et0Mm !== null ? { date: w.date, mm: w.et0Mm, method: w.et0Method, estimated: w.estimated } : null,
        },
      });
    }
  }

  function remember(farmId: string, sample: Sample): FarmLatest {
    combine.remember(sample);
    const latest = latestByFarm.get(farmId) ?? {};
    for (const [metric, value] of Object.entries(sample.values)) {
      const prev = latest[metric];
      if (!prev || sample.ts >= prev.ts) latest[metric] = { value, ts: sample.ts, deviceId: sample.deviceId };
    }
    latestByFarm.set(farmId, latest);
    return latest;
  }

  async function onSample(sample: Sample, cooperativeId: string): Promise<void> {
    const found = await deviceOf(cooperativeId, sample.deviceId);
    if (!found) return;
    const { c, device } = found;
    const ownField = c.fields.get(device.fieldId);
    // Device rules (stuck, thresholds) see what the device sent; field rules only what the platform believes.
    const trusted = await trust.screen(c, device, ownField, sample);
    const farm = remember(device.farmId, trusted);
    const weather = weatherByFarm.get(device.farmId);
    for (const rule of selectRules(c.rules, ownField, device, isDeviceRule)) {
      if (handlerOf(rule).reach(rule, sample, device)) {
        await run(rule, `device:${device.id}`, { type: 'sample', sample, device, field: ownField, farm, weather }, cooperativeId);
      }
    }
    for (const field of c.fieldsByFarm.get(device.farmId) ?? []) {
      let suspects: Awaited<ReturnType<typeof trust.suspects>> | undefined;
      for (const rule of selectRules(c.rules, field, device, isFieldRule)) {
        const reach = handlerOf(rule).reach(rule, sample, device);
        if (reach === 'farm' || (reach === 'own' && field.id === device.fieldId)) {
          suspects ??= await trust.suspects(c, field.id);
          const one = await combine.forField(c, rule, field, device, trusted, farm);
          if (!one) continue; // another sensor decides for this field (its intake)
          await run(rule, `field:${field.id}`, { type: 'sample', sample: one.sample, device: one.device, field, farm: one.farm ?? farm, weather, suspects }, cooperativeId, one.extra);
        }
      }
    }
  }

  /** Fields with irrigations recorded since the last look: their irrigation rules run again now (issue 17). */
  async function irrigationsRecorded(): Promise<void> {
    if (!deps.directory.irrigationsAfter || !deps.directory.lastIrrigationSeq) return;
    if (irrigationSeq === undefined) {
      // the first look: earlier events reach the rules with the daily run that follows every start
      irrigationSeq = await deps.directory.lastIrrigationSeq();
      return;
    }
    const recorded = await deps.directory.irrigationsAfter(irrigationSeq);
    if (recorded.length === 0) return;
    irrigationSeq = Math.max(irrigationSeq, ...recorded.map((e) => e.seq));
    const byCoop = new Map<string, Set<string>>();
    for (const e of recorded) {
      irrigationCache.delete(`${e.cooperativeId}\u0000${e.fieldId}`);
      byCoop.set(e.cooperativeId, (byCoop.get(e.cooperativeId) ?? new Set()).add(e.fieldId));
    }
    for (const [id, fieldIds] of byCoop) {
      const known = await coop(id);
      const c = [...fieldIds].every((f) => known.fields.has(f)) ? known : await coop(id, true); // a field created since
      await atomically(async () => {
        for (const fieldId of fieldIds) {
          const field = c.fields.get(fieldId);
          if (!field) continue;
          const farm = latestByFarm.get(field.farmId) ?? {};
          const weather = weatherByFarm.get(field.farmId);
          const suspects = await trust.suspects(c, field.id);
          for (const rule of selectRules(c.rules, field, undefined, (r) => isFieldRule(r) && readsIrrigation(r))) {
            await run(rule, `field:${field.id}`, { type: 'irrigation', field, farm, weather, suspects }, id);
          }
        }
      });
    }
  }

  return {
    /** Evaluates a stored batch: every sample against every rule it reaches. */
    async handleBatch(batch: readonly StoredReading[]): Promise<void> {
      await atomically(async () => {
        for (const { sample, cooperativeId } of toSamples(batch)) await onSample(sample, cooperativeId);
      });
    },

    /** The every-minute check of rules that watch time itself (missing data), for every device. */
    async tick(watchingSince: number): Promise<void> {
      await irrigationsRecorded();
      for (const id of await ruleStore.cooperativeIds()) {
        const c = await coop(id, true); // picks up rule and registry changes once a minute
        await atomically(async () => {
          for (const device of c.devices.values()) {
            const field = c.fields.get(device.fieldId);
            const farm = latestByFarm.get(device.farmId) ?? {};
            for (const rule of selectRules(c.rules, field, device, (r) => isDeviceRule(r) && handlerOf(r).ticks === true)) {
              await run(rule, `device:${device.id}`, { type: 'tick', watchingSince, device, field, farm }, id);
            }
          }
        });
      }
    },

    /** The 05:30 run: yesterday's weather per farm → daily rules of every field and station, and today's advice. */
    async daily(weather: ReadonlyMap<string, DailyWeatherSummary>): Promise<void> {
      for (const [farmId, w] of weather) weatherByFarm.set(farmId, w);
      irrigationCache.clear();
      if (irrigationSeq === undefined) irrigationSeq = await deps.directory.lastIrrigationSeq?.();
      for (const id of await ruleStore.cooperativeIds()) {
        const c = await coop(id, true);
        await atomically(async () => {
          for (const farmId of c.farms.keys()) {
            const w = weatherByFarm.get(farmId) ?? noWeather(localDay(deps.now() - 86_400_000));
            if (weather.has(farmId)) await trust.stationDay(c, w);
            const farm = latestByFarm.get(farmId) ?? {};
            for (const field of c.fieldsByFarm.get(farmId) ?? []) {
              const suspects = await trust.suspects(c, field.id);
              for (const rule of selectRules(c.rules, field, undefined, (r) => isFieldRule(r) && handlerOf(r).daily === true)) {
                await run(rule, `field:${field.id}`, { type: 'daily', weather: w, field, farm, suspects }, id);
              }
            }
            for (const device of [...c.devices.values()].filter((d) => d.farmId === farmId && d.id === w.stationId)) {
              const field = c.fields.get(device.fieldId);
              for (const rule of selectRules(c.rules, field, device, (r) => isDeviceRule(r) && handlerOf(r).daily === true)) {
                await run(rule, `device:${device.id}`, { type: 'daily', weather: w, device, field, farm }, id);
              }
            }
          }
        });
      }
    },

    /** Seeds the farms' newest values (canal EC, wind) from the store at start. */
    remember(readings: readonly StoredReading[], farmOf: (r: StoredReading) => string = (r) => r.farmId): void {
      for (const r of readings) remember(farmOf(r), { deviceId: r.deviceId, ts: r.ts, values: { [r.metric]: r.value } });
    },

    weather: weatherByFarm,
    coop,
  };
}

/** Weather of a farm without a station (or without data): no ET0, labelled so. */
export function noWeather(date: string): DailyWeatherSummary {
  return {
    date, et0Mm: null, et0Method: 'none', estimated: [], complete: false, coverage: 0, tmaxC: null, tminC: null, tmeanC: null,
    rhminPct: null, windMeanMs: null, rainMm: null, stationId: null,
  };
}
