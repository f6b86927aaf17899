// The registry on both engines: SQLite through createRegistry (a temporary file) and PostgreSQL through openRegistry
// on a fresh database of the cluster the global setup starts (test/helpers/global-setup.ts). The PostgreSQL half is
// skipped only when PostgreSQL is not installed and REQUIRE_POSTGRES is not set.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest';
import { openPostgresSql } from '../../../core/db/postgres-sql.js';
import { openSqliteSql } from '../../../core/db/sqlite-sql.js';
import { postgresMigrations } from '../../../core/registry/postgres-migrations.js';
import { createRegistry, openRegistry, type Registry } from '../../../core/registry/registry.js';
import { createPostgresDatabase } from '../../helpers/postgres.js';

const dir = mkdtempSync(join(tmpdir(), 'ruong-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const postgresUrl = inject('postgresUrl');

interface Engine {
  readonly name: string;
  readonly skip: boolean;
  /** A new, empty database's location. */
  create(): Promise<string>;
  /** A registry on that database; several may be open at once, like several processes. */
  open(location: string): Promise<Registry>;
}

const engines: Engine[] = [
  {
    name: 'SQLite',
    skip: false,
    create: () => Promise.resolve(join(dir, `${randomUUID()}.db`)),
    open: (path) => Promise.resolve(createRegistry(path)),
  },
  {
    name: 'PostgreSQL',
    skip: postgresUrl === '',
    create: () => createPostgresDatabase(postgresUrl, `ruong_registry_${randomUUID().replace(/-/g, '')}`),
    open: (url) => openRegistry(openPostgresSql(url, { max: 4, applicationName: 'ruong-registry-test' })),
  },
];

const opened: Registry[] = [];
afterEach(async () => {
  for (const registry of opened.splice(0)) await registry.close();
});

for (const engine of engines) {
  describe.skipIf(engine.skip)(`registry on ${engine.name}`, () => {
    async function open(location: string): Promise<Registry> {
      const registry = await engine.open(location);
      opened.push(registry);
      return registry;
    }

    async function twoTenants() {
      const registry = await open(await engine.create());
      const coopA = await registry.createCooperative({ id: 'coop-a', name: 'A' });
      const coopB = await registry.createCooperative({ id: 'coop-b', name: 'B' });
      const farmA1 = await registry.createFarm({ cooperativeId: coopA, name: 'A1' });
      const farmA2 = await registry.createFarm({ cooperativeId: coopA, name: 'A2' });
      const farmB = await registry.createFarm({ cooperativeId: coopB, name: 'B1' });
      const fieldA1 = await registry.createField({ farmId: farmA1, name: 'f-a1', crop: 'rice' });
      const fieldA2 = await registry.createField({ farmId: farmA2, name: 'f-a2', crop: 'coffee' });
      const fieldB = await registry.createField({ farmId: farmB, name: 'f-b', crop: 'rice' });
      const adminA = (await registry.userById(await registry.createUser({ cooperativeId: coopA, username: 'admin-a', password: 'pw-admin-a', role: 'admin' })))!;
      const farmerA = (await registry.userById(await registry.createUser({ cooperativeId: coopA, username: 'farmer-a', password: 'pw-farmer-a', role: 'farmer', farmIds: [farmA1] })))!;
      return { registry, fieldA1, fieldA2, fieldB, adminA, farmerA };
    }

    it('stores device secrets only hashed and verifies them', async () => {
      const { registry, fieldA1 } = await twoTenants();
      const { deviceId, secret } = await registry.provisionDevice({ id: 'probe-1', fieldId: fieldA1, kind: 'soil_probe', name: 'p' });
      const row = (await registry.sql.one<{ secret_hash: string }>('SELECT secret_hash FROM devices WHERE id = ?', [deviceId]))!;
      expect(row.secret_hash).not.toContain(secret);
      expect(row.secret_hash).toMatch(/^sha256\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
      expect(await registry.verifyDevice('probe-1', secret)).toBe(true);
      expect(await registry.verifyDevice('probe-1', `${secret}x`)).toBe(false);
      expect(await registry.verifyDevice('probe-2', secret)).toBe(false);
    });

    it('stops accepting a secret once it is rotated, even after it was verified before', async () => {
      const { registry, fieldA1 } = await twoTenants();
      const { secret } = await registry.provisionDevice({ id: 'probe-1', fieldId: fieldA1, kind: 'soil_probe', name: 'p' });
      expect(await registry.verifyDevice('probe-1', secret)).toBe(true);
      expect(await registry.verifyDevice('probe-1', secret)).toBe(true);
      const rotated = await registry.rotateDeviceSecret('probe-1');
      expect(await registry.verifyDevice('probe-1', secret)).toBe(false);
      expect(await registry.verifyDevice('probe-1', rotated)).toBe(true);
    });

    it('refuses a revoked device and marks its context revoked', async () => {
      const { registry, fieldA1 } = await twoTenants();
      const { secret } = await registry.provisionDevice({ id: 'probe-1', fieldId: fieldA1, kind: 'soil_probe', name: 'p' });
      expect((await registry.deviceContext('probe-1'))?.revoked).toBe(false);
      expect(await registry.revokeDevice('probe-1')).toBe(true);
      expect(await registry.verifyDevice('probe-1', secret)).toBe(false);
      expect((await registry.deviceContext('probe-1'))?.revoked).toBe(true);
    });

    it('scopes fields to the cooperative, and a farmer to their own farms', async () => {
      const { registry, fieldA1, fieldA2, fieldB, adminA, farmerA } = await twoTenants();
      expect((await registry.fields(adminA)).map((f) => f.id).sort()).toEqual([fieldA1, fieldA2].sort());
      expect(await registry.field(adminA, fieldB)).toBeUndefined();
      expect((await registry.fields(farmerA)).map((f) => f.id)).toEqual([fieldA1]);
      expect(await registry.field(farmerA, fieldA2)).toBeUndefined();
    });

    it('checks passwords and issues sessions that expire', async () => {
      const { registry, adminA } = await twoTenants();
      expect(await registry.verifyPassword('admin-a', 'wrong')).toBeUndefined();
      expect(await registry.verifyPassword('nobody', 'pw-admin-a')).toBeUndefined();
      expect((await registry.verifyPassword('admin-a', 'pw-admin-a'))?.id).toBe(adminA.id);
      const t0 = 1_000_000;
      const { token } = await registry.createSession(adminA.id, 60_000, t0);
      expect((await registry.userForToken(token, t0 + 59_000))?.id).toBe(adminA.id);
      expect(await registry.userForToken(token, t0 + 60_000)).toBeUndefined();
      expect(await registry.userForToken(`${token}x`, t0)).toBeUndefined();
    });

    it('keeps dead letters per cooperative with their reason', async () => {
      const { registry } = await twoTenants();
      await registry.addDeadLetter({ deviceId: 'probe-1', cooperativeId: 'coop-a', topic: 'devices/probe-1/up', code: 'PAYLOAD_NOT_JSON', reason: 'bad', payload: Buffer.from('x'.repeat(10_000)) });
      const [letter] = await registry.deadLetters('coop-a');
      expect(letter).toMatchObject({ deviceId: 'probe-1', code: 'PAYLOAD_NOT_JSON', reason: 'bad' });
      expect(letter?.payload).toHaveLength(4096);
      expect(await registry.deadLetters('coop-b')).toEqual([]);
    });

    it('groups dead letters no cooperative owns and counts them all', async () => {
      const { registry } = await twoTenants();
      for (const [at, reason] of [[1_000, 'a'], [3_000, 'c'], [2_000, 'b']] as const) {
        await registry.addDeadLetter({ deviceId: undefined, cooperativeId: undefined, topic: 'devices/x/up', code: 'UNKNOWN_DEVICE', reason, payload: undefined }, at);
      }
      await registry.addDeadLetter({ deviceId: 'probe-1', cooperativeId: 'coop-a', topic: 'devices/probe-1/up', code: 'PAYLOAD_NOT_JSON', reason: 'bad', payload: 'x' }, 4_000);
      expect(await registry.unownedDeadLetters()).toEqual([{ topic: 'devices/x/up', code: 'UNKNOWN_DEVICE', reason: 'c', count: 3, lastAt: 3_000 }]);
      expect(await registry.deadLetterCount()).toBe(4);
    });

    it('refuses a device id that exists and a field that does not', async () => {
      const { registry, fieldA1 } = await twoTenants();
      await registry.provisionDevice({ id: 'probe-1', fieldId: fieldA1, kind: 'soil_probe', name: 'p' });
      await expect(registry.provisionDevice({ id: 'probe-1', fieldId: fieldA1, kind: 'soil_probe', name: 'p' })).rejects.toMatchObject({ code: 'CONFLICT' });
      await expect(registry.provisionDevice({ id: 'probe-2', fieldId: 'field-none', kind: 'soil_probe', name: 'p' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    });

    it('writes the shipped device profiles and finds a device by its DevEUI in any case', async () => {
      const { registry, fieldA1 } = await twoTenants();
      expect((await registry.deviceProfiles()).map((p) => p.id)).toEqual(['dragino-lht65', 'dragino-lse01', 'sensecap-s2105']);
      await registry.provisionDevice({ id: 'lse-1', fieldId: fieldA1, kind: 'soil_probe', name: 'p', devEui: 'A84041000181C61D' });
      await registry.setDeviceProfile('lse-1', 'dragino-lse01');
      expect((await registry.profileOfDevice('lse-1'))?.id).toBe('dragino-lse01');
      await expect(registry.setDeviceProfile('lse-1', 'no-such-profile')).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await registry.deviceIdByDevEui('a84041000181c61d')).toBe('lse-1');
      expect(await registry.deviceIdByDevEui('0000000000000000')).toBeUndefined();
    });

    it('sees a device moved by another process once it reads the context change feed', async () => {
      const location = await engine.create();
      const ingest = await open(location);
      const api = await open(location);
      const coop = await api.createCooperative({ id: 'coop-a', name: 'A' });
      const farm1 = await api.createFarm({ cooperativeId: coop, name: 'F1' });
      const farm2 = await api.createFarm({ cooperativeId: coop, name: 'F2' });
      const field1 = await api.createField({ farmId: farm1, name: 'f1', crop: 'rice' });
      const field2 = await api.createField({ farmId: farm1, name: 'f2', crop: 'rice' });
      await api.provisionDevice({ id: 'probe-1', fieldId: field1, kind: 'soil_probe', name: 'p' });
      expect((await ingest.deviceContext('probe-1'))?.fieldId).toBe(field1);
      await api.moveDevice('probe-1', field2);
      expect((await ingest.deviceContext('probe-1'))?.fieldId).toBe(field1); // cached: this process did not move it
      expect(await ingest.forgetMovedDeviceContexts()).toBe(1);
      expect((await ingest.deviceContext('probe-1'))?.fieldId).toBe(field2);
      // A field moved to another farm: every cached context goes.
      const admin = { cooperativeId: coop, role: 'admin' as const, farmIds: [] };
      await api.updateField(admin, field2, { farmId: farm2 });
      expect((await ingest.deviceContext('probe-1'))?.farmId).toBe(farm1);
      expect(await ingest.forgetMovedDeviceContexts()).toBe(1);
      expect((await ingest.deviceContext('probe-1'))?.farmId).toBe(farm2);
      expect(await ingest.forgetMovedDeviceContexts()).toBe(0);
      expect(await api.pruneDeviceContextChanges(Date.now() + 1)).toBe(2);
    });
  });
}

describe('openRegistry on SQLite', () => {
  it('migrates an empty database and is then the same registry as createRegistry', async () => {
    const path = join(dir, `${randomUUID()}.db`);
    const registry = await openRegistry(openSqliteSql(path));
    opened.push(registry);
    expect(await registry.isEmpty()).toBe(true);
    await registry.createCooperative({ id: 'coop-a', name: 'A' });
    const again = createRegistry(path);
    opened.push(again);
    expect(await again.cooperative('coop-a')).toEqual({ id: 'coop-a', name: 'A', province: null });
    expect(await again.isEmpty()).toBe(false);
  });
});

describe.skipIf(postgresUrl === '')('openRegistry on PostgreSQL', () => {
  // Each process migrates (under an advisory lock) and rewrites the shipped profiles (a serializable upsert that may
  // conflict with the others' and is run again): none of the three may fail.
  it('opens one new database from several processes at once', async () => {
    const url = await createPostgresDatabase(postgresUrl, `ruong_registry_${randomUUID().replace(/-/g, '')}`);
    const registries = await Promise.all([1, 2, 3].map(() => openRegistry(openPostgresSql(url, { max: 2 }))));
    opened.push(...registries);
    const [first] = registries;
    expect(await first!.sql.one('SELECT count(*) AS n FROM schema_migrations')).toEqual({ n: postgresMigrations.size });
    expect((await first!.deviceProfiles()).map((p) => p.id)).toEqual(['dragino-lht65', 'dragino-lse01', 'sensecap-s2105']);
  });
});

describe('registry migrations', () => {
  it('records each applied migration and runs a missing lower-numbered one later', async () => {
    const { default: Database } = await import('better-sqlite3');
    const { migrate, migrations } = await import('../../../core/registry/migrations.js');
    const db = new Database(':memory:');
    const highest = Math.max(...migrations.keys());
    expect(migrate(db)).toBe(highest);
    const versions = (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: number }[]).map((r) => r.version);
    expect(versions).toEqual([...migrations.keys()].sort((a, b) => a - b));
    // Simulate a registry created before migration 3 existed: forget it and drop its tables' marker.
    db.prepare('DELETE FROM schema_migrations WHERE version = 1').run();
    expect(() => migrate(db)).toThrow(/already exists/); // re-running 1 is attempted, proving the gap is seen
    db.close();
  });
});
