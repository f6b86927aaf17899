// Pump and valve commands (issue 17, migration 11) and their audit log. A command is requested (by a user, a
// schedule, automatic mode, or the dispatcher's own safety stop), refused by an interlock, or sent on
// devices/{id}/down and tracked until the device confirms its new state (docs/architecture.md "Pumps and valves"):
// requested → sent → confirmed | failed (no confirmation after the attempts) | cancelled (an `off` overtook it);
// refused is final. Every step writes an audit row (who, what, why, the numbers) in the same transaction.
// Every read and write that serves a user takes the cooperative id: another tenant's command is not found.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';

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

const columns = `id, cooperative_id AS cooperativeId, field_id AS fieldId, device_id AS deviceId, cmd, action, minutes, origin,
  requested_by AS requestedBy, requested_by_name AS requestedByName, state, attempts, interlock, reason, vals,
  requested_at AS requestedAt, sent_at AS sentAt, next_attempt_at AS nextAttemptAt, finished_at AS finishedAt`;
const auditColumns = `seq, cooperative_id AS cooperativeId, field_id AS fieldId, device_id AS deviceId, command_id AS commandId, at, actor,
  event, reason, vals`;

type Row<T> = Omit<T, 'values'> & { vals: string };
const parse = <T>(row: Row<T> | undefined): T | undefined => {
  if (!row) return undefined;
  const { vals, ...rest } = row;
  return { ...rest, values: JSON.parse(vals) as CommandValues } as T;
};

export function createCommands(db: Database) {
  const stmt = {
    insert: db.prepare(
      `INSERT INTO device_commands (id, cooperative_id, field_id, device_id, cmd, action, minutes, origin, requested_by, requested_by_name,
         state, interlock, reason, vals, requested_at, finished_at, updated_at)
       VALUES (@id, @cooperativeId, @fieldId, @deviceId, @cmd, @action, @minutes, @origin, @requestedBy, @requestedByName,
         @state, @interlock, @reason, @vals, @now, @finishedAt, @now)`,
    ),
    audit: db.prepare(
      `INSERT INTO command_audit (cooperative_id, field_id, device_id, command_id, at, actor, event, reason, vals)
       VALUES (@cooperativeId, @fieldId, @deviceId, @commandId, @at, @actor, @event, @reason, @vals)`,
    ),
    byId: db.prepare(`SELECT ${columns} FROM device_commands WHERE id = ?`),
    byIdOf: db.prepare(`SELECT ${columns} FROM device_commands WHERE id = ? AND cooperative_id = ?`),
    open: db.prepare(`SELECT ${columns} FROM device_commands WHERE state IN ('requested', 'sent') ORDER BY seq`),
    openOfDevice: db.prepare(`SELECT ${columns} FROM device_commands WHERE device_id = ? AND state IN ('requested', 'sent') ORDER BY seq`),
    ofField: db.prepare(`SELECT ${columns} FROM device_commands WHERE cooperative_id = ? AND field_id = ? ORDER BY seq DESC LIMIT ?`),
    auditOfField: db.prepare(`SELECT ${auditColumns} FROM command_audit WHERE cooperative_id = ? AND field_id = ? ORDER BY seq DESC LIMIT ?`),
    claim: db.prepare(
      `UPDATE device_commands SET state = 'sent', attempts = 1, sent_at = @now, next_attempt_at = @next, updated_at = @now
        WHERE id = @id AND state = 'requested'`,
    ),
    retry: db.prepare(
      `UPDATE device_commands SET attempts = attempts + 1, next_attempt_at = @next, updated_at = @now WHERE id = @id AND state = 'sent'`,
    ),
    control: db.prepare('SELECT field_id AS fieldId, max_run_min AS maxRunMin, automatic FROM field_control WHERE field_id = ? AND cooperative_id = ?'),
    automaticFields: db.prepare('SELECT field_id AS fieldId, cooperative_id AS cooperativeId FROM field_control WHERE automatic = 1'),
    setControl: db.prepare(
      `INSERT INTO field_control (field_id, cooperative_id, max_run_min, automatic, updated_at, updated_by)
       VALUES (@fieldId, @cooperativeId, @maxRunMin, @automatic, @now, @by)
       ON CONFLICT(field_id) DO UPDATE SET max_run_min = excluded.max_run_min, automatic = excluded.automatic,
         updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
    ),
  };
  // one statement per set of states a command may finish from (a list cannot be bound to one parameter)
  const finishFrom = (from: readonly CommandState[]) => db.prepare(
    `UPDATE device_commands SET state = @state, interlock = coalesce(@interlock, interlock), reason = coalesce(@reason, reason),
       vals = coalesce(@vals, vals), finished_at = @now, next_attempt_at = NULL, updated_at = @now
      WHERE id = @id AND state IN (${from.map((s) => `'${s}'`).join(', ')})`,
  );
  const finishOpen = finishFrom(['requested', 'sent']);
  const finishSent = finishFrom(['sent']);
  const finishRequested = finishFrom(['requested']);

  function audit(c: Pick<Command, 'cooperativeId' | 'fieldId' | 'deviceId'> & { id: string | null }, at: number, actor: string, event: string, reason: string | null, values: CommandValues = {}): void {
    stmt.audit.run({ cooperativeId: c.cooperativeId, fieldId: c.fieldId, deviceId: c.deviceId, commandId: c.id, at, actor, event, reason, vals: JSON.stringify(values) });
  }
  const get = (id: string) => parse<Command>(stmt.byId.get(id) as Row<Command> | undefined);

  return {
    /** Records a command as requested (or refused, with its reason and numbers) and its audit row, atomically. */
    recordCommand(input: NewCommand, now = Date.now()): Command {
      const id = `cmd-${randomUUID().replaceAll('-', '').slice(0, 16)}`;
      const refused = input.refusal !== undefined;
      const values = refused ? input.refusal.values : {};
      db.transaction(() => {
        stmt.insert.run({
          id, cooperativeId: input.cooperativeId, fieldId: input.fieldId, deviceId: input.deviceId, cmd: input.cmd, action: input.action,
          minutes: input.minutes, origin: input.origin, requestedBy: input.requestedBy, requestedByName: input.requestedByName ?? null,
          state: refused ? 'refused' : 'requested', interlock: input.refusal?.interlock ?? null, reason: input.refusal?.reason ?? input.note ?? null,
          vals: JSON.stringify(values), now, finishedAt: refused ? now : null,
        });
        const what = { cmd: input.cmd, action: input.action, minutes: input.minutes, origin: input.origin };
        if (refused) audit({ ...input, id }, now, input.requestedBy, 'refused', input.refusal.reason, { ...what, interlock: input.refusal.interlock, ...values });
        else audit({ ...input, id }, now, input.requestedBy, 'requested', input.note ?? null, what);
      })();
      return get(id)!;
    },

    /** The dispatcher takes a requested command (false: another took it, or it was cancelled). */
    claimCommand(id: string, now: number, nextAttemptAt: number, values: CommandValues = {}): boolean {
      return db.transaction(() => {
        if (stmt.claim.run({ id, now, next: nextAttemptAt }).changes === 0) return false;
        audit(get(id)!, now, 'system', 'sent', null, { attempt: 1, ...values });
        return true;
      })();
    },

    /** Another attempt of a sent command. */
    retryCommand(id: string, now: number, nextAttemptAt: number): boolean {
      return db.transaction(() => {
        if (stmt.retry.run({ id, now, next: nextAttemptAt }).changes === 0) return false;
        const c = get(id)!;
        audit(c, now, 'system', 'retried', null, { attempt: c.attempts });
        return true;
      })();
    },

    /** sent → confirmed (the state reading's numbers), failed (never confirmed); requested → refused; open → cancelled. */
    finishCommand(id: string, state: 'confirmed' | 'failed' | 'refused' | 'cancelled', now: number, detail: {
      actor?: string; reason?: string | null; interlock?: string | null; values?: CommandValues;
    } = {}): Command | undefined {
      const st = state === 'confirmed' || state === 'failed' ? finishSent : state === 'refused' ? finishRequested : finishOpen;
      return db.transaction(() => {
        const params = { id, state, now, reason: detail.reason ?? null, interlock: detail.interlock ?? null, vals: detail.values ? JSON.stringify(detail.values) : null };
        if (st.run(params).changes === 0) return undefined;
        const c = get(id)!;
        audit(c, now, detail.actor ?? 'system', state, detail.reason ?? null, { ...(detail.interlock ? { interlock: detail.interlock } : {}), ...detail.values });
        return c;
      })();
    },

    /** Every requested or sent command, oldest first (the dispatcher's work list). */
    openCommands(): Command[] {
      return (stmt.open.all() as Row<Command>[]).map((r) => parse<Command>(r)!);
    },

    openCommandsOfDevice(deviceId: string): Command[] {
      return (stmt.openOfDevice.all(deviceId) as Row<Command>[]).map((r) => parse<Command>(r)!);
    },

    commandById(id: string): Command | undefined {
      return get(id);
    },

    /** One command of the cooperative (tenant-scoped). */
    command(cooperativeId: string, id: string): Command | undefined {
      return parse<Command>(stmt.byIdOf.get(id, cooperativeId) as Row<Command> | undefined);
    },

    /** A field's commands, newest first (tenant-scoped). */
    commandsOfField(cooperativeId: string, fieldId: string, limit = 50): Command[] {
      return (stmt.ofField.all(cooperativeId, fieldId, limit) as Row<Command>[]).map((r) => parse<Command>(r)!);
    },

    /** A field's audit log, newest first (tenant-scoped). */
    commandAuditOfField(cooperativeId: string, fieldId: string, limit = 200): AuditEntry[] {
      return (stmt.auditOfField.all(cooperativeId, fieldId, limit) as Row<AuditEntry>[]).map((r) => parse<AuditEntry>(r)!);
    },

    /** A field's control settings (defaults when never set), tenant-scoped. */
    fieldControl(cooperativeId: string, fieldId: string): FieldControl {
      const row = stmt.control.get(fieldId, cooperativeId) as { fieldId: string; maxRunMin: number | null; automatic: number } | undefined;
      return { fieldId, maxRunMin: row?.maxRunMin ?? null, automatic: row?.automatic === 1 };
    },

    setFieldControl(cooperativeId: string, fieldId: string, control: Omit<FieldControl, 'fieldId'>, by: string, now = Date.now()): FieldControl {
      stmt.setControl.run({ fieldId, cooperativeId, maxRunMin: control.maxRunMin, automatic: control.automatic ? 1 : 0, now, by });
      return { fieldId, ...control };
    },

    automaticFields(): { fieldId: string; cooperativeId: string }[] {
      return stmt.automaticFields.all() as { fieldId: string; cooperativeId: string }[];
    },
  };
}

export type Commands = ReturnType<typeof createCommands>;
