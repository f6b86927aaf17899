// The sharding scheme of issue 9 (core/telemetry/ingest-shards.ts, ingest/shard-coordinator.ts): which uplinks
// are routed to a shard and back, how evenly devices spread, and how few shards move when workers come and go.
import { describe, expect, it } from 'vitest';
import { allShardsFilter, isShardFilter, shardClientId, shardFilter, shardKeyOfTopic, shardOfKey, shardTopic, unshardTopic } from '../../../core/telemetry/ingest-shards.js';
import { rendezvousOwner } from '../../../ingest/shard-coordinator.js';

describe('shard topics', () => {
  it('routes every topic the ingest consumes by its device, and nothing else', () => {
    expect(shardKeyOfTopic('devices/probe-12/up')).toBe('probe-12');
    expect(shardKeyOfTopic('devices/probe-12/up/thingsboard')).toBe('probe-12');
    expect(shardKeyOfTopic('v3/app@coop/devices/lse01-a/up')).toBe('lse01-a');
    expect(shardKeyOfTopic('application/7/device/A84041000181C2F1/event/up')).toBe('a84041000181c2f1');
    for (const other of ['devices/probe-12/status', 'devices/probe-12/down', 'alerts/farm-1', 'devices/probe-12/up/other', 'v3/app/devices/x/down/push']) {
      expect(shardKeyOfTopic(other), other).toBeUndefined();
      expect(shardTopic(other, 8), other).toBe(other);
    }
  });

  it('gives the original topic back to the decoders', () => {
    const topic = 'application/7/device/a84041000181c2f1/event/up';
    const routed = shardTopic(topic, 16);
    expect(routed).toMatch(/^ingest\/\d{1,2}\/application\//);
    expect(unshardTopic(routed)).toBe(topic);
    expect(unshardTopic('devices/probe-12/up')).toBe('devices/probe-12/up');
    expect(shardTopic('devices/probe-12/up', 1)).toBe('devices/probe-12/up');
  });

  it('sends one device always to the same shard and spreads many devices evenly', () => {
    expect(shardTopic('devices/probe-12/up', 8)).toBe(shardTopic('devices/probe-12/up/thingsboard', 8).replace('/thingsboard', ''));
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) counts[shardOfKey(`probe-${i}`, 8)]! += 1;
    for (const c of counts) expect(c).toBeGreaterThan(800); // mean 1,000
  });

  it('names one session per shard under the ingest credential, and only those filters are shard filters', () => {
    expect(shardClientId('ruong-ingest', 3)).toBe('ruong-ingest-s3');
    expect(isShardFilter(shardFilter(3))).toBe(true);
    expect(isShardFilter(allShardsFilter)).toBe(true);
    expect(isShardFilter('ingest/#')).toBe(false);
    expect(isShardFilter('ingest/3/devices/+/up')).toBe(false);
    expect(isShardFilter('ingest/99999/#')).toBe(false);
  });
});

describe('rendezvous ownership', () => {
  const shards = Array.from({ length: 64 }, (_, i) => i);
  const owners = (workers: string[]) => shards.map((s) => rendezvousOwner(s, workers));

  it('is the same whatever order the workers are listed in, and every worker gets a share', () => {
    const a = owners(['w1', 'w2', 'w3']);
    expect(owners(['w3', 'w1', 'w2'])).toEqual(a);
    for (const w of ['w1', 'w2', 'w3']) expect(a.filter((o) => o === w).length).toBeGreaterThan(8); // mean 21
  });

  it('moves only the shards of a worker that leaves, and only to a worker that joins', () => {
    const before = owners(['w1', 'w2', 'w3']);
    const left = owners(['w1', 'w3']);
    shards.forEach((s) => { if (before[s] !== 'w2') expect(left[s]).toBe(before[s]); });
    const joined = owners(['w1', 'w2', 'w3', 'w4']);
    shards.forEach((s) => { if (joined[s] !== 'w4') expect(joined[s]).toBe(before[s]); });
    expect(joined.filter((o) => o === 'w4').length).toBeGreaterThan(5);
  });
});
