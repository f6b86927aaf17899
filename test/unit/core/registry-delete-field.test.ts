// Deleting a field (core/registry/directory-writes.ts deleteField): its pump and valve settings and its schedules
// (migrations 11/12) go with it; a field with a command history is kept, and the refusal says why.
import { describe, expect, it } from 'vitest';
import { createCommandSchedules } from '../../../core/registry/command-schedules.js';
import { createCommands } from '../../../core/registry/commands.js';
import { createRegistry } from '../../../core/registry/registry.js';

async function fieldWithPump() {
  const registry = createRegistry(':memory:');
  const coop = await registry.createCooperative({ id: 'coop-a', name: 'A' });
  const farm = await registry.createFarm({ cooperativeId: coop, name: 'A1' });
  const field = await registry.createField({ farmId: farm, name: 'Ruộng cũ', crop: 'rice' });
  const other = await registry.createField({ farmId: farm, name: 'Ruộng mới', crop: 'rice' });
  await registry.provisionDevice({ id: 'pump-1', fieldId: field, kind: 'pump_controller', name: 'Bơm' });
  const admin = { cooperativeId: coop, role: 'admin' as const, farmIds: [] };
  const commands = createCommands(registry.sql);
  const schedules = createCommandSchedules(registry.sql);
  await commands.setFieldControl(coop, field, { maxRunMin: 60, automatic: true }, 'admin');
  await schedules.addSchedule({ cooperativeId: coop, fieldId: field, deviceId: 'pump-1', cron: '0 6 * * *', minutes: 30, createdBy: 'admin' });
  return { registry, coop, field, other, admin, commands, schedules };
}

describe('deleting a field', () => {
  it('takes its pump settings and schedules with it once its devices are gone', async () => {
    const { registry, coop, field, other, admin, commands, schedules } = await fieldWithPump();
    await expect(registry.deleteField(admin, field)).rejects.toThrow(/still has devices/);
    await registry.moveDevice('pump-1', other);
    expect(await registry.deleteField(admin, field)).toBe(true);
    expect(await registry.fieldRecord(admin, field)).toBeUndefined();
    expect(await schedules.schedulesOfField(coop, field)).toEqual([]);
    expect(await commands.fieldControl(coop, field)).toMatchObject({ maxRunMin: null, automatic: false });
    expect(registry.db.prepare('SELECT count(*) AS n FROM field_control WHERE field_id = ?').get(field)).toEqual({ n: 0 });
    await registry.close();
  });

  it('is refused with the reason when the field has a command history, and nothing is removed', async () => {
    const { registry, coop, field, other, admin, commands, schedules } = await fieldWithPump();
    await commands.recordCommand({ cooperativeId: coop, fieldId: field, deviceId: 'pump-1', cmd: 'pump', action: 'on', minutes: 20, origin: 'manual', requestedBy: 'admin' });
    await registry.moveDevice('pump-1', other);
    await expect(registry.deleteField(admin, field)).rejects.toThrow(/command history/);
    expect(await registry.fieldRecord(admin, field)).toBeDefined();
    expect(await schedules.schedulesOfField(coop, field)).toHaveLength(1);
    expect(await commands.fieldControl(coop, field)).toMatchObject({ maxRunMin: 60, automatic: true });
    await registry.close();
  });
});
