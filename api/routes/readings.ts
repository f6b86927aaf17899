// Readings of a field: a chart series (raw, or windows keeping ≤ ~1,000 points per series), a CSV export of
// any range streamed slice by slice, and the metric catalogue. Scoped like every field lookup (api/scope.ts).
import { Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../core/log.js';
import type { Registry } from '../../core/registry/registry.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { metricCatalogue, metricSpec } from '../../core/telemetry/metrics.js';
import { currentUser } from '../auth.js';
import { streamCsv } from '../csv-export.js';
import { parseOr400 } from '../http-errors.js';
import type { Endpoint } from '../openapi.js';
import { CsvQuery, DAY_MS, IdParams, ReadingsOut, ReadingsQuery } from '../schemas.js';
import { fieldOr404 } from '../scope.js';
import { MAX_POINTS, readSeries, toColumns } from '../series.js';

const MetricOut = z.object({
  name: z.string(), group: z.string(), unit: z.string(), min: z.number(), max: z.number(),
  label: z.object({ vi: z.string(), en: z.string() }), depth: z.boolean().optional(),
});

export const readingEndpoints: readonly Endpoint[] = [
  {
    method: 'get', path: '/fields/:id/readings', tag: 'readings', params: IdParams, query: ReadingsQuery, response: ReadingsOut,
    summary: 'One metric of a field over a range (default: the last 24 h), one series per device as columns: raw points, or windows when `every` is set or a series would exceed 1,000 points',
  },
  {
    method: 'get', path: '/fields/:id/readings.csv', tag: 'readings', params: IdParams, query: CsvQuery, produces: 'text/csv',
    summary: 'Every raw reading of one metric over any range as CSV (default: the last 24 h), streamed',
  },
  { method: 'get', path: '/catalogue', tag: 'readings', summary: 'Metrics, canonical units and plausibility bounds', response: z.object({ metrics: z.array(MetricOut) }) },
];

export function readingRoutes(deps: { registry: Registry; store: ReadingStore; log: Logger; now?: (() => number) | undefined }): Router {
  const router = Router();
  const now = deps.now ?? Date.now;

  router.get('/fields/:id/readings', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const q = parseOr400(ReadingsQuery, req.query, 'query');
    const field = await fieldOr404(deps.registry, user, id);
    const to = q.to ?? now();
    const from = q.from ?? to - DAY_MS;
    const series = await readSeries(deps.store, { cooperativeId: user.cooperativeId, fieldId: field.id, deviceId: q.device, metric: q.metric, from, to }, q.every);
    res.json({
      fieldId: field.id, metric: q.metric, unit: metricSpec(q.metric)?.unit ?? null,
      from: new Date(from).toISOString(), to: new Date(to).toISOString(),
      everyMs: series.everyMs, downsampled: series.downsampled, truncated: false, maxPoints: MAX_POINTS, series: toColumns(series),
    });
  });

  router.get('/fields/:id/readings.csv', async (req, res) => {
    const user = currentUser(req);
    const { id } = parseOr400(IdParams, req.params, 'params');
    const q = parseOr400(CsvQuery, req.query, 'query');
    const field = await fieldOr404(deps.registry, user, id);
    const to = q.to ?? now();
    const from = q.from ?? to - DAY_MS;
    const name = `${field.id}_${q.metric.replace('@', '-')}_${new Date(from).toISOString().slice(0, 10)}_${new Date(to).toISOString().slice(0, 10)}.csv`;
    res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="${name}"`, 'Cache-Control': 'no-store' });
    try {
      await streamCsv(res, deps.store, { cooperativeId: user.cooperativeId, fieldId: field.id, deviceId: q.device, metric: q.metric, from, to }, metricSpec(q.metric)?.unit ?? '');
      res.end();
    } catch (err) {
      if (!res.headersSent) throw err; // nothing sent yet: the error middleware answers
      deps.log.error({ err, fieldId: field.id }, 'csv export failed');
      res.destroy(); // the client sees a cut-short download, not a silently incomplete file
    }
  });

  router.get('/catalogue', (_req, res) => {
    res.json({ metrics: metricCatalogue });
  });
  return router;
}
