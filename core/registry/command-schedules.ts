// Scheduled pump and valve commands (issue 17, migration 12): "run the pump of Ruộng 1 for 30 minutes at 05:00 every
// day" — a cron expression in Asia/Ho_Chi_Minh (minute hour day month weekday), the device and the minutes. Each run
// is an ordinary command (origin `scheduled`), so the interlocks decide at that moment. Reads and writes that serve a
// user take the cooperative id; the schedule runner (rules/control/command-schedules.ts) reads every schedule.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';

export interface CommandSchedule {
  readonly id: string;
  readonly cooperativeId: string;
  readonly fieldId: string;
  readonly deviceId: string;
  readonly cron: string;
  readonly minutes: number;
  readonly createdBy: string;
  readonly createdAt: number;
}

const columns = `id, cooperative_id AS cooperativeId, field_id AS fieldId, device_id AS deviceId, cron, minutes, created_by AS createdBy,
  created_at AS createdAt`;

export function createCommandSchedules(db: Database) {
  const stmt = {
    insert: db.prepare(
      `INSERT INTO command_schedules (id, cooperative_id, field_id, device_id, cron, minutes, created_by, created_at)
       VALUES (@id, @cooperativeId, @fieldId, @deviceId, @cron, @minutes, @createdBy, @createdAt)`,
    ),
    byId: db.prepare(`SELECT ${columns} FROM command_schedules WHERE id = ? AND cooperative_id = ?`),
    ofField: db.prepare(`SELECT ${columns} FROM command_schedules WHERE cooperative_id = ? AND field_id = ? ORDER BY created_at`),
    all: db.prepare(`SELECT ${columns} FROM command_schedules ORDER BY created_at`),
    remove: db.prepare('DELETE FROM command_schedules WHERE id = ? AND cooperative_id = ?'),
  };
  return {
    /** Records a schedule; the caller has checked the device, the field and the expression. */
    addSchedule(s: Omit<CommandSchedule, 'id' | 'createdAt'>, now = Date.now()): CommandSchedule {
      const id = `sch-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      stmt.insert.run({ ...s, id, createdAt: now });
      return stmt.byId.get(id, s.cooperativeId) as CommandSchedule;
    },
    schedule(cooperativeId: string, id: string): CommandSchedule | undefined {
      return stmt.byId.get(id, cooperativeId) as CommandSchedule | undefined;
    },
    schedulesOfField(cooperativeId: string, fieldId: string): CommandSchedule[] {
      return stmt.ofField.all(cooperativeId, fieldId) as CommandSchedule[];
    },
    allSchedules(): CommandSchedule[] {
      return stmt.all.all() as CommandSchedule[];
    },
    removeSchedule(cooperativeId: string, id: string): boolean {
      return stmt.remove.run(id, cooperativeId).changes > 0;
    },
  };
}

export type CommandSchedules = ReturnType<typeof createCommandSchedules>;
