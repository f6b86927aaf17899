// What the rules engine knows of a cooperative (rules/rule-context.ts loadCoopContext) and the groupings the sensor
// trust and combine gates read from it: every field of a farm, every device of a field, none lost or duplicated and
// in the registry's order — whether a field has three devices or, as in bench:broker-operator, 50,000 (the grouping
// was quadratic in a group's size before issue 19's rules-memory work; docs/benchmarks.md).
import { describe, expect, it } from 'vitest';
import { createRuleStore } from '../../../core/alerts/rule-store.js';
import { silentLogger } from '../../../core/log.js';
import { createRegistry } from '../../../core/registry/registry.js';
import type { DeviceInfo } from '../../../rules/evaluation.js';
import { groupBy, loadCoopContext, type RulesDirectory } from '../../../rules/rule-context.js';
import { soilLimits, stepDeviceTrust, type DeviceTrust } from '../../../rules/sensor-trust.js';
import { createTrustGate } from '../../../rules/trust-gate.js';

async function cooperative() {
  const registry = createRegistry(':memory:');
  await registry.createCooperative({ id: 'coop-a', name: 'HTX A' });
  await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'Trại A' });
  await registry.createFarm({ id: 'farm-b', cooperativeId: 'coop-a', name: 'Trại B' });
  await registry.createField({ id: 'field-a1', farmId: 'farm-a', name: 'Lô 1', crop: 'coffee', soilTexture: 'clay' });
  await registry.createField({ id: 'field-a2', farmId: 'farm-a', name: 'Lô 2', crop: 'coffee', soilTexture: 'clay' });
  await registry.createField({ id: 'field-b1', farmId: 'farm-b', name: 'Ruộng 1', crop: 'rice' });
  for (const [id, fieldId, kind] of [
    ['probe-1', 'field-a1', 'soil_probe'], ['probe-2', 'field-a1', 'soil_probe'], ['probe-3', 'field-a1', 'soil_probe'],
    ['probe-4', 'field-a2', 'soil_probe'], ['tube-1', 'field-b1', 'awd_tube'], ['gone-1', 'field-a1', 'soil_probe'],
  ] as const) await registry.provisionDevice({ id, fieldId, kind, name: `Thiết bị ${id}` });
  await registry.revokeDevice('gone-1');
  const ruleStore = createRuleStore(registry.sql);
  const staff = { cooperativeId: 'coop-a', role: 'technician' as const, farmIds: [] };
  const directory: RulesDirectory = {
    cooperativeIds: () => ruleStore.cooperativeIds(),
    farms: () => registry.farms(staff),
    fields: () => registry.fields(staff),
    devices: (id) => registry.devicesOfCooperative(id),
  };
  return { registry, context: await loadCoopContext('coop-a', directory, ruleStore, silentLogger()) };
}

describe('a cooperative as the rules engine loads it', () => {
  it('every field under its farm, in the registry\'s order', async () => {
    const { context } = await cooperative();
    expect(Object.fromEntries([...context.fieldsByFarm].map(([farm, fields]) => [farm, fields.map((f) => f.id)]))).toEqual({
      'farm-a': ['field-a1', 'field-a2'], 'farm-b': ['field-b1'],
    });
    expect(context.fieldsByFarm.get('farm-a')![0]).toBe(context.fields.get('field-a1'));
  });

  it('every device that is not revoked, with its kind, name, field, farm and cooperative as the registry has them', async () => {
    const { registry, context } = await cooperative();
    expect([...context.devices.keys()]).toEqual(['probe-1', 'probe-2', 'probe-3', 'probe-4', 'tube-1']);
    for (const d of await registry.devicesOfCooperative('coop-a')) {
      if (d.revokedAt !== null) continue;
      expect(context.devices.get(d.id)).toEqual({
        id: d.id, kind: d.kind, name: d.name, fieldId: d.fieldId, farmId: context.fields.get(d.fieldId)!.farmId, cooperativeId: 'coop-a',
      });
    }
  });
});

describe('the suspect sensors of a field (rules/trust-gate.ts)', () => {
  it('lists the suspect channels of every device of that field, and of no other field', async () => {
    const { context } = await cooperative();
    // a probe reading 0 % is suspect at once (rules/sensor-trust.ts: dead)
    const dead = (deviceId: string): DeviceTrust =>
      stepDeviceTrust(undefined, { deviceId, ts: Date.UTC(2026, 2, 1), values: { 'soil_moisture@20cm': 0 } }, soilLimits(undefined, 'clay')).state;
    const states = new Map<string, unknown>([['device:probe-1', dead('probe-1')], ['device:probe-3', dead('probe-3')], ['device:probe-4', dead('probe-4')]]);
    const gate = createTrustGate({
      alerts: {} as never, state: (_rule, subject) => Promise.resolve(states.get(subject)), put: () => undefined,
    });
    expect((await gate.suspects(context, 'field-a1')).map((s) => [s.deviceId, s.metric, s.reason])).toEqual([
      ['probe-1', 'soil_moisture@20cm', 'dead'], ['probe-3', 'soil_moisture@20cm', 'dead'],
    ]);
    expect((await gate.suspects(context, 'field-a2')).map((s) => s.deviceId)).toEqual(['probe-4']);
    expect(await gate.suspects(context, 'field-b1')).toEqual([]);
  });
});

describe('grouping (rules/rule-context.ts groupBy)', () => {
  it('puts each item in its key\'s group once, in the items\' order, however large one group is', () => {
    const devices = Array.from({ length: 50_000 }, (_, i) => ({ id: `bench-${i}`, fieldId: i % 10_000 === 7 ? 'small' : 'big' }) as DeviceInfo);
    const groups = groupBy(devices, (d) => d.fieldId);
    expect([...groups.keys()]).toEqual(['big', 'small']);
    expect(groups.get('small')!.map((d) => d.id)).toEqual(['bench-7', 'bench-10007', 'bench-20007', 'bench-30007', 'bench-40007']);
    expect(groups.get('big')).toHaveLength(49_995);
    expect(groups.get('big')!.every((d, k, all) => k === 0 || Number(d.id.slice(6)) > Number(all[k - 1]!.id.slice(6)))).toBe(true);
  });
});
