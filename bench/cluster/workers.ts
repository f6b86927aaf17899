// `npm run bench:cluster -- --workers` (issue 9): end-to-end QoS 1 throughput through 2 `ruong broker` processes
// (Redis) into InfluxDB with INGEST_SHARDS=8, consumed by 1 and then by 2 sharded `ruong ingest` workers,
// in one run. D devices (round-robin over the brokers) each publish M native messages (one reading each, a
// window of W in flight); msg/s = D×M ÷ the time from the first PUBLISH until InfluxDB counts every reading.
// Also runs the load generator, two brokers, Redis and influxd: on a 2-core machine the cores, not the
// number of workers, are the limit — the ratio says what a second worker costs or buys here.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createRegistry } from '../../core/registry/registry.js';
import { startClusterBroker, startClusterIngest, type RuongChild } from '../../test/helpers/cluster.js';
import { startInfluxd } from '../../test/helpers/influxd.js';
import { startRedis } from '../../test/helpers/redis.js';

const METRIC = 'soil_moisture@20cm';

async function publishAll(client: MqttClient, id: string, m: number, w: number, t0: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < m) {
      const seq = ++next;
      await client.publishAsync(`devices/${id}/up`, JSON.stringify({ ts: t0 + seq * 1000, seq, readings: { [METRIC]: 20 } }), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: w }, lane));
}

async function storedCount(influxUrl: string, db: string): Promise<number> {
  const res = await fetch(`${influxUrl}/query?db=${db}&q=${encodeURIComponent('SELECT count("value") FROM "ruong_raw"."readings"')}`);
  const body = (await res.json()) as { results?: { series?: { values?: [string, number][] }[] }[] };
  return body.results?.[0]?.series?.[0]?.values?.[0]?.[1] ?? 0;
}

export async function measureWorkers(workerCount: number, d: number, m: number, w: number): Promise<number> {
  const [redis, influxd] = await Promise.all([startRedis(), startInfluxd()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-bench-workers-'));
  const db = `bench_${randomBytes(4).toString('hex')}`;
  const registry = createRegistry(join(dataDir, 'registry.db'));
  const coop = await registry.createCooperative({ id: 'coop-bench', name: 'Bench' });
  const field = await registry.createField({ farmId: await registry.createFarm({ cooperativeId: coop, name: 'F' }), name: 'F', crop: 'coffee' });
  const secrets = await Promise.all(Array.from({ length: d }, async (_, i) => (await registry.provisionDevice({ id: `bench-${i}`, fieldId: field, kind: 'soil_probe', name: `b${i}` })).secret));
  await registry.close();
  const env = { REDIS_URL: redis.url, INGEST_SHARDS: '8', STORE: 'influx', INFLUX_URL: `${influxd.url}/${db}`, MQTT_PUBLISH_RATE: '0', INGEST_BATCH_SIZE: '5000', INGEST_BATCH_MS: '50' };
  const children: RuongChild[] = [];
  const devices: MqttClient[] = [];
  try {
    const brokers = [await startClusterBroker(dataDir, redis.url, env), await startClusterBroker(dataDir, redis.url, env)];
    children.push(...brokers);
    const urls = brokers.map((b) => b.url).join(',');
    for (let i = 1; i <= workerCount; i++) children.push(await startClusterIngest(dataDir, urls, { ...env, INGEST_WORKER_ID: `w${i}` }));
    await new Promise((resolve) => setTimeout(resolve, 2000)); // every shard held (leases settle within a beat)
    for (const [i, secret] of secrets.entries()) {
      devices.push(await mqtt.connectAsync(brokers[i % brokers.length]!.url, { clientId: `bench-${i}`, username: `bench-${i}`, password: secret, reconnectPeriod: 0 }));
    }
    const t0 = Date.now() - 86_400_000;
    const started = performance.now();
    await Promise.all(devices.map((dev, i) => publishAll(dev, `bench-${i}`, m, w, t0)));
    while ((await storedCount(influxd.url, db)) < d * m) await new Promise((resolve) => setTimeout(resolve, 100));
    return (d * m) / ((performance.now() - started) / 1000);
  } finally {
    await Promise.all(devices.map((dev) => dev.endAsync(true)));
    await Promise.all(children.map((c) => c.kill9()));
    await Promise.all([redis.stop(), influxd.stop()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
