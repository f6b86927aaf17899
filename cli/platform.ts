// Wires the whole platform in one process: registry → store → broker → ingest → API → simulator (the demo's
// simulated devices back-fill their history, then report in real time: cli/demo-simulator.ts).
// `ruong start` and the end-to-end tests both use this, so the tests run the real wiring.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../api/app.js';
import { smsInboundOptions } from './sms-inbound-wiring.js';
import { irrigationTrigger } from './irrigation-trigger.js';
import { createBrokerService } from '../broker/broker-service.js';
import type { Config } from '../core/config.js';
import { createLifecycle, type Lifecycle, type Service } from '../core/lifecycle.js';
import type { Logger } from '../core/log.js';
import { createEventBus } from '../core/event-bus.js';
import { createMetrics, type Metrics } from '../core/metrics.js';
import type { Registry } from '../core/registry/registry.js';
import { openConfiguredRegistry } from './open-registry.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import { createIngestService, spoolDirOf, type IngestService } from '../ingest/ingest-service.js';
import { createAllShards } from '../ingest/shard-coordinator.js';
import { seedDemo, type SimDeviceRecord } from './demo-seed.js';
import { ruleCatalog } from './rule-catalog.js';
import { demoSimulator } from './demo-simulator.js';
import { brokerOptions, configuredBrokerUrls } from './broker-config.js';
import { ensureIngestSecret, ensureLnsSecret } from './service-secret.js';
import { wireRules, type RulesWiring } from './rules-wiring.js';
import { wireForecast, type ForecastWiring } from './forecast-wiring.js';
import { controlDeps, wireCommands } from './command-wiring.js';
import type { CommandDispatcher } from '../rules/control/command-dispatcher.js';
import { wireIrrigationFromTelemetry } from './irrigation-telemetry-wiring.js';
import { createNotifications } from './notify-wiring.js';
import type { NotificationService } from '../core/alerts/notification-service.js';
import type { Scheduler } from '../rules/scheduler.js';
import { createHttpService } from './http-service.js';
import { createConfiguredStore, storeService } from './configured-store.js';
import { registryService } from './process-services.js';

export interface Platform {
  readonly lifecycle: Lifecycle;
  readonly registry: Registry;
  readonly store: ReadingStore;
  readonly metrics: Metrics;
  readonly ingest: IngestService;
  /** The rules engine (stream, minute check, 05:30 daily advice) and the alert lifecycle it shares with the API. */
  readonly rules: RulesWiring['rules'];
  readonly alerts: RulesWiring['alerts'];
  /** Alert notifications: outbox + channels (issue 7), fed by the alerts service's lifecycle events. */
  readonly notifications: NotificationService;
  /** The weather forecast (issue 17): undefined unless FORECAST_URL is set. */
  readonly forecast: ForecastWiring | undefined;
  readonly demo: { password: string; generated: boolean } | undefined;
  /** Pump and valve commands (issue 17): `tick()` runs one pass (sends, retries, automatic mode's next run). */
  readonly commands: Pick<CommandDispatcher, 'tick' | 'poke'>;
  /** Irrigation events from pump and valve telemetry (issue 17): `idle()` once what was heard is recorded. */
  readonly irrigationTelemetry: { idle(): Promise<void> };
  httpPort(): number;
  mqttPort(): number;
  mqttWsPort(): number | undefined;
  mqttTlsPort(): number | undefined;
  revokeDevice(deviceId: string): Promise<boolean>;
}


export async function createPlatform(config: Config, log: Logger, opts: { simStartMs?: number; now?: () => number; scheduler?: Scheduler } = {}): Promise<Platform> {
  mkdirSync(config.DATA_DIR, { recursive: true });
  const registry = await openConfiguredRegistry(config, 'ruong start');
  let demo: Platform['demo'];
  if (config.DEMO && await registry.isEmpty()) {
    const seeded = await seedDemo(registry, config.DATA_DIR, config.DEMO_PASSWORD);
    demo = { password: seeded.password, generated: seeded.generated };
    log.info({ devices: seeded.devices.length }, 'demo cooperative seeded');
  }
  const ingestCredential = await ensureIngestSecret(registry, config);
  await ensureLnsSecret(registry, config);
  const metrics = createMetrics({ defaultMetrics: true });
  const store = createConfiguredStore(config, log);
  const broker = createBrokerService(brokerOptions(config, { auth: registry, log: log.child({ service: 'broker' }), metrics }));
  const ingest = createIngestService({
    broker: { host: '127.0.0.1', get port() { return broker.addresses().tcp; }, ...ingestCredential },
    // One process: this ingest consumes every shard when the broker shards uplinks (INGEST_SHARDS > 1).
    sharding: config.INGEST_SHARDS > 1 ? createAllShards(config.INGEST_SHARDS) : undefined,
    store, registry, metrics, log: log.child({ service: 'ingest' }),
    batchSize: config.INGEST_BATCH_SIZE, batchDelayMs: config.INGEST_BATCH_MS,
    spoolDir: spoolDirOf(config.DATA_DIR), spoolMaxBytes: config.INGEST_SPOOL_MAX_MB * 1024 * 1024,
    rawRetentionMs: config.RAW_RETENTION_DAYS * 86_400_000, rollupRefreshMs: config.ROLLUP_REFRESH_S * 1000,
  });
  // Live updates: the ingest's stored batches feed the API's SSE stream and latest-value cache.
  const bus = createEventBus();
  ingest.events.on('stored', (readings) => bus.emit('readings', { readings }));
  // the farms' locations are read at each poll, once the rules have their cooperatives
  const forecast = wireForecast(config, { registry, cooperativeIds: () => ruleStore.cooperativeIds(), log: log.child({ service: 'forecast' }), now: opts.now });
  const { alerts, ruleStore, rules } = wireRules({
    registry, store, ingest, metrics, log: log.child({ service: 'rules' }), bus, now: opts.now, scheduler: opts.scheduler,
    forecast: forecast && ((farm) => forecast.forFarm(farm)),
  });
  // pump and valve commands (issue 17): the API records them, the dispatcher sends and tracks them
  const control = controlDeps(config, { registry, store, forecast: forecast && ((farm) => forecast.forFarm(farm)) });
  const commands = wireCommands(config, {
    control, alerts, log: log.child({ service: 'commands' }), now: opts.now, credential: ingestCredential,
    brokerUrl: () => `mqtt://127.0.0.1:${broker.addresses().tcp}`,
    source: { subscribe(listener) { ingest.events.on('stored', listener); return () => { ingest.events.off('stored', listener); }; } },
  });
  const app = buildApp({
    bus, control, commandRequested: () => commands.poke(),
    registry, store, metrics, log: log.child({ service: 'api' }), sessionTtlMs: config.SESSION_TTL_H * 3_600_000,
    readiness: async () => ({ store: await store.ping(), broker: broker.isReady() }),
    disconnectDevice: (deviceId) => { broker.disconnect(deviceId); },
    brokerUrls: () => configuredBrokerUrls(config, broker.addresses()),
    alerts, advice: ruleStore, rules: ruleCatalog, webhookSecret: config.WEBHOOK_SECRET,
    smsInbound: smsInboundOptions(config),
    irrigationRecorded: irrigationTrigger(() => rules.checkMinute()),
  });
  const api = createHttpService(app, config.HTTP_HOST, config.HTTP_PORT, log);
  // Notifications start before the rules engine (they subscribe to its alerts) and stop after it.
  const notifications = await createNotifications(config, { registry, metrics, log, brokerPort: () => broker.addresses().tcp, source: alerts });
  // the forecast's cache is loaded before the rules' first daily run
  // irrigation events from pump and valve telemetry (issue 17): one per run, into the water balance; once the rules
  // have re-evaluated with it, the dispatcher looks for automatic fields that need their next run (automatic-mode.ts)
  const irrigationTelemetry = wireIrrigationFromTelemetry({
    registry, store, log: log.child({ service: 'irrigation-telemetry' }), now: opts.now, recorded: irrigationTrigger(async () => { await rules.checkMinute(); commands.poke(); }),
    source: { subscribe(listener) { ingest.events.on('stored', listener); return () => { ingest.events.off('stored', listener); }; } },
  });
  const services: Service[] = [registryService(registry), storeService(store), broker, notifications, ...(forecast ? [forecast.service] : []), rules, commands, irrigationTelemetry, ingest, api];

  const simFile = join(config.DATA_DIR, 'sim-devices.json');
  if (config.SIM && existsSync(simFile)) {
    const devices = JSON.parse(readFileSync(simFile, 'utf8')) as SimDeviceRecord[];
    services.push(demoSimulator({ devices, config, registry, store, rules, log: log.child({ service: 'sim' }), brokerPort: () => broker.addresses().tcp, startMs: opts.simStartMs }));
  }
  return {
    lifecycle: createLifecycle(services, log),
    registry, store, metrics, ingest, demo, rules, alerts, notifications, forecast, commands, irrigationTelemetry,
    httpPort: () => api.port(),
    mqttPort: () => broker.addresses().tcp,
    mqttWsPort: () => broker.addresses().ws,
    mqttTlsPort: () => broker.addresses().tls,
    async revokeDevice(deviceId) {
      const revoked = await registry.revokeDevice(deviceId);
      broker.disconnect(deviceId);
      return revoked;
    },
  };
}
