// Alert rows in the registry's database (migration 4). The partial unique index
// alerts_one_unresolved(rule_id, subject) WHERE status != 'resolved' makes "one open alert per cause" a
// property of the data, not of the caller. SQL in the subset both engines read alike (core/db/sql.ts).
import type { Sql } from '../db/sql.js';
import type { Alert, AlertFilter, AlertRaise, AlertStatus, Severity } from './alert-types.js';

interface AlertRow {
  id: string; cooperative_id: string; farm_id: string | null; field_id: string | null; device_id: string | null;
  rule_id: string; subject: string; kind: string; severity: string; status: string; text_vi: string; text_en: string;
  vals: string; opened_at: number; updated_at: number; acknowledged_at: number | null; acknowledged_by: string | null;
  ack_comment: string | null; resolved_at: number | null; resolved_by: string | null; resolve_reason: string | null;
  escalate_after_ms: number | null; escalation_level: number; escalated_at: number | null; escalated_to: string | null;
}

const num = (v: number | null): number | null => (v === null ? null : Number(v));

function fromRow(r: AlertRow): Alert {
  return {
    id: r.id, cooperativeId: r.cooperative_id, farmId: r.farm_id, fieldId: r.field_id, deviceId: r.device_id,
    ruleId: r.rule_id, subject: r.subject, kind: r.kind, severity: r.severity as Severity, status: r.status as AlertStatus,
    text: { vi: r.text_vi, en: r.text_en }, values: JSON.parse(r.vals) as Alert['values'],
    openedAt: Number(r.opened_at), updatedAt: Number(r.updated_at), acknowledgedAt: num(r.acknowledged_at), acknowledgedBy: r.acknowledged_by,
    ackComment: r.ack_comment, resolvedAt: num(r.resolved_at), resolvedBy: r.resolved_by, resolveReason: r.resolve_reason,
    escalateAfterMs: num(r.escalate_after_ms), escalationLevel: Number(r.escalation_level), escalatedAt: num(r.escalated_at),
    escalatedTo: r.escalated_to ? (JSON.parse(r.escalated_to) as string[]) : [],
  };
}

const Q = {
  // ON CONFLICT names the partial index (its columns and its predicate): a second unresolved alert for the cause,
  // inserted meanwhile by another process, makes this insert do nothing instead of failing (an error would abort
  // a PostgreSQL transaction).
  insert: `INSERT INTO alerts (id, cooperative_id, farm_id, field_id, device_id, rule_id, subject, kind, severity, status,
             text_vi, text_en, vals, opened_at, updated_at, escalate_after_ms)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)
           ON CONFLICT (rule_id, subject) WHERE status != 'resolved' DO NOTHING`,
  byId: 'SELECT * FROM alerts WHERE id = ?',
  unresolved: `SELECT * FROM alerts WHERE rule_id = ? AND subject = ? AND status != 'resolved'`,
  update: `UPDATE alerts SET kind = ?, severity = ?, text_vi = ?, text_en = ?, vals = ?, updated_at = ?
            WHERE id = ? AND status != 'resolved'`,
  acknowledge: `UPDATE alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, ack_comment = ?, updated_at = ?
                 WHERE id = ? AND status = 'open'`,
  resolve: `UPDATE alerts SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolve_reason = ?, updated_at = ?
             WHERE id = ? AND status != 'resolved'`,
  dueForEscalation: `SELECT * FROM alerts WHERE status = 'open' AND escalate_after_ms IS NOT NULL AND escalation_level < ?
                        AND opened_at + escalate_after_ms * (escalation_level + 1) <= ? ORDER BY opened_at, id`,
  escalate: `UPDATE alerts SET escalation_level = ?, escalated_at = ?, escalated_to = ?, updated_at = ?
              WHERE id = ? AND status = 'open' AND escalation_level = ?`,
  technicians: `SELECT id FROM users WHERE cooperative_id = ? AND role = 'technician' ORDER BY id`,
  admins: `SELECT id FROM users WHERE cooperative_id = ? AND role = 'admin' ORDER BY id`,
} as const;

export type AlertStore = ReturnType<typeof createAlertStore>;

export function createAlertStore(sql: Sql) {
  return {
    async get(id: string): Promise<Alert | undefined> {
      const row = await sql.one<AlertRow>(Q.byId, [id]);
      return row ? fromRow(row) : undefined;
    },

    async unresolved(ruleId: string, subject: string): Promise<Alert | undefined> {
      const row = await sql.one<AlertRow>(Q.unresolved, [ruleId, subject]);
      return row ? fromRow(row) : undefined;
    },

    /** Opens the alert; false when the cause already has an unresolved one (alerts_one_unresolved). */
    async insert(id: string, a: AlertRaise, now: number): Promise<boolean> {
      const { changes } = await sql.run(Q.insert, [
        id, a.cooperativeId, a.farmId, a.fieldId, a.deviceId, a.ruleId, a.subject, a.kind, a.severity,
        a.text.vi, a.text.en, JSON.stringify(a.values), now, now, a.escalateAfterMs,
      ]);
      return changes > 0;
    },

    async update(id: string, a: Pick<AlertRaise, 'kind' | 'severity' | 'text' | 'values'>, now: number): Promise<boolean> {
      const { changes } = await sql.run(Q.update, [a.kind, a.severity, a.text.vi, a.text.en, JSON.stringify(a.values), now, id]);
      return changes > 0;
    },

    async acknowledge(id: string, by: string, comment: string | null, now: number): Promise<boolean> {
      return (await sql.run(Q.acknowledge, [now, by, comment, now, id])).changes > 0;
    },

    async resolve(id: string, by: string, reason: string | null, now: number): Promise<boolean> {
      return (await sql.run(Q.resolve, [now, by, reason, now, id])).changes > 0;
    },

    async dueForEscalation(now: number, maxLevel: number): Promise<Alert[]> {
      return (await sql.all<AlertRow>(Q.dueForEscalation, [maxLevel, now])).map(fromRow);
    },

    /** Moves the alert from level - 1 to level (a concurrent escalation of the same level changes nothing). */
    async escalate(id: string, level: number, to: readonly string[], now: number): Promise<boolean> {
      return (await sql.run(Q.escalate, [level, now, JSON.stringify(to), now, id, level - 1])).changes > 0;
    },

    /** The cooperative's technicians; its admins when it has none. */
    async escalationTargets(cooperativeId: string): Promise<string[]> {
      const techs = await sql.all<{ id: string }>(Q.technicians, [cooperativeId]);
      const list = techs.length > 0 ? techs : await sql.all<{ id: string }>(Q.admins, [cooperativeId]);
      return list.map((u) => u.id);
    },

    async list(f: AlertFilter): Promise<Alert[]> {
      const clauses = ['cooperative_id = ?'];
      const params: (string | number)[] = [f.cooperativeId];
      if (f.farmIds !== undefined) {
        if (f.farmIds.length === 0) return [];
        clauses.push(`farm_id IN (${f.farmIds.map(() => '?').join(', ')})`);
        params.push(...f.farmIds);
      }
      if (f.status !== undefined) { clauses.push('status = ?'); params.push(f.status); }
      if (f.fieldId !== undefined) { clauses.push('field_id = ?'); params.push(f.fieldId); }
      if (f.severity !== undefined) { clauses.push('severity = ?'); params.push(f.severity); }
      if (f.ruleId !== undefined) { clauses.push('rule_id = ?'); params.push(f.ruleId); }
      params.push(Math.max(1, Math.min(1000, Math.floor(f.limit ?? 100))));
      const query = `SELECT * FROM alerts WHERE ${clauses.join(' AND ')} ORDER BY opened_at DESC, id LIMIT ?`;
      return (await sql.all<AlertRow>(query, params)).map(fromRow);
    },
  };
}
