// Rule definitions, rule state and each field's latest advice in the registry's SQLite database
// (migration 4). Definitions and state are stored as JSON: their schema lives with the rules engine
// (rules/rule-schema.ts, validated with zod when loaded); the API reads advice without knowing the engine.
import type { Database } from 'better-sqlite3';
import { z } from 'zod';

export interface StoredRule {
  readonly id: string;
  readonly cooperativeId: string;
  /** The JSON definition, unparsed. */
  readonly definition: unknown;
  readonly updatedAt: number;
}

export const AdviceStatus = z.enum(['ok', 'irrigate', 'postpone', 'hold', 'drain', 'do_not_irrigate', 'no_data']);
export type AdviceStatus = z.infer<typeof AdviceStatus>;

/** Today's advice for a field, as `GET /api/v1/fields/:id/advice` returns it. */
export interface Advice {
  readonly fieldId: string;
  /** Local date (Asia/Ho_Chi_Minh) the advice is for, YYYY-MM-DD. */
  readonly date: string;
  readonly status: AdviceStatus;
  readonly text: { readonly vi: string; readonly en: string };
  readonly numbers: Readonly<Record<string, number | null>>;
  /** How the water status was known: soil-sensors | water-balance | awd-tube | none. */
  readonly method: string;
  /** Reference evapotranspiration used, with the FAO-56 path that produced it. */
  readonly et0: { readonly date: string; readonly mm: number; readonly method: string; readonly estimated: readonly string[] } | null;
  readonly computedAt: string;
}

export type RuleStore = ReturnType<typeof createRuleStore>;

export function createRuleStore(db: Database) {
  const stmt = {
    rules: db.prepare('SELECT id, cooperative_id AS cooperativeId, definition, updated_at AS updatedAt FROM rules WHERE cooperative_id = ? ORDER BY id'),
    countRules: db.prepare('SELECT count(*) AS n FROM rules WHERE cooperative_id = ?'),
    upsertRule: db.prepare(
      `INSERT INTO rules (id, cooperative_id, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
    ),
    deleteRule: db.prepare('DELETE FROM rules WHERE id = ? AND cooperative_id = ?'),
    state: db.prepare('SELECT state FROM rule_state WHERE rule_id = ? AND subject = ?'),
    upsertState: db.prepare(
      `INSERT INTO rule_state (rule_id, subject, state, updated_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(rule_id, subject) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ),
    advice: db.prepare('SELECT payload FROM advice WHERE field_id = ? AND cooperative_id = ?'),
    upsertAdvice: db.prepare(
      `INSERT INTO advice (field_id, cooperative_id, date, status, payload, computed_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT(field_id) DO UPDATE SET cooperative_id = excluded.cooperative_id, date = excluded.date,
         status = excluded.status, payload = excluded.payload, computed_at = excluded.computed_at`,
    ),
    cooperatives: db.prepare('SELECT id FROM cooperatives ORDER BY id'),
  };

  return {
    cooperativeIds(): string[] {
      return (stmt.cooperatives.all() as { id: string }[]).map((r) => r.id);
    },

    rules(cooperativeId: string): StoredRule[] {
      const rows = stmt.rules.all(cooperativeId) as { id: string; cooperativeId: string; definition: string; updatedAt: number }[];
      return rows.map((r) => ({ ...r, definition: JSON.parse(r.definition) as unknown }));
    },

    hasRules(cooperativeId: string): boolean {
      return (stmt.countRules.get(cooperativeId) as { n: number }).n > 0;
    },

    putRule(cooperativeId: string, id: string, definition: unknown, now = Date.now()): void {
      stmt.upsertRule.run(id, cooperativeId, JSON.stringify(definition), now, now);
    },

    deleteRule(cooperativeId: string, id: string): boolean {
      return stmt.deleteRule.run(id, cooperativeId).changes > 0;
    },

    state(ruleId: string, subject: string): unknown {
      const row = stmt.state.get(ruleId, subject) as { state: string } | undefined;
      return row ? (JSON.parse(row.state) as unknown) : undefined;
    },

    putState(ruleId: string, subject: string, state: unknown, now = Date.now()): void {
      stmt.upsertState.run(ruleId, subject, JSON.stringify(state), now);
    },

    advice(cooperativeId: string, fieldId: string): Advice | undefined {
      const row = stmt.advice.get(fieldId, cooperativeId) as { payload: string } | undefined;
      return row ? (JSON.parse(row.payload) as Advice) : undefined;
    },

    putAdvice(cooperativeId: string, advice: Advice, now = Date.now()): void {
      stmt.upsertAdvice.run(advice.fieldId, cooperativeId, advice.date, advice.status, JSON.stringify(advice), now);
    },
  };
}
