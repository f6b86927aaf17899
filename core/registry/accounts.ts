// Accounts of a cooperative: users (admin, technician, farmer with their farms, viewer) and API keys for
// integrations. Every function takes the caller's cooperative id: another tenant's user or key is not found.
// API keys are 32 random bytes shown once (`rk_<id>_<secret>`); only their SHA-256 is stored — a key has
// 256 bits of entropy, so a fast hash is enough (no dictionary to guard against, unlike passwords).
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { RuongError } from '../errors.js';
import type { Sql } from '../db/sql.js';
import { isForeignKeyViolation } from '../db/sql-errors.js';
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

export function createAccounts(sql: Sql) {
  const q = {
    users: `SELECT id, username, display_name AS "displayName", role, language, created_at AS "createdAt"
         FROM users WHERE cooperative_id = ? ORDER BY username`,
    user: `SELECT id, username, display_name AS "displayName", role, language, created_at AS "createdAt"
         FROM users WHERE cooperative_id = ? AND id = ?`,
    userFarms: 'SELECT farm_id AS "farmId" FROM user_farms WHERE user_id = ? ORDER BY farm_id',
    farmInCoop: 'SELECT 1 AS found FROM farms WHERE id = ? AND cooperative_id = ?',
    deleteUserFarms: 'DELETE FROM user_farms WHERE user_id = ?',
    insertUserFarm: 'INSERT INTO user_farms (user_id, farm_id) VALUES (?, ?) ON CONFLICT (user_id, farm_id) DO NOTHING',
    deleteSessions: 'DELETE FROM sessions WHERE user_id = ?',
    deleteUser: 'DELETE FROM users WHERE id = ? AND cooperative_id = ?',
    insertKey: 'INSERT INTO api_keys (id, cooperative_id, name, role, key_hash, prefix, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    keys: `SELECT id, name, role, prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"
         FROM api_keys WHERE cooperative_id = ? ORDER BY created_at, id`,
    keyByHash: 'SELECT id, cooperative_id AS "cooperativeId", name, role, last_used_at AS "lastUsedAt" FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL',
    touchKey: 'UPDATE api_keys SET last_used_at = ? WHERE id = ?',
    revokeKey: 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND cooperative_id = ? AND revoked_at IS NULL',
    // the first cooperative created; SQLite breaks a tie of created_at by insertion order (rowid), PostgreSQL has
    // no rowid and breaks it by id
    firstCoop: sql.dialect === 'sqlite'
      ? 'SELECT id FROM cooperatives ORDER BY created_at, rowid LIMIT 1'
      : 'SELECT id FROM cooperatives ORDER BY created_at, id LIMIT 1',
    loginTaken: 'SELECT cooperative_id AS "cooperativeId" FROM users WHERE username = ?',
    contactOfUser: `SELECT uc.contact_id AS "contactId" FROM user_contacts uc JOIN users u ON u.id = uc.user_id
        WHERE uc.user_id = ? AND u.cooperative_id = ?`,
    linkContact: 'INSERT INTO user_contacts (user_id, contact_id) VALUES (?, ?)',
  };

  async function withFarms(row: Omit<UserRecord, 'farmIds'>): Promise<UserRecord> {
    return { ...row, farmIds: (await sql.all<{ farmId: string }>(q.userFarms, [row.id])).map((f) => f.farmId) };
  }

  async function checkFarms(cooperativeId: string, farmIds: readonly string[]): Promise<void> {
    for (const farmId of farmIds) {
      if (!(await sql.one(q.farmInCoop, [farmId, cooperativeId]))) throw new RuongError('BAD_REQUEST', `farmIds: farm ${farmId} is not in this cooperative`, { field: 'farmIds' });
    }
  }

  /** The installation's first cooperative: its users log in with the bare name (README, "Users and logins"). */
  async function defaultCooperativeId(): Promise<string | undefined> {
    return (await sql.one<{ id: string }>(q.firstCoop))?.id;
  }

  async function userOfCooperative(cooperativeId: string, userId: string): Promise<UserRecord | undefined> {
    const row = await sql.one<Omit<UserRecord, 'farmIds'>>(q.user, [cooperativeId, userId]);
    return row ? withFarms(row) : undefined;
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
    async loginName(cooperativeId: string, name: string): Promise<string> {
      if (cooperativeId !== (await defaultCooperativeId())) return `${name}@${cooperativeId}`;
      const holder = await sql.one<{ cooperativeId: string }>(q.loginTaken, [name]);
      return holder && holder.cooperativeId !== cooperativeId ? `${name}@${cooperativeId}` : name;
    },

    /** The contact a user edits as their own (their phone, language, quiet hours), when they have one. */
    async contactIdOfUser(cooperativeId: string, userId: string): Promise<string | undefined> {
      return (await sql.one<{ contactId: string }>(q.contactOfUser, [userId, cooperativeId]))?.contactId;
    },

    async linkUserContact(userId: string, contactId: string): Promise<void> {
      await sql.run(q.linkContact, [userId, contactId]);
    },

    async usersOfCooperative(cooperativeId: string): Promise<UserRecord[]> {
      const users: UserRecord[] = [];
      for (const row of await sql.all<Omit<UserRecord, 'farmIds'>>(q.users, [cooperativeId])) users.push(await withFarms(row));
      return users;
    },

    userOfCooperative,

    /** Changes a user; a new role, password or set of farms ends the user's sessions. */
    async updateUser(cooperativeId: string, userId: string, patch: UserPatch): Promise<UserRecord | undefined> {
      if (!(await sql.one(q.user, [cooperativeId, userId]))) return undefined;
      if (patch.farmIds) await checkFarms(cooperativeId, patch.farmIds);
      const passwordHash = patch.password === undefined ? undefined : await hashSecret(patch.password);
      const sets: string[] = [];
      const params: (string | null)[] = [];
      if (patch.displayName !== undefined) { sets.push('display_name = ?'); params.push(patch.displayName); }
      if (patch.role !== undefined) { sets.push('role = ?'); params.push(patch.role); }
      if (patch.language !== undefined) { sets.push('language = ?'); params.push(patch.language); }
      if (passwordHash !== undefined) { sets.push('password_hash = ?'); params.push(passwordHash); }
      await sql.tx(async () => {
        if (sets.length) await sql.run(`UPDATE users SET ${sets.join(', ')} WHERE id = ? AND cooperative_id = ?`, [...params, userId, cooperativeId]);
        if (patch.farmIds) {
          await sql.run(q.deleteUserFarms, [userId]);
          for (const farmId of patch.farmIds) await sql.run(q.insertUserFarm, [userId, farmId]);
        }
        if (patch.role !== undefined || passwordHash !== undefined || patch.farmIds) await sql.run(q.deleteSessions, [userId]);
      });
      return userOfCooperative(cooperativeId, userId);
    },

    async deleteUser(cooperativeId: string, userId: string): Promise<boolean> {
      if (!(await sql.one(q.user, [cooperativeId, userId]))) return false;
      try {
        await sql.tx(async () => {
          await sql.run(q.deleteSessions, [userId]);
          await sql.run(q.deleteUserFarms, [userId]);
          await sql.run(q.deleteUser, [userId, cooperativeId]);
        });
      } catch (err) {
        if (isForeignKeyViolation(err)) throw new RuongError('CONFLICT', `user ${userId} is still referenced`);
        throw err;
      }
      return true;
    },

    /** Issues a key; the plaintext is returned once and never stored. */
    async createApiKey(cooperativeId: string, name: string, role: ApiKeyRole, now = Date.now()): Promise<{ key: string; record: ApiKeyRecord }> {
      const id = `key-${randomUUID().slice(0, 8)}`;
      const key = `rk_${randomBytes(32).toString('base64url')}`;
      const prefix = key.slice(0, 10);
      await sql.run(q.insertKey, [id, cooperativeId, name, role, sha256(key), prefix, now]);
      return { key, record: { id, name, role, prefix, createdAt: now, lastUsedAt: null, revokedAt: null } };
    },

    async apiKeys(cooperativeId: string): Promise<ApiKeyRecord[]> {
      return sql.all<ApiKeyRecord>(q.keys, [cooperativeId]);
    },

    async revokeApiKey(cooperativeId: string, keyId: string, now = Date.now()): Promise<boolean> {
      return (await sql.run(q.revokeKey, [now, keyId, cooperativeId])).changes > 0;
    },

    /** The principal of a valid, unrevoked key: a user-shaped record with the key's role. */
    async userForApiKey(key: string, now = Date.now()): Promise<User | undefined> {
      const row = await sql.one<{ id: string; cooperativeId: string; name: string; role: ApiKeyRole; lastUsedAt: number | null }>(q.keyByHash, [sha256(key)]);
      if (!row) return undefined;
      if (row.lastUsedAt === null || now - row.lastUsedAt > LAST_USED_RESOLUTION_MS) await sql.run(q.touchKey, [now, row.id]);
      return { id: row.id, cooperativeId: row.cooperativeId, username: `api-key:${row.name}`, displayName: row.name, role: row.role, language: 'en', farmIds: [] };
    },
  };
}
