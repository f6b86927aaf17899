// Automatic mode (issue 17, opt-in per field: PUT /fields/:id/control {automatic: true}): when the advice opens an
// "irrigate" alert on such a field, the field's pump (else its intake valve) is commanded on for the advised depth —
// minutes = gross mm × area ha × 10 / pump flow m³/h × 60 (the soil-water rule's own `pumpMinutes` when it gave one),
// rounded up and capped at the field's maximum run time. The command goes through the same request as a person's
// (origin `automatic`, requested by `system`): the interlocks may refuse it, and the refusal is in the audit log.
import type { AlertChangeEvent } from '../../core/alerts/alert-types.js';
import type { AlertService } from '../../core/alerts/alert-service.js';
import { CONTROL_KINDS, requestCommand, type ControlDeps } from '../../core/commands/command-requests.js';
import { DEVICE_MAX_MINUTES } from '../../core/commands/interlocks.js';
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

export function createAutomaticMode(deps: ControlDeps & { alerts: AlertService; log: Logger; now?: (() => number) | undefined; commandRequested?: () => void }): { start(): void; stop(): void } {
  const now = deps.now ?? Date.now;
  const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });

  async function onOpened({ alert }: AlertChangeEvent): Promise<void> {
    if (!IRRIGATE_KINDS.has(alert.kind) || alert.fieldId === null) return;
    const control = deps.commands.fieldControl(alert.cooperativeId, alert.fieldId);
    if (!control.automatic) return;
    const field = deps.registry.field(staff(alert.cooperativeId), alert.fieldId);
    const devices = deps.registry.devicesOfField(alert.fieldId).filter((d) => d.revokedAt === null && CONTROL_KINDS[d.kind] !== undefined);
    const device = devices.find((d) => d.kind === 'pump_controller') ?? devices[0];
    if (!field || !device) return;
    const maxMinutes = Math.min(control.maxRunMin ?? deps.maxMinutes, DEVICE_MAX_MINUTES);
    const minutes = advisedMinutes(alert.values, field.areaHa, field.pumpFlowM3h, maxMinutes);
    if (minutes === undefined) {
      deps.log.warn({ fieldId: field.id, alertId: alert.id }, 'automatic irrigation skipped: no depth, area or pump flow');
      return;
    }
    const mm = alert.values.grossMm ?? alert.values.depthMm;
    const command = await requestCommand(deps, {
      cooperativeId: alert.cooperativeId, deviceId: device.id, action: 'on', minutes, origin: 'automatic', requestedBy: 'system',
      note: `automatic: advice ${alert.id} asks for ${typeof mm === 'number' ? Math.round(mm) : '?'} mm`,
    }, now());
    deps.log.info({ fieldId: field.id, commandId: command.id, state: command.state, minutes }, 'automatic irrigation requested');
    if (command.state === 'requested') deps.commandRequested?.();
  }

  const listener = (e: AlertChangeEvent) => {
    onOpened(e).catch((err: unknown) => deps.log.error({ err, alertId: e.alert.id }, 'automatic irrigation failed'));
  };
  return {
    start() { deps.alerts.events.on('opened', listener); },
    stop() { deps.alerts.events.off('opened', listener); },
  };
}
