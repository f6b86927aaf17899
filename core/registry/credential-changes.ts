// The device credential change feed (registry migration 7): revocations and secret rotations, in order,
// written by triggers. Brokers poll it to close sessions opened with a credential that is no longer valid.
import type { Sql } from '../db/sql.js';

export interface CredentialChange {
  readonly seq: number;
  readonly deviceId: string;
  readonly change: 'revoked' | 'rotated';
  readonly at: number;
}

export interface CredentialChanges {
  /** The newest change's seq (0 when there is none): a new watcher starts after it. */
  lastCredentialChange(): Promise<number>;
  /** Changes after `seq`, oldest first, at most `limit`. */
  credentialChangesAfter(seq: number, limit?: number): Promise<CredentialChange[]>;
  /** Drops changes older than `before` (ms); returns how many. */
  pruneCredentialChanges(before: number): Promise<number>;
}

export function createCredentialChanges(sql: Sql): CredentialChanges {
  return {
    async lastCredentialChange() {
      const row = await sql.one<{ seq: number }>('SELECT COALESCE(MAX(seq), 0) AS seq FROM device_credential_changes');
      return Number(row?.seq ?? 0);
    },
    credentialChangesAfter: (seq, limit = 1000) => sql.all<CredentialChange>(
      'SELECT seq, device_id AS "deviceId", change, at FROM device_credential_changes WHERE seq > ? ORDER BY seq LIMIT ?',
      [seq, limit],
    ),
    async pruneCredentialChanges(before) {
      return (await sql.run('DELETE FROM device_credential_changes WHERE at < ?', [before])).changes;
    },
  };
}
