// Fan-out of one alert change into outbox rows: one per subscribed recipient and channel, in the
// recipient's language, plus one MQTT message per farm for farmer apps. Decides, at enqueue time:
// - quiet hours (person channels: SMS, Zalo, e-mail): a non-critical message waits for the end of the
//   recipient's quiet hours (Asia/Ho_Chi_Minh); a critical alert goes at once (issue 7);
// - the rate limit: at most `max` messages per recipient and channel in a window, counted at the time the
//   message will go out; beyond that the alert is recorded as suppressed and listed in ONE digest sent at
//   the end of the window ("3 cảnh báo khác hôm nay"); critical alerts are never suppressed;
// - a 'resolved' change withdraws the same alert's messages still held for quiet hours (nobody needs to
//   wake up to an alert that is already over) and then says nothing about it either.
import type { AlertPlace, Contact, Recipient } from '../registry/contacts.js';
import type { Outbox } from './outbox.js';
import { renderDigest, renderEmail, renderMqtt, renderSms, renderWebhook, renderZalo, summaryLine, type RenderInput } from './notification-render.js';
import { quietUntil, windowStart } from './notification-schedule.js';
import type { AlertChange, AlertEventName, Channel, NotificationMessage, Severity } from './notification-types.js';

export interface PlannerOptions {
  /** Channels that are configured; the others are never enqueued. */
  readonly channels: ReadonlySet<Channel>;
  /** Gateway-wide unaccented SMS (SMS_UNACCENTED); a contact may also ask for it. */
  readonly smsUnaccented: boolean;
  /** How long a message keeps being retried after it was first due. */
  readonly ttlMs: number;
  readonly rateLimit: { readonly max: number; readonly windowMs: number };
}

/** The registry's answers the planner needs (core/registry/contacts.ts). */
export interface PlannerDirectory {
  alertPlace(ref: { fieldId?: string | null; farmId?: string | null; deviceId?: string | null }): Promise<AlertPlace | undefined>;
  notificationRecipients(place: AlertPlace, severity: Severity, event: AlertEventName): Promise<Recipient[]>;
}

export interface PlanResult {
  place: AlertPlace | undefined;
  /** Channel of every row inserted, by status. */
  queued: Channel[];
  suppressed: Channel[];
  /** Held messages withdrawn because the alert resolved. */
  superseded: number;
}

const PERSON_CHANNELS: ReadonlySet<Channel> = new Set(['sms', 'zalo', 'email']);

/** The contact's address on each channel it may receive (Zalo only with consent, ZNS rule). */
function addresses(contact: Contact): [Channel, string][] {
  const out: [Channel, string][] = [];
  if (contact.phone) out.push(['sms', contact.phone]);
  const zalo = contact.zaloPhone ?? contact.phone;
  if (zalo && contact.zaloConsentAt !== null) out.push(['zalo', zalo]);
  if (contact.email) out.push(['email', contact.email]);
  if (contact.webhookUrl) out.push(['webhook', contact.webhookUrl]);
  return out;
}

export function createPlanner(deps: { outbox: Outbox; directory: PlannerDirectory; options: PlannerOptions; now: () => number }) {
  const { outbox, options } = deps;

  function render(input: RenderInput, contact: Contact, channel: Channel, address: string): NotificationMessage {
    switch (channel) {
      case 'sms': return renderSms(input, address, options.smsUnaccented || contact.smsUnaccented);
      case 'zalo': return renderZalo(input, address);
      case 'email': return renderEmail(input, address);
      case 'webhook': return renderWebhook(input, address, contact.id);
      case 'mqtt': throw new Error('mqtt is per farm, not per contact');
    }
  }

  async function digest(contact: Contact, channel: Channel, address: string, start: number, severity: Severity, now: number): Promise<void> {
    const summaries = await outbox.suppressedSummaries(contact.id, channel, start);
    const end = start + options.rateLimit.windowMs;
    const notBefore = quietUntil(end, contact.quietHours) ?? end;
    const key = `digest:${contact.id}:${channel}:${start}`;
    const target = channel === 'sms' ? { channel, to: address, plain: options.smsUnaccented || contact.smsUnaccented } as const
      : channel === 'zalo' ? { channel, phone: address } as const : { channel: 'email', to: address } as const;
    const message = renderDigest(target, key, summaries, contact.language, severity, notBefore);
    await outbox.upsertDigest({
      key, cooperativeId: contact.cooperativeId, recipient: contact.id, recipientName: contact.name, channel, severity,
      summary: summaries.join('; '), message, holdReason: 'rate_limit', windowStart: start, digestCount: summaries.length,
      createdAt: now, notBefore, expiresAt: notBefore + options.ttlMs,
    });
  }

  async function planRecipient(change: AlertChange, place: AlertPlace, r: Recipient, base: string, result: PlanResult, now: number): Promise<void> {
    const { alert, event } = change;
    const { contact } = r;
    for (const [channel, address] of addresses(contact)) {
      if (!options.channels.has(channel) || (r.channels && !r.channels.has(channel))) continue;
      if (event === 'resolved') {
        const withdrawn = await outbox.supersedeHeld(alert.id, contact.id, channel, now);
        result.superseded += withdrawn;
        if (withdrawn > 0) continue;
      }
      const input: RenderInput = { change, place, language: contact.language, key: `${base}:${contact.id}:${channel}` };
      const person = PERSON_CHANNELS.has(channel);
      const critical = alert.severity === 'critical';
      const held = person && !critical ? quietUntil(now, contact.quietHours) : undefined;
      const notBefore = held ?? now;
      const start = person ? windowStart(notBefore, options.rateLimit.windowMs) : null;
      const over = start !== null && !critical && (await outbox.countInWindow(contact.id, channel, start)) >= options.rateLimit.max;
      const inserted = await outbox.insert({
        key: input.key, kind: 'alert', alertId: alert.id, event, cooperativeId: place.cooperativeId, farmId: place.farmId,
        recipient: contact.id, recipientName: contact.name, channel, severity: alert.severity, summary: summaryLine(input),
        message: render(input, contact, channel, address), status: over ? 'suppressed' : 'pending',
        holdReason: over ? 'rate_limit' : held !== undefined ? 'quiet_hours' : null, windowStart: start,
        createdAt: now, notBefore, expiresAt: notBefore + options.ttlMs,
      });
      if (!inserted) continue;
      if (over) {
        result.suppressed.push(channel);
        await digest(contact, channel, address, start, alert.severity, now);
      } else result.queued.push(channel);
    }
  }

  async function planNow(change: AlertChange): Promise<PlanResult> {
    const now = deps.now();
    const { alert, event } = change;
    const place = await deps.directory.alertPlace(alert);
    const result: PlanResult = { place, queued: [], suppressed: [], superseded: 0 };
    if (!place) return result;
    // Idempotency key per (alert, event, recipient, channel); `seq` separates repeated escalations.
    const base = `${alert.id}:${event}${change.seq !== undefined ? `#${change.seq}` : ''}`;
    if (options.channels.has('mqtt')) {
      const key = `${base}:farm:${place.farmId}:mqtt`;
      const inserted = await outbox.insert({
        key, kind: 'alert', alertId: alert.id, event, cooperativeId: place.cooperativeId, farmId: place.farmId,
        recipient: `farm:${place.farmId}`, recipientName: place.farmName, channel: 'mqtt', severity: alert.severity,
        summary: summaryLine({ change, place, language: 'vi', key }), message: renderMqtt(change, place, key), status: 'pending',
        holdReason: null, windowStart: null, createdAt: now, notBefore: now, expiresAt: now + options.ttlMs,
      });
      if (inserted) result.queued.push('mqtt');
    }
    for (const r of await deps.directory.notificationRecipients(place, alert.severity, event)) await planRecipient(change, place, r, base, result, now);
    return result;
  }

  return {
    /**
     * Enqueues every message the change calls for, in one transaction (core/db/sql.ts). The transaction only
     * writes rows; PostgreSQL may run it again after a serialization failure, each run deciding afresh.
     */
    plan: (change: AlertChange): Promise<PlanResult> => outbox.sql.tx(() => planNow(change)),
  };
}

export type Planner = ReturnType<typeof createPlanner>;
