// Scheduled evaluation: node-cron in Asia/Ho_Chi_Minh (the daily advice at 05:30, the missing-data check
// every minute). A run never overlaps the previous run of the same task: node-cron's noOverlap, and our own
// guard that skips (and counts) a tick while the task is still busy. A task is a boundary: its error is
// logged once and the schedule carries on. Tests use the manual scheduler and trigger runs themselves.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../core/log.js';
import { TIMEZONE } from './field-agronomy.js';
import { noRulesMetrics, type RulesMetrics } from './reading-source.js';

export type Task = () => Promise<void>;

export interface Scheduler {
  /** Registers a task under a cron expression (minute hour day month weekday, in Asia/Ho_Chi_Minh). */
  schedule(name: string, expression: string, task: Task): void;
  start(): void;
  /** Stops the timers and waits for running tasks. Safe twice. */
  stop(): Promise<void>;
}

export interface GuardedTask {
  /** Runs the task unless it is already running; resolves 'skipped' then. Never rejects. */
  run(): Promise<'ok' | 'failed' | 'skipped'>;
  idle(): Promise<void>;
}

/** No-overlap guard + error boundary around one task. */
export function guardTask(name: string, task: Task, log: Logger, metrics: RulesMetrics = noRulesMetrics): GuardedTask {
  let running: Promise<'ok' | 'failed'> | undefined;
  return {
    run() {
      if (running) {
        metrics.taskRun(name, 'skipped');
        log.warn({ task: name }, 'scheduled task skipped: previous run still busy');
        return Promise.resolve('skipped');
      }
      const current = (async () => {
        try {
          await task();
          metrics.taskRun(name, 'ok');
          return 'ok' as const;
        } catch (err) {
          metrics.taskRun(name, 'failed');
          log.error({ err, task: name }, 'scheduled task failed');
          return 'failed' as const;
        } finally {
          running = undefined;
        }
      })();
      running = current;
      return current;
    },
    async idle() {
      await running;
    },
  };
}

export function createCronScheduler(opts: { log: Logger; metrics?: RulesMetrics; timezone?: string }): Scheduler {
  const entries: { task: ScheduledTask; guard: GuardedTask }[] = [];
  const pending: { name: string; expression: string; task: Task }[] = [];
  let stopped = false;
  return {
    schedule(name, expression, task) {
      if (!cron.validate(expression)) throw new Error(`invalid cron expression for ${name}: ${expression}`);
      pending.push({ name, expression, task });
    },
    start() {
      for (const p of pending.splice(0)) {
        const guard = guardTask(p.name, p.task, opts.log, opts.metrics);
        const task = cron.createTask(p.expression, () => guard.run(), { timezone: opts.timezone ?? TIMEZONE, noOverlap: true, name: `ruong-${p.name}` });
        entries.push({ task, guard });
        void task.start();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const e of entries) await e.task.destroy();
      await Promise.all(entries.map((e) => e.guard.idle()));
    },
  };
}

/** A scheduler whose tasks run only when `run(name)` is called: tests drive time themselves. */
export function createManualScheduler(log: Logger): Scheduler & { run(name: string): Promise<'ok' | 'failed' | 'skipped'>; expressions: Map<string, string> } {
  const tasks = new Map<string, GuardedTask>();
  const expressions = new Map<string, string>();
  return {
    expressions,
    schedule(name, expression, task) {
      tasks.set(name, guardTask(name, task, log));
      expressions.set(name, expression);
    },
    start: () => undefined,
    async stop() {
      await Promise.all([...tasks.values()].map((t) => t.idle()));
    },
    run(name) {
      const t = tasks.get(name);
      if (!t) throw new Error(`no task ${name}`);
      return t.run();
    },
  };
}
