// A DATA_DIR registry for the benches that start real `ruong` processes (bench/broker/operator.ts,
// bench/rules/memory.ts): one cooperative, farm and field, and N devices on that field, device i with
// operatorSecret(runKey, i) stored as provisioning stores it (salted SHA-256), inserted in one transaction.
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createRegistry } from '../../core/registry/registry.js';
import { hashGeneratedSecret } from '../../core/registry/secrets.js';
import { benchDeviceId } from './brokers.js';
import { operatorSecret } from './operator-secrets.js';

export async function provisionBenchDevices(dir: string, devices: number, runKey: string, kind = 'soil'): Promise<void> {
  const registry = createRegistry(join(dir, 'registry.db'));
  const coop = await registry.createCooperative({ name: 'Bench' });
  const farm = await registry.createFarm({ cooperativeId: coop, name: 'Bench farm' });
  const field = await registry.createField({ farmId: farm, name: 'Bench field', crop: 'rice' });
  await registry.close();
  const db = new Database(join(dir, 'registry.db'));
  const insert = db.prepare('INSERT INTO devices (id, field_id, kind, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < devices; i++) insert.run(benchDeviceId(i), field, kind, benchDeviceId(i), hashGeneratedSecret(operatorSecret(runKey, i)), Date.now());
  })();
  db.close();
}
