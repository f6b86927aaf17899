// The credential change feed (registry migration 7): every revocation and secret rotation, once, in order — on
// SQLite (createRegistry on a temporary file) and on PostgreSQL (openRegistry on a fresh database of the cluster the
// global setup starts; skipped only when PostgreSQL is not installed and REQUIRE_POSTGRES is not set).
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresSql } from '../../../core/db/postgres-sql.js';
import { createRegistry, openRegistry, type Registry } from '../../../core/registry/registry.js';
import { createPostgresDatabase } from '../../helpers/postgres.js';

const postgresUrl = inject('postgresUrl');
let dir: string | undefined;
let registry: Registry | undefined;
afterEach(async () => {
  await registry?.close();
  registry = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const engines = [
  {
    name: 'SQLite',
    skip: false,
    open: (): Promise<Registry> => {
      dir = mkdtempSync(join(tmpdir(), 'ruong-cred-'));
      return Promise.resolve(createRegistry(join(dir, 'registry.db')));
    },
  },
  {
    name: 'PostgreSQL',
    skip: postgresUrl === '',
    open: async (): Promise<Registry> => {
      const url = await createPostgresDatabase(postgresUrl, `ruong_cred_${randomUUID().replace(/-/g, '')}`);
      return openRegistry(openPostgresSql(url, { max: 4, applicationName: 'ruong-cred-test' }));
    },
  },
];

for (const engine of engines) {
  describe.skipIf(engine.skip)(engine.name, () => {
    it('records each revocation and rotation once, after the point a watcher started from', async () => {
      registry = await engine.open();
      const coop = await registry.createCooperative({ id: 'c', name: 'C' });
      const field = await registry.createField({ farmId: await registry.createFarm({ cooperativeId: coop, name: 'F' }), name: 'F', crop: 'rice' });
      await registry.provisionDevice({ id: 'a', fieldId: field, kind: 'soil_probe', name: 'a' });
      await registry.provisionDevice({ id: 'b', fieldId: field, kind: 'soil_probe', name: 'b' });
      const start = await registry.lastCredentialChange();
      await registry.rotateDeviceSecret('a');
      await registry.revokeDevice('b');
      await registry.revokeDevice('b'); // already revoked: no second change
      const changes = await registry.credentialChangesAfter(start);
      expect(changes.map((c) => [c.deviceId, c.change])).toEqual([['a', 'rotated'], ['b', 'revoked']]);
      expect((await registry.credentialChangesAfter(changes[0]!.seq)).map((c) => c.deviceId)).toEqual(['b']);
      expect(await registry.pruneCredentialChanges(Date.now() + 1)).toBe(2);
      expect(await registry.credentialChangesAfter(0)).toEqual([]);
    });
  });
}
