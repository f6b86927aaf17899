// The ingest's per-message path on the asynchronous registry (issue 18): messages of devices the registry's caches
// know are decoded synchronously and get the batcher's one promise back (the ack client groups by it, issue 19);
// a device not cached yet is looked up first, and the messages after it on its topic wait, so its readings are
// batched in the order they arrived. On both registry engines (PostgreSQL skipped only when it is not installed).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/log.js';
import { createMetrics } from '../../../core/metrics.js';
import type { Registry } from '../../../core/registry/registry.js';
import type { ReadingStore } from '../../../core/store/reading-store.js';
import { createSqliteStore } from '../../../core/store/sqlite-store.js';
import type { StoredReading } from '../../../core/telemetry/reading.js';
import { createIngestService, type IngestRegistry, type IngestService } from '../../../ingest/ingest-service.js';
import type { ShardCoordinator } from '../../../ingest/shard-coordinator.js';
import { registryEngines } from '../../helpers/registry-engines.js';

const engines = registryEngines('hot_path');

for (const engine of engines) describe.skipIf(engine.skip)(`the ingest hot path, registry on ${engine.name}`, () => {
  let dir: string;
  let registry: Registry;
  let store: ReadingStore;
  let ingest: IngestService;
  let batches: StoredReading[][];
  /** While set, the ingest's context lookups return only when it resolves — after the registry cached the answer. */
  let lookupGate: Promise<void> | undefined;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ruong-hot-path-'));
    registry = await engine.open(dir);
    await registry.createCooperative({ id: 'coop-a', name: 'A' });
    await registry.createFarm({ id: 'farm-a', cooperativeId: 'coop-a', name: 'farm' });
    await registry.createField({ id: 'field-a', farmId: 'farm-a', name: 'field', crop: 'rice' });
    for (const id of ['probe-1', 'probe-2', 'probe-3']) await registry.provisionDevice({ id, fieldId: 'field-a', kind: 'soil_probe', name: id });
    store = createSqliteStore({ path: join(dir, 'readings.db') });
    await store.setup();
    batches = [];
    const write = store.write.bind(store);
    const recording = Object.assign(Object.create(store) as ReadingStore, {
      write: (batch: readonly StoredReading[], sequences?: Parameters<ReadingStore['write']>[1]) => { batches.push([...batch]); return write(batch, sequences); },
    });
    // A coordinator that hands over no shard: the ingest runs without a broker, handle() driven directly.
    const noShards: ShardCoordinator = { shards: 1, start: () => Promise.resolve(), owned: () => [], stop: () => Promise.resolve() };
    lookupGate = undefined;
    const slow: IngestRegistry = { ...registry, deviceContext: async (id) => { const ctx = await registry.deviceContext(id); await lookupGate; return ctx; } };
    ingest = createIngestService({
      broker: { host: '127.0.0.1', port: 1, username: 'x', password: 'y' }, sharding: noShards, store: recording, registry: slow,
      metrics: createMetrics(), log: silentLogger(), batchSize: 1000, batchDelayMs: 20, spoolDir: join(dir, 'spool'), rollupRefreshMs: 0,
    });
    await ingest.start();
  });
  afterEach(async () => {
    await ingest.stop();
    await store.close();
    await registry.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const t0 = Date.now() - 3_600_000;
  const up = (deviceId: string, seq: number) =>
    ingest.handle(`devices/${deviceId}/up`, Buffer.from(JSON.stringify({ ts: t0 + seq * 1000, seq, readings: { battery: 50 + seq } })));

  it('gives messages of cached devices the batch\'s one promise, and keeps a looked-up device\'s messages in order', async () => {
    await Promise.all([up('probe-1', 1), up('probe-2', 1)]); // both looked up, now cached
    batches = [];

    const a = up('probe-1', 2);
    const b = up('probe-2', 2);
    const c = up('probe-1', 3);
    expect(b).toBe(a); // decoded synchronously, one batch
    expect(c).toBe(a);
    await a;
    expect(batches.flat().map((r) => `${r.deviceId}#${r.seq}`)).toEqual(['probe-1#2', 'probe-2#2', 'probe-1#3']);
    expect(batches.flat().every((r) => r.fieldId === 'field-a' && r.cooperativeId === 'coop-a')).toBe(true);

    // probe-3 is not cached: its first message waits for the lookups, the next two on its topic wait behind it,
    // while probe-1 (cached) is batched at once.
    batches = [];
    const cold = [up('probe-3', 1), up('probe-3', 2)];
    const warm = up('probe-1', 4);
    cold.push(up('probe-3', 3));
    await Promise.all([...cold, warm]);
    const order = batches.flat().map((r) => `${r.deviceId}#${r.seq}`);
    expect(order.filter((x) => x.startsWith('probe-3'))).toEqual(['probe-3#1', 'probe-3#2', 'probe-3#3']);
    expect(order).toContain('probe-1#4');
    expect(order.indexOf('probe-1#4')).toBeLessThan(order.indexOf('probe-3#1'));
  });

  it('batches a message that came while its device was being looked up after the message before it', async () => {
    let open!: () => void;
    lookupGate = new Promise((resolve) => { open = resolve; });
    const first = up('probe-3', 1);
    // The context is looked up and cached, but the answer is slow to return: a second message finds it cached.
    await expect.poll(() => registry.cachedDeviceContext('probe-3')).toBeDefined();
    const second = up('probe-3', 2);
    open();
    await Promise.all([first, second]);
    expect(batches.flat().map((r) => `${r.deviceId}#${r.seq}`)).toEqual(['probe-3#1', 'probe-3#2']);
  });

  it('dead-letters an unknown device after looking it up, every time (it is never cached)', async () => {
    await up('ghost', 1);
    await up('ghost', 2);
    await ingest.stop(); // waits for the dead letters being written
    expect((await registry.unownedDeadLetters()).map((d) => [d.topic, d.code, d.count])).toEqual([['devices/ghost/up', 'DEVICE_UNKNOWN', 2]]);
  });
});
