// Contacts (who receives alerts, on which addresses, in which language, with which quiet hours) and their
// subscriptions (which farms, fields, severities, channels and lifecycle events). Scoped to the caller's
// cooperative; addresses are personal data, so only admins and technicians read or write them. Another
// cooperative's contact, farm or field is a 404. Everyone but a viewer edits their OWN contact — phone,
// Zalo, e-mail, language, quiet hours — at /me/contact (issue 16: a farmer sets their own phone number).
import { Router } from 'express';
import { z } from 'zod';
import { AlertEventName, Channel, Language, Severity } from '../../core/alerts/notification-types.js';
import { webhookSecretFor } from '../../core/alerts/notification-webhook.js';
import { RuongError } from '../../core/errors.js';
import { ContactRole, PhoneNumber, QuietHours } from '../../core/registry/contact-schemas.js';
import type { Contact, Subscription } from '../../core/registry/contacts.js';
import type { Registry } from '../../core/registry/registry.js';
import { currentUser, requireRole } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { Id, IdParams, iso } from '../schemas.js';

const MANAGERS = ['admin', 'technician'] as const;
const ADMIN = ['admin'] as const;
/** Who edits their own contact: every role that may write (a viewer only reads). */
const SELF_EDITORS = ['admin', 'technician', 'farmer'] as const;

const contactFields = {
  name: z.string().trim().min(1).max(100),
  role: ContactRole.describe('farmer | technician (also receives every escalation) | integration (webhook)'),
  language: Language.describe('language of the messages: vi (default) or en'),
  phone: PhoneNumber.nullable().describe('SMS number, E.164 or Vietnamese national form'),
  smsUnaccented: z.boolean().describe('send SMS without diacritics (không dấu) for this handset'),
  zaloPhone: PhoneNumber.nullable().describe('Zalo number when it differs from `phone`'),
  zaloConsent: z.boolean().describe('the contact agreed to Zalo (ZNS) messages; required for the Zalo channel'),
  email: z.email().max(254).nullable(),
  webhookUrl: z.url({ protocol: /^https?$/ }).max(2000).nullable().describe('JSON POSTs signed with the contact\'s webhook secret'),
  quietHours: QuietHours.nullable().describe('local time (Asia/Ho_Chi_Minh) when only critical alerts are sent, e.g. {"start":"21:00","end":"05:30"}'),
};
export const ContactCreate = z.strictObject(contactFields).partial().required({ name: true });
export type ContactCreate = z.infer<typeof ContactCreate>;
export const ContactUpdate = z.strictObject(contactFields).partial();
export type ContactUpdate = z.infer<typeof ContactUpdate>;
/** What a person sets on their own contact: not its role, not a webhook (those are the managers'). */
export const OwnContactUpdate = z.strictObject({
  name: contactFields.name, language: contactFields.language, phone: contactFields.phone, smsUnaccented: contactFields.smsUnaccented,
  zaloPhone: contactFields.zaloPhone, zaloConsent: contactFields.zaloConsent, email: contactFields.email, quietHours: contactFields.quietHours,
}).partial();
export type OwnContactUpdate = z.infer<typeof OwnContactUpdate>;
export const ContactOut = z.object({
  id: z.string(), name: z.string(), role: ContactRole, language: Language, phone: z.string().nullable(), smsUnaccented: z.boolean(),
  zaloPhone: z.string().nullable(), zaloConsent: z.boolean(), zaloConsentAt: z.string().nullable(), email: z.string().nullable(),
  webhookUrl: z.string().nullable(), quietHours: z.object({ start: z.string(), end: z.string() }).nullable(),
});
export type ContactOut = z.infer<typeof ContactOut>;

const unique = <T>(xs: T[]) => [...new Set(xs)];
export const SubscriptionCreate = z.strictObject({
  farmId: Id.nullable().optional().describe('absent = every farm of the cooperative'),
  fieldId: Id.nullable().optional().describe('absent = every field (of the farm)'),
  severities: z.array(Severity).min(1).transform(unique).default(['warning', 'critical']),
  channels: z.array(Channel).min(1).transform(unique).nullable().optional().describe('absent = every channel the contact has an address for'),
  events: z.array(AlertEventName).min(1).transform(unique).default(['opened', 'escalated']),
});
export type SubscriptionCreate = z.infer<typeof SubscriptionCreate>;
export const SubscriptionOut = z.object({
  id: z.string(), contactId: z.string(), farmId: z.string().nullable(), fieldId: z.string().nullable(),
  severities: z.array(Severity), channels: z.array(Channel).nullable(), events: z.array(AlertEventName),
});
const SubParams = z.object({ id: Id, subscriptionId: Id });

export const contactEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/contacts', tag: 'notifications', summary: 'Contacts that receive alerts', response: z.object({ contacts: z.array(ContactOut) }), roles: MANAGERS },
  { method: 'post', path: '/contacts', tag: 'notifications', summary: 'Add a contact', body: ContactCreate, response: ContactOut, status: 201, roles: MANAGERS },
  { method: 'get', path: '/contacts/:id', tag: 'notifications', summary: 'One contact', params: IdParams, response: ContactOut, roles: MANAGERS },
  { method: 'patch', path: '/contacts/:id', tag: 'notifications', summary: 'Change a contact (null clears an address)', params: IdParams, body: ContactUpdate, response: ContactOut, roles: MANAGERS },
  { method: 'delete', path: '/contacts/:id', tag: 'notifications', summary: 'Delete a contact and its subscriptions', params: IdParams, status: 204, roles: MANAGERS },
  { method: 'get', path: '/contacts/:id/subscriptions', tag: 'notifications', summary: 'What a contact receives', params: IdParams, response: z.object({ subscriptions: z.array(SubscriptionOut) }), roles: MANAGERS },
  { method: 'post', path: '/contacts/:id/subscriptions', tag: 'notifications', summary: 'Subscribe a contact to a farm, field or the whole cooperative', params: IdParams, body: SubscriptionCreate, response: SubscriptionOut, status: 201, roles: MANAGERS },
  { method: 'delete', path: '/contacts/:id/subscriptions/:subscriptionId', tag: 'notifications', summary: 'Remove a subscription', params: SubParams, status: 204, roles: MANAGERS },
  { method: 'get', path: '/me/contact', tag: 'notifications', summary: 'The caller\'s own contact (where their alerts go); null until they set one', response: z.object({ contact: ContactOut.nullable() }) },
  { method: 'patch', path: '/me/contact', tag: 'notifications', summary: 'Set the caller\'s own phone, Zalo, e-mail, language and quiet hours; the first call creates the contact, subscribed to the caller\'s farms (a farmer) or the cooperative', body: OwnContactUpdate, response: ContactOut, roles: SELF_EDITORS },
  { method: 'get', path: '/contacts/:id/webhook-secret', tag: 'notifications', summary: 'The secret the contact\'s webhook receiver verifies signatures with', params: IdParams, response: z.object({ secret: z.string() }), roles: ADMIN },
];

export function contactOut(c: Contact): ContactOut {
  const { cooperativeId: _coop, zaloConsentAt, ...rest } = c;
  return { ...rest, zaloConsent: zaloConsentAt !== null, zaloConsentAt: zaloConsentAt === null ? null : iso(zaloConsentAt) };
}

const subscriptionOut = (s: Subscription) => ({ ...s, severities: [...s.severities], channels: s.channels && [...s.channels], events: [...s.events] });

export function contactRoutes(deps: { registry: Registry; webhookSecret?: string | undefined }): Router {
  const router = Router();
  const { registry } = deps;
  router.use('/contacts', (req, _res, next) => {
    requireRole(currentUser(req), MANAGERS, 'managing alert contacts');
    next();
  });

  async function contactOr404(cooperativeId: string, id: string): Promise<Contact> {
    const contact = await registry.getContact(cooperativeId, id);
    if (!contact) throw new RuongError('NOT_FOUND', `contact ${id} not found`);
    return contact;
  }

  /** The caller's own contact, when they have one (an API key has none). */
  async function ownContact(user: ReturnType<typeof currentUser>): Promise<Contact | undefined> {
    const id = await registry.contactIdOfUser(user.cooperativeId, user.id);
    return id === undefined ? undefined : await registry.getContact(user.cooperativeId, id);
  }

  router.get('/me/contact', async (req, res) => {
    const contact = await ownContact(currentUser(req));
    res.json({ contact: contact ? contactOut(contact) : null });
  });

  router.patch('/me/contact', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, SELF_EDITORS, 'changing your contact');
    const body = parseOr400(OwnContactUpdate, req.body, 'body');
    if (!await registry.userOfCooperative(user.cooperativeId, user.id)) throw new RuongError('NOT_FOUND', 'an API key has no contact of its own');
    const existing = await ownContact(user);
    if (existing) {
      res.json(contactOut(await registry.updateContact(user.cooperativeId, existing.id, body) ?? existing));
      return;
    }
    const created = await registry.sql.tx(async () => {
      const contact = await registry.createContact(user.cooperativeId, {
        ...body, name: body.name ?? user.displayName ?? user.username, role: user.role === 'farmer' ? 'farmer' : 'technician',
      });
      await registry.linkUserContact(user.id, contact.id);
      // A farmer hears about their own farms; an admin or technician about the whole cooperative.
      const farms: (string | null)[] = user.role === 'farmer' ? [...user.farmIds] : [null];
      for (const farmId of farms) {
        await registry.addSubscription(user.cooperativeId, contact.id, { farmId, fieldId: null, severities: ['warning', 'critical'], channels: null, events: ['opened', 'escalated'] });
      }
      return contact;
    });
    res.json(contactOut(created));
  });

  router.get('/contacts', async (req, res) => {
    res.json({ contacts: (await registry.listContacts(currentUser(req).cooperativeId)).map(contactOut) });
  });

  router.post('/contacts', async (req, res) => {
    const body = parseOr400(ContactCreate, req.body, 'body');
    res.status(201).json(contactOut(await registry.createContact(currentUser(req).cooperativeId, body)));
  });

  router.get('/contacts/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    res.json(contactOut(await contactOr404(currentUser(req).cooperativeId, id)));
  });

  router.patch('/contacts/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(ContactUpdate, req.body, 'body');
    const updated = await registry.updateContact(currentUser(req).cooperativeId, id, body);
    if (!updated) throw new RuongError('NOT_FOUND', `contact ${id} not found`);
    res.json(contactOut(updated));
  });

  router.delete('/contacts/:id', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    if (!await registry.deleteContact(currentUser(req).cooperativeId, id)) throw new RuongError('NOT_FOUND', `contact ${id} not found`);
    res.status(204).end();
  });

  router.get('/contacts/:id/subscriptions', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const subs = await registry.listSubscriptions(currentUser(req).cooperativeId, id);
    if (!subs) throw new RuongError('NOT_FOUND', `contact ${id} not found`);
    res.json({ subscriptions: subs.map(subscriptionOut) });
  });

  router.post('/contacts/:id/subscriptions', async (req, res) => {
    const { id } = parseOr400(IdParams, req.params, 'params');
    const body = parseOr400(SubscriptionCreate, req.body, 'body');
    const sub = await registry.addSubscription(currentUser(req).cooperativeId, id, {
      farmId: body.farmId ?? null, fieldId: body.fieldId ?? null, severities: body.severities, channels: body.channels ?? null, events: body.events,
    });
    res.status(201).json(subscriptionOut(sub));
  });

  router.delete('/contacts/:id/subscriptions/:subscriptionId', async (req, res) => {
    const { id, subscriptionId } = parseOr400(SubParams, req.params, 'params');
    if (!await registry.deleteSubscription(currentUser(req).cooperativeId, id, subscriptionId)) throw new RuongError('NOT_FOUND', `subscription ${subscriptionId} not found`);
    res.status(204).end();
  });

  router.get('/contacts/:id/webhook-secret', async (req, res) => {
    const user = currentUser(req);
    requireRole(user, ADMIN, 'reading a webhook secret');
    const { id } = parseOr400(IdParams, req.params, 'params');
    const contact = await contactOr404(user.cooperativeId, id);
    if (!deps.webhookSecret) throw new RuongError('NOT_FOUND', 'webhooks are not configured (WEBHOOK_SECRET)');
    res.set('Cache-Control', 'no-store').json({ secret: webhookSecretFor(deps.webhookSecret, contact.id) });
  });
  return router;
}
