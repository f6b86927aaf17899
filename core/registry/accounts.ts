// Accounts of a cooperative: users (admin, technician, farmer with their farms, viewer) and API keys for
// integrations. Every function takes the caller's cooperative id: another tenant's user or key is not found.
// API keys are 32 random bytes shown once (`rk_<id>_<secret>`); only their SHA-256 is stored — a key has
// 256 bits of entropy, so a fast hash is enough (no dictionary to guard against, unlike passwords).
import type { Database } from 'better-sqlite3';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RuongError } from '../errors.js';
import { hashSecret } from './secrets.js';
import type { Role, User } from './types.js';

export type ApiKeyRole = Exclude<Role, 'farmer'>;

export interface UserRecord {
  readonly id: string;
  readonly username: string;
  readonly displayName: string | null;
  readonly role: Role;
  readonly language: string;
  readonly farmIds: readonly string[];
  readonly createdAt: number;
}

export interface ApiKeyRecord {
  readonly id: string;
  readonly name: string;
  readonly role: ApiKeyRole;
  readonly prefix: string;
  readonly createdAt: number;
  readonly lastUsedAt: number | null;
  readonly revokedAt: number | null;
}

export interface UserPatch {
  readonly displayName?: string | null | undefined;
  readonly role?: Role | undefined;
  readonly language?: string | undefined;
  readonly farmIds?: readonly string[] | undefined;
  readonly password?: string | undefined;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const LAST_USED_RESOLUTION_MS = 60_000; // do not write on every request

export function createAccounts(db: Database) {
  const stmt = {
    users: db.prepare(
      `SELECT id, username, display_name AS displayName, role, language, created_at AS createdAt
         FROM users WHERE cooperative_id = ? ORDER BY username`,
    ),
    user: db.prepare(
      `SELECT id, username, display_name AS displayName, role, language, created_at AS createdAt
         FROM users WHERE cooperative_id = ? AND id = ?`,
    ),
    userFarms: db.prepare('SELECT farm_id AS farmId FROM user_farms WHERE user_id = ? ORDER BY farm_id'),
    farmInCoop: db.prepare('SELECT 1 FROM farms WHERE id = ? AND cooperative_id = ?'),
    deleteUserFarms: db.prepare('DELETE FROM user_farms WHERE user_id = ?'),
    insertUserFarm: db.prepare('INSERT OR IGNORE INTO user_farms (user_id, farm_id) VALUES (?, ?)'),
    deleteSessions: db.prepare('DELETE FROM sessions WHERE user_id = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ? AND cooperative_id = ?'),
    insertKey: db.prepare(
      'INSERT INTO api_keys (id, cooperative_id, name, role, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    keys: db.prepare(
      `SELECT id, name, role, prefix, created_at AS createdAt, last_used_at AS lastUsedAt, revoked_at AS revokedAt
         FROM api_keys WHERE cooperative_id = ? ORDER BY created_at, id`,
    ),
    keyByHash: db.prepare(
      'SELECT id, cooperative_id AS cooperativeId, name, role, last_used_at AS lastUsedAt FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
    ),
    touchKey: db.prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?'),
    revokeKey: db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ? AND cooperative_id = ? AND revoked_at IS NULL'),
    firstCoop: db.prepare('SELECT id FROM cooperatives ORDER BY created_at, rowid LIMIT 1'),
    loginTaken: db.prepare('SELECT cooperative_id AS cooperativeId FROM users WHERE username = ?'),
    contactOfUser: db.prepare(
      `SELECT uc.contact_id AS contactId FROM user_contacts uc JOIN users u ON u.id = uc.user_id
        WHERE uc.user_id = ? AND u.cooperative_id = ?`,
    ),
    linkContact: db.prepare('INSERT INTO user_contacts (user_id, contact_id) VALUES (?, ?)'),
  };

  function withFarms(row: Omit<UserRecord, 'farmIds'>): UserRecord {
    return { ...row, farmIds: (stmt.userFarms.all(row.id) as { farmId: string }[]).map((f) => f.farmId) };
  }

  function checkFarms(cooperativeId: string, farmIds: readonly string[]): void {
    for (const farmId of farmIds) {
      if (!stmt.farmInCoop.get(farmId, cooperativeId)) throw new RuongError('BAD_REQUEST', `farmIds: farm ${farmId} is not in this cooperative`, { field: 'farmIds' });
    }
  }

  /** The installation's first cooperative: its users log in with the bare name (README, "Users and logins"). */
  function defaultCooperativeId(): string | undefined {
    return (stmt.firstCoop.get() as { id: string } | undefined)?.id;
  }

  return {
    checkFarms,
    defaultCooperativeId,

    /**
     * The login a new user of the cooperative gets for `name` (issue 16): usernames are unique per
     * cooperative, and a login names its cooperative — `name@cooperative-id` — except in the installation's
     * first cooperative, whose users keep the bare name. So whether a name is free never depends on another
     * cooperative: creating `alice` in B answers the same whether or not A has an `alice`. A bare name held
     * by another cooperative (users made before this rule, straight in the registry) is qualified too.
     */
    loginName(cooperativeId: string, name: string): string {
      if (cooperativeId !== defaultCooperativeId()) return `${name}@${cooperativeId}`;
      const holder = stmt.loginTaken.get(name) as { cooperativeId: string } | undefined;
      return holder && holder.cooperativeId !== cooperativeId ? `${name}@${cooperativeId}` : name;
    },

    /** The contact a user edits as their own (their phone, language, quiet hours), when they have one. */
    contactIdOfUser(cooperativeId: string, userId: string): string | undefined {
      return (stmt.contactOfUser.get(userId, cooperativeId) as { contactId: string } | undefined)?.contactId;
    },

    linkUserContact(userId: string, contactId: string): void {
      stmt.linkContact.run(userId, contactId);
    },

    usersOfCooperative(cooperativeId: string): UserRecord[] {
      return (stmt.users.all(cooperativeId) as Omit<UserRecord, 'farmIds'>[]).map(withFarms);
    },

    userOfCooperative(cooperativeId: string, userId: string): UserRecord | undefined {
      const row = stmt.user.get(cooperativeId, userId) as Omit<UserRecord, 'farmIds'> | undefined;
      return row ? withFarms(row) : undefined;
    },

    /** Changes a user; a new role, password or set of farms ends the user's sessions. */
    async updateUser(cooperativeId: string, userId: string, patch: UserPatch): Promise<UserRecord | undefined> {
      if (!stmt.user.get(cooperativeId, userId)) return undefined;
      if (patch.farmIds) checkFarms(cooperativeId, patch.farmIds);
      const passwordHash = patch.password === undefined ? undefined : await hashSecret(patch.password);
      const sets: string[] = [];
      const params: (string | null)[] = [];
      if (patch.displayName !== undefined) { sets.push('display_name = ?'); params.push(patch.displayName); }
      if (patch.role !== undefined) { sets.push('role = ?'); params.push(patch.role); }
      if (patch.language !== undefined) { sets.push('language = ?'); params.push(patch.language); }
      if (passwordHash !== undefined) { sets.push('password_hash = ?'); params.push(passwordHash); }
      db.transaction(() => {
        if (sets.length) db.prepare(`UPDATE users SET ${sets.join(', ')} WHERE id = ? AND cooperative_id = ?`).run(...params, userId, cooperativeId);
        if (patch.farmIds) {
          stmt.deleteUserFarms.run(userId);
          for (const farmId of patch.farmIds) stmt.insertUserFarm.run(userId, farmId);
        }
        if (patch.role !== undefined || passwordHash !== undefined || patch.farmIds) stmt.deleteSessions.run(userId);
      })();
      return this.userOfCooperative(cooperativeId, userId);
    },

    deleteUser(cooperativeId: string, userId: string): boolean {
      if (!stmt.user.get(cooperativeId, userId)) return false;
      try {
        db.transaction(() => {
          stmt.deleteSessions.run(userId);
          stmt.deleteUserFarms.run(userId);
          stmt.deleteUser.run(userId, cooperativeId);
        })();
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new RuongError('CONFLICT', `user ${userId} is still referenced`);
        throw err;
      }
      return true;
    },

    /** Issues a key; the plaintext is returned once and never stored. */
    createApiKey(cooperativeId: string, name: string, role: ApiKeyRole, now = Date.now()): { key: string; record: ApiKeyRecord } {
      const id = `key-${randomUUID().slice(0, 8)}`;
      const key = `rk_${randomBytes(32).toString('base64url')}`;
      const prefix = key.slice(0, 10);
      stmt.insertKey.run(id, cooperativeId, name, role, sha256(key), prefix, now);
      return { key, record: { id, name, role, prefix, createdAt: now, lastUsedAt: null, revokedAt: null } };
    },

    apiKeys(cooperativeId: string): ApiKeyRecord[] {
      return stmt.keys.all(cooperativeId) as ApiKeyRecord[];
    },

    revokeApiKey(cooperativeId: string, keyId: string, now = Date.now()): boolean {
      return stmt.revokeKey.run(now, keyId, cooperativeId).changes > 0;
    },

    /** The principal of a valid, unrevoked key: a user-shaped record with the key's role. */
    userForApiKey(key: string, now = Date.now()): User | undefined {
      const row = stmt.keyByHash.get(sha256(key)) as { id: string; cooperativeId: string; name: string; role: ApiKeyRole; lastUsedAt: number | null } | undefined;
      if (!row) return undefined;
      if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS) stmt.touchKey.run(now, row.id);
      return { id: row.id, cooperativeId: row.cooperativeId, username: `api-key:${row.name}`, displayName: row.name, role: row.role, language: 'en', farmIds: [] };
    },
  };
}
