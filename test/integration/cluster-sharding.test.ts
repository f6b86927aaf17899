// Sharded ingest on one machine (issue 9, docs/deploy.md): a redis-server, InfluxDB (the shared influxd of
// test/helpers/global-setup.ts), two `ruong broker` and two `ruong ingest` workers as real processes with
// INGEST_SHARDS=8; six devices spread over both brokers and over shards of both workers. Mid-run one broker
// and one worker are killed with SIGKILL: the devices move to the other broker and resend what was not
// acknowledged; the surviving worker takes the dead one's shards when their leases expire and drains the
// messages the shard sessions kept meanwhile. Every reading is stored exactly once, counted by device seq.
// Required in CI (REQUIRE_REDIS=1, REQUIRE_INFLUX=1); skipped elsewhere only when a binary is missing.
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createInfluxStore } from '../../core/store/influx-store.js';
import { shardOfKey } from '../../core/telemetry/ingest-shards.js';
import { rendezvousOwner } from '../../ingest/shard-coordinator.js';
import { METRIC } from '../helpers/broker-witness.js';
import { seedClusterDataDir, startClusterBroker, startClusterIngest, type RuongChild } from '../helpers/cluster.js';
import { eventually } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const N = 90;
const SHARDS = 8;
const DEVICES = ['probe-a', 'probe-b', 'probe-c', 'probe-d', 'probe-e', 'probe-f'];
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
const reading = (seq: number) => JSON.stringify({ ts: T0 + seq * 1000, seq, readings: { [METRIC]: 20 + (seq % 10) } });
const influxUrl = inject('influxUrl');

describe.skipIf(!redisAvailable() || influxUrl === '')('sharded ingest: 2 brokers, 2 workers, one of each killed mid-run', () => {
  let redis: RedisServer;
  let dataDir: string;
  let secrets: Map<string, string>;
  const children: RuongChild[] = [];
  const devices: MqttClient[] = [];
  let env: Record<string, string>;

  /** Who holds each shard's lease now (ingest/redis-shard-coordinator.ts). */
  async function leaseHolders(): Promise<string[]> {
    const holders: string[] = [];
    for (let shard = 0; shard < SHARDS; shard++) holders.push((await redis.command(`GET ruong:ingest:shard:${shard}`)).split('\r\n').pop()!);
    return holders;
  }

  beforeAll(async () => {
    redis = await startRedis();
    ({ dataDir, secrets } = await seedClusterDataDir('ruong-cluster-shards-', DEVICES, 'rice'));
    env = { REDIS_URL: redis.url, INGEST_SHARDS: String(SHARDS), INGEST_SHARD_LEASE_MS: '1500', STORE: 'influx', INFLUX_URL: `${influxUrl}/shards_${randomBytes(4).toString('hex')}` };
  }, 30_000);
  afterAll(async () => {
    await Promise.all(devices.map((d) => d.endAsync(true)));
    await Promise.all(children.map((c) => c.kill9()));
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('the devices are spread over shards of both workers (so the test kills a worker that has work)', () => {
    const owners = new Set(DEVICES.map((d) => rendezvousOwner(shardOfKey(d, SHARDS), ['w1', 'w2'])));
    expect(owners).toEqual(new Set(['w1', 'w2']));
  });

  it('stores every reading exactly once', async () => {
    const [a, b] = await Promise.all([startClusterBroker(dataDir, redis.url, env), startClusterBroker(dataDir, redis.url, env)]);
    children.push(a, b);
    const [w1, w2] = await Promise.all([
      startClusterIngest(dataDir, `${a.url},${b.url}`, { ...env, INGEST_WORKER_ID: 'w1' }),
      startClusterIngest(dataDir, `${b.url},${a.url}`, { ...env, INGEST_WORKER_ID: 'w2' }),
    ]);
    children.push(w1, w2);
    await eventually(async () => (new Set(await leaseHolders()).size === 2 ? true : undefined), 20_000, 'both workers holding shards');

    // Half the devices start on broker A, half on B (as behind a TCP load balancer); mqtt.js moves on reconnect.
    for (const [i, id] of DEVICES.entries()) {
      const servers = [{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }];
      if (i % 2) servers.reverse();
      const device = await mqtt.connectAsync({ servers, clientId: id, username: id, password: secrets.get(id)!, clean: false, reconnectPeriod: 100, connectTimeout: 3000 });
      device.on('error', () => undefined); // a killed broker refuses it while mqtt.js tries the servers in turn; it retries
      devices.push(device);
    }
    for (let seq = 1; seq <= N; seq++) {
      if (seq === N / 3) await Promise.all([a.kill9(), w1.kill9()]);
      await Promise.all(devices.map((d, i) => d.publishAsync(`devices/${DEVICES[i]}/up`, reading(seq), { qos: 1 })));
    }

    await eventually(async () => ((await leaseHolders()).every((h) => h === 'w2') ? true : undefined), 20_000, 'w2 holding every shard');
    const store = createInfluxStore({ url: env.INFLUX_URL! });
    const seqs = async (deviceId: string) => (await store.query({ cooperativeId: 'coop-demo', deviceId, metric: METRIC, from: T0, to: T0 + (N + 1) * 1000, limit: 10 * N }))
      .map((p) => (p.ts - T0) / 1000).sort((x, y) => x - y);
    await eventually(async () => {
      for (const id of DEVICES) if ((await seqs(id)).length < N) return undefined;
      return true;
    }, 30_000, `${N} readings of every device stored`);
    for (const id of DEVICES) expect(await seqs(id), id).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    await store.close();
  }, 120_000);
});
