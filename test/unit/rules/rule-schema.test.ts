// Rules as data: the versioned schema parses durations and fills defaults, names what is wrong, ships valid
// defaults for every crop, and picks the most specific rule per key (a field overrides its crop's default).
import { describe, expect, it } from 'vitest';
import { DEFAULT_RULES, defaultRulesFor } from '../../../rules/default-rules.js';
import type { FieldInfo } from '../../../rules/evaluation.js';
import { selectRules } from '../../../rules/rule-context.js';
import { parseRule, Rule } from '../../../rules/rule-schema.js';

const field = (id: string, crop: string, farmId = 'farm-1'): FieldInfo => ({
  id, name: id, crop, farmId, farmName: farmId, cooperativeId: 'c', plantingDate: '2026-01-01', soilTexture: 'clay', areaHa: 1, pumpFlowM3h: 10,
});

describe('rule schema, version 1', () => {
  it('parses durations and fills the defaults', () => {
    const r = parseRule({ version: 1, id: 'x', kind: 'threshold', metric: 'water_ph', below: 4, for: '30m', clearFor: '1h', cooldown: '1.5h' });
    expect(r).toMatchObject({ kind: 'threshold', for: 1_800_000, clearFor: 3_600_000, cooldown: 5_400_000, hysteresis: 0, enabled: true, scope: {} });
  });

  it('names every bad field', () => {
    expect(() => parseRule({ version: 1, id: 'x', kind: 'threshold', metric: 'nope', above: 1, below: 2 })).toThrow(/metric: is not a metric of the catalogue.*exactly one of above, below/);
    expect(() => parseRule({ version: 2, id: 'x', kind: 'battery_low' })).toThrow(/version/);
    expect(() => parseRule({ version: 1, id: 'x', kind: 'missing_data', expectedInterval: 'ten minutes' })).toThrow(/expectedInterval: must be a duration/);
    expect(() => parseRule({ version: 1, id: 'x', kind: 'awd', thresholdCm: -15, surprise: true })).toThrow(/surprise/);
  });

  it('every default rule is valid and every crop of the agronomy tables is covered', () => {
    for (const r of DEFAULT_RULES) expect(Rule.safeParse(r).success, String(r.id)).toBe(true);
    const rules = defaultRulesFor('coop-x').map((r) => r.rule);
    expect(rules.every((r) => r.id.startsWith('coop-x:'))).toBe(true);
    const waterKeys = (crop: string) => selectRules(rules, field('f', crop), undefined, (r) => r.kind === 'soil_water' || r.kind === 'awd').map((r) => r.kind);
    expect(waterKeys('rice')).toEqual(['awd']);
    for (const crop of ['coffee', 'maize', 'tomato', 'cabbage', 'sweet_pepper', 'sugarcane', 'banana', 'black_pepper', 'dragon_fruit']) {
      expect(waterKeys(crop), crop).toEqual(['soil_water']);
    }
  });

  it('the most specific rule of a key wins; a disabled field rule switches the default off for that field only', () => {
    const crop = parseRule({ version: 1, id: 'crop', key: 'sw', kind: 'soil_water', scope: { crop: 'coffee' } });
    const own = parseRule({ version: 1, id: 'own', key: 'sw', kind: 'soil_water', scope: { fieldId: 'f1' }, applicationEfficiency: 0.6 });
    const off = parseRule({ version: 1, id: 'off', key: 'sw', kind: 'soil_water', scope: { fieldId: 'f2' }, enabled: false });
    const all = [crop, own, off];
    const pick = (f: FieldInfo) => selectRules(all, f, undefined, () => true).map((r) => r.id);
    expect(pick(field('f1', 'coffee'))).toEqual(['own']);
    expect(pick(field('f2', 'coffee'))).toEqual([]);
    expect(pick(field('f3', 'coffee'))).toEqual(['crop']);
    expect(pick(field('f4', 'rice'))).toEqual([]);
  });
});
