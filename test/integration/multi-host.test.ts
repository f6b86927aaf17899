// Beyond one host (issue 18, docs/deploy.md "Several hosts"): 2 brokers, 2 ingest workers, 2 API processes and 1
// rules process as real `ruong` processes, each with its OWN empty DATA_DIR, sharing only PostgreSQL (the registry,
// REGISTRY_URL), Redis (broker sessions, shard leases) and InfluxDB (readings) — what processes on separate
// machines share. The cooperative is made with `ruong cooperative create` against PostgreSQL. Devices connect to
// both brokers; mid-run one broker, one ingest worker and one API process are SIGKILLed. From the user's side:
// every reading a device got a PUBACK for is in InfluxDB exactly once; a reading below a rule's threshold opens ONE
// alert, which the cooperative's webhook receives once; a login made on one API process is valid on the other,
// before and after the first one dies. Nothing is written to a path two processes share.
// Required in CI (REQUIRE_POSTGRES, REQUIRE_REDIS, REQUIRE_INFLUX); skipped elsewhere only when a server is missing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createRuleStore } from '../../core/alerts/rule-store.js';
import { openPostgresSql } from '../../core/db/postgres-sql.js';
import { openRegistry, type Registry } from '../../core/registry/registry.js';
import { createInfluxStore } from '../../core/store/influx-store.js';
import { METRIC } from '../helpers/broker-witness.js';
import { runCli } from '../helpers/cli-run.js';
import { startClusterApi, startClusterBroker, startClusterIngest, startClusterRules, type ClusterApi, type RuongChild } from '../helpers/cluster.js';
import { startHttpPeer, type HttpPeer } from '../helpers/notify-peers.js';
import { eventually } from '../helpers/platform.js';
import { createPostgresDatabase } from '../helpers/postgres.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const N = 60;
const SHARDS = 4;
const DEVICES = ['mh-a', 'mh-b', 'mh-c', 'mh-d'];
const COOP = 'coop-mh';
const RULE = `${COOP}:dry-probe`;
const T0 = Math.floor((Date.now() - 3_600_000) / 1000) * 1000;
/** Readings between 20 and 29, except one device's reading 45: 5, below the rule's threshold of 10. */
const valueOf = (deviceId: string, seq: number) => (deviceId === 'mh-a' && seq === 45 ? 5 : 20 + (seq % 10));
const influxUrl = inject('influxUrl');
const postgresUrl = inject('postgresUrl');

describe.skipIf(!redisAvailable() || influxUrl === '' || postgresUrl === '')('several hosts: 2 brokers, 2 ingest workers, 2 APIs, 1 rules process, each with its own DATA_DIR', () => {
  let redis: RedisServer;
  let hook: HttpPeer;
  let registry: Registry;
  let env: Record<string, string>;
  const dataDirs: string[] = [];
  const children: RuongChild[] = [];
  const devices: MqttClient[] = [];
  const secrets = new Map<string, string>();
  let adminLogin = '';
  let adminPassword = '';

  /** A new empty DATA_DIR for one process: no two processes are given the same one. */
  const ownDataDir = (name: string) => {
    const dir = mkdtempSync(join(tmpdir(), `ruong-mh-${name}-`));
    dataDirs.push(dir);
    return dir;
  };

  beforeAll(async () => {
    redis = await startRedis();
    hook = await startHttpPeer('/hook');
    const registryUrl = await createPostgresDatabase(postgresUrl, `multihost_${randomBytes(4).toString('hex')}`);
    env = {
      REGISTRY_URL: registryUrl, REDIS_URL: redis.url, STORE: 'influx', INFLUX_URL: `${influxUrl}/multihost_${randomBytes(4).toString('hex')}`,
      INGEST_SHARDS: String(SHARDS), INGEST_SHARD_LEASE_MS: '1500', WEBHOOK_SECRET: 'multi-host-webhook-secret-0123456789', DEMO: 'false',
    };
    // The operator's first step on a new deployment, against PostgreSQL.
    const created = await runCli(['cooperative', 'create', '--name', 'HTX Nhiều Máy', '--id', COOP, '--admin', 'admin'], { DATA_DIR: ownDataDir('cli'), ...env });
    expect(created.code, created.stdout + created.stderr).toBe(0);
    adminLogin = /Admin login:\s+(\S+)/.exec(created.stdout)![1]!;
    adminPassword = /One-time password:\s+(\S+)/.exec(created.stdout)![1]!;
    // Its farm, field, devices, a rule and a webhook contact, through the registry on PostgreSQL.
    registry = await openRegistry(openPostgresSql(registryUrl, { max: 2 }));
    const farm = await registry.createFarm({ cooperativeId: COOP, name: 'Farm' });
    const field = await registry.createField({ farmId: farm, name: 'Field', crop: 'coffee' });
    for (const id of DEVICES) secrets.set(id, (await registry.provisionDevice({ id, fieldId: field, kind: 'soil_probe', name: id })).secret);
    await createRuleStore(registry.sql).putRule(COOP, RULE, { version: 1, id: RULE, kind: 'threshold', scope: { deviceId: 'mh-a' }, metric: METRIC, below: 10, cooldown: '2h' });
    const erp = await registry.createContact(COOP, { name: 'ERP', role: 'integration', language: 'en', webhookUrl: hook.url });
    await registry.addSubscription(COOP, erp.id, { farmId: null, fieldId: null, severities: ['info', 'warning', 'critical'], channels: null, events: ['opened'] });
  }, 90_000);

  afterAll(async () => {
    await Promise.all(devices.map((d) => d.endAsync(true)));
    await Promise.all(children.map((c) => c.kill9()));
    await registry?.close();
    await Promise.all([redis?.stop(), hook?.close()]);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stores every acknowledged reading once, alerts and notifies once, and keeps logins across API processes', async () => {
    const [a, b] = await Promise.all([startClusterBroker(ownDataDir('broker-a'), redis.url, env), startClusterBroker(ownDataDir('broker-b'), redis.url, env)]);
    children.push(a, b);
    const [w1, w2] = await Promise.all([
      startClusterIngest(ownDataDir('ingest-1'), `${a.url},${b.url}`, { ...env, INGEST_WORKER_ID: 'w1' }),
      startClusterIngest(ownDataDir('ingest-2'), `${b.url},${a.url}`, { ...env, INGEST_WORKER_ID: 'w2' }),
    ]);
    children.push(w1, w2);
    const [api1, api2] = await Promise.all([startClusterApi(ownDataDir('api-1'), env), startClusterApi(ownDataDir('api-2'), env)]);
    children.push(api1, api2);
    children.push(await startClusterRules(ownDataDir('rules'), `${b.url},${a.url}`, env));

    // A login on API 1 is a session in the shared registry: API 2 knows it.
    const login = await fetch(`${api1.baseUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: adminLogin, password: adminPassword }) });
    expect(login.status).toBe(200);
    const { token } = await login.json() as { token: string };
    const me = (api: ClusterApi) => fetch(`${api.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    expect((await me(api2)).status).toBe(200);
    expect((await me(api1)).status).toBe(200);

    // Half the devices start on broker A, half on B (as behind a TCP load balancer); mqtt.js moves on reconnect.
    for (const [i, id] of DEVICES.entries()) {
      const servers = [{ host: '127.0.0.1', port: a.port }, { host: '127.0.0.1', port: b.port }];
      if (i % 2) servers.reverse();
      const device = await mqtt.connectAsync({ servers, clientId: id, username: id, password: secrets.get(id)!, clean: false, reconnectPeriod: 100, connectTimeout: 3000 });
      device.on('error', () => undefined); // a killed broker refuses it while mqtt.js tries the servers in turn; it retries
      devices.push(device);
    }
    const acknowledged = new Map<string, number[]>(DEVICES.map((id) => [id, []]));
    for (let seq = 1; seq <= N; seq++) {
      if (seq === N / 3) await Promise.all([a.kill9(), w1.kill9(), api1.kill9()]);
      await Promise.all(devices.map(async (d, i) => {
        const id = DEVICES[i]!;
        await d.publishAsync(`devices/${id}/up`, JSON.stringify({ ts: T0 + seq * 1000, seq, readings: { [METRIC]: valueOf(id, seq) } }), { qos: 1 });
        acknowledged.get(id)!.push(seq); // publishAsync resolves on the PUBACK
      }));
    }

    // Every reading a device got a PUBACK for is stored, once.
    const store = createInfluxStore({ url: env.INFLUX_URL! });
    const seqs = async (deviceId: string) => (await store.query({ cooperativeId: COOP, deviceId, metric: METRIC, from: T0, to: T0 + (N + 1) * 1000, limit: 10 * N }))
      .map((p) => (p.ts - T0) / 1000).sort((x, y) => x - y);
    await eventually(async () => {
      for (const id of DEVICES) if ((await seqs(id)).length < acknowledged.get(id)!.length) return undefined;
      return true;
    }, 40_000, 'every acknowledged reading stored');
    for (const id of DEVICES) expect(await seqs(id), id).toEqual(acknowledged.get(id)!.sort((x, y) => x - y));
    await store.close();

    // One alert for the dry reading (the readings after it resolve it), and the cooperative's webhook got it once.
    await eventually(() => Promise.resolve(hook.requests.length > 0 ? true : undefined), 30_000, 'the webhook to receive the alert');
    const alerts = await fetch(`${api2.baseUrl}/api/v1/alerts`, { headers: { authorization: `Bearer ${token}` } });
    expect(alerts.status).toBe(200);
    const { alerts: open } = await alerts.json() as { alerts: { ruleId: string; deviceId: string }[] };
    expect(open.filter((x) => x.ruleId === RULE).map((x) => x.deviceId)).toEqual(['mh-a']);
    await new Promise((r) => setTimeout(r, 2000)); // a second notification would come within the dispatcher's next passes
    expect(hook.requests.map((r) => r.headers['x-ruong-delivery'])).toHaveLength(1);
    expect(String(hook.requests[0]!.headers['x-ruong-delivery'])).toMatch(/:opened:/);

    // API 1 is dead; the session made there is still good on API 2.
    expect((await me(api2)).status).toBe(200);

    // No process kept registry data or secrets in its own DATA_DIR: the shared state is in PostgreSQL.
    for (const dir of dataDirs) {
      const files = readdirSync(dir);
      expect(files.filter((f) => f.startsWith('registry.db') || f.endsWith('.secret')), dir).toEqual([]);
    }
  }, 180_000);
});
