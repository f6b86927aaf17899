// Sequence truth survives a crash (issue 14), the device as the oracle: a real MQTT client publishes QoS 1
// messages numbered by `seq` and keeps every message until it has its PUBACK, as sensor firmware does.
// `ruong start` is SIGKILLed mid-run (twice) and restarted; the device reconnects and re-sends what was not
// acknowledged. GET /devices/:id/gaps must then report nothing missing — no false gaps from state saved apart
// from the readings — and a message the device held back and sent at the very end closes its gap.
// On the embedded SQLite store and on InfluxDB.
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createRegistry } from '../../core/registry/registry.js';
import { createInfluxStore } from '../../core/store/influx-store.js';
import type { ReadingStore } from '../../core/store/reading-store.js';
import { createSqliteStore } from '../../core/store/sqlite-store.js';
import { startChildPlatform, type ChildPlatform } from '../helpers/child-platform.js';
import { connectDevice, eventually, getJson, login } from '../helpers/platform.js';

const DEVICE = 'probe-seq';
const TOTAL = 1200;
const WITHHELD = 77;
const PASSWORD = 'demo-seq-kill';
const T0 = Date.now() - 3_600_000; // message n's time is T0 + n s

const influxUrl = inject('influxUrl');
const stores: [string, Record<string, string>][] = [['sqlite', {}]];
if (influxUrl !== '') stores.push(['influx', { STORE: 'influx', INFLUX_URL: `${influxUrl}/ruong_seqkill_${randomUUID().replace(/-/g, '')}` }]);

/** The seqs stored, read through the store the platform wrote (message n's readings are at T0 + n s). */
async function storedSeqs(env: Record<string, string>, dataDir: string): Promise<number[]> {
  const store: ReadingStore = env.STORE === 'influx' ? createInfluxStore({ url: env.INFLUX_URL! }) : createSqliteStore({ path: join(dataDir, 'readings.db') });
  try {
    await store.setup();
    const points = await store.query({ cooperativeId: 'coop-demo', deviceId: DEVICE, metric: 'battery', from: T0, to: T0 + (TOTAL + 1) * 1000 });
    return points.map((x) => (x.ts - T0) / 1000);
  } finally {
    await store.close();
  }
}

/** A device that keeps each message until its PUBACK and re-sends what it still holds after a reconnect. */
function createDevice(secret: string) {
  const unacked = new Set<number>();
  const acked = new Set<number>();
  let client: MqttClient | undefined;
  const payload = (seq: number) => JSON.stringify({ ts: T0 + seq * 1000, seq, readings: { battery: 50 + (seq % 40), 'soil_moisture@20cm': 25 } });
  return {
    unacked, acked,
    async connect(url: string) {
      client = await connectDevice(url, DEVICE, secret);
      client.on('error', () => undefined);
      for (const seq of [...unacked].sort((a, b) => a - b)) this.publish(seq); // its buffer, oldest first
    },
    publish(seq: number) {
      unacked.add(seq);
      client?.publish(`devices/${DEVICE}/up`, payload(seq), { qos: 1 }, (err) => {
        if (err) return;
        unacked.delete(seq);
        acked.add(seq);
      });
    },
    drop() {
      client?.end(true); // the broker is gone: what was not acknowledged stays in `unacked`
      client = undefined;
    },
    end: () => client?.endAsync(),
  };
}

describe.each(stores)('kill -9 of ruong start while a device publishes numbered messages (%s)', (_name, storeEnv) => {
  const env = { DEMO_PASSWORD: PASSWORD, SIM: 'false', INGEST_BATCH_MS: '50', ...storeEnv };
  let p: ChildPlatform | undefined;
  afterAll(() => {
    if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    if (p) rmSync(p.dataDir, { recursive: true, force: true });
  });

  it('reports no gap after the restarts, and the gap of a held-back message closes when it arrives', async () => {
    p = await startChildPlatform(env);
    const registry = createRegistry(join(p.dataDir, 'registry.db'));
    const { secret } = await registry.provisionDevice({ id: DEVICE, fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'seq kill test' });
    await registry.close();
    const device = createDevice(secret);
    await device.connect(p.mqttUrl);

    let seq = 0;
    for (const killAt of [400, 800]) {
      while (seq < killAt) {
        for (let i = 0; i < 20 && seq < killAt; i++) if (++seq !== WITHHELD) device.publish(seq);
        await new Promise((r) => setTimeout(r, 15));
      }
      await eventually(() => Promise.resolve(device.acked.size > killAt - 150 ? true : undefined), 20_000, 'PUBACKs before the kill');
      p.child.kill('SIGKILL'); // mid-stream: messages in flight, batches being written
      await p.exited;
      device.drop();
      p = await startChildPlatform(env, p.dataDir);
      await device.connect(p.mqttUrl);
    }
    while (seq < TOTAL) device.publish(++seq);
    await eventually(() => Promise.resolve(device.unacked.size === 0 ? true : undefined), 30_000, 'every message acknowledged');

    const token = await login(p.baseUrl, 'demo', PASSWORD);
    type Gaps = { missing: number; missingRanges: [number, number][]; nextSeq: number; lateTotal: number };
    const gaps = async () => (await getJson<Gaps>(p!.baseUrl, `/api/v1/devices/${DEVICE}/gaps`, token)).body;
    const before = await eventually(async () => { const g = await gaps(); return g.nextSeq === TOTAL + 1 ? g : undefined; }, 5_000, 'the state of every seq');
    // Whatever is reported missing really is not in the store (the state counts exactly the stored readings) …
    const stored = new Set(await storedSeqs(env, p.dataDir));
    for (const [from, to] of before.missingRanges) for (let s = from; s <= to; s++) expect(stored.has(s), `seq ${s} reported missing but stored`).toBe(false);
    // … and with every PUBACK meaning "stored", only the held-back message is missing.
    expect(before).toMatchObject({ nextSeq: TOTAL + 1, missing: 1, missingRanges: [[WITHHELD, WITHHELD]] });

    device.publish(WITHHELD);
    await eventually(() => Promise.resolve(device.unacked.size === 0 ? true : undefined), 10_000, 'the held-back message acknowledged');
    expect(await gaps()).toMatchObject({ nextSeq: TOTAL + 1, missing: 0, missingRanges: [] });
    expect(await storedSeqs(env, p.dataDir)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    // The device as the oracle: every message it was told was received is stored.
    expect([...device.acked].filter((s) => !stored.has(s) && s !== WITHHELD)).toEqual([]);
    await device.end();
  }, 120_000);
});
