// Sensor trust as the engine's first step (issue 15; rules/sensor-trust.ts for the checks and their sources):
// every sample passes the gate before any rule sees it. The gate keeps each device's trust state (persisted
// with the rules' states, rule `_trust`), raises and resolves the technicians' device-health alerts, hands the
// field rules the sample WITHOUT its suspect channels plus the list of the field's suspect channels (so the
// soil-water advice falls back to the model and says so), and after the 05:30 weather run tells technicians
// about a station day that gave no ET0.
import { DEFAULT_ESCALATE_AFTER_MS } from '../core/alerts/alert-types.js';
import type { AlertService } from '../core/alerts/alert-service.js';
import { soilTextureOf } from '../core/agronomy/field-soil-water.js';
import type { DailyWeatherSummary, DeviceInfo, FieldInfo, Sample } from './evaluation.js';
import { soilWaterOf } from './field-agronomy.js';
import type { CoopContext } from './rule-context.js';
import { groupBy, selectRules } from './rule-context.js';
import type { RuleOf } from './rule-schema.js';
import {
  isSoilMoisture, soilLimits, stepDeviceTrust, suspectsOf, type DeviceTrust, type SoilLimits, type SuspectChannel,
} from './sensor-trust.js';
import { channelAlert, channelSubject, stationDayAlert, stationDaySubject, trustRuleId } from './trust-alerts.js';

export const TRUST_STATE = '_trust';

export interface TrustGateDeps {
  readonly alerts: AlertService;
  /** The engine's state cache (read) and its write-behind (written in the batch's transaction). */
  state(ruleId: string, subject: string): Promise<unknown>;
  put(ruleId: string, subject: string, state: unknown): void;
  readonly alertOpened?: ((kind: string, severity: string) => void) | undefined;
}

/** The soil's limits for a field: the soil-water rule's θFC/θWP overrides, else the texture (Table 19). */
export function fieldSoilLimits(c: CoopContext, field: FieldInfo | undefined): SoilLimits {
  if (!field) return soilLimits(undefined, undefined);
  const soilRule = selectRules(c.rules, field, undefined, (r) => r.kind === 'soil_water')[0] as RuleOf<'soil_water'> | undefined;
  return soilLimits(soilWaterOf(field, soilRule ?? {}), soilTextureOf(field.soilTexture));
}

export function createTrustGate(deps: TrustGateDeps) {
  const { alerts } = deps;
  const subjectOf = (device: DeviceInfo) => `device:${device.id}`;
  // devices by field, per loaded cooperative context (a context is replaced, never changed, when reloaded)
  const byField = new WeakMap<CoopContext, Map<string, DeviceInfo[]>>();
  function devicesOf(c: CoopContext, fieldId: string): readonly DeviceInfo[] {
    let m = byField.get(c);
    if (!m) {
      m = groupBy(c.devices.values(), (d) => d.fieldId); // linear: rules/rule-context.ts groupBy
      byField.set(c, m);
    }
    return m.get(fieldId) ?? [];
  }

  async function raise(c: CoopContext, device: DeviceInfo, subject: string, kind: string, body: ReturnType<typeof stationDayAlert>): Promise<void> {
    const opened = (await alerts.raise({
      cooperativeId: c.id, farmId: device.farmId, fieldId: device.fieldId, deviceId: device.id, ruleId: trustRuleId(c.id), subject,
      kind, severity: 'warning', text: body.text, values: body.values, escalateAfterMs: DEFAULT_ESCALATE_AFTER_MS.warning,
    })).opened;
    if (opened) deps.alertOpened?.(kind, 'warning');
  }

  return {
    /** Steps the device's trust state; returns the sample the field rules may use (suspect channels removed). */
    async screen(c: CoopContext, device: DeviceInfo, field: FieldInfo | undefined, sample: Sample): Promise<Sample> {
      const prev = (await deps.state(TRUST_STATE, subjectOf(device))) as DeviceTrust | undefined;
      if (!prev && !Object.keys(sample.values).some(isSoilMoisture)) return sample;
      const limits = fieldSoilLimits(c, field);
      const step = stepDeviceTrust(prev, sample, limits);
      deps.put(TRUST_STATE, subjectOf(device), step.state);
      for (const e of step.events) {
        const subject = channelSubject(device.id, e.metric);
        if (e.op === 'resolve') await alerts.autoResolve(trustRuleId(c.id), subject, 'the sensor reads plausibly again');
        else if (e.verdict) await raise(c, device, subject, 'sensor_suspect', channelAlert(device, e.metric, e.verdict, e.channel, limits, step.state.lastSampleTs ?? sample.ts));
      }
      return step.sample;
    },

    /** The suspect channels of every device of a field. */
    async suspects(c: CoopContext, fieldId: string): Promise<SuspectChannel[]> {
      const out: SuspectChannel[] = [];
      for (const d of devicesOf(c, fieldId)) {
        const st = (await deps.state(TRUST_STATE, subjectOf(d))) as DeviceTrust | undefined;
        if (st) out.push(...suspectsOf(d, st));
      }
      return out;
    },

    /** After the 05:30 weather run: a station day that gave no ET0 opens a technician alert; a good day resolves it. */
    async stationDay(c: CoopContext, w: DailyWeatherSummary): Promise<void> {
      const station = w.stationId ? c.devices.get(w.stationId) : undefined;
      if (!station) return;
      const subject = stationDaySubject(station.id);
      if (w.estimated.includes('day_not_representative')) {
        const carried = w.et0CarriedFrom !== undefined && w.et0Mm !== null ? { date: w.et0CarriedFrom, mm: w.et0Mm } : undefined;
        await raise(c, station, subject, 'station_day_incomplete', stationDayAlert(station, w.date, w.coverage, carried));
      } else if (w.et0Mm !== null) {
        await alerts.autoResolve(trustRuleId(c.id), subject, 'the station gave a representative day again');
      }
    },
  };
}

export type TrustGate = ReturnType<typeof createTrustGate>;

/** A refused day's ET0 is carried from the last trusted day this many days back at most [judg]. */
export const MAX_CARRY_DAYS = 3;

/**
 * A station day that gave no ET0 of its own (not representative) carries the previous trusted day's ET0,
 * labelled (`et0Method: carried`, `et0CarriedFrom`), for up to `MAX_CARRY_DAYS` (docs/agronomy.md §7: "carry the
 * previous day's value with a label — never a mean of a few night hours").
 */
export function carryEt0(w: DailyWeatherSummary, previous: DailyWeatherSummary | undefined): DailyWeatherSummary {
  if (w.et0Mm !== null || !w.estimated.includes('day_not_representative') || !previous || previous.et0Mm === null) return w;
  const from = previous.et0CarriedFrom ?? previous.date;
  const days = (Date.parse(w.date) - Date.parse(from)) / 86_400_000;
  if (!(days > 0 && days <= MAX_CARRY_DAYS)) return w;
  return { ...w, et0Mm: previous.et0Mm, et0Method: 'carried', estimated: [...w.estimated, `carried_from_${from}`], et0CarriedFrom: from };
}
