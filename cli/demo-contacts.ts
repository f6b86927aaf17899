// Demo contacts and subscriptions (issue 7): a rice farmer in Sóc Trăng (Vietnamese, SMS without
// diacritics for an old handset, Zalo with consent, quiet hours 21:00–05:30), a coffee grower in Đắk Lắk,
// the cooperative's technician (whole cooperative, e-mail; also receives every escalation) and a visiting
// agronomist who reads English. The phone numbers cannot reach anyone (a 0 right after +84 is not a
// Vietnamese number) and the e-mail addresses are under example.org (RFC 2606).
// Nothing is sent until a channel is configured (README, "Alert notifications").
import type { Registry } from '../core/registry/registry.js';

export async function seedDemoContacts(registry: Registry, cooperativeId: string): Promise<number> {
  const quiet = { start: '21:00', end: '05:30' };
  const tu = await registry.createContact(cooperativeId, {
    name: 'Anh Tư (Mỹ Xuyên)', role: 'farmer', language: 'vi', phone: '+840000000101', smsUnaccented: true, zaloConsent: true, quietHours: quiet,
  });
  await registry.addSubscription(cooperativeId, tu.id, { farmId: 'farm-mekong', fieldId: null, severities: ['warning', 'critical'], channels: null, events: ['opened', 'escalated'] });
  const hoa = await registry.createContact(cooperativeId, {
    name: 'Chị Hoa (Cư M’gar)', role: 'farmer', language: 'vi', phone: '+840000000102', zaloConsent: true, quietHours: quiet,
  });
  await registry.addSubscription(cooperativeId, hoa.id, { farmId: 'farm-highlands', fieldId: null, severities: ['warning', 'critical'], channels: null, events: ['opened', 'escalated'] });
  const tech = await registry.createContact(cooperativeId, {
    name: 'Cán bộ kỹ thuật HTX', role: 'technician', language: 'vi', phone: '+840000000103', email: 'ky-thuat@htx-ruong.example.org',
  });
  await registry.addSubscription(cooperativeId, tech.id, { farmId: null, fieldId: null, severities: ['critical'], channels: ['email'], events: ['opened', 'resolved'] });
  const agronomist = await registry.createContact(cooperativeId, {
    name: 'Visiting agronomist', role: 'technician', language: 'en', email: 'agronomist@example.org', quietHours: { start: '22:00', end: '06:30' },
  });
  await registry.addSubscription(cooperativeId, agronomist.id, { farmId: 'farm-highlands', fieldId: null, severities: ['warning', 'critical'], channels: ['email'], events: ['opened', 'resolved'] });
  return 4;
}
