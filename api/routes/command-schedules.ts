// Scheduled pump and valve commands (issue 17, docs/irrigation-control.md): "run this pump 30 minutes at 05:00 every
// day" as a cron expression in Asia/Ho_Chi_Minh. Admins and technicians on their cooperative and farmers on their own
// fields add and remove them; everyone who sees the field reads them. Each run is an ordinary command (origin
// `scheduled`) sent by the dispatcher of `ruong start` / `ruong rules`, checked by the interlocks of that moment.
import { Router } from 'express';
import cron from 'node-cron';
import { z } from 'zod';
import { CONTROL_KINDS, type ControlDeps } from '../../core/commands/command-requests.js';
import { DEVICE_MAX_MINUTES, fieldMaxMinutes } from '../../core/commands/interlocks.js';
import { MAX_SCHEDULES_PER_FIELD, scheduleProblem } from '../../core/commands/schedule-rules.js';
import { RuongError } from '../../core/errors.js';
import { createCommandSchedules, type CommandSchedule } from '../../core/registry/command-schedules.js';
import { createCommands } from '../../core/registry/commands.js';
import type { Registry } from '../../core/registry/registry.js';
import { WRITERS, currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams, iso } from '../schemas.js';
import { fieldOr404 } from '../scope.js';

// 5 fields only: a leading seconds field (`* * * * * *` = every second) is refused (core/commands/schedule-rules.ts)
const Cron = z.string().trim().max(100)
  .refine((s) => s.split(/\s+/).length === 5 && cron.validate(s), 'must be a cron expression: minute hour day month weekday (5 fields)');
export const ScheduleCreate = z.strictObject({
  deviceId: z.string().min(1).max(64).describe('a pump or valve controller of the field'),
  cron: Cron.describe('when, in Asia/Ho_Chi_Minh, e.g. "0 5 * * *" = 05:00 every day'),
  minutes: z.number().int().min(1).max(DEVICE_MAX_MINUTES).describe('how long each run lasts; at most the field\'s maximum'),
});
export const ScheduleOut = z.object({
  id: z.string(), fieldId: z.string(), deviceId: z.string(), cron: z.string(), minutes: z.number(), createdBy: z.string(), createdAt: z.string(),
});

export const scheduleEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/fields/:id/schedules', tag: 'control', params: IdParams, response: z.object({ schedules: z.array(ScheduleOut) }), summary: 'The field\'s scheduled pump and valve runs' },
  {
    method: 'post', path: '/fields/:id/schedules', tag: 'control', params: IdParams, body: ScheduleCreate, response: ScheduleOut, status: 201, roles: WRITERS,
    summary: 'Schedule a run of a controller of the field (cron in Asia/Ho_Chi_Minh); each run is a command checked by the interlocks',
  },
  { method: 'delete', path: '/schedules/:id', tag: 'control', params: IdParams, status: 204, roles: WRITERS, summary: 'Remove a schedule' },
];

const scheduleOut = (s: CommandSchedule): z.infer<typeof ScheduleOut> => ({
  id: s.id, fieldId: s.fieldId, deviceId: s.deviceId, cron: s.cron, minutes: s.minutes, createdBy: s.createdBy, createdAt: iso(s.createdAt)!,
});

export function scheduleRoutes(deps: {
  registry: Registry; now?: (() => number) | undefined; control?: ControlDeps | undefined; commandRequested?: (() => void) | undefined;
}): Router {
  const router = Router();
  const { registry } = deps;
  const now = deps.now ?? Date.now;
  const schedules = createCommandSchedules(registry.sql);
  const commands = deps.control?.commands ?? createCommands(registry.sql);
  const maxOf = async (coop: string, fieldId: string) => fieldMaxMinutes((await commands.fieldControl(coop, fieldId)).maxRunMin, deps.control?.maxMinutes ?? DEVICE_MAX_MINUTES);

  router.get('/fields/:id/schedules', async (req, res) => {
    const user = currentUser(req);
    const field = await fieldOr404(registry, user, parseOr400(IdParams, req.params, 'params').id);
    res.json({ schedules: (await schedules.schedulesOfField(user.cooperativeId, field.id)).map(scheduleOut) });
  });

  router.post('/fields/:id/schedules', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'scheduling a pump or valve');
    const field = await fieldOr404(registry, user, parseOr400(IdParams, req.params, 'params').id);
    const body = parseOr400(ScheduleCreate, req.body, 'body');
    const device = (await registry.devicesOfField(field.id)).find((d) => d.id === body.deviceId && d.revokedAt === null);
    if (!device || !CONTROL_KINDS[device.kind]) throw new RuongError('BAD_REQUEST', `deviceId: ${body.deviceId} is not a pump or valve controller of this field`);
    const max = await maxOf(user.cooperativeId, field.id);
    if (body.minutes > max) throw new RuongError('BAD_REQUEST', `minutes: ${body.minutes} is above the field's ${max} min maximum`);
    // runs closer than the run itself would keep the pump on for ever; a field has at most MAX_SCHEDULES_PER_FIELD
    const problem = scheduleProblem(body.cron, body.minutes);
    if (problem) throw new RuongError('BAD_REQUEST', problem);
    // the count and the insert in one transaction: two requests at once cannot both add the last allowed schedule
    const s = await registry.sql.tx(async () => {
      if ((await schedules.schedulesOfField(user.cooperativeId, field.id)).length >= MAX_SCHEDULES_PER_FIELD) {
        throw new RuongError('BAD_REQUEST', `schedules: the field already has ${MAX_SCHEDULES_PER_FIELD} schedules, the most a field may have`);
      }
      return schedules.addSchedule({ cooperativeId: user.cooperativeId, fieldId: field.id, deviceId: device.id, cron: body.cron, minutes: body.minutes, createdBy: user.id }, now());
    });
    deps.commandRequested?.(); // a dispatcher in this process starts the schedule at once (else within 30 s)
    res.status(201).json(scheduleOut(s));
  });

  router.delete('/schedules/:id', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, WRITERS, 'removing a schedule');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const s = await schedules.schedule(user.cooperativeId, id);
    if (!s) throw new RuongError('NOT_FOUND', `schedule ${id} not found`);
    await fieldOr404(registry, user, s.fieldId); // a farmer: only their own fields' schedules
    await schedules.removeSchedule(user.cooperativeId, id);
    deps.commandRequested?.();
    res.status(204).end();
  });

  return router;
}
