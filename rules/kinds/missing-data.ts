// Missing data: a device silent for more than `factor` × its expected reporting interval is offline
// (checked every minute); any reading from it resolves the alert. Silence is measured on the service's
// clock from when the engine last heard the device — a buffered backlog with old timestamps still proves
// the device is talking. After a restart the device gets the same grace as a new one (watchingSince):
// while Ruộng itself was down nobody could hear it. The grace only holds back a new alert: it is not hearing the
// device, so an offline alert open before the restart stays open until the device reports again (it used to be
// resolved by the first check after a restart and opened again an hour later).
import type { ConditionState } from '../condition.js';
import { decide, severityOf, type KindHandler, type RuleResult } from '../evaluation.js';
import type { RuleOf } from '../rule-schema.js';
import { duration } from '../text-format.js';

export interface MissingDataState {
  readonly cond?: ConditionState | undefined;
  /** Service-clock time the device was last heard. */
  readonly lastSeen?: number | undefined;
  /** Device time of its newest reading. */
  readonly lastReadingTs?: number | undefined;
}

export const missingData: KindHandler<RuleOf<'missing_data'>, MissingDataState> = {
  target: 'device',
  ticks: true,
  reach: () => 'own',
  evaluate(rule, state, input, now): RuleResult<MissingDataState> {
    const device = input.device;
    if (!device || input.type === 'daily') return { state: state ?? {} };
    const limitMs = rule.factor * rule.expectedInterval;
    const heard = input.type === 'sample';
    const lastSeen = heard ? Math.max(now, state?.lastSeen ?? now) : state?.lastSeen;
    const lastReadingTs = heard ? Math.max(input.sample.ts, state?.lastReadingTs ?? input.sample.ts) : state?.lastReadingTs;
    const from = Math.max(lastSeen ?? 0, input.type === 'tick' ? input.watchingSince : 0);
    const silentMs = now - from;
    // Inside the restart grace without a reading in the limit: 'band' — neither opens nor clears (rules/condition.ts).
    const heardWithinLimit = heard || (lastSeen !== undefined && now - lastSeen <= limitMs);
    const level = heardWithinLimit ? 'off' : silentMs > limitMs ? 'on' : 'band';
    const d = decide(rule, state?.cond, level, now, () => ({
      kind: 'device_offline', severity: severityOf(rule, 'warning'),
      text: {
        vi: `${device.name}: mất tín hiệu — không nhận được dữ liệu ${duration(silentMs, 'vi')} (thiết bị gửi mỗi ${duration(rule.expectedInterval, 'vi')}); kiểm tra pin, ăng-ten và sóng`,
        en: `${device.name}: offline — no data for ${duration(silentMs, 'en')} (it reports every ${duration(rule.expectedInterval, 'en')}); check its battery, antenna and signal`,
      },
      values: { silentMs, expectedIntervalMs: rule.expectedInterval, factor: rule.factor, lastSeen: lastSeen ?? null, lastReadingTs: lastReadingTs ?? null },
    }), 'the device reports again');
    // While silent, the open alert is not rewritten every minute: only the transitions matter.
    const alert = d.alert?.op === 'update' ? undefined : d.alert;
    return { state: { cond: d.cond, lastSeen, lastReadingTs }, alert };
  },
};
