// A small world for notification tests: two cooperatives in a registry (in memory or a file), contacts
// with every kind of address and subscription, and alerts with their numbers.
import type { NotifiableAlert } from '../../core/alerts/notification-types.js';
import { createRegistry, type Registry } from '../../core/registry/registry.js';

export const vn = (iso: string) => Date.parse(`${iso}+07:00`);

export interface World {
  readonly registry: Registry;
  readonly ids: { tu: string; mary: string; tech: string; erp: string; other: string };
}

/**
 * coop-a: farm-mekong (field-rice-1, field-rice-2), farm-highlands (field-coffee-a); coop-b: farm-b (field-b).
 * - Tư: farmer, vi, SMS + Zalo (consented), quiet 21:00–05:30, farm-mekong warning+critical, opened/escalated/resolved
 * - Mary: farmer, en, SMS + e-mail, a Zalo number WITHOUT consent, field-rice-1 critical only
 * - Kỹ thuật: technician, vi, e-mail, whole cooperative, critical, e-mail only
 * - ERP: integration, webhook, whole cooperative, every severity and event
 * - another cooperative's farmer, subscribed to everything of coop-b
 */
export async function createWorld(path = ':memory:'): Promise<World> {
  const registry = createRegistry(path);
  await registry.createCooperative({ id: 'coop-a', name: 'HTX A' });
  await registry.createCooperative({ id: 'coop-b', name: 'HTX B' });
  await registry.createFarm({ id: 'farm-mekong', cooperativeId: 'coop-a', name: 'Trang trại Mỹ Xuyên' });
  await registry.createFarm({ id: 'farm-highlands', cooperativeId: 'coop-a', name: 'Vườn Cư M’gar' });
  await registry.createFarm({ id: 'farm-b', cooperativeId: 'coop-b', name: 'Farm B' });
  await registry.createField({ id: 'field-rice-1', farmId: 'farm-mekong', name: 'Ruộng 1', crop: 'rice' });
  await registry.createField({ id: 'field-rice-2', farmId: 'farm-mekong', name: 'Ruộng 2', crop: 'rice' });
  await registry.createField({ id: 'field-coffee-a', farmId: 'farm-highlands', name: 'Lô cà phê A', crop: 'coffee' });
  await registry.createField({ id: 'field-b', farmId: 'farm-b', name: 'Field B', crop: 'rice' });
  const all = ['opened', 'acknowledged', 'resolved', 'escalated'] as const;
  const tu = await registry.createContact('coop-a', { name: 'Anh Tư', role: 'farmer', language: 'vi', phone: '+84900000101', zaloConsent: true, quietHours: { start: '21:00', end: '05:30' } });
  await registry.addSubscription('coop-a', tu.id, { farmId: 'farm-mekong', fieldId: null, severities: ['warning', 'critical'], channels: null, events: ['opened', 'escalated', 'resolved'] });
  const mary = await registry.createContact('coop-a', { name: 'Mary', role: 'farmer', language: 'en', phone: '+84900000102', zaloPhone: '+84900000109', email: 'mary@example.org' });
  await registry.addSubscription('coop-a', mary.id, { farmId: null, fieldId: 'field-rice-1', severities: ['critical'], channels: null, events: ['opened'] });
  const tech = await registry.createContact('coop-a', { name: 'Kỹ thuật', role: 'technician', language: 'vi', email: 'kt@example.org' });
  await registry.addSubscription('coop-a', tech.id, { farmId: null, fieldId: null, severities: ['critical'], channels: ['email'], events: ['opened'] });
  const erp = await registry.createContact('coop-a', { name: 'ERP', role: 'integration', language: 'en', webhookUrl: 'http://127.0.0.1:9/hook' });
  await registry.addSubscription('coop-a', erp.id, { farmId: null, fieldId: null, severities: ['info', 'warning', 'critical'], channels: null, events: [...all] });
  const other = await registry.createContact('coop-b', { name: 'Other coop', role: 'farmer', phone: '+84900000201', email: 'b@example.org' });
  await registry.addSubscription('coop-b', other.id, { farmId: null, fieldId: null, severities: ['info', 'warning', 'critical'], channels: null, events: [...all] });
  return { registry, ids: { tu: tu.id, mary: mary.id, tech: tech.id, erp: erp.id, other: other.id } };
}

let counter = 0;
/** A salinity-style alert on field-rice-1 with its numbers. */
export function alertOn(overrides: Partial<NotifiableAlert> = {}): NotifiableAlert {
  counter++;
  return {
    id: `al-${counter}`, ruleId: 'rule-salinity', kind: 'canal_salinity', severity: 'warning', status: 'open',
    fieldId: 'field-rice-1', farmId: 'farm-mekong', deviceId: 'canal-mekong', openedAt: Date.now(),
    text: { vi: 'Ruộng 1 (lúa): độ mặn kênh 2,6 ‰ vượt ngưỡng 2 ‰ — không lấy nước kênh', en: 'Ruộng 1 (rice): canal salinity 2.6 ‰ above the 2 ‰ limit — do not take canal water' },
    values: { reading: 2.6, threshold: 2 },
    ...overrides,
  };
}

