// buildApp(deps) builds the Express 5 application and never listens (cli/ does).
import express, { type Express } from 'express';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Registry } from '../core/registry/registry.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { requireUser } from './auth.js';
import { errorHandler, notFound } from './http-errors.js';
import { authRoutes } from './routes/auth.js';
import { fieldRoutes } from './routes/fields.js';
import { opsRoutes } from './routes/ops.js';
import { dashboardRoutes } from './web/dashboard.js';

export interface ApiDeps {
  readonly registry: Registry;
  readonly store: ReadingStore;
  readonly metrics: Metrics;
  readonly log: Logger;
  /** Named readiness checks for /readyz, e.g. {store: true, broker: true}. */
  readonly readiness: () => Promise<Record<string, boolean>>;
  readonly sessionTtlMs: number;
  readonly now?: () => number;
}

export function buildApp(deps: ApiDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use((_req, res, next) => {
    res.set({ 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer', 'X-Frame-Options': 'DENY' });
    next();
  });
  app.use(opsRoutes(deps));
  app.use(dashboardRoutes());

  const v1 = express.Router();
  v1.use(express.json({ limit: '256kb' }));
  v1.use(authRoutes(deps));
  v1.use(requireUser(deps.registry));
  v1.use(fieldRoutes(deps));
  app.use('/api/v1', v1);

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
