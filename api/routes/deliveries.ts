// Delivery status of an alert's notifications: one row per recipient and channel (and event), with its
// state in the outbox — pending (held for quiet hours, waiting for a retry), sending, sent, failed,
// expired, suppressed (rate limit: listed in a digest), superseded (the alert resolved while held).
// Addresses are masked. Scoped to the caller's cooperative and, for a farmer, their farms.
import { Router } from 'express';
import { z } from 'zod';
import { createOutbox, type Delivery } from '../../core/alerts/outbox.js';
import { Channel } from '../../core/alerts/notification-types.js';
import type { Registry } from '../../core/registry/registry.js';
import type { User } from '../../core/registry/types.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams, iso } from '../schemas.js';

export const DeliveryOut = z.object({
  id: z.number().int(), kind: z.enum(['alert', 'digest']), event: z.string().nullable(), channel: Channel,
  recipient: z.object({ id: z.string(), name: z.string() }), address: z.string(),
  status: z.enum(['pending', 'sending', 'sent', 'failed', 'expired', 'suppressed', 'superseded']),
  holdReason: z.enum(['quiet_hours', 'rate_limit', 'retry']).nullable(), attempts: z.number().int(),
  createdAt: z.string(), notBefore: z.string(), sentAt: z.string().nullable(), lastError: z.string().nullable(),
});
export type DeliveryOut = z.infer<typeof DeliveryOut>;

export const deliveryEndpoints: readonly Endpoint[] = [
  {
    method: 'get', path: '/alerts/:id/deliveries', tag: 'notifications', summary: 'Delivery status of an alert per recipient and channel',
    params: IdParams, response: z.object({ alertId: z.string(), deliveries: z.array(DeliveryOut) }),
  },
];

function deliveryOut(d: Delivery): DeliveryOut {
  return { ...d, createdAt: iso(d.createdAt)!, notBefore: iso(d.notBefore)!, sentAt: iso(d.sentAt) };
}

/** `alerts`: the alerts service when it runs in this process — an alert the caller may not see is a 404. */
export function deliveryRoutes(deps: { registry: Registry; alerts?: { getFor(user: User, id: string): Promise<unknown> } | undefined }): Router {
  const router = Router();
  let outbox: ReturnType<typeof createOutbox> | undefined;

  router.get('/alerts/:id/deliveries', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    await deps.alerts?.getFor(user, id);
    outbox ??= createOutbox(deps.registry.sql);
    const deliveries = await outbox.deliveries(id, { cooperativeId: user.cooperativeId, farmIds: user.role === 'farmer' ? user.farmIds : undefined });
    res.json({ alertId: id, deliveries: deliveries.map(deliveryOut) });
  });
  return router;
}
