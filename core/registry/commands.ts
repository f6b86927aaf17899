// Pump and valve commands (issue 17, migration 11) and their audit log. A command is requested (by a user, a
// schedule, automatic mode, or the dispatcher's own safety stop), refused by an interlock, or sent on
// devices/{id}/down and tracked until the device confirms its new state (docs/architecture.md "Pumps and valves"):
// requested → sent → confirmed | failed (no confirmation after the attempts) | cancelled (an `off` overtook it);
// refused is final. Every step writes an audit row (who, what, why, the numbers) in the same transaction.
// Every read and write that serves a user takes the cooperative id: another tenant's command is not found.
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { truthy, type Sql } from '../db/sql.js';

export const CommandCmd = z.enum(['pump', 'valve']);
export type CommandCmd = z.infer<typeof CommandCmd>;
export const CommandAction = z.enum(['on', 'off']);
export type CommandAction = z.infer<typeof CommandAction>;
export const CommandOrigin = z.enum(['manual', 'scheduled', 'automatic', 'safety']);
export type CommandOrigin = z.infer<typeof CommandOrigin>;
export const CommandState = z.enum(['requested', 'sent', 'confirmed', 'refused', 'failed', 'cancelled']);
export type CommandState = z.infer<typeof CommandState>;

/** The numbers behind a refusal or a step (salinity ‰ and limit, minutes and maximum …), JSON-serialisable. */
export type CommandValues = Readonly<Record<string, number | string | boolean | null>>;

export interface Command {
  readonly id: string;
  readonly cooperativeId: string;
  readonly fieldId: string;
  readonly deviceId: string;
  readonly cmd: CommandCmd;
  readonly action: CommandAction;
  readonly minutes: number | null;
  readonly origin: CommandOrigin;
  readonly requestedBy: string;
  readonly requestedByName: string | null;
  readonly state: CommandState;
  readonly attempts: number;
  /** The interlock(s) that refused it, comma-separated. */
  readonly interlock: string | null;
  readonly reason: string | null;
  readonly values: CommandValues;
  readonly requestedAt: number;
  /** The first send: a state reading with ts ≥ this confirms. */
  readonly sentAt: number | null;
  readonly nextAttemptAt: number | null;
  readonly finishedAt: number | null;
}

export interface AuditEntry {
  readonly seq: number;
  readonly cooperativeId: string;
  readonly fieldId: string;
  readonly deviceId: string;
  readonly commandId: string | null;
  readonly at: number;
  /** A user id, or `system` (the dispatcher). */
  readonly actor: string;
  /** requested | refused | sent | retried | confirmed | failed | cancelled */
  readonly event: string;
  readonly reason: string | null;
  readonly values: CommandValues;
}

export interface NewCommand extends Pick<Command, 'cooperativeId' | 'fieldId' | 'deviceId' | 'cmd' | 'action' | 'minutes' | 'origin' | 'requestedBy'> {
  readonly requestedByName?: string | null | undefined;
  /** Why it was asked (e.g. "advice: irrigate 25 mm"); kept in the audit log. */
  readonly note?: string | null | undefined;
  /** Set: the command is recorded as refused by these interlocks, with this reason and these numbers. */
  readonly refusal?: { readonly interlock: string; readonly reason: string; readonly values: CommandValues } | undefined;
}

export interface FieldControl {
  readonly fieldId: string;
  /** The field's own maximum run time, minutes (null: the platform's). */
  readonly maxRunMin: number | null;
  /** Automatic mode (opt-in): the dispatcher commands the field's pump from the advice. */
  readonly automatic: boolean;
}

const columns = `id, cooperative_id AS "cooperativeId", field_id AS "fieldId", device_id AS "deviceId", cmd, action, minutes, origin,
  requested_by AS "requestedBy", requested_by_name AS "requestedByName", state, attempts, interlock, reason, vals,
  requested_at AS "requestedAt", sent_at AS "sentAt", next_attempt_at AS "nextAttemptAt", finished_at AS "finishedAt"`;
const auditColumns = `seq, cooperative_id AS "cooperativeId", field_id AS "fieldId", device_id AS "deviceId", command_id AS "commandId", at, actor,
  event, reason, vals`;

type Row<T> = Omit<T, 'values'> & { vals: string };
const parse = <T>(row: Row<T> | undefined): T | undefined => {
  if (!row) return undefined;
  const { vals, ...rest } = row;
  return { ...rest, values: JSON.parse(vals) as CommandValues } as T;
};

export function createCommands(sql: Sql) {
  const q = {
    insert: `INSERT INTO device_commands (id, cooperative_id, field_id, device_id, cmd, action, minutes, origin, requested_by, requested_by_name,
         state, interlock, reason, vals, requested_at, finished_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    audit: `INSERT INTO command_audit (cooperative_id, field_id, device_id, command_id, at, actor, event, reason, vals)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    byId: `SELECT ${columns} FROM device_commands WHERE id = ?`,
    byIdOf: `SELECT ${columns} FROM device_commands WHERE id = ? AND cooperative_id = ?`,
    open: `SELECT ${columns} FROM device_commands WHERE state IN ('requested', 'sent') ORDER BY seq`,
    openOfDevice: `SELECT ${columns} FROM device_commands WHERE device_id = ? AND state IN ('requested', 'sent') ORDER BY seq`,
    ofField: `SELECT ${columns} FROM device_commands WHERE cooperative_id = ? AND field_id = ? ORDER BY seq DESC LIMIT ?`,
    auditOfField: `SELECT ${auditColumns} FROM command_audit WHERE cooperative_id = ? AND field_id = ? ORDER BY seq DESC LIMIT ?`,
    claim: `UPDATE device_commands SET state = 'sent', attempts = 1, sent_at = ?, next_attempt_at = ?, updated_at = ?
        WHERE id = ? AND state = 'requested'`,
    retry: `UPDATE device_commands SET attempts = attempts + 1, next_attempt_at = ?, updated_at = ? WHERE id = ? AND state = 'sent'`,
    control: 'SELECT field_id AS "fieldId", max_run_min AS "maxRunMin", automatic FROM field_control WHERE field_id = ? AND cooperative_id = ?',
    // `automatic` is compared with a bound 1, which both an INTEGER and a BOOLEAN column accept
    automaticFields: 'SELECT field_id AS "fieldId", cooperative_id AS "cooperativeId" FROM field_control WHERE automatic = ?',
    setControl: `INSERT INTO field_control (field_id, cooperative_id, max_run_min, automatic, updated_at, updated_by)
       VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (field_id) DO UPDATE SET max_run_min = excluded.max_run_min, automatic = excluded.automatic,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  };
  // one statement per set of states a command may finish from (a list cannot be bound to one parameter)
  const finishFrom = (from: readonly CommandState[]) =>
    `UPDATE device_commands SET state = ?, interlock = coalesce(?, interlock), reason = coalesce(?, reason),
       vals = coalesce(?, vals), finished_at = ?, next_attempt_at = NULL, updated_at = ?
      WHERE id = ? AND state IN (${from.map((s) => `'${s}'`).join(', ')})`;
  const finishOpen = finishFrom(['requested', 'sent']);
  const finishSent = finishFrom(['sent']);
  const finishRequested = finishFrom(['requested']);

  async function audit(c: Pick<Command, 'cooperativeId' | 'fieldId' | 'deviceId'> & { id: string | null }, at: number, actor: string, event: string, reason: string | null, values: CommandValues = {}): Promise<void> {
    await sql.run(q.audit, [c.cooperativeId, c.fieldId, c.deviceId, c.id, at, actor, event, reason, JSON.stringify(values)]);
  }
  const get = async (id: string) => parse<Command>(await sql.one<Row<Command>>(q.byId, [id]));

  return {
    /** Records a command as requested (or refused, with its reason and numbers) and its audit row, atomically. */
    async recordCommand(input: NewCommand, now = Date.now()): Promise<Command> {
      const id = `cmd-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const refused = input.refusal !== undefined;
      const values = refused ? input.refusal.values : {};
      await sql.tx(async () => {
        await sql.run(q.insert, [
          id, input.cooperativeId, input.fieldId, input.deviceId, input.cmd, input.action, input.minutes, input.origin, input.requestedBy,
          input.requestedByName ?? null, refused ? 'refused' : 'requested', input.refusal?.interlock ?? null, input.refusal?.reason ?? input.note ?? null,
          JSON.stringify(values), now, refused ? now : null, now,
        ]);
        const what = { cmd: input.cmd, action: input.action, minutes: input.minutes, origin: input.origin };
        if (refused) await audit({ ...input, id }, now, input.requestedBy, 'refused', input.refusal.reason, { ...what, interlock: input.refusal.interlock, ...values });
        else await audit({ ...input, id }, now, input.requestedBy, 'requested', input.note ?? null, what);
      });
      return (await get(id))!;
    },

    /** The dispatcher takes a requested command (false: another took it, or it was cancelled). */
    async claimCommand(id: string, now: number, nextAttemptAt: number, values: CommandValues = {}): Promise<boolean> {
      return sql.tx(async () => {
        if ((await sql.run(q.claim, [now, nextAttemptAt, now, id])).changes === 0) return false;
        await audit((await get(id))!, now, 'system', 'sent', null, { attempt: 1, ...values });
        return true;
      });
    },

    /** Another attempt of a sent command. */
    async retryCommand(id: string, now: number, nextAttemptAt: number): Promise<boolean> {
      return sql.tx(async () => {
        if ((await sql.run(q.retry, [nextAttemptAt, now, id])).changes === 0) return false;
        const c = (await get(id))!;
        await audit(c, now, 'system', 'retried', null, { attempt: c.attempts });
        return true;
      });
    },

    /** sent → confirmed (the state reading's numbers), failed (never confirmed); requested → refused; open → cancelled. */
    async finishCommand(id: string, state: 'confirmed' | 'failed' | 'refused' | 'cancelled', now: number, detail: {
      actor?: string; reason?: string | null; interlock?: string | null; values?: CommandValues;
    } = {}): Promise<Command | undefined> {
      const st = state === 'confirmed' || state === 'failed' ? finishSent : state === 'refused' ? finishRequested : finishOpen;
      return sql.tx(async () => {
        const params = [state, detail.interlock ?? null, detail.reason ?? null, detail.values ? JSON.stringify(detail.values) : null, now, now, id];
        if ((await sql.run(st, params)).changes === 0) return undefined;
        const c = (await get(id))!;
        await audit(c, now, detail.actor ?? 'system', state, detail.reason ?? null, { ...(detail.interlock ? { interlock: detail.interlock } : {}), ...detail.values });
        return c;
      });
    },

    /** Every requested or sent command, oldest first (the dispatcher's work list). */
    async openCommands(): Promise<Command[]> {
      return (await sql.all<Row<Command>>(q.open)).map((r) => parse<Command>(r)!);
    },

    async openCommandsOfDevice(deviceId: string): Promise<Command[]> {
      return (await sql.all<Row<Command>>(q.openOfDevice, [deviceId])).map((r) => parse<Command>(r)!);
    },

    async commandById(id: string): Promise<Command | undefined> {
      return get(id);
    },

    /** One command of the cooperative (tenant-scoped). */
    async command(cooperativeId: string, id: string): Promise<Command | undefined> {
      return parse<Command>(await sql.one<Row<Command>>(q.byIdOf, [id, cooperativeId]));
    },

    /** A field's commands, newest first (tenant-scoped). */
    async commandsOfField(cooperativeId: string, fieldId: string, limit = 50): Promise<Command[]> {
      return (await sql.all<Row<Command>>(q.ofField, [cooperativeId, fieldId, limit])).map((r) => parse<Command>(r)!);
    },

    /** A field's audit log, newest first (tenant-scoped). */
    async commandAuditOfField(cooperativeId: string, fieldId: string, limit = 200): Promise<AuditEntry[]> {
      return (await sql.all<Row<AuditEntry>>(q.auditOfField, [cooperativeId, fieldId, limit])).map((r) => parse<AuditEntry>(r)!);
    },

    /** A field's control settings (defaults when never set), tenant-scoped. */
    async fieldControl(cooperativeId: string, fieldId: string): Promise<FieldControl> {
      const row = await sql.one<{ fieldId: string; maxRunMin: number | null; automatic: number | boolean }>(q.control, [fieldId, cooperativeId]);
      return { fieldId, maxRunMin: row?.maxRunMin ?? null, automatic: truthy(row?.automatic) };
    },

    async setFieldControl(cooperativeId: string, fieldId: string, control: Omit<FieldControl, 'fieldId'>, by: string, now = Date.now()): Promise<FieldControl> {
      await sql.run(q.setControl, [fieldId, cooperativeId, control.maxRunMin, control.automatic ? 1 : 0, now, by]);
      return { fieldId, ...control };
    },

    async automaticFields(): Promise<{ fieldId: string; cooperativeId: string }[]> {
      return sql.all<{ fieldId: string; cooperativeId: string }>(q.automaticFields, [1]);
    },
  };
}

export type Commands = ReturnType<typeof createCommands>;
