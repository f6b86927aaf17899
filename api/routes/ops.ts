// Operations endpoints: liveness, readiness (store and broker reachable), Prometheus metrics.
import { Router } from 'express';
import type { Metrics } from '../../core/metrics.js';

export function opsRoutes(deps: { metrics: Metrics; readiness: () => Promise<Record<string, boolean>> }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    const checks = await deps.readiness();
    const ready = Object.values(checks).every(Boolean);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', checks });
  });
  router.get('/metrics', async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });
  return router;
}
