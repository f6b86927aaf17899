// The device credential change feed (registry migration 7): revocations and secret rotations, in order,
// written by triggers. Brokers poll it to close sessions opened with a credential that is no longer valid.
import type { Database } from 'better-sqlite3';

export interface CredentialChange {
  readonly seq: number;
  readonly deviceId: string;
  readonly change: 'revoked' | 'rotated';
  readonly at: number;
}

export interface CredentialChanges {
  /** The newest change's seq (0 when there is none): a new watcher starts after it. */
  lastCredentialChange(): number;
  /** Changes after `seq`, oldest first, at most `limit`. */
  credentialChangesAfter(seq: number, limit?: number): CredentialChange[];
  /** Drops changes older than `before` (ms); returns how many. */
  pruneCredentialChanges(before: number): number;
}

export function createCredentialChanges(db: Database): CredentialChanges {
  const last = db.prepare('SELECT COALESCE(MAX(seq), 0) AS seq FROM device_credential_changes');
  const after = db.prepare('SELECT seq, device_id AS deviceId, change, at FROM device_credential_changes WHERE seq > ? ORDER BY seq LIMIT ?');
  const prune = db.prepare('DELETE FROM device_credential_changes WHERE at < ?');
  return {
    lastCredentialChange: () => (last.get() as { seq: number }).seq,
    credentialChangesAfter: (seq, limit = 1000) => after.all(seq, limit) as CredentialChange[],
    pruneCredentialChanges: (before) => prune.run(before).changes,
  };
}
