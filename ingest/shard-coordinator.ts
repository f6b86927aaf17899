// Who holds which ingest shard (issue 9; the scheme: core/telemetry/ingest-shards.ts, docs/deploy.md).
// A coordinator calls `acquire(shard)` when this worker is to consume a shard and `release(shard)` before it
// lets go, so a shard's durable session is held by one worker at a time. Two implementations share the
// contract suite test/contract/shard-coordinator.contract.ts: every shard (one process owns them all) and
// Redis leases with rendezvous hashing over the live workers (ingest/redis-shard-coordinator.ts).
import { fnv1a } from '../core/telemetry/ingest-shards.js';

export interface ShardHandlers {
  /** Start consuming the shard; resolves once it is subscribed (or has been trying for a while). */
  acquire(shard: number): Promise<void>;
  /** Stop consuming the shard: what was read is stored and acknowledged, then its session is left. */
  release(shard: number): Promise<void>;
}

export interface ShardCoordinator {
  readonly shards: number;
  start(handlers: ShardHandlers): Promise<void>;
  /** The shards this worker holds now, ascending. */
  owned(): readonly number[];
  /** Releases every shard held and leaves, so the other workers take them over at once. */
  stop(): Promise<void>;
}

/**
 * Rendezvous (highest random weight) hashing, Thaler & Ravishankar 1998: the owner of a shard is the live
 * worker with the highest hash of (worker, shard). When a worker joins or leaves, only the shards it gains or
 * held move; every worker computes the same owners from the same list, with no coordinator of its own.
 */
export function rendezvousOwner(shard: number, workers: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestWeight = -1;
  for (const worker of workers) {
    const weight = fmix32(fnv1a(`${worker}#${shard}`));
    if (weight > bestWeight || (weight === bestWeight && best !== undefined && worker < best)) {
      best = worker;
      bestWeight = weight;
    }
  }
  return best;
}

/** MurmurHash3's finaliser: spreads FNV-1a's weak low-order mixing over all 32 bits. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One process consumes every shard (`ruong start`, or a single `ruong ingest`). */
export function createAllShards(shards: number): ShardCoordinator {
  let held: number[] = [];
  let handlers: ShardHandlers | undefined;
  return {
    shards,
    async start(h) {
      handlers = h;
      for (let shard = 0; shard < shards; shard++) {
        await h.acquire(shard);
        held.push(shard);
      }
    },
    owned: () => held,
    async stop() {
      const releasing = held;
      held = [];
      for (const shard of releasing) await handlers?.release(shard);
    },
  };
}
