// influxd killed (-9) under a steady 100 msg/s and started again two seconds later: the ingest spools
// to disk meanwhile (acknowledging only what is fsynced), replays in order when InfluxDB is back, and every
// reading — counted by the device's sequence numbers — is stored exactly once. (The 60 s outage runs as a
// soak: `npm run bench:pipeline -- --soak`.)
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startKillableInfluxd, type KillableInfluxd } from '../helpers/influxd-killable.js';
import { connectDevice, eventually, startTestPlatform, type TestPlatform } from '../helpers/platform.js';

const DEVICE = 'probe-outage';
const TOTAL = 500;
const metric = (text: string, name: string) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? 0);

describe.skipIf(inject('influxUrl') === '')('InfluxDB killed under load', () => {
  let influxd: KillableInfluxd;
  let p: TestPlatform;

  beforeAll(async () => {
    influxd = await startKillableInfluxd();
    p = await startTestPlatform({ STORE: 'influx', INFLUX_URL: `${influxd.url}/ruong_outage`, INGEST_BATCH_MS: '20', ROLLUP_REFRESH_S: '1' });
  });
  afterAll(async () => {
    await p?.close();
    await influxd?.stop();
  });

  it('stores every reading exactly once, by sequence number', async () => {
    const { secret } = await p.registry.provisionDevice({ id: DEVICE, fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'outage test' });
    const device = await connectDevice(p.mqttUrl, DEVICE, secret);
    const t0 = Date.now() - 3_600_000;
    let seq = 0;
    const acked: Promise<unknown>[] = [];
    const publish = () => {
      seq++;
      const payload = { ts: t0 + seq * 1000, seq, readings: { 'soil_moisture@20cm': 20 + (seq % 50) / 10, battery: seq % 100 } };
      acked.push(device.publishAsync(`devices/${DEVICE}/up`, JSON.stringify(payload), { qos: 1 }));
    };
    const timer = setInterval(() => { if (seq < TOTAL) publish(); }, 10); // 100 msg/s
    try {
      await eventually(() => Promise.resolve(seq >= 100 ? true : undefined), 10_000, '100 messages sent');
      await influxd.kill9();
      const killedAt = seq;
      await eventually(() => Promise.resolve(seq >= killedAt + 200 ? true : undefined), 10_000, '2 s of publishing into the outage');
      const during = await (await fetch(`${p.baseUrl}/metrics`)).text();
      expect(metric(during, 'ruong_ingest_spooled_batches_total')).toBeGreaterThan(0);
      await influxd.restart();
      await eventually(() => Promise.resolve(seq >= TOTAL ? true : undefined), 20_000, 'all messages sent');
      await Promise.all(acked); // every PUBACK arrived: each was stored or spooled first
    } finally {
      clearInterval(timer);
    }

    const points = await eventually(async () => {
      const got = await p.store.query({ cooperativeId: 'coop-demo', deviceId: DEVICE, metric: 'soil_moisture@20cm', from: t0, to: t0 + (TOTAL + 1) * 1000 });
      return got.length >= TOTAL ? got : undefined;
    }, 30_000, 'every reading stored after the outage');
    expect(points.map((x) => (x.ts - t0) / 1000)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(points.map((x) => x.value)).toEqual(Array.from({ length: TOTAL }, (_, i) => 20 + ((i + 1) % 50) / 10));
    const batteries = await p.store.query({ cooperativeId: 'coop-demo', deviceId: DEVICE, metric: 'battery', from: t0, to: t0 + (TOTAL + 1) * 1000 });
    expect(batteries).toHaveLength(TOTAL);
    // The spool drains: every spooled batch is replayed and the disk is given back. Waited for, not read once: a
    // batch whose direct write timed out while influxd came back can already be in InfluxDB (it is spooled and
    // replayed anyway, an idempotent rewrite of the same points) while its replay still waits out a retry delay.
    const drained = await eventually(async () => {
      const after = await (await fetch(`${p.baseUrl}/metrics`)).text();
      const spooled = metric(after, 'ruong_ingest_spooled_batches_total');
      return metric(after, 'ruong_ingest_replayed_batches_total') === spooled && metric(after, 'ruong_ingest_spool_bytes') === 0 ? spooled : undefined;
    }, 30_000, 'the spool replayed and empty');
    expect(drained).toBeGreaterThan(0);
    await device.endAsync();
  }, 90_000);
});
