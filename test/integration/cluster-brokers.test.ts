// Two `ruong broker` processes sharing one redis-server (mqemitter-redis + aedes-persistence-redis, issue 9):
// a device connected to broker A reaches a subscriber connected to broker B, and a QoS 1 message published
// on A while B's subscriber is offline is delivered when it comes back (on either broker).
// Required in CI (REQUIRE_REDIS=1); skipped elsewhere only when redis-server is missing.
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reading } from '../helpers/broker-witness.js';
import { seedClusterDataDir, startClusterBroker, type ClusterBroker } from '../helpers/cluster.js';
import { connectDevice, eventually } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

describe.skipIf(!redisAvailable())('two brokers sharing Redis', () => {
  let redis: RedisServer;
  let dataDir: string;
  let secret: string;
  let a: ClusterBroker;
  let b: ClusterBroker;

  /**
   * The listener is attached before the connection opens: a resumed session's queued messages may arrive in
   * the same TCP read as the CONNACK (the broker writes a turn's packets at once), before connectAsync resolves.
   */
  async function subscriber(url: string, onMessage: (payload: string) => void): Promise<MqttClient> {
    const password = readFileSync(join(dataDir, 'ingest.secret'), 'utf8').trim();
    const client = mqtt.connect(url, { clientId: 'ruong-ingest-probe', username: 'ruong-ingest', password, clean: false, reconnectPeriod: 0 });
    client.on('message', (_topic, payload) => onMessage(payload.toString()));
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    return client;
  }

  beforeAll(async () => {
    redis = await startRedis();
    const seeded = await seedClusterDataDir('ruong-cluster-brokers-', ['node-a-1']);
    dataDir = seeded.dataDir;
    secret = seeded.secrets.get('node-a-1')!;
    [a, b] = await Promise.all([startClusterBroker(dataDir, redis.url), startClusterBroker(dataDir, redis.url)]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all([a?.kill9(), b?.kill9()]);
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('delivers a device\'s message on broker A to a subscriber on broker B, live and after the subscriber was away', async () => {
    const got: string[] = [];
    const sub = await subscriber(b.url, (payload) => got.push(payload));
    await sub.subscribeAsync('devices/+/up', { qos: 1 });

    const device = await connectDevice(a.url, 'node-a-1', secret);
    await device.publishAsync('devices/node-a-1/up', reading(1), { qos: 1 });
    await eventually(() => Promise.resolve(got.length >= 1 ? true : undefined), 10_000, 'live message across brokers');
    expect(got).toEqual([reading(1)]);

    // The subscriber leaves (its session stays in Redis); the device publishes on A; it comes back on A.
    await sub.endAsync();
    await device.publishAsync('devices/node-a-1/up', reading(2), { qos: 1 });
    await device.endAsync();
    const queued: string[] = [];
    const back = await subscriber(a.url, (payload) => queued.push(payload));
    await eventually(() => Promise.resolve(queued.length >= 1 ? true : undefined), 10_000, 'queued message after reconnect');
    expect(queued).toEqual([reading(2)]);
    await back.endAsync();
  }, 60_000);
});
