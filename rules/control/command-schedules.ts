// Runs the scheduled pump and valve commands (issue 17): one node-cron task per schedule in the registry, in
// Asia/Ho_Chi_Minh; the registry is read again every `reloadMs` (schedules are added and removed through any API
// process), tasks of removed schedules are destroyed and new ones started. A run asks for an ordinary command —
// origin `scheduled`, requested by `schedule:{id}` — so the interlocks of that moment decide and the audit log has it.
import cron, { type ScheduledTask } from 'node-cron';
import { controlTarget, requestCommand, type ControlDeps } from '../../core/commands/command-requests.js';
import { scheduleProblem } from '../../core/commands/schedule-rules.js';
import type { CommandSchedule, CommandSchedules } from '../../core/registry/command-schedules.js';
import type { Logger } from '../../core/log.js';
import { TIMEZONE } from '../field-agronomy.js';

export function createScheduleRunner(deps: ControlDeps & {
  schedules: CommandSchedules; log: Logger; now: () => number; commandRequested: () => void; reloadMs?: number | undefined;
}): { start(): Promise<void>; stop(): Promise<void>; reload(): Promise<void> } {
  const tasks = new Map<string, { cron: string; task: ScheduledTask }>();
  const skipped = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  // reloads run one after the other (a slower older read must not undo a newer one); never rejects
  let reloading: Promise<void> = Promise.resolve();

  async function fire(s: CommandSchedule): Promise<void> {
    try {
      // a device moved to another field since: the schedule was made for this field's crop and water, not that one's
      const target = await controlTarget(deps.registry, s.cooperativeId, s.deviceId);
      if (target.field.id !== s.fieldId) {
        deps.log.warn({ scheduleId: s.id, deviceId: s.deviceId, scheduleFieldId: s.fieldId, deviceFieldId: target.field.id }, 'scheduled command skipped: device moved to another field');
        return;
      }
      const c = await requestCommand(deps, {
        cooperativeId: s.cooperativeId, deviceId: s.deviceId, action: 'on', minutes: s.minutes, origin: 'scheduled',
        requestedBy: `schedule:${s.id}`, note: `schedule ${s.cron} (Asia/Ho_Chi_Minh)`,
      }, deps.now());
      deps.log.info({ scheduleId: s.id, commandId: c.id, state: c.state }, 'scheduled command requested');
      if (c.state === 'requested') deps.commandRequested();
    } catch (err) {
      deps.log.warn({ err, scheduleId: s.id }, 'scheduled command failed');
    }
  }

  /** Reads the schedules again; rejects when the registry could not be read (the tasks stay as they were). */
  function reload(): Promise<void> {
    const next = reloading.then(reloadNow);
    reloading = next.catch(() => undefined);
    return next;
  }

  async function reloadNow(): Promise<void> {
    if (stopped) return;
    const current = new Map((await deps.schedules.allSchedules()).map((s) => [s.id, s]));
    if (stopped) return; // stopped while reading: no task may start after stop()
    for (const [id, t] of tasks) {
      if (current.get(id)?.cron === t.cron) continue;
      void t.task.destroy();
      tasks.delete(id);
    }
    for (const s of current.values()) {
      if (tasks.has(s.id)) continue;
      // a schedule the API would refuse now (written before its rules: seconds field, runs closer than their minutes)
      const problem = scheduleProblem(s.cron, s.minutes);
      if (problem) {
        if (!skipped.has(s.id)) deps.log.warn({ scheduleId: s.id, cron: s.cron, minutes: s.minutes, problem }, 'schedule not run');
        skipped.add(s.id);
        continue;
      }
      const task = cron.createTask(s.cron, () => fire(s), { timezone: TIMEZONE, noOverlap: true, name: `ruong-schedule-${s.id}` });
      tasks.set(s.id, { cron: s.cron, task });
      void task.start();
    }
  }

  return {
    reload,
    async start() {
      stopped = false;
      await reload();
      timer = setInterval(() => {
        reload().catch((err: unknown) => deps.log.error({ err }, 'schedule reload failed'));
      }, deps.reloadMs ?? 30_000);
      timer.unref();
    },
    async stop() {
      stopped = true;
      if (timer) clearInterval(timer);
      timer = undefined;
      await reloading;
      for (const t of tasks.values()) await t.task.destroy();
      tasks.clear();
    },
  };
}
