// The registry: cooperatives, farms, fields, devices, users, sessions, service credentials and
// dead letters, in SQLite (the embedded default, better-sqlite3 v12, WAL) or PostgreSQL, through the
// asynchronous Sql interface of core/db/sql.ts. Every read that serves a user takes the
// caller's cooperative id: tenant isolation lives in the WHERE clause, not in the caller.
import type { Database } from 'better-sqlite3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { truthy, type Sql } from '../db/sql.js';
import { isForeignKeyViolation, isPrimaryKeyViolation } from '../db/sql-errors.js';
import { openSqliteSql, type SqliteSql } from '../db/sqlite-sql.js';
import { RuongError } from '../errors.js';
import { migrate } from './migrations.js';
import { migratePostgres } from './postgres-migrations.js';
import { seedProfiles } from './seed-profiles.js';
import { generateSecret, hashGeneratedSecret, hashSecret, isGeneratedSecretHash, verifyGeneratedSecret, verifySecret } from './secrets.js';
import { createDirectory } from './directory.js';
import { createDeviceProfiles, seedProfileRow, UPSERT_PROFILE } from './device-profiles.js';
import { createContacts } from './contacts.js';
import { createAccounts } from './accounts.js';
import { createCredentialChanges } from './credential-changes.js';
import { createDirectoryWrites } from './directory-writes.js';
import { createIrrigationEvents } from './irrigation-events.js';
import { createSmsSenders } from './sms-senders.js';
import { createPlatformValues } from './platform-values.js';
import type { DeviceProfile } from '../telemetry/device-profile.js';
import type { DeadLetter, DeviceContext, DeviceKind, Role, User } from './types.js';

export interface NewDevice {
  readonly id?: string | undefined;
  readonly fieldId: string;
  readonly kind: DeviceKind;
  readonly name: string;
  readonly devEui?: string | undefined;
}

export interface NewDeadLetter {
  readonly deviceId: string | undefined;
  readonly cooperativeId: string | undefined;
  readonly topic: string;
  readonly code: string;
  readonly reason: string;
  readonly payload: Buffer | string | undefined;
}

const MAX_DEAD_LETTER_PAYLOAD = 4096;

export type Registry = ReturnType<typeof buildRegistry>;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** How long a device's profile and a DevEUI's device stay cached (as core/registry/device-profiles.ts's lookups). */
const LOOKUP_TTL_MS = 30_000;
const MAX_LOOKUPS = 100_000; // bounded: one entry per device

interface Peeked<T> { readonly value: T; readonly at: number }

const LAST_CONTEXT_CHANGE = 'SELECT COALESCE(MAX(seq), 0) AS seq FROM device_context_changes';

/**
 * A registry on a SQLite file (or ':memory:'), ready when this returns: the migrations run and the shipped device
 * profiles are written synchronously through the better-sqlite3 handle, which is exposed as `db` for SQLite-only
 * tests and tools.
 */
export function createRegistry(path: string): Registry & { db: Database } {
  const sql = openSqliteSql(path);
  const { db } = sql;
  migrate(db);
  const upsertProfile = db.prepare(UPSERT_PROFILE);
  db.transaction(() => { for (const p of seedProfiles) upsertProfile.run(...seedProfileRow(p, Date.now())); })();
  const seen = Number((db.prepare(LAST_CONTEXT_CHANGE).get() as { seq: number }).seq);
  return Object.assign(buildRegistry(sql, seen), { db });
}

/** A registry on an open Sql of either engine: runs that engine's migrations and writes the shipped device profiles. */
export async function openRegistry(sql: Sql): Promise<Registry> {
  if (sql.dialect === 'sqlite') migrate((sql as SqliteSql).db);
  else await migratePostgres(sql);
  await createDeviceProfiles(sql).seedDeviceProfiles();
  const seen = Number((await sql.one<{ seq: number }>(LAST_CONTEXT_CHANGE))?.seq ?? 0);
  return buildRegistry(sql, seen);
}

/**
 * The registry's methods on a migrated database. `contextChangesSeen` is the device context change feed's newest
 * seq, read before anything is cached: every change after it is one the cache may not have seen.
 */
function buildRegistry(sql: Sql, contextChangesSeen: number) {
  const directory = createDirectory(sql);
  const deviceProfiles = createDeviceProfiles(sql);
  const contacts = createContacts(sql);
  const accounts = createAccounts(sql);
  const credentialChanges = createCredentialChanges(sql);
  const irrigationEvents = createIrrigationEvents(sql);
  const smsSenders = createSmsSenders(sql);
  const platformValues = createPlatformValues(sql);
  // A field moved to another farm changes where its devices' readings belong: drop the cached contexts.
  const directoryWrites = createDirectoryWrites(sql, { fieldMoved: () => forgetContexts() });
  const contextCache = new Map<string, DeviceContext>();
  // Bumped whenever cached contexts are dropped: a lookup that began before does not cache what it read, which
  // may predate the change (the lookup and the change are both awaited, so they can interleave).
  let contextGeneration = 0;
  const verifiedSecrets = new Map<string, string>();

  // The ingest's synchronous path (ingest/registry-decode.ts) peeks at what the lookups below cached: a device's
  // profile and a DevEUI's device id, both kept LOOKUP_TTL_MS (so another process's change shows within it).
  const profiles = new Map<string, Peeked<DeviceProfile | undefined>>();
  const devEuis = new Map<string, Peeked<string>>();
  // Bumped by every profile change made here: a lookup that began before does not cache what it read.
  let profileGeneration = 0;

  function peek<T>(cache: Map<string, Peeked<T>>, key: string): Peeked<T> | undefined {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < LOOKUP_TTL_MS) return hit;
    if (hit) cache.delete(key);
    return undefined;
  }

  function remember<T>(cache: Map<string, Peeked<T>>, key: string, value: T): void {
    if (cache.size >= MAX_LOOKUPS) cache.clear();
    cache.set(key, { value, at: Date.now() });
  }

  function forgetProfiles(deviceId?: string): void {
    profileGeneration += 1;
    if (deviceId === undefined) profiles.clear();
    else profiles.delete(deviceId);
  }

  function forgetContexts(deviceId?: string): void {
    contextGeneration += 1;
    if (deviceId === undefined) contextCache.clear();
    else contextCache.delete(deviceId);
  }

  async function provisionDevice(input: NewDevice): Promise<{ deviceId: string; secret: string }> {
    const deviceId = input.id ?? `dev-${randomUUID().slice(0, 8)}`;
    const secret = generateSecret();
    try {
      await sql.run(
        'INSERT INTO devices (id, field_id, kind, name, secret_hash, dev_eui, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [deviceId, input.fieldId, input.kind, input.name, hashGeneratedSecret(secret), input.devEui ?? null, Date.now()],
      );
    } catch (err) {
      if (isPrimaryKeyViolation(err)) throw new RuongError('CONFLICT', `device ${deviceId} already exists`);
      if (isForeignKeyViolation(err)) throw new RuongError('NOT_FOUND', `field ${input.fieldId} does not exist`);
      throw err;
    }
    forgetContexts(deviceId);
    return { deviceId, secret };
  }

  async function deviceContext(deviceId: string): Promise<DeviceContext | undefined> {
    // Only found devices are cached: a device provisioned by another process is seen at once.
    const cached = contextCache.get(deviceId);
    if (cached) return cached;
    const generation = contextGeneration;
    const row = await sql.one<Omit<DeviceContext, 'revoked'> & { revoked: unknown }>(
      `SELECT d.id AS "deviceId", d.field_id AS "fieldId", f.farm_id AS "farmId", fa.cooperative_id AS "cooperativeId",
              d.revoked_at IS NOT NULL AS revoked
         FROM devices d JOIN fields f ON f.id = d.field_id JOIN farms fa ON fa.id = f.farm_id WHERE d.id = ?`,
      [deviceId],
    );
    if (!row) return undefined;
    const ctx = { ...row, revoked: truthy(row.revoked) };
    if (generation === contextGeneration) contextCache.set(deviceId, ctx);
    return ctx;
  }

  /** The profile a device's codec output is mapped with; undefined = field names are metric names. */
  async function profileOfDevice(deviceId: string): Promise<DeviceProfile | undefined> {
    const hit = peek(profiles, deviceId);
    if (hit) return hit.value;
    const generation = profileGeneration;
    const profile = await deviceProfiles.profileOfDevice(deviceId);
    if (generation === profileGeneration) remember(profiles, deviceId, profile);
    return profile;
  }

  /** The device id a DevEUI (any case) belongs to. Only hits are cached: a new device is seen at once. */
  async function deviceIdByDevEui(devEui: string): Promise<string | undefined> {
    const key = devEui.toLowerCase();
    const hit = peek(devEuis, key);
    if (hit) return hit.value;
    const id = await deviceProfiles.deviceIdByDevEui(key);
    if (id !== undefined) remember(devEuis, key, id);
    return id;
  }

  async function userById(id: string): Promise<User | undefined> {
    const row = await sql.one<Omit<User, 'farmIds'>>(
      'SELECT id, cooperative_id AS "cooperativeId", username, display_name AS "displayName", role, language FROM users WHERE id = ?',
      [id],
    );
    if (!row) return undefined;
    const farms = await sql.all<{ farmId: string }>('SELECT farm_id AS "farmId" FROM user_farms WHERE user_id = ?', [id]);
    return { ...row, farmIds: farms.map((f) => f.farmId) };
  }

  return {
    sql,
    ...directory,
    ...deviceProfiles,
    ...contacts,
    ...accounts,
    ...credentialChanges,
    ...directoryWrites,
    ...irrigationEvents,
    ...smsSenders,
    ...platformValues,

    deviceContext,
    profileOfDevice,
    deviceIdByDevEui,

    /**
     * The device's context as deviceContext() last cached it, without a query (the ingest's synchronous path):
     * undefined = not cached, not = unknown (ask deviceContext()). Moves, revocations and the change feed drop it.
     */
    cachedDeviceContext(deviceId: string): DeviceContext | undefined {
      return contextCache.get(deviceId);
    },

    /**
     * The device's profile as profileOfDevice() last cached it, without a query: `{ value }` (value undefined = the
     * device has no profile), or undefined = not cached, not = unknown (ask profileOfDevice()).
     */
    cachedProfileOfDevice(deviceId: string): { readonly value: DeviceProfile | undefined } | undefined {
      return peek(profiles, deviceId);
    },

    /**
     * The device id a DevEUI belongs to as deviceIdByDevEui() last cached it, without a query: undefined = not
     * cached, not = unknown (ask deviceIdByDevEui(); only hits are cached, for LOOKUP_TTL_MS, so a re-assigned
     * DevEUI shows within it).
     */
    cachedDeviceIdByDevEui(devEui: string): string | undefined {
      return peek(devEuis, devEui.toLowerCase())?.value;
    },

    async saveDeviceProfile(input: unknown, builtin = false): Promise<DeviceProfile> {
      try {
        return await deviceProfiles.saveDeviceProfile(input, builtin);
      } finally {
        forgetProfiles();
      }
    },

    async seedDeviceProfiles(): Promise<void> {
      try {
        await deviceProfiles.seedDeviceProfiles();
      } finally {
        forgetProfiles();
      }
    },

    async setDeviceProfile(deviceId: string, profileId: string | null): Promise<void> {
      try {
        await deviceProfiles.setDeviceProfile(deviceId, profileId);
      } finally {
        forgetProfiles(deviceId);
      }
    },

    /** Creates a device and returns its secret — the only time the plaintext exists. */
    provisionDevice,

    async rotateDeviceSecret(deviceId: string): Promise<string> {
      const secret = generateSecret();
      const changed = (await sql.run('UPDATE devices SET secret_hash = ? WHERE id = ?', [hashGeneratedSecret(secret), deviceId])).changes;
      if (changed === 0) throw new RuongError('NOT_FOUND', `device ${deviceId} does not exist`);
      return secret;
    },

    async revokeDevice(deviceId: string): Promise<boolean> {
      forgetContexts(deviceId);
      const revoked = (await sql.run('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL', [Date.now(), deviceId])).changes > 0;
      forgetContexts(deviceId);
      return revoked;
    },

    /**
     * Drops cached contexts of devices moved (or whose field moved) by any process since the last call, from the
     * registry's change feed (migration 10); returns how many changes were read. Called every second by processes
     * that cache contexts but do not make the moves (`ruong ingest`, cli/device-context-watch.ts).
     */
    async forgetMovedDeviceContexts(): Promise<number> {
      const changes = await sql.all<{ seq: number; deviceId: string | null }>(
        'SELECT seq, device_id AS "deviceId" FROM device_context_changes WHERE seq > ? ORDER BY seq LIMIT 1000',
        [contextChangesSeen],
      );
      for (const change of changes) {
        contextChangesSeen = Math.max(contextChangesSeen, Number(change.seq)); // two calls may overlap
        forgetContexts(change.deviceId ?? undefined);
      }
      return changes.length;
    },

    /** Drops context changes older than `before` (ms). */
    async pruneDeviceContextChanges(before: number): Promise<number> {
      return (await sql.run('DELETE FROM device_context_changes WHERE at < ?', [before])).changes;
    },

    /** Moves a device to another field (issue 16); its cached context goes, so its next reading is the new field's. */
    async moveDevice(deviceId: string, fieldId: string): Promise<boolean> {
      const moved = (await sql.run('UPDATE devices SET field_id = ? WHERE id = ?', [fieldId, deviceId])).changes > 0;
      forgetContexts(deviceId);
      return moved;
    },

    /** True when the device exists, is not revoked and the secret matches its stored hash. */
    async verifyDevice(deviceId: string, secret: string): Promise<boolean> {
      const row = await sql.one<{ hash: string; revokedAt: number | null }>(
        'SELECT secret_hash AS hash, revoked_at AS "revokedAt" FROM devices WHERE id = ?', [deviceId],
      );
      if (!row || row.revokedAt !== null) return false;
      // A generated secret is stored as a salted SHA-256: checking it is one hash, as cheap as a cache lookup —
      // no cache (issue 19: a digest per device was ≈ 0.2 KB of a broker's memory per connected device and a
      // second SHA-256 per CONNECT). Checked here without a promise of its own (issue 19, CPU per connect).
      if (isGeneratedSecretHash(row.hash)) return verifyGeneratedSecret(secret, row.hash);
      // After one successful check, remember a digest of the secret bound to the stored hash (so a
      // rotated secret — new hash — or a revocation, checked above, invalidates it): reconnects stay cheap
      // for secrets hashed with scrypt earlier.
      const digest = createHash('sha256').update(row.hash).update('\u0000').update(secret).digest('hex');
      if (verifiedSecrets.get(deviceId) === digest) return true;
      const ok = await verifySecret(secret, row.hash);
      if (ok) verifiedSecrets.set(deviceId, digest);
      return ok;
    },

    async setServiceSecret(name: string, secret: string): Promise<void> {
      await sql.run(
        `INSERT INTO service_credentials (name, secret_hash, created_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at`,
        [name, hashGeneratedSecret(secret), Date.now()],
      );
    },

    async verifyService(name: string, secret: string): Promise<boolean> {
      const row = await sql.one<{ hash: string }>('SELECT secret_hash AS hash FROM service_credentials WHERE name = ?', [name]);
      return row ? verifySecret(secret, row.hash) : false;
    },

    async createUser(input: { cooperativeId: string; username: string; password: string; role: Role; displayName?: string; language?: string; farmIds?: readonly string[] }): Promise<string> {
      const id = `usr-${randomUUID().slice(0, 8)}`;
      const hash = await hashSecret(input.password);
      await sql.tx(async (tx) => {
        await tx.run(
          'INSERT INTO users (id, cooperative_id, username, display_name, password_hash, role, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
          [id, input.cooperativeId, input.username, input.displayName ?? null, hash, input.role, input.language ?? 'vi', Date.now()],
        );
        for (const farmId of input.farmIds ?? []) {
          await tx.run('INSERT INTO user_farms (user_id, farm_id) VALUES (?, ?) ON CONFLICT (user_id, farm_id) DO NOTHING', [id, farmId]);
        }
      });
      return id;
    },

    userById,

    /** Checks a password; a missing user costs the same scrypt work as a wrong password. */
    async verifyPassword(username: string, password: string): Promise<User | undefined> {
      const row = await sql.one<{ id: string; hash: string }>('SELECT id, password_hash AS hash FROM users WHERE username = ?', [username]);
      const ok = await verifySecret(password, row?.hash ?? DUMMY_HASH);
      return row && ok ? userById(row.id) : undefined;
    },

    /** Issues a bearer token; only its SHA-256 is stored. */
    async createSession(userId: string, ttlMs: number, now = Date.now()): Promise<{ token: string; expiresAt: number }> {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + ttlMs;
      await sql.run('DELETE FROM sessions WHERE expires_at <= ?', [now]);
      await sql.run('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)', [sha256(token), userId, expiresAt]);
      return { token, expiresAt };
    },

    async userForToken(token: string, now = Date.now()): Promise<User | undefined> {
      const row = await sql.one<{ userId: string; expiresAt: number }>(
        'SELECT user_id AS "userId", expires_at AS "expiresAt" FROM sessions WHERE token_hash = ?', [sha256(token)],
      );
      if (!row || Number(row.expiresAt) <= now) return undefined;
      return userById(row.userId);
    },

    async endSession(token: string): Promise<void> {
      await sql.run('DELETE FROM sessions WHERE token_hash = ?', [sha256(token)]);
    },

    async addDeadLetter(input: NewDeadLetter, now = Date.now()): Promise<void> {
      const payload = input.payload === undefined ? null : (typeof input.payload === 'string' ? input.payload : input.payload.toString('utf8')).slice(0, MAX_DEAD_LETTER_PAYLOAD);
      await sql.run(
        'INSERT INTO dead_letters (received_at, device_id, cooperative_id, topic, code, reason, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [now, input.deviceId ?? null, input.cooperativeId ?? null, input.topic, input.code, input.reason, payload],
      );
    },

    /** Dead letters no cooperative can see (unknown device or DevEUI, no credentials to tell), grouped by topic and code. */
    unownedDeadLetters(limit = 100): Promise<{ topic: string; code: string; reason: string; count: number; lastAt: number }[]> {
      return sql.all(
        `SELECT topic, code, max(reason) AS reason, count(*) AS count, max(received_at) AS "lastAt"
           FROM dead_letters WHERE cooperative_id IS NULL GROUP BY topic, code ORDER BY "lastAt" DESC LIMIT ?`,
        [limit],
      );
    },

    deadLetters(cooperativeId: string, limit = 100): Promise<DeadLetter[]> {
      return sql.all<DeadLetter>(
        `SELECT id, received_at AS "receivedAt", device_id AS "deviceId", topic, code, reason, payload
           FROM dead_letters WHERE cooperative_id = ? ORDER BY id DESC LIMIT ?`,
        [cooperativeId, limit],
      );
    },

    async deadLetterCount(): Promise<number> {
      return Number((await sql.one<{ n: number }>('SELECT count(*) AS n FROM dead_letters'))?.n ?? 0);
    },

    async close(): Promise<void> {
      await sql.close();
    },
  };
}

// A valid hash of a random secret, so an unknown username takes as long as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
