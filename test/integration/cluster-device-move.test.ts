// A device moved to another field by one process (the API, here the test's own registry handle) sends its next
// reading to the new field in a separate `ruong ingest` that had cached the old one (issue 16's device move across
// issue 9's processes): the ingest follows the registry's device context change feed (migration 10). A field moved
// to another farm is followed the same way. The oracle is the store: which field each reading was stored under.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../core/registry/registry.js';
import { reading } from '../helpers/broker-witness.js';
import { seedClusterDataDir, startClusterBroker, startClusterIngest, type ClusterBroker, type RuongChild } from '../helpers/cluster.js';
import { connectDevice, eventually } from '../helpers/platform.js';

function storedUnder(dataDir: string, deviceId: string): { seq: number; fieldId: string; farmId: string }[] {
  const db = new Database(join(dataDir, 'readings.db'), { readonly: true });
  try {
    return db.prepare('SELECT seq, field_id AS fieldId, farm_id AS farmId FROM readings WHERE device_id = ? ORDER BY seq').all(deviceId) as { seq: number; fieldId: string; farmId: string }[];
  } finally {
    db.close();
  }
}

describe('a device moved by another process, with ruong broker + ruong ingest', () => {
  let broker: ClusterBroker | undefined;
  let ingest: RuongChild | undefined;
  let dataDir: string | undefined;
  afterAll(async () => {
    await ingest?.kill9();
    await broker?.kill9();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stores its next reading under the new field, and under the new farm when its field moves', async () => {
    const seeded = await seedClusterDataDir('ruong-move-', ['mover']);
    dataDir = seeded.dataDir;
    const registry = createRegistry(join(dataDir, 'registry.db'));
    const fieldA = (await registry.deviceContext('mover'))!.fieldId;
    const farm1 = (await registry.deviceContext('mover'))!.farmId;
    const fieldB = await registry.createField({ farmId: farm1, name: 'Field B', crop: 'coffee' });
    const farm2 = await registry.createFarm({ cooperativeId: 'coop-demo', name: 'Farm 2' });
    broker = await startClusterBroker(dataDir);
    ingest = await startClusterIngest(dataDir, broker.url);
    const device = await connectDevice(broker.url, 'mover', seeded.secrets.get('mover')!);
    const sendAndWait = async (seq: number) => {
      await device.publishAsync('devices/mover/up', reading(seq), { qos: 1 }); // PUBACK = stored
      return eventually(() => Promise.resolve(storedUnder(dataDir!, 'mover').find((r) => r.seq === seq)), 10_000, `reading ${seq} stored`);
    };
    try {
      expect(await sendAndWait(1)).toMatchObject({ fieldId: fieldA, farmId: farm1 }); // the ingest now caches field A

      expect(await registry.moveDevice('mover', fieldB)).toBe(true); // another process than the ingest
      await new Promise((r) => setTimeout(r, 1500)); // the ingest polls the feed every second
      expect(await sendAndWait(2)).toMatchObject({ fieldId: fieldB, farmId: farm1 });

      registry.db.prepare('UPDATE fields SET farm_id = ? WHERE id = ?').run(farm2, fieldB); // the field moves to another farm
      await new Promise((r) => setTimeout(r, 1500));
      expect(await sendAndWait(3)).toMatchObject({ fieldId: fieldB, farmId: farm2 });
    } finally {
      await device.endAsync();
      await registry.close();
    }
  }, 60_000);
});
