// Who sent an inbound SMS (issue 17, the SMS reply "ĐÃ TƯỚI 25"): the contacts with that phone number (E.164, as
// core/registry/contacts.ts stores it) and the fields each of them is known for — a field subscription names the
// field, a farm subscription every field of the farm. This is the one lookup that starts from outside a tenant
// (the phone number decides the cooperative), so it returns the cooperative with every contact.
import type { Database } from 'better-sqlite3';

export interface SmsSender {
  readonly contactId: string;
  readonly cooperativeId: string;
  readonly name: string;
  readonly language: 'vi' | 'en';
  readonly smsUnaccented: boolean;
}

export interface SenderField {
  readonly id: string;
  readonly name: string;
  readonly farmName: string;
  readonly areaHa: number | null;
}

export function createSmsSenders(db: Database) {
  const stmt = {
    byPhone: db.prepare(
      `SELECT id AS contactId, cooperative_id AS cooperativeId, name, language, sms_unaccented AS smsUnaccented
         FROM contacts WHERE phone = ? AND role IN ('farmer', 'technician') ORDER BY created_at, id`,
    ),
    fields: db.prepare(
      `SELECT DISTINCT f.id, f.name, fa.name AS farmName, f.area_ha AS areaHa
         FROM contact_subscriptions s JOIN contacts c ON c.id = s.contact_id
         JOIN fields f ON (s.field_id IS NOT NULL AND f.id = s.field_id) OR (s.field_id IS NULL AND s.farm_id IS NOT NULL AND f.farm_id = s.farm_id)
         JOIN farms fa ON fa.id = f.farm_id
        WHERE c.id = ? AND c.cooperative_id = ? AND fa.cooperative_id = ?
        ORDER BY f.name, f.id`,
    ),
  };
  return {
    /** Farmer and technician contacts with this E.164 number, in every cooperative. */
    smsSenders(phone: string): SmsSender[] {
      return (stmt.byPhone.all(phone) as (Omit<SmsSender, 'smsUnaccented'> & { smsUnaccented: number })[])
        .map((r) => ({ ...r, smsUnaccented: r.smsUnaccented === 1 }));
    },

    /** The fields a contact's subscriptions name (a farm subscription: all its fields), by name. */
    senderFields(sender: Pick<SmsSender, 'contactId' | 'cooperativeId'>): SenderField[] {
      return stmt.fields.all(sender.contactId, sender.cooperativeId, sender.cooperativeId) as SenderField[];
    },
  };
}
