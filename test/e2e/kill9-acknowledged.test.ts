// A reading is acknowledged only once it is stored: kill -9 the whole process right after the
// ingest acknowledged messages, and every acknowledged reading is in the store.
import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRegistry } from '../../core/registry/registry.js';
import { startChildPlatform, type ChildPlatform } from '../helpers/child-platform.js';
import { connectDevice } from '../helpers/platform.js';

async function ackedCount(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = /^ruong_ingest_acked_total (\d+)/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('kill -9 after the ingest acknowledged', () => {
  let p: ChildPlatform | undefined;
  afterAll(() => {
    if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (p) rmSync(p.dataDir, { recursive: true, force: true });
  });

  it('loses nothing that was acknowledged', async () => {
    p = await startChildPlatform({ DEMO_PASSWORD: 'demo-kill-test', SIM: 'false', INGEST_BATCH_MS: '50' });
    const registry = createRegistry(join(p.dataDir, 'registry.db'));
    const { secret } = await registry.provisionDevice({ id: 'probe-kill', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'kill test' });
    registry.close();

    const device = await connectDevice(p.mqttUrl, 'probe-kill', secret, { reconnectPeriod: 0 });
    device.on('error', () => undefined);
    const t0 = Date.now() - 3_600_000;
    let seq = 0;
    let acked = 0;
    // Publish steadily; once the ingest has acknowledged a good number, kill the process mid-stream.
    while (acked < 200) {
      for (let i = 0; i < 20; i++) {
        seq++;
        device.publish('devices/probe-kill/up', JSON.stringify({ ts: t0 + seq * 1000, seq, readings: { 'soil_moisture@20cm': 20 + (seq % 10) } }), { qos: 1 });
      }
      await new Promise((r) => setTimeout(r, 20));
      acked = await ackedCount(p.baseUrl);
    }
    p.child.kill('SIGKILL');
    await p.exited;
    device.end(true);

    const db = new Database(join(p.dataDir, 'readings.db'), { readonly: true });
    const rows = db.prepare("SELECT seq FROM readings WHERE device_id = 'probe-kill' ORDER BY seq").all() as { seq: number }[];
    db.close();
    expect(rows.length).toBeGreaterThanOrEqual(acked);
    // Batches are written in arrival order: what is stored is the prefix 1..n, with no holes.
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: rows.length }, (_, i) => i + 1));
  }, 60_000);
});
