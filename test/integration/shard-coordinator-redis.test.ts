// Redis shard leases (ingest/redis-shard-coordinator.ts, issue 9) against a real redis-server: the contract, two
// workers splitting the shards without overlap, a leaving worker's shards taken over, a crashed worker's shards
// taken over once its lease expires, and a worker configured with another shard count refused.
// Required in CI (REQUIRE_REDIS=1); skipped elsewhere only when redis-server is missing.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuongError } from '../../core/errors.js';
import { createLogger } from '../../core/log.js';
import { createRedisShardCoordinator } from '../../ingest/redis-shard-coordinator.js';
import { recordingHandlers, shardCoordinatorContract } from '../contract/shard-coordinator.contract.js';
import { eventually } from '../helpers/platform.js';
import { redisAvailable, startRedis, type RedisServer } from '../helpers/redis.js';

const log = createLogger({ level: 'silent' });
const LEASE_MS = 600;

describe.skipIf(!redisAvailable())('Redis shard leases', () => {
  let redis: RedisServer;
  // Every test its own key space, as separate clusters sharing one Redis would be.
  const coordinator = (shards: number, workerId: string, prefix: string) =>
    createRedisShardCoordinator({ redisUrl: redis.url, shards, workerId, leaseMs: LEASE_MS, log, keyPrefix: prefix });
  const freshPrefix = () => `test:${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => { redis = await startRedis(); }, 20_000);
  afterAll(async () => { await redis?.stop(); });

  shardCoordinatorContract('Redis leases, one worker', (shards) => Promise.resolve(coordinator(shards, 'solo', freshPrefix())));

  it('two workers split the shards: disjoint, together all of them', async () => {
    const prefix = freshPrefix();
    const [a, b] = [coordinator(16, 'worker-a', prefix), coordinator(16, 'worker-b', prefix)];
    const [ha, hb] = [recordingHandlers(), recordingHandlers()];
    await a.start(ha);
    await b.start(hb);
    await eventually(() => Promise.resolve(ha.held.size + hb.held.size === 16 && hb.held.size > 0 && ha.held.size > 0 ? true : undefined), 10_000, 'shards split');
    expect([...ha.held].filter((s) => hb.held.has(s))).toEqual([]);
    expect([...ha.held, ...hb.held].sort((x, y) => x - y)).toEqual(Array.from({ length: 16 }, (_, i) => i));
    await b.stop();
    await eventually(() => Promise.resolve(ha.held.size === 16 ? true : undefined), 10_000, 'the stopping worker\'s shards taken over');
    expect(hb.held.size).toBe(0);
    await a.stop();
  }, 30_000);

  it('takes over the shards of a worker that died once its lease has expired', async () => {
    const prefix = freshPrefix();
    const ha = recordingHandlers();
    // The dead worker: it held every shard and then went silent (its leases and heartbeat left to expire).
    for (let shard = 0; shard < 4; shard++) await redis.command(`SET ${prefix}shard:${shard} ghost PX ${LEASE_MS * 3}`);
    await redis.command(`ZADD ${prefix}workers ${Date.now()} ghost`);
    const a = coordinator(4, 'survivor', prefix);
    await a.start(ha);
    expect(ha.held.size).toBe(0); // the leases are still the dead worker's
    await eventually(() => Promise.resolve(ha.held.size === 4 ? true : undefined), 10_000, 'leases expired and taken');
    await a.stop();
  }, 20_000);

  it('refuses a worker whose INGEST_SHARDS differs from the cluster\'s', async () => {
    const prefix = freshPrefix();
    const a = coordinator(8, 'first', prefix);
    await a.start(recordingHandlers());
    const b = coordinator(4, 'second', prefix);
    const err = await b.start(recordingHandlers()).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RuongError);
    expect((err as Error).message).toMatch(/INGEST_SHARDS=4 .* 8 shards/);
    await b.stop();
    await a.stop();
  }, 20_000);
});
