// Alert rows in the registry's SQLite database (migration 4). The partial unique index
// alerts_one_unresolved(rule_id, subject) WHERE status != 'resolved' makes "one open alert per cause" a
// property of the data, not of the caller.
import type { Database } from 'better-sqlite3';
import type { Alert, AlertFilter, AlertRaise, AlertStatus, Severity } from './alert-types.js';

interface AlertRow {
  id: string; cooperative_id: string; farm_id: string | null; field_id: string | null; device_id: string | null;
  rule_id: string; subject: string; kind: string; severity: string; status: string; text_vi: string; text_en: string;
  vals: string; opened_at: number; updated_at: number; acknowledged_at: number | null; acknowledged_by: string | null;
  ack_comment: string | null; resolved_at: number | null; resolved_by: string | null; resolve_reason: string | null;
  escalate_after_ms: number | null; escalation_level: number; escalated_at: number | null; escalated_to: string | null;
}

function fromRow(r: AlertRow): Alert {
  return {
    id: r.id, cooperativeId: r.cooperative_id, farmId: r.farm_id, fieldId: r.field_id, deviceId: r.device_id,
    ruleId: r.rule_id, subject: r.subject, kind: r.kind, severity: r.severity as Severity, status: r.status as AlertStatus,
    text: { vi: r.text_vi, en: r.text_en }, values: JSON.parse(r.vals) as Alert['values'],
    openedAt: r.opened_at, updatedAt: r.updated_at, acknowledgedAt: r.acknowledged_at, acknowledgedBy: r.acknowledged_by,
    ackComment: r.ack_comment, resolvedAt: r.resolved_at, resolvedBy: r.resolved_by, resolveReason: r.resolve_reason,
    escalateAfterMs: r.escalate_after_ms, escalationLevel: r.escalation_level, escalatedAt: r.escalated_at,
    escalatedTo: r.escalated_to ? (JSON.parse(r.escalated_to) as string[]) : [],
  };
}

export type AlertStore = ReturnType<typeof createAlertStore>;

export function createAlertStore(db: Database) {
  const stmt = {
    insert: db.prepare(
      `INSERT INTO alerts (id, cooperative_id, farm_id, field_id, device_id, rule_id, subject, kind, severity, status,
         text_vi, text_en, vals, opened_at, updated_at, escalate_after_ms)
       VALUES (@id, @cooperativeId, @farmId, @fieldId, @deviceId, @ruleId, @subject, @kind, @severity, 'open',
         @textVi, @textEn, @vals, @now, @now, @escalateAfterMs)`,
    ),
    byId: db.prepare('SELECT * FROM alerts WHERE id = ?'),
    unresolved: db.prepare(`SELECT * FROM alerts WHERE rule_id = ? AND subject = ? AND status != 'resolved'`),
    update: db.prepare(
      `UPDATE alerts SET kind = @kind, severity = @severity, text_vi = @textVi, text_en = @textEn, vals = @vals, updated_at = @now
        WHERE id = @id AND status != 'resolved'`,
    ),
    acknowledge: db.prepare(
      `UPDATE alerts SET status = 'acknowledged', acknowledged_at = @now, acknowledged_by = @by, ack_comment = @comment, updated_at = @now
        WHERE id = @id AND status = 'open'`,
    ),
    resolve: db.prepare(
      `UPDATE alerts SET status = 'resolved', resolved_at = @now, resolved_by = @by, resolve_reason = @reason, updated_at = @now
        WHERE id = @id AND status != 'resolved'`,
    ),
    dueForEscalation: db.prepare(
      `SELECT * FROM alerts WHERE status = 'open' AND escalate_after_ms IS NOT NULL AND escalation_level < @maxLevel
          AND opened_at + escalate_after_ms * (escalation_level + 1) <= @now ORDER BY opened_at`,
    ),
    escalate: db.prepare(
      `UPDATE alerts SET escalation_level = @level, escalated_at = @now, escalated_to = @to, updated_at = @now
        WHERE id = @id AND status = 'open' AND escalation_level = @level - 1`,
    ),
    technicians: db.prepare(`SELECT id FROM users WHERE cooperative_id = ? AND role = 'technician' ORDER BY id`),
    admins: db.prepare(`SELECT id FROM users WHERE cooperative_id = ? AND role = 'admin' ORDER BY id`),
  };

  return {
    get(id: string): Alert | undefined {
      const row = stmt.byId.get(id) as AlertRow | undefined;
      return row ? fromRow(row) : undefined;
    },

    unresolved(ruleId: string, subject: string): Alert | undefined {
      const row = stmt.unresolved.get(ruleId, subject) as AlertRow | undefined;
      return row ? fromRow(row) : undefined;
    },

    insert(id: string, a: AlertRaise, now: number): void {
      stmt.insert.run({
        id, cooperativeId: a.cooperativeId, farmId: a.farmId, fieldId: a.fieldId, deviceId: a.deviceId, ruleId: a.ruleId,
        subject: a.subject, kind: a.kind, severity: a.severity, textVi: a.text.vi, textEn: a.text.en,
        vals: JSON.stringify(a.values), now, escalateAfterMs: a.escalateAfterMs,
      });
    },

    update(id: string, a: Pick<AlertRaise, 'kind' | 'severity' | 'text' | 'values'>, now: number): boolean {
      return stmt.update.run({ id, kind: a.kind, severity: a.severity, textVi: a.text.vi, textEn: a.text.en, vals: JSON.stringify(a.values), now }).changes > 0;
    },

    acknowledge(id: string, by: string, comment: string | null, now: number): boolean {
      return stmt.acknowledge.run({ id, by, comment, now }).changes > 0;
    },

    resolve(id: string, by: string, reason: string | null, now: number): boolean {
      return stmt.resolve.run({ id, by, reason, now }).changes > 0;
    },

    dueForEscalation(now: number, maxLevel: number): Alert[] {
      return (stmt.dueForEscalation.all({ now, maxLevel }) as AlertRow[]).map(fromRow);
    },

    escalate(id: string, level: number, to: readonly string[], now: number): boolean {
      return stmt.escalate.run({ id, level, to: JSON.stringify(to), now }).changes > 0;
    },

    /** The cooperative's technicians; its admins when it has none. */
    escalationTargets(cooperativeId: string): string[] {
      const techs = stmt.technicians.all(cooperativeId) as { id: string }[];
      const list = techs.length > 0 ? techs : (stmt.admins.all(cooperativeId) as { id: string }[]);
      return list.map((u) => u.id);
    },

    list(f: AlertFilter): Alert[] {
      const clauses = ['cooperative_id = ?'];
      const params: (string | number)[] = [f.cooperativeId];
      if (f.farmIds !== undefined) {
        if (f.farmIds.length === 0) return [];
        clauses.push(`farm_id IN (${f.farmIds.map(() => '?').join(',')})`);
        params.push(...f.farmIds);
      }
      if (f.status !== undefined) { clauses.push('status = ?'); params.push(f.status); }
      if (f.fieldId !== undefined) { clauses.push('field_id = ?'); params.push(f.fieldId); }
      if (f.severity !== undefined) { clauses.push('severity = ?'); params.push(f.severity); }
      if (f.ruleId !== undefined) { clauses.push('rule_id = ?'); params.push(f.ruleId); }
      params.push(Math.max(1, Math.min(1000, Math.floor(f.limit ?? 100))));
      const sql = `SELECT * FROM alerts WHERE ${clauses.join(' AND ')} ORDER BY opened_at DESC, id LIMIT ?`;
      return (db.prepare(sql).all(params) as AlertRow[]).map(fromRow);
    },
  };
}
