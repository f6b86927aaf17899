// ONE contract every ShardCoordinator passes (ingest/shard-coordinator.ts): a worker alone consumes every shard
// exactly once, never acquires a shard it holds or releases one it does not, and gives every shard back on stop.
import { describe, expect, it } from 'vitest';
import type { ShardCoordinator, ShardHandlers } from '../../ingest/shard-coordinator.js';

/** Records acquire/release calls and fails the test on a double acquire or a release of a shard not held. */
export function recordingHandlers(): ShardHandlers & { readonly held: Set<number>; readonly calls: string[] } {
  const held = new Set<number>();
  const calls: string[] = [];
  return {
    held,
    calls,
    acquire(shard) {
      if (held.has(shard)) throw new Error(`shard ${shard} acquired twice`);
      held.add(shard);
      calls.push(`+${shard}`);
      return Promise.resolve();
    },
    release(shard) {
      if (!held.delete(shard)) throw new Error(`shard ${shard} released but not held`);
      calls.push(`-${shard}`);
      return Promise.resolve();
    },
  };
}

export function shardCoordinatorContract(name: string, create: (shards: number) => Promise<ShardCoordinator>): void {
  describe(`ShardCoordinator contract: ${name}`, () => {
    it('a worker alone consumes every shard, once', async () => {
      const coordinator = await create(8);
      const handlers = recordingHandlers();
      await coordinator.start(handlers);
      expect([...handlers.held].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(coordinator.owned()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      expect(handlers.calls).toHaveLength(8);
      await coordinator.stop();
    });

    it('gives every shard back when it stops', async () => {
      const coordinator = await create(4);
      const handlers = recordingHandlers();
      await coordinator.start(handlers);
      await coordinator.stop();
      expect(handlers.held.size).toBe(0);
      expect(coordinator.owned()).toEqual([]);
      expect(handlers.calls.filter((c) => c.startsWith('-')).sort()).toEqual(['-0', '-1', '-2', '-3']);
    });
  });
}
