// The rules engine's schema and rule selection, handed to the API (api/routes/rules.ts) by cli/ — services
// never import each other (docs/architecture.md), so the API validates an override with the schema the engine
// loads it with, and shows the rule that applies with the engine's own choice (rules/rule-context.ts).
import type { CatalogRule, RuleCatalog, RuleSubject } from '../core/alerts/rule-store.js';
import type { DeviceInfo, FieldInfo } from '../rules/evaluation.js';
import { defaultRulesFor } from '../rules/default-rules.js';
import { scopeMatches, selectRules } from '../rules/rule-context.js';
import { Rule, ruleKey } from '../rules/rule-schema.js';

function infos(subject: RuleSubject): { field: FieldInfo | undefined; device: DeviceInfo | undefined } {
  const f = subject.field;
  const field: FieldInfo | undefined = f && {
    id: f.id, name: f.name, crop: f.crop, farmId: f.farmId, farmName: f.farmName, cooperativeId: f.cooperativeId,
    plantingDate: f.plantingDate, soilTexture: f.soilTexture, areaHa: f.areaHa, pumpFlowM3h: f.pumpFlowM3h,
  };
  const d = subject.device;
  const device: DeviceInfo | undefined = d && f && { id: d.id, kind: d.kind, name: d.name, fieldId: d.fieldId, farmId: f.farmId, cooperativeId: f.cooperativeId };
  return { field, device };
}

/** Selection works on parsed rules; the API's CatalogRule carries the parsed rule along. */
const parsedOf = (r: CatalogRule): Rule => (r as CatalogRule & { parsed: Rule }).parsed;

export const ruleCatalog: RuleCatalog = {
  schema: Rule,
  describe(parsed: unknown): CatalogRule {
    const rule = parsed as Rule;
    return { id: rule.id, key: ruleKey(rule), kind: rule.kind, enabled: rule.enabled, scope: rule.scope, parsed: rule } as CatalogRule;
  },
  defaults: (cooperativeId) => defaultRulesFor(cooperativeId).map((r) => ({ id: r.id, definition: r.definition })),
  matches(rule, subject) {
    const { field, device } = infos(subject);
    return scopeMatches(rule.scope as Rule['scope'], field, device);
  },
  winners(rules, subject) {
    const { field, device } = infos(subject);
    // selectRules drops disabled winners (the engine runs none of them); here a disabled override is shown as
    // the rule in force — "switched off for this field" — so every rule is offered as enabled.
    const offered: Rule[] = rules.map((r) => ({ ...parsedOf(r), enabled: true }));
    return new Set(selectRules(offered, field, device, () => true).map((r) => r.id));
  },
};
