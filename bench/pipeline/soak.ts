// The long outage (issue 4, "Done when"): influxd killed (-9) for 60 s while a device publishes 100 msg/s;
// every reading must be stored exactly once, counted by sequence number. The normal test suite runs the same
// scenario with a 3 s outage (test/integration/ingest-influx-outage.test.ts).
import { startKillableInfluxd } from '../../test/helpers/influxd-killable.js';
import { connectDevice, startTestPlatform } from '../../test/helpers/platform.js';

export async function runSoak(o: { seconds: number; rate: number }) {
  const influxd = await startKillableInfluxd();
  const p = await startTestPlatform({ STORE: 'influx', INFLUX_URL: `${influxd.url}/ruong_soak`, MQTT_PUBLISH_RATE: '0' });
  try {
    const { secret } = await p.registry.provisionDevice({ id: 'probe-soak', fieldId: 'field-coffee-a', kind: 'soil_probe', name: 'soak' });
    const device = await connectDevice(p.mqttUrl, 'probe-soak', secret);
    const t0 = Date.now() - 3_600_000;
    const total = o.rate * (o.seconds + 20);
    let seq = 0;
    const acks: Promise<unknown>[] = [];
    const timer = setInterval(() => {
      if (seq >= total) return;
      seq++;
      acks.push(device.publishAsync('devices/probe-soak/up', JSON.stringify({ ts: t0 + seq * 10, seq, readings: { battery: seq % 100 } }), { qos: 1 }));
    }, 1000 / o.rate);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await sleep(10_000);
    await influxd.kill9();
    const killedAt = seq;
    await sleep(o.seconds * 1000);
    const spooledDuring = seq - killedAt;
    await influxd.restart();
    while (seq < total) await sleep(100);
    clearInterval(timer);
    await Promise.all(acks);
    const started = Date.now();
    let points = 0;
    while (Date.now() - started < 120_000) {
      points = (await p.store.query({ cooperativeId: 'coop-demo', deviceId: 'probe-soak', metric: 'battery', from: t0, to: t0 + (total + 1) * 10 })).length;
      if (points >= total) break;
      await sleep(500);
    }
    const got = await p.store.query({ cooperativeId: 'coop-demo', deviceId: 'probe-soak', metric: 'battery', from: t0, to: t0 + (total + 1) * 10 });
    const seqs = new Set(got.map((x) => (x.ts - t0) / 10));
    const missing = Array.from({ length: total }, (_, i) => i + 1).filter((s) => !seqs.has(s));
    await device.endAsync();
    return { outageSeconds: o.seconds, ratePerSec: o.rate, published: total, publishedDuringOutage: spooledDuring, stored: got.length, missing: missing.length, duplicates: got.length - seqs.size, replaySeconds: (Date.now() - started) / 1000 };
  } finally {
    await p.close();
    await influxd.stop();
  }
}
