// Contacts (farmers, technicians, integrations) and their alert subscriptions (migration 6). Every read
// and write that serves a user takes the caller's cooperative id: another tenant's contact is not found.
import { randomUUID } from 'node:crypto';
import { RuongError } from '../errors.js';
import { truthy, type Sql } from '../db/sql.js';
import type { AlertEventName, Channel, Language, Severity } from '../alerts/notification-types.js';

/** A contact's role (its zod schema and the phone and quiet-hours ones, for the API: core/registry/contact-schemas.ts). */
export const CONTACT_ROLES = ['farmer', 'technician', 'integration'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];

/** Local (Asia/Ho_Chi_Minh) time span in which non-critical messages wait; may span midnight. HH:MM each, different. */
export interface QuietHours { start: string; end: string }

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
  sms_unaccented: number | boolean; zalo_phone: string | null; zalo_consent_at: number | null; email: string | null;
  webhook_url: string | null; quiet_start: string | null; quiet_end: string | null;
}

function toContact(r: ContactRow): Contact {
  return {
    id: r.id, cooperativeId: r.cooperative_id, name: r.name, role: r.role, language: r.language, phone: r.phone,
    smsUnaccented: truthy(r.sms_unaccented), zaloPhone: r.zalo_phone, zaloConsentAt: r.zalo_consent_at, email: r.email,
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

export function createContacts(sql: Sql) {
  const q = {
    insert: `INSERT INTO contacts (id, cooperative_id, name, role, language, phone, sms_unaccented, zalo_phone, zalo_consent_at, email,
         webhook_url, quiet_start, quiet_end, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    update: `UPDATE contacts SET name = ?, role = ?, language = ?, phone = ?, sms_unaccented = ?,
         zalo_phone = ?, zalo_consent_at = ?, email = ?, webhook_url = ?,
         quiet_start = ?, quiet_end = ?, updated_at = ? WHERE id = ? AND cooperative_id = ?`,
    one: 'SELECT * FROM contacts WHERE id = ? AND cooperative_id = ?',
    all: 'SELECT * FROM contacts WHERE cooperative_id = ? ORDER BY name, id',
    remove: 'DELETE FROM contacts WHERE id = ? AND cooperative_id = ?',
    subs: 'SELECT * FROM contact_subscriptions WHERE contact_id = ? ORDER BY created_at, id',
    insertSub: `INSERT INTO contact_subscriptions (id, contact_id, farm_id, field_id, severities, channels, events, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    removeSub: `DELETE FROM contact_subscriptions WHERE id = ? AND contact_id IN (SELECT id FROM contacts WHERE id = ? AND cooperative_id = ?)`,
    farmOfCoop: 'SELECT id FROM farms WHERE id = ? AND cooperative_id = ?',
    fieldOfCoop: 'SELECT f.id, f.farm_id AS "farmId" FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ? AND fa.cooperative_id = ?',
    placeOfField: `SELECT fa.cooperative_id AS "cooperativeId", fa.id AS "farmId", fa.name AS "farmName", f.id AS "fieldId", f.name AS "fieldName"
         FROM fields f JOIN farms fa ON fa.id = f.farm_id WHERE f.id = ?`,
    placeOfFarm: 'SELECT cooperative_id AS "cooperativeId", id AS "farmId", name AS "farmName" FROM farms WHERE id = ?',
    fieldOfDevice: 'SELECT field_id AS "fieldId" FROM devices WHERE id = ?',
    // the subscriptions of the cooperative's contacts at the alert's place; severity and event are matched in JS
    // against the comma-separated lists (no engine's string-search function)
    matching: `SELECT c.*, s.severities AS sub_severities, s.events AS sub_events, s.channels AS sub_channels
         FROM contacts c JOIN contact_subscriptions s ON s.contact_id = c.id
        WHERE c.cooperative_id = ? AND (s.farm_id IS NULL OR s.farm_id = ?) AND (s.field_id IS NULL OR s.field_id = ?)`,
    technicians: `SELECT * FROM contacts WHERE cooperative_id = ? AND role = 'technician'`,
  };

  function row(cooperativeId: string, id: string, c: ContactInput, consentAt: number | null) {
    return {
      id, cooperativeId, name: c.name ?? '', role: c.role ?? 'farmer', language: c.language ?? 'vi',
      phone: c.phone ?? null, smsUnaccented: c.smsUnaccented ? 1 : 0, zaloPhone: c.zaloPhone ?? null, consentAt,
      email: c.email ?? null, webhookUrl: c.webhookUrl ?? null, quietStart: c.quietHours?.start ?? null, quietEnd: c.quietHours?.end ?? null,
    };
  }

  async function getContact(cooperativeId: string, id: string): Promise<Contact | undefined> {
    const r = await sql.one<ContactRow>(q.one, [id, cooperativeId]);
    return r && toContact(r);
  }

  async function alertPlace(ref: { fieldId?: string | null; farmId?: string | null; deviceId?: string | null }): Promise<AlertPlace | undefined> {
    const fieldId = ref.fieldId ?? (ref.deviceId ? (await sql.one<{ fieldId: string }>(q.fieldOfDevice, [ref.deviceId]))?.fieldId : undefined);
    if (fieldId) return sql.one<AlertPlace>(q.placeOfField, [fieldId]);
    if (!ref.farmId) return undefined;
    const farm = await sql.one<Omit<AlertPlace, 'fieldId' | 'fieldName'>>(q.placeOfFarm, [ref.farmId]);
    return farm && { ...farm, fieldId: null, fieldName: null };
  }

  return {
    async createContact(cooperativeId: string, input: ContactInput & { name: string }, now = Date.now()): Promise<Contact> {
      const id = `ct-${randomUUID().slice(0, 8)}`;
      const r = row(cooperativeId, id, input, input.zaloConsent ? now : null);
      await sql.run(q.insert, [
        r.id, r.cooperativeId, r.name, r.role, r.language, r.phone, r.smsUnaccented, r.zaloPhone, r.consentAt, r.email,
        r.webhookUrl, r.quietStart, r.quietEnd, now, now,
      ]);
      return (await getContact(cooperativeId, id))!;
    },

    getContact,

    async listContacts(cooperativeId: string): Promise<Contact[]> {
      return (await sql.all<ContactRow>(q.all, [cooperativeId])).map(toContact);
    },

    /** Applies a partial update; undefined when the contact is not in the cooperative. */
    async updateContact(cooperativeId: string, id: string, patch: ContactInput, now = Date.now()): Promise<Contact | undefined> {
      // read, merge and write in one transaction: a concurrent update is not lost
      return sql.tx(async () => {
        const current = await getContact(cooperativeId, id);
        if (!current) return undefined;
        const consentAt = patch.zaloConsent === undefined ? current.zaloConsentAt : patch.zaloConsent ? (current.zaloConsentAt ?? now) : null;
        const merged = Object.fromEntries(Object.entries({ ...current, ...patch }).filter(([, v]) => v !== undefined)) as ContactInput;
        const r = row(cooperativeId, id, merged, consentAt);
        await sql.run(q.update, [
          r.name, r.role, r.language, r.phone, r.smsUnaccented, r.zaloPhone, r.consentAt, r.email, r.webhookUrl,
          r.quietStart, r.quietEnd, now, r.id, r.cooperativeId,
        ]);
        return getContact(cooperativeId, id);
      });
    },

    async deleteContact(cooperativeId: string, id: string): Promise<boolean> {
      return (await sql.run(q.remove, [id, cooperativeId])).changes > 0;
    },

    async listSubscriptions(cooperativeId: string, contactId: string): Promise<Subscription[] | undefined> {
      if (!(await getContact(cooperativeId, contactId))) return undefined;
      return (await sql.all<SubscriptionRow>(q.subs, [contactId])).map(toSubscription);
    },

    /** Adds a subscription; the farm and field must belong to the contact's cooperative (else NOT_FOUND). */
    async addSubscription(cooperativeId: string, contactId: string, input: SubscriptionInput, now = Date.now()): Promise<Subscription> {
      // the checks and the insert in one transaction: the contact, farm or field cannot go in between
      return sql.tx(async () => {
        if (!(await getContact(cooperativeId, contactId))) throw new RuongError('NOT_FOUND', `contact ${contactId} not found`);
        if (input.farmId && !(await sql.one(q.farmOfCoop, [input.farmId, cooperativeId]))) throw new RuongError('NOT_FOUND', `farm ${input.farmId} not found`);
        let farmId = input.farmId;
        if (input.fieldId) {
          const field = await sql.one<{ farmId: string }>(q.fieldOfCoop, [input.fieldId, cooperativeId]);
          if (!field) throw new RuongError('NOT_FOUND', `field ${input.fieldId} not found`);
          if (farmId && farmId !== field.farmId) throw new RuongError('BAD_REQUEST', `field ${input.fieldId} is not on farm ${farmId}`);
          farmId = field.farmId;
        }
        const id = `sub-${randomUUID().slice(0, 8)}`;
        await sql.run(q.insertSub, [id, contactId, farmId, input.fieldId, input.severities.join(','), input.channels?.join(',') ?? null, input.events.join(','), now]);
        return { ...input, id, contactId, farmId };
      });
    },

    async deleteSubscription(cooperativeId: string, contactId: string, subscriptionId: string): Promise<boolean> {
      return (await sql.run(q.removeSub, [subscriptionId, contactId, cooperativeId])).changes > 0;
    },

    alertPlace,

    /**
     * Contacts whose subscriptions match the alert's place, severity and event, each once. An escalation
     * also goes to every technician contact of the cooperative (issue 5: escalate to the technicians).
     */
    async notificationRecipients(place: AlertPlace, severity: Severity, event: AlertEventName): Promise<Recipient[]> {
      type Matched = ContactRow & { sub_channels: string | null };
      const subscribed = await sql.all<Matched & { sub_severities: string; sub_events: string }>(q.matching, [place.cooperativeId, place.farmId, place.fieldId]);
      const rows: Matched[] = subscribed.filter((r) => list(r.sub_severities).includes(severity) && list(r.sub_events).includes(event));
      if (event === 'escalated') {
        for (const r of await sql.all<ContactRow>(q.technicians, [place.cooperativeId])) rows.push({ ...r, sub_channels: null });
      }
      rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
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
