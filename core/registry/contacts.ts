// Contacts (farmers, technicians, integrations) and their alert subscriptions (migration 6). Every read
// and write that serves a user takes the caller's cooperative id: another tenant's contact is not found.
import type { Database } from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { RuongError } from '../errors.js';
import { AlertEventName, Channel, Language, Severity } from '../alerts/notification-types.js';

export const ContactRole = z.enum(['farmer', 'technician', 'integration']);
export type ContactRole = z.infer<typeof ContactRole>;

/** A phone number in E.164; Vietnamese national forms (0912 345 678, 84912345678) are normalised to +84…. */
export const PhoneNumber = z
  .string()
  .transform((s) => s.replace(/[\s.()-]/g, ''))
  .transform((s) => (s.startsWith('+') ? s : s.startsWith('84') && s.length >= 11 ? `+${s}` : s.startsWith('0') ? `+84${s.slice(1)}` : s))
  .pipe(z.string().regex(/^\+[1-9]\d{7,14}$/, 'must be a phone number, e.g. +84912345678 or 0912345678'));

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be HH:MM (24 h)');
/** Local (Asia/Ho_Chi_Minh) time span in which non-critical messages wait; may span midnight. */
export const QuietHours = z.object({ start: HhMm, end: HhMm }).refine((q) => q.start !== q.end, 'start and end must differ');
export type QuietHours = z.infer<typeof QuietHours>;

export interface Contact {
  readonly id: string;
  readonly cooperativeId: string;
  readonly name: string;
  readonly role: ContactRole;
  readonly language: Language;
  readonly phone: string | null;
  readonly smsUnaccented: boolean;
  readonly zaloPhone: string | null;
  /** When the contact agreed to Zalo messages (ZNS requires consent); null = no consent. */
  readonly zaloConsentAt: number | null;
  readonly email: string | null;
  readonly webhookUrl: string | null;
  readonly quietHours: QuietHours | null;
}

export type ContactInput = Partial<Omit<Contact, 'id' | 'cooperativeId' | 'zaloConsentAt'>> & { readonly zaloConsent?: boolean | undefined };

export interface Subscription {
  readonly id: string;
  readonly contactId: string;
  readonly farmId: string | null;
  readonly fieldId: string | null;
  readonly severities: readonly Severity[];
  /** null = every channel the contact has an address for. */
  readonly channels: readonly Channel[] | null;
  readonly events: readonly AlertEventName[];
}

export type SubscriptionInput = Omit<Subscription, 'id' | 'contactId'>;

/** Where an alert belongs, with the names a message shows. */
export interface AlertPlace {
  readonly cooperativeId: string;
  readonly farmId: string;
  readonly farmName: string;
  readonly fieldId: string | null;
  readonly fieldName: string | null;
}

export interface Recipient {
  readonly contact: Contact;
  /** Union of the matching subscriptions' channels; null = all of the contact's channels. */
  readonly channels: ReadonlySet<Channel> | null;
}

interface ContactRow {
  id: string; cooperative_id: string; name: string; role: ContactRole; language: Language; phone: string | null;
  sms_unaccented: number; zalo_phone: string | null; zalo_consent_at: number | null; email: string | null;
  webhook_url: string | null; quiet_start: string | null; quiet_end: string | null;
}

function toContact(r: ContactRow): Contact {
  return {
    id: r.id, cooperativeId: r.cooperative_id, name: r.name, role: r.role, language: r.language, phone: r.phone,
    smsUnaccented: r.sms_unaccented === 1, zaloPhone: r.zalo_phone, zaloConsentAt: r.zalo_consent_at, email: r.email,
    webhookUrl: r.webhook_url, quietHours: r.quiet_start && r.quiet_end ? { start: r.quiet_start, end: r.quiet_end } : null,
  };
}

interface SubscriptionRow { id: string; contact_id: string; farm_id: string | null; field_id: string | null; severities: string; channels: string | null; events: string }

const list = <T extends string>(csv: string) => csv.split(',').filter(Boolean) as T[];

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id, contactId: r.contact_id, farmId: r.farm_id, fieldId: r.field_id, severities: list<Severity>(r.severities),
    channels: r.channels === null ? null : list<Channel>(r.channels), events: list<AlertEventName>(r.events),
  };
}

export function createContacts(db: Database) {
  const stmt = {
    insert: db.prepare(
      `INSERT INTO contacts (id, cooperative_id, name, role, language, phone, sms_unaccented, zalo_phone, zalo_consent_at, email,
         webhook_url, quiet_start, quiet_end, created_at, updated_at)
       VALUES (@id, @cooperative_id, @name, @role, @language, @phone, @sms_unaccented, @zalo_phone, @zalo_consent_at, @email,
         @webhook_url, @quiet_start, @quiet_end, @now, @now)`,
    ),
    update: db.prepare(
      `UPDATE contacts SET name = @name, role = @role, language = @language, phone = @phone, sms_unaccented = @sms_unaccented,
         zalo_phone = @zalo_phone, zalo_consent_at = @zalo_consent_at, email = @email, webhook_url = @webhook_url,
         quiet_start = @quiet_start, quiet_end = @quiet_end, updated_at = @now WHERE id = @id AND cooperative_id = @cooperative_id`,
    ),
    one: db.prepare('SELECT * FROM contacts WHERE id = ? AND cooperative_id = ?'),
    all: db.prepare('SELECT * FROM contacts WHERE cooperative_id = ? ORDER BY name, id'),
    remove: db.prepare('DELETE FROM contacts WHERE id = ? AND cooperative_id = ?'),
    subs: db.prepare('SELECT * FROM contact_subscriptions WHERE contact_id = ? ORDER BY created_at, id'),
    insertSub: db.prepare(
      `INSERT INTO contact_subscriptions (id, contact_id, farm_id, field_id, severities, channels, events, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    removeSub: db.prepare(
      `DELETE FROM contact_subscriptions WHERE id = ? AND contact_id IN (SELECT id FROM contacts WHERE id = ? AND cooperative_id = ?)`,
    ),
    farmOfCoop: db.prepare('SELECT id FROM farms WHERE id = ? AND cooperative_id = ?'),
    fieldOfCoop: db.prepare('SELECT f.id, f.farm_id AS farmId FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ? AND fa.cooperative_id = ?'),
    placeOfField: db.prepare(
      `SELECT fa.cooperative_id AS cooperativeId, fa.id AS farmId, fa.name AS farmName, f.id AS fieldId, f.name AS fieldName
         FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ?`,
    ),
    placeOfFarm: db.prepare('SELECT cooperative_id AS cooperativeId, id AS farmId, name AS farmName, NULL AS fieldId, NULL AS fieldName FROM farms WHERE id = ?'),
    fieldOfDevice: db.prepare('SELECT field_id AS fieldId FROM devices WHERE id = ?'),
    matching: db.prepare(
      `SELECT c.*, s.channels AS sub_channels FROM contacts c JOIN contact_subscriptions s ON s.contact_id = c.id
        WHERE c.cooperative_id = @cooperativeId
          AND (s.farm_id IS NULL OR s.farm_id = @farmId) AND (s.field_id IS NULL OR s.field_id = @fieldId)
          AND instr(',' || s.severities || ',', ',' || @severity || ',') > 0
          AND instr(',' || s.events || ',', ',' || @event || ',') > 0
       UNION ALL
       SELECT c.*, NULL AS sub_channels FROM contacts c
        WHERE @event = 'escalated' AND c.cooperative_id = @cooperativeId AND c.role = 'technician'
        ORDER BY id`,
    ),
  };

  function row(cooperativeId: string, id: string, c: ContactInput, consentAt: number | null, now: number) {
    return {
      id, cooperative_id: cooperativeId, name: c.name ?? '', role: c.role ?? 'farmer', language: c.language ?? 'vi',
      phone: c.phone ?? null, sms_unaccented: c.smsUnaccented ? 1 : 0, zalo_phone: c.zaloPhone ?? null, zalo_consent_at: consentAt,
      email: c.email ?? null, webhook_url: c.webhookUrl ?? null, quiet_start: c.quietHours?.start ?? null, quiet_end: c.quietHours?.end ?? null, now,
    };
  }

  function getContact(cooperativeId: string, id: string): Contact | undefined {
    const r = stmt.one.get(id, cooperativeId) as ContactRow | undefined;
    return r && toContact(r);
  }

  function alertPlace(ref: { fieldId?: string | null; farmId?: string | null; deviceId?: string | null }): AlertPlace | undefined {
    const fieldId = ref.fieldId ?? (ref.deviceId ? (stmt.fieldOfDevice.get(ref.deviceId) as { fieldId: string } | undefined)?.fieldId : undefined);
    if (fieldId) return stmt.placeOfField.get(fieldId) as AlertPlace | undefined;
    return ref.farmId ? (stmt.placeOfFarm.get(ref.farmId) as AlertPlace | undefined) : undefined;
  }

  return {
    createContact(cooperativeId: string, input: ContactInput & { name: string }, now = Date.now()): Contact {
      const id = `ct-${randomUUID().slice(0, 8)}`;
      stmt.insert.run(row(cooperativeId, id, input, input.zaloConsent ? now : null, now));
      return getContact(cooperativeId, id)!;
    },

    getContact,

    listContacts(cooperativeId: string): Contact[] {
      return (stmt.all.all(cooperativeId) as ContactRow[]).map(toContact);
    },

    /** Applies a partial update; undefined when the contact is not in the cooperative. */
    updateContact(cooperativeId: string, id: string, patch: ContactInput, now = Date.now()): Contact | undefined {
      const current = getContact(cooperativeId, id);
      if (!current) return undefined;
      const consentAt = patch.zaloConsent === undefined ? current.zaloConsentAt : patch.zaloConsent ? (current.zaloConsentAt ?? now) : null;
      const merged = Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, v]) => v !== undefined)) as ContactInput;
      stmt.update.run(row(cooperativeId, id, merged, consentAt, now));
      return getContact(cooperativeId, id);
    },

    deleteContact(cooperativeId: string, id: string): boolean {
      return stmt.remove.run(id, cooperativeId).changes > 0;
    },

    listSubscriptions(cooperativeId: string, contactId: string): Subscription[] | undefined {
      if (!getContact(cooperativeId, contactId)) return undefined;
      return (stmt.subs.all(contactId) as SubscriptionRow[]).map(toSubscription);
    },

    /** Adds a subscription; the farm and field must belong to the contact's cooperative (else NOT_FOUND). */
    addSubscription(cooperativeId: string, contactId: string, input: SubscriptionInput, now = Date.now()): Subscription {
      if (!getContact(cooperativeId, contactId)) throw new RuongError('NOT_FOUND', `contact ${contactId} not found`);
      if (input.farmId && !stmt.farmOfCoop.get(input.farmId, cooperativeId)) throw new RuongError('NOT_FOUND', `farm ${input.farmId} not found`);
      let farmId = input.farmId;
      if (input.fieldId) {
        const field = stmt.fieldOfCoop.get(input.fieldId, cooperativeId) as { farmId: string } | undefined;
        if (!field) throw new RuongError('NOT_FOUND', `field ${input.fieldId} not found`);
        if (farmId && farmId !== field.farmId) throw new RuongError('BAD_REQUEST', `field ${input.fieldId} is not on farm ${farmId}`);
        farmId = field.farmId;
      }
      const id = `sub-${randomUUID().slice(0, 8)}`;
      stmt.insertSub.run(id, contactId, farmId, input.fieldId, input.severities.join(','), input.channels?.join(',') ?? null, input.events.join(','), now);
      return { ...input, id, contactId, farmId };
    },

    deleteSubscription(cooperativeId: string, contactId: string, subscriptionId: string): boolean {
      return stmt.removeSub.run(subscriptionId, contactId, cooperativeId).changes > 0;
    },

    alertPlace,

    /**
     * Contacts whose subscriptions match the alert's place, severity and event, each once. An escalation
     * also goes to every technician contact of the cooperative (issue 5: escalate to the technicians).
     */
    notificationRecipients(place: AlertPlace, severity: Severity, event: AlertEventName): Recipient[] {
      const rows = stmt.matching.all({ cooperativeId: place.cooperativeId, farmId: place.farmId, fieldId: place.fieldId, severity, event }) as (ContactRow & { sub_channels: string | null })[];
      const byId = new Map<string, { contact: Contact; channels: Set<Channel> | null }>();
      for (const r of rows) {
        const entry = byId.get(r.id) ?? { contact: toContact(r), channels: new Set<Channel>() };
        if (r.sub_channels === null) entry.channels = null;
        else if (entry.channels) for (const ch of list<Channel>(r.sub_channels)) entry.channels.add(ch);
        byId.set(r.id, entry);
      }
      return [...byId.values()];
    },
  };
}

export type Contacts = ReturnType<typeof createContacts>;
