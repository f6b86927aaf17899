// Pump and valve commands (issue 17, docs/irrigation-control.md). POST /devices/:id/commands asks a pump or valve
// controller to switch on for N minutes or off: technicians and admins on their cooperative, farmers on their own
// farms' fields, viewers never (403). The interlocks are checked here (core/commands/interlocks.ts): a refusal is a
// 409 naming the interlock, the reason and the numbers, and it is recorded; otherwise 202 — the command is
// requested, and the dispatcher (rules/control/, in `ruong start` or `ruong rules`) checks again, sends it and
// tracks it until the device confirms. GET /fields/:id/commands is the field's audit log: its controllers and
// their last reported state, its commands (refusals included) with their states, and every step of each.
import { Router } from 'express';
import { z } from 'zod';
import { CONTROL_KINDS, requestCommand, STATE_METRIC, type ControlDeps } from '../../core/commands/command-requests.js';
import { DEVICE_MAX_MINUTES, fieldMaxMinutes } from '../../core/commands/interlocks.js';
import { RuongError } from '../../core/errors.js';
import { CommandAction, CommandCmd, CommandOrigin, CommandState, createCommands, type AuditEntry, type Command } from '../../core/registry/commands.js';
import type { Registry } from '../../core/registry/registry.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { WRITERS, currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams, iso } from '../schemas.js';
import { fieldOr404 } from '../scope.js';

export const CommandCreate = z.strictObject({
  action: CommandAction.describe('on: run the pump / open the valve for `minutes`; off: stop / close (never refused)'),
  minutes: z.number().int().min(1).max(DEVICE_MAX_MINUTES).optional().describe('required with "on"; at most the field\'s maximum run time'),
  cmd: CommandCmd.optional().describe('pump or valve; default: what the device is'),
  note: z.string().trim().max(300).optional().describe('why, kept in the audit log'),
}).refine((b) => b.action === 'off' || b.minutes !== undefined, { message: 'required to switch on', path: ['minutes'] });

const Values = z.record(z.string(), z.union([z.number(), z.string(), z.boolean(), z.null()]));
export const CommandOut = z.object({
  id: z.string(), fieldId: z.string(), deviceId: z.string(), cmd: CommandCmd, action: CommandAction, minutes: z.number().nullable(),
  origin: CommandOrigin, requestedBy: z.string(), requestedByName: z.string().nullable(),
  state: CommandState.describe('requested → sent → confirmed | failed (never confirmed); refused (an interlock); cancelled (an off overtook it)'),
  attempts: z.number(), interlock: z.string().nullable().describe('salinity, max_duration, heavy_rain, awd_above_target, pending (comma-separated)'),
  reason: z.string().nullable(), reasonVi: z.string().nullable(), values: Values.describe('the numbers behind a refusal or a confirmation'),
  requestedAt: z.string(), sentAt: z.string().nullable(), finishedAt: z.string().nullable(),
});
export const CommandRefusedOut = z.object({
  error: z.object({ code: z.literal('CONFLICT'), message: z.string(), details: z.object({ interlock: z.string(), values: Values }) }),
  command: CommandOut,
});
const AuditOut = z.object({
  at: z.string(), commandId: z.string().nullable(), deviceId: z.string(), actor: z.string(),
  event: z.string().describe('requested, refused, sent, retried, confirmed, failed, cancelled'), reason: z.string().nullable(), values: Values,
});
const ControllerOut = z.object({
  id: z.string(), name: z.string(), kind: z.string(), cmd: CommandCmd,
  state: z.object({ on: z.boolean(), at: z.string() }).nullable().describe('the last reported pump_on / valve_open'),
});
export const FieldCommandsOut = z.object({
  fieldId: z.string(), maxMinutes: z.number().describe('the longest run a command may ask for on this field'),
  automatic: z.boolean().describe('automatic mode on (PUT /fields/:id/control)'),
  controllers: z.array(ControllerOut), commands: z.array(CommandOut), audit: z.array(AuditOut),
});
export const FieldControlSet = z.strictObject({
  maxRunMin: z.number().int().min(1).max(DEVICE_MAX_MINUTES).nullable().describe('the field\'s own maximum run time, minutes; null: the platform\'s'),
  automatic: z.boolean().describe('automatic mode: an irrigate advice commands the field\'s pump for the advised depth'),
});
export const FieldControlOut = z.object({ fieldId: z.string(), maxRunMin: z.number().nullable(), automatic: z.boolean(), maxMinutes: z.number() });
const MANAGERS = ['admin', 'technician'] as const;
const CommandsQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });

export const commandEndpoints: readonly Endpoint[] = [
  {
    method: 'post', path: '/devices/:id/commands', tag: 'control', params: IdParams, body: CommandCreate, response: CommandOut, status: 202, roles: WRITERS,
    summary: 'Switch a pump or valve controller on for N minutes, or off; 409 with the interlock, its reason and numbers when refused (recorded)',
  },
  {
    method: 'get', path: '/fields/:id/commands', tag: 'control', params: IdParams, query: CommandsQuery, response: FieldCommandsOut,
    summary: 'The field\'s controllers with their last state, its commands and refusals with their states, and the audit log',
  },
  {
    method: 'put', path: '/fields/:id/control', tag: 'control', params: IdParams, body: FieldControlSet, response: FieldControlOut, roles: MANAGERS,
    summary: 'Set the field\'s maximum run time and automatic mode (an irrigate advice commands its pump for the advised depth)',
  },
];

export function commandOut(c: Command): z.infer<typeof CommandOut> {
  const { reasonVi, ...values } = c.values;
  return {
    id: c.id, fieldId: c.fieldId, deviceId: c.deviceId, cmd: c.cmd, action: c.action, minutes: c.minutes, origin: c.origin,
    requestedBy: c.requestedBy, requestedByName: c.requestedByName, state: c.state, attempts: c.attempts, interlock: c.interlock,
    reason: c.reason, reasonVi: typeof reasonVi === 'string' ? reasonVi : null, values,
    requestedAt: iso(c.requestedAt)!, sentAt: iso(c.sentAt), finishedAt: iso(c.finishedAt),
  };
}

const auditOut = (a: AuditEntry): z.infer<typeof AuditOut> => ({
  at: iso(a.at)!, commandId: a.commandId, deviceId: a.deviceId, actor: a.actor, event: a.event, reason: a.reason, values: a.values,
});

export function commandRoutes(deps: {
  registry: Registry; store: ReadingStore; now?: (() => number) | undefined;
  /** Interlock inputs and limits (cli/command-wiring.ts); default: no forecast, 240 min. */
  control?: ControlDeps | undefined;
  /** Told after a command is requested, so a dispatcher in this process sends it at once (else at its next poll). */
  commandRequested?: (() => void) | undefined;
}): Router {
  const router = Router();
  const { registry } = deps;
  const now = deps.now ?? Date.now;
  const control: ControlDeps = deps.control ?? { registry, store: deps.store, commands: createCommands(registry.sql), maxMinutes: DEVICE_MAX_MINUTES };

  router.post('/devices/:id/commands', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'commanding a pump or valve');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(CommandCreate, req.body, 'body');
    const ctx = await registry.deviceContext(id);
    if (!ctx || ctx.cooperativeId !== user.cooperativeId) throw new RuongError('NOT_FOUND', `device ${id} not found`);
    await fieldOr404(registry, user, ctx.fieldId); // a farmer: only devices on their own farms' fields
    const command = await requestCommand(control, {
      cooperativeId: user.cooperativeId, deviceId: id, action: body.action, minutes: body.minutes ?? null, cmd: body.cmd, origin: 'manual',
      requestedBy: user.id, requestedByName: user.displayName ?? user.username, note: body.note,
    }, now());
    if (command.state === 'refused') {
      const { reasonVi: _vi, ...values } = command.values;
      res.status(409).json({ error: { code: 'CONFLICT', message: command.reason ?? 'refused', details: { interlock: command.interlock ?? '', values } }, command: commandOut(command) });
      return;
    }
    deps.commandRequested?.();
    res.status(202).json(commandOut(command));
  });

  router.get('/fields/:id/commands', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const q = parseOr400(CommandsQuery, req.query, 'query');
    const field = await fieldOr404(registry, user, id);
    const devices = (await registry.devicesOfField(field.id)).filter((d) => CONTROL_KINDS[d.kind] !== undefined && d.revokedAt === null);
    const latest = devices.length ? await deps.store.latest({ cooperativeId: user.cooperativeId, deviceIds: devices.map((d) => d.id) }) : [];
    const controllers = devices.map((d) => {
      const cmd = CONTROL_KINDS[d.kind]!;
      const r = latest.find((l) => l.deviceId === d.id && l.metric === STATE_METRIC[cmd]);
      return { id: d.id, name: d.name, kind: d.kind, cmd, state: r ? { on: r.value === 1, at: iso(r.ts)! } : null };
    });
    const settings = await control.commands.fieldControl(user.cooperativeId, field.id);
    res.json({
      fieldId: field.id, maxMinutes: fieldMaxMinutes(settings.maxRunMin, control.maxMinutes), automatic: settings.automatic, controllers,
      commands: (await control.commands.commandsOfField(user.cooperativeId, field.id, q.limit)).map(commandOut),
      audit: (await control.commands.commandAuditOfField(user.cooperativeId, field.id, q.limit * 4)).map(auditOut),
    });
  });

  router.put('/fields/:id/control', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'setting a field\'s pump control');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(FieldControlSet, req.body, 'body');
    const field = await fieldOr404(registry, user, id);
    const platformMax = fieldMaxMinutes(null, control.maxMinutes);
    if (body.maxRunMin !== null && body.maxRunMin > platformMax) {
      throw new RuongError('BAD_REQUEST', `maxRunMin: ${body.maxRunMin} is above the platform's ${platformMax} min maximum (a field may only lower it)`);
    }
    const set = await control.commands.setFieldControl(user.cooperativeId, field.id, body, user.id, now());
    res.json({ ...set, maxMinutes: fieldMaxMinutes(set.maxRunMin, control.maxMinutes) });
  });

  return router;
}
