// Today's irrigation advice of a field, as the rules engine last computed it (at 05:30, at start and on every
// reading that changes it): {fieldId, date, status, text: {vi, en}, numbers, method, et0}. Scoped through
// registry.field(user, id) like every field route: another tenant's field is a 404.
import { Router } from 'express';
import { z } from 'zod';
import { AdviceStatus, type Advice } from '../../core/alerts/rule-store.js';
import { RuongError } from '../../core/errors.js';
import type { Registry } from '../../core/registry/registry.js';
import { currentUser } from '../auth.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { IdParams } from '../schemas.js';

export interface AdviceReader {
  advice(cooperativeId: string, fieldId: string): Promise<Advice | undefined>;
}

const FieldParams = IdParams;
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

export const AdviceOut = z.object({
  fieldId: z.string(), date: z.string().describe('local date (Asia/Ho_Chi_Minh) the advice is for'), status: AdviceStatus,
  text: z.object({ vi: z.string(), en: z.string() }),
  numbers: z.record(z.string(), z.number().nullable()).describe('depletion, RAW, depth mm, m³, pump minutes, level cm …'),
  method: z.string().describe('soil-sensors | water-balance | awd-tube | none'),
  et0: z.object({ date: z.string(), mm: z.number(), method: z.string(), estimated: z.array(z.string()) }).nullable(),
  computedAt: z.string(),
});

export const adviceEndpoints: readonly Endpoint[] = [
  { method: 'get', path: '/fields/:id/advice', tag: 'advice', summary: "Today's irrigation advice for a field, with its numbers and method", params: FieldParams, response: AdviceOut },
];

export function adviceRoutes(deps: { registry: Registry; advice: AdviceReader; now?: () => number }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  router.get('/fields/:id/advice', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(FieldParams, req.params, 'params');
    const field = await deps.registry.field(user, id);
    if (!field) throw new RuongError('NOT_FOUND', `field ${id} not found`);
    const advice = await deps.advice.advice(user.cooperativeId, field.id);
    if (advice) {
      res.json(advice);
      return;
    }
    const t = now();
    res.json({
      fieldId: field.id, date: new Date(t + VIETNAM_OFFSET_MS).toISOString().slice(0, 10), status: 'no_data', method: 'none', numbers: {}, et0: null,
      text: { vi: `${field.name}: chưa có khuyến cáo — đang chờ số liệu cảm biến`, en: `${field.name}: no advice yet — waiting for sensor data` },
      computedAt: new Date(t).toISOString(),
    });
  });

  return router;
}
