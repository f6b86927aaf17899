// Asking for a pump or valve command (issue 17): who may ask is the API's business; this finds the device and its
// field, gathers what the interlocks judge (the farm's latest canal salinity, the field's AWD level, the forecast,
// the field's maximum run time, a command still waiting) and records the command as requested — or as refused,
// with the numbers. The dispatcher (rules/control/) gathers the same inputs again right before it sends.
import { RuongError } from '../errors.js';
import type { Registry } from '../registry/registry.js';
import type { Device, Farm, Field } from '../registry/types.js';
import type { ReadingStore } from '../store/reading-store.js';
import type { Forecast } from '../weather/forecast.js';
import type { Command, CommandAction, CommandCmd, CommandOrigin, Commands } from '../registry/commands.js';
import { checkInterlocks, combineRefusals, fieldMaxMinutes, type InterlockInput, type LatestValue } from './interlocks.js';

/** The device kinds that take commands, and the command each takes (docs/architecture.md "Pumps and valves"). */
export const CONTROL_KINDS: Readonly<Record<string, CommandCmd>> = { pump_controller: 'pump', valve_controller: 'valve' };
/** The state metric that confirms a command of each kind (1 = on / open). */
export const STATE_METRIC: Readonly<Record<CommandCmd, string>> = { pump: 'pump_on', valve: 'valve_open' };

export interface ControlDeps {
  readonly registry: Registry;
  readonly store: ReadingStore;
  readonly commands: Commands;
  /** The forecast at a farm (absent: no forecast in this process; the dispatcher checks again with its own). */
  readonly forecast?: ((farm: Farm) => Forecast | undefined) | undefined;
  /** COMMAND_MAX_MINUTES: the platform's maximum run time (a field may set a lower one). */
  readonly maxMinutes: number;
}

export interface ControlTarget {
  readonly device: Device;
  readonly field: Field;
  readonly farm: Farm | undefined;
  readonly cmd: CommandCmd;
}

const staff = (cooperativeId: string) => ({ cooperativeId, role: 'technician' as const, farmIds: [] });

/** The controller and its field, in the cooperative; NOT_FOUND, BAD_REQUEST (not a controller) or CONFLICT (revoked). */
export async function controlTarget(registry: Registry, cooperativeId: string, deviceId: string): Promise<ControlTarget> {
  const ctx = await registry.deviceContext(deviceId);
  const device = ctx && ctx.cooperativeId === cooperativeId ? (await registry.devicesOfField(ctx.fieldId)).find((d) => d.id === deviceId) : undefined;
  const field = ctx && (await registry.field(staff(cooperativeId), ctx.fieldId));
  if (!ctx || !device || !field) throw new RuongError('NOT_FOUND', `device ${deviceId} not found`);
  const cmd = CONTROL_KINDS[device.kind];
  if (!cmd) throw new RuongError('BAD_REQUEST', `device ${deviceId} is a ${device.kind}: only pump and valve controllers take commands`);
  if (device.revokedAt !== null) throw new RuongError('CONFLICT', `device ${deviceId} is revoked`);
  return { device, field, farm: await registry.farm(staff(cooperativeId), field.farmId), cmd };
}

/** The newest value of `metric` among `devices` (undefined when none has one). */
async function newest(store: ReadingStore, cooperativeId: string, devices: readonly Device[], metric: string): Promise<LatestValue | undefined> {
  if (devices.length === 0) return undefined;
  const latest = await store.latest({ cooperativeId, deviceIds: devices.map((d) => d.id) });
  let best: LatestValue | undefined;
  for (const r of latest) if (r.metric === metric && (!best || r.ts > best.ts)) best = { value: r.value, ts: r.ts, deviceId: r.deviceId };
  return best;
}

/** What the interlocks judge for this command, now. `self`: the command being sent (not "pending" for itself). */
export async function interlockInput(deps: ControlDeps, t: ControlTarget, action: CommandAction, minutes: number | null, now: number, self?: string): Promise<InterlockInput> {
  const { registry, store, commands } = deps;
  const coop = t.field.cooperativeId;
  const farmFields = new Set((await registry.fields(staff(coop))).filter((f) => f.farmId === t.field.farmId).map((f) => f.id));
  const canals = (await registry.devicesOfCooperative(coop)).filter((d) => d.kind === 'canal_sensor' && farmFields.has(d.fieldId) && d.revokedAt === null);
  const tubes = (await registry.devicesOfField(t.field.id)).filter((d) => d.kind === 'awd_tube' && d.revokedAt === null);
  const control = await commands.fieldControl(coop, t.field.id);
  const pendingOn = (await commands.openCommandsOfDevice(t.device.id)).find((c) => c.id !== self && c.action === 'on');
  // the device's newest confirmed command: an on whose minutes are not over is still running
  const lastConfirmed = (await commands.commandsOfField(coop, t.field.id, 50)).find((c) => c.deviceId === t.device.id && c.state === 'confirmed');
  const runningUntil = lastConfirmed?.action === 'on' ? (lastConfirmed.sentAt ?? lastConfirmed.requestedAt) + (lastConfirmed.minutes ?? 0) * 60_000 : undefined;
  return {
    action, minutes, crop: t.field.crop, now,
    maxMinutes: fieldMaxMinutes(control.maxRunMin, deps.maxMinutes),
    canalEc: await newest(store, coop, canals, 'water_ec'),
    awdLevel: await newest(store, coop, tubes, 'awd_level'),
    forecast: t.farm && deps.forecast?.(t.farm),
    pendingCommandId: pendingOn?.id,
    running: lastConfirmed && runningUntil !== undefined && runningUntil > now ? { commandId: lastConfirmed.id, until: runningUntil } : undefined,
  };
}

export interface CommandAsk {
  readonly cooperativeId: string;
  readonly deviceId: string;
  readonly action: CommandAction;
  readonly minutes: number | null;
  /** Given: must match the device's kind. */
  readonly cmd?: CommandCmd | undefined;
  readonly origin: CommandOrigin;
  readonly requestedBy: string;
  readonly requestedByName?: string | null | undefined;
  readonly note?: string | null | undefined;
}

/**
 * Records the command: refused (state `refused`, the interlocks' reason and numbers) or requested (the dispatcher
 * sends it). An `off` first cancels the device's commands still open: switching off overtakes everything.
 */
export async function requestCommand(deps: ControlDeps, ask: CommandAsk, now: number): Promise<Command> {
  const t = await controlTarget(deps.registry, ask.cooperativeId, ask.deviceId);
  if (ask.cmd !== undefined && ask.cmd !== t.cmd) {
    throw new RuongError('BAD_REQUEST', `cmd: device ${t.device.id} is a ${t.device.kind}: send "${t.cmd}", not "${ask.cmd}"`);
  }
  if (ask.action === 'on' && (ask.minutes === null || !Number.isInteger(ask.minutes) || ask.minutes < 1)) {
    throw new RuongError('BAD_REQUEST', 'minutes: a whole number of minutes is required to switch on');
  }
  const minutes = ask.action === 'on' ? ask.minutes : null;
  // an off is never refused, so it never waits on (or fails with) the reading store
  const refusal = ask.action === 'off' ? undefined : combineRefusals(checkInterlocks(await interlockInput(deps, t, ask.action, minutes, now)));
  if (ask.action === 'off') {
    for (const open of await deps.commands.openCommandsOfDevice(t.device.id)) {
      await deps.commands.finishCommand(open.id, 'cancelled', now, { actor: ask.requestedBy, reason: 'overtaken by an off command' });
    }
  }
  return deps.commands.recordCommand({
    cooperativeId: ask.cooperativeId, fieldId: t.field.id, deviceId: t.device.id, cmd: t.cmd, action: ask.action, minutes,
    origin: ask.origin, requestedBy: ask.requestedBy, requestedByName: ask.requestedByName, note: ask.note,
    refusal: refusal && { interlock: refusal.interlock, reason: refusal.text.en, values: { ...refusal.values, reasonVi: refusal.text.vi } },
  }, now);
}
