// Sequence gaps per device (issue 4): which of a device's numbered messages never arrived, which arrived
// late, how many were re-sent. Counted by the ingest (core/telemetry/sequence.ts) and kept in the reading
// store with the readings it counts (issue 14). A device of another cooperative, or outside a farmer's farms,
// is a 404.
import { Router } from 'express';
import { z } from 'zod';
import { RuongError } from '../../core/errors.js';
import type { Registry } from '../../core/registry/registry.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { visibleDevices } from '../scope.js';

const DeviceParams = z.object({ id: z.string().min(1).max(64) });
export const DeviceGapsOut = z.object({
  deviceId: z.string(),
  tracked: z.boolean().describe('false until the device has sent a sequence number'),
  nextSeq: z.number().nullable().describe('one past the highest sequence number seen'),
  missing: z.number().describe('sequence numbers not (yet) received'),
  missingRanges: z.array(z.tuple([z.number(), z.number()])).describe('inclusive [from, to] ranges still missing, oldest first (at most 100)'),
  gapsTotal: z.number().describe('sequence numbers ever found missing'),
  lateTotal: z.number().describe('of those, how many arrived late'),
  duplicatesTotal: z.number().describe('messages re-sent with a number already seen'),
  resetsTotal: z.number().describe('times the device restarted its numbering'),
  lastSeenAt: z.string().nullable(),
});

export const ingestHealthEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/devices/:id/gaps', tag: 'devices', summary: 'Missing, late and re-sent messages of a device, by sequence number', params: DeviceParams, response: DeviceGapsOut },
];

export function ingestHealthRoutes(deps: { registry: Registry; store: Pick<ReadingStore, 'sequenceStates'> }): Router {
  const router = Router();
  router.get('/devices/:id/gaps', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(DeviceParams, req.params, 'params');
    if (!(await visibleDevices(deps.registry, user)).some((d) => d.device.id === id)) throw new RuongError('NOT_FOUND', `device ${id} not found`);
    const s = (await deps.store.sequenceStates([id])).get(id);
    res.json({
      deviceId: id,
      tracked: s !== undefined,
      nextSeq: s?.nextSeq ?? null,
      missing: s?.missingCount ?? 0,
      missingRanges: s?.missing ?? [],
      gapsTotal: s?.gapsTotal ?? 0,
      lateTotal: s?.filledTotal ?? 0,
      duplicatesTotal: s?.duplicatesTotal ?? 0,
      resetsTotal: s?.resetsTotal ?? 0,
      lastSeenAt: s ? new Date(s.lastSeenAt).toISOString() : null,
    } satisfies z.infer<typeof DeviceGapsOut>);
  });
  return router;
}
