// INGEST_SHARDS > 1 in one process (issue 9, docs/deploy.md): the broker routes uplinks to shard topics, the
// in-process ingest consumes every shard and the rules' MQTT reading source (what `ruong rules` runs) reads all
// shards — each sees the reading under its device, with the original topic given back to the decoders.
// Required in CI (REQUIRE_REDIS=1: INGEST_SHARDS needs REDIS_URL); skipped elsewhere only without redis-server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMqttReadingSource, type MqttReadingSource } from '../../cli/mqtt-reading-source.js';
import { ensureIngestSecret } from '../../cli/service-secret.js';
import { silentLogger } from '../../core/log.js';
import type { StoredReading } from '../../core/telemetry/reading.js';
import { connectDevice, eventually, login, getJson, startTestPlatform, type TestPlatform } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

describe.skipIf(!redisAvailable())('sharded ingest in one process', () => {
  let redis: RedisServer;
  let p: TestPlatform;
  let source: MqttReadingSource;
  const seen: StoredReading[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    p = await startTestPlatform({ REDIS_URL: redis.url, INGEST_SHARDS: '4' });
    const credential = await ensureIngestSecret(p.registry, p.dataDir);
    source = createMqttReadingSource({ servers: [{ host: '127.0.0.1', port: p.mqttPort() }], ...credential, clientId: 'ruong-ingest-rules', registry: p.registry, log: silentLogger(), ingestShards: 4 });
    source.subscribe((batch) => seen.push(...batch));
    await source.start();
  }, 30_000);
  afterAll(async () => {
    await source?.stop();
    await p?.close();
    await redis?.stop();
  });

  it('stores a reading routed through a shard and hands it to the rules under its device', async () => {
    const { secret } = await p.registry.provisionDevice({ id: 'probe-shard', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'shard test' });
    const device = await connectDevice(p.mqttUrl, 'probe-shard', secret);
    const ts = Date.now() - 60_000;
    await device.publishAsync('devices/probe-shard/up', JSON.stringify({ ts, readings: { 'soil_moisture@20cm': 31.5 } }), { qos: 1 });
    await device.endAsync();

    const token = await login(p.baseUrl);
    const latest = await eventually(async () => {
      const { body } = await getJson<{ readings: { deviceId: string; metric: string; value: number; ts: string }[] }>(p.baseUrl, '/api/v1/fields/field-coffee-a/latest', token);
      return body.readings.find((r) => r.deviceId === 'probe-shard');
    }, 10_000, 'the reading stored');
    expect(latest).toMatchObject({ metric: 'soil_moisture@20cm', value: 31.5, ts: new Date(ts).toISOString() });
    await eventually(() => Promise.resolve(seen.some((r) => r.deviceId === 'probe-shard' && r.value === 31.5) ? true : undefined), 10_000, 'the rules source to see it');
  });
});
