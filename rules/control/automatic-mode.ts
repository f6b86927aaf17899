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
  const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });

  /** The field's pump (else its intake valve), when the field is in automatic mode. */
  function automaticTarget(cooperativeId: string, fieldId: string) {
    const control = deps.commands.fieldControl(cooperativeId, fieldId);
    if (!control.automatic) return undefined;
    const field = deps.registry.field(staff(cooperativeId), fieldId);
    const devices = deps.registry.devicesOfField(fieldId).filter((d) => d.revokedAt === null && CONTROL_KINDS[d.kind] !== undefined);
    const device: Device | undefined = devices.find((d) => d.kind === 'pump_controller') ?? devices[0];
    if (!field || !device) return undefined;
    return { field, device, maxMinutes: fieldMaxMinutes(control.maxRunMin, deps.maxMinutes) };
  }

  async function requestRun(alert: Alert, why: 'opened' | 'continued'): Promise<void> {
    if (alert.fieldId === null) return;
    const target = automaticTarget(alert.cooperativeId, alert.fieldId);
    if (!target) return;
    const { field, device, maxMinutes } = target;
    const minutes = advisedMinutes(alert.values, field.areaHa, field.pumpFlowM3h, maxMinutes);
    if (minutes === undefined) {
      deps.log.warn({ fieldId: field.id, alertId: alert.id }, 'automatic irrigation skipped: no depth, area or pump flow');
      return;
    }
    const mm = alert.values.grossMm ?? alert.values.depthMm;
    const command = await requestCommand(deps, {
      cooperativeId: alert.cooperativeId, deviceId: device.id, action: 'on', minutes, origin: 'automatic', requestedBy: 'system',
      note: `automatic${why === 'continued' ? ' (next run)' : ''}: advice ${alert.id} asks for ${typeof mm === 'number' ? Math.round(mm) : '?'} mm`,
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
    const alert = [...deps.alerts.list({ cooperativeId, fieldId, status: 'open' }), ...deps.alerts.list({ cooperativeId, fieldId, status: 'acknowledged' })]
      .find((a) => IRRIGATE_KINDS.has(a.kind));
    const target = alert && automaticTarget(cooperativeId, fieldId);
    if (!alert || !target || deps.commands.openCommandsOfDevice(target.device.id).length > 0) return;
    const last = deps.commands.commandsOfField(cooperativeId, fieldId, 20).find((c) => c.deviceId === target.device.id);
    if (!last || last.origin !== 'automatic' || last.action !== 'on' || last.state !== 'confirmed' || last.requestedAt < alert.openedAt) return;
    const startedAt = last.sentAt ?? last.requestedAt;
    if (t < startedAt + (last.minutes ?? 0) * 60_000) return; // still running
    const recorded = deps.registry.irrigationsOfField(cooperativeId, fieldId, startedAt - 60_000, t + 60_000).find((e) => e.startAt >= startedAt - 60_000);
    if (!recorded || alert.updatedAt < recorded.createdAt) return;
    await requestRun(alert, 'continued');
  }

  /** Each dispatcher pass (every second, and when poked): a few indexed reads per automatic field. */
  async function continueRuns(): Promise<void> {
    const t = now();
    for (const { cooperativeId, fieldId } of deps.commands.automaticFields()) {
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
