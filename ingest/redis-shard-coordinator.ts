// Ingest shards shared by N `ruong ingest` workers through Redis (issue 9, docs/deploy.md):
// - membership: every worker writes a heartbeat (score = Redis' clock) into the sorted set {prefix}workers;
//   a worker whose heartbeat is older than the lease is gone;
// - assignment: rendezvous hashing of each shard over the live workers (ingest/shard-coordinator.ts);
// - exclusion: a worker consumes a shard only while it holds the lease {prefix}shard:{n} (SET NX PX, renewed
//   each beat, deleted only by its holder). A new owner waits until the old one has released the shard (it
//   sees the same membership on its next beat) or its lease has expired (it died), so one shard's durable
//   session is never fought over by two workers;
// - a worker that stops releases its shards and leaves the set, so the others take over within one beat.
// Nothing is lost while a shard has no holder: the broker queues its QoS 1 messages in the shard's session.
// If Redis is unreachable the worker keeps what it holds (duplicates are idempotent, losses are not).
import { hostname } from 'node:os';
import type { Redis as RedisClient } from 'ioredis';
import { Counter, Gauge, type Registry as PromRegistry } from 'prom-client';
import { RuongError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { rendezvousOwner, type ShardCoordinator, type ShardHandlers } from './shard-coordinator.js';
import { requireCommonJs } from '../core/require-commonjs.js';

// Loaded with `require`, not lexed at every start: core/require-commonjs.ts.
const { Redis } = requireCommonJs('ioredis') as typeof import('ioredis');
type Redis = RedisClient;

export interface RedisShardOptions {
  readonly redisUrl: string;
  readonly shards: number;
  readonly workerId?: string | undefined;
  /** A worker silent this long is gone; also each shard lease's time to live. */
  readonly leaseMs: number;
  readonly log: Logger;
  readonly metrics?: PromRegistry | undefined;
  readonly keyPrefix?: string;
}

// Renew or delete a lease only while we hold it (https://redis.io/docs/latest/develop/use/patterns/distributed-locks/).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export function createRedisShardCoordinator(opts: RedisShardOptions): ShardCoordinator & { readonly workerId: string } {
  const { log, shards, leaseMs } = opts;
  const prefix = opts.keyPrefix ?? 'ruong:ingest:';
  const workerId = opts.workerId ?? `${hostname()}-${process.pid}`;
  const beatMs = Math.max(100, Math.floor(leaseMs / 3));
  const held = new Set<number>();
  const gauge = new Gauge({ name: 'ruong_ingest_shards_owned', help: 'Ingest shards this worker consumes', registers: opts.metrics ? [opts.metrics] : [] });
  const moves = new Counter({ name: 'ruong_ingest_shard_moves_total', help: 'Shards this worker acquired or released', labelNames: ['change'], registers: opts.metrics ? [opts.metrics] : [] });
  let redis: Redis | undefined;
  let handlers: ShardHandlers | undefined;
  let timer: NodeJS.Timeout | undefined;
  let beating: Promise<void> = Promise.resolve();
  let stopped = false;
  let lastError = '';
  const leaseKey = (shard: number) => `${prefix}shard:${shard}`;

  async function redisNow(r: Redis): Promise<number> {
    const [s, us] = await r.time();
    return Number(s) * 1000 + Math.floor(Number(us) / 1000);
  }

  async function liveWorkers(r: Redis): Promise<string[]> {
    const now = await redisNow(r);
    await r.zadd(`${prefix}workers`, now, workerId);
    await r.zremrangebyscore(`${prefix}workers`, '-inf', now - 20 * leaseMs);
    const live = await r.zrangebyscore(`${prefix}workers`, now - leaseMs, '+inf');
    return live.includes(workerId) ? live : [...live, workerId];
  }

  async function release(r: Redis | undefined, shard: number, why: string): Promise<void> {
    held.delete(shard);
    gauge.set(held.size);
    moves.inc({ change: 'released' });
    log.info({ shard, workerId, why }, 'ingest shard released');
    try {
      await handlers?.release(shard);
    } finally {
      if (r) await r.eval(RELEASE, 1, leaseKey(shard), workerId).catch(() => undefined);
    }
  }

  async function acquire(r: Redis, shard: number): Promise<void> {
    if ((await r.set(leaseKey(shard), workerId, 'PX', leaseMs, 'NX')) !== 'OK') return; // its old holder has not let go yet
    held.add(shard);
    gauge.set(held.size);
    moves.inc({ change: 'acquired' });
    log.info({ shard, workerId }, 'ingest shard acquired');
    try {
      await handlers?.acquire(shard);
    } catch (err) {
      log.error({ err, shard }, 'ingest shard could not be consumed; lease given back');
      await release(r, shard, 'consumer failed');
    }
  }

  async function beat(r: Redis): Promise<void> {
    const live = await liveWorkers(r);
    for (let shard = 0; shard < shards; shard++) {
      const mine = rendezvousOwner(shard, live) === workerId;
      if (held.has(shard) && !mine) await release(r, shard, 'rebalanced');
      else if (held.has(shard) && Number(await r.eval(RENEW, 1, leaseKey(shard), workerId, String(leaseMs))) === 0) await release(undefined, shard, 'lease lost');
      else if (!held.has(shard) && mine) await acquire(r, shard);
    }
  }

  function schedule(r: Redis): void {
    if (stopped) return;
    timer = setTimeout(() => {
      beating = beat(r).then(
        () => { lastError = ''; },
        (err: unknown) => {
          const message = err instanceof Error ? err.message : String(err);
          if (message !== lastError) log.warn({ err: { message }, workerId }, 'ingest shard heartbeat failed; keeping the shards held');
          lastError = message;
        },
      ).finally(() => schedule(r));
    }, beatMs);
  }

  /** Every broker and worker must agree on the number of shards; the first worker records it. */
  async function checkShardCount(r: Redis): Promise<void> {
    await r.set(`${prefix}shards`, String(shards), 'NX');
    const recorded = Number(await r.get(`${prefix}shards`));
    if (recorded !== shards) {
      throw new RuongError('CONFIG_INVALID', `INGEST_SHARDS=${shards} but this cluster's ingest uses ${recorded} shards (Redis key ${prefix}shards); changing it needs a drained cluster, see docs/deploy.md`);
    }
  }

  return {
    shards,
    workerId,
    async start(h) {
      handlers = h;
      const r = new Redis(opts.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 2, connectTimeout: 5000 });
      r.on('error', () => undefined); // reported by the heartbeat that fails
      await r.connect();
      redis = r;
      await checkShardCount(r);
      await beat(r);
      log.info({ workerId, shards: [...held].sort((a, b) => a - b) }, 'ingest worker joined');
      schedule(r);
    },
    owned: () => [...held].sort((a, b) => a - b),
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await beating;
      const r = redis;
      for (const shard of [...held]) await release(r, shard, 'stopping');
      await r?.zrem(`${prefix}workers`, workerId).catch(() => undefined);
      await r?.quit().catch(() => undefined);
      redis = undefined;
    },
  };
}
