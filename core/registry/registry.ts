// The registry: cooperatives, farms, fields, devices, users, sessions, service credentials and
// dead letters in SQLite (better-sqlite3 v12, WAL). Every read that serves a user takes the
// caller's cooperative id: tenant isolation lives in the WHERE clause, not in the caller.
import Database from 'better-sqlite3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RuongError } from '../errors.js';
import { migrate } from './migrations.js';
import { generateSecret, hashGeneratedSecret, hashSecret, verifySecret } from './secrets.js';
import { createDirectory } from './directory.js';
import { createDeviceProfiles } from './device-profiles.js';
import { createContacts } from './contacts.js';
import { createAccounts } from './accounts.js';
import { createCredentialChanges } from './credential-changes.js';
import { createDirectoryWrites } from './directory-writes.js';
import { createIrrigationEvents } from './irrigation-events.js';
import { createSmsSenders } from './sms-senders.js';
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

export type Registry = ReturnType<typeof createRegistry>;

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function createRegistry(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  const directory = createDirectory(db);
  const deviceProfiles = createDeviceProfiles(db);
  const contacts = createContacts(db);
  const accounts = createAccounts(db);
  const credentialChanges = createCredentialChanges(db);
  const irrigationEvents = createIrrigationEvents(db);
  const smsSenders = createSmsSenders(db);
  // A field moved to another farm changes where its devices' readings belong: drop the cached contexts.
  const directoryWrites = createDirectoryWrites(db, { fieldMoved: () => contextCache.clear() });
  const contextCache = new Map<string, DeviceContext>();
  const contextChanges = {
    last: db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM device_context_changes'),
    after: db.prepare('SELECT seq, device_id AS deviceId FROM device_context_changes WHERE seq > ? ORDER BY seq LIMIT 1000'),
    prune: db.prepare('DELETE FROM device_context_changes WHERE at < ?'),
  };
  let contextChangesSeen = (contextChanges.last.get() as { seq: number }).seq; // what is cached now is read after it
  const verifiedSecrets = new Map<string, string>();

  const stmt = {
    deviceContext: db.prepare(
      `SELECT d.id AS deviceId, d.field_id AS fieldId, f.farm_id AS farmId, fa.cooperative_id AS cooperativeId,
              d.revoked_at IS NOT NULL AS revoked
         FROM devices d JOIN fields f ON f.id = d.field_id JOIN farms fa ON fa.id = f.farm_id WHERE d.id = ?`,
    ),
    deviceSecret: db.prepare('SELECT secret_hash AS hash, revoked_at AS revokedAt FROM devices WHERE id = ?'),
    insertDevice: db.prepare(
      'INSERT INTO devices (id, field_id, kind, name, secret_hash, dev_eui, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    revokeDevice: db.prepare('UPDATE devices SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
    setDeviceSecret: db.prepare('UPDATE devices SET secret_hash = ? WHERE id = ?'),
    moveDevice: db.prepare('UPDATE devices SET field_id = ? WHERE id = ?'),
    userByName: db.prepare('SELECT id, password_hash AS hash FROM users WHERE username = ?'),
    userById: db.prepare(
      `SELECT id, cooperative_id AS cooperativeId, username, display_name AS displayName, role, language FROM users WHERE id = ?`,
    ),
    userFarms: db.prepare('SELECT farm_id AS farmId FROM user_farms WHERE user_id = ?'),
    insertUser: db.prepare(
      'INSERT INTO users (id, cooperative_id, username, display_name, password_hash, role, language, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ),
    insertUserFarm: db.prepare('INSERT OR IGNORE INTO user_farms (user_id, farm_id) VALUES (?, ?)'),
    insertSession: db.prepare('INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (?, ?, ?)'),
    session: db.prepare('SELECT user_id AS userId, expires_at AS expiresAt FROM sessions WHERE token_hash = ?'),
    deleteSession: db.prepare('DELETE FROM sessions WHERE token_hash = ?'),
    purgeSessions: db.prepare('DELETE FROM sessions WHERE expires_at <= ?'),
    upsertService: db.prepare(
      `INSERT INTO service_credentials (name, secret_hash, created_at) VALUES (?, ?, ?)
       ON CONFLICT(name) DO UPDATE SET secret_hash = excluded.secret_hash, created_at = excluded.created_at`,
    ),
    service: db.prepare('SELECT secret_hash AS hash FROM service_credentials WHERE name = ?'),
    insertDeadLetter: db.prepare(
      'INSERT INTO dead_letters (received_at, device_id, cooperative_id, topic, code, reason, payload) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deadLetters: db.prepare(
      `SELECT id, received_at AS receivedAt, device_id AS deviceId, topic, code, reason, payload
         FROM dead_letters WHERE cooperative_id = ? ORDER BY id DESC LIMIT ?`,
    ),
    countDeadLetters: db.prepare('SELECT count(*) AS n FROM dead_letters'),
    unownedDeadLetters: db.prepare(
      `SELECT topic, code, max(reason) AS reason, count(*) AS count, max(received_at) AS lastAt
         FROM dead_letters WHERE cooperative_id IS NULL GROUP BY topic, code ORDER BY lastAt DESC LIMIT ?`,
    ),
  };

  function provisionNow(input: NewDevice): { deviceId: string; secret: string } {
    const deviceId = input.id ?? `dev-${randomUUID().slice(0, 8)}`;
    const secret = generateSecret();
    try {
      stmt.insertDevice.run(deviceId, input.fieldId, input.kind, input.name, hashGeneratedSecret(secret), input.devEui ?? null, Date.now());
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new RuongError('CONFLICT', `device ${deviceId} already exists`);
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new RuongError('NOT_FOUND', `field ${input.fieldId} does not exist`);
      throw err;
    }
    contextCache.delete(deviceId);
    return { deviceId, secret };
  }

  function rotateNow(deviceId: string): string {
    const secret = generateSecret();
    const changed = stmt.setDeviceSecret.run(hashGeneratedSecret(secret), deviceId).changes;
    if (changed === 0) throw new RuongError('NOT_FOUND', `device ${deviceId} does not exist`);
    return secret;
  }

  function deviceContext(deviceId: string): DeviceContext | undefined {
    // Only found devices are cached: a device provisioned by another process is seen at once.
    const cached = contextCache.get(deviceId);
    if (cached) return cached;
    const row = stmt.deviceContext.get(deviceId) as (Omit<DeviceContext, 'revoked'> & { revoked: number }) | undefined;
    if (!row) return undefined;
    const ctx = { ...row, revoked: row.revoked === 1 };
    contextCache.set(deviceId, ctx);
    return ctx;
  }

  return {
    db,
    ...directory,
    ...deviceProfiles,
    ...contacts,
    ...accounts,
    ...credentialChanges,
    ...directoryWrites,
    ...irrigationEvents,
    ...smsSenders,

    deviceContext,

    /** Creates a device and returns its secret — the only time the plaintext exists. */
    provisionDevice(input: NewDevice): Promise<{ deviceId: string; secret: string }> {
      return new Promise((resolve) => resolve(provisionNow(input)));
    },

    rotateDeviceSecret(deviceId: string): Promise<string> {
      return new Promise((resolve) => resolve(rotateNow(deviceId)));
    },

    revokeDevice(deviceId: string): boolean {
      contextCache.delete(deviceId);
      return stmt.revokeDevice.run(Date.now(), deviceId).changes > 0;
    },

    /**
     * Drops cached contexts of devices moved (or whose field moved) by any process since the last call, from the
     * registry's change feed (migration 10); returns how many changes were read. Called every second by processes
     * that cache contexts but do not make the moves (`ruong ingest`, cli/device-context-watch.ts).
     */
    forgetMovedDeviceContexts(): number {
      const changes = contextChanges.after.all(contextChangesSeen) as { seq: number; deviceId: string | null }[];
      for (const change of changes) {
        contextChangesSeen = change.seq;
        if (change.deviceId === null) contextCache.clear();
        else contextCache.delete(change.deviceId);
      }
      return changes.length;
    },

    /** Drops context changes older than `before` (ms). */
    pruneDeviceContextChanges(before: number): number {
      return contextChanges.prune.run(before).changes;
    },

    /** Moves a device to another field (issue 16); its cached context goes, so its next reading is the new field's. */
    moveDevice(deviceId: string, fieldId: string): boolean {
      const moved = stmt.moveDevice.run(fieldId, deviceId).changes > 0;
      contextCache.delete(deviceId);
      return moved;
    },

    /** True when the device exists, is not revoked and the secret matches its stored hash. */
    async verifyDevice(deviceId: string, secret: string): Promise<boolean> {
      const row = stmt.deviceSecret.get(deviceId) as { hash: string; revokedAt: number | null } | undefined;
      if (!row || row.revokedAt !== null) return false;
      // After one successful check, remember a digest of the secret bound to the stored hash (so a
      // rotated secret — new hash — or a revocation, checked above, invalidates it). New secrets use a
      // salted SHA-256 already; this keeps reconnects cheap for secrets hashed with scrypt earlier.
      const digest = createHash('sha256').update(row.hash).update('\u0000').update(secret).digest('hex');
      if (verifiedSecrets.get(deviceId) === digest) return true;
      const ok = await verifySecret(secret, row.hash);
      if (ok) verifiedSecrets.set(deviceId, digest);
      return ok;
    },

    setServiceSecret(name: string, secret: string): Promise<void> {
      stmt.upsertService.run(name, hashGeneratedSecret(secret), Date.now());
      return Promise.resolve();
    },

    async verifyService(name: string, secret: string): Promise<boolean> {
      const row = stmt.service.get(name) as { hash: string } | undefined;
      return row ? verifySecret(secret, row.hash) : false;
    },

    async createUser(input: { cooperativeId: string; username: string; password: string; role: Role; displayName?: string; language?: string; farmIds?: readonly string[] }): Promise<string> {
      const id = `usr-${randomUUID().slice(0, 8)}`;
      const hash = await hashSecret(input.password);
      db.transaction(() => {
        stmt.insertUser.run(id, input.cooperativeId, input.username, input.displayName ?? null, hash, input.role, input.language ?? 'vi', Date.now());
        for (const farmId of input.farmIds ?? []) stmt.insertUserFarm.run(id, farmId);
      })();
      return id;
    },

    userById(id: string): User | undefined {
      const row = stmt.userById.get(id) as Omit<User, 'farmIds'> | undefined;
      if (!row) return undefined;
      const farms = stmt.userFarms.all(id) as { farmId: string }[];
      return { ...row, farmIds: farms.map((f) => f.farmId) };
    },

    /** Checks a password; a missing user costs the same scrypt work as a wrong password. */
    async verifyPassword(username: string, password: string): Promise<User | undefined> {
      const row = stmt.userByName.get(username) as { id: string; hash: string } | undefined;
      const ok = await verifySecret(password, row?.hash ?? DUMMY_HASH);
      return row && ok ? this.userById(row.id) : undefined;
    },

    /** Issues a bearer token; only its SHA-256 is stored. */
    createSession(userId: string, ttlMs: number, now = Date.now()): { token: string; expiresAt: number } {
      const token = randomBytes(32).toString('base64url');
      const expiresAt = now + ttlMs;
      stmt.purgeSessions.run(now);
      stmt.insertSession.run(sha256(token), userId, expiresAt);
      return { token, expiresAt };
    },

    userForToken(token: string, now = Date.now()): User | undefined {
      const row = stmt.session.get(sha256(token)) as { userId: string; expiresAt: number } | undefined;
      if (!row || row.expiresAt <= now) return undefined;
      return this.userById(row.userId);
    },

    endSession(token: string): void {
      stmt.deleteSession.run(sha256(token));
    },

    addDeadLetter(input: NewDeadLetter, now = Date.now()): void {
      const payload = input.payload === undefined ? null : (typeof input.payload === 'string' ? input.payload : input.payload.toString('utf8')).slice(0, MAX_DEAD_LETTER_PAYLOAD);
      stmt.insertDeadLetter.run(now, input.deviceId ?? null, input.cooperativeId ?? null, input.topic, input.code, input.reason, payload);
    },

    /** Dead letters no cooperative can see (unknown device or DevEUI, no credentials to tell), grouped by topic and code. */
    unownedDeadLetters(limit = 100): { topic: string; code: string; reason: string; count: number; lastAt: number }[] {
      return stmt.unownedDeadLetters.all(limit) as { topic: string; code: string; reason: string; count: number; lastAt: number }[];
    },

    deadLetters(cooperativeId: string, limit = 100): DeadLetter[] {
      return stmt.deadLetters.all(cooperativeId, limit) as DeadLetter[];
    },

    deadLetterCount(): number {
      return (stmt.countDeadLetters.get() as { n: number }).n;
    },

    close(): void {
      if (db.open) db.close();
    },
  };
}

// A valid hash of a random secret, so an unknown username takes as long as a wrong password.
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
