// `npm run bench:cluster` (issue 9): end-to-end QoS 1 throughput through 1 and through 2 `ruong broker`
// processes sharing one redis-server (REDIS_URL: aedes-persistence-redis + mqemitter-redis). D devices,
// spread round-robin over the brokers, each publish M readings (a window of W in flight); one subscriber
// with the ingest credential (QoS 1, clean = false) on broker 1 counts them. msg/s = D×M ÷ time until the
// subscriber has every message. The load generator runs in this process, on the same machine.
//   --devices 40  --messages 500 (per device)  --window 10
// --workers: instead, 1 vs 2 sharded ingest workers behind 2 brokers into InfluxDB (bench/cluster/workers.ts).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { createRegistry } from '../../core/registry/registry.js';
import { startClusterBroker, type ClusterBroker } from '../../test/helpers/cluster.js';
import { startRedis } from '../../test/helpers/redis.js';
import { measureWorkers } from './workers.js';

const { values: args } = parseArgs({ options: { devices: { type: 'string', default: '40' }, messages: { type: 'string', default: '500' }, window: { type: 'string', default: '10' }, workers: { type: 'boolean', default: false } } });
const D = Number(args.devices);
const M = Number(args.messages);
const W = Number(args.window);
const T0 = Date.now() - 3_600_000;

async function publishAll(client: MqttClient, id: string): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < M) {
      const seq = ++next;
      await client.publishAsync(`devices/${id}/up`, JSON.stringify({ ts: T0 + seq, seq, readings: { 'soil_moisture@20cm': 20 } }), { qos: 1 });
    }
  };
  await Promise.all(Array.from({ length: W }, lane));
}

async function measure(brokerCount: number): Promise<number> {
  const redis = await startRedis();
  const dataDir = mkdtempSync(join(tmpdir(), 'ruong-bench-cluster-'));
  const registry = createRegistry(join(dataDir, 'registry.db'));
  const coop = await registry.createCooperative({ id: 'coop-bench', name: 'Bench' });
  const field = await registry.createField({ farmId: await registry.createFarm({ cooperativeId: coop, name: 'F' }), name: 'F', crop: 'coffee' });
  const secrets = await Promise.all(Array.from({ length: D }, async (_, i) => (await registry.provisionDevice({ id: `bench-${i}`, fieldId: field, kind: 'soil_probe', name: `b${i}` })).secret));
  await registry.close();
  const brokers: ClusterBroker[] = [];
  try {
    for (let i = 0; i < brokerCount; i++) brokers.push(await startClusterBroker(dataDir, redis.url, { MQTT_PUBLISH_RATE: '0' }));
    const password = readFileSync(join(dataDir, 'ingest.secret'), 'utf8').trim();
    const sub = await mqtt.connectAsync(brokers[0]!.url, { clientId: 'ruong-ingest-bench', username: 'ruong-ingest', password, clean: false, reconnectPeriod: 0 });
    let received = 0;
    const all = new Promise<void>((resolve) => sub.on('message', () => { if (++received === D * M) resolve(); }));
    await sub.subscribeAsync('devices/+/up', { qos: 1 });
    const devices = await Promise.all(secrets.map((secret, i) => mqtt.connectAsync(brokers[i % brokerCount]!.url, { clientId: `bench-${i}`, username: `bench-${i}`, password: secret, reconnectPeriod: 0 })));
    const started = performance.now();
    await Promise.all(devices.map((d, i) => publishAll(d, `bench-${i}`)));
    await all;
    const seconds = (performance.now() - started) / 1000;
    await Promise.all([...devices, sub].map((c) => c.endAsync()));
    return (D * M) / seconds;
  } finally {
    await Promise.all(brokers.map((b) => b.kill9()));
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (args.workers) {
  const one = await measureWorkers(1, D, M, W);
  const two = await measureWorkers(2, D, M, W);
  process.stdout.write(`2 brokers, INGEST_SHARDS=8, InfluxDB; devices ${D} × ${M} QoS 1 messages, window ${W}\n`);
  process.stdout.write(`1 worker:  ${Math.round(one)} msg/s stored\n2 workers: ${Math.round(two)} msg/s stored  (${(two / one).toFixed(2)}× of 1)\n`);
} else {
  const one = await measure(1);
  const two = await measure(2);
  process.stdout.write(`devices ${D} × ${M} QoS 1 messages, window ${W}\n`);
  process.stdout.write(`1 broker:  ${Math.round(one)} msg/s\n2 brokers: ${Math.round(two)} msg/s  (${(two / one).toFixed(2)}× of 1)\n`);
}
