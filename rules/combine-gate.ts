// Several sensors of one kind per field, in the engine (issue 15 B; policies in rules/sensor-combine.ts): before
// a canal-salinity or AWD rule sees a sample, the gate replaces its value by the field's combined value — the
// intake sensor's or the worst EC; the mean of the field's tubes — and names the sensor that decided. So a second
// canal sensor at 0.2 dS/m no longer resets the duration timer of one at 5.0 dS/m, and the advice no longer flips
// between sensors. An AWD tube far from the field's other tubes (a dry corner, a blocked tube) keeps its own
// state (rule `_combine`, subject `device:<id>`) and opens its own alert after 30 min.
import { DEFAULT_ESCALATE_AFTER_MS, type AlertValues } from '../core/alerts/alert-types.js';
import type { AlertService } from '../core/alerts/alert-service.js';
import { stepCondition, type ConditionState } from './condition.js';
import type { DeviceInfo, FarmLatest, FieldInfo, Sample } from './evaluation.js';
import { groupBy, selectRules } from './rule-context.js';
import type { CoopContext } from './rule-context.js';
import type { Rule } from './rule-schema.js';
import { AWD_OUTLIER_CM, combineAwd, combineSalinity, type PeerReading } from './sensor-combine.js';
import { num, type Lang } from './text-format.js';

export const COMBINE_STATE = '_combine';
const OUTLIER_TIMING = { forMs: 30 * 60_000, clearForMs: 60 * 60_000, cooldownMs: 6 * 3_600_000 } as const;

export interface CombineGateDeps {
  readonly alerts: AlertService;
  state(ruleId: string, subject: string): Promise<unknown>;
  put(ruleId: string, subject: string, state: unknown): void;
  readonly alertOpened?: ((kind: string, severity: string) => void) | undefined;
}

export interface CombinedInput {
  readonly sample: Sample;
  readonly device: DeviceInfo;
  /** Added to the alert's values and the advice's numbers: the policy, the deciding sensor, every sensor's value. */
  readonly extra: AlertValues;
  /** The farm's newest values as the rule should see them (AWD: the canal EC by the salinity policy). */
  readonly farm?: FarmLatest | undefined;
}

export function createCombineGate(deps: CombineGateDeps) {
  const latest = new Map<string, Record<string, { value: number; ts: number }>>();

  const byFarm = new WeakMap<CoopContext, Map<string, DeviceInfo[]>>();
  function devicesOf(c: CoopContext, farmId: string): readonly DeviceInfo[] {
    let m = byFarm.get(c);
    if (!m) {
      m = groupBy(c.devices.values(), (d) => d.farmId); // linear: rules/rule-context.ts groupBy
      byFarm.set(c, m);
    }
    return m.get(farmId) ?? [];
  }

  /** The newest `metric` of the farm's devices that `keep` accepts. */
  function peers(c: CoopContext, farmId: string, metric: string, keep: (d: DeviceInfo) => boolean): PeerReading[] {
    const out: PeerReading[] = [];
    for (const d of devicesOf(c, farmId)) {
      const r = keep(d) ? latest.get(d.id)?.[metric] : undefined;
      if (r) out.push({ deviceId: d.id, value: r.value, ts: r.ts });
    }
    return out;
  }

  async function outlierAlert(c: CoopContext, device: DeviceInfo, field: FieldInfo, o: { levelCm: number; othersMeanCm: number } | undefined, ts: number): Promise<void> {
    const subject = `device:${device.id}`;
    const prev = (await deps.state(COMBINE_STATE, subject)) as { cond?: ConditionState; last?: { levelCm: number; othersMeanCm: number } } | undefined;
    const step = stepCondition(prev?.cond ?? { phase: 'idle' }, o ? 'on' : 'off', ts, OUTLIER_TIMING);
    deps.put(COMBINE_STATE, subject, { cond: step.state, last: o ?? prev?.last });
    const ruleId = `${c.id}:sensor_combine`;
    const alertSubject = `device:${device.id}:awd_outlier`;
    if (step.transition === 'resolve') await deps.alerts.autoResolve(ruleId, alertSubject, 'the tube agrees with the others again');
    if (step.transition !== 'open' || !o) return;
    const cm = (x: number, lang: Lang) => `${num(x, 0, lang)} cm`;
    const off = Math.abs(o.levelCm - o.othersMeanCm);
    const opened = (await deps.alerts.raise({
      cooperativeId: c.id, farmId: field.farmId, fieldId: field.id, deviceId: device.id, ruleId, subject: alertSubject, kind: 'awd_tube_outlier',
      severity: 'warning', escalateAfterMs: DEFAULT_ESCALATE_AFTER_MS.warning,
      text: {
        vi: `${device.name}: mực nước ${cm(o.levelCm, 'vi')}, lệch ${cm(off, 'vi')} so với các ống khác trong ruộng (${cm(o.othersMeanCm, 'vi')}) — kiểm tra ống (tắc, lệch chỗ) hoặc chỗ ruộng trũng, cao`,
        en: `${device.name}: water level ${cm(o.levelCm, 'en')}, ${cm(off, 'en')} off the field's other tubes (${cm(o.othersMeanCm, 'en')}) — check the tube (blocked, moved) or a low or high spot of the field`,
      },
      values: { levelCm: o.levelCm, othersMeanCm: o.othersMeanCm, differenceCm: off, thresholdCm: AWD_OUTLIER_CM, readingTs: ts },
    })).opened;
    if (opened) deps.alertOpened?.('awd_tube_outlier', 'warning');
  }

  /** The canal EC an AWD refill would take for the field: its intake sensor's, else the worst fresh one (not the newest). */
  function canalFor(c: CoopContext, field: FieldInfo, farm: FarmLatest): FarmLatest {
    const newest = farm.water_ec;
    if (!newest) return {};
    const salinity = selectRules(c.rules, field, undefined, (r) => r.kind === 'canal_salinity')[0];
    const intake = salinity?.kind === 'canal_salinity' ? salinity.intakeDeviceId : undefined;
    const all = peers(c, field.farmId, 'water_ec', (d) => d.kind === 'canal_sensor');
    const own = all.find((p) => p.deviceId === (intake ?? newest.deviceId)) ?? { deviceId: newest.deviceId, value: newest.value, ts: newest.ts };
    const r = combineSalinity(own, all, intake);
    return r ? { water_ec: { value: r.value, ts: own.ts, deviceId: r.decidingDeviceId } } : {};
  }

  return {
    /** Every trusted sample: each device's newest value per metric. */
    remember(sample: Sample): void {
      const mine = latest.get(sample.deviceId) ?? {};
      for (const [metric, value] of Object.entries(sample.values)) {
        const prev = mine[metric];
        if (!prev || sample.ts >= prev.ts) mine[metric] = { value, ts: sample.ts };
      }
      latest.set(sample.deviceId, mine);
    },

    /** The rule's input for the field: combined (salinity, AWD), unchanged (other kinds), or undefined = skip. */
    async forField(c: CoopContext, rule: Rule, field: FieldInfo, device: DeviceInfo, sample: Sample, farm: FarmLatest): Promise<CombinedInput | undefined> {
      if (rule.kind === 'canal_salinity') {
        const ec = sample.values.water_ec;
        if (ec === undefined) return { sample, device, extra: {} };
        const reach = (d: DeviceInfo) => d.kind === 'canal_sensor' && (rule.appliesTo === 'farm' ? d.farmId === field.farmId : d.fieldId === field.id);
        const r = combineSalinity({ deviceId: device.id, value: ec, ts: sample.ts }, peers(c, field.farmId, 'water_ec', reach), rule.intakeDeviceId);
        if (!r) return undefined;
        const decider = c.devices.get(r.decidingDeviceId) ?? device;
        return { sample: { ...sample, deviceId: decider.id, values: { ...sample.values, water_ec: r.value } }, device: decider, extra: { combinePolicy: r.policy, decidingDeviceId: decider.id, ...r.numbers } };
      }
      if (rule.kind === 'awd') {
        const level = sample.values.awd_level;
        if (level === undefined) return { sample, device, extra: {} };
        const r = combineAwd({ deviceId: device.id, value: level, ts: sample.ts }, peers(c, field.farmId, 'awd_level', (d) => d.kind === 'awd_tube' && d.fieldId === field.id));
        await outlierAlert(c, device, field, r.outliers.find((o) => o.deviceId === device.id), sample.ts);
        return {
          sample: { ...sample, values: { ...sample.values, awd_level: r.value } }, device, extra: { combinePolicy: r.policy, ...r.numbers },
          farm: { ...farm, ...canalFor(c, field, farm) },
        };
      }
      return { sample, device, extra: {} };
    },
  };
}

export type CombineGate = ReturnType<typeof createCombineGate>;
