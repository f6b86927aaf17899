// Scheduled pump and valve commands (issue 17, migration 12): "run the pump of Ruộng 1 for 30 minutes at 05:00 every
// day" — a cron expression in Asia/Ho_Chi_Minh (minute hour day month weekday), the device and the minutes. Each run
// is an ordinary command (origin `scheduled`), so the interlocks decide at that moment. Reads and writes that serve a
// user take the cooperative id; the schedule runner (rules/control/command-schedules.ts) reads every schedule.
import type { Sql } from '../db/sql.js';
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

const columns = `id, cooperative_id AS "cooperativeId", field_id AS "fieldId", device_id AS "deviceId", cron, minutes, created_by AS "createdBy",
  created_at AS "createdAt"`;

export function createCommandSchedules(sql: Sql) {
  const q = {
    insert: `INSERT INTO command_schedules (id, cooperative_id, field_id, device_id, cron, minutes, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    byId: `SELECT ${columns} FROM command_schedules WHERE id = ? AND cooperative_id = ?`,
    ofField: `SELECT ${columns} FROM command_schedules WHERE cooperative_id = ? AND field_id = ? ORDER BY created_at`,
    all: `SELECT ${columns} FROM command_schedules ORDER BY created_at`,
    remove: 'DELETE FROM command_schedules WHERE id = ? AND cooperative_id = ?',
  };
  return {
    /** Records a schedule; the caller has checked the device, the field and the expression. */
    async addSchedule(s: Omit<CommandSchedule, 'id' | 'createdAt'>, now = Date.now()): Promise<CommandSchedule> {
      const id = `sch-${randomUUID().replaceAll('-', '').slice(0, 12)}`;
      await sql.run(q.insert, [id, s.cooperativeId, s.fieldId, s.deviceId, s.cron, s.minutes, s.createdBy, now]);
      return (await sql.one<CommandSchedule>(q.byId, [id, s.cooperativeId]))!;
    },
    async schedule(cooperativeId: string, id: string): Promise<CommandSchedule | undefined> {
      return sql.one<CommandSchedule>(q.byId, [id, cooperativeId]);
    },
    async schedulesOfField(cooperativeId: string, fieldId: string): Promise<CommandSchedule[]> {
      return sql.all<CommandSchedule>(q.ofField, [cooperativeId, fieldId]);
    },
    async allSchedules(): Promise<CommandSchedule[]> {
      return sql.all<CommandSchedule>(q.all);
    },
    async removeSchedule(cooperativeId: string, id: string): Promise<boolean> {
      return (await sql.run(q.remove, [id, cooperativeId])).changes > 0;
    },
  };
}

export type CommandSchedules = ReturnType<typeof createCommandSchedules>;
