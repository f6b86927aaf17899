// `ruong rules`: the rules engine (stream rules, minute check, 05:30 daily advice) and the alert notifications
// alone (issue 9). Readings come from an MQTT subscription to the broker (INGEST_MQTT_URL, default this
// machine's MQTT_PORT) with the ingest service credential and client id `ruong-ingest-rules`; rules, rule
// state, alerts and the outbox live in the registry (REGISTRY_URL or DATA_DIR); history (seeding, daily agronomy) in
// the store.
// Run ONE rules process: two would evaluate every reading twice (one open alert per cause still holds).
import { createAlertService } from '../core/alerts/alert-service.js';
import { createRuleStore } from '../core/alerts/rule-store.js';
import type { Config } from '../core/config.js';
import { createLifecycle, type Service } from '../core/lifecycle.js';
import { createLogger } from '../core/log.js';
import { createMetrics } from '../core/metrics.js';
import { openConfiguredRegistry } from './open-registry.js';
import { createRulesService } from '../rules/rules-service.js';
import { createMqttReadingSource } from './mqtt-reading-source.js';
import { createNotifications } from './notify-wiring.js';
import { ensureIngestSecret } from './service-secret.js';
import { metricsEndpoint } from './metrics-endpoint.js';
import { brokerUrlOf, ingestBrokers } from './ingest-brokers.js';
import { createConfiguredStore, storeService } from './configured-store.js';
import { registryService, runUntilSignal } from './process-services.js';
import { rulesDirectory } from './rules-wiring.js';
import { wireForecast } from './forecast-wiring.js';
import { controlDeps, wireCommands } from './command-wiring.js';
import { wireIrrigationFromTelemetry } from './irrigation-telemetry-wiring.js';
import { irrigationTrigger } from './irrigation-trigger.js';
import { deviceContextWatch } from './device-context-watch.js';

export async function runRules(config: Config, out: (line: string) => void): Promise<number> {
  const log = createLogger({ level: config.LOG_LEVEL });
  const registry = await openConfiguredRegistry(config, 'ruong rules');
  const credential = await ensureIngestSecret(registry, config);
  const rawRetentionMs = config.RAW_RETENTION_DAYS * 86_400_000;
  const store = createConfiguredStore(config, log);
  const metrics = createMetrics({ defaultMetrics: true });
  const servers = ingestBrokers(config);
  const [first] = servers;
  const source = createMqttReadingSource({
    servers, ingestShards: config.INGEST_SHARDS,
    ...credential, clientId: `${credential.username}-rules`, registry, log: log.child({ service: 'rules-source' }), rawRetentionMs,
  });
  const alerts = createAlertService({ sql: registry.sql, log: log.child({ service: 'alerts' }) });
  const ruleStore = createRuleStore(registry.sql);
  const directory = rulesDirectory(registry, ruleStore);
  const forecast = wireForecast(config, { registry, cooperativeIds: () => ruleStore.cooperativeIds(), log: log.child({ service: 'forecast' }) });
  const rules = createRulesService({
    source, ruleStore, alerts, directory, store, log: log.child({ service: 'rules' }), forecast: forecast && ((farm) => forecast.forFarm(farm)),
    metrics: {
      evaluated: (kind) => metrics.ruleEvaluations.inc({ kind }),
      alertOpened: (kind, severity) => metrics.alertsOpened.inc({ kind, severity }),
      taskRun: (task, outcome) => metrics.ruleTaskRuns.inc({ task, outcome }),
    },
  });
  // MQTT alerts (alerts/{farmId}) only through a broker on this machine (the notifier connects to 127.0.0.1).
  const loopback = first.host === '127.0.0.1' || first.host === 'localhost';
  const port = first.port;
  const notifications = await createNotifications(config, { registry, metrics, log, brokerPort: loopback ? () => port : undefined, source: alerts });
  // pump and valve commands (issue 17): requested through any `ruong api`, sent and tracked here
  const commands = wireCommands(config, {
    control: controlDeps(config, { registry, store, forecast: forecast && ((farm) => forecast.forFarm(farm)) }),
    source, alerts, log: log.child({ service: 'commands' }), credential, brokerUrl: () => brokerUrlOf(first),
  });
  const services: Service[] = [
    registryService(registry),
    storeService(store),
    // a device moved through `ruong api` (another process): its commands and readings follow it to the new field here too
    deviceContextWatch({ registry, log: log.child({ service: 'device-context-watch' }) }),
    notifications, ...(forecast ? [forecast.service] : []), rules, commands,
    // irrigation events from pump and valve telemetry (issue 17); at start it reads back what ended while it was down
    wireIrrigationFromTelemetry({ registry, store, source, log: log.child({ service: 'irrigation-telemetry' }), recorded: irrigationTrigger(async () => { await rules.checkMinute(); commands.poke(); }) }),
    { name: 'rules-source', start: () => source.start(), stop: () => source.stop() },
  ];
  const endpoint = await metricsEndpoint(config, metrics.registry, log);
  if (endpoint) services.push(endpoint);
  const lifecycle = createLifecycle(services, log);
  await runUntilSignal(lifecycle, log);
  out(`  Ruộng rules are running — store: ${store.kind}, broker: ${servers.map(brokerUrlOf).join(', ')}, data: ${config.DATA_DIR}`);
  if (endpoint) out(`  Metrics: http://${config.METRICS_HOST}:${endpoint.port()}/metrics`);
  out('  Stop with Ctrl-C.');
  return 0;
}
