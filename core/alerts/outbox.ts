// The notification outbox (migration 6): every notification is a row BEFORE it is sent, keyed by an
// idempotency key per (alert, event, recipient, channel) so the same decision is never enqueued twice.
// A send is claimed (pending → sending, attempts + 1) in one transaction and completed (sending → sent)
// in one UPDATE; a process that dies in between leaves the row 'sending', and recover() returns it to
// 'pending' at the next start: at-least-once towards the peer, which receives the same key again
// (Message-ID, X-Ruong-Delivery, ZNS tracking_id, payload id) and can drop the duplicate.
// Several dispatchers (processes) may share one outbox: a row is claimed by exactly one of them — on PostgreSQL
// each claim locks its rows (FOR UPDATE SKIP LOCKED: a row another dispatcher is claiming is skipped, not
// waited for), on SQLite the claim runs in one write transaction. SQL both engines read alike (core/db/sql.ts).
import type { Sql } from '../db/sql.js';
import { NotificationMessage, type Channel, type Severity } from './notification-types.js';

export type DeliveryStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'expired' | 'suppressed' | 'superseded';
export type HoldReason = 'quiet_hours' | 'rate_limit' | 'retry';

export interface NewOutboxEntry {
  readonly key: string;
  readonly kind: 'alert' | 'digest';
  readonly alertId: string | null;
  readonly event: string | null;
  readonly cooperativeId: string;
  readonly farmId: string | null;
  readonly recipient: string;
  readonly recipientName: string;
  readonly channel: Channel;
  readonly severity: Severity;
  readonly summary: string;
  readonly message: NotificationMessage;
  readonly status: 'pending' | 'suppressed';
  readonly holdReason: HoldReason | null;
  readonly windowStart: number | null;
  readonly digestCount?: number;
  readonly createdAt: number;
  readonly notBefore: number;
  readonly expiresAt: number;
}

export interface ClaimedEntry {
  readonly id: number;
  readonly key: string;
  readonly channel: Channel;
  readonly message: string;
  readonly attempts: number;
  readonly expiresAt: number;
}

export interface Delivery {
  readonly id: number;
  readonly kind: 'alert' | 'digest';
  readonly event: string | null;
  readonly channel: Channel;
  readonly recipient: { readonly id: string; readonly name: string };
  readonly address: string;
  readonly status: DeliveryStatus;
  readonly holdReason: HoldReason | null;
  readonly attempts: number;
  readonly createdAt: number;
  readonly notBefore: number;
  readonly sentAt: number | null;
  readonly lastError: string | null;
}

/** What the deliveries view shows of an address: enough to recognise it, not enough to harvest it. */
export function maskAddress(message: NotificationMessage): string {
  switch (message.channel) {
    case 'sms': return `${message.to.slice(0, 4)}•••${message.to.slice(-3)}`;
    case 'zalo': return `${message.phone.slice(0, 4)}•••${message.phone.slice(-3)}`;
    case 'email': return message.to.replace(/^(.).*(@.*)$/, '$1•••$2');
    case 'webhook': return URL.canParse(message.url) ? new URL(message.url).origin : '•••';
    case 'mqtt': return message.topic;
  }
}

function addressOf(json: string): string {
  const parsed = NotificationMessage.safeParse(JSON.parse(json));
  return parsed.success ? maskAddress(parsed.data) : '•••';
}

const CHANNELS: readonly Channel[] = ['sms', 'zalo', 'email', 'webhook', 'mqtt'];

const INSERT_COLUMNS = `idem_key, kind, alert_id, event, cooperative_id, farm_id, recipient, recipient_name, channel, severity,
  summary, message, status, hold_reason, window_start, digest_count, created_at, not_before, expires_at`;

const Q = {
  insert: `INSERT INTO notification_outbox (${INSERT_COLUMNS})
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (idem_key) DO NOTHING`,
  upsertDigest: `INSERT INTO notification_outbox (${INSERT_COLUMNS})
                 VALUES (?, 'digest', NULL, NULL, ?, NULL, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (idem_key) DO UPDATE SET message = excluded.message, summary = excluded.summary, digest_count = excluded.digest_count
                   WHERE notification_outbox.status = 'pending'`,
  countInWindow: `SELECT count(*) AS n FROM notification_outbox
                   WHERE recipient = ? AND channel = ? AND window_start = ? AND kind = 'alert' AND status NOT IN ('suppressed', 'superseded')`,
  suppressed: `SELECT summary FROM notification_outbox WHERE recipient = ? AND channel = ? AND window_start = ? AND status = 'suppressed' ORDER BY id`,
  supersede: `UPDATE notification_outbox SET status = 'superseded' WHERE alert_id = ? AND recipient = ? AND channel = ?
                AND status = 'pending' AND attempts = 0 AND not_before > ?`,
  recover: `UPDATE notification_outbox SET status = 'pending' WHERE status = 'sending'`,
  // SQLite: oldest due rows first, at most room[channel] per channel (a hung peer cannot hold up another channel),
  // read and claimed in one write transaction.
  due: `SELECT id, key, channel, message, attempts, "expiresAt" FROM (
          SELECT id, idem_key AS key, channel, message, attempts, expires_at AS "expiresAt", not_before,
                 ROW_NUMBER() OVER (PARTITION BY channel ORDER BY not_before, id) AS rn
            FROM notification_outbox WHERE status = 'pending' AND not_before <= ? AND expires_at > ?) due
         WHERE rn <= CASE channel WHEN 'sms' THEN ? WHEN 'zalo' THEN ? WHEN 'email' THEN ? WHEN 'webhook' THEN ? WHEN 'mqtt' THEN ? ELSE 0 END
         ORDER BY not_before, id`,
  claim: `UPDATE notification_outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'`,
  // PostgreSQL: one channel's oldest due rows, locked and claimed in one statement; rows another dispatcher holds
  // locked are skipped. The locking SELECT is a MATERIALIZED CTE, run once: as `id IN (subquery)` the planner may
  // run the subquery again per row, each run locking rows the previous ones skipped, and claim more than LIMIT.
  // RETURNING gives the attempts after the claim.
  claimChannel: `WITH due AS MATERIALIZED (
                   SELECT id FROM notification_outbox
                    WHERE status = 'pending' AND channel = ? AND not_before <= ? AND expires_at > ?
                    ORDER BY not_before, id LIMIT ? FOR UPDATE SKIP LOCKED)
                 UPDATE notification_outbox o SET status = 'sending', attempts = o.attempts + 1
                   FROM due WHERE o.id = due.id AND o.status = 'pending'
                 RETURNING o.id, o.idem_key AS key, o.channel, o.message, o.attempts, o.expires_at AS "expiresAt", o.not_before AS "notBefore"`,
  expire: `UPDATE notification_outbox SET status = 'expired' WHERE status = 'pending' AND expires_at <= ? RETURNING channel`,
  sent: `UPDATE notification_outbox SET status = 'sent', sent_at = ?, last_error = NULL, hold_reason = NULL WHERE id = ? AND status = 'sending'`,
  retry: `UPDATE notification_outbox SET status = 'pending', not_before = ?, hold_reason = 'retry', last_error = ? WHERE id = ? AND status = 'sending'`,
  finish: `UPDATE notification_outbox SET status = ?, last_error = ? WHERE id = ? AND status = 'sending'`,
  nextDue: `SELECT min(not_before) AS t FROM notification_outbox WHERE status = 'pending'`,
  pending: `SELECT channel, count(*) AS n FROM notification_outbox WHERE status IN ('pending', 'sending') GROUP BY channel ORDER BY channel`,
  byAlert: `SELECT id, kind, event, channel, recipient, recipient_name AS "recipientName", message, status, hold_reason AS "holdReason", attempts,
                   created_at AS "createdAt", not_before AS "notBefore", sent_at AS "sentAt", last_error AS "lastError", farm_id AS "farmId"
              FROM notification_outbox WHERE alert_id = ? AND cooperative_id = ? ORDER BY id`,
} as const;

type ClaimedRow = ClaimedEntry & { notBefore?: number };

const claimed = (r: ClaimedRow, attempts: number): ClaimedEntry => ({
  id: Number(r.id), key: r.key, channel: r.channel, message: r.message, attempts, expiresAt: Number(r.expiresAt),
});

export function createOutbox(sql: Sql) {
  /** SQLite: the due rows, then each claimed, in one write transaction (one writer at a time). */
  function claimInTransaction(now: number, room: Readonly<Partial<Record<Channel, number>>>): Promise<ClaimedEntry[]> {
    return sql.tx(async () => {
      const rows = await sql.all<ClaimedRow>(Q.due, [now, now, ...CHANNELS.map((c) => Math.max(0, room[c] ?? 0))]);
      const out: ClaimedEntry[] = [];
      for (const row of rows) {
        if ((await sql.run(Q.claim, [row.id])).changes > 0) out.push(claimed(row, Number(row.attempts) + 1));
      }
      return out;
    });
  }

  /** PostgreSQL: per channel, one UPDATE of the rows it locked (SKIP LOCKED); the oldest first overall. */
  async function claimLocked(now: number, room: Readonly<Partial<Record<Channel, number>>>): Promise<ClaimedEntry[]> {
    const rows: ClaimedRow[] = [];
    for (const channel of CHANNELS) {
      const limit = Math.floor(room[channel] ?? 0);
      if (limit > 0) rows.push(...(await sql.all<ClaimedRow>(Q.claimChannel, [channel, now, now, limit])));
    }
    rows.sort((a, b) => Number(a.notBefore) - Number(b.notBefore) || Number(a.id) - Number(b.id));
    return rows.map((r) => claimed(r, Number(r.attempts)));
  }

  return {
    sql,
    /** Inserts the entry unless its key exists; true when inserted. */
    async insert(entry: NewOutboxEntry): Promise<boolean> {
      const { changes } = await sql.run(Q.insert, [
        entry.key, entry.kind, entry.alertId, entry.event, entry.cooperativeId, entry.farmId, entry.recipient, entry.recipientName,
        entry.channel, entry.severity, entry.summary, JSON.stringify(entry.message), entry.status, entry.holdReason, entry.windowStart,
        entry.digestCount ?? 0, entry.createdAt, entry.notBefore, entry.expiresAt,
      ]);
      return changes > 0;
    },
    /** Creates or refreshes the pending digest of a window (no-op once it is being sent). */
    async upsertDigest(entry: Omit<NewOutboxEntry, 'kind' | 'alertId' | 'event' | 'farmId' | 'status'> & { digestCount: number }): Promise<void> {
      await sql.run(Q.upsertDigest, [
        entry.key, entry.cooperativeId, entry.recipient, entry.recipientName, entry.channel, entry.severity, entry.summary,
        JSON.stringify(entry.message), entry.holdReason, entry.windowStart, entry.digestCount, entry.createdAt, entry.notBefore, entry.expiresAt,
      ]);
    },
    async countInWindow(recipient: string, channel: Channel, start: number): Promise<number> {
      const row = await sql.one<{ n: number }>(Q.countInWindow, [recipient, channel, start]);
      return Number(row?.n ?? 0);
    },
    async suppressedSummaries(recipient: string, channel: Channel, start: number): Promise<string[]> {
      return (await sql.all<{ summary: string }>(Q.suppressed, [recipient, channel, start])).map((r) => r.summary);
    },
    /** Withdraws messages about the alert still held (quiet hours, never tried); returns how many. */
    async supersedeHeld(alertId: string, recipient: string, channel: Channel, now: number): Promise<number> {
      return (await sql.run(Q.supersede, [alertId, recipient, channel, now])).changes;
    },
    /** At start: sends interrupted by a crash become pending again. */
    async recover(): Promise<number> {
      return (await sql.run(Q.recover)).changes;
    },
    /** Claims due rows (pending → sending, attempts + 1), at most room[channel] of each channel, oldest first. */
    claimDue(now: number, room: Readonly<Partial<Record<Channel, number>>>): Promise<ClaimedEntry[]> {
      return sql.dialect === 'postgres' ? claimLocked(now, room) : claimInTransaction(now, room);
    },
    /** Pending entries past their expiry become 'expired'; returns their channels. */
    async expireDue(now: number): Promise<Channel[]> {
      return (await sql.all<{ channel: Channel }>(Q.expire, [now])).map((r) => r.channel);
    },
    async markSent(id: number, now: number): Promise<boolean> {
      return (await sql.run(Q.sent, [now, id])).changes > 0;
    },
    async markRetry(id: number, notBefore: number, error: string): Promise<void> {
      await sql.run(Q.retry, [notBefore, error.slice(0, 500), id]);
    },
    async markFinal(id: number, status: 'failed' | 'expired', error: string): Promise<void> {
      await sql.run(Q.finish, [status, error.slice(0, 500), id]);
    },
    async nextDue(): Promise<number | undefined> {
      const t = (await sql.one<{ t: number | null }>(Q.nextDue))?.t;
      return t === null || t === undefined ? undefined : Number(t);
    },
    async pendingByChannel(): Promise<{ channel: Channel; n: number }[]> {
      return (await sql.all<{ channel: Channel; n: number }>(Q.pending)).map((r) => ({ channel: r.channel, n: Number(r.n) }));
    },
    /** Delivery status per recipient and channel of one alert, scoped to a cooperative (and a farmer's farms). */
    async deliveries(alertId: string, scope: { cooperativeId: string; farmIds?: readonly string[] | undefined }): Promise<Delivery[]> {
      const rows = await sql.all<Omit<Delivery, 'recipient' | 'address'> & { recipient: string; recipientName: string; message: string; farmId: string | null }>(
        Q.byAlert, [alertId, scope.cooperativeId],
      );
      return rows
        .filter((r) => !scope.farmIds || (r.farmId !== null && scope.farmIds.includes(r.farmId)))
        .map(({ recipient, recipientName, message, farmId: _farm, ...r }) => ({
          ...r, recipient: { id: recipient, name: recipientName }, address: addressOf(message),
        }));
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
