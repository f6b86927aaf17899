// A cluster on one machine (issue 9): two `ruong broker` processes sharing a redis-server, a `ruong ingest`
// worker, a device that knows both brokers. Mid-run broker A (the device's) is killed with SIGKILL — the
// device reconnects to B and resends what was not acknowledged — and later the ingest worker is killed too;
// a new worker takes over its session (kept in Redis) through a restarted broker A. Every reading the device
// sent is stored exactly once in InfluxDB (the shared influxd of test/helpers/global-setup.ts), counted by the
// device's seq (each seq has its own timestamp).
// Required in CI (REQUIRE_REDIS=1, REQUIRE_INFLUX=1); skipped elsewhere only when a binary is missing.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createInfluxStore } from '../../core/store/influx-store.js';
import { METRIC } from '../helpers/broker-witness.js';
import { seedClusterDataDir, startClusterBroker, startClusterIngest, type ClusterBroker, type RuongChild } from '../helpers/cluster.js';
import { eventually } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const N = 300;
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const reading = (seq: number) => JSON.stringify({ ts: T0 + seq * 1000, seq, readings: { [METRIC]: 20 + (seq % 10) } });
const influxUrl = inject('influxUrl');

describe.skipIf(!redisAvailable() || influxUrl === '')('cluster failover: a broker and an ingest worker die mid-run', () => {
  let redis: RedisServer;
  let dataDir: string;
  let secret: string;
  let env: Record<string, string>;
  const children: RuongChild[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    const seeded = await seedClusterDataDir('ruong-cluster-failover-', ['roamer']);
    dataDir = seeded.dataDir;
    secret = seeded.secrets.get('roamer')!;
    env = { STORE: 'influx', INFLUX_URL: `${influxUrl}/cluster_${randomBytes(4).toString('hex')}` };
  }, 30_000);
  afterAll(async () => {
    await Promise.all(children.map((c) => c.kill9()));
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores every reading exactly once', async () => {
    const [a, b] = await Promise.all([startClusterBroker(dataDir, redis.url), startClusterBroker(dataDir, redis.url)]);
    children.push(a, b);
    const worker = await startClusterIngest(dataDir, b.url, env);
    children.push(worker);

    // The device knows both brokers (as behind a TCP load balancer): mqtt.js moves to the next on reconnect.
    const device = await mqtt.connectAsync({
      servers: [{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }],
      clientId: 'roamer', username: 'roamer', password: secret, clean: false, reconnectPeriod: 100, connectTimeout: 3000,
    });
    // A roaming device sees its dead broker refuse connections (mqtt.js tries the servers in turn) and retries, as a
    // real one logs and retries: without a listener mqtt.js's 'error' event would be thrown into the test run.
    device.on('error', () => undefined);
    let restartedA: ClusterBroker | undefined;
    for (let seq = 1; seq <= N; seq++) {
      if (seq === N / 3) await a.kill9();
      if (seq === (2 * N) / 3) {
        await worker.kill9();
        restartedA = await startClusterBroker(dataDir, redis.url);
        children.push(restartedA);
        children.push(await startClusterIngest(dataDir, restartedA.url, env));
      }
      await device.publishAsync('devices/roamer/up', reading(seq), { qos: 1 });
    }
    await device.endAsync();

    const store = createInfluxStore({ url: env.INFLUX_URL! });
    const seqs = async () => (await store.query({ cooperativeId: 'coop-demo', deviceId: 'roamer', metric: METRIC, from: T0, to: T0 + (N + 1) * 1000, limit: 10 * N }))
      .map((p) => (p.ts - T0) / 1000);
    await eventually(async () => ((await seqs()).length >= N ? true : undefined), 30_000, `${N} readings stored`);
    const stored = (await seqs()).sort((x, y) => x - y);
    await store.close();
    expect(stored).toEqual(Array.from({ length: N }, (_, i) => i + 1));
  }, 90_000);
});
