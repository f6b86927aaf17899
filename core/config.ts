// Configuration from the environment, validated with zod. Only cli/ passes process.env in.
// A bad value stops start-up with a message that names the variable.
import { z } from 'zod';
import { RuongError } from './errors.js';
import { MAX_SHARDS } from './telemetry/ingest-shards.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

/** One mqtt://host:port URL, or several separated by commas. */
function isMqttUrlList(value: string): boolean {
  return value.split(',').every((part) => {
    try {
      return new URL(part.trim()).protocol === 'mqtt:';
    } catch {
      return false;
    }
  });
}

export const Config = z
  .object({
    DATA_DIR: z.string().min(1).default('./data'),
    STORE: z.enum(['sqlite', 'influx']).default('sqlite'),
    INFLUX_URL: z.url().optional(),
    HTTP_HOST: z.string().min(1).default('0.0.0.0'),
    HTTP_PORT: port.default(8080),
    MQTT_HOST: z.string().min(1).default('0.0.0.0'),
    MQTT_PORT: port.default(1883),
    MQTT_WS_PORT: port.default(8083),
    MQTT_ALLOW_ANONYMOUS: bool.default(false),
    // Broker TLS listener and limits (issue 3, README "Device security").
    MQTT_TLS_PORT: port.default(8883),
    MQTT_TLS_CERT: z.string().min(1).optional(),
    MQTT_TLS_KEY: z.string().min(1).optional(),
    MQTT_TLS_CA: z.string().min(1).optional(),
    MQTT_MAX_PACKET_BYTES: z.coerce.number().int().min(256).max(268_435_455).default(65_536),
    MQTT_KEEPALIVE_MAX_S: z.coerce.number().int().min(1).max(65_535).default(1200),
    MQTT_CONNECT_TIMEOUT_S: positiveInt.max(300).default(10),
    MQTT_DRAIN_TIMEOUT_S: z.coerce.number().int().min(0).max(3600).default(60),
    MQTT_CONNECT_RATE: z.coerce.number().min(0).max(1_000_000).default(20),
    MQTT_CONNECT_BURST: positiveInt.max(1_000_000).default(200),
    MQTT_PUBLISH_RATE: z.coerce.number().min(0).max(1_000_000).default(100),
    MQTT_PUBLISH_BURST: positiveInt.max(10_000_000).default(1000),
    // One compacting major GC after a burst of connects (broker/idle-compaction.ts, issue 19); false = never.
    BROKER_IDLE_COMPACTION: bool.default(true),
    REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' }).optional(),
    // The registry on PostgreSQL (issue 18) instead of DATA_DIR/registry.db: what lets processes run on other hosts.
    REGISTRY_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' }).optional(),
    REGISTRY_POOL_MAX: positiveInt.max(1000).default(10),
    PUBLIC_HOST: z.string().min(1).default('localhost'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // auto: readable lines on a terminal, JSON lines otherwise (core/log.ts).
    LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
    DEMO: bool.default(true),
    DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    SIM: bool.default(true),
    SIM_SPEED: z.coerce.number().positive().max(100_000).default(60),
    SIM_INTERVAL_S: positiveInt.default(600),
    // Adaptive batching (ingest/batcher.ts, issue 19): the most readings per write, and at a free store at most
    // one write start per INGEST_BATCH_MS (no reading waits longer); below these the batches follow the load.
    INGEST_BATCH_SIZE: positiveInt.max(100_000).default(20_000),
    INGEST_BATCH_MS: positiveInt.max(60_000).default(50),
    // Ingest durability and retention (issue 4): ingest/spool.ts, core/store/rollups.ts.
    INGEST_SPOOL_MAX_MB: positiveInt.max(1_000_000).default(512),
    RAW_RETENTION_DAYS: positiveInt.max(36_500).default(90),
    ROLLUP_REFRESH_S: z.coerce.number().int().min(0).max(3600).default(10),
    INGEST_MQTT_URL: z.string().refine(isMqttUrlList, 'must be mqtt://host:port, or several separated by commas').optional(),
    // Sharded ingest workers (issue 9): core/telemetry/ingest-shards.ts, ingest/shard-coordinator.ts.
    INGEST_SHARDS: positiveInt.max(MAX_SHARDS).default(1),
    INGEST_WORKER_ID: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be letters, digits, _ . - (at most 64)').optional(),
    INGEST_SHARD_LEASE_MS: positiveInt.min(500).max(600_000).default(5000),
    // GET /metrics of `ruong broker` / `ruong ingest` / `ruong rules` (cli/metrics-endpoint.ts); off when unset.
    METRICS_PORT: port.optional(),
    METRICS_HOST: z.string().min(1).default('127.0.0.1'),
    SESSION_TTL_H: z.coerce.number().positive().max(24 * 30).default(12),
    // Notification channels (issue 7): each is off until configured; rules/notify/channels.ts.
    SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be smtp://user:pass@host:port or smtps://…' }).optional(),
    SMTP_FROM: z.string().min(3).default('Ruộng <canh-bao@localhost>'),
    SMS_GATEWAY_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    SMS_GATEWAY_AUTH: z.string().min(1).optional(),
    SMS_GATEWAY_AUTH_HEADER: z.string().regex(/^[A-Za-z0-9-]+$/).default('Authorization'),
    SMS_GATEWAY_BODY: z.string().min(2).optional(),
    SMS_GATEWAY_CONTENT_TYPE: z.string().min(3).default('application/json'),
    SMS_UNACCENTED: bool.default(false),
    ZALO_ACCESS_TOKEN: z.string().min(1).optional(),
    ZALO_TEMPLATE_ID: z.string().min(1).optional(),
    ZALO_API_URL: z.url({ protocol: /^https?$/ }).default('https://business.openapi.zalo.me/message/template'),
    WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    // The SMS gateway's inbound webhook (issue 17, api/routes/sms-inbound.ts): off when unset.
    SMS_INBOUND_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
    // Weather forecast (issue 17, core/weather): an Open-Meteo-compatible base URL; unset = no forecast, no internet.
    FORECAST_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL, e.g. https://api.open-meteo.com' }).optional(),
    // Pump and valve commands (issue 17, rules/control/): sends per command, seconds between two, longest run.
    COMMAND_ATTEMPTS: positiveInt.max(10).default(3),
    COMMAND_RETRY_S: positiveInt.max(3600).default(60),
    COMMAND_MAX_MINUTES: positiveInt.max(240).default(240),
    ALERTS_MQTT: bool.default(true),
    NOTIFY_TTL_H: z.coerce.number().positive().max(24 * 7).default(24),
    NOTIFY_MAX_PER_HOUR: positiveInt.max(1000).default(3),
  })
  .superRefine((cfg, ctx) => {
    if ((cfg.ZALO_ACCESS_TOKEN === undefined) !== (cfg.ZALO_TEMPLATE_ID === undefined)) {
      ctx.addIssue({ code: 'custom', path: [cfg.ZALO_ACCESS_TOKEN ? 'ZALO_TEMPLATE_ID' : 'ZALO_ACCESS_TOKEN'], message: 'ZALO_ACCESS_TOKEN and ZALO_TEMPLATE_ID go together' });
    }
    if (cfg.STORE === 'influx' && !cfg.INFLUX_URL) {
      ctx.addIssue({ code: 'custom', path: ['INFLUX_URL'], message: 'is required when STORE=influx (e.g. http://127.0.0.1:8086/ruong)' });
    }
    if ((cfg.MQTT_TLS_CERT === undefined) !== (cfg.MQTT_TLS_KEY === undefined)) {
      ctx.addIssue({ code: 'custom', path: [cfg.MQTT_TLS_CERT ? 'MQTT_TLS_KEY' : 'MQTT_TLS_CERT'], message: 'MQTT_TLS_CERT and MQTT_TLS_KEY go together (PEM file paths)' });
    }
    if (cfg.INGEST_SHARDS > 1 && !cfg.REDIS_URL) {
      ctx.addIssue({ code: 'custom', path: ['INGEST_SHARDS'], message: 'sharded ingest workers need REDIS_URL (shared broker sessions and shard leases)' });
    }
    if (cfg.MQTT_TLS_CA && !cfg.MQTT_TLS_CERT) {
      ctx.addIssue({ code: 'custom', path: ['MQTT_TLS_CA'], message: 'needs MQTT_TLS_CERT and MQTT_TLS_KEY' });
    }
  });
export type Config = z.infer<typeof Config>;

/** Parses the environment; throws CONFIG_INVALID whose message names every bad variable, its value and what is valid. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Config.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => describeConfigIssue(issue, cleaned));
  throw new RuongError('CONFIG_INVALID', `invalid configuration — ${lines.join('; ')}`, { issues: lines });
}

/** A value that must not be echoed: secrets by name, and URLs that carry credentials (user:pass@host). */
export function isSecretSetting(name: string, value: string): boolean {
  return /SECRET|PASSWORD|TOKEN|_AUTH$/.test(name) || /:\/\/[^/\s]*@/.test(value) || (name.endsWith('_URL') && value.includes('@'));
}

/** How a value is shown in an error: secrets as (hidden), odd ones quoted, long ones cut. */
export function shownValue(name: string, value: string): string {
  if (isSecretSetting(name, value)) return '(hidden)';
  const cut = value.length > 80 ? `${value.slice(0, 77)}…` : value;
  return /^[\w./:@,+-]+$/u.test(cut) ? cut : JSON.stringify(cut);
}

interface SchemaNode { def: { type: string; innerType?: SchemaNode; in?: SchemaNode; entries?: Record<string, string>; checks?: { _zod: { def: { check: string; value?: number; inclusive?: boolean; format?: string } } }[] } }

/** The number/enum schema under default/optional/pipe wrappers. */
function baseSchema(node: SchemaNode | undefined): SchemaNode | undefined {
  let t = node;
  while (t && (t.def.innerType || t.def.in)) t = t.def.innerType ?? t.def.in;
  return t;
}

/** What a number variable accepts, read from its zod checks: "a whole number from 0 to 65535". */
function describeNumber(node: SchemaNode): string {
  const checks = (node.def.checks ?? []).map((c) => c._zod.def);
  const whole = checks.some((c) => c.check === 'number_format' && /int/.test(c.format ?? ''));
  let lo: { value: number; inclusive: boolean } | undefined;
  let hi: { value: number; inclusive: boolean } | undefined;
  for (const c of checks) {
    if (c.value === undefined) continue;
    const bound = { value: c.value, inclusive: c.inclusive ?? true };
    if (whole && !bound.inclusive) bound.value += c.check === 'greater_than' ? 1 : -1;
    if (whole) bound.inclusive = true;
    if (c.check === 'greater_than' && (!lo || bound.value > lo.value || (bound.value === lo.value && !bound.inclusive))) lo = bound;
    if (c.check === 'less_than' && (!hi || bound.value < hi.value || (bound.value === hi.value && !bound.inclusive))) hi = bound;
  }
  const kind = whole ? 'a whole number' : 'a number';
  if (lo?.inclusive && hi?.inclusive) return `${kind} from ${lo.value} to ${hi.value}`;
  const parts = [lo && `${lo.inclusive ? '≥' : '>'} ${lo.value}`, hi && `${hi.inclusive ? '≤' : '<'} ${hi.value}`].filter(Boolean);
  return parts.length > 0 ? `${kind} ${parts.join(' and ')}` : kind;
}

/** zod's own English ("Too small: expected …", "Invalid input: …") is replaced; a message written in the schema is kept. */
const ZOD_DEFAULT_MESSAGE = /^(Invalid|Too (small|big)|Expected)/;

/**
 * One line per problem: the variable, the value given (secrets hidden) and what is valid —
 * "HTTP_PORT=70000: must be a whole number from 0 to 65535"; a rule across variables keeps its own words.
 */
export function describeConfigIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = issue.path.map(String).join('.') || '(environment)';
  const raw = env[name];
  const subject = raw === undefined ? name : `${name}=${shownValue(name, raw)}`;
  if (issue.code === 'custom' || !ZOD_DEFAULT_MESSAGE.test(issue.message)) return `${subject}: ${issue.message}`;
  const node = baseSchema((Config.shape as Record<string, unknown>)[name] as SchemaNode | undefined);
  if (node?.def.type === 'number') return `${subject}: must be ${describeNumber(node)}`;
  if (node?.def.type === 'enum') return `${subject}: must be one of ${Object.values(node.def.entries ?? {}).join(', ')}`;
  if (issue.code === 'invalid_format' && issue.format === 'url') return `${subject}: must be a URL (e.g. http://host:port/…)`;
  if (issue.code === 'too_small' && issue.origin === 'string') return `${subject}: must be at least ${String(issue.minimum)} characters`;
  return `${subject}: ${issue.message}`;
}

/** The variables, their defaults and meaning — printed by `ruong --help` and mirrored in the README. */
export const configDocs: readonly [name: string, def: string, meaning: string][] = [
  ['DATA_DIR', './data', 'where the registry, the SQLite store and demo credentials live'],
  ['STORE', 'sqlite', 'reading store: sqlite (embedded) or influx'],
  ['INFLUX_URL', '—', 'InfluxDB v1 API URL with database, e.g. http://127.0.0.1:8086/ruong (STORE=influx)'],
  ['HTTP_HOST / HTTP_PORT', '0.0.0.0 / 8080', 'API and dashboard listener'],
  ['MQTT_HOST / MQTT_PORT', '0.0.0.0 / 1883', 'MQTT over TCP listener'],
  ['MQTT_WS_PORT', '8083', 'MQTT over WebSocket listener (0 = off)'],
  ['MQTT_ALLOW_ANONYMOUS', 'false', 'accept clients without credentials (local experiments only)'],
  ['MQTT_TLS_PORT', '8883', 'MQTT over TLS listener, on when MQTT_TLS_CERT and MQTT_TLS_KEY are set'],
  ['MQTT_TLS_CERT / MQTT_TLS_KEY', '—', 'PEM server certificate (chain) and private key for the TLS listener'],
  ['MQTT_TLS_CA', '—', 'PEM CA: TLS clients must then present a certificate it signed, whose CN is their username'],
  ['MQTT_MAX_PACKET_BYTES', '65536', 'largest MQTT packet accepted; a larger one closes the connection before it is buffered'],
  ['MQTT_KEEPALIVE_MAX_S', '1200', 'idle bound: keepalive 0 or above this counts as this; silent 1.5 × keepalive = closed'],
  ['MQTT_CONNECT_TIMEOUT_S', '10', 'a connection that sends no CONNECT within this time is closed'],
  ['MQTT_DRAIN_TIMEOUT_S', '60', 'a subscriber whose socket stays full this long is disconnected (0 = never)'],
  ['MQTT_CONNECT_RATE / MQTT_CONNECT_BURST', '20 / 200', 'new connections per second per source address (token bucket; 0 = no limit)'],
  ['MQTT_PUBLISH_RATE / MQTT_PUBLISH_BURST', '100 / 1000', 'PUBLISH packets per second per device (token bucket; over it the device is slowed by TCP back-pressure, closed only when further ahead than half its keepalive; 0 = no limit)'],
  ['BROKER_IDLE_COMPACTION', 'true', 'once a burst of connects is over (1000 within 5 s of each other, then 5 s without one), one compacting major GC gives the memory back (false = never)'],
  ['REDIS_URL', '—', 'redis://host:port/db: broker sessions and queued QoS 1 messages in Redis (else in memory)'],
  ['REGISTRY_URL', '— (DATA_DIR/registry.db)', 'postgres://user:pass@host:5432/db: the registry (devices, users, alerts, outbox, rules) on PostgreSQL, so processes can run on separate hosts'],
  ['REGISTRY_POOL_MAX', '10', 'PostgreSQL connections per process (REGISTRY_URL)'],
  ['PUBLIC_HOST', 'localhost', 'host name printed in URLs and device credentials'],
  ['LOG_LEVEL', 'info', 'pino level: fatal, error, warn, info, debug, trace or silent'],
  ['LOG_FORMAT', 'auto', 'auto: readable lines on a terminal, JSON lines when piped; json; pretty (readable even when piped)'],
  ['DEMO', 'true', 'seed the demo cooperative on a new DATA_DIR'],
  ['DEMO_PASSWORD', 'generated', 'password of the demo user (else written to DATA_DIR/demo-credentials.txt)'],
  ['SIM', 'true', 'run the simulated demo devices inside `ruong start`'],
  ['SIM_SPEED', '60', 'not used by `ruong start` any more (its demo back-fills as fast as readings are stored); accepted so existing settings stay valid'],
  ['SIM_INTERVAL_S', '600', 'simulated seconds between two readings of a device'],
  ['INGEST_BATCH_SIZE / INGEST_BATCH_MS', '20000 / 50', 'most readings per write / at a free store at most one write per this many ms, the longest a reading waits (batches follow the load)'],
  ['INGEST_SPOOL_MAX_MB', '512', 'disk spool (DATA_DIR/spool) for batches while the store is down; when full, the ingest stops acknowledging'],
  ['RAW_RETENTION_DAYS', '90', 'raw readings kept this long (older ones are dead letters); hourly and daily rollups are kept for good'],
  ['ROLLUP_REFRESH_S', '10', 'seconds between rollup refreshes (queries stay exact in between; 0 = off)'],
  ['INGEST_MQTT_URL', 'mqtt://127.0.0.1:MQTT_PORT', 'broker(s) `ruong ingest` and `ruong rules` subscribe to; several, comma-separated, are tried in turn'],
  ['INGEST_SHARDS', '1', 'ingest shards (same value on every broker and worker; > 1 needs REDIS_URL): workers share them, see docs/deploy.md'],
  ['INGEST_WORKER_ID', '—', 'a sharded worker\'s stable name (required with INGEST_SHARDS > 1; its spool is DATA_DIR/spool/<id>)'],
  ['INGEST_SHARD_LEASE_MS', '5000', 'a worker silent this long loses its shards to the live workers'],
  ['METRICS_HOST / METRICS_PORT', '127.0.0.1 / — (off)', 'GET /metrics (Prometheus) of `ruong broker`, `ruong ingest` and `ruong rules` (`ruong start` and `ruong api` serve it on the API)'],
  ['SESSION_TTL_H', '12', 'hours a dashboard login stays valid'],
  ['SMTP_URL', '— (off)', 'e-mail alerts: smtp://user:pass@host:587 or smtps://… (nodemailer)'],
  ['SMTP_FROM', 'Ruộng <canh-bao@localhost>', 'sender of alert e-mails'],
  ['SMS_GATEWAY_URL', '— (off)', 'SMS alerts: the HTTP gateway URL the request is POSTed to'],
  ['SMS_GATEWAY_AUTH / SMS_GATEWAY_AUTH_HEADER', '— / Authorization', 'auth header value (e.g. "Bearer …") and its name'],
  ['SMS_GATEWAY_BODY', '{"to":"{{to}}","text":"{{text}}","unicode":{{unicode}},"ref":"{{id}}"}', 'request body template: {{to}} {{to_digits}} {{to_national}} {{text}} {{id}} {{encoding}} {{unicode}} {{segments}}'],
  ['SMS_GATEWAY_CONTENT_TYPE', 'application/json', 'body type; values are escaped for JSON or x-www-form-urlencoded'],
  ['SMS_UNACCENTED', 'false', 'send every SMS without diacritics (không dấu, GSM-7); a contact can also ask for it'],
  ['ZALO_ACCESS_TOKEN / ZALO_TEMPLATE_ID', '— (off)', 'Zalo ZNS alerts: OA access token and the approved template id'],
  ['ZALO_API_URL', 'https://business.openapi.zalo.me/message/template', 'ZNS send endpoint'],
  ['WEBHOOK_SECRET', '— (off)', 'webhook alerts: master secret (≥ 16 chars) each webhook contact\'s signing secret derives from'],
  ['SMS_INBOUND_SECRET', '— (off)', 'SMS replies ("ĐÃ TƯỚI 25"): the gateway signs POST /api/v1/sms/inbound with it (HMAC-SHA256) or sends it as a bearer token; ≥ 16 chars'],
  ['FORECAST_URL', '— (off)', 'rain forecast that can postpone irrigation advice: an Open-Meteo-compatible base URL (https://api.open-meteo.com, no key), polled every 3 h per farm location'],
  ['COMMAND_ATTEMPTS / COMMAND_RETRY_S', '3 / 60', 'pump and valve commands: sends before a command without the device\'s confirmation fails (an alert, and an off to be safe), seconds between two'],
  ['COMMAND_MAX_MINUTES', '240', 'longest pump or valve run a command may ask for (a field may set a lower one; devices ignore more than 240)'],
  ['ALERTS_MQTT', 'true', 'publish alerts on alerts/{farmId} (QoS 1) through the built-in broker for farmer apps'],
  ['NOTIFY_TTL_H', '24', 'hours an undelivered notification keeps being retried before it expires'],
  ['NOTIFY_MAX_PER_HOUR', '3', 'messages per recipient and channel per hour; more become one digest (critical alerts always go)'],
];
