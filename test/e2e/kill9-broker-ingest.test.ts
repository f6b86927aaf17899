// "Nothing lost" with the broker and the ingest as separate processes (README table, issue 14): `ruong broker`
// and `ruong ingest` on one DATA_DIR, without Redis and with it; a device publishes QoS 1 readings while the
// broker and the ingest are SIGKILLed in turn. The oracle is the device: after every kill, each reading whose
// PUBACK it received is in the store; at the end every reading is.
// KILL_ROUNDS sets the number of kills. Redis is required in CI (REQUIRE_REDIS=1); elsewhere the Redis variant is skipped only without redis-server.
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferingDevice, deadLetterReasons, missingFrom, pastStart, storedSeqs } from '../helpers/buffering-device.js';
import { seedClusterDataDir, startClusterBroker, startClusterIngest, type ClusterBroker, type RuongChild } from '../helpers/cluster.js';
import { freePort } from '../helpers/influxd.js';
import { eventually } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

/** KILL_ROUNDS kills in all, broker and ingest in turn (default 4; the acceptance run used 20). */
const ROUNDS = Number(process.env.KILL_ROUNDS ?? 4);
const KILLS = Array.from({ length: ROUNDS }, (_, i) => (i % 2 === 0 ? 'broker' : 'ingest'));
/** A round advances at most 350 + the window: readings are left for every round. */
const TOTAL = Math.max(2000, ROUNDS * 450);
const TIMEOUT_MS = Math.max(240_000, ROUNDS * 30_000);

async function runKills(redis: RedisServer | undefined): Promise<void> {
  const { dataDir, secrets } = await seedClusterDataDir('ruong-kill-split-', ['dur-split']);
  const port = await freePort();
  const url = `mqtt://127.0.0.1:${port}`;
  const startBroker = (): Promise<ClusterBroker> => startClusterBroker(dataDir, redis?.url, { MQTT_PORT: String(port) });
  const startIngest = (): Promise<RuongChild> => startClusterIngest(dataDir, url, { INGEST_BATCH_MS: '200' });
  let broker = await startBroker();
  let ingest = await startIngest();
  const device = new BufferingDevice({ id: 'dur-split', secret: secrets.get('dur-split')!, total: TOTAL, window: 100, t0: pastStart(TOTAL) });
  /** Resolves true once every one of these acknowledged readings is in the store (for `eventually`). */
  const allStored = (acked: Iterable<number>): Promise<true | undefined> =>
    Promise.resolve(missingFrom(storedSeqs(dataDir, 'dur-split'), acked).length === 0 ? true : undefined);
  try {
    for (const [round, victim] of KILLS.entries()) {
      const target = Math.min(TOTAL, device.acked.size + 150 + Math.floor(Math.random() * 200));
      await eventually(() => device.until(url, () => device.acked.size >= target), 30_000, `PUBACKs before killing the ${victim}`);
      if (victim === 'broker') {
        await broker.kill9();
        device.disconnect();
      } else {
        await ingest.kill9();
      }
      const acked = [...device.acked];
      if (!redis) {
        // Without Redis the PUBACK means stored: every acknowledged reading is in the store right now.
        expect(missingFrom(storedSeqs(dataDir, 'dur-split'), acked), `round ${round + 1} (${victim} killed): acknowledged but not stored (dead letters: ${deadLetterReasons(dataDir, 'dur-split').slice(0, 3).join('; ')})`).toEqual([]);
      }
      if (victim === 'broker') broker = await startBroker();
      else ingest = await startIngest();
      // With Redis the PUBACK means queued in Redis for the ingest: once both run again, all of them are stored.
      await eventually(() => allStored(acked), 20_000, `round ${round + 1}: acknowledged readings stored`);
    }
    await eventually(() => device.until(url, () => false), 60_000, 'every reading acknowledged');
    expect(device.acked.size).toBe(TOTAL);
    if (redis) {
      // The last PUBACKs mean "queued in Redis": the ingest stores those readings with its next batch.
      await eventually(() => allStored(device.acked), 20_000, 'the last acknowledged readings stored');
    }
    expect(missingFrom(storedSeqs(dataDir, 'dur-split'), device.acked)).toEqual([]);
  } finally {
    device.disconnect();
    await ingest.kill9();
    await broker.kill9();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('ruong broker + ruong ingest, each SIGKILLed while a device publishes', () => {
  it('without Redis: no acknowledged reading is lost', () => runKills(undefined), TIMEOUT_MS);

  describe.skipIf(!redisAvailable())('with Redis', () => {
    let redis: RedisServer | undefined;
    afterAll(async () => { await redis?.stop(); });
    it('no acknowledged reading is lost', async () => {
      redis = await startRedis();
      await runKills(redis);
    }, TIMEOUT_MS);
  });
});
