// Wires the pump and valve command dispatcher (issue 17, rules/control/) into a process that has the rules engine:
// `ruong start` (readings from the in-process ingest) and `ruong rules` (its MQTT reading source). Commands are
// published with the ingest service credential (client id `ruong-ingest-commands`), which may publish devices/+/down.
import type { AlertService } from '../core/alerts/alert-service.js';
import type { ControlDeps } from '../core/commands/command-requests.js';
import type { Config } from '../core/config.js';
import type { Logger } from '../core/log.js';
import { createCommands } from '../core/registry/commands.js';
import type { Registry } from '../core/registry/registry.js';
import type { Farm } from '../core/registry/types.js';
import type { ReadingStore } from '../core/store/reading-store.js';
import type { Forecast } from '../core/weather/forecast.js';
import { createCommandDispatcher, type CommandDispatcher } from '../rules/control/command-dispatcher.js';
import { createMqttCommandPublisher } from '../rules/control/mqtt-command-publisher.js';
import type { ReadingSource } from '../rules/reading-source.js';

/** What the API needs to take command requests in any process (no dispatcher of its own). */
export function controlDeps(config: Config, deps: { registry: Registry; store: ReadingStore; forecast?: ((farm: Farm) => Forecast | undefined) | undefined }): ControlDeps {
  return { registry: deps.registry, store: deps.store, commands: createCommands(deps.registry.sql), forecast: deps.forecast, maxMinutes: config.COMMAND_MAX_MINUTES };
}

export function wireCommands(config: Config, deps: {
  control: ControlDeps; source: ReadingSource; alerts: AlertService; log: Logger;
  /** The broker the commands go through, and the ingest service credential. */
  brokerUrl: () => string; credential: { username: string; password: string };
  now?: (() => number) | undefined;
}): CommandDispatcher {
  return createCommandDispatcher({
    ...deps.control,
    source: deps.source, alerts: deps.alerts, log: deps.log, now: deps.now,
    publisher: createMqttCommandPublisher({ url: deps.brokerUrl, ...deps.credential, clientId: `${deps.credential.username}-commands` }),
    attempts: config.COMMAND_ATTEMPTS, retryMs: config.COMMAND_RETRY_S * 1000,
  });
}
