// Deleting a field (core/registry/directory-writes.ts deleteField): its pump and valve settings and its schedules
// (migrations 11/12) go with it; a field with a command history is kept, and the refusal says why. On SQLite and on
// PostgreSQL (a fresh database of the cluster the global setup starts; skipped only when PostgreSQL is not installed
// and REQUIRE_POSTGRES is not set).
import { randomUUID } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';
import { openPostgresSql } from '../../../core/db/postgres-sql.js';
import { createCommandSchedules } from '../../../core/registry/command-schedules.js';
import { createCommands } from '../../../core/registry/commands.js';
import { createRegistry, openRegistry, type Registry } from '../../../core/registry/registry.js';
import { createPostgresDatabase } from '../../helpers/postgres.js';

const postgresUrl = inject('postgresUrl');
const engines = [
  { name: 'SQLite', skip: false, open: (): Promise<Registry> => Promise.resolve(createRegistry(':memory:')) },
  {
    name: 'PostgreSQL',
    skip: postgresUrl === '',
    open: async (): Promise<Registry> => {
      const url = await createPostgresDatabase(postgresUrl, `ruong_delfield_${randomUUID().replace(/-/g, '')}`);
      return openRegistry(openPostgresSql(url, { max: 4, applicationName: 'ruong-delete-field-test' }));
    },
  },
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(`deleting a field on ${engine.name}`, () => {
    async function fieldWithPump() {
      const registry = await engine.open();
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

    it('takes its pump settings and schedules with it once its devices are gone', async () => {
      const { registry, coop, field, other, admin, commands, schedules } = await fieldWithPump();
      await expect(registry.deleteField(admin, field)).rejects.toThrow(/still has devices/);
      await registry.moveDevice('pump-1', other);
      expect(await registry.deleteField(admin, field)).toBe(true);
      expect(await registry.fieldRecord(admin, field)).toBeUndefined();
      expect(await schedules.schedulesOfField(coop, field)).toEqual([]);
      expect(await commands.fieldControl(coop, field)).toMatchObject({ maxRunMin: null, automatic: false });
      expect(await registry.sql.one('SELECT count(*) AS n FROM field_control WHERE field_id = ?', [field])).toEqual({ n: 0 });
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
}
