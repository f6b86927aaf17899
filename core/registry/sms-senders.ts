// Who sent an inbound SMS (issue 17, the SMS reply "ĐÃ TƯỚI 25"): the contacts with that phone number (E.164, as
// core/registry/contacts.ts stores it) and the fields each of them is known for — a field subscription names the
// field, a farm subscription every field of the farm. This is the one lookup that starts from outside a tenant
// (the phone number decides the cooperative), so it returns the cooperative with every contact.
import { truthy, type Sql } from '../db/sql.js';

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

export function createSmsSenders(sql: Sql) {
  const q = {
    byPhone: `SELECT id AS "contactId", cooperative_id AS "cooperativeId", name, language, sms_unaccented AS "smsUnaccented"
         FROM contacts WHERE phone = ? AND role IN ('farmer', 'technician') ORDER BY created_at, id`,
    fields: `SELECT DISTINCT f.id, f.name, fa.name AS "farmName", f.area_ha AS "areaHa"
         FROM contact_subscriptions s JOIN contacts c ON c.id = s.contact_id
         JOIN fields f ON (s.field_id IS NOT NULL AND f.id = s.field_id) OR (s.field_id IS NULL AND s.farm_id IS NOT NULL AND f.farm_id = s.farm_id)
         JOIN farms fa ON fa.id = f.farm_id
        WHERE c.id = ? AND c.cooperative_id = ? AND fa.cooperative_id = ?
        ORDER BY f.name, f.id`,
  };
  return {
    /** Farmer and technician contacts with this E.164 number, in every cooperative. */
    async smsSenders(phone: string): Promise<SmsSender[]> {
      return (await sql.all<Omit<SmsSender, 'smsUnaccented'> & { smsUnaccented: number | boolean }>(q.byPhone, [phone]))
        .map((r) => ({ ...r, smsUnaccented: truthy(r.smsUnaccented) }));
    },

    /** The fields a contact's subscriptions name (a farm subscription: all its fields), by name. */
    async senderFields(sender: Pick<SmsSender, 'contactId' | 'cooperativeId'>): Promise<SenderField[]> {
      return sql.all<SenderField>(q.fields, [sender.contactId, sender.cooperativeId, sender.cooperativeId]);
    },
  };
}
