// buildApp(deps) builds the Express 5 application and never listens (cli/ does).
import express, { type Express } from 'express';
import type { EventBus } from '../core/event-bus.js';
import type { AlertService } from '../core/alerts/alert-service.js';
import type { ControlDeps } from '../core/commands/command-requests.js';
import type { RuleCatalog } from '../core/alerts/rule-store.js';
import type { Logger } from '../core/log.js';
import type { Metrics } from '../core/metrics.js';
import type { Registry } from '../core/registry/registry.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { requireUser } from './auth.js';
import { API_VERSION, allEndpoints } from './endpoints.js';
import { errorHandler, notFound } from './http-errors.js';
import { createLatestCache } from './latest-cache.js';
import { openApiRoutes } from './openapi.js';
import { adviceRoutes, type AdviceReader } from './routes/advice.js';
import { alertRoutes } from './routes/alerts.js';
import { authRoutes } from './routes/auth.js';
import { commandRoutes } from './routes/commands.js';
import { scheduleRoutes } from './routes/command-schedules.js';
import { contactRoutes } from './routes/contacts.js';
import { deliveryRoutes } from './routes/deliveries.js';
import { healthRoutes } from './routes/device-health.js';
import { eventRoutes } from './routes/events.js';
import { farmRoutes } from './routes/farms.js';
import { deviceRoutes } from './routes/devices.js';
import { ingestHealthRoutes } from './routes/ingest-health.js';
import { dailyRoutes } from './routes/field-daily.js';
import { fieldRoutes } from './routes/fields.js';
import { irrigationRoutes } from './routes/irrigations.js';
import { smsInboundRoutes, type SmsInboundOptions } from './routes/sms-inbound.js';
import { opsRoutes } from './routes/ops.js';
import { readingRoutes } from './routes/readings.js';
import { ruleRoutes } from './routes/rules.js';
import { userRoutes } from './routes/users.js';
import { waterAccountRoutes } from './routes/water-account.js';
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
  /** In-process live events (stored readings, alert changes) for SSE and the latest-value cache; absent when the API runs apart. */
  readonly bus?: EventBus | undefined;
  /** A device without a reading for this long shows as offline on the dashboard (default 1 h). */
  readonly offlineAfterMs?: number | undefined;
  readonly sseHeartbeatMs?: number | undefined;
  /** Closes a device's live MQTT session (revocation, new secret); wired by cli/ to the broker. */
  readonly disconnectDevice?: ((deviceId: string) => void) | undefined;
  /** Broker URLs handed to devices with their credentials. */
  readonly brokerUrls?: (() => readonly string[]) | undefined;
  /** WEBHOOK_SECRET, from which each webhook contact's signing secret derives (issue 7). */
  readonly webhookSecret?: string | undefined;
  /** The alert lifecycle (core/alerts) and each field's advice, when the rules engine shares this process's registry (issue 5). */
  readonly alerts?: AlertService | undefined;
  readonly advice?: AdviceReader | undefined;
  /** The SMS gateway's inbound webhook (issue 17): its secret and how answers are sent; absent = no webhook. */
  readonly smsInbound?: SmsInboundOptions | undefined;
  /** Told when an irrigation is recorded, so a rules engine in this process takes it at once (else at its minute check). */
  readonly irrigationRecorded?: (() => void) | undefined;
  /** The rules engine's schema and rule selection, for the rules API (issue 16); wired by cli/. */
  readonly rules?: RuleCatalog | undefined;
  /** Pump and valve commands (issue 17): interlock inputs and limits (cli/command-wiring.ts); default no forecast, 240 min. */
  readonly control?: ControlDeps | undefined;
  /** Told when a command is requested, so a dispatcher in this process sends it at once (else at its next poll). */
  readonly commandRequested?: (() => void) | undefined;
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
  app.use(openApiRoutes(() => allEndpoints(deps.rules?.schema), API_VERSION));
  app.use(dashboardRoutes());
  const latest = createLatestCache({ store: deps.store, bus: deps.bus, now: deps.now });

  // the SMS gateway signs the raw body and carries no user credential: mounted before the JSON parser and requireUser
  app.use('/api/v1', smsInboundRoutes(deps));
  const v1 = express.Router();
  v1.use(express.json({ limit: '256kb' }));
  v1.use(authRoutes(deps));
  v1.use(requireUser(deps.registry));
  v1.use(fieldRoutes({ ...deps, latest }));
  v1.use(farmRoutes(deps));
  v1.use(readingRoutes(deps));
  v1.use(dailyRoutes(deps));
  v1.use(irrigationRoutes(deps));
  v1.use(commandRoutes(deps));
  v1.use(scheduleRoutes(deps));
  v1.use(waterAccountRoutes(deps));
  v1.use(healthRoutes({ ...deps, latest, offlineAfterMs: deps.offlineAfterMs ?? 3_600_000 }));
  v1.use(userRoutes(deps));
  v1.use(deviceRoutes(deps));
  v1.use(ingestHealthRoutes(deps));
  v1.use(contactRoutes(deps));
  v1.use(deliveryRoutes(deps));
  if (deps.alerts) v1.use(alertRoutes({ ...deps, alerts: deps.alerts }));
  if (deps.advice) v1.use(adviceRoutes({ ...deps, advice: deps.advice }));
  if (deps.rules) v1.use(ruleRoutes({ ...deps, rules: deps.rules }));
  v1.use(eventRoutes({ ...deps, heartbeatMs: deps.sseHeartbeatMs }));
  app.use('/api/v1', v1);

  app.use(notFound);
  app.use(errorHandler(deps.log));
  return app;
}
