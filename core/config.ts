// Configuration from the environment, validated with zod. Only cli/ passes process.env in.
// A bad value stops start-up with a message that names the variable.
import { z } from 'zod';
import { RuongError } from './errors.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const port = z.coerce.number().int().min(0).max(65535);
const positiveInt = z.coerce.number().int().positive();

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
    PUBLIC_HOST: z.string().min(1).default('localhost'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DEMO: bool.default(true),
    DEMO_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    SIM: bool.default(true),
    SIM_SPEED: z.coerce.number().positive().max(100_000).default(60),
    SIM_INTERVAL_S: positiveInt.default(600),
    INGEST_BATCH_SIZE: positiveInt.max(100_000).default(500),
    INGEST_BATCH_MS: positiveInt.max(60_000).default(200),
    SESSION_TTL_H: z.coerce.number().positive().max(24 * 30).default(12),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.STORE === 'influx' && !cfg.INFLUX_URL) {
      ctx.addIssue({ code: 'custom', path: ['INFLUX_URL'], message: 'is required when STORE=influx (e.g. http://127.0.0.1:8086/ruong)' });
    }
  });
export type Config = z.infer<typeof Config>;

/** Parses the environment; throws CONFIG_INVALID whose message names every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = Config.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new RuongError('CONFIG_INVALID', `invalid configuration — ${lines.join('; ')}`, { issues: lines });
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
  ['PUBLIC_HOST', 'localhost', 'host name printed in URLs and device credentials'],
  ['LOG_LEVEL', 'info', 'pino level'],
  ['DEMO', 'true', 'seed the demo cooperative on a new DATA_DIR'],
  ['DEMO_PASSWORD', 'generated', 'password of the demo user (else written to DATA_DIR/demo-credentials.txt)'],
  ['SIM', 'true', 'run the simulated demo devices inside `ruong start`'],
  ['SIM_SPEED', '60', 'simulated seconds per real second'],
  ['SIM_INTERVAL_S', '600', 'simulated seconds between two readings of a device'],
  ['INGEST_BATCH_SIZE / INGEST_BATCH_MS', '500 / 200', 'a batch is written when it is this large or this old'],
  ['SESSION_TTL_H', '12', 'hours a dashboard login stays valid'],
];
