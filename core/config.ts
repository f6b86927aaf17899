// Configuration from the environment. Only cli/ passes process.env in.
// A bad value stops start-up with a message that names the variable.
// Plain checks, not a zod schema (issue 19, a broker's base memory: docs/benchmarks.md "Broker base memory without
// zod"): every command reads its configuration first, `ruong broker` included, and zod's 95 modules were ≈ 3–4 MB of
// a broker's V8 heap. Each check does what the zod 4.6 schema did (a number is `Number(value)`, a URL is what
// `z.url()` accepts) and gives the same line (test/unit/core/config.test.ts compares them with zod).
import { RuongError } from './errors.js';
import { MAX_SHARDS } from './telemetry/ingest-shards.js';

/**
 * One variable: its parser and its default. A parser returns the value, or what is wrong with it (the end of the
 * line "NAME=value: …"): one entry per failed check, as zod reported one issue per failed check. A problem that
 * `stops` is one after which zod ran no further check, not even those across variables (a value of the wrong type);
 * the others (a bound, a pattern, a URL) let them run.
 */
interface Setting<T, Optional extends boolean> {
  readonly parse: (raw: string) => Parsed<T>;
  readonly default: T | undefined;
  readonly optional: Optional;
}
type Parsed<T> = { readonly value: T; readonly problems?: undefined } | { readonly value?: T; readonly problems: readonly string[]; readonly stops: boolean };
type Value<S> = S extends Setting<infer T, boolean> ? T : never;

interface Bound { readonly check: 'greater_than' | 'less_than'; readonly value: number; readonly inclusive: boolean }

/** A whole number or a number between bounds (z.coerce.number() with .int(), .positive(), .min(), .max()). */
function numberOf(opts: { int?: boolean; positive?: boolean; min?: number; max?: number }) {
  const bounds: Bound[] = [
    ...(opts.positive ? [{ check: 'greater_than', value: 0, inclusive: false } as const] : []),
    ...(opts.min !== undefined ? [{ check: 'greater_than', value: opts.min, inclusive: true } as const] : []),
    ...(opts.max !== undefined ? [{ check: 'less_than', value: opts.max, inclusive: true } as const] : []),
  ];
  const whole = opts.int === true;
  const message = `must be ${describeNumber(whole, bounds)}`;
  const parse = (raw: string): Parsed<number> => {
    const n = Number(raw);
    if (!Number.isFinite(n) || (whole && !Number.isInteger(n))) return { problems: [message], stops: true };
    const problems: string[] = [];
    if (whole && !Number.isSafeInteger(n)) problems.push(message);
    for (const b of bounds) {
      const ok = b.check === 'greater_than' ? (b.inclusive ? n >= b.value : n > b.value) : (b.inclusive ? n <= b.value : n < b.value);
      if (!ok) problems.push(message);
    }
    return problems.length > 0 ? { value: n, problems, stops: false } : { value: n };
  };
  return { default: <D extends number | undefined = undefined>(d?: D) => setting(parse, d), optional: () => optional(parse) };
}

/** One of a list of words (z.enum). */
function oneOf<const W extends string>(words: readonly W[]) {
  const message = `must be one of ${words.join(', ')}`;
  const parse = (raw: string): Parsed<W> => ((words as readonly string[]).includes(raw) ? { value: raw as W } : { problems: [message], stops: true });
  return { default: (d: W) => setting(parse, d) };
}

/** true/false, 1/0, yes/no (listed in the order zod's message gave them). */
function bool(d: boolean): Setting<boolean, false> {
  const words = oneOf(['0', '1', 'true', 'false', 'yes', 'no']).default('true').parse;
  return setting((raw): Parsed<boolean> => {
    const p = words(raw);
    return p.problems ? { problems: p.problems, stops: p.stops } : { value: p.value === 'true' || p.value === '1' || p.value === 'yes' };
  }, d);
}

/** A string: at least `min` characters (code points, as zod counts), matching a pattern, passing a test — each with its message. */
function text(opts: { min?: number; minMessage?: string; pattern?: RegExp; patternMessage?: string; test?: (s: string) => boolean; testMessage?: string } = {}) {
  const parse = (raw: string): Parsed<string> => {
    const problems: string[] = [];
    if (opts.min !== undefined && [...raw].length < opts.min) problems.push(opts.minMessage ?? `must be at least ${opts.min} characters`);
    // zod's own words for a pattern without a message
    if (opts.pattern && !opts.pattern.test(raw)) problems.push(opts.patternMessage ?? `Invalid string: must match pattern ${String(opts.pattern)}`);
    if (opts.test && !opts.test(raw)) problems.push(opts.testMessage ?? 'Invalid input');
    return problems.length > 0 ? { value: raw, problems, stops: false } : { value: raw };
  };
  return { default: (d: string) => setting(parse, d), optional: () => optional(parse) };
}

/**
 * A URL as z.url() takes it (zod 4.6, v4/core/schemas.js `$ZodURL`): trimmed, parsed with WHATWG URL; with a
 * protocol pattern, the scheme must match it, and http(s) must be written with `://`. Tabs and newlines are removed.
 */
function url(opts: { protocol?: RegExp; message?: string } = {}) {
  const message = opts.message ?? 'must be a URL (e.g. http://host:port/…)';
  const parse = (raw: string): Parsed<string> => {
    const trimmed = raw.trim();
    const value = trimmed.replace(/[\t\n\r]/g, '');
    const bad = { value: raw, problems: [message], stops: false } as const;
    if (!opts.protocol) return URL.canParse(trimmed) ? { value } : bad;
    if (opts.protocol.source === '^https?$' && !/^https?:\/\//i.test(trimmed)) return bad;
    const parsed = URL.parse(trimmed);
    if (!parsed) return bad;
    return opts.protocol.test(parsed.protocol.replace(/:$/, '')) ? { value } : bad;
  };
  return { default: (d: string) => setting(parse, d), optional: () => optional(parse) };
}

function setting<T, D extends T | undefined>(parse: (raw: string) => Parsed<T>, d: D): Setting<T, D extends undefined ? true : false> {
  return { parse, default: d, optional: (d === undefined) as D extends undefined ? true : false };
}

function optional<T>(parse: (raw: string) => Parsed<T>): Setting<T, true> {
  return { parse, default: undefined, optional: true };
}

const port = () => numberOf({ int: true, min: 0, max: 65535 });

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

/** Every variable, its check and its default (configDocs below documents them). */
const settings = {
  DATA_DIR: text({ min: 1 }).default('./data'),
  STORE: oneOf(['sqlite', 'influx']).default('sqlite'),
  INFLUX_URL: url().optional(),
  HTTP_HOST: text({ min: 1 }).default('0.0.0.0'),
  HTTP_PORT: port().default(8080),
  MQTT_HOST: text({ min: 1 }).default('0.0.0.0'),
  MQTT_PORT: port().default(1883),
  MQTT_WS_PORT: port().default(8083),
  MQTT_ALLOW_ANONYMOUS: bool(false),
  // Broker TLS listener and limits (issue 3, README "Device security").
  MQTT_TLS_PORT: port().default(8883),
  MQTT_TLS_CERT: text({ min: 1 }).optional(),
  MQTT_TLS_KEY: text({ min: 1 }).optional(),
  MQTT_TLS_CA: text({ min: 1 }).optional(),
  MQTT_MAX_PACKET_BYTES: numberOf({ int: true, min: 256, max: 268_435_455 }).default(65_536),
  MQTT_KEEPALIVE_MAX_S: numberOf({ int: true, min: 1, max: 65_535 }).default(1200),
  MQTT_CONNECT_TIMEOUT_S: numberOf({ int: true, positive: true, max: 300 }).default(10),
  MQTT_DRAIN_TIMEOUT_S: numberOf({ int: true, min: 0, max: 3600 }).default(60),
  MQTT_CONNECT_RATE: numberOf({ min: 0, max: 1_000_000 }).default(20),
  MQTT_CONNECT_BURST: numberOf({ int: true, positive: true, max: 1_000_000 }).default(200),
  MQTT_PUBLISH_RATE: numberOf({ min: 0, max: 1_000_000 }).default(100),
  MQTT_PUBLISH_BURST: numberOf({ int: true, positive: true, max: 10_000_000 }).default(1000),
  // One compacting major GC after a burst of connects (broker/idle-compaction.ts, issue 19); false = never.
  BROKER_IDLE_COMPACTION: bool(true),
  REDIS_URL: url({ protocol: /^rediss?$/, message: 'must be a redis:// or rediss:// URL' }).optional(),
  // The registry on PostgreSQL (issue 18) instead of DATA_DIR/registry.db: what lets processes run on other hosts.
  REGISTRY_URL: url({ protocol: /^postgres(ql)?$/, message: 'must be a postgres:// URL' }).optional(),
  REGISTRY_POOL_MAX: numberOf({ int: true, positive: true, max: 1000 }).default(10),
  PUBLIC_HOST: text({ min: 1 }).default('localhost'),
  LOG_LEVEL: oneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // auto: readable lines on a terminal, JSON lines otherwise (core/log.ts).
  LOG_FORMAT: oneOf(['auto', 'json', 'pretty']).default('auto'),
  DEMO: bool(true),
  DEMO_PASSWORD: text({ min: 8, minMessage: 'must be at least 8 characters' }).optional(),
  SIM: bool(true),
  SIM_SPEED: numberOf({ positive: true, max: 100_000 }).default(60),
  SIM_INTERVAL_S: numberOf({ int: true, positive: true }).default(600),
  // Adaptive batching (ingest/batcher.ts, issue 19): the most readings per write, and at a free store at most
  // one write start per INGEST_BATCH_MS (no reading waits longer); below these the batches follow the load.
  INGEST_BATCH_SIZE: numberOf({ int: true, positive: true, max: 100_000 }).default(20_000),
  INGEST_BATCH_MS: numberOf({ int: true, positive: true, max: 60_000 }).default(50),
  // Ingest durability and retention (issue 4): ingest/spool.ts, core/store/rollups.ts.
  INGEST_SPOOL_MAX_MB: numberOf({ int: true, positive: true, max: 1_000_000 }).default(512),
  RAW_RETENTION_DAYS: numberOf({ int: true, positive: true, max: 36_500 }).default(90),
  ROLLUP_REFRESH_S: numberOf({ int: true, min: 0, max: 3600 }).default(10),
  INGEST_MQTT_URL: text({ test: isMqttUrlList, testMessage: 'must be mqtt://host:port, or several separated by commas' }).optional(),
  // Sharded ingest workers (issue 9): core/telemetry/ingest-shards.ts, ingest/shard-coordinator.ts.
  INGEST_SHARDS: numberOf({ int: true, positive: true, max: MAX_SHARDS }).default(1),
  INGEST_WORKER_ID: text({ pattern: /^[A-Za-z0-9_.-]{1,64}$/, patternMessage: 'must be letters, digits, _ . - (at most 64)' }).optional(),
  INGEST_SHARD_LEASE_MS: numberOf({ int: true, positive: true, min: 500, max: 600_000 }).default(5000),
  // GET /metrics of `ruong broker` / `ruong ingest` / `ruong rules` (cli/metrics-endpoint.ts); off when unset.
  METRICS_PORT: port().optional(),
  METRICS_HOST: text({ min: 1 }).default('127.0.0.1'),
  SESSION_TTL_H: numberOf({ positive: true, max: 24 * 30 }).default(12),
  // Notification channels (issue 7): each is off until configured; rules/notify/channels.ts.
  SMTP_URL: url({ protocol: /^smtps?$/, message: 'must be smtp://user:pass@host:port or smtps://…' }).optional(),
  SMTP_FROM: text({ min: 3 }).default('Ruộng <canh-bao@localhost>'),
  SMS_GATEWAY_URL: url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  SMS_GATEWAY_AUTH: text({ min: 1 }).optional(),
  SMS_GATEWAY_AUTH_HEADER: text({ pattern: /^[A-Za-z0-9-]+$/ }).default('Authorization'),
  SMS_GATEWAY_BODY: text({ min: 2 }).optional(),
  SMS_GATEWAY_CONTENT_TYPE: text({ min: 3 }).default('application/json'),
  SMS_UNACCENTED: bool(false),
  ZALO_ACCESS_TOKEN: text({ min: 1 }).optional(),
  ZALO_TEMPLATE_ID: text({ min: 1 }).optional(),
  ZALO_API_URL: url({ protocol: /^https?$/ }).default('https://business.openapi.zalo.me/message/template'),
  WEBHOOK_SECRET: text({ min: 16, minMessage: 'must be at least 16 characters' }).optional(),
  // The SMS gateway's inbound webhook (issue 17, api/routes/sms-inbound.ts): off when unset.
  SMS_INBOUND_SECRET: text({ min: 16, minMessage: 'must be at least 16 characters' }).optional(),
  // Weather forecast (issue 17, core/weather): an Open-Meteo-compatible base URL; unset = no forecast, no internet.
  FORECAST_URL: url({ protocol: /^https?$/, message: 'must be an http(s) URL, e.g. https://api.open-meteo.com' }).optional(),
  // Pump and valve commands (issue 17, rules/control/): sends per command, seconds between two, longest run.
  COMMAND_ATTEMPTS: numberOf({ int: true, positive: true, max: 10 }).default(3),
  COMMAND_RETRY_S: numberOf({ int: true, positive: true, max: 3600 }).default(60),
  COMMAND_MAX_MINUTES: numberOf({ int: true, positive: true, max: 240 }).default(240),
  ALERTS_MQTT: bool(true),
  NOTIFY_TTL_H: numberOf({ positive: true, max: 24 * 7 }).default(24),
  NOTIFY_MAX_PER_HOUR: numberOf({ int: true, positive: true, max: 1000 }).default(3),
};

type Settings = typeof settings;
type Required = { [K in keyof Settings as Settings[K] extends Setting<unknown, true> ? never : K]: Value<Settings[K]> };
type Optional = { [K in keyof Settings as Settings[K] extends Setting<unknown, true> ? K : never]?: Value<Settings[K]> | undefined };
/** The parsed configuration: every variable with a default is set; the others may be undefined. */
export type Config = { readonly [K in keyof (Required & Optional)]: (Required & Optional)[K] };

/** The variables read, in the order they are checked. */
export const configVariables: readonly string[] = Object.keys(settings);

/** Rules across variables, checked when no value was of the wrong kind: [variable named, message]. */
function crossChecks(cfg: Record<string, unknown>): [string, string][] {
  const problems: [string, string][] = [];
  if ((cfg.ZALO_ACCESS_TOKEN === undefined) !== (cfg.ZALO_TEMPLATE_ID === undefined)) {
    problems.push([cfg.ZALO_ACCESS_TOKEN ? 'ZALO_TEMPLATE_ID' : 'ZALO_ACCESS_TOKEN', 'ZALO_ACCESS_TOKEN and ZALO_TEMPLATE_ID go together']);
  }
  if (cfg.STORE === 'influx' && !cfg.INFLUX_URL) {
    problems.push(['INFLUX_URL', 'is required when STORE=influx (e.g. http://127.0.0.1:8086/ruong)']);
  }
  if ((cfg.MQTT_TLS_CERT === undefined) !== (cfg.MQTT_TLS_KEY === undefined)) {
    problems.push([cfg.MQTT_TLS_CERT ? 'MQTT_TLS_KEY' : 'MQTT_TLS_CERT', 'MQTT_TLS_CERT and MQTT_TLS_KEY go together (PEM file paths)']);
  }
  if ((cfg.INGEST_SHARDS as number) > 1 && !cfg.REDIS_URL) {
    problems.push(['INGEST_SHARDS', 'sharded ingest workers need REDIS_URL (shared broker sessions and shard leases)']);
  }
  if (cfg.MQTT_TLS_CA && !cfg.MQTT_TLS_CERT) {
    problems.push(['MQTT_TLS_CA', 'needs MQTT_TLS_CERT and MQTT_TLS_KEY']);
  }
  return problems;
}

/** Parses the environment; throws CONFIG_INVALID whose message names every bad variable, its value and what is valid. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const config: Record<string, unknown> = {};
  const lines: string[] = [];
  let stopped = false;
  for (const [name, s] of Object.entries(settings) as [string, Setting<unknown, boolean>][]) {
    const raw = Object.hasOwn(env, name) ? env[name] : undefined;
    if (raw === undefined || raw === '') {
      if (s.default !== undefined) config[name] = s.default;
      continue;
    }
    const parsed = s.parse(raw);
    if (parsed.problems) {
      for (const problem of parsed.problems) lines.push(`${subject(name, raw)}: ${problem}`);
      stopped ||= parsed.stops;
    }
    if (parsed.value !== undefined) config[name] = parsed.value;
  }
  if (!stopped) for (const [name, message] of crossChecks(config)) lines.push(`${subject(name, env[name] || undefined)}: ${message}`);
  if (lines.length > 0) throw new RuongError('CONFIG_INVALID', `invalid configuration — ${lines.join('; ')}`, { issues: lines });
  return config as Config;
}

/** "NAME=value" as a line starts (secrets hidden), or "NAME" for a variable not set. */
function subject(name: string, raw: string | undefined): string {
  return raw === undefined ? name : `${name}=${shownValue(name, raw)}`;
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

/** What a number variable accepts: "a whole number from 0 to 65535" (the words zod's checks were described with). */
function describeNumber(whole: boolean, bounds: readonly Bound[]): string {
  let lo: { value: number; inclusive: boolean } | undefined;
  let hi: { value: number; inclusive: boolean } | undefined;
  for (const c of bounds) {
    const bound = { value: c.value, inclusive: c.inclusive };
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
  ['BROKER_IDLE_COMPACTION', 'true', 'once a burst of connects is over (1000 within 5 s of each other, then 5 s without one and with fewer than 1000 messages published), one compacting major GC gives the memory back (false = never)'],
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
