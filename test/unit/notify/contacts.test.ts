// Contacts and subscriptions in the registry: scoped to a cooperative, phone numbers normalised,
// farms and fields checked against the cooperative.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PhoneNumber } from '../../../core/registry/contact-schemas.js';
import { createWorld, type World } from './fixtures.js';

describe('contacts', () => {
  let world: World;
  beforeEach(async () => { world = await createWorld(); });
  afterEach(() => world.registry.close());

  it('normalises Vietnamese phone numbers to E.164 and refuses what is not one', () => {
    expect(PhoneNumber.parse('0912 345 678')).toBe('+84912345678');
    expect(PhoneNumber.parse('84912345678')).toBe('+84912345678');
    expect(PhoneNumber.parse('+84 (91) 234-5678')).toBe('+84912345678');
    expect(PhoneNumber.safeParse('12345').success).toBe(false);
    expect(PhoneNumber.safeParse('call me').success).toBe(false);
  });

  it('is invisible to another cooperative, for reading, changing and deleting', async () => {
    const { registry, ids } = world;
    expect(await registry.getContact('coop-b', ids.tu)).toBeUndefined();
    expect(await registry.updateContact('coop-b', ids.tu, { name: 'x' })).toBeUndefined();
    expect(await registry.deleteContact('coop-b', ids.tu)).toBe(false);
    expect(await registry.listSubscriptions('coop-b', ids.tu)).toBeUndefined();
    expect((await registry.listContacts('coop-a')).map((c) => c.name).sort()).toEqual(['Anh Tư', 'ERP', 'Kỹ thuật', 'Mary']);
  });

  it('records when Zalo consent was given and clears it when withdrawn', async () => {
    const { registry, ids } = world;
    const mary = (await registry.updateContact('coop-a', ids.mary, { zaloConsent: true }, 1_000))!;
    expect(mary.zaloConsentAt).toBe(1_000);
    expect((await registry.updateContact('coop-a', ids.mary, { language: 'vi' }, 2_000))!.zaloConsentAt).toBe(1_000);
    expect((await registry.updateContact('coop-a', ids.mary, { zaloConsent: false }))!.zaloConsentAt).toBeNull();
    expect((await registry.updateContact('coop-a', ids.mary, { email: null }))!.email).toBeNull();
  });

  it('refuses a subscription to another cooperative\'s farm or field, and a field of another farm', async () => {
    const { registry, ids } = world;
    const base = { severities: ['critical'] as const, channels: null, events: ['opened'] as const };
    await expect(registry.addSubscription('coop-a', ids.tu, { ...base, farmId: 'farm-b', fieldId: null })).rejects.toThrow(/farm farm-b not found/);
    await expect(registry.addSubscription('coop-a', ids.tu, { ...base, farmId: null, fieldId: 'field-b' })).rejects.toThrow(/field field-b not found/);
    await expect(registry.addSubscription('coop-a', ids.tu, { ...base, farmId: 'farm-highlands', fieldId: 'field-rice-1' })).rejects.toThrow(/not on farm/);
    const sub = await registry.addSubscription('coop-a', ids.tu, { ...base, farmId: null, fieldId: 'field-coffee-a' });
    expect(sub.farmId).toBe('farm-highlands');
  });

  it('deleting a contact deletes its subscriptions', async () => {
    const { registry, ids } = world;
    expect(await registry.deleteContact('coop-a', ids.tu)).toBe(true);
    const left = (await registry.sql.one<{ n: number }>('SELECT count(*) AS n FROM contact_subscriptions WHERE contact_id = ?', [ids.tu]))!;
    expect(left.n).toBe(0);
  });
});
