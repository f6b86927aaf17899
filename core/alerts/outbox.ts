// The notification outbox (migration 6): every notification is a row BEFORE it is sent, keyed by an
// idempotency key per (alert, event, recipient, channel) so the same decision is never enqueued twice.
// A send is claimed (pending → sending, attempts + 1) in one transaction and completed (sending → sent)
// in one UPDATE; a process that dies in between leaves the row 'sending', and recover() returns it to
// 'pending' at the next start: at-least-once towards the peer, which receives the same key again
// (Message-ID, X-Ruong-Delivery, ZNS tracking_id, payload id) and can drop the duplicate.
import type { Database } from 'better-sqlite3';
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

export function createOutbox(db: Database) {
  const stmt = {
    insert: db.prepare(
      `INSERT INTO notification_outbox (idem_key, kind, alert_id, event, cooperative_id, farm_id, recipient, recipient_name, channel, severity,
         summary, message, status, hold_reason, window_start, digest_count, created_at, not_before, expires_at)
       VALUES (@key, @kind, @alertId, @event, @cooperativeId, @farmId, @recipient, @recipientName, @channel, @severity,
         @summary, @message, @status, @holdReason, @windowStart, @digestCount, @createdAt, @notBefore, @expiresAt)
       ON CONFLICT(idem_key) DO NOTHING`,
    ),
    upsertDigest: db.prepare(
      `INSERT INTO notification_outbox (idem_key, kind, alert_id, event, cooperative_id, farm_id, recipient, recipient_name, channel, severity,
         summary, message, status, hold_reason, window_start, digest_count, created_at, not_before, expires_at)
       VALUES (@key, 'digest', NULL, NULL, @cooperativeId, NULL, @recipient, @recipientName, @channel, @severity,
         @summary, @message, 'pending', @holdReason, @windowStart, @digestCount, @createdAt, @notBefore, @expiresAt)
       ON CONFLICT(idem_key) DO UPDATE SET message = excluded.message, summary = excluded.summary, digest_count = excluded.digest_count
       WHERE status = 'pending'`,
    ),
    countInWindow: db.prepare(
      `SELECT count(*) AS n FROM notification_outbox
        WHERE recipient = ? AND channel = ? AND window_start = ? AND kind = 'alert' AND status NOT IN ('suppressed', 'superseded')`,
    ),
    suppressed: db.prepare(
      `SELECT summary FROM notification_outbox WHERE recipient = ? AND channel = ? AND window_start = ? AND status = 'suppressed' ORDER BY id`,
    ),
    supersede: db.prepare(
      `UPDATE notification_outbox SET status = 'superseded' WHERE alert_id = ? AND recipient = ? AND channel = ?
          AND status = 'pending' AND attempts = 0 AND not_before > ?`,
    ),
    recover: db.prepare(`UPDATE notification_outbox SET status = 'pending' WHERE status = 'sending'`),
    // Oldest due rows first, at most `room[channel]` per channel: a hung peer cannot hold up another channel.
    due: db.prepare(
      `SELECT id, key, channel, message, attempts, expiresAt FROM (
         SELECT id, idem_key AS key, channel, message, attempts, expires_at AS expiresAt, not_before,
                ROW_NUMBER() OVER (PARTITION BY channel ORDER BY not_before, id) AS rn
           FROM notification_outbox WHERE status = 'pending' AND not_before <= @now AND expires_at > @now)
        WHERE rn <= coalesce(json_extract(@room, '$.' || channel), 0) ORDER BY not_before, id`,
    ),
    claim: db.prepare(`UPDATE notification_outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ? AND status = 'pending'`),
    expire: db.prepare(`UPDATE notification_outbox SET status = 'expired' WHERE status = 'pending' AND expires_at <= ? RETURNING channel`),
    sent: db.prepare(`UPDATE notification_outbox SET status = 'sent', sent_at = ?, last_error = NULL, hold_reason = NULL WHERE id = ? AND status = 'sending'`),
    retry: db.prepare(`UPDATE notification_outbox SET status = 'pending', not_before = ?, hold_reason = 'retry', last_error = ? WHERE id = ? AND status = 'sending'`),
    finish: db.prepare(`UPDATE notification_outbox SET status = ?, last_error = ? WHERE id = ? AND status = 'sending'`),
    nextDue: db.prepare(`SELECT min(not_before) AS t FROM notification_outbox WHERE status = 'pending'`),
    pending: db.prepare(`SELECT channel, count(*) AS n FROM notification_outbox WHERE status IN ('pending', 'sending') GROUP BY channel`),
    byAlert: db.prepare(
      `SELECT id, kind, event, channel, recipient, recipient_name AS recipientName, message, status, hold_reason AS holdReason, attempts,
              created_at AS createdAt, not_before AS notBefore, sent_at AS sentAt, last_error AS lastError, farm_id AS farmId
         FROM notification_outbox WHERE alert_id = ? AND cooperative_id = ? ORDER BY id`,
    ),
  };

  const claimDue = db.transaction((now: number, room: Readonly<Partial<Record<Channel, number>>>): ClaimedEntry[] => {
    const rows = stmt.due.all({ now, room: JSON.stringify(room) }) as ClaimedEntry[];
    for (const row of rows) stmt.claim.run(row.id);
    return rows.map((r) => ({ ...r, attempts: r.attempts + 1 }));
  });

  return {
    db,
    /** Inserts the entry unless its key exists; true when inserted. */
    insert(entry: NewOutboxEntry): boolean {
      return stmt.insert.run({ ...entry, message: JSON.stringify(entry.message), digestCount: entry.digestCount ?? 0 }).changes > 0;
    },
    /** Creates or refreshes the pending digest of a window (no-op once it is being sent). */
    upsertDigest(entry: Omit<NewOutboxEntry, 'kind' | 'alertId' | 'event' | 'farmId' | 'status'> & { digestCount: number }): void {
      stmt.upsertDigest.run({ ...entry, message: JSON.stringify(entry.message) });
    },
    countInWindow(recipient: string, channel: Channel, start: number): number {
      return (stmt.countInWindow.get(recipient, channel, start) as { n: number }).n;
    },
    suppressedSummaries(recipient: string, channel: Channel, start: number): string[] {
      return (stmt.suppressed.all(recipient, channel, start) as { summary: string }[]).map((r) => r.summary);
    },
    /** Withdraws messages about the alert still held (quiet hours, never tried); returns how many. */
    supersedeHeld(alertId: string, recipient: string, channel: Channel, now: number): number {
      return stmt.supersede.run(alertId, recipient, channel, now).changes;
    },
    /** At start: sends interrupted by a crash become pending again. */
    recover(): number {
      return stmt.recover.run().changes;
    },
    /** Claims due rows (pending → sending), at most room[channel] of each channel. */
    claimDue: (now: number, room: Readonly<Partial<Record<Channel, number>>>) => claimDue.immediate(now, room),
    /** Pending entries past their expiry become 'expired'; returns their channels. */
    expireDue(now: number): Channel[] {
      return (stmt.expire.all(now) as { channel: Channel }[]).map((r) => r.channel);
    },
    markSent(id: number, now: number): boolean {
      return stmt.sent.run(now, id).changes > 0;
    },
    markRetry(id: number, notBefore: number, error: string): void {
      stmt.retry.run(notBefore, error.slice(0, 500), id);
    },
    markFinal(id: number, status: 'failed' | 'expired', error: string): void {
      stmt.finish.run(status, error.slice(0, 500), id);
    },
    nextDue(): number | undefined {
      return (stmt.nextDue.get() as { t: number | null }).t ?? undefined;
    },
    pendingByChannel(): { channel: Channel; n: number }[] {
      return stmt.pending.all() as { channel: Channel; n: number }[];
    },
    /** Delivery status per recipient and channel of one alert, scoped to a cooperative (and a farmer's farms). */
    deliveries(alertId: string, scope: { cooperativeId: string; farmIds?: readonly string[] | undefined }): Delivery[] {
      const rows = stmt.byAlert.all(alertId, scope.cooperativeId) as (Omit<Delivery, 'recipient' | 'address'> & { recipient: string; recipientName: string; message: string; farmId: string | null })[];
      return rows
        .filter((r) => !scope.farmIds || (r.farmId !== null && scope.farmIds.includes(r.farmId)))
        .map(({ recipient, recipientName, message, farmId: _farm, ...r }) => ({
          ...r, recipient: { id: recipient, name: recipientName }, address: addressOf(message),
        }));
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
