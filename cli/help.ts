// `ruong <command> --help`: each command's usage, its options and the environment variables it reads, with
// their defaults (core/config.ts configDocs). Printing help starts nothing and reads no configuration.
import { configDocs } from '../core/config.js';
import { cooperativeHelp, deadLettersHelp, provisionHelp, simHelp } from './usage-texts.js';

const LOGGING = ['LOG_LEVEL', 'LOG_FORMAT'];
const STORE = ['STORE', 'INFLUX_URL', 'RAW_RETENTION_DAYS'];
const METRICS = ['METRICS_HOST', 'METRICS_PORT'];
const BROKER = [
  'MQTT_HOST', 'MQTT_PORT', 'MQTT_WS_PORT', 'MQTT_TLS_PORT', 'MQTT_TLS_CERT', 'MQTT_TLS_KEY', 'MQTT_TLS_CA', 'MQTT_ALLOW_ANONYMOUS',
  'MQTT_MAX_PACKET_BYTES', 'MQTT_KEEPALIVE_MAX_S', 'MQTT_CONNECT_TIMEOUT_S', 'MQTT_DRAIN_TIMEOUT_S',
  'MQTT_CONNECT_RATE', 'MQTT_CONNECT_BURST', 'MQTT_PUBLISH_RATE', 'MQTT_PUBLISH_BURST', 'BROKER_IDLE_COMPACTION', 'REDIS_URL', 'INGEST_SHARDS',
];
const INGEST = ['INGEST_BATCH_SIZE', 'INGEST_BATCH_MS', 'INGEST_SPOOL_MAX_MB', 'ROLLUP_REFRESH_S'];
const SMS = ['SMS_GATEWAY_URL', 'SMS_GATEWAY_AUTH', 'SMS_GATEWAY_AUTH_HEADER', 'SMS_GATEWAY_BODY', 'SMS_GATEWAY_CONTENT_TYPE', 'SMS_UNACCENTED'];
const NOTIFY = [
  'SMTP_URL', 'SMTP_FROM', ...SMS, 'ZALO_ACCESS_TOKEN', 'ZALO_TEMPLATE_ID', 'ZALO_API_URL', 'WEBHOOK_SECRET',
  'ALERTS_MQTT', 'NOTIFY_TTL_H', 'NOTIFY_MAX_PER_HOUR',
];
/** The SMS replies' webhook (cli/sms-inbound-wiring.ts) of the API, answering through the SMS gateway. */
const SMS_INBOUND = ['SMS_INBOUND_SECRET', ...SMS];
const COMMANDS = ['COMMAND_ATTEMPTS', 'COMMAND_RETRY_S', 'COMMAND_MAX_MINUTES'];
/** The URLs printed in device credentials come from these (cli/broker-config.ts configuredBrokerUrls). */
const BROKER_URLS = ['PUBLIC_HOST', 'MQTT_PORT', 'MQTT_WS_PORT', 'MQTT_TLS_PORT', 'MQTT_TLS_CERT', 'MQTT_TLS_KEY'];

export interface CommandHelp {
  readonly usage: string;
  /** Its usage lists options (--field …); the long-running services take none: their settings are the environment's. */
  readonly takesOptions?: boolean;
  /** The variables the command reads, most asked-for first (an unknown option's message names the first few). */
  readonly env: readonly string[];
}

/** A command's variables in order, each once. */
const vars = (...names: string[]): string[] => [...new Set(names)];

/** A long-running service's usage: it takes no options, its settings are environment variables. */
const service = (command: string, what: string, example: string): string =>
  `Usage: ruong ${command}\n${what}\nNo options: its settings are the environment variables below, e.g. ${example} ruong ${command}`;

/** The registry (issue 18): PostgreSQL with REGISTRY_URL, else DATA_DIR/registry.db. */
const REGISTRY = ['REGISTRY_URL', 'REGISTRY_POOL_MAX'] as const;

export const commandHelp: Record<string, CommandHelp> = {
  start: {
    usage: service('start', 'The whole platform in one process: broker, ingest, rules, API + dashboard, demo simulator.', 'HTTP_PORT=3000 MQTT_PORT=1884'),
    env: vars('HTTP_PORT', 'MQTT_PORT', 'DATA_DIR', ...REGISTRY, 'HTTP_HOST', 'PUBLIC_HOST', ...BROKER, ...STORE, ...INGEST, 'SESSION_TTL_H',
      'DEMO', 'DEMO_PASSWORD', 'SIM', 'SIM_SPEED', 'SIM_INTERVAL_S', 'FORECAST_URL', ...COMMANDS, ...NOTIFY, ...SMS_INBOUND, ...LOGGING),
  },
  broker: {
    usage: service('broker', 'The MQTT broker alone, sharing the registry (REGISTRY_URL, else DATA_DIR); with REDIS_URL its sessions outlive it.', 'MQTT_PORT=1884 REDIS_URL=redis://127.0.0.1:6379'),
    env: vars('MQTT_PORT', 'MQTT_WS_PORT', 'DATA_DIR', ...REGISTRY, 'PUBLIC_HOST', ...BROKER, ...METRICS, ...LOGGING),
  },
  ingest: {
    usage: service('ingest', 'The ingest alone: subscribes to the broker(s) and writes readings to the store.', 'INGEST_MQTT_URL=mqtt://10.0.0.5:1883'),
    env: vars('INGEST_MQTT_URL', 'MQTT_PORT', 'DATA_DIR', ...REGISTRY, ...STORE, ...INGEST, 'INGEST_SHARDS', 'INGEST_WORKER_ID', 'INGEST_SHARD_LEASE_MS',
      'REDIS_URL', ...METRICS, ...LOGGING),
  },
  api: {
    usage: service('api', 'The HTTP API and dashboard alone, stateless (several behind a load balancer).', 'HTTP_PORT=3000'),
    env: vars('HTTP_PORT', 'HTTP_HOST', 'DATA_DIR', ...REGISTRY, ...STORE, 'SESSION_TTL_H', 'WEBHOOK_SECRET', ...SMS_INBOUND, ...BROKER_URLS, ...COMMANDS, ...LOGGING),
  },
  rules: {
    usage: service('rules', 'The rules engine and alert notifications alone, fed by an MQTT subscription.', 'INGEST_MQTT_URL=mqtt://10.0.0.5:1883'),
    env: vars('INGEST_MQTT_URL', 'MQTT_PORT', 'DATA_DIR', ...REGISTRY, ...STORE, 'INGEST_SHARDS', 'FORECAST_URL', ...COMMANDS, ...NOTIFY, ...METRICS, ...LOGGING),
  },
  provision: { usage: provisionHelp, takesOptions: true, env: vars('DATA_DIR', ...REGISTRY, ...BROKER_URLS) },
  cooperative: { usage: cooperativeHelp, takesOptions: true, env: vars('DATA_DIR', ...REGISTRY) },
  'dead-letters': { usage: deadLettersHelp, takesOptions: true, env: vars('DATA_DIR', ...REGISTRY) },
  sim: { usage: `Usage: ${simHelp}`, takesOptions: true, env: vars('PUBLIC_HOST', 'MQTT_PORT', 'DATA_DIR', ...LOGGING) },
};

/** Option names a command's help mentions (--field, --kind …): what an unknown option's message offers. */
export function optionsOf(command: string): string[] {
  const help = commandHelp[command];
  if (!help?.takesOptions) return [];
  return [...new Set(help.usage.match(/--[a-z][a-z0-9-]*/g) ?? [])];
}

/** Each variable's default as documented ("HTTP_HOST / HTTP_PORT", "0.0.0.0 / 8080" → HTTP_PORT: 8080). */
export function variableDefaults(): Map<string, string> {
  const defaults = new Map<string, string>();
  for (const [names, def] of configDocs) {
    const each = names.split(' / ');
    const values = def.split(' / ');
    each.forEach((name, k) => defaults.set(name, (values.length === each.length ? values[k] : def) ?? def));
  }
  return defaults;
}

/** The configDocs rows that document a command's variables, as "  NAME  meaning [default]" lines. */
export function environmentLines(env: readonly string[]): string[] {
  const rows = configDocs.filter(([names]) => names.split(' / ').some((n) => env.includes(n)));
  const width = Math.max(...rows.map(([n]) => n.length));
  return rows.map(([name, def, text]) => `  ${name.padEnd(width)}  ${text} [${def}]`);
}

/** `ruong <command> --help`. */
export function helpFor(command: string): string | undefined {
  const help = commandHelp[command];
  if (!help) return undefined;
  return [
    help.usage,
    '',
    help.env.length > 0 ? 'Environment variables it reads (default in brackets):' : 'It reads no environment variables.',
    ...environmentLines(help.env),
  ].join('\n');
}

/** `ruong --help`: the commands, then every setting. */
export function mainHelp(commands: Record<string, string>): string {
  return [
    'Ruộng — telemetry and irrigation alerts for farm cooperatives',
    '',
    'Usage: ruong <command> [options]        ruong <command> --help: its options and the variables it reads',
    '',
    'Commands:',
    ...Object.entries(commands).map(([name, text]) => `  ${name.padEnd(12)} ${text}`),
    '',
    'Configuration (environment variables, default in brackets):',
    ...environmentLines(configDocs.flatMap(([names]) => names.split(' / '))),
  ].join('\n');
}
