// Automatic mode (issue 17, opt-in per field: PUT /fields/:id/control {automatic: true}): when the advice opens an
// "irrigate" alert on such a field, the field's pump (else its intake valve) is commanded on for the advised depth —
// minutes = gross mm × area ha × 10 / pump flow m³/h × 60 (the soil-water rule's own `pumpMinutes` when it gave one),
// rounded up and capped at the field's maximum run time. The command goes through the same request as a person's
// (origin `automatic`, requested by `system`): the interlocks may refuse it, and the refusal is in the audit log.
// One run is capped (a field's maximum, 240 min at the device), and a coffee field's advice often asks for more
// (64 mm on 1.2 ha is ~43 h of an 18 m³/h pump): while the alert stays open the next run follows once the previous
// automatic run has ended, its water is recorded as an irrigation event and the advice has been re-evaluated with
// it — for the deficit the alert then shows. A refused or failed command ends the chain (a person looks first).
import type { AlertChangeEvent } from '../../core/alerts/alert-types.js';
import type { AlertService } from '../../core/alerts/alert-service.js';
import { CONTROL_KINDS, requestCommand, type ControlDeps } from '../../core/commands/command-requests.js';
import { DEVICE_MAX_MINUTES, fieldMaxMinutes } from '../../core/commands/interlocks.js';
import type { Alert } from '../../core/alerts/alert-types.js';
import type { Device } from '../../core/registry/types.js';
import type { Logger } from '../../core/log.js';

/** Automatic runs a field may have in one local day (Asia/Ho_Chi_Minh) [judg: 6 × 240 min covers the day]. */
export const MAX_AUTOMATIC_RUNS_PER_DAY = 6;
const LOCAL_OFFSET_MS = 7 * 3_600_000; // Asia/Ho_Chi_Minh, no daylight saving
const localDayStart = (t: number): number => Math.floor((t + LOCAL_OFFSET_MS) / 86_400_000) * 86_400_000 - LOCAL_OFFSET_MS;

/** The advised depth an alert asks for (gross mm, else depth mm), when it gives one. */
const advisedMm = (values: Readonly<Record<string, unknown>>): number | undefined =>
  [values.grossMm, values.depthMm].find((v): v is number => typeof v === 'number');
/** The advised mm an automatic command's note recorded ("… asks for 63.7 mm"). */
const noteMm = (note: string | null): number | undefined => {
  const m = /asks for (\d+(?:\.\d+)?) mm/.exec(note ?? '');
  return m ? Number(m[1]) : undefined;
};

/** Runs of one alert after which the advice must be smaller than at the first of them, else the chain ends [judg: a day's runs]. */
export const NO_PROGRESS_RUNS = MAX_AUTOMATIC_RUNS_PER_DAY;

/** The alert kinds that ask for water (soil-water and AWD rules). */
const IRRIGATE_KINDS = new Set(['irrigate', 'awd_irrigate']);

/** Minutes of pumping for the advised depth; undefined when the numbers are missing. */
export function advisedMinutes(values: Readonly<Record<string, unknown>>, areaHa: number | null, pumpFlowM3h: number | null, maxMinutes: number): number | undefined {
  const given = typeof values.pumpMinutes === 'number' ? values.pumpMinutes : undefined;
  const mm = [values.grossMm, values.depthMm].find((v): v is number => typeof v === 'number' && v > 0);
  const computed = mm !== undefined && areaHa && pumpFlowM3h ? ((mm * areaHa * 10) / pumpFlowM3h) * 60 : undefined; // 1 mm·ha = 10 m³
  const minutes = given ?? computed;
  if (minutes === undefined || !(minutes > 0)) return undefined;
  return Math.min(Math.ceil(minutes - 1e-9), maxMinutes, DEVICE_MAX_MINUTES); // 125.00000000000001 is 125
}

export interface AutomaticMode {
  start(): void;
  stop(): void;
  /** Requests the next run on automatic fields whose irrigate alert is still open after a run (called each pass). */
  continueRuns(): Promise<void>;
}

export function createAutomaticMode(deps: ControlDeps & { alerts: AlertService; log: Logger; now?: (() => number) | undefined; commandRequested?: () => void }): AutomaticMode {
  const now = deps.now ?? Date.now;
  // alerts already logged as not continued (each pass runs every second: say it once per alert and reason)
  const told = new Set<string>();
  const tellOnce = (key: string, fields: Record<string, unknown>, msg: string) => {
    if (told.has(key)) return;
    told.add(key);
    deps.log.warn(fields, msg);
  };
  const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });

  /** The field's pump (else its intake valve), when the field is in automatic mode. */
  async function automaticTarget(cooperativeId: string, fieldId: string) {
    const control = await deps.commands.fieldControl(cooperativeId, fieldId);
    if (!control.automatic) return undefined;
    const field = await deps.registry.field(staff(cooperativeId), fieldId);
    const devices = (await deps.registry.devicesOfField(fieldId)).filter((d) => d.revokedAt === null && CONTROL_KINDS[d.kind] !== undefined);
    const device: Device | undefined = devices.find((d) => d.kind === 'pump_controller') ?? devices[0];
    if (!field || !device) return undefined;
    return { field, device, maxMinutes: fieldMaxMinutes(control.maxRunMin, deps.maxMinutes) };
  }

  async function requestRun(alert: Alert, why: 'opened' | 'continued'): Promise<void> {
    if (alert.fieldId === null) return;
    const target = await automaticTarget(alert.cooperativeId, alert.fieldId);
    if (!target) return;
    const { field, device, maxMinutes } = target;
    const minutes = advisedMinutes(alert.values, field.areaHa, field.pumpFlowM3h, maxMinutes);
    if (minutes === undefined) {
      tellOnce(`${alert.id}:no-depth`, { fieldId: field.id, alertId: alert.id }, 'automatic irrigation skipped: no depth, area or pump flow');
      return;
    }
    // at most MAX_AUTOMATIC_RUNS_PER_DAY automatic runs a field a local day (refused ones not counted)
    const dayStart = localDayStart(now());
    const today = (await deps.commands.commandsOfField(alert.cooperativeId, field.id, 100))
      .filter((c) => c.origin === 'automatic' && c.action === 'on' && c.state !== 'refused' && c.requestedAt >= dayStart).length;
    if (today >= MAX_AUTOMATIC_RUNS_PER_DAY) {
      tellOnce(`${alert.id}:day-${dayStart}`, { fieldId: field.id, alertId: alert.id, runsToday: today }, 'automatic irrigation stopped: the day\'s runs are used');
      return;
    }
    const mm = advisedMm(alert.values);
    const command = await requestCommand(deps, {
      cooperativeId: alert.cooperativeId, deviceId: device.id, action: 'on', minutes, origin: 'automatic', requestedBy: 'system',
      note: `automatic${why === 'continued' ? ' (next run)' : ''}: advice ${alert.id} asks for ${typeof mm === 'number' ? Math.round(mm * 10) / 10 : '?'} mm`,
    }, now());
    deps.log.info({ fieldId: field.id, commandId: command.id, state: command.state, minutes, why }, 'automatic irrigation requested');
    if (command.state === 'requested') deps.commandRequested?.();
  }

  async function onOpened({ alert }: AlertChangeEvent): Promise<void> {
    if (IRRIGATE_KINDS.has(alert.kind)) await requestRun(alert, 'opened');
  }

  /**
   * The next run of a field whose irrigate alert is still open: only after a confirmed automatic run requested for
   * this alert has ended, no command of the controller is open, the run's water is an irrigation event, and the
   * alert was re-evaluated after that event was recorded (so its numbers are the deficit left, not the one before).
   */
  async function continueField(cooperativeId: string, fieldId: string, t: number): Promise<void> {
    const alert = [...await deps.alerts.list({ cooperativeId, fieldId, status: 'open' }), ...await deps.alerts.list({ cooperativeId, fieldId, status: 'acknowledged' })]
      .find((a) => IRRIGATE_KINDS.has(a.kind));
    const target = alert && await automaticTarget(cooperativeId, fieldId);
    if (!alert || !target || (await deps.commands.openCommandsOfDevice(target.device.id)).length > 0) return;
    const last = (await deps.commands.commandsOfField(cooperativeId, fieldId, 20)).find((c) => c.deviceId === target.device.id);
    if (!last || last.origin !== 'automatic' || last.action !== 'on' || last.state !== 'confirmed' || last.requestedAt < alert.openedAt) return;
    const startedAt = last.sentAt ?? last.requestedAt;
    if (t < startedAt + (last.minutes ?? 0) * 60_000) return; // still running
    const recorded = (await deps.registry.irrigationsOfField(cooperativeId, fieldId, startedAt - 60_000, t + 60_000)).find((e) => e.startAt >= startedAt - 60_000);
    if (!recorded || alert.updatedAt < recorded.createdAt) return;
    // the chain must converge: when the advice is not smaller than it was NO_PROGRESS_RUNS runs of this alert ago
    // (a leak, a meter that reads water the soil never gets), it ends. Not after one run: in the heat of the day a
    // 240-min run can lose to the crop's ET, and the sensors lag — the season test's chain sees that every day.
    const runs = (await deps.commands.commandsOfField(cooperativeId, fieldId, 100)).filter((c) => c.deviceId === target.device.id && c.origin === 'automatic'
      && c.action === 'on' && c.state === 'confirmed' && (c.reason ?? '').includes(`advice ${alert.id} asks for`));
    const ref = runs[NO_PROGRESS_RUNS - 1];
    const before = ref && noteMm(ref.reason); // the note of a requested command is its reason (kept when it is confirmed)
    const nowMm = advisedMm(alert.values);
    if (before !== undefined && nowMm !== undefined && Math.round(nowMm * 10) / 10 >= before) {
      tellOnce(`${alert.id}:not-smaller`, { fieldId, alertId: alert.id, commandId: ref!.id, mmBefore: before, mmNow: nowMm, runs: NO_PROGRESS_RUNS }, 'automatic irrigation stopped: the advice did not get smaller over the last runs');
      return;
    }
    await requestRun(alert, 'continued');
  }

  /** Each dispatcher pass (every second, and when poked): a few indexed reads per automatic field. */
  async function continueRuns(): Promise<void> {
    const t = now();
    for (const { cooperativeId, fieldId } of await deps.commands.automaticFields()) {
      try {
        await continueField(cooperativeId, fieldId, t);
      } catch (err) {
        deps.log.error({ err, fieldId }, 'automatic irrigation failed');
      }
    }
  }

  const listener = (e: AlertChangeEvent) => {
    onOpened(e).catch((err: unknown) => deps.log.error({ err, alertId: e.alert.id }, 'automatic irrigation failed'));
  };
  return {
    start() { deps.alerts.events.on('opened', listener); },
    stop() { deps.alerts.events.off('opened', listener); },
    continueRuns,
  };
}
