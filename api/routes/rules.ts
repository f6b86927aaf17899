// Alert rules (issue 16): the defaults every cooperative starts with (per crop and device kind,
// rules/default-rules.ts) and the overrides a technician sets per farm, field or device — a rule with the
// same `key` and a narrower scope (README "Rules and alerts"). Read: every role, scoped like the registry
// (another cooperative's rule or target is a 404; a farmer sees the defaults and the overrides of their own
// farms). Write: admins and technicians (README: technicians "manage devices and rules"). An override is
// validated with the engine's own schema (rules/rule-schema.ts, handed in by cli/ as a RuleCatalog): its zod
// messages come back in the 400 body, one per field. Every write bumps the cooperative's rule revision
// (migration 8), which the running rules engine polls, so a changed threshold applies to the next reading.
import { Router } from 'express';
import { z } from 'zod';
import { createRuleStore, type CatalogRule, type RuleCatalog, type RuleSubject, type StoredRule } from '../../core/alerts/rule-store.js';
import { RuongError } from '../../core/errors.js';
import type { Registry } from '../../core/registry/registry.js';
import type { Field, User } from '../../core/registry/types.js';
import { currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { Id } from '../schemas.js';
import { farmOr404, fieldOr404, visibleDevices } from '../scope.js';

const MANAGERS = ['admin', 'technician'] as const;

/** A rule id as the API addresses it: the cooperative's prefix, then letters, digits, `.` `_` `:` `@` `-`. */
export const RuleId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/, 'must be 1–128 letters, digits, ".", "_", ":", "@" or "-"');
export const RuleParams = z.object({ id: RuleId });
export const RulesQuery = z.strictObject({
  farmId: Id.optional().describe('the rules that apply to a field or device of this farm'),
  fieldId: Id.optional().describe('the rules that apply to this field'),
  deviceId: Id.optional().describe('the rules that apply to this device'),
}).refine((q) => [q.farmId, q.fieldId, q.deviceId].filter((x) => x !== undefined).length <= 1, 'give at most one of farmId, fieldId, deviceId');

const Scope = z.object({
  farmId: z.string().optional(), fieldId: z.string().optional(), crop: z.string().optional(),
  deviceId: z.string().optional(), deviceKind: z.string().optional(),
});
export const RuleOut = z.object({
  id: z.string(), key: z.string().describe('rules with the same key override each other'), kind: z.string(),
  origin: z.enum(['default', 'override', 'cooperative']).describe('default: per crop or device kind, as every cooperative starts; override: per farm, field or device; cooperative: a cooperative-wide rule of its own'),
  enabled: z.boolean(), scope: Scope,
  effective: z.boolean().nullable().describe('with farmId, fieldId or deviceId: whether this rule is the one that applies for its key (null without)'),
  definition: z.record(z.string(), z.unknown()).describe('the rule as stored (rules/rule-schema.ts, version 1)'),
  updatedAt: z.string(),
});
export type RuleOut = z.infer<typeof RuleOut>;
export const RulesOut = z.object({ rules: z.array(RuleOut) });

/** The PUT body: a rule definition (rules/rule-schema.ts); the documented schema is the engine's own when cli/ hands it in. */
const GenericRule = z.looseObject({ version: z.literal(1), kind: z.string(), scope: Scope }).describe('a rule definition (rules/rule-schema.ts, version 1)');

export function ruleEndpoints(schema: z.ZodType = GenericRule): readonly Endpoint[] {
  return [
    { method: 'get', path: '/rules', tag: 'rules', summary: 'Alert rules of the cooperative (defaults and overrides); with farmId, fieldId or deviceId the rules that apply there, marking the one in force per key', query: RulesQuery, response: RulesOut },
    { method: 'get', path: '/rules/:id', tag: 'rules', summary: 'One rule', params: RuleParams, response: RuleOut },
    { method: 'put', path: '/rules/:id', tag: 'rules', summary: 'Create or replace an override for a farm, field or device (scope names exactly one of farmId, fieldId, deviceId; the id starts with the cooperative id and ":"); a bad definition is a 400 listing the schema\'s messages', params: RuleParams, body: schema, response: RuleOut, roles: MANAGERS },
    { method: 'delete', path: '/rules/:id', tag: 'rules', summary: 'Remove an override (the default for its key applies again); defaults are switched off with an override {"enabled": false}, not deleted', params: RuleParams, status: 204, roles: MANAGERS },
  ];
}
export const ruleEndpointList = ruleEndpoints();

interface Loaded { readonly stored: StoredRule; readonly rule: CatalogRule }

const TARGETS = ['farmId', 'fieldId', 'deviceId'] as const;
const targetsOf = (scope: CatalogRule['scope']) => TARGETS.filter((t) => scope[t] !== undefined);

export function ruleRoutes(deps: { registry: Registry; rules: RuleCatalog }): Router {
  const router = Router();
  const { registry, rules: catalog } = deps;
  const store = createRuleStore(registry.sql);

  /** A cooperative without rules gets the defaults, as the rules engine seeds them at start. */
  async function ensureDefaults(cooperativeId: string): Promise<void> {
    if (await store.hasRules(cooperativeId)) return;
    await registry.sql.tx(async () => {
      if (await store.hasRules(cooperativeId)) return;
      for (const d of catalog.defaults(cooperativeId)) await store.putRule(cooperativeId, d.id, d.definition);
    });
  }

  /** The cooperative's rules that parse (the engine skips the others too). */
  async function load(cooperativeId: string): Promise<Loaded[]> {
    return (await store.rules(cooperativeId)).flatMap((stored) => {
      const parsed = catalog.schema.safeParse(stored.definition);
      return parsed.success ? [{ stored, rule: catalog.describe(parsed.data) }] : [];
    });
  }

  const defaultIds = (cooperativeId: string) => new Set(catalog.defaults(cooperativeId).map((d) => d.id));

  function originOf(rule: CatalogRule, defaults: ReadonlySet<string>): RuleOut['origin'] {
    if (defaults.has(rule.id)) return 'default';
    return targetsOf(rule.scope).length > 0 ? 'override' : 'cooperative';
  }

  /** Whether the caller may see a rule: its farm, field or device must be one the caller sees. */
  async function visibility(user: User): Promise<(rule: CatalogRule) => boolean> {
    const farms = new Set((await registry.farms(user)).map((f) => f.id));
    const fields = new Set((await registry.fields(user)).map((f) => f.id));
    const devices = new Set((await visibleDevices(registry, user)).map((d) => d.device.id));
    return ({ scope: s }) => (s.farmId === undefined || farms.has(s.farmId)) && (s.fieldId === undefined || fields.has(s.fieldId))
      && (s.deviceId === undefined || devices.has(s.deviceId));
  }

  function out(l: Loaded, defaults: ReadonlySet<string>, effective: boolean | null): RuleOut {
    return {
      id: l.rule.id, key: l.rule.key, kind: l.rule.kind, origin: originOf(l.rule, defaults), enabled: l.rule.enabled,
      scope: { ...l.rule.scope }, effective, definition: l.stored.definition as Record<string, unknown>, updatedAt: new Date(l.stored.updatedAt).toISOString(),
    };
  }

  /** The fields and devices a query's subject stands for (a farm: each of its fields and their devices). */
  async function subjects(user: User, q: z.infer<typeof RulesQuery>): Promise<RuleSubject[] | undefined> {
    if (q.fieldId !== undefined) {
      const field = await fieldOr404(registry, user, q.fieldId);
      return [{ field }];
    }
    if (q.deviceId !== undefined) {
      const found = (await visibleDevices(registry, user)).find((d) => d.device.id === q.deviceId);
      if (!found) throw new RuongError('NOT_FOUND', `device ${q.deviceId} not found`);
      return [{ field: found.field, device: found.device }];
    }
    if (q.farmId !== undefined) {
      await farmOr404(registry, user, q.farmId);
      const fields: Field[] = (await registry.fields(user)).filter((f) => f.farmId === q.farmId);
      const devices = (await visibleDevices(registry, user)).filter((d) => d.field.farmId === q.farmId && d.device.revokedAt === null);
      return [...fields.map((field) => ({ field })), ...devices.map((d) => ({ field: d.field, device: d.device }))];
    }
    return undefined;
  }

  router.get('/rules', async (req, res) => {
    const user = currentUser(req);
    const q = parseOr400(RulesQuery, req.query, 'query');
    await ensureDefaults(user.cooperativeId);
    const defaults = defaultIds(user.cooperativeId);
    const visible = await visibility(user);
    const all = (await load(user.cooperativeId)).filter((l) => visible(l.rule));
    const subs = await subjects(user, q);
    if (!subs) {
      res.json({ rules: all.map((l) => out(l, defaults, null)) });
      return;
    }
    const applying = all.filter((l) => subs.some((s) => catalog.matches(l.rule, s)));
    const winners = new Set<string>();
    for (const s of subs) for (const id of catalog.winners(applying.map((l) => l.rule).filter((r) => catalog.matches(r, s)), s)) winners.add(id);
    res.json({ rules: applying.map((l) => out(l, defaults, winners.has(l.rule.id))) });
  });

  async function ruleOr404(user: User, id: string): Promise<Loaded> {
    const stored = await store.rule(user.cooperativeId, id);
    const parsed = stored && catalog.schema.safeParse(stored.definition);
    const loaded = stored && parsed?.success ? { stored, rule: catalog.describe(parsed.data) } : undefined;
    if (!loaded || !(await visibility(user))(loaded.rule)) throw new RuongError('NOT_FOUND', `rule ${id} not found`);
    return loaded;
  }

  router.get('/rules/:id', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(RuleParams, req.params, 'params');
    await ensureDefaults(user.cooperativeId);
    res.json(out(await ruleOr404(user, id), defaultIds(user.cooperativeId), null));
  });

  router.put('/rules/:id', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'changing alert rules');
    const { id } = parseOr400(RuleParams, req.params, 'params');
    const prefix = `${user.cooperativeId}:`;
    // Another cooperative's id is a 404 like any of its objects; the message names the caller's own prefix.
    if (!id.startsWith(prefix) || id.length === prefix.length) throw new RuongError('NOT_FOUND', `rule ${id} not found: the ids of your cooperative's rules start with "${prefix}"`);
    const body: unknown = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RuongError('BAD_REQUEST', 'invalid body: a rule definition (a JSON object) is required');
    const given = (body as { id?: unknown }).id;
    if (given !== undefined && given !== id) throw new RuongError('BAD_REQUEST', `invalid body: id: must be the id of the URL (${id}) or left out`, { issues: [{ field: 'id', message: 'must be the id of the URL or left out' }] });
    const definition = { ...(body as Record<string, unknown>), id };
    const rule = catalog.describe(parseOr400(catalog.schema, definition, 'body'));

    // An override names exactly one farm, field or device of the caller's cooperative.
    const targets = targetsOf(rule.scope);
    if (targets.length !== 1) {
      throw new RuongError('BAD_REQUEST', 'invalid body: scope: an override names exactly one of farmId, fieldId, deviceId', { issues: [{ field: 'scope', message: 'name exactly one of farmId, fieldId, deviceId' }] });
    }
    const s = rule.scope;
    if (s.farmId !== undefined) await farmOr404(registry, user, s.farmId);
    if (s.fieldId !== undefined) await fieldOr404(registry, user, s.fieldId);
    if (s.deviceId !== undefined && !(await visibleDevices(registry, user)).some((d) => d.device.id === s.deviceId)) throw new RuongError('NOT_FOUND', `device ${s.deviceId} not found`);

    await ensureDefaults(user.cooperativeId);
    const defaults = defaultIds(user.cooperativeId);
    const existing = await load(user.cooperativeId);
    const same = existing.find((l) => l.rule.id === id);
    if (defaults.has(id) || (same && targetsOf(same.rule.scope).length === 0)) {
      throw new RuongError('CONFLICT', `rule ${id} is not an override; override it with a rule of the same key scoped to a farm, field or device`);
    }
    const target = targets[0]!;
    const twin = existing.find((l) => l.rule.id !== id && l.rule.key === rule.key && targetsOf(l.rule.scope).length === 1 && l.rule.scope[target] === s[target]);
    if (twin) throw new RuongError('CONFLICT', `${target} ${s[target]} already has an override of ${rule.key}: ${twin.rule.id} (replace or delete that one)`);

    await store.putRule(user.cooperativeId, id, definition);
    res.json(out(await ruleOr404(user, id), defaults, null));
  });

  router.delete('/rules/:id', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, MANAGERS, 'changing alert rules');
    const { id } = parseOr400(RuleParams, req.params, 'params');
    await ruleOr404(user, id);
    if (defaultIds(user.cooperativeId).has(id)) throw new RuongError('CONFLICT', `rule ${id} is a default; switch it off with an override {"enabled": false} for a farm, field or device`);
    await store.deleteRule(user.cooperativeId, id);
    res.status(204).end();
  });
  return router;
}
