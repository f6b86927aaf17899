// Rule definitions, rule state and each field's latest advice in the registry's database
// (migration 4; SQL both engines read alike, core/db/sql.ts). Definitions and state are stored as JSON: their schema lives with the rules engine
// (rules/rule-schema.ts, validated with zod when loaded); the API reads advice without knowing the engine.
import { z } from 'zod';
import type { Sql } from '../db/sql.js';
import { RuongError } from '../errors.js';
import type { Device, Field } from '../registry/types.js';

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

/** What a rule is about, as the rules API needs it (the fields of rules/rule-schema.ts's scope). */
export interface RuleScopeLike {
  readonly farmId?: string | undefined;
  readonly fieldId?: string | undefined;
  readonly crop?: string | undefined;
  readonly deviceId?: string | undefined;
  readonly deviceKind?: string | undefined;
}

export interface CatalogRule {
  readonly id: string;
  readonly key: string;
  readonly kind: string;
  readonly enabled: boolean;
  readonly scope: RuleScopeLike;
}

/** A field or a device (with its field) the rules apply to. */
export interface RuleSubject {
  readonly field?: Field | undefined;
  readonly device?: Device | undefined;
}

/**
 * The rules engine's schema and choice of rules, handed to the API by cli/ (services never import each other):
 * the API validates an override with the very schema the engine loads rules with (rules/rule-schema.ts) and
 * shows which rule applies with the engine's own selection (rules/rule-context.ts).
 */
export interface RuleCatalog {
  /** The rule schema, for OpenAPI and for validating a definition (its zod messages go back in a 400). */
  readonly schema: z.ZodType;
  /** A validated definition's id, key, kind, enabled flag and scope. */
  describe(parsed: unknown): CatalogRule;
  /** The default rules every cooperative starts with (rules/default-rules.ts), ids prefixed with the cooperative's. */
  defaults(cooperativeId: string): { id: string; definition: unknown }[];
  /** Whether the rule's scope covers the subject. */
  matches(rule: CatalogRule, subject: RuleSubject): boolean;
  /** Ids of the rules that apply to the subject: per key the most specific (a disabled one still wins its key). */
  winners(rules: readonly CatalogRule[], subject: RuleSubject): Set<string>;
}

export type RuleStore = ReturnType<typeof createRuleStore>;

const Q = {
  rules: 'SELECT id, cooperative_id AS "cooperativeId", definition, updated_at AS "updatedAt" FROM rules WHERE cooperative_id = ? ORDER BY id',
  countRules: 'SELECT count(*) AS n FROM rules WHERE cooperative_id = ?',
  upsertRule: `INSERT INTO rules (id, cooperative_id, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at
                 WHERE rules.cooperative_id = excluded.cooperative_id`,
  deleteRule: 'DELETE FROM rules WHERE id = ? AND cooperative_id = ?',
  state: 'SELECT state FROM rule_state WHERE rule_id = ? AND subject = ?',
  upsertState: `INSERT INTO rule_state (rule_id, subject, state, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (rule_id, subject) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
  advice: 'SELECT payload FROM advice WHERE field_id = ? AND cooperative_id = ?',
  upsertAdvice: `INSERT INTO advice (field_id, cooperative_id, date, status, payload, computed_at) VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (field_id) DO UPDATE SET cooperative_id = excluded.cooperative_id, date = excluded.date,
                   status = excluded.status, payload = excluded.payload, computed_at = excluded.computed_at`,
  cooperatives: 'SELECT id FROM cooperatives ORDER BY id',
  rule: 'SELECT id, cooperative_id AS "cooperativeId", definition, updated_at AS "updatedAt" FROM rules WHERE id = ? AND cooperative_id = ?',
  revision: 'SELECT revision FROM rule_revisions WHERE cooperative_id = ?',
} as const;

interface RuleRow { id: string; cooperativeId: string; definition: string; updatedAt: number }

const stored = (r: RuleRow): StoredRule => ({ ...r, updatedAt: Number(r.updatedAt), definition: JSON.parse(r.definition) as unknown });

export function createRuleStore(sql: Sql) {
  return {
    async cooperativeIds(): Promise<string[]> {
      return (await sql.all<{ id: string }>(Q.cooperatives)).map((r) => r.id);
    },

    async rules(cooperativeId: string): Promise<StoredRule[]> {
      return (await sql.all<RuleRow>(Q.rules, [cooperativeId])).map(stored);
    },

    /** One rule of the cooperative; another cooperative's is not found. */
    async rule(cooperativeId: string, id: string): Promise<StoredRule | undefined> {
      const row = await sql.one<RuleRow>(Q.rule, [id, cooperativeId]);
      return row ? stored(row) : undefined;
    },

    /** Moves on every insert, update or delete of the cooperative's rules (migration 8's triggers), in any process. */
    async revision(cooperativeId: string): Promise<number> {
      const row = await sql.one<{ revision: number }>(Q.revision, [cooperativeId]);
      return row ? Number(row.revision) : 0;
    },

    async hasRules(cooperativeId: string): Promise<boolean> {
      const row = await sql.one<{ n: number }>(Q.countRules, [cooperativeId]);
      return Number(row?.n ?? 0) > 0;
    },

    /** Creates or replaces a rule of the cooperative; an id held by another cooperative is never overwritten. */
    async putRule(cooperativeId: string, id: string, definition: unknown, now = Date.now()): Promise<void> {
      const { changes } = await sql.run(Q.upsertRule, [id, cooperativeId, JSON.stringify(definition), now, now]);
      if (changes === 0) throw new RuongError('CONFLICT', `rule id ${id} is taken`);
    },

    async deleteRule(cooperativeId: string, id: string): Promise<boolean> {
      return (await sql.run(Q.deleteRule, [id, cooperativeId])).changes > 0;
    },

    async state(ruleId: string, subject: string): Promise<unknown> {
      const row = await sql.one<{ state: string }>(Q.state, [ruleId, subject]);
      return row ? (JSON.parse(row.state) as unknown) : undefined;
    },

    async putState(ruleId: string, subject: string, state: unknown, now = Date.now()): Promise<void> {
      await sql.run(Q.upsertState, [ruleId, subject, JSON.stringify(state), now]);
    },

    async advice(cooperativeId: string, fieldId: string): Promise<Advice | undefined> {
      const row = await sql.one<{ payload: string }>(Q.advice, [fieldId, cooperativeId]);
      return row ? (JSON.parse(row.payload) as Advice) : undefined;
    },

    async putAdvice(cooperativeId: string, advice: Advice, now = Date.now()): Promise<void> {
      await sql.run(Q.upsertAdvice, [advice.fieldId, cooperativeId, advice.date, advice.status, JSON.stringify(advice), now]);
    },
  };
}
