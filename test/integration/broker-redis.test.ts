// Redis persistence (REDIS_URL): QoS 1 messages queued for the stopped ingest survive a kill -9 of the broker.
// The broker runs as a child process (`ruong broker`, the real command) against a private redis-server; the
// ingest runs here. Every PUBACK the device got is a message the ingest stores, exactly once.
// Required in CI (REQUIRE_REDIS=1); skipped elsewhere only when redis-server is missing.
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/log.js';
import { createMetrics } from '../../core/metrics.js';
import { createRegistry, type Registry } from '../../core/registry/registry.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { createIngestService, type IngestService } from '../../ingest/ingest-service.js';
import { METRIC, reading } from '../helpers/broker-witness.js';
import { freePort } from '../helpers/influxd.js';
import { eventually } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

// More than aedes-persistence-redis delivers on CONNECT by default (1000): the whole backlog must arrive.
const N = 1500;

describe.skipIf(!redisAvailable())('broker with Redis persistence', () => {
  let redis: RedisServer;
  let dataDir: string;
  let registry: Registry;
  let store: ReadingStore;
  let port: number;
  let broker: ChildProcess | undefined;
  let secret: string;

  async function startBroker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/main.ts', 'broker'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, MQTT_HOST: '127.0.0.1', MQTT_PORT: String(port), MQTT_WS_PORT: '0', REDIS_URL: redis.url, LOG_LEVEL: 'warn',
        MQTT_PUBLISH_RATE: '0' /* the device sends its whole backlog at once */ },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { out += d.toString(); });
    await eventually(() => {
      if (child.exitCode !== null) return Promise.reject(new Error(`ruong broker exited:\n${out}`));
      return Promise.resolve(out.includes('broker is running') ? true : undefined);
    }, 30_000, 'ruong broker to start');
    return child;
  }

  async function kill9(child: ChildProcess): Promise<void> {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  function ingest(): IngestService {
    const password = readFileSync(join(dataDir, 'ingest.secret'), 'utf8').trim();
    return createIngestService({
      broker: { host: '127.0.0.1', port, username: 'ruong-ingest', password },
      store, registry, metrics: createMetrics(), log: silentLogger(), batchSize: 200, batchDelayMs: 20, spoolDir: join(dataDir, 'spool'),
    });
  }

  beforeAll(async () => {
    redis = await startRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'ruong-redis-broker-'));
    registry = createRegistry(join(dataDir, 'registry.db'));
    const coop = await registry.createCooperative({ id: 'coop-demo', name: 'Coop' });
    const farm = await registry.createFarm({ cooperativeId: coop, name: 'Farm' });
    const field = await registry.createField({ farmId: farm, name: 'Field', crop: 'coffee' });
    secret = (await registry.provisionDevice({ id: 'queued-1', fieldId: field, kind: 'soil_probe', name: 'queued' })).secret;
    store = createSqliteStore({ path: join(dataDir, 'readings.db') });
    await store.setup();
    port = await freePort();
  });
  afterAll(async () => {
    if (broker && broker.exitCode === null) await kill9(broker);
    await store?.close();
    await registry?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every acknowledged QoS 1 message once after kill -9 of the broker and a restart', async () => {
    broker = await startBroker();
    // The ingest's persistent session (clean = false) exists; then the ingest stops.
    const first = ingest();
    await first.start();
    await first.stop();

    const device = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: 'queued-1', username: 'queued-1', password: secret, reconnectPeriod: 0 });
    await Promise.all(Array.from({ length: N }, (_, i) => device.publishAsync('devices/queued-1/up', reading(i + 1), { qos: 1 })));
    device.end(true);
    await kill9(broker); // at once, after the last PUBACK

    broker = await startBroker();
    const second = ingest();
    await second.start();
    const db = new Database(join(dataDir, 'readings.db'), { readonly: true });
    const count = () => (db.prepare(`SELECT count(*) AS n FROM readings WHERE device_id = 'queued-1'`).get() as { n: number }).n;
    await eventually(() => Promise.resolve(count() >= N ? true : undefined), 30_000, `${N} readings stored`);
    await second.stop();
    const rows = db.prepare(`SELECT seq, metric FROM readings WHERE device_id = 'queued-1' ORDER BY seq`).all() as { seq: number; metric: string }[];
    db.close();
    expect(rows.length).toBe(N);
    expect(rows.every((r) => r.metric === METRIC)).toBe(true);
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  }, 90_000);
});
