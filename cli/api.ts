// `ruong api`: the HTTP API and dashboard alone (issue 9) — any number of these behind an HTTP load balancer.
// The process keeps no state of its own: sessions, alerts and advice live in the registry (PostgreSQL with
// REGISTRY_URL, which API processes on several hosts share; else DATA_DIR's SQLite file), readings in the configured
// store, so a request may land on any API process sharing them.
// Not in this process (documented in docs/deploy.md): live updates over SSE (they are fed by an ingest in the
// same process) and the immediate disconnect of a revoked device (the broker refuses its next CONNECT).
import { buildApp } from '../api/app.js';
import { smsInboundOptions } from './sms-inbound-wiring.js';
import { createAlertService } from '../core/alerts/alert-service.js';
import { createRuleStore } from '../core/alerts/rule-store.js';
import type { Config } from '../core/config.js';
import { createLifecycle, type Service } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import { createMetrics } from '../core/metrics.js';
import { openConfiguredRegistry, registryLocation } from './open-registry.js';
import { configuredBrokerUrls } from './broker-config.js';
import { controlDeps } from './command-wiring.js';
import { brokerUrlsReader } from './broker-urls-file.js';
import { deviceContextWatch } from './device-context-watch.js';
import { createHttpService } from './http-service.js';
import { ruleCatalog } from './rule-catalog.js';
import { createConfiguredStore, storeService } from './configured-store.js';
import { registryService, runUntilSignal } from './process-services.js';

export async function runApi(config: Config, out: (line: string) => void): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL });
  const registry = await openConfiguredRegistry(config, 'ruong api');
  const store = createConfiguredStore(config, log);
  const app = buildApp({
    registry, store, metrics: createMetrics({ defaultMetrics: true }), log: log.child({ service: 'api' }),
    sessionTtlMs: config.SESSION_TTL_H * 3_600_000,
    readiness: async () => ({ store: await store.ping() }),
    // the URLs the running broker recorded (cli/broker-urls-file.ts), else this process's settings
    brokerUrls: await brokerUrlsReader({ registry, config }, () => configuredBrokerUrls(config)),
    alerts: createAlertService({ sql: registry.sql, log: log.child({ service: 'alerts' }) }),
    advice: createRuleStore(registry.sql), rules: ruleCatalog, webhookSecret: config.WEBHOOK_SECRET,
    smsInbound: smsInboundOptions(config),
    // pump and valve commands are recorded here and sent by `ruong rules` (its dispatcher polls the registry)
    control: controlDeps(config, { registry, store }),
  });
  const http = createHttpService(app, config.HTTP_HOST, config.HTTP_PORT, log);
  const services: Service[] = [
    registryService(registry),
    // moves made by another API process reach this one's cached device contexts (cli/device-context-watch.ts)
    deviceContextWatch({ registry, log: log.child({ service: 'device-context-watch' }) }),
    storeService(store),
    http,
  ];
  const lifecycle = createLifecycle(services, log);
  await runUntilSignal(lifecycle, log);
  out(`  Ruộng API is running — store: ${store.kind}, registry: ${registryLocation(config)}`);
  out(`  HTTP:       http://${config.PUBLIC_HOST}:${http.port()}/`);
  out('  Stop with Ctrl-C.');
  return 0;
}
