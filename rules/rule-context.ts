// What the engine knows about a cooperative: its farms, fields and devices (from the registry, through the
// small RulesDirectory interface cli/ wires) and its rules (from the rules table, parsed with the schema;
// an invalid rule is logged and skipped, never fatal). Picks, for one subject, the rule of each key that
// applies most specifically: device > field > farm > crop > device kind > everything.
import type { RuleStore } from '../core/alerts/rule-store.js';
import type { Logger } from '../core/log.js';
import type { Device, Farm, Field } from '../core/registry/types.js';
import type { DeviceInfo, FieldInfo, IrrigationRecord } from './evaluation.js';
import { Rule, ruleKey, type RuleScope } from './rule-schema.js';

/** The registry as the rules engine needs it (cli/ adapts core/registry). */
export interface RulesDirectory {
  cooperativeIds(): Promise<string[]>;
  farms(cooperativeId: string): Promise<Farm[]>;
  fields(cooperativeId: string): Promise<Field[]>;
  devices(cooperativeId: string): Promise<Device[]>;
  /** A field's recorded irrigations that started at or after `from`, oldest first (issue 17). */
  irrigations?(cooperativeId: string, fieldId: string, from: number): Promise<IrrigationRecord[]>;
  /** Irrigations recorded after `seq` in any cooperative: the feed the minute check polls. */
  irrigationsAfter?(seq: number): Promise<{ seq: number; cooperativeId: string; fieldId: string }[]>;
  lastIrrigationSeq?(): Promise<number>;
}

export interface CoopContext {
  readonly id: string;
  readonly farms: ReadonlyMap<string, Farm>;
  readonly fields: ReadonlyMap<string, FieldInfo>;
  readonly fieldsByFarm: ReadonlyMap<string, readonly FieldInfo[]>;
  readonly devices: ReadonlyMap<string, DeviceInfo>;
  readonly rules: readonly Rule[];
}

/**
 * Items grouped by a key, in their order. Appends in place: copying each group's list per item (`[...list, item]`)
 * is quadratic in the group's size — 50,000 devices on one field took 25 s of CPU and ~200 MB of garbage in the
 * rules process's first daily run (docs/benchmarks.md, "`ruong rules` memory with 50,000 devices").
 */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function specificity(s: RuleScope): number {
  return (s.deviceId ? 16 : 0) + (s.fieldId ? 8 : 0) + (s.farmId ? 4 : 0) + (s.crop ? 2 : 0) + (s.deviceKind ? 1 : 0);
}

/** Whether a scope covers a field (and, when given, the device the input came from). */
export function scopeMatches(s: RuleScope, field: FieldInfo | undefined, device: DeviceInfo | undefined): boolean {
  if (s.deviceId !== undefined && device?.id !== s.deviceId) return false;
  if (s.deviceKind !== undefined && device !== undefined && device.kind !== s.deviceKind) return false;
  if (s.fieldId !== undefined && field?.id !== s.fieldId) return false;
  if (s.farmId !== undefined && (field?.farmId ?? device?.farmId) !== s.farmId) return false;
  if (s.crop !== undefined && field?.crop.trim().toLowerCase() !== s.crop.toLowerCase()) return false;
  return true;
}

/** Per key, the most specific matching rule (a disabled one still wins its key: that is how a field opts out). */
export function selectRules(rules: readonly Rule[], field: FieldInfo | undefined, device: DeviceInfo | undefined, target: (r: Rule) => boolean): Rule[] {
  const best = new Map<string, Rule>();
  for (const r of rules) {
    if (!target(r) || !scopeMatches(r.scope, field, device)) continue;
    const k = ruleKey(r);
    const current = best.get(k);
    if (!current || specificity(r.scope) > specificity(current.scope)) best.set(k, r);
  }
  return [...best.values()].filter((r) => r.enabled);
}

export async function loadCoopContext(cooperativeId: string, directory: RulesDirectory, ruleStore: RuleStore, log: Logger): Promise<CoopContext> {
  const farmList = await directory.farms(cooperativeId);
  const fieldList = await directory.fields(cooperativeId);
  const deviceList = await directory.devices(cooperativeId);
  const farms = new Map(farmList.map((f) => [f.id, f]));
  const fields = new Map<string, FieldInfo>();
  for (const f of fieldList) {
    const info: FieldInfo = {
      id: f.id, name: f.name, crop: f.crop, farmId: f.farmId, farmName: f.farmName, cooperativeId, plantingDate: f.plantingDate,
      soilTexture: f.soilTexture, areaHa: f.areaHa, pumpFlowM3h: f.pumpFlowM3h,
    };
    fields.set(f.id, info);
  }
  const fieldsByFarm = groupBy(fields.values(), (f) => f.farmId);
  const devices = new Map<string, DeviceInfo>();
  // Each row comes with its own copy of its field id and kind: the context, kept until the next reload, refers to
  // one string per field and per kind instead (≈ 50 bytes less per device, 2.5 MB with 50,000 devices).
  const kinds = new Map<DeviceInfo['kind'], DeviceInfo['kind']>();
  for (const d of deviceList) {
    const field = fields.get(d.fieldId);
    if (!field || d.revokedAt !== null) continue;
    let kind = kinds.get(d.kind);
    if (kind === undefined) kinds.set(d.kind, (kind = d.kind));
    devices.set(d.id, { id: d.id, kind, name: d.name, fieldId: field.id, farmId: field.farmId, cooperativeId });
  }
  const rules: Rule[] = [];
  for (const stored of await ruleStore.rules(cooperativeId)) {
    const parsed = Rule.safeParse(stored.definition);
    if (parsed.success) rules.push(parsed.data);
    else log.warn({ ruleId: stored.id, issues: parsed.error.issues.slice(0, 3) }, 'rule skipped: invalid definition');
  }
  return { id: cooperativeId, farms, fields, fieldsByFarm, devices, rules };
}
